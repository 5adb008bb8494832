from __future__ import annotations

import datetime

from ledger.accounts import ChartOfAccounts, Side
from ledger.entries import build_entry, red_ink_reversal
from ledger.money import ZERO, money
from ledger.trial_balance import from_entries, trial_balance

CHART = ChartOfAccounts.standard()
DAY = datetime.date(2025, 3, 1)


def test_columns_and_balances() -> None:
    opening = {"102": money("1000.00"), "301": -money("1000.00")}
    receipt = build_entry(
        date=DAY,
        number="1",
        memo="x",
        postings=[
            {"account": "102", "side": "debit", "amount": "500.00"},
            {"account": "502", "side": "credit", "amount": "500.00"},
        ],
        chart=CHART,
    )
    tb = from_entries([receipt], CHART, opening)
    assert [line.account.code for line in tb.lines] == ["102", "301", "502"]
    bank = tb.line("102")
    assert (bank.opening_debit, bank.debit, bank.closing_debit) == (
        money("1000.00"),
        money("500.00"),
        money("1500.00"),
    )
    assert tb.line("301").closing_credit == money("1000.00")
    assert tb.line("301").balance == money("1000.00")
    assert tb.line("502").balance == money("500.00")
    assert tb.is_balanced
    assert tb.closing_debit_total == tb.closing_credit_total == money("1500.00")


def test_red_ink_reduces_the_same_columns() -> None:
    entry = build_entry(
        date=DAY,
        number="1",
        memo="x",
        postings=[
            {"account": "513", "side": "debit", "amount": "80.00"},
            {"account": "101", "side": "credit", "amount": "80.00"},
        ],
        chart=CHART,
    )
    reversal = red_ink_reversal(entry, date=DAY, number="2", memo="冲销")
    tb = from_entries([entry, reversal], CHART)
    assert tb.lines == ()
    assert tb.is_balanced and tb.debit_total == ZERO


def test_unbalanced_movements_are_reported() -> None:
    tb = trial_balance(chart=CHART, movements=[("102", Side.DEBIT, money("1.00"))])
    assert not tb.is_balanced
