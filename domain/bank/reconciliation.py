"""银行存款余额调节表: the arithmetic of one bank account at one month's end, pure (no store).

Both sides of the account are lines (:class:`Line`): the bank's (a statement's lines) and the
books' (each posting to the account's 102 sub-account), each a signed amount in fen (+ money
in: the bank's 收入, the books' 借方; − money out). A match (``domain.bank``) pairs lines of the
two sides whose amounts add up to the same figure. At a month's end a line dated in or before
the month is **settled** when it belongs to a match all of whose lines are dated by that end;
every other such line is a 未达账项 of one of four kinds:

==============  ===================  ============================================
kind            in Chinese           a line of
==============  ===================  ============================================
``bank_in``     银行已收单位未收     the bank, money in, not yet in the books
``bank_out``    银行已付单位未付     the bank, money out, not yet in the books
``book_in``     单位已收银行未收     the books (借方), not yet on the statement
``book_out``    单位已付银行未付     the books (贷方), not yet on the statement
==============  ===================  ============================================

The table: books' balance + 银行已收单位未收 − 银行已付单位未付 = the books' adjusted balance;
bank's balance + 单位已收银行未收 − 单位已付银行未付 = the bank's adjusted balance. They are equal
when the books and the statement agreed when the account was first kept here (the account's
opening balance per statement equals the books' balance then); the difference is shown
otherwise. A cheque written on 10-30 that the bank pays on 11-03 is a 单位已付银行未付 of October
even once it is matched (in November): its partner is dated after October's end.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

KINDS: dict[str, str] = {
    "bank_in": "银行已收单位未收",
    "bank_out": "银行已付单位未付",
    "book_in": "单位已收银行未收",
    "book_out": "单位已付银行未付",
}
BANK, BOOK = "bank", "book"
SIDES = {BANK: "银行", BOOK: "账簿"}


@dataclass(frozen=True)
class Line:
    """One line of one side: ``side`` (``bank`` or ``book``), its id (a statement line
    ``S2-5``; a posting ``2026-0012#1``: the voucher and the posting's place in it), date and
    signed amount in fen; what it says (memo, reference, counterparty); for the books, the
    voucher (``entry``) and the voucher it reverses in red ink (``reverses``)."""

    side: str
    id: str
    date: datetime.date
    amount: int
    memo: str = ""
    reference: str = ""
    counterparty: str = ""
    entry: str = ""
    reverses: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.side, self.id

    @property
    def kind(self) -> str:
        """The kind of 未达账项 this line is while unsettled."""
        return f"{self.side}_{'in' if self.amount > 0 else 'out'}"


@dataclass(frozen=True)
class Item:
    """A 未达账项: the line, its kind and its amount (positive, fen); ``settled_on``: the date
    its match was completed (the latest date of the match's lines) when it is settled after
    the month's end, else None."""

    line: Line
    kind: str
    amount: int
    settled_on: datetime.date | None = None

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Reconciliation:
    """The 调节表 of one month (``month``, its last day ``end``): the two balances in fen,
    the 未达账项, the totals of each kind, both adjusted balances and their difference."""

    month: str
    end: datetime.date
    book_balance: int
    bank_balance: int
    items: tuple[Item, ...]
    totals: Mapping[str, int] = field(default_factory=dict)

    @property
    def adjusted_book(self) -> int:
        return self.book_balance + self.totals["bank_in"] - self.totals["bank_out"]

    @property
    def adjusted_bank(self) -> int:
        return self.bank_balance + self.totals["book_in"] - self.totals["book_out"]

    @property
    def difference(self) -> int:
        """Adjusted books − adjusted bank (0: they agree)."""
        return self.adjusted_book - self.adjusted_bank

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    def of_kind(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    def snapshot(self) -> list[dict[str, object]]:
        """The items as stored in a ``MonthReconciled`` event (text and whole fen)."""
        return [
            {
                "kind": item.kind,
                "side": item.line.side,
                "line": item.line.id,
                "date": item.line.date.isoformat(),
                "amount": item.amount,
                "memo": item.line.memo[:200],
            }
            for item in self.items
        ]


def settled_dates(
    matches: Mapping[str, Sequence[tuple[str, str]]], dates: Mapping[tuple[str, str], datetime.date]
) -> dict[tuple[str, str], datetime.date]:
    """For every line of a match: the date the match is complete (its latest line's date)."""
    found: dict[tuple[str, str], datetime.date] = {}
    for keys in matches.values():
        known = [dates[k] for k in keys if k in dates]
        if not known:
            continue
        last = max(known)
        for key in keys:
            found[key] = last
    return found


def reconcile(
    month: str,
    end: datetime.date,
    *,
    book_balance: int,
    bank_balance: int,
    lines: Iterable[Line],
    matches: Mapping[str, Sequence[tuple[str, str]]],
) -> Reconciliation:
    """The 调节表 at ``end`` (the last day of ``month``): ``lines`` every line of both sides
    (later ones are left out here), ``matches`` each active match's line keys, the balances in
    fen on ``end``."""
    every = list(lines)
    dates = {line.key: line.date for line in every}
    complete = settled_dates(matches, dates)
    items: list[Item] = []
    totals = dict.fromkeys(KINDS, 0)
    for line in sorted(every, key=lambda x: (x.date, x.side, x.id)):
        if line.date > end or line.amount == 0:
            continue
        done = complete.get(line.key)
        if done is not None and done <= end:
            continue
        item = Item(line=line, kind=line.kind, amount=abs(line.amount), settled_on=done)
        items.append(item)
        totals[item.kind] += item.amount
    return Reconciliation(
        month=month,
        end=end,
        book_balance=book_balance,
        bank_balance=bank_balance,
        items=tuple(items),
        totals=totals,
    )
