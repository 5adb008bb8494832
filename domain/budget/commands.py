"""The commands on financial plans (财务计划), as data (``domain.commands``): each names the
township of the plan's books and calls ``app.budgets`` (``domain.budget.service``). The API's
routes and the workbench's forms build the same commands.

A line is ``{"name", "accounts", "amount"}`` (``domain.budget.lines``), amounts decimal strings
(``"12000.00"``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.commands import Command, Place, Recorded, books_place


@dataclass(frozen=True)
class ProposeFinancialPlan(Command[int]):
    """编制: the first version of ``entity``'s financial plan for ``year``; answers 1."""

    entity: str
    year: int
    lines: Sequence[Mapping[str, Any]]
    proposed_on: datetime.date
    note: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> int:
        app.budgets.propose(
            entity=self.entity,
            year=self.year,
            lines=self.lines,
            proposed_on=self.proposed_on,
            note=self.note,
            actor=actor,
        )
        return 1

    def replayed(self, recorded: Recorded) -> int:
        return 1


@dataclass(frozen=True)
class ReviseFinancialPlan(Command[int]):
    """调整: a new version of the plan with its reason (the earlier ones kept); answers its
    number."""

    entity: str
    year: int
    lines: Sequence[Mapping[str, Any]]
    proposed_on: datetime.date
    reason: str
    note: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> int:
        version: int = app.budgets.revise(
            entity=self.entity,
            year=self.year,
            lines=self.lines,
            proposed_on=self.proposed_on,
            reason=self.reason,
            note=self.note,
            actor=actor,
        )
        return version

    def replayed(self, recorded: Recorded) -> int:
        return int(recorded.value("version"))


@dataclass(frozen=True)
class RecordFinancialPlanStep(Command[str | None]):
    """A step of 四议两公开 of the plan's latest version (``version``, when given, must be it)
    with its details (body, place, attendance, votes …, as a distribution plan's); answers why
    a failed vote rejected the version, or None."""

    entity: str
    year: int
    step: str
    date: datetime.date
    version: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str | None:
        reason: str | None = app.budgets.record_step(
            entity=self.entity,
            year=self.year,
            step=self.step,
            date=self.date,
            version=self.version,
            actor=actor,
            **self.details,
        )
        return reason

    def replayed(self, recorded: Recorded) -> str | None:
        for event in recorded.events:
            if type(event).__name__ == "ApprovalRejected":
                return str(event.reason)
        return None
