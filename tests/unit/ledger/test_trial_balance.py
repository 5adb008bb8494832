from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from ledger.accounts import ChartOfAccounts, Side
from ledger.entries import JournalEntry, build_entry, red_ink_reversal
from ledger.errors import InvalidAmountError, InvalidEntryError, UnknownAccountError
from ledger.money import ZERO, from_fen, money
from ledger.trial_balance import TrialBalanceLine, from_entries, trial_balance

CHART = ChartOfAccounts.standard()
DAY = datetime.date(2025, 3, 1)


def entry(number: str, *postings: tuple[str, str, str]) -> JournalEntry:
    return build_entry(
        date=DAY,
        number=number,
        memo="x",
        postings=[{"account": a, "side": s, "amount": m} for a, s, m in postings],
        chart=CHART,
    )


def test_columns_and_balances() -> None:
    opening = {"102": money("1000.00"), "301": -money("1000.00")}
    receipt = entry("1", ("102", "debit", "500.00"), ("502", "credit", "500.00"))
    payment = entry("2", ("513", "debit", "120.00"), ("102", "credit", "120.00"))
    tb = from_entries([receipt, payment], CHART, opening)
    assert [line.account.code for line in tb.lines] == ["102", "301", "502", "513"]
    bank = tb.line("102")
    assert (bank.opening_debit, bank.opening_credit, bank.debit, bank.credit) == (
        money("1000.00"),
        ZERO,
        money("500.00"),
        money("120.00"),
    )
    assert (bank.closing, bank.closing_debit, bank.closing_credit) == (
        money("1380.00"),
        money("1380.00"),
        ZERO,
    )
    capital = tb.line("301")
    assert (capital.opening_credit, capital.closing_credit, capital.closing_debit) == (
        money("1000.00"),
        money("1000.00"),
        ZERO,
    )
    assert capital.closing == -money("1000.00") and capital.balance == money("1000.00")
    assert tb.line("502").balance == money("500.00")
    assert tb.line("513").balance == money("120.00")
    assert tb.is_balanced
    assert (tb.opening_debit_total, tb.opening_credit_total) == (money("1000"), money("1000"))
    assert (tb.debit_total, tb.credit_total) == (money("620.00"), money("620.00"))
    assert tb.closing_debit_total == tb.closing_credit_total == money("1500.00")


def test_contra_and_sub_accounts() -> None:
    chart = CHART.with_names({"113V02": "内部往来-和店村"})
    depreciation = entry("1", ("513", "debit", "300.00"), ("152", "credit", "300.00"))
    owed = entry("2", ("113V02", "debit", "50.00"), ("211", "credit", "50.00"))
    tb = from_entries([depreciation, owed], chart)
    line = tb.line("152")
    assert line.account.contra and line.closing_credit == money("300.00")
    assert line.balance == money("300.00")  # a normal (credit) balance of a contra asset
    assert tb.line("113V02").account.name == "内部往来-和店村"
    assert tb.line("113V02").account.parent == "113"
    assert tb.is_balanced


def test_a_balance_against_the_normal_side_is_negative() -> None:
    line = TrialBalanceLine(
        account=CHART.get("102"), opening=ZERO, debit=ZERO, credit=money("10.00")
    )
    assert line.balance == -money("10.00")
    assert (line.closing_debit, line.closing_credit) == (ZERO, money("10.00"))


def test_red_ink_reduces_the_same_columns() -> None:
    original = entry("1", ("513", "debit", "80.00"), ("101", "credit", "80.00"))
    reversal = red_ink_reversal(original, date=DAY, number="2", memo="冲销")
    tb = from_entries([original, reversal], CHART)
    assert tb.lines == ()
    assert tb.is_balanced and tb.debit_total == ZERO
    corrected = entry("3", ("513", "debit", "60.00"), ("101", "credit", "60.00"))
    tb = from_entries([original, reversal, corrected], CHART)
    assert tb.line("513").debit == money("60.00") and tb.line("513").credit == ZERO


def test_accounts_without_figures_are_left_out_and_lines_are_in_code_order() -> None:
    tb = trial_balance(
        chart=CHART,
        opening={"511": ZERO, "301": -money("5"), "102": money("5")},
        movements=[("501", Side.CREDIT, money("1")), ("101", Side.DEBIT, money("1"))],
    )
    assert [line.account.code for line in tb.lines] == ["101", "102", "301", "501"]
    with pytest.raises(KeyError, match="511"):
        tb.line("511")


def test_unbalanced_movements_are_reported() -> None:
    tb = trial_balance(chart=CHART, movements=[("102", Side.DEBIT, money("1.00"))])
    assert not tb.is_balanced
    assert (tb.debit_total, tb.credit_total) == (money("1.00"), ZERO)


def test_side_words_are_sides_and_anything_else_is_refused() -> None:
    tb = trial_balance(chart=CHART, movements=[("102", "debit", money("1"))])  # type: ignore[list-item]
    assert tb.line("102").debit == money("1")  # not the credit column
    with pytest.raises(InvalidEntryError) as caught:
        trial_balance(chart=CHART, movements=[("102", "借方", money("1"))])  # type: ignore[list-item]
    assert caught.value.field == "movements[0].side"


def test_bad_codes_and_amounts_are_refused_naming_the_input() -> None:
    with pytest.raises(UnknownAccountError) as caught:
        trial_balance(
            chart=CHART, movements=[("102", Side.DEBIT, money("1")), ("9", Side.DEBIT, money("1"))]
        )
    assert caught.value.field == "movements[1].account"
    with pytest.raises(UnknownAccountError) as caught:
        trial_balance(chart=CHART, opening={"999": money("1")}, movements=[])
    assert caught.value.field == "opening.999"
    with pytest.raises(InvalidAmountError) as bad_amount:
        trial_balance(chart=CHART, movements=[("102", Side.DEBIT, Money("1", "USD"))])
    assert bad_amount.value.field == "movements[0].amount"
    with pytest.raises(InvalidAmountError, match="is not Money"):
        trial_balance(chart=CHART, opening={"102": "1.00"}, movements=[])  # type: ignore[dict-item]


postings = st.lists(
    st.tuples(
        st.sampled_from(["101", "102", "113V01", "152", "301", "502", "513"]),
        st.integers(min_value=1, max_value=10**8),
    ),
    min_size=1,
    max_size=4,
)


@given(st.lists(st.tuples(postings, postings), max_size=6), st.integers(0, 10**9))
def test_balanced_entries_give_a_balanced_trial_balance(
    pairs: list[tuple[list[tuple[str, int]], list[tuple[str, int]]]], opening_fen: int
) -> None:
    entries = []
    for index, (debits, credits) in enumerate(pairs):
        gap = sum(f for _, f in debits) - sum(f for _, f in credits)
        rows = [(a, "debit", from_fen(f)) for a, f in debits]
        rows += [(a, "credit", from_fen(f)) for a, f in credits]
        if gap:
            rows.append(("321", "credit" if gap > 0 else "debit", from_fen(abs(gap))))
        entries.append(
            build_entry(
                date=DAY,
                number=str(index),
                memo="x",
                postings=[{"account": a, "side": s, "amount": m} for a, s, m in rows],
                chart=CHART,
            )
        )
    opening = {"102": from_fen(opening_fen), "301": -from_fen(opening_fen)}
    tb = from_entries(entries, CHART, opening)
    assert tb.is_balanced
    assert tb.debit_total == sum((e.debit_total for e in entries), ZERO)
    assert sum((line.closing for line in tb.lines), ZERO) == ZERO
    for line in tb.lines:
        assert line.closing_debit.amount >= 0 and line.closing_credit.amount >= 0
        assert line.closing_debit - line.closing_credit == line.closing
        assert ZERO in (line.closing_debit, line.closing_credit)
