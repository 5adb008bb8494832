"""Books of an accounting entity: a village collective (村集体经济组织) or the joint entity of
an alliance (联合社). Under 三独立 every village keeps its own books; so does the joint entity.

Rules enforced here, each with an error that says what would be allowed: every entry is built
balanced by ``ledger`` (two postings at least, positive two-place amounts, accounts of the
chart of 2023 or its sub-accounts); none is dated before the opening balances, in a closed
month (months close in order, like a lock date) or in a year closed by 年终结转 until it is
reopened (``domain/books/closing.py``); a mistake is corrected once by a red-ink reversal
(红字冲销) naming the original; cash never goes below zero and an entry describes something
that can happen, whichever command posts it (``domain/books/rules.py``); sub-accounts are
opened before they are posted to, and a chart account with sub-accounts takes no postings of
its own (``domain/books/chart.py``). Many vouchers posted at once are one event
(``VouchersPosted``, ``domain/books/batch.py``).

The guards read the books through protocols (this module imports them, not the other way round);
the commands that load and save books are ``domain/books/service.py``. Voucher numbers are given
by the books (per month and 凭证字 or per year: ``domain/books/numbering.py``).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.books.batch import record_vouchers
from domain.books.chart import (
    is_open,
    open_for_operation,
    open_sub_accounts,
    refuse_new_sub_account,
    refuse_rename,
    refuse_retire,
)
from domain.books.closing import (
    check_month_reopenable,
    closed_before,
    closing_entries,
    reopening_reversals,
)
from domain.books.equity import EquityRegister, check_land, check_refund
from domain.books.numbering import BooksNumbering, BooksSnapshot, upcast_v2_v3
from domain.books.reading import BooksReading
from domain.books.rules import (
    check_month_closable,
    check_open,
    checked_entry,
    checked_reversal,
    move,
    opening_postings,
    summaries,
    upcast_v1_v2,
)
from domain.ids import entity_id
from domain.programmes import programme_name
from ledger.entries import JournalEntry, Posting
from ledger.money import to_fen


class Books(BooksNumbering, BooksReading, Aggregate):
    """The books every accounting entity keeps; subclasses add who the entity is."""

    # Snapshots of version 1 carried ``entry_dates`` (number → date of every entry); version 2
    # drops it; version 3 counts numbers per month and 凭证字 too (``books/numbering.py``).
    class_version = 3

    upcast_v1_v2 = staticmethod(upcast_v1_v2)
    upcast_v2_v3 = staticmethod(upcast_v2_v3)

    Snapshot = BooksSnapshot  # without the township's numbering choice

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
        # The state does not grow with the entries: an entry exists when its number is within
        # its sequence; only who reversed whom is kept. The entries stay in their events (a
        # reversal is given the original by the application, from the books' own stream).
        self.reverses: dict[str, str] = {}  # reversal number → original number
        self.reversed_by: dict[str, str] = {}  # original number → reversal number
        self.closed_through: str | None = None
        self.sequences: dict[str, int] = {}  # year → last yearly number (str keys: JSON)
        self.month_sequences: dict[str, int] = {}  # 2026-07-J → last number (books/numbering.py)
        self.year_schemes: dict[str, str] = {}  # year → yearly | monthly, fixed by its first entry
        # Running balance of every account, fen, debit positive (the guards read it, no view)
        self.balances: dict[str, int] = {}
        self.account_names: dict[str, str] = {}  # sub-accounts opened: code → name
        self.closed_years: dict[str, list[str]] = {}  # year → its 年终结转 entry numbers
        # Kept so that no check reads every account (a village paying 5,000 households has a
        # 211 sub-account each): the balance of each chart account (its first three
        # digits) with its sub-accounts, and how many sub-accounts each has (opened or used).
        self.totals: dict[str, int] = {}
        self.sub_accounts: dict[str, int] = {}

    def set_opening_balances(
        self, *, as_of: datetime.date, balances: Iterable[Mapping[str, object]], actor: str
    ) -> None:
        """Record the balances the books start from (期初余额), as balanced postings.

        Allowed until the first entry is posted or a month is closed; a later call replaces the
        earlier balances (both stay in the log).
        """
        postings = opening_postings(self, as_of, list(balances))
        self._opening_balances_set(as_of=as_of, postings=postings, actor=actor)

    @event("OpeningBalancesSet")
    def _opening_balances_set(
        self, *, as_of: datetime.date, postings: tuple[Posting, ...], actor: str
    ) -> None:
        self.opening_date = as_of
        self.opening = tuple(postings)
        self.balances = {}
        for posting in postings:
            move(self, posting)
        self.totals, self.sub_accounts = summaries(self.balances, self.account_names)

    @event("YearFiguresRecorded")
    def _year_figures_recorded(
        self, *, as_of: datetime.date, year_start: dict[str, int], debits: dict[str, int],
        credits: dict[str, int], actor: str,
    ) -> None:  # fmt: skip
        """建账 during a year (``domain/books/setup.py``): 年初余额 and 本年累计 (fen), which the
        statements read; the books themselves run on the 期初余额."""

    def prepare_entry(
        self,
        *,
        date: datetime.date,
        memo: str,
        postings: Iterable[Mapping[str, object]],
        word: str | None = None,
    ) -> JournalEntry:
        """Check and build the next entry of these books without recording it (``word``: the
        凭证字 a clerk chose, checked against the lines once they are)."""
        rows = list(postings)
        entry = checked_entry(
            self, self.next_number(date, rows, word), date=date, memo=memo, rows=rows
        )
        return self.checked_word(entry, word)

    def post_entry(
        self,
        *,
        date: datetime.date,
        memo: str,
        postings: Iterable[Mapping[str, object]],
        actor: str,
        source: str | None = None,
        word: str | None = None,
    ) -> JournalEntry:
        """Post a balanced journal entry (记账凭证) and return it with its voucher number.

        ``source`` names what caused a posting the system made (``plan:P2025``,
        ``capital:J01``); entries a clerk posts have none. ``word``: the clerk's 凭证字.
        """
        rows = list(postings)
        open_for_operation(self, rows, source=source, actor=actor)
        entry = self.prepare_entry(date=date, memo=memo, postings=rows, word=word)
        self._entry_posted(entry=entry, actor=actor, source=source)
        return entry

    @event("EntryPosted")
    def _entry_posted(self, *, entry: JournalEntry, actor: str, source: str | None = None) -> None:
        self._record_entry(entry)

    def _record_entry(self, entry: JournalEntry) -> None:
        for posting in entry.postings:
            move(self, posting)
        self.counters.record(entry.number)

    def record_vouchers(self, *, vouchers: list[Any], actor: str) -> None:
        """Record vouchers checked by ``domain.books.batch.VoucherChecks`` as one event."""
        self._vouchers_posted(vouchers=vouchers, actor=actor)

    @event("VouchersPosted")
    def _vouchers_posted(self, *, vouchers: list[Any], actor: str) -> None:
        record_vouchers(self, vouchers)  # many vouchers, compact (domain/books/batch.py)

    def reverse_entry(
        self,
        *,
        original: JournalEntry,
        date: datetime.date,
        reason: str,
        actor: str,
        source: str | None = None,
        correction: bool = False,
        memo: str | None = None,
    ) -> JournalEntry:
        """Reverse a whole entry in red ink (红字冲销), once, dated in an open month.

        ``original`` is the entry as posted in these books (the application reads it from
        their event stream); it is checked against the index before anything is emitted.
        ``source`` is what posted it: an entry of an operation that spans several books is
        reversed only by that operation's correction (``correction=True``), which changes
        every book in the same save (``domain.sources``). ``memo``: the reversal's 摘要 (a
        red-ink voucher's own; ``冲销 <number>: <reason>`` without one).
        """
        reversal = self.prepare_reversal(
            original=original, date=date, reason=reason, source=source, correction=correction
        )
        if memo:
            reversal = dataclasses.replace(reversal, memo=memo)
        self._entry_reversed(entry=reversal, reason=reason.strip(), actor=actor)
        return reversal

    def prepare_reversal(
        self,
        *,
        original: JournalEntry,
        date: datetime.date,
        reason: str,
        source: str | None = None,
        correction: bool = False,
    ) -> JournalEntry:
        """The red-ink reversal :meth:`reverse_entry` would post, checked, not recorded."""
        return checked_reversal(
            self,
            original,
            number=self.reversal_number(date, original),
            date=date,
            reason=reason,
            source=source,
            correction=correction,
            joint_books=isinstance(self, JointEntity),
        )

    @event("EntryReversed")
    def _entry_reversed(self, *, entry: JournalEntry, reason: str, actor: str) -> None:
        self._record_entry(entry)
        assert entry.reverses is not None
        self.reversed_by[entry.reverses] = entry.number
        self.reverses[entry.number] = entry.reverses

    def close_month(self, *, month: str, today: datetime.date, actor: str) -> None:
        """Close every month up to and including ``month`` (结账); no entry may be dated in it."""
        check_month_closable(self, month, today)
        self._month_closed(month=month, actor=actor)

    @event("MonthClosed")
    def _month_closed(self, *, month: str, actor: str) -> None:
        self.closed_through = month

    def reopen_month(
        self, *, month: str, reason: str, sheets: list[str], new_version_follows: bool, actor: str
    ) -> None:
        """反结账 of the latest closed month, with the reason and the published 三公开 sheets
        covering it (``domain/books/closing.py``); closed through the month before after it."""
        check_month_reopenable(self, month, reason, sheets, new_version_follows)
        before = closed_before(self, month)
        self._month_reopened(
            month=month, closed_through=before, reason=reason.strip(), sheets=sheets, actor=actor
        )

    @event("MonthReopened")
    def _month_reopened(
        self, *, month: str, closed_through: str | None, reason: str, sheets: list[str], actor: str
    ) -> None:
        self.closed_through = closed_through

    # -- the chart of these books (domain/books/chart.py) --------------------------------------

    @property
    def open_accounts(self) -> dict[str, str]:
        """Every sub-account open in these books, code → name (see ``open_sub_accounts``)."""
        return open_sub_accounts(self)

    def open_account(
        self, *, code: str, name: str, parent: str, actor: str, kind: str | None = None
    ) -> None:
        """Open a sub-account a clerk asked for (开设明细科目), saying what it is kept for
        when ``kind`` is given; refused as ``refuse_new_sub_account`` says."""
        refuse_new_sub_account(self, code=code, name=name, parent=parent, kind=kind)
        self._account_opened(code=code, name=name.strip(), parent=parent, actor=actor, source=None)
        if kind is not None:
            self._account_classified(code=code, kind=kind, actor=actor)

    def rename_account(self, *, code: str, name: str, actor: str) -> None:
        """Give an open sub-account another name (``refuse_rename``)."""
        self._account_renamed(code=code, name=refuse_rename(self, code, name), actor=actor)

    def retire_account(self, *, code: str, actor: str) -> None:
        """Stop using (停用) a sub-account never posted to (``refuse_retire``)."""
        refuse_retire(self, code)
        self._account_retired(code=code, actor=actor)

    @event("AccountClassified")
    def _account_classified(self, *, code: str, kind: str, actor: str) -> None:
        self.__dict__.setdefault("account_kinds", {})[code] = kind

    @event("AccountRenamed")
    def _account_renamed(self, *, code: str, name: str, actor: str) -> None:
        self.account_names[code] = name

    @event("AccountRetired")
    def _account_retired(self, *, code: str, actor: str) -> None:
        del self.account_names[code]
        self.sub_accounts[code[:3]] -= 1
        self.__dict__.setdefault("account_kinds", {}).pop(code, None)

    def ensure_account(self, code: str, name: str, *, actor: str, source: str) -> None:
        """Open a sub-account an operation needs, in the same save, unless it is open already
        (chart accounts need no opening)."""
        if not is_open(self, code):
            self._account_opened(code=code, name=name, parent=code[:3], actor=actor, source=source)

    @event("AccountOpened")
    def _account_opened(
        self, *, code: str, name: str, parent: str, actor: str, source: str | None = None
    ) -> None:
        names = self.__dict__.setdefault("account_names", {})
        if code not in names and code not in self.balances:
            self.sub_accounts[code[:3]] = self.sub_accounts.get(code[:3], 0) + 1
        names[code] = name

    # -- year-end closing (domain/books/closing.py) --------------------------------------------

    def post_closing(
        self, *, year: int, before: Mapping[str, int], actor: str
    ) -> tuple[list[JournalEntry], dict[str, int]]:
        """Post the 年终结转 of ``year`` from the balances of 31 December (``before``, fen,
        debit positive) and record the year closed with the balances it carries forward.

        The guards (year over, not closed yet, years in order) are ``domain/books/closing.py``'s,
        run by the application before; the entries are dated 31 December even when December
        is already closed by 结账: they only move income into 本年收益 and 收益分配.
        """
        posted, carried = closing_entries(before, year, self.year_end_numbers(year), self.chart)
        for entry in posted:
            self._entry_posted(entry=entry, actor=actor, source=f"year-end:{year}")
        self._year_closed(
            year=year,
            entries=[e.number for e in posted],
            balances=dict(sorted(carried.items())),
            actor=actor,
        )
        return posted, carried

    @event("YearClosed")
    def _year_closed(
        self, *, year: int, entries: list[str], balances: dict[str, int], actor: str
    ) -> None:
        self.years_closed[str(year)] = list(entries)

    def reverse_closing(
        self, *, year: int, originals: list[JournalEntry], reason: str, actor: str
    ) -> list[JournalEntry]:
        """Reopen ``year``: reverse its 年终结转 entries in red ink, dated 31 December, last
        first, and record the reopening with its reason."""
        reversals = reopening_reversals(originals, year, self.year_end_numbers(year), reason)
        for reversal in reversals:
            self._entry_reversed(entry=reversal, reason=reason, actor=actor)
        self._year_reopened(
            year=year, reason=reason, entries=[r.number for r in reversals], actor=actor
        )
        return reversals

    @event("YearReopened")
    def _year_reopened(self, *, year: int, reason: str, entries: list[str], actor: str) -> None:
        self.years_closed.pop(str(year), None)


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


class JointEntity(EquityRegister, Books):
    """The joint entity of an alliance (联合社 / 强村公司 / 资金池): pooled money, its own books and
    an equity register (股权登记) of what each member village put in.

    The register keeps each village's capital by fund programme (fen, so snapshots round-trip
    exactly) and its land shares; both are the bases of the alliance's distribution plans.
    """

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
        # village → programme → list of [ISO date, fen] contributions
        self.capital: dict[str, dict[str, list[list[Any]]]] = {}
        # village → list of land share records
        self.land: dict[str, list[dict[str, Any]]] = {}

    kind = "joint"

    # -- equity register -----------------------------------------------------------------------

    def contribute_capital(
        self,
        *,
        village: str,
        programme: str,
        amount: Money,
        date: datetime.date,
        actor: str,
        village_name: str | None = None,
    ) -> JournalEntry:
        """Capital paid in by a member village (借 102 银行存款, 贷 301 资本-village); opens
        301{village} (资本-仉家村, after ``village_name``) with it the first time."""
        programme_name(programme)
        self.ensure_account(
            f"301{village}",
            f"资本-{village_name or village}",
            actor=actor,
            source=f"capital:{village}",
        )
        entry = self.prepare_entry(
            date=date,
            memo=f"{village}投入资本（{programme_name(programme)}）",
            postings=[
                {"account": "102", "side": "debit", "amount": amount},
                {"account": f"301{village}", "side": "credit", "amount": amount},
            ],
        )
        self._capital_contributed(
            entry=entry, village=village, programme=programme, amount=amount, actor=actor
        )
        return entry

    @event("CapitalContributed")
    def _capital_contributed(
        self, *, entry: JournalEntry, village: str, programme: str, amount: Money, actor: str
    ) -> None:
        self._record_entry(entry)
        records = self.capital.setdefault(village, {}).setdefault(programme, [])
        records.append([entry.date.isoformat(), to_fen(amount)])

    def refund_capital(
        self,
        *,
        village: str,
        programme: str,
        amount: Money,
        date: datetime.date,
        reason: str,
        actor: str,
    ) -> JournalEntry:
        """Capital returned to a village (退还资本: 借 301 资本-village, 贷 102 银行存款), the
        equity register reduced by the programme it was paid in from. A counter-entry, not red
        ink: money really goes back, on its own date (also when a village leaves the alliance
        and takes its capital with it)."""
        name = programme_name(programme)
        check_refund(self.capital, self.code, village, programme, amount, date, reason=reason)
        entry = self.prepare_entry(
            date=date,
            memo=f"退还{village}资本（{name}）：{reason.strip()}",
            postings=[
                {"account": f"301{village}", "side": "debit", "amount": amount},
                {"account": "102", "side": "credit", "amount": amount},
            ],
        )
        self._capital_refunded(
            entry=entry,
            village=village,
            programme=programme,
            amount=amount,
            reason=reason.strip(),
            actor=actor,
            source=f"capital:{village}",
        )
        return entry

    @event("CapitalRefunded")
    def _capital_refunded(
        self,
        *,
        entry: JournalEntry,
        village: str,
        programme: str,
        amount: Money,
        reason: str,
        actor: str,
        source: str,
    ) -> None:
        self._record_entry(entry)
        records = self.capital.setdefault(village, {}).setdefault(programme, [])
        records.append([entry.date.isoformat(), -to_fen(amount)])

    def contribute_land(
        self,
        *,
        village: str,
        mu: Decimal,
        grade: Decimal,
        value_per_mu: Money,
        term_years: int,
        date: datetime.date,
        actor: str,
    ) -> None:
        """Land contributed as shares (土地入股): recorded in the equity register, not booked."""
        check_land(mu=mu, grade=grade, term_years=term_years, date=date)
        check_open(self, date)
        self._land_share_contributed(
            village=village,
            mu=mu,
            grade=grade,
            value_per_mu=value_per_mu,
            term_years=term_years,
            date=date,
            actor=actor,
        )

    @event("LandShareContributed")
    def _land_share_contributed(
        self,
        *,
        village: str,
        mu: Decimal,
        grade: Decimal,
        value_per_mu: Money,
        term_years: int,
        date: datetime.date,
        actor: str,
    ) -> None:
        self.land.setdefault(village, []).append(
            {
                "date": date.isoformat(),
                "mu": str(mu),
                "grade": str(grade),
                "term_years": term_years,
                "value_per_mu_fen": to_fen(value_per_mu),
            }
        )

    def receive_grant(
        self, *, programme: str, amount: Money, date: datetime.date, memo: str, actor: str
    ) -> JournalEntry:
        """A grant earmarked for a programme (借 102, 贷 241 专项应付款-programme)."""
        name = programme_name(programme)
        self.ensure_account(
            f"241{programme}", f"专项应付款-{name}", actor=actor, source=f"grant:{programme}"
        )
        entry = self.prepare_entry(
            date=date,
            memo=memo or f"收到{name}",
            postings=[
                {"account": "102", "side": "debit", "amount": amount},
                {"account": f"241{programme}", "side": "credit", "amount": amount},
            ],
        )
        self._grant_received(entry=entry, programme=programme, amount=amount, actor=actor)
        return entry

    @event("GrantReceived")
    def _grant_received(
        self, *, entry: JournalEntry, programme: str, amount: Money, actor: str
    ) -> None:
        self._record_entry(entry)
