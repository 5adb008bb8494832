"""Books of an accounting entity: a village collective (村集体经济组织) or the joint entity of
an alliance (联合社). Under 三独立 every village keeps its own books; so does the joint entity.

Rules enforced here, each with an error that says what would be allowed:

- every entry is built balanced by ``ledger`` (debits = credits, at least two postings, amounts
  positive with at most two places, accounts in the chart of 2023 or its sub-accounts);
- no entry is dated before the opening balances or inside a closed month;
- a mistake is corrected by a red-ink reversal (红字冲销) that names the original, at most once;
- months are closed in order, like a lock date: closing 2025-03 closes every month up to it.

Voucher numbers are given by the books, ``YYYY-NNNN`` counting per calendar year, so two clerks
posting at once get consecutive numbers (the second save conflicts and is retried).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    AlreadyReversedError,
    ClosedPeriodError,
    ConflictError,
    EntryNotFoundError,
    InvalidRequestError,
)
from domain.ids import entity_id
from domain.periods import month_of, parse_month
from ledger.accounts import ChartOfAccounts
from ledger.entries import JournalEntry, Posting, build_entry, red_ink_reversal

OPENING_NUMBER = "期初"


class Books(Aggregate):
    """The books every accounting entity keeps; subclasses add who the entity is."""

    if TYPE_CHECKING:  # set by the subclasses' Registered events (annotations here would
        code: str  # turn the aggregate into a dataclass with another __init__)
        name: str
        township: str
        county: str

    @staticmethod
    def create_id(code: str) -> UUID:
        return entity_id(code)

    def _start_books(self) -> None:
        self.opening_date: datetime.date | None = None
        self.opening: tuple[Posting, ...] = ()
        # Only an index of the entries is kept in memory (and in snapshots): number → date, and
        # who reversed whom. The entries themselves stay in their events; a reversal is given
        # the original by the application, which reads it from the books' own event stream.
        self.entry_dates: dict[str, datetime.date] = {}
        self.reverses: dict[str, str] = {}  # reversal number → original number
        self.reversed_by: dict[str, str] = {}  # original number → reversal number
        self.closed_through: str | None = None
        self.sequences: dict[str, int] = {}  # year → last voucher number (str keys: JSON)

    @property
    def chart(self) -> ChartOfAccounts:
        return ChartOfAccounts.standard()

    # -- guards --------------------------------------------------------------------------------

    def _check_open(self, day: datetime.date, *, field: str = "date") -> None:
        code = getattr(self, "code", "?")
        if self.opening_date is not None and day < self.opening_date:
            raise InvalidRequestError(
                f"{day} is before the opening balances of {code} ({self.opening_date}); "
                f"date the entry on {self.opening_date} or later",
                field=field,
            )
        if self.closed_through is not None and month_of(day) <= self.closed_through:
            raise ClosedPeriodError(
                f"month {month_of(day)} of {code} is closed (closed through "
                f"{self.closed_through}); date the entry in an open month, after "
                f"{self.closed_through}",
                field=field,
            )

    def _next_number(self, day: datetime.date) -> str:
        year = f"{day.year:04d}"
        return f"{year}-{self.sequences.get(year, 0) + 1:04d}"

    # -- opening balances ----------------------------------------------------------------------

    def set_opening_balances(
        self, *, as_of: datetime.date, balances: Iterable[Mapping[str, object]], actor: str
    ) -> None:
        """Record the balances the books start from (期初余额), as balanced postings.

        Allowed until the first entry is posted or a month is closed; a later call replaces the
        earlier balances (both stay in the log).
        """
        if self.entry_dates or self.closed_through is not None:
            raise ConflictError(
                f"the books of {self.code} already have entries or closed months; opening "
                "balances can only be set on books that have none",
                field="balances",
            )
        rows = list(balances)
        postings: tuple[Posting, ...] = ()
        if rows:
            entry = build_entry(
                date=as_of,
                number=OPENING_NUMBER,
                memo="期初余额",
                postings=rows,
                chart=self.chart,
                field_prefix="balances",
            )
            postings = entry.postings
        self._opening_balances_set(as_of=as_of, postings=postings, actor=actor)

    @event("OpeningBalancesSet")
    def _opening_balances_set(
        self, *, as_of: datetime.date, postings: tuple[Posting, ...], actor: str
    ) -> None:
        self.opening_date = as_of
        self.opening = tuple(postings)

    # -- entries -------------------------------------------------------------------------------

    def post_entry(
        self,
        *,
        date: datetime.date,
        memo: str,
        postings: Iterable[Mapping[str, object]],
        actor: str,
    ) -> JournalEntry:
        """Post a balanced journal entry (记账凭证) and return it with its voucher number."""
        if not memo.strip():
            raise InvalidRequestError(
                f"an entry in the books of {self.code} needs a memo (摘要)", field="memo"
            )
        self._check_open(date)
        entry = build_entry(
            date=date,
            number=self._next_number(date),
            memo=memo.strip(),
            postings=list(postings),
            chart=self.chart,
        )
        self._entry_posted(entry=entry, actor=actor)
        return entry

    @event("EntryPosted")
    def _entry_posted(self, *, entry: JournalEntry, actor: str) -> None:
        self._record_entry(entry)

    def _record_entry(self, entry: JournalEntry) -> None:
        self.entry_dates[entry.number] = entry.date
        year = entry.number[:4]
        self.sequences[year] = self.sequences.get(year, 0) + 1

    def has_entry(self, number: str) -> bool:
        return number in self.entry_dates

    def require_entry(self, number: str) -> None:
        if number not in self.entry_dates:
            raise EntryNotFoundError(
                f"entry {number} is not in the books of {self.code}", field="number"
            )

    def reverse_entry(
        self, *, original: JournalEntry, date: datetime.date, reason: str, actor: str
    ) -> JournalEntry:
        """Reverse a whole entry in red ink (红字冲销), once, dated in an open month.

        ``original`` is the entry as posted in these books (the application reads it from
        their event stream); it is checked against the index before anything is emitted.
        """
        number = original.number
        self.require_entry(number)
        if self.entry_dates[number] != original.date:
            raise ConflictError(
                f"entry {number} given for reversal is not the one in the books of {self.code}"
            )
        if number in self.reverses:
            raise ConflictError(
                f"entry {number} of {self.code} is itself the reversal of "
                f"{self.reverses[number]}; post a new entry instead of reversing a reversal",
                field="number",
            )
        if number in self.reversed_by:
            raise AlreadyReversedError(
                f"entry {number} of {self.code} was already reversed by "
                f"{self.reversed_by[number]}; an entry can be reversed once",
                field="number",
            )
        if not reason.strip():
            raise InvalidRequestError(
                f"reversing entry {number} of {self.code} needs a reason", field="reason"
            )
        if date < original.date:
            raise InvalidRequestError(
                f"the reversal of entry {number} of {self.code} cannot be dated {date}, before "
                f"the entry itself ({original.date})",
                field="date",
            )
        self._check_open(date)
        reversal = red_ink_reversal(
            original,
            date=date,
            number=self._next_number(date),
            memo=f"冲销 {number}: {reason.strip()}",
        )
        self._entry_reversed(entry=reversal, reason=reason.strip(), actor=actor)
        return reversal

    @event("EntryReversed")
    def _entry_reversed(self, *, entry: JournalEntry, reason: str, actor: str) -> None:
        self._record_entry(entry)
        assert entry.reverses is not None
        self.reversed_by[entry.reverses] = entry.number
        self.reverses[entry.number] = entry.reverses

    # -- periods -------------------------------------------------------------------------------

    def close_month(self, *, month: str, today: datetime.date, actor: str) -> None:
        """Close every month up to and including ``month`` (结账); no entry may be dated in it."""
        parse_month(month)
        if self.closed_through is not None and month <= self.closed_through:
            raise ClosedPeriodError(
                f"the books of {self.code} are already closed through {self.closed_through}; "
                f"close a later month than {self.closed_through}",
                field="month",
            )
        if month >= month_of(today):
            raise InvalidRequestError(
                f"month {month} has not ended yet (today is {today}); a month can be closed "
                "once it is over",
                field="month",
            )
        if self.opening_date is not None and month < month_of(self.opening_date):
            raise InvalidRequestError(
                f"the books of {self.code} open on {self.opening_date}; close "
                f"{month_of(self.opening_date)} or a later month",
                field="month",
            )
        self._month_closed(month=month, actor=actor)

    @event("MonthClosed")
    def _month_closed(self, *, month: str, actor: str) -> None:
        self.closed_through = month


class VillageCollective(Books):
    """A member village's collective economic organisation (村集体经济组织) and its own books."""

    @event("Registered")
    def __init__(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        population: int,
        households: int,
        flags: list[str],
        actor: str,
    ) -> None:
        self.code = code
        self.name = name
        self.township = township
        self.county = county
        self.population = population
        self.households = households
        self.flags = list(flags)
        self._start_books()

    kind = "village"


class JointEntity(Books):
    """The joint entity of an alliance (联合社 / 强村公司 / 资金池): pooled money, its own books."""

    @event("Registered")
    def __init__(
        self,
        *,
        code: str,
        name: str,
        alliance_code: str,
        township: str,
        county: str,
        actor: str,
    ) -> None:
        self.code = code
        self.name = name
        self.alliance_code = alliance_code
        self.township = township
        self.county = county
        self._start_books()

    kind = "joint"
