"""Voucher numbers (凭证号) and voucher words (凭证字): how they are written, stored and read.

Two schemes, chosen per township (``domain.township``) and fixed per set of books and year
(``domain.books``):

- **yearly** (every set of books before the setting existed): ``2025-0015``, one sequence per
  set of books and calendar year, no 凭证字. Read as written: ``2025-0015``.
- **monthly**: one sequence per set of books, month and 凭证字, stored as
  ``2026-07-J-0003`` and read as ``2026年7月 记字第3号``. The stored key is ASCII (safe in
  URLs, file names and every database column) and sorts by month: the word is its pinyin
  initial, J 记, S 收, F 付, Z 转.

The 凭证字 of a township that uses one word is 记 (通用记账凭证); a township that keeps 收款, 付款
and 转账凭证 apart has the word chosen from the lines (:func:`words_for`): 收 when 101 库存现金 or
102 银行存款 is debited, 付 when one of them is credited (also when both are: money moved between
cash and bank is recorded once, on a 付款凭证, as the practice is), 转 when neither is; a
voucher that both receives and pays (借 102 and 贷 101, or a receipt and a payment in one
voucher) may be filed as 收 or 付, the clerk's choice.

Pure: no domain, no storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

YEARLY = "yearly"
MONTHLY = "monthly"

SINGLE = "single"  # one word: 记 (通用记账凭证)
SPLIT = "split"  # 收, 付, 转 (收款凭证, 付款凭证, 转账凭证)
WORD_SCHEMES = (SINGLE, SPLIT)

WORD_CODES = {"记": "J", "收": "S", "付": "F", "转": "Z"}
CODE_WORDS = {code: word for word, code in WORD_CODES.items()}
WORD_TITLES = {"记": "记账凭证", "收": "收款凭证", "付": "付款凭证", "转": "转账凭证"}
CASH_ACCOUNTS = ("101", "102")  # 库存现金, 银行存款 (and their sub-accounts)

_MONTHLY = re.compile(r"^([0-9]{4})-([0-9]{2})-([JSFZ])-([0-9]{4,})$")
_YEARLY = re.compile(r"^([0-9]{4})-([0-9]{4,})$")
_LABEL = re.compile(
    r"^\s*(?:([0-9]{4})\s*年\s*([0-9]{1,2})\s*月)?\s*([记收付转])\s*字?\s*第?\s*([0-9]+)\s*号?\s*$"
)

NUMBER_PATTERN = r"^[0-9]{4}-(?:[0-9]{2}-[JSFZ]-)?[0-9]{4,}$"
"""A stored voucher number of either scheme (the API's pattern)."""


@dataclass(frozen=True)
class VoucherNumber:
    """A voucher number read: ``month`` and ``word`` are None under yearly numbering."""

    year: int
    serial: int
    month: int | None = None
    word: str | None = None

    @property
    def text(self) -> str:
        """The stored form: ``2025-0015`` or ``2026-07-J-0003``."""
        if self.month is None or self.word is None:
            return yearly_number(self.year, self.serial)
        return monthly_number(self.year, self.month, self.word, self.serial)

    @property
    def sequence(self) -> str:
        """The sequence it counts in: ``2025`` (yearly) or ``2026-07-J`` (monthly)."""
        if self.month is None or self.word is None:
            return f"{self.year:04d}"
        return month_sequence(self.year, self.month, self.word)

    @property
    def label(self) -> str:
        """As a clerk reads it: ``2026年7月 记字第3号``; a yearly number as written."""
        if self.month is None or self.word is None:
            return self.text
        return f"{self.year}年{self.month}月 {self.word}字第{self.serial}号"


def yearly_number(year: int, serial: int) -> str:
    return f"{year:04d}-{serial:04d}"


def month_sequence(year: int, month: int, word: str) -> str:
    return f"{year:04d}-{month:02d}-{WORD_CODES[word]}"


def monthly_number(year: int, month: int, word: str, serial: int) -> str:
    return f"{month_sequence(year, month, word)}-{serial:04d}"


def parse_number(text: object) -> VoucherNumber | None:
    """The number ``text`` stands for, or None when it is no voucher number of either scheme
    (also when it is not written the one way it is stored: ``2025-15`` is not ``2025-0015``)."""
    if not isinstance(text, str):
        return None
    found = _MONTHLY.match(text)
    if found:
        month = int(found.group(2))
        number = VoucherNumber(
            int(found.group(1)), int(found.group(4)), month, CODE_WORDS[found.group(3)]
        )
    else:
        found = _YEARLY.match(text)
        if not found:
            return None
        number = VoucherNumber(int(found.group(1)), int(found.group(2)))
    if number.serial < 1 or (number.month is not None and not 1 <= number.month <= 12):
        return None
    return number if number.text == text else None


def number_label(text: object) -> str:
    """A stored number as a clerk reads it (``2026年7月 记字第3号``); anything else as it is."""
    found = parse_number(text)
    return found.label if found is not None else ("" if text is None else str(text))


def number_cited(text: str) -> str:
    """A number as a sentence cites a voucher: ``2025-0015 号凭证``, ``2026年7月 记字第3号凭证``."""
    found = parse_number(text)
    if found is not None and found.month is not None:
        return f"{found.label}凭证"
    return f"{text} 号凭证"


def number_word(text: object) -> str | None:
    """The 凭证字 of a stored number (None under yearly numbering)."""
    found = parse_number(text)
    return None if found is None else found.word


def voucher_title(text: object) -> str:
    """The printed voucher's title: 收款凭证, 付款凭证, 转账凭证, else 记账凭证."""
    word = number_word(text)
    return WORD_TITLES.get(word or "记", "记账凭证")


def search_key(text: str) -> str:
    """What a clerk types to find a voucher by its number, as the stored form searches it:
    ``2026年7月 记字第3号`` → ``2026-07-J-0003``, ``记字第3号`` → ``-J-0003``; anything else
    as typed."""
    found = _LABEL.match(text)
    if not found:
        return text.strip()
    year, month, word, serial = found.groups()
    tail = f"-{WORD_CODES[word]}-{int(serial):04d}"
    if year and month and 1 <= int(month) <= 12:
        return f"{int(year):04d}-{int(month):02d}{tail}"
    return tail


def cash_sides(lines: Iterable[tuple[str, str]]) -> tuple[bool, bool]:
    """Whether lines ``(account, side)`` debit 101/102, and whether they credit them; a side
    is ``debit``/``credit`` or ``借``/``贷``."""
    debits = credits = False
    for account, side in lines:
        if not isinstance(account, str) or not account.startswith(CASH_ACCOUNTS):
            continue
        side = str(getattr(side, "value", side))
        if side in ("debit", "借"):
            debits = True
        elif side in ("credit", "贷"):
            credits = True
    return debits, credits


def words_for(lines: Iterable[tuple[str, str]], scheme: str) -> tuple[str, ...]:
    """The 凭证字 a voucher with ``lines`` may take under ``scheme``, the automatic one first."""
    if scheme != SPLIT:
        return ("记",)
    debits, credits = cash_sides(lines)
    if debits and credits:
        return ("付", "收")
    if credits:
        return ("付",)
    if debits:
        return ("收",)
    return ("转",)
