"""The commands on jointly built projects (联建项目), as data (``domain.commands``): each names
the township of the books the project is kept in and calls ``app.projects``
(``domain.projects.service``). The API's routes, the workbench's forms and the command line
build the same commands.

Amounts are decimal strings (``"350000.00"``); a budget is item → amount; a funding source is
``{"kind", "source", "programme", "amount"}`` (``domain.projects``); the cards a completion
gives are ``CardTerms`` (``domain.assets.service``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.assets.service import CardTerms
from domain.commands import Command, Place, Recorded, Words, books_place
from ledger.entries import JournalEntry


def project_place(app: Any, code: str) -> Place:
    """The township of the books project ``code`` is kept in (404 when there is none)."""
    project = app.projects.get_project(code)
    return app.entity_township(project.entity), Words(f"project {code}", f"项目 {code}")


@dataclass(frozen=True)
class PlanProject(Command[str]):
    """立项: a project of ``entity``'s books with its budget and funding; answers its code."""

    code: str
    entity: str
    name: str
    kind: str
    budget: Mapping[str, str]
    funding: Sequence[Mapping[str, str]]
    planned_on: datetime.date

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.projects.plan_project(
            code=self.code,
            entity=self.entity,
            name=self.name,
            kind=self.kind,
            budget=self.budget,
            funding=self.funding,
            planned_on=self.planned_on,
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class RecordProjectStep(Command[str | None]):
    """A step of 四议两公开 with its details (body, place, attendance, votes …, as a plan's);
    answers why a failed vote rejected the project, or None."""

    project: str
    step: str
    date: datetime.date
    details: Mapping[str, Any] = field(default_factory=dict)

    def places(self, app: Any) -> Iterable[Place]:
        return (project_place(app, self.project),)

    def execute(self, app: Any, actor: str) -> str | None:
        reason: str | None = app.projects.record_step(
            code=self.project, step=self.step, date=self.date, actor=actor, **self.details
        )
        return reason

    def replayed(self, recorded: Recorded) -> str | None:
        for event in recorded.events:
            if type(event).__name__ == "ApprovalRejected":
                return str(event.reason)
        return None


@dataclass(frozen=True)
class RecordProjectCost(Command[JournalEntry]):
    """A payment for the project (借 153<code> / 贷 102), the part ``grant_amount`` (all of it
    when not given) from ``grant`` when it is charged to a grant; answers the voucher."""

    project: str
    date: datetime.date
    item: str
    amount: str
    memo: str = ""
    grant: str | None = None
    grant_amount: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (project_place(app, self.project),)

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.projects.record_cost(
            code=self.project,
            date=self.date,
            item=self.item,
            amount=self.amount,
            memo=self.memo,
            grant=self.grant,
            grant_amount=self.grant_amount,
            actor=actor,
        )
        return entry

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry()


@dataclass(frozen=True)
class CompleteProject(Command[list[JournalEntry]]):
    """竣工 into the asset cards ``assets``, with the ownership shares ``owners`` (village →
    fraction, exactly 1 together; empty: by the capital each village designated); answers the
    vouchers (153 → 151 …, and 241 → 311 for the grant-funded part)."""

    project: str
    date: datetime.date
    assets: Sequence[CardTerms]
    owners: Mapping[str, str] = field(default_factory=dict)

    def places(self, app: Any) -> Iterable[Place]:
        return (project_place(app, self.project),)

    def execute(self, app: Any, actor: str) -> list[JournalEntry]:
        entries: list[JournalEntry] = app.projects.complete(
            code=self.project,
            date=self.date,
            assets=list(self.assets),
            owners=dict(self.owners) or None,
            actor=actor,
        )
        return entries

    def replayed(self, recorded: Recorded) -> list[JournalEntry]:
        return recorded.entries()


@dataclass(frozen=True)
class RecordProjectIncome(Command[str]):
    """Income of a completed project (``kind`` rent, dividend or other): posted 借 102 / 贷
    501/502/504, or tied to the voucher ``posted`` already in the books; answers the voucher
    number."""

    project: str
    date: datetime.date
    kind: str
    amount: str
    memo: str = ""
    reference: str = ""
    posted: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (project_place(app, self.project),)

    def execute(self, app: Any, actor: str) -> str:
        number: str = app.projects.record_income(
            code=self.project,
            date=self.date,
            kind=self.kind,
            amount=self.amount,
            memo=self.memo,
            reference=self.reference,
            posted=self.posted,
            actor=actor,
        )
        return number

    def replayed(self, recorded: Recorded) -> str:
        for event in recorded.events:
            if type(event).__name__ == "IncomeRecorded":
                return str(event.entry)
        raise LookupError("no income among the recorded events")
