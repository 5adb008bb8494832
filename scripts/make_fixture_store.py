"""Make the wave-2 fixture store: a store written by this version, kept in the repository so
later versions prove they still load it (``tests/integration/test_wave2_fixture.py``).

Run ONCE, at the commit named in ``tests/fixtures/wave2/README.md`` (5ec8cde, the head before
the reshaping), and commit what it writes; never re-run it at a later commit (the point is that
the files were written by the old code)::

    PYTHONPATH=$PWD .venv/bin/python -m scripts.make_fixture_store [--out tests/fixtures/wave2]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test]

In a temporary directory it

1. runs ``lianzhang init`` on a new SQLite file, then what ``lianzhang demo --no-serve`` does
   (``scripts.cli.cmd_demo``: the demo alliance, its people, its published sheets, the demo
   token), in-process with the tests' clock (``TODAY`` below, as ``tests/conftest.py``), since
   a published sheet records the day it was made;
2. adds events of the classes the demo lacks (``extras``): entries over 2026, a red-ink
   reversal, closed months, a year closed, reopened and closed again, a village leaving, land
   rent paid and corrected, a grant, a capital refund, a dividend correction, shares adjusted,
   a member leaving and forgotten, a rejected plan and a superseding one executed, people
   registered, changed, disabled and enabled, vouchers drafted, submitted, returned, edited,
   with a document, approved and withdrawn, and a sheet published again as version 2;
3. copies that store, row for row, into a new PostgreSQL schema (``SCHEMA``) whose tables this
   version created (the same events at the same positions, the same signed chain, read
   models, people's keys, passwords and tokens), and dumps the schema with ``pg_dump`` as
   plain SQL (``INSERT`` statements: the test restores it with psycopg, after replacing the
   schema name);
4. records the golden outputs of both stores (``tests/integration/wave2_outputs.py``), checks
   they are the same on the two stores, and writes them under ``golden/``.

Event timestamps and a few ids are not deterministic (the library's clock, uuid4): two runs
give different stores, which is why the store itself, not this script, is the fixture.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import gzip
import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import MetaData, Table, select, text

if TYPE_CHECKING:
    from audit.store_keys import KeyLocations

ROOT = Path(__file__).resolve().parents[1]
TODAY = datetime.date(2026, 11, 23)  # as tests/conftest.py
SCHEMA = "lz_fixture_wave2"  # the dump's schema name, replaced by the test's
SQLITE_FILE = "lianzhang.sqlite3"
SIGNING_KEY = "signing-key.pem"
DATA_KEY = "data-key"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
ACTOR = "zhuguan"  # the demo's bookkeeper
D = datetime.date


def receipt(amount: str, income: str = "504") -> list[dict[str, str]]:
    return [
        {"account": "102", "side": "debit", "amount": amount},
        {"account": income, "side": "credit", "amount": amount},
    ]


def demo(runtime: object, workdir: Path) -> None:
    """What ``lianzhang demo --no-serve`` writes (``scripts.cli.cmd_demo``), on ``runtime``."""
    from runtime.bootstrap import Runtime
    from scripts.demo import DEMO_PEOPLE, demo_people, load_demo, publish_demo_sheets
    from web.tokens import TokenStore
    from web.users import UserStore

    assert isinstance(runtime, Runtime)
    load_demo(runtime.app, say=lambda _: None)
    demo_people(runtime, workdir / "demo-people.txt")
    runtime.views.catch_up()
    publish_demo_sheets(runtime)
    TokenStore(runtime.engine).create("demo-admin", "admin")
    users = UserStore(runtime.engine)
    for login, _, _ in DEMO_PEOPLE:  # known passwords (fixture only): see the README
        users.set_password(login, f"{login}-wave2")


def extras(runtime: object) -> None:
    """Events of the classes the demo does not write; fixed codes and dates."""
    from documents import publishing
    from projections.tables import entries
    from runtime.bootstrap import Runtime
    from scripts import scenario_a as A
    from scripts.demo import CHECKERS

    assert isinstance(runtime, Runtime)
    app = runtime.app

    # V01: entries over 2026, one reversed, three months closed, a sub-account opened
    for month in range(1, 7):
        for day in (3, 17):
            app.post_entry(
                entity="V01", date=D(2026, month, day), memo=f"租金 {month}-{day}",
                postings=receipt(f"{month * 100 + day}.{day:02d}"), actor=ACTOR,
            )  # fmt: skip
    wrong = app.post_entry(
        entity="V01", date=D(2026, 7, 1), memo="录错", postings=receipt("99.99"), actor=ACTOR
    )
    app.reverse_entry(
        entity="V01", number=wrong.number, date=D(2026, 7, 2), reason="金额录错", actor=ACTOR
    )
    for month in (7, 8):  # enough events for a snapshot of V01's books (every 50 events)
        for day in range(6, 26, 2):
            app.post_entry(
                entity="V01", date=D(2026, month, day), memo=f"零星收入 {month}-{day}",
                postings=receipt(f"{day}.{month:02d}"), actor=ACTOR,
            )  # fmt: skip
    for closed in ("2026-01", "2026-02", "2026-03"):
        app.close_month(entity="V01", month=closed, actor=ACTOR)
    app.open_account(entity="V01", code="50401", name="租金收入", parent="504", actor=ACTOR)

    # J01: a grant, land rent paid and corrected, a capital refund, a dividend corrected
    app.receive_grant(
        joint=A.JOINT, programme="CZFC", amount="5000.00", date=D(2026, 3, 1), memo="补助",
        actor=ACTOR,
    )  # fmt: skip
    rent = app.pay_land_rent(
        joint=A.JOINT, village="V01", mu=Decimal("10"), rate_per_mu="300.00", year=2026,
        date=D(2026, 5, 2), actor=ACTOR,
    )  # fmt: skip
    app.correct_land_rent(
        joint=A.JOINT, entry=rent[0].number, date=D(2026, 5, 5), reason="亩数录错",
        mu=Decimal("12"), rate_per_mu="300.00", year=2026, actor=ACTOR,
    )  # fmt: skip
    app.refund_capital(
        joint=A.JOINT, village="V02", programme=A.PROGRAMME, amount="100.00",
        date=D(2026, 4, 1), reason="退还部分资本", actor=ACTOR,
    )  # fmt: skip
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        declared = (
            conn.execute(
                select(entries.c.number)
                .where(
                    entries.c.entity_code == A.JOINT,
                    entries.c.source == f"agreement:{A.AGREEMENT}",
                )
                .order_by(entries.c.number)
            )
            .scalars()
            .first()
        )  # the declaration is the first entry of the agreement
    assert declared is not None
    app.correct_dividend(
        agreement=A.AGREEMENT, entry=declared, year=2025, amount="187000.00",
        date=D(2026, 4, 2), reason="宣告金额有误", actor=ACTOR,
    )  # fmt: skip

    # a second alliance with a village V04: opening balances set twice, a year closed,
    # reopened and closed again; the village leaves
    app.form_alliance(
        code="A02", name="测试联村党委", township="唐坊镇", county="高青县", model="村企联建",
        formed_on=D(2025, 1, 1), actor=ACTOR,
    )  # fmt: skip
    app.register_village(
        code="V04", name="测试村", township="唐坊镇", county="高青县", population=1000,
        households=300, actor=ACTOR,
    )  # fmt: skip
    for balances in (
        [("102", "debit", "500000.00"), ("301", "credit", "500000.00")],
        [("102", "debit", "5000.00"), ("301", "credit", "5000.00")],
    ):
        app.set_opening_balances(
            entity="V04", as_of=D(2025, 1, 1),
            balances=[{"account": a, "side": s, "amount": m} for a, s, m in balances],
            actor=ACTOR,
        )  # fmt: skip
    app.join_village(alliance="A02", village="V04", joined_on=D(2025, 1, 1), actor=ACTOR)
    for month in (2, 5, 11):
        app.post_entry(
            entity="V04", date=D(2025, month, 1), memo="收入", postings=receipt("250.00"),
            actor=ACTOR,
        )  # fmt: skip
    app.close_year(entity="V04", year=2025, actor=ACTOR)
    app.reopen_year(entity="V04", year=2025, reason="补记一笔", actor=ACTOR)
    app.post_entry(
        entity="V04", date=D(2025, 12, 30), memo="补记", postings=receipt("10.00"), actor=ACTOR
    )
    app.close_year(entity="V04", year=2025, actor=ACTOR)
    app.leave_village(
        alliance="A02", village="V04", left_on=D(2026, 6, 30), reason="合并", actor=ACTOR
    )

    # V03's members: shares adjusted; one leaves and is forgotten
    first, second = (m["number"] for m in A.members()[:2])
    app.adjust_shares(
        village="V03", member=first, shares={"人口股": Decimal("2")}, effective=D(2026, 1, 1),
        reason="新生儿", actor=ACTOR,
    )  # fmt: skip
    app.member_leaves(
        village="V03", member=second, left_on=D(2026, 2, 1), reason="迁出", actor=ACTOR
    )
    app.forget_member(village="V03", member=second, reason="本人申请", actor=ACTOR)

    # plans: one rejected by its vote, one superseding the alliance's plan, executed
    def body(plan: dict) -> dict:  # type: ignore[type-arg]
        return {
            "code": plan["code"], "title": plan["title"], "scope": plan["scope"]["kind"],
            "target": plan["scope"]["code"], "period": plan["period"], "as_of": plan["as_of"],
            "amount": plan["amount"], "rule": plan["rule"],
        }  # fmt: skip

    app.draft_plan(
        **body({**A.ALLIANCE_PLAN_BODY, "code": "P-REJ", "amount": "1000.00"}), actor=ACTOR
    )
    app.record_plan_step(code="P-REJ", actor=ACTOR, **A.ALLIANCE_STEPS[0])
    app.record_plan_step(
        code="P-REJ", actor=ACTOR, **{**A.ALLIANCE_STEPS[1], "votes_for": 6, "votes_against": 7}
    )
    correction = {
        **A.ALLIANCE_PLAN_BODY,
        "code": "P2025-FIX",
        "amount": "180000.00",
        "title": "更正：按资金与人口分配",
        "rule": {
            "deductions": [{"name": "管理费", "percent": "2"}],
            "tiers": [{"kind": "weighted", "weights": {"capital": "50", "population": "50"}}],
        },
    }
    app.draft_plan(**body(correction), supersedes=A.ALLIANCE_PLAN, actor=ACTOR)
    for step in A.ALLIANCE_STEPS:
        app.record_plan_step(
            code="P2025-FIX", actor=ACTOR,
            **{**step, "date": step["date"].replace(year=2026, month=8)},
        )  # fmt: skip
    app.execute_plan(code="P2025-FIX", date=D(2026, 8, 20), actor=ACTOR)

    # people: registered, changed, disabled and enabled again
    app.people.register_person("wangfang", "王芳", "preparer", ["唐坊镇"], "13800001111", ACTOR)
    app.people.change_person(
        "wangfang", role="reviewer", townships=["唐坊镇", "花沟镇"], actor=ACTOR
    )
    app.people.disable_person("wangfang", ACTOR)
    app.people.enable_person("wangfang", ACTOR)

    # vouchers: drafted by the demo's preparer, returned, edited, given a document, approved;
    # another submitted and withdrawn
    lines = [{"account": "102", "debit": "88.00"}, {"account": "50401", "credit": "88.00"}]
    voucher = app.draft_voucher(
        entity="V01", date=D(2026, 8, 3), summary="收款", lines=lines, actor="zhidan"
    )
    app.submit_voucher(draft=voucher.draft, actor="zhidan")
    app.return_voucher(draft=voucher.draft, reason="缺收据", actor="shenhe")
    app.edit_voucher(
        draft=voucher.draft, date=D(2026, 8, 4), summary="收款（补收据）", lines=lines,
        actor="zhidan",
    )  # fmt: skip
    app.attach_document(
        draft=voucher.draft, sha256="ab" * 32, name="收据.jpg", media_type="image/jpeg", size=10,
        actor="zhidan",
    )  # fmt: skip
    app.submit_voucher(draft=voucher.draft, actor="zhidan")
    app.approve_voucher(draft=voucher.draft, actor="shenhe")
    withdrawn = app.draft_voucher(
        entity="V01", date=D(2026, 8, 5), summary="付款", lines=lines, actor="zhidan"
    )
    app.submit_voucher(draft=withdrawn.draft, actor="zhidan")
    app.withdraw_voucher(draft=withdrawn.draft, actor="zhidan")

    # V01's 2026 sheet published, then again as version 2 after a correction; and its first
    # quarter of 2026 again (the demo published version 1 before the entries above)
    runtime.views.catch_up()
    for period, reason in (("2026-Q1", "补记一季度租金"), ("2026", "")):
        publishing.publish_sheet(
            runtime, "V01", period, checked_by=CHECKERS, checked_on=D(2026, 9, 1),
            opinion="经民主理财小组逐笔审核。", reason=reason, actor=ACTOR,
        )  # fmt: skip
    app.post_entry(
        entity="V01",
        date=D(2026, 9, 2),
        memo="补记租金",
        postings=receipt("500.00", "50401"),
        actor=ACTOR,
    )
    runtime.views.catch_up()
    publishing.publish_sheet(
        runtime, "V01", "2026", checked_by=CHECKERS, checked_on=D(2026, 9, 5),
        opinion="经民主理财小组逐笔审核。", reason="补记九月租金", actor=ACTOR,
    )  # fmt: skip
    runtime.views.catch_up()


def fixture_keys(url: str, schema: str | None = None) -> KeyLocations:
    """Where the keys of the store at ``url`` are: as the settings read them (``keys_in``)."""
    from web.settings import Settings

    base = Settings.from_env()
    return dataclasses.replace(base, database_url=url, database_schema=schema).key_locations()


@contextlib.contextmanager
def keys_in(directory: Path) -> Iterator[None]:
    """The fixture's keys, named explicitly (as the test does) for every store made here."""
    saved = {k: os.environ.get(k) for k in ("LIANZHANG_SIGNING_KEY", "LIANZHANG_DATA_KEY")}
    os.environ["LIANZHANG_SIGNING_KEY"] = str(directory / SIGNING_KEY)
    os.environ["LIANZHANG_DATA_KEY"] = str(directory / DATA_KEY)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def state_tables() -> list[Table]:
    """Every table this version creates besides the event table, in dependency order."""
    from adapters.attachments import attachments
    from adapters.vault import person_keys
    from audit.chain_table import signed_chain
    from projections.people_view import people
    from projections.tables import tracking
    from projections.voucher_view import vouchers
    from web.idempotency import idempotency_responses
    from web.tokens import api_tokens
    from web.users import credentials, sessions

    importlib.import_module("projections.registry")  # every registered read model's tables
    found: dict[str, Table] = {}
    anchors = [tracking, signed_chain, people, person_keys, credentials, sessions, api_tokens]
    anchors += [idempotency_responses, attachments, vouchers]
    for metadata in {id(t.metadata): t.metadata for t in anchors}.values():
        assert isinstance(metadata, MetaData)
        for table in metadata.sorted_tables:
            found.setdefault(table.name, table)
    return list(found.values())


def _tables(runtime: Any) -> tuple[str, str]:
    """The names of a store's event and snapshot tables."""
    app = runtime.app
    return app.recorder.events_table_name, app.snapshots.recorder.events_table_name


def copy_to_postgres(sqlite_url: str, postgres_url: str, schema: str) -> None:
    """The SQLite store, row for row, into ``schema`` (tables made by this version's code)."""
    from adapters.database import sqlite_path
    from runtime.bootstrap import Runtime

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    target = Runtime(
        postgres_url, schema=schema, today=lambda: TODAY, keys=fixture_keys(postgres_url, schema)
    )
    source = Runtime(sqlite_url, today=lambda: TODAY, keys=fixture_keys(sqlite_url))
    try:
        events_table, snapshots_table = _tables(target)
        lite_events, lite_snapshots = _tables(source)
        with sqlite3.connect(sqlite_path(sqlite_url)) as db:
            present = {
                r[0]
                for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not r[0].startswith("sqlite_")
            }
            # the tables the SQLite store has (some are made only when first used), made on
            # PostgreSQL by this version's code
            tables = [t for t in state_tables() if t.name in present]
            for table in tables:
                table.create(target.engine, checkfirst=True)
            missing = present - {t.name for t in tables}
            missing -= {lite_events, lite_snapshots}
            assert not missing, f"tables not copied: {sorted(missing)}"
            events = db.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {lite_events} ORDER BY rowid"
            ).fetchall()
            snapshots = db.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {lite_snapshots}"
            ).fetchall()
        assert snapshots, "the store should hold a snapshot"
        with target.engine.begin() as pg:
            for table in reversed(tables):
                pg.execute(table.delete())
            pg.execute(text(f'DELETE FROM "{events_table}"'))
            pg.execute(
                text(
                    f'INSERT INTO "{events_table}" (notification_id, originator_id, '
                    "originator_version, topic, state) VALUES (:n, :o, :v, :t, :s)"
                ),
                [{"n": n, "o": o, "v": v, "t": t, "s": bytes(s)} for n, o, v, t, s in events],
            )
            pg.execute(text(f'DELETE FROM "{snapshots_table}"'))
            pg.execute(
                text(
                    f'INSERT INTO "{snapshots_table}" (originator_id, originator_version, '
                    "topic, state) VALUES (:o, :v, :t, :s)"
                ),
                [{"o": o, "v": v, "t": t, "s": bytes(s)} for o, v, t, s in snapshots],
            )
            pg.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{events_table}\"', "
                    f"'notification_id'), {events[-1][0]})"
                )
            )
            with source.engine.connect() as lite:
                for table in tables:
                    rows = [dict(r._mapping) for r in lite.execute(select(table))]
                    if rows:
                        pg.execute(table.insert(), rows)
    finally:
        source.close()
        target.close()


def dump(postgres_url: str, schema: str) -> bytes:
    """``pg_dump`` of the schema: plain SQL, INSERT statements, no owners or grants."""
    done = subprocess.run(
        ["pg_dump", "--dbname", postgres_url, "--schema", schema, "--no-owner",
         "--no-privileges", "--inserts", "--rows-per-insert", "200"],
        check=True, capture_output=True,
    )  # fmt: skip
    return done.stdout


def household_codes(sqlite_url: str) -> dict[str, str]:
    """The short codes on V03's household notices (made with the signing key)."""
    from projections.household_lookup import household_code
    from runtime.bootstrap import Runtime

    runtime = Runtime(sqlite_url, today=lambda: TODAY, keys=fixture_keys(sqlite_url))
    try:
        return {n: household_code(runtime.signer, "V03", n) for n in ("H01", "H05")}
    finally:
        runtime.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "wave2")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--golden-only",
        action="store_true",
        help="record the golden outputs again from the fixture already in --out (only at the "
        "commit that made the fixture: the golden files are what that version answered)",
    )
    args = parser.parse_args(argv)
    if args.golden_only:
        return record_golden(args.out, args.postgres_url)

    from runtime.bootstrap import Runtime
    from scripts import cli
    from tests.integration import wave2_outputs as W

    out: Path = args.out
    with tempfile.TemporaryDirectory(prefix="lz-fixture-") as scratch:
        work = Path(scratch)
        sqlite_url = f"sqlite:///{work / SQLITE_FILE}"
        with keys_in(work):
            assert cli.main(["--database-url", sqlite_url, "init"]) == 0
            runtime = Runtime(sqlite_url, today=lambda: TODAY, keys=fixture_keys(sqlite_url))
            try:
                demo(runtime, work)
                extras(runtime)
                print(f"{runtime.views.head()} events")
            finally:
                runtime.close()
            with contextlib.closing(sqlite3.connect(work / SQLITE_FILE)) as db:
                db.execute("VACUUM")
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            codes = household_codes(sqlite_url)
            copy_to_postgres(sqlite_url, args.postgres_url, SCHEMA)
        out.mkdir(parents=True, exist_ok=True)
        gzipped = gzip.compress((work / SQLITE_FILE).read_bytes(), mtime=0)
        (out / W.SQLITE_DUMP).write_bytes(gzipped)
        (out / W.POSTGRES_DUMP).write_bytes(gzip.compress(dump(args.postgres_url, SCHEMA), mtime=0))
        shutil.copyfile(work / SIGNING_KEY, out / W.SIGNING_KEY)
        shutil.copyfile(work / DATA_KEY, out / W.DATA_KEY)
        (out / W.HOUSEHOLD_CODES).write_text(json.dumps(codes, indent=2) + "\n")
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')

    return record_golden(out, args.postgres_url)


def record_golden(out: Path, postgres_url: str) -> int:
    """The golden outputs, from the fixture's files as the test reads them, on both stores;
    the same after a rebuild."""
    from tests.integration import wave2_outputs as W

    found = {}
    for store in ("sqlite", "postgres"):
        with W.restored(out, store, postgres_url) as (url, schema, env):
            found[store], again = W.outputs(url, schema, env, out)
        for name, data in again.items():
            if found[store][name] != data:
                print(f"{store}: {name} differs after a rebuild", file=sys.stderr)
                return 1
    golden = out / "golden"
    if golden.exists():
        shutil.rmtree(golden)
    assert found["sqlite"].keys() == found["postgres"].keys()
    for name, data in found["sqlite"].items():
        if data == found["postgres"][name]:
            W.write(golden / name, data)
        else:  # the store's own form of a moment (SQLite: no zone; PostgreSQL: Z)
            for store in ("sqlite", "postgres"):
                W.write(golden / W.BY_STORE / store / name, found[store][name])
    print(f"wrote {out} and {len(found['sqlite'])} golden files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
