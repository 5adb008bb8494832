"""年终结转 postings: what they move, for any balances (property) and one case by hand."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.books import VillageCollective
from domain.books.closing import closing_postings
from domain.errors import ClosedPeriodError, ConflictError, InvalidRequestError
from domain.plan.service import plan_account_names
from ledger.money import to_fen
from tests.builders import OPENING, posting

ACCOUNTS = ["501", "502", "50401", "511", "513", "521", "321", "32201", "32202", "322", "102"]


def _apply(balances: dict[str, int], entries: list[tuple[str, list[dict[str, object]]]]) -> None:
    for _, postings in entries:
        debit = sum(to_fen(p["amount"]) for p in postings if p["side"] == "debit")  # type: ignore[arg-type]
        credit = sum(to_fen(p["amount"]) for p in postings if p["side"] == "credit")  # type: ignore[arg-type]
        assert debit == credit and len(postings) >= 2
        for p in postings:
            fen = to_fen(p["amount"])  # type: ignore[arg-type]
            assert fen > 0
            balances[str(p["account"])] = balances.get(str(p["account"]), 0) + (
                fen if p["side"] == "debit" else -fen
            )


@given(st.dictionaries(st.sampled_from(ACCOUNTS), st.integers(-(10**9), 10**9)))
def test_closing_empties_income_321_and_32201_into_32202(before: dict[str, int]) -> None:
    entries = closing_postings(before)
    after = dict(before)
    _apply(after, entries)
    for code, fen in after.items():
        if code.startswith(("5", "321", "32201")):
            assert fen == 0, code
    undistributed = sum(f for c, f in before.items() if c.startswith(("5", "321", "322")))
    assert after.get("32202", 0) + after.get("322", 0) == undistributed
    assert after.get("102", 0) == before.get("102", 0)
    assert len(entries) <= 3


def test_closing_by_hand() -> None:
    entries = closing_postings(
        {"501": -1_000_000, "513": 200_000, "32201": 300_000, "102": 500_000}
    )
    assert [
        (memo, [(p["account"], p["side"], str(p["amount"].amount)) for p in postings])  # type: ignore[union-attr]
        for memo, postings in entries
    ] == [
        (
            "结转本年收益",
            [
                ("501", "debit", "10000.00"),
                ("513", "credit", "2000.00"),
                ("321", "credit", "8000.00"),
            ],
        ),
        ("结转本年收益至未分配收益", [("321", "debit", "8000.00"), ("32202", "credit", "8000.00")]),
        (
            "结转各项分配至未分配收益",
            [("32201", "credit", "3000.00"), ("32202", "debit", "3000.00")],
        ),
    ]


def _village() -> VillageCollective:
    village = VillageCollective(
        code="V01",
        name="仉家村",
        township="唐坊镇",
        county="高青县",
        population=1,
        households=1,
        flags=[],
        actor="a",
    )
    village.set_opening_balances(
        as_of=OPENING,
        balances=[posting("102", "debit", "100.00"), posting("301", "credit", "100.00")],
        actor="a",
    )
    return village


def test_a_closed_year_takes_no_entry_and_its_closing_is_not_reversed_alone() -> None:
    village = _village()
    income = village.post_entry(
        date=datetime.date(2025, 5, 1),
        memo="租金",
        postings=[posting("102", "debit", "50.00"), posting("501", "credit", "50.00")],
        actor="a",
    )
    closing, carried = village.post_closing(
        year=2025, before={"102": 15_000, "301": -10_000, "501": -5_000}, actor="a"
    )
    assert [e.number for e in closing] == ["2025-0002", "2025-0003"]
    assert all(e.date == datetime.date(2025, 12, 31) for e in closing)
    assert carried == {"102": 15_000, "301": -10_000, "32202": -5_000}
    assert village.years_closed == {"2025": ["2025-0002", "2025-0003"]}
    with pytest.raises(ClosedPeriodError, match="year 2025 of V01 is closed by 年终结转"):
        village.post_entry(
            date=datetime.date(2025, 12, 1),
            memo="x",
            postings=[posting("102", "debit", "1.00"), posting("501", "credit", "1.00")],
            actor="a",
        )
    with pytest.raises(ConflictError, match="undone only by reopening the year"):
        village.reverse_entry(
            original=closing[0], date=datetime.date(2026, 1, 5), reason="错", actor="a"
        )
    with pytest.raises(ClosedPeriodError):  # nor an ordinary entry of the closed year
        village.reverse_entry(
            original=income, date=datetime.date(2025, 12, 1), reason="错", actor="a"
        )
    reversals = village.reverse_closing(year=2025, originals=closing, reason="漏记", actor="a")
    assert [r.reverses for r in reversals] == ["2025-0003", "2025-0002"]
    assert village.years_closed == {}
    assert village.balance("501").amount == -50  # back where it was before the closing


def test_sub_accounts_are_opened_once_under_a_chart_account() -> None:
    village = _village()
    village.open_account(code="211V02", name="应付款-和店村", parent="211", actor="a")
    for code, name, parent, error, says in [
        ("211V02", "应付款-别的", "211", ConflictError, "already open"),
        ("211V03", "应付款-和店村", "211", ConflictError, "already named"),
        ("999X", "x", "999", InvalidRequestError, "not one of the 42 accounts"),
        ("21101", "x", "212", InvalidRequestError, "does not extend its parent"),
        ("211-1", "x", "211", InvalidRequestError, "only ASCII letters or digits"),
        ("32101", "x", "321", InvalidRequestError, "takes no sub-accounts"),
        ("32203", "x", "322", InvalidRequestError, "32201 各项分配 and 32202 未分配收益"),
        ("211V04", " ", "211", InvalidRequestError, "needs a name"),
    ]:
        with pytest.raises(error, match=says):
            village.open_account(code=code, name=name, parent=parent, actor="a")
    assert village.open_accounts == {
        "211V02": "应付款-和店村",
        "32201": "各项分配",
        "32202": "未分配收益",
    }


def test_an_operation_opens_what_it_posts_to_and_a_clerk_does_not() -> None:
    village = _village()
    rows = [posting("513", "debit", "5.00"), posting("211H07", "credit", "5.00")]
    for source in (None, "payment"):
        with pytest.raises(InvalidRequestError, match="account 211H07 is not open"):
            village.post_entry(
                date=datetime.date(2025, 2, 1), memo="x", postings=rows, actor="a", source=source
            )
    assert "211H07" not in village.open_accounts
    village.post_entry(
        date=datetime.date(2025, 2, 1), memo="x", postings=rows, actor="a", source="plan:P1"
    )
    assert village.open_accounts["211H07"] == "应付款-H07"
    assert type(village.pending_events[-2]).__name__ == "AccountOpened"
    assert village.pending_events[-2].source == "plan:P1"  # type: ignore[attr-defined]


def test_a_plan_names_the_payables_after_its_payees() -> None:
    result = {
        "lines": [
            {"code": "V01", "name": "仉家村"},
            {"code": "H01", "name": "张*明"},
            {"code": "X"},
        ]
    }
    assert plan_account_names(result, {"公积公益金": "311", "福利费": "211FL", "管理费": None}) == {
        "211V01": "应付款-仉家村",
        "211H01": "应付款-张*明（H01）",
        "211X": "应付款-X",
        "211FL": "应付款-福利费",
    }
