from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from ledger.errors import InvalidAmountError
from ledger.money import ZERO, amount_str, format_yuan, from_fen, money, to_fen


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234", "1234.00"), ("1234.5", "1234.50"), ("0.01", "0.01"), ("0", "0.00")],
)
def test_plain_decimals_become_two_places(text: str, expected: str) -> None:
    assert amount_str(money(text)) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (1.5, "float"),  # the one float in the suite: it must be refused
        ("12.345", "3 decimal places"),
        ("12.340", "3 decimal places"),
        ("1e3", "not a decimal"),
        ("  ", "not a decimal"),
        ("1,000.00", "not a decimal"),
        ("NaN", "not a decimal"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("Infinity"), "not a finite number"),
        ("-3.00", "negative"),
        (True, "not a number"),
        ("1000000000000000", "too large"),
        (Money("1.00", "USD"), "USD"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(value: object, says: str) -> None:
    with pytest.raises(InvalidAmountError) as caught:
        money(value, field="postings[0].amount")
    assert says in str(caught.value)
    assert caught.value.field == "postings[0].amount"


def test_negative_and_zero_only_where_allowed() -> None:
    assert amount_str(money("-3", allow_negative=True)) == "-3.00"
    with pytest.raises(InvalidAmountError, match="zero"):
        money("0.00", allow_zero=False)


def test_formats() -> None:
    assert format_yuan(money("1409.5")) == "¥1,409.50"
    assert format_yuan(-money("1234567.89")) == "-¥1,234,567.89"
    assert amount_str(ZERO) == "0.00"


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_fen_round_trip(fen: int) -> None:
    m = from_fen(fen)
    assert to_fen(m) == fen
    assert money(amount_str(m), allow_negative=True) == m
