from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.capitals import to_capitals
from ledger.money import from_fen, money


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # the examples of ACCOUNTING.md and SCENARIOS.md
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("10.00", "壹拾元整"),
        ("100000001.00", "壹亿零壹元整"),
        ("60559.39", "陆万零伍佰伍拾玖元叁角玖分"),
        # more
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
        ("51475.48", "伍万壹仟肆佰柒拾伍元肆角捌分"),
    ],
)
def test_capitals(amount: str, capitals: str) -> None:
    assert to_capitals(money(amount)) == capitals


def test_negative_amounts_start_with_fu() -> None:
    assert to_capitals(-money("3.20")) == "负叁元贰角"


ALLOWED = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}


def parse(text: str) -> int:
    """An independent reader of capitals, back to fen."""
    fen = 0
    if "元" in text:
        integer, text = text.split("元", 1)
        fen = _integer(integer) * 100
    if "角" in text:
        jiao, text = text.split("角", 1)
        fen += DIGIT[jiao.replace("零", "") or "零"] * 10
    if "分" in text:
        fen += DIGIT[text.replace("零", "").rstrip("分")]
    return fen


def _integer(text: str) -> int:
    total = 0
    for unit, size in (("亿", 10**8), ("万", 10**4)):
        if unit in text:
            head, text = text.split(unit, 1)
            total += _integer(head) * size
    value = 0
    digit = 0
    for char in text:
        if char in DIGIT:
            digit = DIGIT[char]
        else:
            value += digit * {"拾": 10, "佰": 100, "仟": 1000}[char]
            digit = 0
    return total + value + digit


@given(st.integers(min_value=0, max_value=10**14))
def test_capitals_read_back_to_the_same_amount(fen: int) -> None:
    text = to_capitals(from_fen(fen))
    assert set(text) <= ALLOWED
    assert "零零" not in text
    assert not text.endswith("零")
    assert not text.endswith("分整")
    assert parse(text) == fen
