"""The commands on asset cards (资产卡片), as data (``domain.commands``): each names the township
of the books the asset is kept in and calls ``app.assets`` (``domain.assets.service``). The
API's routes, the workbench's forms and the command line (the monthly run of a township's
books) build the same commands."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moneyed import Money

from domain.assets.service import CardTerms, DepreciationResult
from domain.commands import Command, Place, Recorded, books_place
from ledger.entries import JournalEntry
from ledger.money import ZERO, from_fen


@dataclass(frozen=True)
class RegisterAsset(Command[str]):
    """建卡 for an asset bought, donated or contributed (booked now), or already in the books
    (``booked``, with what was depreciated before); answers its number."""

    entity: str
    terms: CardTerms
    acquisition: str
    acquired_on: datetime.date
    owners: Mapping[str, str] = field(default_factory=dict)
    booked: bool = False
    accumulated: str = "0"
    months_done: int = 0
    start_month: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.assets.register_asset(
            entity=self.entity,
            terms=self.terms,
            acquisition=self.acquisition,
            acquired_on=self.acquired_on,
            owners=dict(self.owners) or None,
            booked=self.booked,
            accumulated=self.accumulated,
            months_done=self.months_done,
            start_month=self.start_month,
            actor=actor,
        )
        return self.terms.number

    def replayed(self, recorded: Recorded) -> str:
        return self.terms.number


@dataclass(frozen=True)
class RunDepreciation(Command[DepreciationResult]):
    """计提折旧 of ``month`` for every card of ``entity``'s books in one save (``units``: the
    units of each 工作量法 card); a month already run writes nothing and says so."""

    entity: str
    month: str
    units: Mapping[str, str] = field(default_factory=dict)

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> DepreciationResult:
        result: DepreciationResult = app.assets.run_depreciation(
            entity=self.entity, month=self.month, units=dict(self.units), actor=actor
        )
        return result

    def replayed(self, recorded: Recorded) -> DepreciationResult:
        for event in recorded.events:
            if type(event).__name__ == "DepreciationRun":
                owners = {o: from_fen(f) for o, f in event.owners.items()}
                return DepreciationResult(
                    self.entity,
                    self.month,
                    event.entry,
                    event.total,
                    list(event.lines),
                    owners,
                    f"{self.entity} {self.month} 计提折旧（凭证 {event.entry}）",
                )
        return DepreciationResult(self.entity, self.month, None, ZERO, message="本次没有记账")


@dataclass(frozen=True)
class DisposeAsset(Command[Money]):
    """清理 (``kind``: sale, scrap, loss) through 154; answers the result (a gain positive, to
    504; a loss negative, to 515)."""

    entity: str
    number: str
    date: datetime.date
    kind: str
    proceeds: str = "0"
    costs: str = "0"
    reason: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> Money:
        result, _ = app.assets.dispose(
            entity=self.entity,
            number=self.number,
            date=self.date,
            kind=self.kind,
            proceeds=self.proceeds,
            costs=self.costs,
            reason=self.reason,
            actor=actor,
        )
        found: Money = result
        return found

    def replayed(self, recorded: Recorded) -> Money:
        found: Money = recorded.value("result")
        return found


@dataclass(frozen=True)
class LeaseAsset(Command[str]):
    """资产出租 of asset ``number`` to ``lessee`` (rent every ``every_months`` months, due on
    ``due_day``, the start's day when not given); answers the lease code."""

    entity: str
    number: str
    lease: str
    lessee: str
    rent: str
    start: datetime.date
    end: datetime.date
    every_months: int = 1
    due_day: int | None = None
    contract: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.assets.lease(
            entity=self.entity,
            number=self.number,
            lease=self.lease,
            lessee=self.lessee,
            rent=self.rent,
            start=self.start,
            end=self.end,
            every_months=self.every_months,
            due_day=self.due_day,
            contract=self.contract,
            actor=actor,
        )
        return self.lease

    def replayed(self, recorded: Recorded) -> str:
        return self.lease


@dataclass(frozen=True)
class ReceiveRent(Command[JournalEntry]):
    """Rent of the period beginning in ``period`` (YYYY-MM) under ``lease`` received (借 102 /
    贷 501; what is owed for the period when ``amount`` is not given); answers the voucher."""

    entity: str
    number: str
    lease: str
    period: str
    date: datetime.date
    amount: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.assets.receive_rent(
            entity=self.entity,
            number=self.number,
            lease=self.lease,
            period=self.period,
            date=self.date,
            amount=self.amount,
            actor=actor,
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry(self.entity)


@dataclass(frozen=True)
class EndLease(Command[str]):
    """A lease ended early (``date`` its last day), with the reason; answers the lease code."""

    entity: str
    number: str
    lease: str
    date: datetime.date
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.assets.end_lease(
            entity=self.entity,
            number=self.number,
            lease=self.lease,
            date=self.date,
            reason=self.reason,
            actor=actor,
        )
        return self.lease

    def replayed(self, recorded: Recorded) -> str:
        return self.lease
