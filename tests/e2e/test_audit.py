"""Auditor replay and integrity on SQLite and PostgreSQL: the hash chain, tampering found and
located, as-of statements, export and import, the stand-alone verifier, Beancount and hledger."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from audit import chain
from audit.exports import ExportError, export_events, export_journals, import_events
from audit.verify import table_rows, verify
from projections.tables import account_months, plan_lines, sheets
from runtime.bootstrap import Runtime
from scripts import scenario_a as A
from tests.e2e.conftest import Api
from tests.e2e.test_disclosure import publish
from tests.e2e.test_scenario_a import get, post

VERIFIER = Path(__file__).parents[2] / "scripts" / "verify_export"


def events_table(runtime: Runtime) -> str:
    if runtime.engine.dialect.name == "sqlite":
        return "stored_events"
    return "lianzhang_events"


def id_column(runtime: Runtime) -> str:
    return "rowid" if runtime.engine.dialect.name == "sqlite" else "notification_id"


def stored(engine: Engine, runtime: Runtime, position: int) -> bytes:
    with engine.connect() as conn:
        value = conn.execute(
            text(f"SELECT state FROM {events_table(runtime)} WHERE {id_column(runtime)} = :p"),
            {"p": position},
        ).scalar_one()
    return bytes(value)


def set_state(runtime: Runtime, position: int, state: bytes) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(
            text(f"UPDATE {events_table(runtime)} SET state = :s WHERE {id_column(runtime)} = :p"),
            {"s": state, "p": position},
        )


def position_of(runtime: Runtime, needle: str) -> int:
    """The first position whose stored state contains ``needle``."""
    for line in export_events(runtime):
        record = json.loads(line)
        if needle in json.dumps(record["state"], ensure_ascii=False):
            return int(record["position"])
    raise AssertionError(needle)


@pytest.fixture
def audited(scenario_a_api: Api) -> Api:
    api = scenario_a_api
    assert publish(api, "V03", "2026-Q1").status_code == 201
    return api


def test_the_untouched_log_verifies(audited: Api) -> None:
    report = get(audited, "/v1/audit/verify")
    assert report["ok"] is True, json.dumps(report["problems"], ensure_ascii=False)
    assert report["head"] == get(audited, "/v1/audit/fingerprint")
    sheet = get(audited, "/v1/villages/V03/disclosures")[0]
    page = audited.client.get(sheet["urls"]["html"]).text
    from documents.publishing import published

    found = published(audited.runtime, "V03", "2026-Q1")
    assert found is not None
    ledger = found["content"]["ledger"]
    assert ledger["position"] == report["head"]["position"] - 2  # before Opened, Published
    assert f"<strong>{ledger['fingerprint'][:12]}</strong>" in page  # short form
    assert ledger["fingerprint"] in page and "账本指纹" in page  # and the full hash
    plan_page = audited.client.get(f"/public/plans/{A.HOUSEHOLD_PLAN}").text
    assert report["head"]["fingerprint"] in plan_page  # statements pin the log they came from


@pytest.mark.one_store  # on both stores in tests/e2e/test_tamper.py
def test_an_altered_event_is_found_at_its_position(audited: Api) -> None:
    runtime = audited.runtime
    position = position_of(runtime, "宣告2025年度分红")
    state = stored(runtime.engine, runtime, position)
    set_state(runtime, position, state.replace(b"186000.00", b"186001.00"))
    report = verify(runtime)
    assert report["ok"] is False
    assert report["problems"][0]["check"] == "chain"
    assert report["problems"][0]["position"] == position


@pytest.mark.one_store  # on both stores in tests/e2e/test_tamper.py
def test_a_deleted_event_is_found(audited: Api) -> None:
    runtime = audited.runtime
    position = position_of(runtime, "收到NLD2025年度分红")
    with runtime.engine.begin() as conn:
        conn.execute(
            text(f"DELETE FROM {events_table(runtime)} WHERE {id_column(runtime)} = :p"),
            {"p": position},
        )
    problems = verify(runtime)["problems"]
    assert problems[0]["check"] == "chain"
    assert problems[0]["position"] > position - 1  # the next event no longer chains after it
    assert "position" in problems[0]["detail"]


@pytest.mark.one_store  # on both stores in tests/e2e/test_tamper.py
def test_two_events_swapped_are_found(audited: Api) -> None:
    runtime = audited.runtime
    first = position_of(runtime, "宣告2025年度分红")
    second = position_of(runtime, "收到NLD2025年度分红")
    a, b = stored(runtime.engine, runtime, first), stored(runtime.engine, runtime, second)
    set_state(runtime, first, b)
    set_state(runtime, second, a)
    problems = verify(runtime)["problems"]
    assert (problems[0]["check"], problems[0]["position"]) == ("chain", first)


def test_an_edited_read_model_row_is_found(audited: Api) -> None:
    runtime = audited.runtime
    with runtime.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE lz_account_months SET credit_fen = credit_fen + 1 "
                "WHERE entity_code = 'V03' AND account = '502'"
            )
        )
    problems = verify(runtime)["problems"]
    assert problems[0]["check"] == "read-model"
    assert problems[0]["table"] == "lz_account_months"
    assert problems[0]["row"][:2] == ["V03", "502"]


@pytest.mark.one_store  # the edited read-model row below is the storage case
def test_a_tampered_sheet_is_found(audited: Api) -> None:
    runtime = audited.runtime
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE lz_sheets SET digest = :d"), {"d": "0" * 64})
    problems = verify(runtime)["problems"]
    assert problems[0]["check"] in ("read-model", "sheet")
    assert "lz_sheets" in json.dumps(problems) or "V03 2026-Q1" in json.dumps(problems)


def test_statements_as_of_a_past_position_and_date(audited: Api) -> None:
    api = audited
    before = get(api, "/v1/entities/V03/statements/income", period="2026")
    position = get(api, "/v1/audit/fingerprint")["position"]
    moment = datetime.datetime.now(datetime.UTC).isoformat()
    post(
        api,
        "/v1/entities/V03/receipts",
        {"date": "2026-02-01", "amount": "800.00", "account": "504", "memo": "废品变卖收入"},
    )
    now = get(api, "/v1/entities/V03/statements/income", period="2026")
    assert now != before
    then = get(
        api, "/v1/entities/V03/statements/income", period="2026", as_of_position=str(position)
    )
    assert {k: v for k, v in then.items() if k != "as_of"} == before
    assert then["as_of"]["position"] == position
    by_date = get(api, "/v1/entities/V03/statements/trial-balance", period="2026", as_of=moment)
    assert by_date["as_of"]["position"] == position
    assert (
        by_date["totals"]["credit"]
        == get(
            api,
            "/v1/entities/V03/statements/trial-balance",
            period="2026",
            as_of_position=str(position),
        )["totals"]["credit"]
    )


def test_audit_trail(audited: Api) -> None:
    rows = get(audited, "/v1/audit/trail", entity="V03")
    commands = [r["command"] for r in rows]
    assert "EntryPosted" in commands and "Registered" in commands
    posted = next(r for r in rows if r["command"] == "EntryPosted")
    assert posted["actor"] == "clerk-tangfang" and posted["aggregate_code"] == "V03"
    plan_rows = get(audited, "/v1/audit/trail", entity="V03", **{"from": "2000-01-01"})
    assert {r["aggregate_kind"] for r in plan_rows} >= {"village", "plan", "member-register"}
    assert get(audited, "/v1/audit/trail", entity="V03", **{"to": "2000-01-01"}) == []


def trial_balances(api: Api) -> dict[str, dict[str, str]]:
    out = {}
    for code in ("V01", "V02", "V03", A.JOINT):
        tb = get(api, f"/v1/entities/{code}/trial-balance", month="2026-12", cumulative="true")
        out[code] = {
            line["account"]: str(Decimal(line["closing_debit"]) - Decimal(line["closing_credit"]))
            for line in tb["lines"]
            if line["closing_debit"] != line["closing_credit"]
        }
    return out


def test_export_import_and_the_stand_alone_verifier(audited: Api, tmp_path: Path) -> None:
    runtime = audited.runtime
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(export_events(runtime)))
    result = subprocess.run(
        [sys.executable, str(VERIFIER), str(log), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["fingerprint"] == get(audited, "/v1/audit/fingerprint")["fingerprint"]
    ours = trial_balances(audited)
    assert {
        code: {a: f"{Decimal(v):.2f}" for a, v in accounts.items()}
        for code, accounts in ours.items()
    } == report["balances"]

    restored = Runtime(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        trusted = [runtime.signer.public]  # the source server's key (an auditor has it)
        assert import_events(restored, log.open("rb"), trusted) == runtime.views.head()
        report = verify(restored)
        assert report["ok"] is True, report.get("problems", report)
        with runtime.engine.connect() as a, restored.engine.connect() as b:
            source = chain.head(a)
            # the exported chain as it was; a store with another key then hands over to it in
            # one more event (a restore, audit/restore.py)
            at = b.execute(
                text("SELECT hash FROM lz_signed_chain WHERE position = :p"),
                {"p": source["position"]},
            ).scalar_one()
            assert at == source["fingerprint"]
        for table in (sheets, account_months, plan_lines):
            assert table_rows(runtime.engine, table) == table_rows(restored.engine, table)
        with pytest.raises(ExportError, match="import into an empty one"):
            import_events(restored, log.open("rb"), trusted)
    finally:
        restored.close()

    lines = log.read_bytes().splitlines(keepends=True)
    tampered_at = next(i for i, line in enumerate(lines) if "宣告2025年度分红".encode() in line)
    lines[tampered_at] = lines[tampered_at].replace(b"186000.00", b"186001.00")
    (tmp_path / "bad.jsonl").write_bytes(b"".join(lines))
    broken = subprocess.run(
        [sys.executable, str(VERIFIER), str(tmp_path / "bad.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode == 1
    assert f"bad.jsonl:{tampered_at + 1}" in broken.stdout


def journal_balances_hledger(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["hledger", "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    balances = {}
    for line in out.splitlines()[1:]:
        account, amount = [part.strip('"') for part in line.split('","')]
        balances[account.split(":C", 1)[1]] = amount.replace(" CNY", "").replace(",", "")
    return balances


def journal_balances_beancount(path: Path) -> dict[str, str]:
    from beancount import loader
    from beancount.core import realization

    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    real = realization.realize(entries)
    balances = {}
    for account in realization.iter_children(real):
        position = account.balance.get_currency_units("CNY")
        if position.number and ":C" in account.account:
            balances[account.account.split(":C", 1)[1]] = f"{position.number:.2f}"
    return balances


@pytest.mark.one_store  # the journal format, not storage
def test_beancount_and_hledger_accept_the_books_and_agree(audited: Api, tmp_path: Path) -> None:
    assert shutil.which("hledger"), "hledger (Debian package) is needed"
    bean_check = Path(sys.executable).with_name("bean-check")
    export_journals(audited.runtime, tmp_path / "bc", "beancount")
    export_journals(audited.runtime, tmp_path / "hl", "hledger")
    ours = trial_balances(audited)
    for code, accounts in ours.items():
        expected = {a: f"{Decimal(v):.2f}" for a, v in accounts.items()}
        checked = subprocess.run(
            [str(bean_check), str(tmp_path / "bc" / f"{code}.beancount")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert journal_balances_beancount(tmp_path / "bc" / f"{code}.beancount") == expected
        assert journal_balances_hledger(tmp_path / "hl" / f"{code}.journal") == expected


def test_cli_verify_export_import(
    database: tuple[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scripts.demo import load_demo, publish_demo_sheets
    from tests.e2e.command import lianzhang

    # the demo's store is written in this process (``lianzhang demo`` itself is run by
    # tests/e2e/test_cli.py); in the directory the commands run in, where PostgreSQL's keys
    # are (var/), so the commands below find the keys the store was written with
    monkeypatch.chdir(tmp_path)
    runtime = Runtime(database[0], schema=database[1])
    try:
        load_demo(runtime.app, say=lambda _: None)
        publish_demo_sheets(runtime)
    finally:
        runtime.close()
    ok = lianzhang(database, tmp_path, "verify")
    assert ok.stdout.startswith("verified:")
    lianzhang(database, tmp_path, "export", "events", "-o", str(tmp_path / "log.jsonl"))
    lianzhang(database, tmp_path, "export", "beancount", "-o", str(tmp_path / "bc"))
    assert sorted(p.name for p in (tmp_path / "bc").iterdir()) == [
        "J01.beancount",
        "V01.beancount",
        "V02.beancount",
        "V03.beancount",
    ]
    public = lianzhang(database, tmp_path, "checkpoint", "--public-key").stdout.strip()
    other = (f"sqlite:///{tmp_path / 'restored.sqlite3'}", None)
    keyless = lianzhang(other, tmp_path, "import", str(tmp_path / "log.jsonl"), check=False)
    assert keyless.returncode == 2 and "checkpoint --public-key" in keyless.stderr
    log = str(tmp_path / "log.jsonl")
    restored = lianzhang(other, tmp_path, "import", log, "--public-key", public)
    assert restored.stdout.startswith("imported ")
    assert lianzhang(other, tmp_path, "verify").returncode == 0
    again = lianzhang(other, tmp_path, "import", log, "--public-key", public, check=False)
    assert again.returncode == 2 and "empty" in again.stderr
