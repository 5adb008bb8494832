"""The commands on books, as data (``domain.commands``): each names the townships it writes in
and calls ``app.books`` (``domain.books.service``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.books.setup import SetupPlan, checked_accounts
from domain.commands import Command, Place, Recorded, Words, books_place
from ledger.entries import JournalEntry


@dataclass(frozen=True)
class RegisterVillage(Command[str]):
    """Register a village collective (村集体经济组织) and open its books; answers its code."""

    code: str
    name: str
    township: str
    county: str
    population: int
    households: int
    flags: tuple[str, ...] = field(default=())

    def places(self, app: Any) -> Iterable[Place]:
        return ((self.township, Words(f"village {self.code}", f"村 {self.code}")),)

    def execute(self, app: Any, actor: str) -> str:
        app.books.register_village(
            code=self.code,
            name=self.name,
            township=self.township,
            county=self.county,
            population=self.population,
            households=self.households,
            flags=self.flags,
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class BooksCommand(Command[str]):
    """A command on the books of one village or joint entity; answers the entity's code."""

    entity: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def replayed(self, recorded: Recorded) -> str:
        return self.entity


@dataclass(frozen=True)
class SetOpeningBalances(BooksCommand):
    """Set the balances the books start from (期初余额); they must balance."""

    as_of: datetime.date
    balances: tuple[Mapping[str, object], ...]

    def execute(self, app: Any, actor: str) -> str:
        app.books.set_opening_balances(
            entity=self.entity, as_of=self.as_of, balances=list(self.balances), actor=actor
        )
        return self.entity


@dataclass(frozen=True)
class SetUpBooks(Command[SetupPlan]):
    """建账 from a 科目余额表 (``domain/books/setup.py``): open the sub-accounts, set the 期初余额
    as of the first day of a month and, during a year, record the 年初余额 and 本年累计 before
    it, in one save; refused when the books already have opening balances or entries. Each
    account is a mapping: ``code``, ``name`` and the amounts ``year_start_debit``,
    ``year_start_credit``, ``year_debit``, ``year_credit``, ``opening_debit``,
    ``opening_credit``. Answers what was (with ``dry_run``: would be) recorded."""

    entity: str
    as_of: datetime.date
    accounts: tuple[Mapping[str, object], ...]
    dry_run: bool = False

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> SetupPlan:
        plan: SetupPlan = app.books.set_up_books(
            entity=self.entity,
            as_of=self.as_of,
            accounts=list(self.accounts),
            actor=actor,
            dry_run=self.dry_run,
        )
        return plan

    def replayed(self, recorded: Recorded) -> SetupPlan:
        books = recorded.app.get_books(self.entity)  # the rows again, as they were checked
        changed: dict[str, dict[str, str]] = {"AccountOpened": {}, "AccountRenamed": {}}
        for event in recorded.events:
            found = changed.get(type(event).__name__)
            if found is not None:
                found[event.code] = event.name
        return SetupPlan(
            entity=self.entity,
            as_of=self.as_of,
            accounts=tuple(checked_accounts(books, self.accounts)),
            opened=changed["AccountOpened"],
            renamed=changed["AccountRenamed"],
        )


@dataclass(frozen=True)
class CloseMonth(BooksCommand):
    """Close the books through a month (结账, ``YYYY-MM``): refused while a voucher dated in a
    month it closes is not posted, or the trial balance does not balance."""

    month: str

    def execute(self, app: Any, actor: str) -> str:
        app.books.close_month(entity=self.entity, month=self.month, actor=actor)
        return self.entity


@dataclass(frozen=True)
class ReopenMonth(BooksCommand):
    """反结账: reopen the latest closed month (``YYYY-MM``) with the reason; where a published
    三公开 sheet covers it, only with ``new_version_follows`` (a new version will be published)."""

    month: str
    reason: str
    new_version_follows: bool = False

    def execute(self, app: Any, actor: str) -> str:
        app.books.reopen_month(
            entity=self.entity,
            month=self.month,
            reason=self.reason,
            new_version_follows=self.new_version_follows,
            actor=actor,
        )
        return self.entity


@dataclass(frozen=True)
class PostEntry(Command[JournalEntry]):
    """Post a balanced journal entry; answers the entry with the voucher number it was given."""

    entity: str
    date: datetime.date
    memo: str
    postings: tuple[Mapping[str, object], ...]
    word: str | None = None  # 凭证字 (None: from the lines)

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.books.post_entry(
            entity=self.entity,
            date=self.date,
            memo=self.memo,
            postings=list(self.postings),
            actor=actor,
            word=self.word,
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry(self.entity)


@dataclass(frozen=True)
class ReverseEntry(Command[JournalEntry]):
    """Reverse a whole entry in red ink (红字冲销), once, with the reason; answers the
    reversal."""

    entity: str
    number: str
    date: datetime.date
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.books.reverse_entry(
            entity=self.entity, number=self.number, date=self.date, reason=self.reason, actor=actor
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry(self.entity)


@dataclass(frozen=True)
class OpenAccount(Command[str]):
    """Open a sub-account (开设明细科目) under a chart account; answers the sub-account's code."""

    entity: str
    code: str
    name: str
    parent: str
    kind: str | None = None  # domain.books.chart.KINDS: household, unit or project

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.books.open_account(
            entity=self.entity,
            code=self.code,
            name=self.name,
            parent=self.parent,
            actor=actor,
            kind=self.kind,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class CloseYear(Command[int]):
    """年终结转 of a year that is over; answers the year."""

    entity: str
    year: int

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> int:
        app.books.close_year(entity=self.entity, year=self.year, actor=actor)
        return self.year

    def replayed(self, recorded: Recorded) -> int:
        return self.year


@dataclass(frozen=True)
class ReopenYear(Command[int]):
    """Reopen a closed year, with the reason (its closing entries reversed in red ink);
    answers the year."""

    entity: str
    year: int
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> int:
        app.books.reopen_year(entity=self.entity, year=self.year, reason=self.reason, actor=actor)
        return self.year

    def replayed(self, recorded: Recorded) -> int:
        return self.year


@dataclass(frozen=True)
class RenameAccount(Command[str]):
    """Give an open sub-account another name (明细科目改名); answers its code."""

    entity: str
    code: str
    name: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.books.rename_account(entity=self.entity, code=self.code, name=self.name, actor=actor)
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class RetireAccount(Command[str]):
    """Stop using (停用) a sub-account never posted to; answers its code."""

    entity: str
    code: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.books.retire_account(entity=self.entity, code=self.code, actor=actor)
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code
