"""The commands on a set of books: register a village, set opening balances, post, find and
reverse an entry, close a month (结账) and reopen it (反结账), open a sub-account, close a year
(年终结转) and reopen it.

``BooksService`` receives the application's port (``domain.port``): it loads the books, lets
the aggregate check and record, and saves through the port, retrying when another writer saved
first. It also reads entries back from the books' own event stream (``find_posted``,
``balances_through``), which the other services use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from domain.alliance import VillageMembership
from domain.books import Books, VillageCollective
from domain.books.batch import entries_of
from domain.books.closing import (
    SETTLED,
    UnpostedVoucher,
    check_closable,
    check_reopenable,
    check_trial_balance,
    check_vouchers_posted,
    covering_periods,
    month_end,
    require_month,
)
from domain.books.numbering import NumberAtEntry
from domain.books.rules import check_month_closable
from domain.books.setup import SetupPlan, plan_setup, record_setup
from domain.bounds import check_count
from domain.codes import require_code
from domain.disclosure import DisclosureSheet, sheet_id
from domain.errors import EntryNotFoundError
from domain.periods import month_of
from domain.port import Port
from domain.sources import source_of_event
from domain.vouchers import Voucher
from ledger.entries import JournalEntry
from ledger.money import to_fen

# the stored topics of a voucher's first event and of its approval (which posts it)
VOUCHER_DRAFTED = "domain.vouchers:Voucher.Drafted"
VOUCHER_APPROVED = "domain.vouchers:Voucher.Approved"
VOUCHER_POSTED = "domain.vouchers:Voucher.Posted"


class BooksService:
    """Commands on one set of books; ``app.books``."""

    def __init__(self, port: Port) -> None:
        self.port = port
        # what another capability checks before 结账 through a month (``app.bank``: the bank
        # accounts reconciled); a check refuses by raising, what it answers is a warning
        self.closing_checks: list[Callable[[Books, str], object]] = []

    def register_village(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        population: int,
        households: int,
        flags: Iterable[str] = (),
        actor: str,
    ) -> VillageCollective:
        require_code(code)
        check_count(population, field="population")
        check_count(households, field="households")
        village = VillageCollective(
            code=code,
            name=name,
            township=township,
            county=county,
            population=population,
            households=households,
            flags=sorted(set(flags)),
            actor=actor,
        )
        # its alliance membership is opened with it, so no join ever scans the log for it
        membership = VillageMembership(village=code, township=township, spells=[], actor=actor)
        self.port.save_new(village, membership, what=f"accounting entity {code}")
        return village

    def set_opening_balances(
        self,
        *,
        entity: str,
        as_of: datetime.date,
        balances: Iterable[Mapping[str, object]],
        actor: str,
    ) -> Books:
        rows = list(balances)

        def command() -> Books:
            books = self.port.get_books(entity)
            books.set_opening_balances(as_of=as_of, balances=rows, actor=actor)
            self.port.save(books)
            return books

        return self.port.retrying(command)

    def set_up_books(
        self,
        *,
        entity: str,
        as_of: datetime.date,
        accounts: Iterable[Mapping[str, object]],
        actor: str,
        dry_run: bool = False,
    ) -> SetupPlan:
        """建账 (``domain/books/setup.py``): the sub-accounts, the 期初余额 and, during a year,
        the year's figures before them, all checked, then recorded in one save (with
        ``dry_run``, checked on a copy of the books and not saved)."""
        rows = list(accounts)

        def command() -> SetupPlan:
            books = self.port.get_books(entity)
            plan = plan_setup(books, as_of, rows)
            record_setup(books, plan, actor)
            if not dry_run:
                self.port.save(books)
            return plan

        return command() if dry_run else self.port.retrying(command)

    def post_entry(
        self,
        *,
        entity: str,
        date: datetime.date,
        memo: str,
        postings: Iterable[Mapping[str, object]],
        actor: str,
        word: str | None = None,
    ) -> JournalEntry:
        rows = list(postings)

        def command() -> JournalEntry:
            books = self.port.get_books(entity)
            entry = books.post_entry(date=date, memo=memo, postings=rows, actor=actor, word=word)
            self.port.save(books)
            return entry

        return self.port.retrying(command)

    def next_number(
        self,
        *,
        entity: str,
        date: datetime.date,
        postings: Iterable[Mapping[str, object]] = (),
        word: str | None = None,
    ) -> str:
        """The number an entry dated ``date`` with ``postings`` would take now (what a voucher
        form shows before it is posted); nothing is checked or written."""
        found = self.number_at_entry(entity=entity, date=date, postings=postings, word=word)
        return found.number or ""

    def number_at_entry(
        self,
        *,
        entity: str,
        date: datetime.date,
        postings: Iterable[Mapping[str, object]] = (),
        word: str | None = None,
    ) -> NumberAtEntry:
        """:meth:`next_number` as a voucher form and the API show it (label, 凭证字, the words
        the lines allow)."""
        return self.port.get_books(entity).number_at_entry(date, list(postings), word or None)

    def find_entry(self, entity: str, number: str) -> JournalEntry:
        """An entry as posted, read from the books' own event stream (newest first)."""
        return self.find_posted(entity, number)[0]

    def find_posted(self, entity: str, number: str) -> tuple[JournalEntry, str | None]:
        """An entry as posted and its ``source`` (``domain.sources``), from the books' stream."""
        books = self.port.get_books(entity)
        books.require_entry(number)
        for event in self.port.stream(books.id, desc=True):
            for entry in entries_of(event):
                if entry.number == number:
                    return entry, source_of_event(event)
        raise EntryNotFoundError(  # pragma: no cover - the index said it is there
            f"entry {number} is not in the books of {entity}", field="number"
        )

    def posted_entries(self, books: Books) -> list[tuple[JournalEntry, str | None]]:
        """Every entry of ``books`` as posted, with its source, oldest first."""
        found = []
        for event in self.port.stream(books.id):
            found += [(entry, source_of_event(event)) for entry in entries_of(event)]
        return found

    def reverse_entry(
        self, *, entity: str, number: str, date: datetime.date, reason: str, actor: str
    ) -> JournalEntry:
        def command() -> JournalEntry:
            original, source = self.find_posted(entity, number)
            books = self.port.get_books(entity)
            entry = books.reverse_entry(
                original=original, date=date, reason=reason, actor=actor, source=source
            )
            self.port.save(books)
            return entry

        return self.port.retrying(command)

    def close_month(self, *, entity: str, month: str, actor: str) -> Books:
        """结账 through ``month`` (``domain/books/closing.py``): in order, once over, every
        voucher dated in the months it closes posted, the trial balance balanced, and what the
        other capabilities check (``closing_checks``: the bank accounts reconciled, refused
        only where the township's setting says so)."""

        def command() -> Books:
            books = self.port.get_books(entity)
            today = self.port.today()
            check_month_closable(books, month, today)
            unposted = self.unposted_vouchers(entity, books.closed_through, month)
            check_vouchers_posted(entity, month, unposted)
            check_trial_balance(entity, month, self.balances_through(books, month_end(month)))
            for check in self.closing_checks:
                check(books, month)
            books.close_month(month=month, today=today, actor=actor)
            self.port.save(books)
            return books

        return self.port.retrying(command)

    def unposted_vouchers(
        self, entity: str, after: str | None, through: str
    ) -> list[UnpostedVoucher]:
        """The vouchers of ``entity`` dated after month ``after`` (None: any) through month
        ``through`` that are not posted, read from the store (not a read model, which may lag):
        the vouchers drafted for these books, less those posted, each loaded for its date and
        status as they stand (a reviewed voucher is not posted: 已审核 holds its month open)."""
        approved = {
            event.originator_id
            for topic in (VOUCHER_APPROVED, VOUCHER_POSTED)
            for event in self.port.events_of_topic(topic)
        }
        found = []
        for event in self.port.events_of_topic(VOUCHER_DRAFTED):
            if getattr(event, "entity", None) != entity or event.originator_id in approved:
                continue
            voucher = self.port.find(event.originator_id)
            if not isinstance(voucher, Voucher) or voucher.status in SETTLED:
                continue
            month = month_of(voucher.date)
            if (after is None or month > after) and month <= through:
                found.append(
                    UnpostedVoucher(
                        draft=voucher.draft,
                        date=voucher.date,
                        summary=voucher.summary,
                        status=voucher.status,
                        preparer=voucher.preparer,
                    )
                )
        return found

    def published_sheets(self, entity: str, month: str) -> list[str]:
        """The periods of the 三公开 sheets of ``entity`` published (any version) for a period
        containing ``month``: its year, its quarter, itself."""
        found = []
        for period in covering_periods(month):
            sheet = self.port.find(sheet_id(entity, period))
            if isinstance(sheet, DisclosureSheet) and sheet.versions:
                found.append(period)
        return found

    def reopen_month(
        self,
        *,
        entity: str,
        month: str,
        reason: str,
        actor: str,
        new_version_follows: bool = False,
    ) -> Books:
        """反结账 of the latest closed month, with the reason; refused under a published 三公开
        sheet unless ``new_version_follows`` (``closing.check_month_reopenable``)."""

        def command() -> Books:
            books = self.port.get_books(entity)
            sheets = self.published_sheets(entity, require_month(month))
            books.reopen_month(
                month=month,
                reason=reason,
                sheets=sheets,
                new_version_follows=new_version_follows,
                actor=actor,
            )
            self.port.save(books)
            return books

        return self.port.retrying(command)

    def open_account(
        self,
        *,
        entity: str,
        code: str,
        name: str,
        parent: str,
        actor: str,
        kind: str | None = None,
    ) -> Books:
        """Open a sub-account (开设明细科目) in the books of ``entity``."""

        def command() -> Books:
            books = self.port.get_books(entity)
            books.open_account(code=code, name=name, parent=parent, actor=actor, kind=kind)
            self.port.save(books)
            return books

        return self.port.retrying(command)

    def rename_account(self, *, entity: str, code: str, name: str, actor: str) -> Books:
        """Rename a sub-account of the books of ``entity``."""

        def command() -> Books:
            books = self.port.get_books(entity)
            books.rename_account(code=code, name=name, actor=actor)
            self.port.save(books)
            return books

        return self.port.retrying(command)

    def retire_account(self, *, entity: str, code: str, actor: str) -> Books:
        """Stop using (停用) a sub-account of the books of ``entity`` never posted to."""

        def command() -> Books:
            books = self.port.get_books(entity)
            books.retire_account(code=code, actor=actor)
            self.port.save(books)
            return books

        return self.port.retrying(command)

    # -- reading the books' own stream -------------------------------------------------------

    def _book_events(self, books: Books) -> Iterable[Any]:
        return self.port.stream(books.id, lte=books.version)

    def balances_through(self, books: Books, day: datetime.date) -> dict[str, int]:
        """Balance of every account on ``day`` (fen, debit positive), from the books' events:
        the latest opening balances plus every entry dated up to ``day``."""
        opening: dict[str, int] = {}
        moves: dict[str, int] = {}
        for event in self._book_events(books):
            if type(event).__name__ == "OpeningBalancesSet":
                opening = {}
                for posting in event.postings:
                    opening[posting.account] = opening.get(posting.account, 0) + to_fen(
                        posting.signed()
                    )
            for entry in entries_of(event):
                if entry.date <= day:
                    for posting in entry.postings:
                        moves[posting.account] = moves.get(posting.account, 0) + to_fen(
                            posting.signed()
                        )
        total = dict(opening)
        for code, fen in moves.items():
            total[code] = total.get(code, 0) + fen
        return {code: fen for code, fen in sorted(total.items()) if fen}

    def _entries(self, books: Books, numbers: list[str]) -> list[JournalEntry]:
        wanted = set(numbers)
        found: dict[str, JournalEntry] = {}
        for event in self._book_events(books):
            for entry in entries_of(event):
                if entry.number in wanted:
                    found[entry.number] = entry
        return [found[n] for n in numbers]

    # -- year-end closing --------------------------------------------------------------------

    def close_year(
        self, *, entity: str, year: int, actor: str
    ) -> tuple[list[JournalEntry], dict[str, int]]:
        """年终结转 of ``year`` in the books of ``entity`` (see ``domain/books/closing.py``):
        returns the closing entries and the balances carried into the next year (fen)."""

        def command() -> tuple[list[JournalEntry], dict[str, int]]:
            books = self.port.get_books(entity)
            check_closable(books, year, self.port.today())
            before = self.balances_through(books, datetime.date(year, 12, 31))
            result = books.post_closing(year=year, before=before, actor=actor)
            self.port.save(books)
            return result

        return self.port.retrying(command)

    def reopen_year(self, *, entity: str, year: int, reason: str, actor: str) -> list[JournalEntry]:
        """Reopen a closed year: its closing entries reversed in red ink, the reason recorded."""

        def command() -> list[JournalEntry]:
            books = self.port.get_books(entity)
            check_reopenable(books, year, reason)
            originals = self._entries(books, books.years_closed[str(year)])
            reversals = books.reverse_closing(
                year=year, originals=originals, reason=reason.strip(), actor=actor
            )
            self.port.save(books)
            return reversals

        return self.port.retrying(command)
