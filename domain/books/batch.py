"""Many vouchers as one event of the books (``Books.VouchersPosted``): how the bulk path's
``post_directly`` stores a batch, checks it, and reads it back as journal entries.

The stored shape, compact and in whole fen (plain JSON, no transcoding)::

    vouchers: [[number, "2025-03-01", memo, [[account, debit_fen, credit_fen], ...]], ...]

one item per voucher in the order the books numbered them; a line has exactly one of its two
amounts above zero and, when its own 摘要 is not empty, that text as a fourth item. The event
names its ``actor``; its entries have no ``source`` (a clerk's entries, as a single posting's).

Decisions:

- **The same rules, checked over the batch.** :class:`VoucherChecks` checks each voucher against
  the books as they stand after the vouchers before it, in fen, without building ``Money`` or a
  ``JournalEntry``: the memo, an open date (opening balances, closed months and years), the
  chart, the sides, plain two-place amounts, balance, the entry's bounds, sense, cash never
  below zero, earmarked cash and open sub-accounts. Whatever it is not sure of (a refusal, an
  amount given otherwise than as plain text, earmarked money in the books, …) goes through
  ``Books.prepare_entry``, the path of a single posting, which refuses with its own words or
  builds the entry: the fast checks only ever accept what that path accepts.
- **One state change, the event's.** While checking, each voucher is applied to the books as
  :func:`record_vouchers` (the event's body on replay) applies it: its lines by the same
  :func:`move`, its number counted in the sequence it was given from (not read back from the
  text); once every voucher is checked the books are put back as they were (:func:`state_of` /
  :func:`restore`) and the events are recorded batch by batch, so the state after the save is
  the event's own.
- **Per import, not per voucher.** What no voucher of an import changes is found once: the
  counters and each (year, month, cash sides)'s sequence, the chart's answers per account, the
  days open for entries; the import's texts are searched for a bad character at once, each
  voucher's own only when that search finds one (``domain.bulk.texts_plainly_clean``).
- **Read back as entries.** :func:`entries_of` gives the journal entries any event of the books
  carries, one for ``EntryPosted`` and its kind, one per voucher for ``VouchersPosted``: finding
  an entry to reverse, the balances through a day, the bank's side of a reconciliation and the
  save's date check read every entry alike.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from domain.books.chart import is_open
from domain.books.rules import CASH_ACCOUNTS, RECEIPT_MAY_CREDIT
from domain.books.rules import Books as GuardedBooks
from domain.books.rules import check_open as _check_open
from domain.errors import DomainError
from ledger.accounts import Category, Side
from ledger.entries import MAX_ENTRY_TOTAL, MAX_POSTINGS, JournalEntry, Posting
from ledger.errors import LedgerError
from ledger.money import MAX_AMOUNT, from_fen, to_fen
from ledger.voucher_numbers import (
    MONTHLY,
    YEARLY,
    month_sequence,
    words_for,
)

EVENT = "VouchersPosted"
"""The name of the batch event (``Books.VouchersPosted``)."""

Compact = Sequence[Any]
"""One voucher as the batch event stores it (see the module docstring): tuples when made here
(text and integers only, so the garbage collector stops tracking them), lists once read back."""

_AMOUNT = re.compile(r"([0-9]{1,11})(?:\.([0-9]{1,2}))?")
_MAX_FEN = int(MAX_AMOUNT * 100)
_MAX_TOTAL_FEN = int(MAX_ENTRY_TOTAL * 100)
_KEYS = frozenset(("account", "side", "amount", "memo"))
_SIDES = {"debit": 0, "借": 0, "credit": 1, "贷": 1}


class Books(GuardedBooks, Protocol):
    """What the batch reads and changes of a set of books (``domain.books.Books``): what the
    guards read, and the running state an entry changes."""

    totals: dict[str, int]
    sub_accounts: dict[str, int]
    account_names: dict[str, str]
    sequences: dict[str, int]
    month_sequences: dict[str, int]
    year_schemes: dict[str, str]

    @property
    def counters(self) -> Any: ...
    def next_number(
        self, day: datetime.date, postings: Any = (), word: str | None = None
    ) -> str: ...
    def prepare_entry(
        self, *, date: datetime.date, memo: str, postings: Any, word: str | None = None
    ) -> JournalEntry: ...


# -- the state -----------------------------------------------------------------------------------


def record_vouchers(books: Books, vouchers: Sequence[Compact]) -> None:
    """The vouchers into the books' running balances and counters (the event's body; the same
    changes as ``EntryPosted`` of each, ``domain.books.rules.move``)."""
    balances, totals = books.balances, books.totals
    sub_accounts, names = books.sub_accounts, books.account_names
    counters = books.counters
    for voucher in vouchers:
        move(balances, totals, sub_accounts, names, voucher[3])
        counters.record(voucher[0])


def move(
    balances: dict[str, int],
    totals: dict[str, int],
    sub_accounts: dict[str, int],
    names: Mapping[str, str],
    lines: Sequence[Sequence[Any]],
) -> None:
    """A voucher's lines (stored shape) into the running balances (a sub-account used for the
    first time counted under its parent)."""
    for line in lines:
        account = line[0]
        fen = line[1] - line[2]
        if account not in balances and len(account) > 3 and account not in names:
            sub_accounts[account[:3]] = sub_accounts.get(account[:3], 0) + 1
        balances[account] = balances.get(account, 0) + fen
        totals[account[:3]] = totals.get(account[:3], 0) + fen


_STATE = ("balances", "totals", "sub_accounts", "sequences", "month_sequences", "year_schemes")


def state_of(books: Books) -> dict[str, dict[str, Any]]:
    """What :func:`record_vouchers` changes, copied (a few dicts bounded by the accounts and
    the years, never by the entries)."""
    return {name: dict(getattr(books, name)) for name in _STATE}


def restore(books: Books, state: Mapping[str, dict[str, Any]]) -> None:
    """Put back what :func:`state_of` copied."""
    for name, value in state.items():
        found = getattr(books, name)
        found.clear()
        found.update(value)


# -- reading it back -----------------------------------------------------------------------------


def journal_entry(voucher: Compact) -> JournalEntry:
    """A stored voucher as the journal entry a single posting would have recorded."""
    number, day, memo, lines = voucher[0], voucher[1], voucher[2], voucher[3]
    return JournalEntry(
        date=datetime.date.fromisoformat(day),
        number=number,
        memo=memo,
        postings=tuple(
            Posting(
                account=line[0],
                side=Side.DEBIT if line[1] else Side.CREDIT,
                amount=from_fen(line[1] or line[2]),
                memo=line[3] if len(line) > 3 else "",
            )
            for line in lines
        ),
    )


def is_batch(event: object) -> bool:
    return type(event).__name__ == EVENT and hasattr(event, "vouchers")


def entries_of(event: object) -> list[JournalEntry]:
    """The journal entries an event of the books carries: its ``entry``, or each voucher of a
    batch; none for the other events."""
    entry = getattr(event, "entry", None)
    if isinstance(entry, JournalEntry):
        return [entry]
    if is_batch(event):
        return [journal_entry(v) for v in getattr(event, "vouchers")]  # noqa: B009
    return []


def latest_date(vouchers: Sequence[Compact]) -> datetime.date:
    """The latest date of a batch (what the save's check of dates after today reads)."""
    return datetime.date.fromisoformat(max(v[1] for v in vouchers))


def compact(entry: JournalEntry) -> Compact:
    """A journal entry in the batch's stored shape."""
    lines: list[tuple[Any, ...]] = []
    for p in entry.postings:
        fen = to_fen(p.amount)
        line = (p.account, fen, 0) if p.side is Side.DEBIT else (p.account, 0, fen)
        lines.append((*line, p.memo) if p.memo else line)
    return (entry.number, entry.date.isoformat(), entry.memo, tuple(lines))


# -- the checks ----------------------------------------------------------------------------------


class VoucherChecks:
    """Check vouchers one after the other against one set of books, applying each (see the
    module docstring); one per books and import."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.chart = books.chart
        self._prescribed = self.chart.prescribed_parents  # ``Books.has_sub_accounts``, inline
        # account → (in the chart, an asset a receipt may not credit): the chart is fixed
        self._accounts: dict[str, tuple[bool, bool, bool, bool]] = {}
        # Numbering once per import, not per voucher: the counters (over the books' own
        # dicts), each year's scheme (its entries', else the township's: the same for every
        # voucher of the import) and the 凭证字 of lines debiting and crediting cash or not.
        self._counters = books.counters
        # (year, month, debits cash, credits cash) → (monthly, the sequence's key)
        self._slots: dict[tuple[int, int, bool, bool], tuple[bool, str]] = {}
        # days open for entries (opening balances, closed months and years): no voucher of an
        # import changes them
        self._open_days: set[datetime.date] = set()

    def post(
        self, *, date: datetime.date, memo: str, postings: Sequence[Mapping[str, Any]]
    ) -> Compact:
        """Check one voucher as ``Books.post_entry`` would (a clerk's: no source, no 凭证字)
        and apply it to the books in memory.

        Raises:
            DomainError, LedgerError: as a single posting of the voucher would.
        """
        books = self.books
        quick = self._quick(date, memo, postings)
        if quick is None:
            found = compact(books.prepare_entry(date=date, memo=memo, postings=postings))
            record_vouchers(books, [found])
            return found
        found, monthly, sequence = quick
        # what ``record_vouchers`` does with it, the number's sequence known
        move(books.balances, books.totals, books.sub_accounts, books.account_names, found[3])
        counted = books.month_sequences if monthly else books.sequences
        counted[sequence] = counted.get(sequence, 0) + 1
        books.year_schemes.setdefault(found[1][:4], MONTHLY if monthly else YEARLY)
        return found

    def _sequence(
        self, day: datetime.date, debits_cash: bool, credits_cash: bool
    ) -> tuple[bool, str]:
        """The sequence the books number a voucher dated ``day`` in (``next_number`` of a
        clerk's entry: no 凭证字 asked for): whether it is monthly, and its key (``2025``, or
        ``2025-03-S``, as the counters keep it), which the number is written with."""
        slot = (day.year, day.month, debits_cash, credits_cash)
        found = self._slots.get(slot)
        if found is None:
            year = day.year
            if self._counters.scheme(year) == YEARLY:
                found = (False, f"{year:04d}")
            else:
                cash = [("102", "debit")] * debits_cash + [("102", "credit")] * credits_cash
                word = words_for(cash, self._counters.choice.words)[0]
                found = (True, month_sequence(year, day.month, word))
            self._slots[slot] = found
        return found

    def _account(self, code: object) -> tuple[bool, bool, bool, bool] | None:
        """What the chart says of ``code``: whether it is in it, an asset a receipt may not
        credit, cash (101, 102 and theirs), and a chart account with prescribed sub-accounts
        (only those take entries)."""
        if type(code) is not str:
            return None
        known = self._accounts.get(code)
        if known is None:
            if code in self.chart:
                account = self.chart.get(code)
                odd = account.category is Category.ASSET and code[:3] not in RECEIPT_MAY_CREDIT
                parent = len(code) <= 3 and code in self._prescribed
                known = (True, odd, code.startswith(CASH_ACCOUNTS), parent)
            else:
                known = (False, False, False, False)
            self._accounts[code] = known
        return known

    def _quick(
        self, day: datetime.date, memo: str, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[Compact, bool, str] | None:
        """The voucher in stored shape and its number's sequence (see :meth:`_sequence`) when
        every rule plainly holds, else None (then the single posting's path decides, with its
        own words)."""
        books = self.books
        if type(memo) is not str or type(day) is not datetime.date:
            return None
        text = memo.strip()
        if not text or not 2 <= len(rows) <= MAX_POSTINGS:
            return None
        if day not in self._open_days:
            try:
                _check_open(books, day)
            except (DomainError, LedgerError):
                return None
            self._open_days.add(day)
        sub_accounts, accounts = books.sub_accounts, self._accounts
        lines: list[tuple[Any, ...]] = []
        debits = credits = cash_move = 0
        cash: dict[str, int] | None = None
        receipt = paid = odd_credit = False
        for row in rows:
            if (type(row) is not dict and not isinstance(row, Mapping)) or not _KEYS.issuperset(
                row
            ):
                return None
            account = row.get("account")
            known = accounts.get(account) if type(account) is str else None
            if known is None:
                known = self._account(account)
            raw_side = row.get("side")
            side = _SIDES.get(raw_side) if type(raw_side) is str else None
            amount = row.get("amount")
            line_memo = row.get("memo", "")
            if known is None or not known[0] or side is None or type(line_memo) is not str:
                return None
            assert isinstance(account, str)
            if type(amount) is not str or (found := _AMOUNT.fullmatch(amount)) is None:
                return None
            cents = found[2]
            fen = int(found[1]) * 100 + (0 if cents is None else int(cents.ljust(2, "0")))
            if not 0 < fen <= _MAX_FEN:
                return None
            if len(account) > 3:
                if not is_open(books, account):
                    return None
            elif known[3] or sub_accounts.get(account, 0) > 0:
                return None  # a chart account with sub-accounts
            if side == 0:
                line = (account, fen, 0)
                debits += fen
            else:
                line = (account, 0, fen)
                credits += fen
                odd_credit = odd_credit or known[1]
            lines.append((*line, line_memo) if line_memo else line)
            if known[2]:
                signed = fen if side == 0 else -fen
                if cash is None:
                    cash = {}
                cash[account] = cash.get(account, 0) + signed
                cash_move += signed
                receipt = receipt or side == 0
                paid = paid or side == 1
        if debits != credits or debits > _MAX_TOTAL_FEN:
            return None
        if receipt and odd_credit:  # a receipt crediting stock or a fixed asset: nonsense
            return None
        first = lines[0][0]
        for line in lines:
            if line[0] != first:
                break
        else:
            return None  # every line on one account
        if cash is not None:
            balances = books.balances
            for account, moved in cash.items():
                if moved < 0 and balances.get(account, 0) + moved < 0:
                    return None  # an overdraft
        # earmarked grant money (241) in the books: the single posting's rule decides
        if cash_move < 0 and (
            books.totals.get("241", 0) < 0
            or "153" in self._prescribed
            or sub_accounts.get("153", 0) > 0
        ):
            return None
        monthly, sequence = self._sequence(day, receipt, paid)
        counted = books.month_sequences if monthly else books.sequences
        number = f"{sequence}-{counted.get(sequence, 0) + 1:04d}"
        return (number, day.isoformat(), text, tuple(lines)), monthly, sequence
