"""The commands on distribution plans (收益分配方案), as data (``domain.commands``): each names
the township it writes in and calls ``app.plans`` (``domain.plan.service``). The API's routes
and the workbench's forms build the same commands.

Two commands need what only the read models know, which the domain does not read: the villages
already paid since an alliance plan's execution (:class:`ExecutePlan`) and a fairness comparison
(:class:`AttachComparison`). The front end gives each a function that reads it; the command
calls it once its township is checked."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from domain.commands import Command, Place, Recorded, Words


def plan_place(app: Any, code: str) -> Place:
    """The township of plan ``code`` (404 when there is none)."""
    plan = app.plans.get_plan(code)
    return plan.township, Words(f"plan {code}", f"方案 {code}")


@dataclass(frozen=True)
class DraftPlan(Command[str]):
    """Draft a plan for a village (to its households) or an alliance (to its villages), a
    correction of an earlier plan when ``supersedes`` names it; answers its code."""

    code: str
    title: str
    scope: str  # "village" or "alliance"
    target: str
    period: str
    as_of: datetime.date
    amount: str
    rule: Mapping[str, Any]
    deduction_accounts: Mapping[str, str | None] = field(default_factory=dict)
    supersedes: str | None = None
    project: str | None = None  # drafted from a jointly built project (amount "" : its result)

    def places(self, app: Any) -> Iterable[Place]:
        if self.scope == "alliance":
            township = app.get_alliance(self.target).township
        else:
            township = app.get_village(self.target).township
        # the workbench names the village or alliance by its code alone
        return ((township, Words(f"{self.scope} {self.target}", self.target)),)

    def execute(self, app: Any, actor: str) -> str:
        app.plans.draft_plan(
            code=self.code,
            title=self.title,
            scope=self.scope,
            target=self.target,
            period=self.period,
            as_of=self.as_of,
            amount=self.amount,
            rule=self.rule,
            deduction_accounts=self.deduction_accounts,
            supersedes=self.supersedes,
            project=self.project,
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class PlanCommand(Command[str]):
    """A command on an existing plan; answers the plan's code."""

    code: str

    def places(self, app: Any) -> Iterable[Place]:
        return (plan_place(app, self.code),)

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class RecordPlanStep(PlanCommand):
    """Record a step of 四议两公开 with its details (body, place, attendance, votes …; a
    failed vote rejects the plan)."""

    step: str
    date: datetime.date
    details: Mapping[str, Any] = field(default_factory=dict)

    def execute(self, app: Any, actor: str) -> str:
        app.plans.record_plan_step(
            code=self.code, step=self.step, date=self.date, actor=actor, **self.details
        )
        return self.code


@dataclass(frozen=True)
class RequestExecution(PlanCommand):
    """提请执行: ask for the plan to be executed on ``date`` (every payout checked, nothing
    posted); another person executes it."""

    date: datetime.date

    def execute(self, app: Any, actor: str) -> str:
        app.plans.request_execution(code=self.code, date=self.date, actor=actor)
        return self.code


@dataclass(frozen=True)
class CancelExecutionRequest(PlanCommand):
    """撤回 or 退回 the request to execute the plan, with the reason."""

    reason: str

    def execute(self, app: Any, actor: str) -> str:
        app.plans.cancel_execution_request(code=self.code, reason=self.reason, actor=actor)
        return self.code


@dataclass(frozen=True)
class ExecutePlan(PlanCommand):
    """Execute the plan: every payout posted into every book it touches, in one save; by
    another person than the one who asked for it (:class:`RequestExecution`), on that date.

    ``paid_villages(code)`` reads, for a correction of an executed alliance plan, the villages
    that have since paid their households (``documents.distribution_statement``)."""

    date: datetime.date
    acknowledge_paid_villages: bool = False
    paid_villages: Callable[[str], Sequence[str]] = field(
        default=lambda code: (), compare=False, repr=False
    )

    def execute(self, app: Any, actor: str) -> str:
        app.plans.execute_plan(
            code=self.code,
            date=self.date,
            actor=actor,
            acknowledge_paid_villages=self.acknowledge_paid_villages,
            paid_villages=self.paid_villages(self.code),
        )
        return self.code


@dataclass(frozen=True)
class AttachComparison(Command[int]):
    """Record a fairness comparison on the plan before the vote of 审议 or 决议; answers its
    number among the plan's comparisons.

    ``comparison()`` computes it from the read models (``documents.fairness``), which the API
    first catches up in transactions of their own: not retried as a whole (the attaching save
    retries itself)."""

    code: str
    for_step: str
    comparison: Callable[[], dict[str, Any]] = field(compare=False, repr=False)
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        return (plan_place(app, self.code),)

    def execute(self, app: Any, actor: str) -> int:
        number: int = app.plans.attach_comparison(
            code=self.code, for_step=self.for_step, comparison=self.comparison(), actor=actor
        )
        return number

    def replayed(self, recorded: Recorded) -> int:
        return int(recorded.value("number"))
