"""Commands on the chart and the years of a set of books: open a sub-account, close a year
(年终结转), reopen it. ``LianzhangApplication`` takes them in as a mixin, so the application
module stays the composition and each capability has its module.

``operation_accounts`` names the sub-accounts an operation opens for itself (in the same save
as its entries): 211{payee} of a plan after the payee, its deductions' accounts after the
deduction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application

from domain.chart import is_open
from domain.closing import check_closable, check_reopenable
from ledger.accounts import ChartOfAccounts
from ledger.entries import JournalEntry
from ledger.money import to_fen

if TYPE_CHECKING:
    from domain.books import Books

T = TypeVar("T")


def operation_accounts(
    postings: Iterable[Mapping[str, Any]],
    names: Mapping[str, str],
    books: Books,
    *,
    actor: str,
    source: str,
) -> None:
    """Open, in ``books``, every sub-account the postings use that is not open yet, named by
    ``names`` (code → name) or, failing that, after the chart (应付款-V01)."""
    for posting in postings:
        code = str(posting["account"])
        if not is_open(books, code):
            name = names.get(code) or books.chart.get(code).name
            books.ensure_account(code, name, actor=actor, source=source)


def plan_account_names(
    plan_result: Mapping[str, Any], deduction_accounts: Mapping[str, Any]
) -> dict[str, str]:
    """Names of the sub-accounts a plan's execution posts to: 应付款-仉家村 per payee (a
    household as 应付款-张*明（H01）), and 应付款-福利费 for a deduction set aside in one."""
    names: dict[str, str] = {}
    for line in plan_result.get("lines", []):
        code, name = str(line["code"]), str(line.get("name") or line["code"])
        shown = f"{name}（{code}）" if "*" in name else name  # a masked head: 张*明（H01）
        names[f"211{code}"] = f"应付款-{shown}"
    for deduction, account in deduction_accounts.items():
        if isinstance(account, str) and len(account) > 3:
            parent = ChartOfAccounts.standard().get(account[:3]).name
            names.setdefault(account, f"{parent}-{deduction}")
    return names


class ChartCommands(Application[UUID]):
    """Open sub-accounts, close and reopen years. Mixed into the application: uses its
    ``get_books``, ``_retrying`` and ``today``."""

    if TYPE_CHECKING:
        today: Callable[[], datetime.date]

        def get_books(self, code: str) -> Books: ...
        def _retrying(self, command: Callable[[], T]) -> T: ...

    def open_account(self, *, entity: str, code: str, name: str, parent: str, actor: str) -> Books:
        """Open a sub-account (开设明细科目) in the books of ``entity``."""

        def command() -> Books:
            books = self.get_books(entity)
            books.open_account(code=code, name=name, parent=parent, actor=actor)
            self.save(books)
            return books

        return self._retrying(command)

    # -- reading the books' own stream -------------------------------------------------------

    def _book_events(self, books: Books) -> Iterable[Any]:
        for stored in self.recorder.select_events(books.id, lte=books.version):
            yield self.mapper.to_domain_event(stored)

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
            entry = getattr(event, "entry", None)
            if isinstance(entry, JournalEntry) and entry.date <= day:
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
            entry = getattr(event, "entry", None)
            if isinstance(entry, JournalEntry) and entry.number in wanted:
                found[entry.number] = entry
        return [found[n] for n in numbers]

    # -- year-end closing --------------------------------------------------------------------

    def close_year(
        self, *, entity: str, year: int, actor: str
    ) -> tuple[list[JournalEntry], dict[str, int]]:
        """年终结转 of ``year`` in the books of ``entity`` (see ``domain/closing.py``): returns
        the closing entries and the balances carried into the next year (fen)."""

        def command() -> tuple[list[JournalEntry], dict[str, int]]:
            books = self.get_books(entity)
            check_closable(books, year, self.today())
            before = self.balances_through(books, datetime.date(year, 12, 31))
            result = books.post_closing(year=year, before=before, actor=actor)
            self.save(books)
            return result

        return self._retrying(command)

    def reopen_year(self, *, entity: str, year: int, reason: str, actor: str) -> list[JournalEntry]:
        """Reopen a closed year: its closing entries reversed in red ink, the reason recorded."""

        def command() -> list[JournalEntry]:
            books = self.get_books(entity)
            check_reopenable(books, year, reason)
            originals = self._entries(books, books.years_closed[str(year)])
            reversals = books.reverse_closing(
                year=year, originals=originals, reason=reason.strip(), actor=actor
            )
            self.save(books)
            return reversals

        return self._retrying(command)
