from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.accounts import ChartOfAccounts, Side
from ledger.entries import JournalEntry, Posting, build_entry, red_ink_reversal
from ledger.errors import (
    InvalidAmountError,
    InvalidEntryError,
    LedgerError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from ledger.money import money

CHART = ChartOfAccounts.standard()
DAY = datetime.date(2025, 3, 1)


def row(account: str, side: str, amount: object) -> dict[str, object]:
    return {"account": account, "side": side, "amount": amount}


def test_a_balanced_entry_is_built() -> None:
    entry = build_entry(
        date=DAY,
        number="2025-0001",
        memo="收到分红",
        postings=[row("102", "借", "186000.00"), row("502", "贷", "186000.00")],
        chart=CHART,
    )
    assert entry.debit_total == entry.credit_total == money("186000.00")
    assert entry.postings[0].side is Side.DEBIT


def test_unbalanced_says_both_totals_and_the_difference() -> None:
    with pytest.raises(UnbalancedEntryError) as caught:
        build_entry(
            date=DAY,
            number="2025-0003",
            memo="x",
            postings=[row("102", "debit", "1000.00"), row("502", "credit", "900.00")],
            chart=CHART,
        )
    assert str(caught.value) == (
        "entry 2025-0003 does not balance: debits ¥1,000.00, credits ¥900.00, difference ¥100.00"
    )


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    with pytest.raises(LedgerError) as caught:
        build_entry(
            date=DAY,
            number="n",
            memo="x",
            postings=[row("999", "debit", "1.00"), row("102", "sideways", 1.5)],
            chart=CHART,
        )
    fields = [f for f, _ in caught.value.errors]
    assert fields == ["postings[0].account", "postings[1].side", "postings[1].amount"]
    assert type(caught.value) is InvalidEntryError


def test_only_unknown_accounts_give_an_unknown_account_error() -> None:
    with pytest.raises(UnknownAccountError) as caught:
        build_entry(
            date=DAY,
            number="n",
            memo="x",
            postings=[row("102", "debit", "1.00"), row("599", "credit", "1.00")],
            chart=CHART,
        )
    assert caught.value.field == "postings[1].account"


@pytest.mark.parametrize(
    "postings",
    [
        [row("102", "debit", "1.00")],
        [],
    ],
)
def test_fewer_than_two_postings_are_refused(postings: list[dict[str, object]]) -> None:
    with pytest.raises(InvalidEntryError, match="at least two"):
        build_entry(date=DAY, number="n", memo="x", postings=postings, chart=CHART)


def test_negative_and_zero_amounts_are_refused_in_ordinary_entries() -> None:
    with pytest.raises(InvalidAmountError):
        build_entry(
            date=DAY,
            number="n",
            memo="x",
            postings=[row("102", "debit", "-1.00"), row("502", "credit", "-1.00")],
            chart=CHART,
        )
    with pytest.raises(InvalidAmountError):
        build_entry(
            date=DAY,
            number="n",
            memo="x",
            postings=[row("102", "debit", "0"), row("502", "credit", "0")],
            chart=CHART,
        )


def test_red_ink_reversal_negates_and_references() -> None:
    original = build_entry(
        date=DAY,
        number="2025-0001",
        memo="x",
        postings=[row("102", "debit", "5.00"), row("502", "credit", "5.00")],
        chart=CHART,
    )
    reversal = red_ink_reversal(original, date=DAY, number="2025-0002", memo="冲销")
    assert reversal.reverses == "2025-0001"
    assert [p.signed() for p in reversal.postings] == [-money("5.00"), money("5.00")]
    with pytest.raises(InvalidEntryError):
        red_ink_reversal(reversal, date=DAY, number="2025-0003", memo="x")
    with pytest.raises(InvalidEntryError, match="negative"):
        JournalEntry(
            date=DAY,
            number="x",
            memo="x",
            postings=original.postings,
            reverses="2025-0001",
        )


def test_postings_refuse_zero_and_sub_fen_amounts() -> None:
    with pytest.raises(InvalidAmountError):
        Posting(account="102", side=Side.DEBIT, amount=money("0"))


raw_rows = st.lists(
    st.fixed_dictionaries(
        {
            "account": st.sampled_from(["101", "102", "113V02", "502", "999"]),
            "side": st.sampled_from(["debit", "credit", "借", "贷", "x"]),
            "amount": st.integers(min_value=-5, max_value=10**9).map(
                lambda fen: f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else f"-0.0{-fen}"
            ),
        }
    ),
    max_size=6,
)


@given(raw_rows)
def test_every_entry_that_is_accepted_is_balanced(rows: list[dict[str, object]]) -> None:
    try:
        entry = build_entry(date=DAY, number="n", memo="x", postings=rows, chart=CHART)
    except LedgerError:
        return
    assert entry.debit_total == entry.credit_total
    assert len(entry.postings) >= 2
    assert all(p.amount.amount > 0 for p in entry.postings)


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=5))
def test_an_entry_whose_credits_match_its_debits_is_accepted(fens: list[int]) -> None:
    debits = [row("102", "debit", f"{f // 100}.{f % 100:02d}") for f in fens]
    total = sum(fens)
    credit = row("502", "credit", f"{total // 100}.{total % 100:02d}")
    entry = build_entry(date=DAY, number="n", memo="x", postings=[*debits, credit], chart=CHART)
    assert entry.debit_total == entry.credit_total
