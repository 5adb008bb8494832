"""The ``lianzhang`` command: init, serve, worker, demo, allocate, call, sheet, compare; the
others in modules of their own: token and user in ``scripts/cli_people.py``, register (migrate)
in ``scripts/cli_registers.py``, setup-books (建账) in ``scripts/cli_setup.py``, import-vouchers
in ``scripts/cli_vouchers.py``, rebuild in ``scripts/cli_rebuild.py``, depreciate (三资's monthly
run) in ``scripts/cli_assets.py``, import-statement (a bank statement) in
``scripts/cli_bank.py``, verify, checkpoint, export, import and keys in ``scripts/cli_audit.py``,
backup and restore in ``scripts/cli_backup.py``; what every command shares in
``scripts/cli_common.py``.

Every command reads the database from ``--database-url`` or ``LIANZHANG_DATABASE_URL`` (default: a
SQLite file under ./var). Errors end the command with one line on stderr and a non-zero status.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.cli_assets import add_asset_commands
from scripts.cli_audit import add_audit_commands
from scripts.cli_backup import add_backup_commands
from scripts.cli_bank import add_bank_commands
from scripts.cli_common import CommandError, _runtime, _settings, _where
from scripts.cli_people import add_people_commands
from scripts.cli_rebuild import add_rebuild_command
from scripts.cli_registers import add_register_commands
from scripts.cli_setup import add_setup_commands
from scripts.cli_vouchers import add_voucher_commands

if TYPE_CHECKING:
    from web.settings import Settings
    from web.tokens import TokenStore

DEMO_TOKEN_NAME = "demo-admin"

# The refusals a command ends with one line and exit status 2: (module, class). Every module is
# imported by the command that needs it, never here (``lianzhang --help`` and the start of a
# command load only what that command uses: python -X importtime -m scripts.cli --help); an
# error of a class can only have been raised once its module is loaded, so main() looks for it
# among the modules loaded.
REFUSALS = (
    ("web.tokens", "TokenError"),
    ("adapters.database", "DatabaseConfigError"),
    ("domain.errors", "DomainError"),
    ("ledger.errors", "LedgerError"),
    ("audit.exports", "ExportError"),
    ("projections.runner", "ProjectionStuckError"),
)


def _refusals() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [CommandError]
    for module, name in REFUSALS:
        if module in sys.modules:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


def cmd_init(args: argparse.Namespace) -> int:
    from web.tokens import TokenStore

    settings = _settings(args)
    runtime = _runtime(settings)
    TokenStore(runtime.engine)
    runtime.views.catch_up()
    print(f"store ready: {_where(settings)}")
    runtime.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API; with ``--worker``, a worker thread keeps the read models up beside it
    (``runtime.worker``, on the server's runtime), stopped when the server stops."""
    import uvicorn

    from server.main import create_app
    from web.observability import uvicorn_config

    settings = _settings(args)
    print(f"data: {_where(settings)}")
    print(f"serving on http://{args.host}:{args.port} (OpenAPI docs at /docs)", flush=True)
    # one log line per request, JSON by default (text for the demo): web.observability
    log_format = settings.log_format or ("text" if args.func is cmd_demo else "json")
    served = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "log_config": uvicorn_config(log_format),
        "access_log": False,
    }
    if not getattr(args, "worker", False):
        uvicorn.run(create_app(settings), **served)
        return 0
    import logging

    from runtime.worker import Worker
    from web import metrics, observability

    observability.configure(log_format)  # the worker logs before uvicorn configures logging
    runtime = _runtime(settings)
    worker = Worker(
        runtime, log=logging.getLogger("lianzhang.worker").info, applied=metrics.EVENTS_APPLIED.inc
    )
    thread = threading.Thread(target=worker.run, name="lianzhang-worker", daemon=True)
    # uvicorn catches SIGINT and SIGTERM, stops serving, puts back the handlers it found and
    # raises the signal again: these handlers then stop the worker, and the command exits 0
    previous = {
        number: signal.signal(number, lambda *_: worker.stop())
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        app = create_app(settings, runtime=runtime)
        thread.start()
        uvicorn.run(app, **served)
    finally:
        worker.stop()
        if thread.is_alive():
            thread.join(timeout=60)
        for number, handler in previous.items():
            signal.signal(number, handler)
        runtime.close()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Keep the read models up (LISTEN/NOTIFY on PostgreSQL, polling on SQLite) until SIGTERM
    or SIGINT; the API then runs with ``serve --no-catch-up`` (``serve --worker`` starts one of
    its own instead)."""
    import logging

    from runtime.worker import Worker
    from web import metrics, observability

    if args.poll is not None and not 0.01 <= args.poll <= 3600:
        raise CommandError(f"--poll {args.poll:g} is not between 0.01 and 3600 seconds")
    settings = _settings(args)
    observability.configure(settings.log_format or "json")
    runtime = _runtime(settings)
    if args.metrics_port is not None:  # this process's counters and the store's gauges
        metrics.serve(runtime, args.metrics_host, args.metrics_port)
    worker = Worker(
        runtime,
        poll_seconds=args.poll,
        log=logging.getLogger("lianzhang.worker").info,
        applied=metrics.EVENTS_APPLIED.inc,
    )
    previous = {
        number: signal.signal(number, lambda *_: worker.stop())
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    print(f"data: {_where(settings)}", flush=True)
    try:
        worker.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        runtime.close()
    return 0


def _demo_token(settings: Settings, tokens: TokenStore) -> str | None:
    """The demo's admin token, kept in ``var/demo-admin-token`` (0600); returned only when it is
    created now (later runs print where it is, not the secret)."""
    token_file = Path("var") / "demo-admin-token"
    if token_file.exists():
        token = token_file.read_text().strip()
        if tokens.authenticate(token) is not None:
            return None
    names = {str(t["name"]) for t in tokens.list()}
    name = DEMO_TOKEN_NAME
    counter = 1
    while name in names:
        counter += 1
        name = f"{DEMO_TOKEN_NAME}-{counter}"
    token = tokens.create(name, "admin")
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    return token


def cmd_demo(args: argparse.Namespace) -> int:
    from domain.roles import role_label
    from scripts.demo import demo_people, load_demo, publish_demo_sheets
    from web.tokens import TokenStore

    settings = _settings(args)
    runtime = _runtime(settings)
    people_file = Path("var") / "demo-people.txt"
    try:
        load_demo(runtime.app)
        people = demo_people(runtime, people_file)
        runtime.views.catch_up()
        published = publish_demo_sheets(runtime)
        if published:
            print(f"published {published} disclosure sheets")
        token = _demo_token(settings, TokenStore(runtime.engine))
    finally:
        runtime.close()
    base = f"http://{args.host}:{args.port}"
    print(f"data: {_where(settings)}")
    print(f"工作台 (workbench): {base}/  — log in as one of the demo people:")
    for login, name, role, password in people:
        secret = f"password {password}" if password else f"password in {people_file}"
        print(f"  {login:<8} {name} ({role_label(role)}, {role}): {secret}")
    if any(password for *_, password in people):
        print(f"  (passwords are shown only now; they are kept in {people_file}, mode 0600)")
    if token:
        print(f"admin token: {token} (shown only now; kept in var/demo-admin-token)")
    else:
        print("admin token: in var/demo-admin-token")
    print(
        'try: curl -H "Authorization: Bearer $(cat var/demo-admin-token)" '
        f"'{base}/v1/entities/V01/trial-balance?month=2025-01'"
    )
    print(f"public disclosure pages (三公开): {base}/public")
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_allocate(args: argparse.Namespace) -> int:
    """Compute a rule document (docs/rules.md) and print the result document; writes nothing."""
    import json

    from ledger.rules import allocate_document

    try:
        text = Path(args.rule).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot read {args.rule}: {error.strerror}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{args.rule}:{error.lineno}:{error.colno}: not valid JSON ({error.msg})"
        ) from None
    result = allocate_document(document)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_call(args: argparse.Namespace) -> int:
    """Call the API in-process, with a token and its role, as the HTTP API would answer.

    Every write of the API (contributions, agreements, registers, plans, their steps and
    execution …) is thereby on the command line too, with the same checks, roles, idempotency
    and problem details.
    """
    import json

    from fastapi.testclient import TestClient

    from server.main import create_app

    body = None
    if args.data is not None:
        text = args.data
        if text.startswith("@"):
            try:
                text = Path(text[1:]).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot read {text[1:]}: {error.strerror}") from None
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"--data is not valid JSON: {error.msg} at {error.pos}") from None
    token = args.token or os.environ.get("LIANZHANG_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if args.idempotency_key:
        headers["Idempotency-Key"] = args.idempotency_key
    settings = _settings(args)
    with TestClient(create_app(settings), base_url="http://lianzhang.local") as client:
        response = client.request(args.method.upper(), args.path, json=body, headers=headers)
    payload = response.json() if response.content else None
    if response.is_success:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    detail = payload.get("detail") if isinstance(payload, dict) else response.text
    field = payload.get("field") if isinstance(payload, dict) else None
    where = f" [{field}]" if field else ""
    raise CommandError(f"{response.status_code} {args.method.upper()} {args.path}{where}: {detail}")


def cmd_sheet(args: argparse.Namespace) -> int:
    """Write a village's disclosure sheet for a period as HTML, PDF or XLSX.

    The latest published version (or ``--version N``); with ``--draft``, or when nothing is
    published yet and ``--draft`` is given, the content as it would be published now, marked
    as a draft."""
    import datetime

    from documents import publishing
    from documents.statements import PeriodError, parse_period
    from rendering.render import pdf, sheet_html, sheet_xlsx

    try:
        parse_period(args.period)
    except PeriodError as error:
        raise CommandError(str(error)) from None
    runtime = _runtime(_settings(args))
    try:
        runtime.app.get_village(args.village)
        runtime.views.catch_up()
        version: dict[str, object] | None = None
        if args.draft:
            content = publishing.draft_sheet(
                runtime,
                args.village,
                args.period,
                checked_by=[],
                checked_on=datetime.date.today(),
                opinion="",
            )
        else:
            found = publishing.published(runtime, args.village, args.period, args.version)
            if found is None:
                raise CommandError(
                    f"the sheet of {args.village} for {args.period} has not been published"
                    + (f" in version {args.version}" if args.version else "")
                    + "; publish it (POST /v1/villages/{village}/disclosures) or use --draft"
                )
            content = found["content"]
            version = {k: found[k] for k in ("version", "digest", "replaces")}
        html = sheet_html(content, version=version)
        data = {
            "html": lambda: html.encode("utf-8"),
            "pdf": lambda: pdf(html),
            "xlsx": lambda: sheet_xlsx(content, version=version),
        }[args.format]()
    finally:
        runtime.close()
    try:
        Path(args.output).write_bytes(data)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror}") from None
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare candidate rules on a plan's inputs (``plan:CODE``) or a rule document
    (docs/rules.md), and print them side by side with the fairness measures; ``--html`` also
    writes the page."""
    import json

    from documents import fairness
    from ledger.comparison import ComparisonError
    from rendering.render import comparison_html

    def load(path: str) -> dict[str, Any]:
        try:
            value = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{path}:{error.lineno}:{error.colno}: not valid JSON") from None
        if not isinstance(value, dict):
            raise CommandError(f"{path}: a rule is a JSON object")
        return value

    candidates = []
    for path in args.rules:
        rule = load(path)
        name = rule.pop("name", None) or Path(path).stem
        candidates.append({"name": name, "rule": rule.get("rule", rule)})
    runtime = _runtime(_settings(args)) if args.base.startswith("plan:") else None
    try:
        if runtime is not None:
            runtime.views.catch_up()
            with runtime.engine.connect() as conn:
                result = fairness.comparison(
                    conn,
                    document=None,
                    plan=args.base[5:],
                    candidates=candidates,
                    reference=args.reference,
                )
        else:
            from ledger.comparison import compare

            result = compare(load(args.base), candidates, reference=args.reference)
    except ComparisonError as error:
        raise CommandError(str(error)) from None
    finally:
        if runtime is not None:
            runtime.close()
    names = [c["name"] for c in result["candidates"]]
    width = max(12, *(len(n) * 2 for n in names))
    print(f"{'':<16}" + "".join(f"{n:>{width}}" for n in names))
    for party in result["parties"]:
        label = f"{party['code']} {party['name']}"
        print(
            f"{label:<16}"
            + "".join(f"{c['lines'][party['code']]:>{width}}" for c in result["candidates"])
        )
    for measure in ("gini", "theil", "max_min"):
        print(
            f"{measure:<16}"
            + "".join(f"{c['measures'][measure] or '-':>{width}}" for c in result["candidates"])
        )
    for candidate in result["candidates"]:
        print(f"\n{candidate['name']}: " + "；".join(candidate["rule_words"]))
        for sentence in candidate["sentences"]:
            print(f"  {sentence}")
    if args.html:
        Path(args.html).write_text(comparison_html(result), encoding="utf-8")
        print(f"\nwrote {args.html}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lianzhang", description="联账 Lianzhang: accounting for multi-village alliances"
    )
    parser.add_argument(
        "--database-url",
        help="sqlite:///path or postgresql://user@host:port/db (default: LIANZHANG_DATABASE_URL "
        "or sqlite:///var/lianzhang.sqlite3)",
    )
    parser.add_argument("--schema", help="PostgreSQL schema (default: LIANZHANG_DATABASE_SCHEMA)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="create the event store and read models").set_defaults(
        func=cmd_init
    )

    for name, func, text in (
        ("serve", cmd_serve, "serve the HTTP API"),
        ("demo", cmd_demo, "load the demo alliance, print an admin token, and serve"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="load and exit")
        p.add_argument(
            "--worker",
            action="store_true",
            help="start a worker thread beside the server that keeps the read models up, "
            "stopped with it; a request waits only for its own write's position "
            "(LIANZHANG_PROJECTIONS=worker)",
        )
        p.add_argument(
            "--no-catch-up",
            action="store_true",
            help="worker mode without a worker in this process: a separate `lianzhang worker` "
            "keeps the read models up (LIANZHANG_PROJECTIONS=worker)",
        )
        p.set_defaults(func=func)

    worker = sub.add_parser(
        "worker",
        help="keep the read models up for `serve --no-catch-up` (LISTEN/NOTIFY on PostgreSQL, "
        "polling on SQLite) until SIGTERM",
    )
    worker.add_argument(
        "--poll",
        type=float,
        help="seconds between catch-ups when nothing wakes the worker (default 5 on "
        "PostgreSQL, 0.05 on SQLite)",
    )
    worker.add_argument(
        "--metrics-port",
        type=int,
        help="serve this worker's /metrics (Prometheus) on this port (default: none)",
    )
    worker.add_argument(
        "--metrics-host", default="127.0.0.1", help="address of --metrics-port (127.0.0.1)"
    )
    worker.set_defaults(func=cmd_worker)

    add_rebuild_command(sub)

    allocate = sub.add_parser(
        "allocate", help="compute a distribution rule document (docs/rules.md) and print the result"
    )
    allocate.add_argument("rule", help="path of the rule document (JSON)")
    allocate.set_defaults(func=cmd_allocate)

    sheet = sub.add_parser("sheet", help="write a village's disclosure sheet (三公开)")
    sheet.add_argument("village")
    sheet.add_argument("period", help="2025, 2025-Q1 or 2025-03")
    sheet.add_argument("--format", choices=("html", "pdf", "xlsx"), default="html")
    sheet.add_argument("-o", "--output", required=True)
    sheet.add_argument("--version", type=int, help="a published version (default: the latest)")
    sheet.add_argument("--draft", action="store_true", help="the content as of now, unpublished")
    sheet.set_defaults(func=cmd_sheet)

    add_audit_commands(sub)
    add_voucher_commands(sub)
    add_asset_commands(sub)

    compare = sub.add_parser(
        "compare", help="compare candidate rules with fairness measures (writes nothing)"
    )
    compare.add_argument("base", help="plan:CODE, or a rule document (docs/rules.md) (JSON)")
    compare.add_argument("rules", nargs="+", help="candidate rules (JSON; optional name)")
    compare.add_argument("--reference", help="the candidate the others are compared with")
    compare.add_argument("--html", help="also write the comparison page here")
    compare.set_defaults(func=cmd_compare)

    call = sub.add_parser(
        "call",
        help="call the API in-process with a token (every API operation on the command line)",
    )
    call.add_argument("method", choices=("GET", "POST", "get", "post"))
    call.add_argument("path", help="e.g. /v1/plans/P2025-HNHM")
    call.add_argument("--data", help="JSON body, or @file.json")
    call.add_argument("--token", help="API token (default: LIANZHANG_TOKEN)")
    call.add_argument("--idempotency-key")
    call.set_defaults(func=cmd_call)

    add_people_commands(sub)
    add_register_commands(sub)
    add_setup_commands(sub)
    add_bank_commands(sub)
    add_backup_commands(sub)
    _global_options_everywhere(parser)
    return parser


GLOBAL_OPTIONS = ("--database-url", "--schema")


def _global_options_everywhere(
    parser: argparse.ArgumentParser, originals: dict[str, argparse.Action] | None = None
) -> None:
    """Let ``--database-url`` and ``--schema`` stand before or after the subcommand
    (``lianzhang rebuild --database-url …`` as well as ``lianzhang --database-url … rebuild``):
    every subcommand parser, at any depth, gets them too, with a default that leaves a value
    given before the subcommand in place."""
    if originals is None:
        originals = {
            action.option_strings[0]: action
            for action in parser._actions
            if action.option_strings and action.option_strings[0] in GLOBAL_OPTIONS
        }
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for child in {id(c): c for c in action.choices.values()}.values():
            known = {o for a in child._actions for o in a.option_strings}
            for flag, original in originals.items():
                if flag not in known:
                    child.add_argument(flag, default=argparse.SUPPRESS, help=original.help)
            _global_options_everywhere(child, originals)


def main(argv: Sequence[str] | None = None) -> int:
    # Files the command creates (the SQLite store, keys, exports, sheets, the demo's var/ and
    # the server's) are its owner's only: 0600 files, 0700 folders (no other account on the
    # machine reads the books or the keys); the database module also creates the SQLite file
    # 0600 in any process.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if not isinstance(error, _refusals()):
            raise
        print(f"lianzhang {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
