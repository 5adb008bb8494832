"""The arithmetic of the account books (账簿): running balances, 本日合计, 本月合计 and 本年累计
rows, the 借/贷/平 direction of a balance, and the 对方科目 of an entry's line.

Pure: the callers (``documents.ledgers``) read the postings and the monthly sums from the read
models and hand them here. Balances are signed, debit positive, as in
``ledger.trial_balance``; a row prints its balance as a direction (借, 贷 or 平) and the amount
without sign, as a paper ledger does. Red ink (a reversal's negative amounts) stays negative in
the debit or credit column it reduces.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from moneyed import Money

from ledger.money import ZERO

DEBIT_WORD, CREDIT_WORD, FLAT_WORD = "借", "贷", "平"


def direction(balance: Money) -> str:
    """借 for a debit balance, 贷 for a credit balance, 平 for none."""
    if balance > ZERO:
        return DEBIT_WORD
    if balance < ZERO:
        return CREDIT_WORD
    return FLAT_WORD


def counter_accounts(lines: Sequence[tuple[str, str]], index: int) -> tuple[str, ...]:
    """The 对方科目 of line ``index`` of an entry whose lines are ``(account, side)``: the
    accounts on the other side, in the entry's order, each once; when no line is on the other
    side (an entry moving between two lines of one side), the entry's other accounts."""
    account, side = lines[index]
    other = [a for i, (a, s) in enumerate(lines) if i != index and s != side]
    if not other:
        other = [a for i, (a, s) in enumerate(lines) if i != index and a != account]
    return tuple(dict.fromkeys(other))


@dataclass(frozen=True)
class Posting:
    """One line of the account as its book prints it; ``counter`` the 对方科目 codes."""

    date: datetime.date
    number: str
    memo: str
    account: str
    debit: Money
    credit: Money
    counter: tuple[str, ...] = ()


OPENING = "opening"  # 上年结转 or 期初余额
POSTING = "posting"  # one line of a voucher
DAY = "day"  # 本日合计
MONTH = "month"  # 本月合计
YEAR = "year"  # 本年累计


@dataclass(frozen=True)
class BookRow:
    """A row of an account book. ``balance`` is signed (debit positive) and is the balance
    after the row; ``debit`` and ``credit`` are the row's movements (for a total row, the sums
    it names)."""

    kind: str
    date: datetime.date
    label: str
    debit: Money
    credit: Money
    balance: Money
    posting: Posting | None = None

    @property
    def direction(self) -> str:
        return direction(self.balance)

    @property
    def amount(self) -> Money:
        """The balance without its sign (the direction says which side)."""
        return -self.balance if self.balance < ZERO else self.balance

    @property
    def is_total(self) -> bool:
        return self.kind in (DAY, MONTH, YEAR)


def month_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(month: str) -> datetime.date:
    year, number = int(month[:4]), int(month[5:7])
    first_next = datetime.date(year + (number == 12), number % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def opening_row(start: datetime.date, balance: Money) -> BookRow:
    """上年结转 on the first day of a year, 期初余额 on any other day."""
    label = "上年结转" if (start.month, start.day) == (1, 1) else "期初余额"
    return BookRow(OPENING, start, label, ZERO, ZERO, balance)


def book_rows(
    *,
    start: datetime.date,
    opening: Money,
    year_before: tuple[Money, Money],
    postings: Iterable[Posting],
    daily: bool = False,
) -> list[BookRow]:
    """明细账 or 日记账 rows: the opening row, then for each month that has postings its
    postings with their running balance, (with ``daily``, a 本日合计 row after each day's
    postings), a 本月合计 row and a 本年累计 row.

    Args:
        start: the period's first day (the opening row's date).
        opening: the signed balance at ``start``.
        year_before: debit and credit movements of the year before ``start`` (zero when the
            period starts on 1 January), which 本年累计 adds to.
        postings: in date order.
    """
    rows = [opening_row(start, opening)]
    balance = opening
    year_debit, year_credit = year_before
    by_month: dict[str, list[Posting]] = {}
    for p in postings:
        by_month.setdefault(month_of(p.date), []).append(p)
    for month, items in by_month.items():
        month_debit = month_credit = ZERO
        day_debit = day_credit = ZERO
        for i, p in enumerate(items):
            balance += p.debit - p.credit
            month_debit += p.debit
            month_credit += p.credit
            day_debit += p.debit
            day_credit += p.credit
            rows.append(BookRow(POSTING, p.date, p.memo, p.debit, p.credit, balance, p))
            last_of_day = i + 1 == len(items) or items[i + 1].date != p.date
            if daily and last_of_day:
                rows.append(BookRow(DAY, p.date, "本日合计", day_debit, day_credit, balance))
            if last_of_day:
                day_debit = day_credit = ZERO
        year_debit += month_debit
        year_credit += month_credit
        end = month_end(month)
        rows.append(BookRow(MONTH, end, "本月合计", month_debit, month_credit, balance))
        rows.append(BookRow(YEAR, end, "本年累计", year_debit, year_credit, balance))
    return rows


def general_rows(
    *,
    start: datetime.date,
    opening: Money,
    year_before: tuple[Money, Money],
    months: Sequence[str],
    sums: Mapping[str, tuple[Money, Money]],
) -> list[BookRow]:
    """总账 rows of one account: the opening row, then for every month of ``months`` (with or
    without movements) 本月合计 and 本年累计 with the balance at the month's end.

    ``sums``: month → (debit, credit) movements of the account in that month."""
    rows = [opening_row(start, opening)]
    balance = opening
    year_debit, year_credit = year_before
    for month in months:
        debit, credit = sums.get(month, (ZERO, ZERO))
        balance += debit - credit
        year_debit += debit
        year_credit += credit
        end = month_end(month)
        rows.append(BookRow(MONTH, end, "本月合计", debit, credit, balance))
        rows.append(BookRow(YEAR, end, "本年累计", year_debit, year_credit, balance))
    return rows
