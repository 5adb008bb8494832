"""What the wave-2 fixture store (``tests/fixtures/wave2``) must keep answering: its restore
into a fresh store, the outputs recorded as golden files, and their comparison.

Used by ``tests/integration/test_wave2_fixture.py`` (the current code against the golden files)
and by ``scripts/make_fixture_store.py`` (which recorded them, once, at 5ec8cde). What
"byte-identical" means for each kind of output is in the fixture's README.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import difflib
import gzip
import io
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wave2"
SQLITE_DUMP = "lianzhang.sqlite3.gz"
POSTGRES_DUMP = "postgres.sql.gz"
SIGNING_KEY = "signing-key.pem"
DATA_KEY = "data-key"
HOUSEHOLD_CODES = "household-codes.json"
DUMP_SCHEMA = "lz_fixture_wave2"  # the schema name in the dump, replaced on restore
TODAY = datetime.date(2026, 11, 23)  # the clock of the drafts (as tests/conftest.py)
BY_STORE = "by-store"
KEY_VARIABLES = ("LIANZHANG_SIGNING_KEY", "LIANZHANG_DATA_KEY")

PERIODS = ("2025", "2026")
KINDS = ("trial-balance", "balance-sheet", "income")


# -- restoring the fixture -------------------------------------------------------------------


def install_keys(fixture: Path, directory: Path) -> dict[str, str]:
    """The fixture's keys copied to ``directory`` with mode 0600 (git keeps no modes), as the
    environment variables that name them (absolute paths)."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {}
    for name, variable in ((SIGNING_KEY, KEY_VARIABLES[0]), (DATA_KEY, KEY_VARIABLES[1])):
        target = directory / name
        shutil.copyfile(fixture / name, target)
        target.chmod(0o600)
        env[variable] = str(target.resolve())
    return env


def install_sqlite(fixture: Path, path: Path) -> None:
    """The fixture's SQLite file, uncompressed, at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.decompress((fixture / SQLITE_DUMP).read_bytes()))


def install_postgres(fixture: Path, url: str, schema: str) -> None:
    """The fixture's ``pg_dump`` restored into ``schema`` (which must not exist or be empty):
    the dump's schema name replaced, psql's meta-commands (``\\restrict``) left out, all in one
    transaction."""
    script = gzip.decompress((fixture / POSTGRES_DUMP).read_bytes()).decode("utf-8")
    script = "\n".join(line for line in script.splitlines() if not line.startswith("\\"))
    script = script.replace(DUMP_SCHEMA, schema)
    with psycopg.connect(url) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # made by a fixture, say
        conn.execute(script.encode("utf-8"))


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def restored(
    fixture: Path, store: str, postgres_url: str
) -> Iterator[tuple[str, str | None, dict[str, str]]]:
    """The fixture restored into a scratch store of kind ``store`` (``sqlite``/``postgres``):
    yields (database URL, schema, key variables); the store is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="lz-wave2-") as scratch:
        env = install_keys(fixture, Path(scratch) / "keys")
        if store == "sqlite":
            path = Path(scratch) / "lianzhang.sqlite3"
            install_sqlite(fixture, path)
            yield f"sqlite:///{path}", None, env
            return
        schema = "lz_wave2_" + uuid.uuid4().hex[:12]
        install_postgres(fixture, postgres_url, schema)
        try:
            yield postgres_url, schema, env
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# -- the outputs -----------------------------------------------------------------------------


def _cli(url: str, schema: str | None, *argv: str) -> str:
    """Run a ``lianzhang`` command in-process; its standard output."""
    from scripts import cli

    where = ["--database-url", url, *(["--schema", schema] if schema else [])]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main([*where, *argv])
    assert status == 0, f"lianzhang {' '.join(argv)} exited with {status}: {out.getvalue()}"
    return out.getvalue()


def _json(value: Any) -> bytes:
    """JSON as compared: the same values and types, keys sorted, indented (diffs readable)."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return f"{type(value).__name__}:{value}"


def xlsx_cells(data: bytes) -> bytes:
    """A workbook as what a reader sees: each sheet's cell values (with their number format
    when not General) and merged ranges; not the zip's bytes, which hold the time it was
    written."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheets = {}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = _cell(cell.value)
                fmt = cell.number_format
                cells[cell.coordinate] = value if fmt == "General" else [value, fmt]
        sheets[sheet.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        }
    return _json({"sheets": sheets, "order": book.sheetnames})


def _file_name(path: str) -> str:
    """A request's golden file name: ``/v1/x/y?a=1&b=2`` → ``v1/x/y@a=1,b=2``."""
    where, _, query = path.partition("?")
    name = where.strip("/") or "index"
    return name + (f"@{query.replace('&', ',')}" if query else "")


# The line a public page shows of when its figures are (web.read_from: the time and number of
# the last event its read models applied), which 5ec8cde's pages did not have: it is taken out,
# one line, before the comparison; the rest of the page must be byte for byte the same.
AS_OF_LINE = re.compile(rb'<p class="meta as-of">[^<\n]*</p>\n')


def without_as_of(page: bytes) -> bytes:
    """The page without its as-of line (there is at most one, the first of ``<main>``)."""
    found, count = AS_OF_LINE.subn(b"", page, count=2)
    assert count <= 1, "a page with two as-of lines"
    return found


def api_outputs(
    url: str, schema: str | None, household_codes: dict[str, str], *, every: bool = True
) -> dict[str, bytes]:
    """The answers of the HTTP API and the public pages (in-process, as ``lianzhang serve``
    builds the app, with the tests' clock for the drafts), by golden file name; with
    ``every=False`` only those read from the rebuilt read models (statements, sheets, plans)."""
    from fastapi.testclient import TestClient

    from runtime.bootstrap import Runtime
    from server.main import create_app
    from web.settings import Settings
    from web.tokens import TokenStore

    # the keys as the settings read them (the fixture's, named in the environment)
    settings = dataclasses.replace(Settings.from_env(), database_url=url, database_schema=schema)
    runtime = Runtime(url, schema=schema, today=lambda: TODAY, keys=settings.key_locations())
    out: dict[str, bytes] = {}
    try:
        token = TokenStore(runtime.engine).create(f"wave2-{uuid.uuid4().hex[:8]}", "admin")
        app = create_app(Settings(database_url=url, database_schema=schema), runtime=runtime)
        headers = {"Authorization": f"Bearer {token}"}  # and Chinese: no Accept-Language
        # the host is in the QR codes of the public pages
        with TestClient(app, base_url="http://testserver", headers=headers) as client:

            def get(path: str) -> Any:
                response = client.get(path)
                assert response.status_code == 200, f"GET {path}: {response.status_code}"
                kind = response.headers["content-type"].split(";")[0]
                if kind == "application/json":
                    out[f"api/{_file_name(path)}.json"] = _json(response.json())
                    return response.json()
                if kind == "text/html":
                    out[f"api/{_file_name(path)}.html"] = without_as_of(response.content)
                    return None
                assert "spreadsheetml" in kind, f"GET {path}: {kind}"
                out[f"api/{_file_name(path)}.cells.json"] = xlsx_cells(response.content)
                return None

            _requests(get, household_codes, every=every)
    finally:
        runtime.close()
    return out


def _requests(get: Callable[[str], Any], household_codes: dict[str, str], every: bool) -> None:
    """The requests whose answers are compared (``every=False``: after a rebuild, those that
    read the read models the rebuild wrote)."""
    entities = [e["code"] for e in get("/v1/entities")]
    for code in entities:
        for period in PERIODS:
            for kind in KINDS:
                get(f"/v1/entities/{code}/statements/{kind}?period={period}")
        get(f"/v1/entities/{code}/statements/general-ledger?period=2026")
        get(f"/v1/entities/{code}/statements/account-detail?period=2026&account=102")
        if every:
            get(f"/v1/entities/{code}")
            get(f"/v1/entities/{code}/accounts")
            get(f"/v1/entities/{code}/entries?limit=1000")
    for plan in get("/v1/plans"):
        get(f"/v1/plans/{plan['code']}/statement")
        if every:
            get(f"/v1/plans/{plan['code']}")
    # the published sheets (三公开): each version as a page (and as a workbook)
    sheets = [*get("/v1/joint-entities/J01/disclosures")]
    for village in ("V01", "V02", "V03", "V04"):
        sheets += get(f"/v1/villages/{village}/disclosures")
    for sheet in sheets:
        get(sheet["urls"]["html"])
        if every:
            get(sheet["urls"]["xlsx"])
    if not every:
        return
    get("/v1/entities/V01/trial-balance?month=2026-03&cumulative=true")
    get("/v1/entities/V04/year-end-closings")
    get("/v1/entities/V01/vouchers?limit=100")
    # the books as they stood at the end of the demo (a scratch replay of the log)
    get("/v1/entities/V01/statements/trial-balance?period=2025&as_of_position=185")
    get("/v1/entities/J01/statements/balance-sheet?period=2026&as_of_position=185")
    for alliance in get("/v1/alliances"):
        get(f"/v1/alliances/{alliance['code']}")
    for agreement in get("/v1/agreements"):
        get(f"/v1/agreements/{agreement['code']}")
    get("/v1/joint-entities/J01/equity")
    get("/v1/villages/V03/members")
    for voucher in get("/v1/vouchers?limit=100")["items"]:
        get(f"/v1/vouchers/{voucher['draft']}")
    get("/v1/villages/V01/disclosures/2026/draft")
    get("/v1/joint-entities/J01/disclosures/2026/draft")
    get("/v1/audit/fingerprint")
    get("/v1/audit/trail?entity=V04")
    get("/public")
    for code in ("P2025-HNHM", "P2025-V03", "P2025-FIX"):
        get(f"/public/plans/{code}")
    for number, short in sorted(household_codes.items()):
        get(f"/public/households?village=V03&number={number}&code={short}")


def _closing_checkpoint(line: bytes) -> bytes:
    """The export's closing line with its checkpoint's moment and signature (which signs that
    moment) replaced, after checking the signature."""
    from audit.keys import PublicKey
    from audit.messages import check_checkpoint

    closing = json.loads(line)
    checkpoint = closing["checkpoint"]
    public = PublicKey.from_hex(checkpoint["public_key"])
    assert check_checkpoint(checkpoint, public) is None, "the export's checkpoint does not verify"
    checkpoint.update(made_at="(made_at)", signature="(signature)")
    return _json(closing)


def store_outputs(url: str, schema: str | None, scratch: Path) -> dict[str, bytes]:
    """``lianzhang verify --json`` and the exports (events, beancount, hledger)."""
    out: dict[str, bytes] = {}
    report = json.loads(_cli(url, schema, "verify", "--json"))
    out["verify.json"] = _json(report)
    events = scratch / "events.jsonl"
    _cli(url, schema, "export", "events", "-o", str(events))
    *lines, closing = events.read_bytes().splitlines(keepends=True)
    out["export/events.jsonl"] = b"".join(lines)
    out["export/events-closing.json"] = _closing_checkpoint(closing)
    for kind in ("beancount", "hledger"):
        directory = scratch / kind
        _cli(url, schema, "export", kind, "-o", str(directory))
        for path in sorted(directory.iterdir()):
            out[f"export/{kind}/{path.name}"] = path.read_bytes()
    return out


def outputs(
    url: str, schema: str | None, env: dict[str, str], fixture: Path = FIXTURE
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Everything compared, from a restored fixture store: ``lianzhang init``, then the API's
    answers, ``verify`` and the exports; then ``lianzhang rebuild`` and the API's answers and
    ``verify`` again. Returns (outputs, the API's and verify's outputs after the rebuild)."""
    codes = json.loads((fixture / HOUSEHOLD_CODES).read_text(encoding="utf-8"))
    with environment(env), tempfile.TemporaryDirectory(prefix="lz-wave2-out-") as scratch:
        _cli(url, schema, "init")
        found = {**api_outputs(url, schema, codes), **store_outputs(url, schema, Path(scratch))}
        _cli(url, schema, "rebuild")
        again = api_outputs(url, schema, codes, every=False)
        again["verify.json"] = _json(json.loads(_cli(url, schema, "verify", "--json")))
    return found, again


# -- comparing -------------------------------------------------------------------------------


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _files(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def read_golden(store: str, fixture: Path = FIXTURE) -> dict[str, bytes]:
    """The golden outputs of a store: those the same on both stores, and the store's own
    (``golden/by-store/<store>/``: answers with a moment, which SQLite gives without a zone)."""
    golden = fixture / "golden"
    common = {k: v for k, v in _files(golden).items() if not k.startswith(BY_STORE + "/")}
    return {**common, **_files(golden / BY_STORE / store)}


def first_difference(expected: dict[str, bytes], found: dict[str, bytes]) -> str | None:
    """None when the two sets of outputs are the same; else which files are missing or extra,
    and a unified diff of the first file that differs."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    differing = [
        name for name in sorted(expected) if name in found and found[name] != expected[name]
    ]
    if not (missing or extra or differing):
        return None
    report = []
    if missing:
        report.append(f"not produced: {', '.join(missing)}")
    if extra:
        report.append(f"not in the golden files: {', '.join(extra)}")
    if differing:
        report.append(f"{len(differing)} file(s) differ: {', '.join(differing[:20])}")
        name = differing[0]
        old = expected[name].decode("utf-8", "replace").splitlines(keepends=True)
        new = found[name].decode("utf-8", "replace").splitlines(keepends=True)
        diff = difflib.unified_diff(old, new, f"golden/{name}", f"now/{name}", n=3)
        report.append("".join(list(diff)[:200]))
    return "\n".join(report)
