"""The commands on cash counts, as data (``domain.commands``): the API's routes and the
workbench's 现金盘点 form build them and hand them to the runner."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, Recorded, books_place
from ledger.entries import JournalEntry


@dataclass(frozen=True)
class CountCash(Command[str]):
    """现金盘点 of ``entity``'s cash at the end of ``date`` (``pieces``: denomination → pieces);
    a difference is booked to 181 in the same save; answers the count's number."""

    entity: str
    date: datetime.date
    pieces: tuple[tuple[str, str], ...]
    cashier: str = ""
    supervisor: str = ""
    note: str = ""
    account: str = "101"

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        number: str = app.cash.count(
            entity=self.entity,
            date=self.date,
            pieces=dict(self.pieces),
            cashier=self.cashier,
            supervisor=self.supervisor,
            note=self.note,
            account=self.account,
            actor=actor,
        )
        return number

    def replayed(self, recorded: Recorded) -> str:
        return str(recorded.value("number"))


@dataclass(frozen=True)
class ResolveCashDifference(Command[JournalEntry]):
    """处理 count ``number``'s difference (``amount``; all that is left when None) against
    ``account`` by a voucher dated ``date``; answers the voucher."""

    entity: str
    number: str
    date: datetime.date
    account: str
    amount: str | None = None
    memo: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.cash.resolve(
            entity=self.entity,
            number=self.number,
            date=self.date,
            account=self.account,
            amount=self.amount,
            memo=self.memo,
            actor=actor,
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry(self.entity)
