from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from ledger.errors import InvalidAmountError, LedgerError
from ledger.money import (
    CNY,
    ZERO,
    amount_str,
    fen_text,
    format_yuan,
    from_fen,
    money,
    text_fen,
    to_fen,
    written_amount,
    yuan_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234", "1234.00"),
        ("1234.5", "1234.50"),
        ("0.01", "0.01"),
        ("0", "0.00"),
        ("-0.00", "0.00"),  # never a negative zero
        ("007.10", "7.10"),
        ("999999999999999.99", "999999999999999.99"),
        (1234, "1234.00"),
        (Decimal("1.5"), "1.50"),
        (Decimal("1E+3"), "1000.00"),
        (Money("2.5", CNY), "2.50"),
    ],
)
def test_plain_decimals_become_two_places(value: object, expected: str) -> None:
    parsed = money(value)
    assert amount_str(parsed) == expected
    assert parsed.currency == CNY
    assert parsed.amount.as_tuple().exponent == -2


def test_a_float_is_refused_with_the_string_to_write_instead() -> None:
    # The one float of the suite: the point is that it is refused.
    with pytest.raises(InvalidAmountError) as caught:
        money(1.5)
    assert str(caught.value) == 'amount 1.5 is a float; write it as a string such as "1.50"'
    assert caught.value.field is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("12.345", "has 3 decimal places; at most 2 are allowed"),
        ("12.340", "has 3 decimal places; at most 2 are allowed"),
        (Decimal("1.000"), "has 3 decimal places"),
        ("1e3", "is not a decimal"),
        ("1E3", "is not a decimal"),
        ("  ", "is not a decimal"),
        ("", "is not a decimal"),
        (" 12", "is not a decimal"),
        ("12\n", "is not a decimal"),
        ("+1", "is not a decimal"),
        (".5", "is not a decimal"),
        ("1.", "is not a decimal"),
        ("1,000.00", "is not a decimal"),
        ("1_000", "is not a decimal"),
        ("１２", "is not a decimal"),  # full-width digits
        ("NaN", "is not a decimal"),
        ("Infinity", "is not a decimal"),
        (Decimal("NaN"), "is not a finite number"),
        (Decimal("-Infinity"), "is not a finite number"),
        ("-3.00", "is negative; only amounts ≥ 0 are allowed here"),
        (True, "is a boolean"),
        (None, "amount is missing"),
        ([1], "is a list, not a decimal"),
        ("1000000000000000", "is too large; amounts stay below 10^15 yuan"),
        (-(10**15), "is too large"),
        (Money("1.00", "USD"), "is in USD; only CNY amounts are kept"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(value: object, says: str) -> None:
    with pytest.raises(InvalidAmountError) as caught:
        money(value, field="postings[0].amount", allow_negative=value == -(10**15))
    assert says in str(caught.value)
    assert str(caught.value).startswith("postings[0].amount: ")
    assert caught.value.field == "postings[0].amount"
    assert isinstance(caught.value, LedgerError) and isinstance(caught.value, ValueError)


def test_negative_and_zero_only_where_allowed() -> None:
    assert amount_str(money("-3", allow_negative=True)) == "-3.00"
    with pytest.raises(InvalidAmountError, match="is zero; only amounts > 0 are allowed here"):
        money("0.00", allow_zero=False)
    with pytest.raises(InvalidAmountError, match="is negative; only amounts > 0 are allowed"):
        money("-1", allow_zero=False)
    with pytest.raises(InvalidAmountError, match="is zero; any non-zero amount is allowed"):
        money("0", allow_zero=False, allow_negative=True)


@pytest.mark.parametrize(
    ("amount", "json", "shown"),
    [
        ("1409.5", "1409.50", "¥1,409.50"),
        ("0.05", "0.05", "¥0.05"),
        ("0", "0.00", "¥0.00"),
        ("100", "100.00", "¥100.00"),
        ("1000", "1000.00", "¥1,000.00"),
        ("-1234567.89", "-1234567.89", "-¥1,234,567.89"),
        ("-0.01", "-0.01", "-¥0.01"),
        ("999999999999999.99", "999999999999999.99", "¥999,999,999,999,999.99"),
    ],
)
def test_formats(amount: str, json: str, shown: str) -> None:
    m = money(amount, allow_negative=True)
    assert amount_str(m) == json
    assert format_yuan(m) == shown


def test_formats_never_show_a_negative_zero() -> None:
    negative_zero = Money(Decimal("-0.00"), CNY)
    assert amount_str(negative_zero) == "0.00"
    assert format_yuan(negative_zero) == "¥0.00"
    assert amount_str(ZERO) == "0.00"


def test_fen_conversions_are_exact_and_refuse_fractions_of_a_fen() -> None:
    assert to_fen(money("12.34")) == 1234
    assert to_fen(Money(Decimal("5.000"), CNY)) == 500  # trailing zeros are still whole fen
    assert from_fen(-5) == money("-0.05", allow_negative=True)
    assert amount_str(from_fen(10**30 + 1)) == "1" + "0" * 28 + ".01"  # beyond Decimal's context
    with pytest.raises(InvalidAmountError, match="not a whole number of fen"):
        to_fen(Money(Decimal("0.001"), CNY))
    with pytest.raises(InvalidAmountError, match="not an amount in CNY"):
        to_fen(Money("1.00", "USD"))
    with pytest.raises(InvalidAmountError, match="a whole number is needed"):
        from_fen(True)
    with pytest.raises(InvalidAmountError, match="a whole number is needed"):
        from_fen(Decimal("1"))  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1))
def test_fen_round_trip(fen: int) -> None:
    m = from_fen(fen)
    assert to_fen(m) == fen
    assert money(amount_str(m), allow_negative=True) == m
    assert format_yuan(m).replace("¥", "").replace(",", "") == amount_str(m)


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**14), max_value=10**14
    )
)
def test_decimals_of_two_places_are_kept_exactly(value: Decimal) -> None:
    parsed = money(value, allow_negative=True)
    assert parsed.amount == value
    assert Decimal(amount_str(parsed)) == value


# -- the one formatter and the readers of written and stored amounts --------------------------


@pytest.mark.parametrize(
    ("fen", "plain", "separated", "shown"),
    [
        (0, "0.00", "0.00", "¥0.00"),
        (1, "0.01", "0.01", "¥0.01"),
        (-1, "-0.01", "-0.01", "-¥0.01"),
        (123450, "1234.50", "1,234.50", "¥1,234.50"),
        (-6055939, "-60559.39", "-60,559.39", "-¥60,559.39"),
        (1_000_000_000_000, "10000000000.00", "10,000,000,000.00", "¥10,000,000,000.00"),
    ],
)
def test_fen_text_writes_one_amount_three_ways(
    fen: int, plain: str, separated: str, shown: str
) -> None:
    assert fen_text(fen) == plain == amount_str(from_fen(fen))
    assert fen_text(fen, separators=True) == separated == format_yuan(from_fen(fen), symbol=False)
    assert fen_text(fen, symbol=True, separators=True) == shown == format_yuan(from_fen(fen))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60559.39", "¥60,559.39"),
        ("-1234.5", "-¥1,234.50"),
        ("-0.00", "¥0.00"),
        (5, "¥5.00"),
        (Decimal("7.10"), "¥7.10"),
        (Money("2.5", CNY), "¥2.50"),
        (None, ""),
        ("", ""),
    ],
)
def test_yuan_text_shows_amounts_for_a_page(value: object, expected: str) -> None:
    assert yuan_text(value) == expected


def test_yuan_text_for_a_voucher_column_has_no_symbol_and_leaves_zero_blank() -> None:
    column = [yuan_text(v, symbol=False, blank_zero=True) for v in ("1234.5", "0.00", "-3", None)]
    assert column == ["1,234.50", "", "-3.00", ""]
    with pytest.raises(InvalidAmountError):
        yuan_text("12,00")  # a page is given amounts as written by money(), never with commas


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.34", 1234), ("-0.05", -5), ("0.00", 0), ("7", 700), ("1.5", 150), ("-12.3", -1230)],
)
def test_text_fen_reads_stored_amounts_exactly(text: str, fen: int) -> None:
    assert text_fen(text) == fen


def test_text_fen_refuses_a_fraction_of_a_fen() -> None:
    with pytest.raises(InvalidAmountError, match="whole number of fen"):
        text_fen("1.005")


@pytest.mark.parametrize(
    ("written", "plain"),
    [(" ¥1,234.50 ", "1234.50"), ("￥1，000", "1000"), ("-3.00", "-3.00"), ("12 34", "12 34")],
)
def test_written_amount_drops_only_what_a_clerk_adds(written: str, plain: str) -> None:
    assert written_amount(written) == plain
