from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from ledger.capitals import to_capitals
from ledger.errors import InvalidAmountError
from ledger.money import CNY, from_fen, money


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # the examples of docs/scenario-a.md
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("10.00", "壹拾元整"),
        ("100000001.00", "壹亿零壹元整"),
        ("60559.39", "陆万零伍佰伍拾玖元叁角玖分"),
        # the cases of the brief
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("186000.00", "壹拾捌万陆仟元整"),
        ("1000000.00", "壹佰万元整"),
        ("100010000.00", "壹亿零壹万元整"),
        ("10000000000.00", "壹佰亿元整"),
        ("1020.30", "壹仟零贰拾元叁角"),
        ("20.07", "贰拾元零柒分"),
        ("100.07", "壹佰元零柒分"),
        # more
        ("51475.48", "伍万壹仟肆佰柒拾伍元肆角捌分"),
        ("0.55", "伍角伍分"),
        ("1.00", "壹元整"),
        ("1.01", "壹元零壹分"),
        ("1000.50", "壹仟元伍角"),
        ("100000.00", "壹拾万元整"),
        ("10010000.00", "壹仟零壹万元整"),
        ("10000500.00", "壹仟万零伍佰元整"),
        ("110000000.00", "壹亿壹仟万元整"),
        ("101000000.00", "壹亿零壹佰万元整"),
        ("1000000000000.00", "壹万亿元整"),
        ("1000100000000.00", "壹万零壹亿元整"),
        (
            "999999999999999.99",
            "玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
        ),
    ],
)
def test_capitals(amount: str, capitals: str) -> None:
    assert to_capitals(money(amount)) == capitals


def test_negative_amounts_start_with_fu() -> None:
    assert to_capitals(money("-3.20", allow_negative=True)) == "负叁元贰角"
    assert to_capitals(money("-0.05", allow_negative=True)) == "负伍分"
    assert to_capitals(Money(Decimal("-0.00"), CNY)) == "零元整"


def test_fractions_of_a_fen_and_other_currencies_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="not a whole number of fen"):
        to_capitals(Money(Decimal("1.005"), CNY))
    with pytest.raises(InvalidAmountError, match="not an amount in CNY"):
        to_capitals(Money("1.00", "USD"))


ALLOWED = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负")
DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def parse(text: str) -> int:
    """An independent reader of capitals, back to signed fen (零 carries no value)."""
    sign = -1 if text.startswith("负") else 1
    text = text.removeprefix("负").removesuffix("整").replace("零", "")
    fen = 0
    if "元" in text:
        integer, text = text.split("元")
        fen = _integer(integer) * 100
    if "角" in text:
        jiao, text = text.split("角")
        fen += DIGIT[jiao] * 10
    if "分" in text:
        fen += DIGIT[text.removesuffix("分")]
    return sign * fen


def _integer(text: str) -> int:
    """亿 splits once (the count of 亿 may hold 万), then 万, then 仟佰拾 and units."""
    for unit, size in (("亿", 10**8), ("万", 10**4)):
        if unit in text:
            head, tail = text.split(unit)
            return _integer(head) * size + _integer(tail)
    value = 0
    for char in text:
        if char in SMALL:
            value += SMALL[char] * (value % 10 or 1) - value % 10
        else:
            value = value - value % 10 + DIGIT[char]
    return value


def check_form(text: str) -> None:
    assert set(text) <= ALLOWED
    assert "零零" not in text
    assert not text.endswith("零")
    # every 零 stands before a digit; none before a unit or at the start
    assert all(text[i + 1] in "壹贰叁肆伍陆柒捌玖" for i, c in enumerate(text) if c == "零") or (
        text == "零元整"
    )
    assert "整" not in text or text.endswith("元整")
    assert "负" not in text[1:]
    assert text.count("亿") <= 1 and text.count("元") <= 1


@given(st.integers(min_value=0, max_value=10**14))  # 0 … 10^12 yuan
def test_capitals_read_back_to_the_same_amount(fen: int) -> None:
    text = to_capitals(from_fen(fen))
    check_form(text)
    assert parse(text) == fen


@given(st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1))  # every amount money() takes
def test_capitals_read_back_over_the_whole_range_and_negatives(fen: int) -> None:
    text = to_capitals(from_fen(fen))
    check_form(text)
    assert text.startswith("负") == (fen < 0)
    assert parse(text) == fen


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_small_amounts_with_zero_yuan_or_zero_jiao(yuan: int, cents: int) -> None:
    text = to_capitals(from_fen(yuan * 100 + cents))
    if yuan == 0 and cents:
        assert "元" not in text and not text.startswith("零")
    if yuan and cents and cents < 10:
        assert "元零" in text and "角" not in text
    assert parse(text) == yuan * 100 + cents
