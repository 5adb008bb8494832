"""Closing the books: months (结账, 反结账) and years (年终结转, reopening), and the guards around
them.

结账 closes the books through a month (every month up to it, like a lock date; the order and
the month being over are ``domain.books.rules.check_month_closable``'s). It is refused while a
voucher dated in a month it closes is not yet posted (draft, submitted or returned: listed, so
the clerk can deal with each, :class:`UnpostedVouchersError`), and unless the trial balance at
the end of the month balances (:func:`check_trial_balance`).

反结账 reopens the latest closed month only, with a reason, recorded by ``MonthReopened``: the
books are then closed through the month before (nothing closed when that is before the opening
balances). It is refused in a year closed by 年终结转 (reopen the year first), and where a
published 三公开 sheet covers the month unless the clerk confirms that a new version of the
sheet will follow (:func:`check_month_reopenable`).

年终结转: on 31 December of the year, in the books of one entity, three entries (each only when
it has something to move), numbered in that year:

1. 结转本年收益: every income and expense account (5xx, with its sub-accounts) to 321 本年收益;
2. 结转本年收益至未分配收益: 321 本年收益 to 32202 收益分配-未分配收益;
3. 结转各项分配至未分配收益: 32201 各项分配 to 32202 未分配收益.

Afterwards 5xx, 321 and 32201 are zero and 32202 holds the undistributed income. The closing
is one operation per entity and year, recorded by a ``YearClosed`` event that carries the
balance of every account after it (fen, debit positive): the balances the next year opens from.

Decisions (a township accountant's order of work):

- a year is closed once it is over (today after 31 December) and in order: the year before
  must be closed first, unless the books open in this year;
- its twelve months must be closed (结账 through December) first: the year's figures are
  final only when no voucher can still be posted into it. The closing entries are dated 31
  December in the closed December, since they only move balances between income and equity
  accounts. Once closed, the year takes no entry, reversal or closing entry of any month
  until it is reopened: the closing is its lock;
- a closing is undone only by reopening the year (recorded with a reason): its entries are
  reversed in red ink, dated 31 December, and the year takes entries again once its months
  are reopened (反结账, the latest first). A later year must be reopened first. The closing
  entries cannot be reversed one by one.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from domain.errors import ClosedPeriodError, ConflictError, InvalidRequestError
from domain.vouchers import STATUS_LABELS
from ledger.accounts import ChartOfAccounts
from ledger.entries import JournalEntry, build_entry, red_ink_reversal
from ledger.money import fen_text, from_fen, to_fen
from ledger.voucher_numbers import number_label


class Books(Protocol):
    """What these guards read of a set of books (``domain.books.Books``), without importing
    it: the aggregate imports this module."""

    @property
    def code(self) -> str: ...
    @property
    def opening_date(self) -> datetime.date | None: ...
    @property
    def years_closed(self) -> dict[str, list[str]]: ...
    @property
    def closed_through(self) -> str | None: ...


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
    before: Mapping[str, int], year: int, numbers: Callable[[int], str], chart: ChartOfAccounts
) -> tuple[list[JournalEntry], dict[str, int]]:
    """The 年终结转 entries of ``year`` (dated 31 December, the k-th numbered ``numbers(k)``:
    the books' next numbers, none of them touching cash, so one sequence) and the balances
    they carry forward (fen, debit positive)."""
    day = datetime.date(year, 12, 31)
    posted: list[JournalEntry] = []
    carried = {code: fen for code, fen in before.items() if fen}
    for k, (memo, postings) in enumerate(closing_postings(before)):
        entry = build_entry(date=day, number=numbers(k), memo=memo, postings=postings, chart=chart)
        posted.append(entry)
        for posting in entry.postings:
            fen = carried.get(posting.account, 0) + to_fen(posting.signed())
            if fen:
                carried[posting.account] = fen
            else:
                carried.pop(posting.account, None)
    return posted, carried


def reopening_reversals(
    originals: list[JournalEntry], year: int, numbers: Callable[[int], str], reason: str
) -> list[JournalEntry]:
    """The red-ink reversals that reopen ``year``: its 年终结转 entries ``originals`` reversed,
    last first, dated 31 December, the k-th numbered ``numbers(k)`` (the books' next)."""
    day = datetime.date(year, 12, 31)
    return [
        red_ink_reversal(
            original,
            date=day,
            number=numbers(k),
            memo=f"冲销 {number_label(original.number)}: 重新打开{year}年度：{reason}",
        )
        for k, original in enumerate(reversed(originals))
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
    december = f"{year:04d}-12"
    if books.closed_through is None or books.closed_through < december:
        through = books.closed_through or "none"
        raise ConflictError(
            f"the months of {year} of {books.code} are not all closed (closed through "
            f"{through}); close the books through {december} (结账) first: a year is closed "
            "after its twelve months",
            field="year",
            zh=f"{books.code} 的 {year} 年还有月份没有结账（"
            + (f"已结账至 {books.closed_through}" if books.closed_through else "还没有结账")
            + f"）：请先结账至 {year} 年 12 月，再做年终结转",
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


# -- months: 结账 and 反结账 ---------------------------------------------------------------------

# A voucher holds its month open until it is posted: a draft, a submitted, a reviewed (已审核, not
# yet posted) or a returned one (any status but these): posted, or voided (作废: it never posts).
SETTLED = frozenset({"posted", "voided"})

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class UnpostedVoucher:
    """A voucher dated in a month being closed that is not in the books yet."""

    draft: str  # its id (hex), as in /vouchers/{draft}
    date: datetime.date
    summary: str
    status: str
    preparer: str


class UnpostedVouchersError(ConflictError):
    """结账 refused: vouchers dated in the months it would close are not posted; ``vouchers``
    lists them (``details["vouchers"]``: their ids, comma-separated)."""

    def __init__(self, code: str, month: str, vouchers: Sequence[UnpostedVoucher]) -> None:
        self.vouchers = tuple(vouchers)
        listed = "; ".join(
            f"/v1/vouchers/{v.draft} ({v.date} {v.summary}, {v.status})" for v in self.vouchers
        )
        shown = "；".join(
            f"{v.date} {v.summary}（{STATUS_LABELS.get(v.status, v.status)}）"
            for v in self.vouchers
        )
        super().__init__(
            f"{len(self.vouchers)} voucher(s) of {code} dated through {month} are not posted: "
            f"{listed}; have them reviewed and posted, or move them to a later month, before "
            "closing",
            field="month",
            details={"vouchers": ",".join(v.draft for v in self.vouchers)},
            zh=f"{code} 结账至 {month} 前，还有 {len(self.vouchers)} 张凭证没有记账：{shown}。"
            "请先提交、审核、记账，或把凭证日期改到以后的月份，再结账",
        )


def require_month(month: object, *, field: str = "month") -> str:
    """``month`` as ``YYYY-MM``, refused in both languages otherwise."""
    if not isinstance(month, str) or not _MONTH.match(month):
        raise InvalidRequestError(
            f"month {month!r} is not a month; write it as YYYY-MM, e.g. 2025-03",
            field=field,
            zh=f"月份“{month}”写法有误：请写成 2025-03 的样子",
        )
    return month


def month_end(month: str) -> datetime.date:
    """The last day of ``month`` (``YYYY-MM``)."""
    year, number = int(month[:4]), int(month[5:])
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def closed_before(books: Books, month: str) -> str | None:
    """What the books are closed through once ``month`` is reopened: the month before, or
    nothing when that is before the opening balances."""
    year, number = int(month[:4]), int(month[5:])
    before = f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
    opening = books.opening_date
    if opening is not None and before < f"{opening.year:04d}-{opening.month:02d}":
        return None
    return before


def covering_periods(month: str) -> list[str]:
    """The 三公开 periods that contain ``month``: its year, its quarter and itself."""
    quarter = (int(month[5:]) - 1) // 3 + 1
    return [month[:4], f"{month[:4]}-Q{quarter}", month]


def check_vouchers_posted(code: str, month: str, unposted: Iterable[UnpostedVoucher]) -> None:
    """结账 through ``month`` waits for every voucher dated in the months it closes."""
    found = sorted(unposted, key=lambda v: (v.date, v.draft))
    if found:
        raise UnpostedVouchersError(code, month, found)


def check_trial_balance(code: str, month: str, balances: Mapping[str, int]) -> None:
    """The trial balance at the end of ``month`` balances: 借方余额合计 = 贷方余额合计
    (``balances`` in fen, debit positive)."""
    debit = sum(fen for fen in balances.values() if fen > 0)
    credit = -sum(fen for fen in balances.values() if fen < 0)
    if debit != credit:
        shown = [fen_text(f, symbol=True, separators=True) for f in (debit, credit, debit - credit)]
        raise ConflictError(
            f"the trial balance of {code} at the end of {month} does not balance (debit "
            f"{fen_text(debit)}, credit {fen_text(credit)}); find the difference before closing",
            field="month",
            zh=f"{code} {month} 月末试算不平衡：借方合计 {shown[0]}，贷方合计 {shown[1]}，"
            f"相差 {shown[2]}；请查明后再结账",
        )


def check_month_reopenable(
    books: Books, month: str, reason: str, sheets: Sequence[str], new_version_follows: bool
) -> None:
    """反结账: the latest closed month, outside a year closed by 年终结转, with a reason.

    ``sheets`` are the periods of the 三公开 sheets of these books published for a period
    containing the month (its year, its quarter or the month itself: ``covering_periods``),
    at any version. Villagers have read figures of that month, so reopening it means they
    will be told of any change: refused unless the clerk confirms that a new version of each
    of those sheets will follow (``new_version_follows``, recorded with the reopening).
    """
    require_month(month)
    code = books.code
    if books.closed_through is None:
        raise ConflictError(
            f"no month of {code} is closed; there is nothing to reopen",
            field="month",
            zh=f"{code} 还没有结账的月份，无需反结账",
        )
    if month != books.closed_through:
        raise ConflictError(
            f"{code} is closed through {books.closed_through}; only that month, the latest "
            f"closed, can be reopened, not {month}",
            field="month",
            zh=f"{code} 已结账至 {books.closed_through}：只能反结账最近结账的月份"
            f"（{books.closed_through}），不能反结账 {month}",
        )
    year = month[:4]
    if year in books.years_closed:
        raise ConflictError(
            f"year {year} of {code} is closed by 年终结转; reopen the year first",
            field="month",
            zh=f"{code} 的 {year} 年度已年终结转：请先重新打开 {year} 年度，再反结账",
        )
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidRequestError(
            f"reopening {month} of {code} needs a reason (it is recorded)",
            field="reason",
            zh="反结账须写明原因（原因会记录在案）",
        )
    if sheets and not new_version_follows:
        listed = ", ".join(sheets)
        raise ConflictError(
            f"the 三公开 sheet of {code} for {listed} is published and covers {month}; "
            "reopen the month only when a new version of the sheet will follow "
            "(new_version_follows)",
            field="new_version_follows",
            zh=f"{code} {'、'.join(sheets)} 的三公开表已经发布，包含 {month} 月：反结账后须发布"
            "更正版本，请确认将发布新版本后再反结账",
        )
