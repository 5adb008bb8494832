"""What the books answer without recording anything: balances from the running totals, the
entries' numbers, the years closed, who they belong to. ``domain.books.Books`` takes these from
:class:`BooksReading`, a plain mixin: no event is defined here, so no stored topic names this
module (the aggregate and its events stay in ``domain.books``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from moneyed import Money

from domain.errors import EntryNotFoundError

if TYPE_CHECKING:
    from domain.books.numbering import Counters
from domain.owned import Townships
from ledger.accounts import ChartOfAccounts
from ledger.money import from_fen


class BooksReading:
    """The reading half of the books (state set by ``Books``' events)."""

    if TYPE_CHECKING:
        code: str
        township: str
        totals: dict[str, int]
        balances: dict[str, int]
        sequences: dict[str, int]
        sub_accounts: dict[str, int]

        @property
        def counters(self) -> Counters: ...

    def township_in(self, townships: Townships) -> str | None:
        """The township these books are kept in (``domain.tenancy``)."""
        township: str = self.township
        return township

    def described(self) -> str:
        return f"the books of {self.code}"

    @property
    def chart(self) -> ChartOfAccounts:
        return ChartOfAccounts.standard()

    def balance(self, *prefixes: str) -> Money:
        """Debit-positive balance of every account starting with one of ``prefixes``."""
        return from_fen(self.fen(*prefixes))

    def fen(self, *prefixes: str) -> int:
        """:meth:`balance` in fen; read from the chart accounts' totals (a few dozen) unless a
        prefix names a sub-account."""
        if all(len(prefix) <= 3 for prefix in prefixes):
            return sum(fen for code, fen in self.totals.items() if code.startswith(prefixes))
        return sum(fen for code, fen in self.balances.items() if code.startswith(prefixes))

    def has_sub_accounts(self, parent: str) -> bool:
        """Whether the chart account ``parent`` has sub-accounts (prescribed, opened or
        used), so that it takes no postings of its own."""
        return parent in self.chart.prescribed_parents or self.sub_accounts.get(parent, 0) > 0

    def available_income(self) -> Money:
        """Income not yet distributed: the credit balance of the income and expense accounts
        (5xx), 本年收益 (321) and 收益分配 (322) taken together."""
        return -self.balance("5", "321", "322")

    def has_entry(self, number: str) -> bool:
        """Whether ``number`` is a voucher of these books: within its sequence, a year's or a
        month and 凭证字's (the books number every entry they record, one after the other)."""
        return self.counters.has(number)

    def entry_numbers(self) -> list[str]:
        """Every voucher number of these books: the yearly ones, then the monthly ones by
        month and 凭证字."""
        return self.counters.numbers()

    @property
    def has_entries(self) -> bool:
        """Whether these books have recorded any entry."""
        return bool(self.sequences or self.__dict__.get("month_sequences"))

    def require_entry(self, number: str) -> None:
        if not self.has_entry(number):
            raise EntryNotFoundError(
                f"entry {number} is not in the books of {self.code}", field="number"
            )

    @property
    def years_closed(self) -> dict[str, list[str]]:
        """Years closed by 年终结转 and not reopened: year → the numbers of its entries."""
        found: dict[str, list[str]] = self.__dict__.setdefault("closed_years", {})
        return found
