"""Voucher numbers and words (``ledger.voucher_numbers``): the stored form, how a clerk reads
it, the search form, and the 凭证字 chosen from the lines."""

from __future__ import annotations

import pytest

from ledger.voucher_numbers import (
    SINGLE,
    SPLIT,
    VoucherNumber,
    monthly_number,
    number_label,
    number_word,
    parse_number,
    search_key,
    voucher_title,
    words_for,
)


def test_both_schemes_are_read_and_written_back_the_one_way_they_are_stored() -> None:
    assert parse_number("2025-0015") == VoucherNumber(2025, 15)
    assert parse_number("2026-07-J-0003") == VoucherNumber(2026, 3, 7, "记")
    assert parse_number("2026-12-F-12345") == VoucherNumber(2026, 12345, 12, "付")
    assert monthly_number(2026, 7, "收", 3) == "2026-07-S-0003"
    for text in ("2025-15", "2026-13-J-0001", "2026-07-X-0001", "2026-07-J-0000", "期初", "", None):
        assert parse_number(text) is None, text
    assert parse_number("2026-7-J-0003") is None  # not the stored form


def test_a_clerk_reads_a_monthly_number_in_words_and_a_yearly_one_as_it_was() -> None:
    assert number_label("2026-07-J-0003") == "2026年7月 记字第3号"
    assert number_label("2026-11-Z-0012") == "2026年11月 转字第12号"
    assert number_label("2025-0015") == "2025-0015"
    assert number_word("2026-07-S-0001") == "收" and number_word("2025-0015") is None
    assert voucher_title("2026-07-S-0001") == "收款凭证"
    assert voucher_title("2026-07-F-0001") == "付款凭证"
    assert voucher_title("2026-07-Z-0001") == "转账凭证"
    assert voucher_title("2026-07-J-0001") == voucher_title("2025-0015") == "记账凭证"


def test_what_a_clerk_types_finds_the_stored_number() -> None:
    assert search_key("2026年7月 记字第3号") == "2026-07-J-0003"
    assert search_key("记字第3号") == "-J-0003"
    assert search_key("付 12") == "-F-0012"
    assert search_key(" 2025-0015 ") == "2025-0015"
    assert search_key("0015") == "0015"


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        ([("102", "debit"), ("501", "credit")], ("收",)),
        ([("101001", "借"), ("113V02", "贷")], ("收",)),
        ([("511", "debit"), ("102", "credit")], ("付",)),
        ([("101", "debit"), ("102", "credit")], ("付", "收")),  # 提现: 付, or 收 if chosen
        ([("121", "debit"), ("211H01", "credit")], ("转",)),
    ],
)
def test_the_word_follows_cash_in_a_township_that_keeps_them_apart(
    lines: list[tuple[str, str]], words: tuple[str, ...]
) -> None:
    assert words_for(lines, SPLIT) == words
    assert words_for(lines, SINGLE) == ("记",)
