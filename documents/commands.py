"""The commands whose record is made from the read models, as data (``domain.commands``):
publishing a disclosure sheet (its content, the ledger fingerprint and a signed checkpoint,
``documents.publishing``) and attaching a fairness comparison to a plan
(``documents.fairness``). They live on the read side, not in ``domain/``, because what they
record is built from the read models; each carries the runtime it reads them through (not
compared: the fields that are the clerk's request are).

Both run once, not retried as a whole by the runner: the save of their service retries itself,
and what was read from the read models is not read again."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from documents import publishing
from documents.fairness import comparison_now
from domain.commands import Command, Place, Recorded, joint_place, village_place


@dataclass(frozen=True)
class PublishSheet(Command[dict[str, Any]]):
    """Publish the disclosure sheet of a village (or, with ``joint``, of a joint entity) for a
    period, as a new immutable version; answers ``publishing.publish_sheet``'s version."""

    runtime: Any = field(compare=False, repr=False)
    village: str
    period: str
    checked_by: tuple[str, ...]
    checked_on: datetime.date
    opinion: str
    reason: str
    joint: bool = False
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        if self.joint:
            return (joint_place(app, self.village),)
        return (village_place(app, self.village),)

    def execute(self, app: Any, actor: str) -> dict[str, Any]:
        return publishing.publish_sheet(
            self.runtime,
            self.village,
            self.period,
            checked_by=list(self.checked_by),
            checked_on=self.checked_on,
            opinion=self.opinion,
            reason=self.reason,
            actor=actor,
        )

    def replayed(self, recorded: Recorded) -> dict[str, Any]:
        return {"version": recorded.value("version")}


@dataclass(frozen=True)
class AttachComparison(Command[int]):
    """Compare candidate rules on a plan's inputs, as the read models stand, and record the
    comparison on the plan before the vote of ``for_step`` (审议 or 决议); answers the
    comparison's number on the plan."""

    runtime: Any = field(compare=False, repr=False)
    plan: str
    for_step: str
    candidates: tuple[dict[str, Any], ...]
    reference: str | None = None
    shapley: dict[str, Any] | None = None
    per_capita_basis: str = "population"
    enterprise_profit: dict[str, str] = field(default_factory=dict)
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        return ((app.plans.get_plan(self.plan).township, f"plan {self.plan}"),)

    def execute(self, app: Any, actor: str) -> int:
        result = comparison_now(
            self.runtime,
            document=None,
            plan=self.plan,
            candidates=list(self.candidates),
            reference=self.reference,
            shapley=self.shapley,
            per_capita_basis=self.per_capita_basis,
            enterprise_profit=self.enterprise_profit,
        )
        number: int = app.plans.attach_comparison(
            code=self.plan, for_step=self.for_step, comparison=result, actor=actor
        )
        return number

    def replayed(self, recorded: Recorded) -> int:
        return int(recorded.value("number"))
