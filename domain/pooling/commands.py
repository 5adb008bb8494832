"""The commands of pooling into a joint entity, as data (``domain.commands``): each names the
townships it writes in and calls ``app.pooling`` (``domain.pooling.service``). A command that
also writes for a member village (its books, its share in the equity register) writes in the
village's township too."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.commands import (
    Command,
    Place,
    Recorded,
    Words,
    books_place,
    joint_place,
    known_entity_place,
)
from domain.ids import entity_id
from ledger.entries import JournalEntry

# (the village's entry, the joint entity's entry) or the other way round, as each command says
EntryPair = tuple[JournalEntry, JournalEntry]


def _joint_and_village(app: Any, joint: str, village: str) -> Iterable[Place]:
    """The joint entity's township, then the village's (when the village exists)."""
    yield joint_place(app, joint)
    yield from known_entity_place(app, village, Words(f"village {village}", f"村 {village}"))


@dataclass(frozen=True)
class ContributeCapital(Command[EntryPair]):
    """A member village pays capital into the joint entity (both books, one save); answers
    (the village's entry, the joint entity's entry)."""

    joint: str
    village: str
    programme: str
    amount: str
    date: datetime.date

    def places(self, app: Any) -> Iterable[Place]:
        return _joint_and_village(app, self.joint, self.village)

    def execute(self, app: Any, actor: str) -> EntryPair:
        entries: EntryPair = app.pooling.contribute_capital(
            joint=self.joint,
            village=self.village,
            programme=self.programme,
            amount=self.amount,
            date=self.date,
            actor=actor,
        )
        return entries

    def replayed(self, recorded: Recorded) -> EntryPair:
        return recorded.entry(self.village), recorded.entry(self.joint)


@dataclass(frozen=True)
class RefundCapital(Command[tuple[list[JournalEntry], list[JournalEntry]]]):
    """Capital returned to a village (both books and the equity register, one save); answers
    (the village's entries, the joint entity's entries). Without ``programme`` every
    programme, without ``amount`` all the village holds of it."""

    joint: str
    village: str
    date: datetime.date
    reason: str
    programme: str | None = None
    amount: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return _joint_and_village(app, self.joint, self.village)

    def execute(self, app: Any, actor: str) -> tuple[list[JournalEntry], list[JournalEntry]]:
        entries: tuple[list[JournalEntry], list[JournalEntry]] = app.pooling.refund_capital(
            joint=self.joint,
            village=self.village,
            programme=self.programme,
            amount=self.amount,
            date=self.date,
            reason=self.reason,
            actor=actor,
        )
        return entries

    def replayed(self, recorded: Recorded) -> tuple[list[JournalEntry], list[JournalEntry]]:
        return recorded.entries(self.village), recorded.entries(self.joint)


@dataclass(frozen=True)
class ContributeLand(Command[None]):
    """A member village contributes land as shares (土地入股), recorded in the register."""

    joint: str
    village: str
    mu: Decimal
    grade: Decimal
    value_per_mu: str
    term_years: int
    date: datetime.date

    def places(self, app: Any) -> Iterable[Place]:
        return _joint_and_village(app, self.joint, self.village)

    def execute(self, app: Any, actor: str) -> None:
        app.pooling.contribute_land(
            joint=self.joint,
            village=self.village,
            mu=self.mu,
            grade=self.grade,
            value_per_mu=self.value_per_mu,
            term_years=self.term_years,
            date=self.date,
            actor=actor,
        )

    def replayed(self, recorded: Recorded) -> None:
        return None


@dataclass(frozen=True)
class PayLandRent(Command[EntryPair]):
    """Land rent (土地流转费) paid in cash to a village, mu × rate, both books; answers (the
    joint entity's entry, the village's entry)."""

    joint: str
    village: str
    mu: Decimal
    rate_per_mu: str
    year: int
    date: datetime.date

    def places(self, app: Any) -> Iterable[Place]:
        return _joint_and_village(app, self.joint, self.village)

    def execute(self, app: Any, actor: str) -> EntryPair:
        entries: EntryPair = app.pooling.pay_land_rent(
            joint=self.joint,
            village=self.village,
            mu=self.mu,
            rate_per_mu=self.rate_per_mu,
            year=self.year,
            date=self.date,
            actor=actor,
        )
        return entries

    def replayed(self, recorded: Recorded) -> EntryPair:
        return recorded.entry(self.joint), recorded.entry(self.village)


@dataclass(frozen=True)
class CorrectLandRent(Command[dict[str, Any]]):
    """Correct a land rent payment in both books: the joint entity's entry ``entry`` and the
    village's are reversed in red ink; with ``mu``, ``rate_per_mu`` and ``year`` the right rent
    is posted again. Answers ``{"village": code, "reversals": {entity: entry}, "corrected":
    {entity: entry}}``. Only the joint entity's township is checked first (the village is
    found from the entry; the save checks its township)."""

    joint: str
    entry: str
    date: datetime.date
    reason: str
    mu: Decimal | None = None
    rate_per_mu: str | None = None
    year: int | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (joint_place(app, self.joint),)

    def execute(self, app: Any, actor: str) -> dict[str, Any]:
        result: dict[str, Any] = app.pooling.correct_land_rent(
            joint=self.joint,
            entry=self.entry,
            date=self.date,
            reason=self.reason,
            mu=self.mu,
            rate_per_mu=self.rate_per_mu,
            year=self.year,
            actor=actor,
        )
        return result

    def replayed(self, recorded: Recorded) -> dict[str, Any]:
        reversals: dict[str, JournalEntry] = {}
        corrected: dict[str, JournalEntry] = {}
        village = ""
        joint_id = entity_id(self.joint)
        for event in recorded.events:
            entry = getattr(event, "entry", None)
            if not isinstance(entry, JournalEntry):
                continue
            if event.originator_id == joint_id:
                code = self.joint
            else:
                code = village = recorded.app.repository.get(event.originator_id).code
            (reversals if entry.reverses is not None else corrected)[code] = entry
        return {"village": village, "reversals": reversals, "corrected": corrected}


@dataclass(frozen=True)
class ReceiveGrant(Command[JournalEntry]):
    """A grant earmarked for a programme (借 102, 贷 241 专项应付款); answers the entry."""

    joint: str
    programme: str
    amount: str
    date: datetime.date
    memo: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (joint_place(app, self.joint),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.pooling.receive_grant(
            joint=self.joint,
            programme=self.programme,
            amount=self.amount,
            date=self.date,
            memo=self.memo,
            actor=actor,
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry(self.joint)


@dataclass(frozen=True)
class RecordCash(Command[JournalEntry]):
    """Money received into the bank (``direction`` receipt: 借 102, 贷 ``account``) or paid
    from it (payment: 借 ``account``, 贷 102) in any books; answers the entry."""

    entity: str
    direction: str
    account: str
    amount: str
    date: datetime.date
    memo: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.pooling.record_cash(
            entity=self.entity,
            direction=self.direction,
            account=self.account,
            amount=self.amount,
            date=self.date,
            memo=self.memo,
            actor=actor,
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry(self.entity)
