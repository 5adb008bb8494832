"""Year-end closing (年终结转) as the 2023 system posts it, and the guards around it.

On 31 December of the year, in the books of one entity, three entries (each only when it has
something to move), numbered in that year:

1. 结转本年收益: every income and expense account (5xx, with its sub-accounts) to 321 本年收益;
2. 结转本年收益至未分配收益: 321 本年收益 to 32202 收益分配-未分配收益;
3. 结转各项分配至未分配收益: 32201 各项分配 to 32202 未分配收益.

Afterwards 5xx, 321 and 32201 are zero and 32202 holds the undistributed income. The closing
is one operation per entity and year, recorded by a ``YearClosed`` event that carries the
balance of every account after it (fen, debit positive): the balances the next year opens from.

Decisions (a township accountant's order of work):

- a year is closed once it is over (today after 31 December) and in order: the year before
  must be closed first, unless the books open in this year;
- the months of the year need not be closed (结账) first, and December may be: the closing
  entries are dated 31 December either way, since they only move balances between income and
  equity accounts. Once closed, the year takes no entry, reversal or closing entry of any
  month until it is reopened: the closing is its lock;
- a closing is undone only by reopening the year (recorded with a reason): its entries are
  reversed in red ink, dated 31 December, and the year takes entries again. A later year must
  be reopened first. The closing entries cannot be reversed one by one.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Protocol

from domain.errors import ClosedPeriodError, ConflictError, InvalidRequestError
from ledger.accounts import ChartOfAccounts
from ledger.entries import JournalEntry, build_entry, red_ink_reversal
from ledger.money import from_fen, to_fen


class Books(Protocol):
    """What these guards read of a set of books (``domain.books.Books``), without importing
    it: the aggregate imports this module."""

    @property
    def code(self) -> str: ...
    @property
    def opening_date(self) -> datetime.date | None: ...
    @property
    def years_closed(self) -> dict[str, list[str]]: ...


INCOME_TO_321 = "结转本年收益"
YEAR_TO_32202 = "结转本年收益至未分配收益"
DISTRIBUTED_TO_32202 = "结转各项分配至未分配收益"


def _zeroing(before: Mapping[str, int], prefix: str) -> tuple[list[dict[str, Any]], int]:
    """Postings that bring every account under ``prefix`` to zero, and their net (fen,
    debit positive) that the other side of the entry must take."""
    postings = []
    net = 0
    for code, fen in sorted(before.items()):
        if code.startswith(prefix) and fen:
            postings.append(
                {
                    "account": code,
                    "side": "credit" if fen > 0 else "debit",
                    "amount": from_fen(abs(fen)),
                }
            )
            net += fen
    return postings, net


def _other_side(account: str, net: int) -> dict[str, Any]:
    side = "debit" if net > 0 else "credit"
    return {"account": account, "side": side, "amount": from_fen(abs(net))}


def closing_postings(before: Mapping[str, int]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The closing entries (memo, postings) for the balances of 31 December (fen, debit
    positive); an entry with nothing to move is left out."""
    balances = dict(before)
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for memo, prefix, target in (
        (INCOME_TO_321, "5", "321"),
        (YEAR_TO_32202, "321", "32202"),
        (DISTRIBUTED_TO_32202, "32201", "32202"),
    ):
        postings, net = _zeroing(balances, prefix)
        if not postings:
            continue
        if net:
            postings.append(_other_side(target, net))
        out.append((memo, postings))
        for code in list(balances):
            if code.startswith(prefix):
                balances[code] = 0
        balances[target] = balances.get(target, 0) + net
    return out


def closing_entries(
    before: Mapping[str, int], year: int, sequence: int, chart: ChartOfAccounts
) -> tuple[list[JournalEntry], dict[str, int]]:
    """The 年终结转 entries of ``year`` (dated 31 December, numbered after ``sequence``, the
    year's last voucher number) and the balances they carry forward (fen, debit positive)."""
    day = datetime.date(year, 12, 31)
    posted: list[JournalEntry] = []
    carried = {code: fen for code, fen in before.items() if fen}
    for serial, (memo, postings) in enumerate(closing_postings(before), start=sequence + 1):
        entry = build_entry(
            date=day, number=f"{year:04d}-{serial:04d}", memo=memo, postings=postings, chart=chart
        )
        posted.append(entry)
        for posting in entry.postings:
            fen = carried.get(posting.account, 0) + to_fen(posting.signed())
            if fen:
                carried[posting.account] = fen
            else:
                carried.pop(posting.account, None)
    return posted, carried


def reopening_reversals(
    originals: list[JournalEntry], year: int, sequence: int, reason: str
) -> list[JournalEntry]:
    """The red-ink reversals that reopen ``year``: its 年终结转 entries ``originals`` reversed,
    last first, dated 31 December, numbered after ``sequence`` (the year's last number)."""
    day = datetime.date(year, 12, 31)
    return [
        red_ink_reversal(
            original,
            date=day,
            number=f"{year:04d}-{serial:04d}",
            memo=f"冲销 {original.number}: 重新打开{year}年度：{reason}",
        )
        for serial, original in enumerate(reversed(originals), start=sequence + 1)
    ]


def check_year_open(books: Books, day: datetime.date, *, field: str = "date") -> None:
    """No entry may be dated in a year closed by 年终结转."""
    year = str(day.year)
    closing = books.years_closed.get(year)
    if closing is not None:
        raise ClosedPeriodError(
            f"year {year} of {books.code} is closed by 年终结转 (entries "
            f"{', '.join(closing) or 'none'}); date the entry after {year}, or reopen the year "
            f"(POST /v1/entities/{books.code}/year-end-closings/{year}/reopening with a reason)",
            field=field,
        )


def refuse_closing_reversal(books: Books, number: str) -> None:
    """A closing entry is undone only by reopening its year."""
    for year, numbers in books.years_closed.items():
        if number in numbers:
            raise ConflictError(
                f"entry {number} of {books.code} is the 年终结转 of {year}; it is undone only by "
                f"reopening the year (POST /v1/entities/{books.code}/year-end-closings/{year}/"
                "reopening with a reason), which reverses every closing entry of that year",
                field="number",
            )


def check_closable(books: Books, year: int, today: datetime.date) -> None:
    """A year is closed once it is over, once, and after the year before it."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise InvalidRequestError(f"year {year!r} is not a year such as 2025", field="year")
    if datetime.date(year, 12, 31) >= today:
        raise InvalidRequestError(
            f"year {year} is not over (today is {today}); 年终结转 is posted once the year has "
            f"ended, dated {year}-12-31",
            field="year",
        )
    if books.opening_date is None:
        raise ConflictError(
            f"the books of {books.code} have no opening balances yet; set them before closing "
            "a year",
            field="year",
        )
    first = books.opening_date.year
    if year < first:
        raise InvalidRequestError(
            f"the books of {books.code} open on {books.opening_date}; the first year they can "
            f"close is {first}",
            field="year",
        )
    closing = books.years_closed.get(str(year))
    if closing is not None:
        raise ConflictError(
            f"year {year} of {books.code} is already closed (年终结转 entries "
            f"{', '.join(closing) or 'none: nothing to move'}); reopen it first to close it again",
            field="year",
        )
    if year > first and str(year - 1) not in books.years_closed:
        raise ConflictError(
            f"year {year - 1} of {books.code} is not closed; years are closed in order, close "
            f"{year - 1} first",
            field="year",
        )


def check_reopenable(books: Books, year: int, reason: str) -> None:
    """Only a closed year is reopened, the latest closed first, with a reason."""
    if str(year) not in books.years_closed:
        raise ConflictError(
            f"year {year} of {books.code} is not closed; there is nothing to reopen",
            field="year",
        )
    if str(year + 1) in books.years_closed:
        raise ConflictError(
            f"year {year + 1} of {books.code} is closed too; reopen {year + 1} first",
            field="year",
        )
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidRequestError(
            f"reopening {year} of {books.code} needs a reason (it is recorded)", field="reason"
        )
