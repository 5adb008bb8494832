"""``lianzhang depreciate --township 唐坊镇 --month 2025-09``: the monthly depreciation run of
every book of a township that keeps asset cards, one ``RunDepreciation`` each (its own save,
through the one runner, as the workbench's and the API's township run), printing per book the
amount and the voucher, or that the month is already done, or why the book was refused (the
others still run; the status is then 1). ``--entity J01`` runs one book only; ``--units
GZ-002=120`` gives the units of a 工作量法 card (with ``--entity``)."""

from __future__ import annotations

import argparse
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def cmd_depreciate(args: argparse.Namespace) -> int:
    """Run the month's depreciation for the township's books (or one book)."""
    from domain.assets.commands import RunDepreciation
    from domain.errors import DomainError
    from domain.periods import parse_month
    from domain.runner import Caller, Runner
    from ledger.errors import LedgerError
    from projections import asset_runs
    from web.problems import chinese_detail

    try:
        parse_month(args.month)
    except DomainError:
        raise CommandError(f"--month {args.month!r} is not a month such as 2025-09") from None
    if not args.township and not args.entity:
        raise CommandError("name the township (--township 唐坊镇) or one book (--entity J01)")
    units: dict[str, str] = {}
    for pair in args.units or []:
        number, sep, value = pair.partition("=")
        if not sep or not number or not value:
            raise CommandError(f"--units {pair!r} is not NUMBER=UNITS (GZ-002=120)")
        units[number] = value
    if units and not args.entity:
        raise CommandError("--units needs --entity: 工作量法 cards are run book by book")
    runtime = _runtime(_settings(args))
    refused = 0
    try:
        runtime.views.catch_up()
        with runtime.engine.connect() as conn:
            if args.entity:
                books = [args.entity]
            else:
                books = [b["code"] for b in asset_runs.books_with_cards(conn, args.township)]
        if not books:
            print(f"{args.township} 没有资产卡片，没有可计提的账套")
            return 0
        runner = Runner(runtime.app)
        for code in books:
            # the holder of the database may write anywhere: no townships to check
            command = RunDepreciation(entity=code, month=args.month, units=dict(units))
            try:
                result: Any = runner.run(command, Caller(actor=args.actor)).result
            except (DomainError, LedgerError) as exc:
                refused += 1
                kind = getattr(exc, "kind", "invalid-entry")
                detail = getattr(exc, "message", str(exc))
                field = getattr(exc, "field", None)
                zh = getattr(exc, "zh", None)
                print(f"{code} {args.month} 未计提：{chinese_detail(kind, detail, zh, field)}")
                continue
            runtime.views.catch_up()
            with runtime.engine.connect() as conn:
                summary = asset_runs.run_summary(conn, code, args.month, result)
            print(summary["message"])
    finally:
        runtime.close()
    if refused:
        raise CommandError(
            f"{refused} of {len(books)} books were not depreciated for {args.month} (see above); "
            "the others were"
        )
    return 0


def add_asset_commands(sub: Any) -> None:
    """The ``depreciate`` subcommand, on the command line's subparsers."""
    run = sub.add_parser(
        "depreciate",
        help="计提折旧: the monthly depreciation run of every book of a township (or one book)",
    )
    run.add_argument("--township", help="every book of this township that keeps asset cards")
    run.add_argument("--entity", help="one book only (a village or joint entity code)")
    run.add_argument("--month", required=True, help="the month, e.g. 2025-09")
    run.add_argument(
        "--units",
        action="append",
        help="NUMBER=UNITS: the month's units of a 工作量法 card (repeat; with --entity)",
    )
    run.add_argument("--actor", default="depreciate", help="recorded as 经办")
    run.set_defaults(func=cmd_depreciate)
