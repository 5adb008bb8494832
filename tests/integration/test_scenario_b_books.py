"""Issue 21's done-when, on both stores, through the runtime (the one runner with the
capabilities' commands, as every front end writes): the cattle barn XM2025-NC of 黑牛养殖联合社
from its budget to its completion, twelve months of depreciation, its rent, its 2025 result
distributed by ownership shares; every book (J01, V01, V02, V03) exact to the fen against the
hand computation below, the statements, tables and sheets that print it, and ``verify`` clean
(the sheets published on the way re-derived from a replay).

The refusals the issue names, each with nothing written, are pinned at application level and
not repeated here: a cost beyond the grant's free balance and a project not approved
(tests/application/test_projects.py), depreciation into a closed month, a disposal of a disposed
asset, shares not adding up to the whole (tests/application/test_assets.py and test_projects.py).

Hand computation (Scenario B, docs/scenario-b.md):

- J01 receives capital 270,000.00 (V01) + 150,000.00 (V02) + 180,000.00 (V03) = 600,000.00 and
  the grant 300,000.00; pays 350,000.00 + 420,000.00 + 130,000.00 = 900,000.00 on 153XM2025NC;
  completion 2025-08-31: 151 900,000.00, 241XM2025NC → 311 300,000.00;
- depreciation 900,000.00 × 95% / 240 = 3,562.50 a month: 2025 (Sep–Dec) 14,250.00, 2026 (Jan–Aug)
  28,500.00, twelve months 42,750.00; net 857,250.00;
- rent 8,000.00 × 4 = 32,000.00 in 2025; result 32,000.00 − 14,250.00 = 17,750.00, paid by
  ownership 45% / 25% / 30%: V01 7,987.50, V02 4,437.50, V03 5,325.00;
- J01's bank: 600,000 + 300,000 − 900,000 + 32,000 − 17,750 = 14,250.00;
- each village's bank: 500,000.00 opening − its capital + its share: V01 237,987.50,
  V02 354,437.50, V03 325,325.00.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from audit.asset_reconcile import verify_books
from audit.exports import export_events, export_journals
from audit.verify import verify
from documents.asset_sheet import asset_parts
from documents.asset_tables import asset_list, construction_table, depreciation_schedule
from documents.publishing import publish_sheet
from documents.statements import statement
from domain.periods import parse_period
from runtime.bootstrap import Runtime
from tests.application.scenario_b import JOINT, MONTHS_2025, MONTHS_2026, Story
from tests.e2e.test_audit import journal_balances_beancount, journal_balances_hledger

VERIFIER = Path(__file__).resolve().parents[2] / "scripts" / "verify_export"

D = datetime.date

BOOKS: dict[str, dict[str, str]] = {  # every balance at 2026-08-31, debit positive
    "J01": {
        "102": "14250.00",
        "151": "900000.00",
        "152": "-42750.00",
        "301V01": "-270000.00",
        "301V02": "-150000.00",
        "301V03": "-180000.00",
        "311": "-300000.00",
        "32201": "17750.00",
        "501": "-32000.00",
        "511": "42750.00",
    },
    "V01": {"102": "237987.50", "141J01": "270000.00", "301": "-500000.00", "502": "-7987.50"},
    "V02": {"102": "354437.50", "141J01": "150000.00", "301": "-500000.00", "502": "-4437.50"},
    "V03": {"102": "325325.00", "141J01": "180000.00", "301": "-500000.00", "502": "-5325.00"},
}
SHARES = {"V01": ("0.45", "7987.50"), "V02": ("0.25", "4437.50"), "V03": ("0.3", "5325.00")}


def balances(runtime: Runtime, code: str) -> dict[str, str]:
    books = runtime.app.get_books(code)
    return {
        a: str(books.balance(a).amount) for a in sorted(books.balances) if books.balance(a).amount
    }


def lines(form: list[dict[str, Any]]) -> dict[str, str]:
    return {r["line"]: r["amount"] for r in form if "amount" in r}


@pytest.mark.one_store  # the barn's figures on every book, not storage
def test_the_barn_from_budget_to_distribution_on_every_book(runtime: Runtime) -> None:
    story = Story(runtime.app)
    story.until_completion()
    story.lease()
    for month in MONTHS_2025:
        story.month(month)
    plan = story.distribute()
    for month in MONTHS_2026:
        story.month(month, rent=False)
    assert plan is not None

    for code, expected in BOOKS.items():
        assert balances(runtime, code) == expected, code

    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        # the balance sheet's asset lines from the books, checked against the card
        sheet = statement(conn, JOINT, "balance-sheet", parse_period("2025"))
        assert {
            k: v
            for k, v in lines(sheet["form"]["assets"]).items()
            if k in ("固定资产原值", "减：累计折旧", "固定资产净值", "在建工程", "资产总计")
        } == {
            "固定资产原值": "900000.00",
            "减：累计折旧": "14250.00",
            "固定资产净值": "885750.00",
            "在建工程": "0.00",
            "资产总计": "917750.00",  # 885,750.00 + 32,000.00 in the bank
        }
        assert [
            (r["account"], r["books"], r["cards"], r["holds"]) for r in sheet["asset_check"]
        ] == [
            ("151", "900000.00", "900000.00", True),
            ("152", "14250.00", "14250.00", True),
            ("153", "0.00", "0.00", True),
        ]
        assert "asset_check" not in statement(conn, "V01", "balance-sheet", parse_period("2025"))

        # 固定资产折旧表: four months of 2025, then the twelve to 2026-08
        schedule = depreciation_schedule(conn, JOINT, parse_period("2025"))
        (card,) = schedule["cards"]
        assert (card["depreciation"], card["accumulated"], card["net"]) == (
            "14250.00",
            "14250.00",
            "885750.00",
        )
        # each owner's part as each month recorded it: 4 × 1,603.13 / 890.62 / 1,068.75
        assert [(o["owner"], o["amount"]) for o in card["owners"]] == [
            ("V01", "6412.52"),
            ("V02", "3562.48"),
            ("V03", "4275.00"),
        ]
        assert all(c["holds"] for c in schedule["checks"])
        year = depreciation_schedule(conn, JOINT, parse_period("2026"))["totals"]
        assert (year["accumulated_before"], year["depreciation"], year["accumulated"]) == (
            "14250.00",
            "28500.00",
            "42750.00",
        )

        # 在建工程 by project: 2025-Q2 under construction, 2025 completed
        building = construction_table(conn, JOINT, parse_period("2025-Q2"))
        (project,) = building["projects"]
        assert (project["state_zh"], project["cost_to_date"], project["balance"]) == (
            "在建",
            "770000.00",
            "770000.00",
        )
        assert [i["cost_to_date"] for i in project["items"]] == ["770000.00", "0.00"]
        assert [f.get("used") for f in project["funding"]] == [None, None, None, "300000.00"]
        assert all(c["holds"] for c in building["checks"])
        done = construction_table(conn, JOINT, parse_period("2025"))["projects"][0]
        assert (done["state_zh"], done["transferred"], done["balance"]) == (
            "已竣工",
            "900000.00",
            "0.00",
        )

        # the asset list: added in 2025, held through 2026
        listed = asset_list(conn, JOINT, parse_period("2025"))
        assert listed["categories"] == [
            {
                "category_zh": "固定资产",
                "start": "0.00",
                "added": "900000.00",
                "disposed": "0.00",
                "end": "900000.00",
                "accumulated": "14250.00",
                "net": "885750.00",
            }
        ]
        assert listed["cards"][0]["rent"] == "32000.00"

        # 三公开: the joint entity's projects with each village's share; each village's own
        parts = asset_parts(conn, JOINT, parse_period("2025"))
        (joint_project,) = parts["projects"]
        assert [
            (v["code"], v["invested"], v["share"], v["result"]) for v in joint_project["villages"]
        ] == [
            ("V01", "270000.00", "0.45", "7987.50"),
            ("V02", "150000.00", "0.25", "4437.50"),
            ("V03", "180000.00", "0.3", "5325.00"),
        ]
        for village, (share, result) in SHARES.items():
            (mine,) = asset_parts(conn, village, parse_period("2025"))["project_shares"]
            assert (mine["mine"]["share"], mine["mine"]["result"]) == (share, result)

    # published sheets carry the parts, and verify re-derives them from a replay
    for code in (JOINT, "V01"):
        publish_sheet(
            runtime,
            code,
            "2025",
            checked_by=["王建华"],
            checked_on=D(2026, 1, 6),
            opinion="",
            reason="",
            actor="tester",
        )
    report = verify(runtime)
    assert report["ok"], report["problems"]


@pytest.mark.one_store  # the journal formats and the verifier's reading of the log, not storage
def test_the_exports_carry_the_barn_and_the_verifier_reconciles_it(
    runtime: Runtime, tmp_path: Path
) -> None:
    """hledger and Beancount accept J01's journal with the 三资 entries tagged and agree with the
    books; the stand-alone verifier finds what ``verify`` finds, first clean, then a 151 posted
    by a voucher beside the card."""
    story = Story(runtime.app)
    story.until_completion()
    story.lease()
    for month in MONTHS_2025:
        story.month(month)
    runtime.views.catch_up()
    export_journals(runtime, tmp_path / "hl", "hledger")
    export_journals(runtime, tmp_path / "bc", "beancount")
    journal = tmp_path / "hl" / "J01.journal"
    expected = {a: f"{Decimal(v):.2f}" for a, v in balances(runtime, JOINT).items()}
    assert journal_balances_hledger(journal) == expected
    assert journal_balances_beancount(tmp_path / "bc" / "J01.beancount") == expected
    tagged = subprocess.run(
        ["hledger", "-f", str(journal), "balance", "--flat", "tag:project=XM2025-NC", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # the project's costs, completion and rent: 151 900,000.00, 311 −300,000.00, 501 −32,000.00
    assert '"Assets:C151","900000.00 CNY"' in tagged.replace(",000", "000")
    assert "; depreciation:2025-12" in journal.read_text(encoding="utf-8")

    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(export_events(runtime)))
    assert _verifier(log) == [] == _books(runtime)

    runtime.app.pooling.record_cash(
        entity=JOINT,
        direction="payment",
        account="151",
        amount="1000.00",
        date=D(2026, 2, 3),
        memo="购入电脑（未建卡）",
        actor="tester",
    )
    runtime.views.catch_up()
    log.write_bytes(b"".join(export_events(runtime)))
    found = _verifier(log)
    assert found == _books(runtime)
    assert (found[0]["pair"], found[0]["figure"], found[0]["counterpart"]["figure"]) == (
        "asset-original",
        "901000.00",
        "900000.00",
    )
    assert verify(runtime)["problems"][0]["pair"] == "asset-original"


def _verifier(log: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, str(VERIFIER), str(log), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    pairs: list[dict[str, Any]] = json.loads(result.stdout)["pairs"]
    return pairs


def _books(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.engine.connect() as conn:
        return verify_books(conn)
