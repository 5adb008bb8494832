"""Distribution plans (收益分配方案) and their approval by 四议两公开.

A plan divides an amount of income, from the joint entity among member villages or from a
village among its households, by a rule document of docs/rules.md. The plan records the full rule
with every input basis and the computed lines, then the six steps of 四议两公开 with dates,
bodies, attendance and votes. It can be executed only after 决议 and 决议公开, posts every payout
into the payer's and payees' books in one save, and is frozen afterwards: a correction is a
new plan that names the one it supersedes.

The steps and their thresholds (the 四议两公开 procedure for major village matters):

1. 提议 proposal by the party branch; recorded.
2. 商议 consultation of both committees (两委): more than half of those present agree. May be
   merged with 提议 where one person holds both posts (``merged`` on the 提议 step).
3. 审议 party members' assembly: at least 2/3 of the members attend, and more than half of all
   members (those required to attend) agree.
4. 决议 villagers' assembly (村民会议, 村民委员会组织法 art. 22: it sits only when more than half
   of the adult villagers, or the representatives of two thirds of the households, are present;
   more than half of those present agree) or villager representatives' assembly (art. 26: it
   sits only when two thirds of all representatives are present; more than half of all
   representatives agree, the stricter reading of the procedure). A 决议 below quorum is still
   recorded and rejects the plan.
5. 决议公开 the resolution is posted (date and place).
6. 实施结果公开 the outcome is posted, after execution.

A vote below its threshold is still recorded, and rejects the plan with the reason.

Execution is two people's (nothing posts without a second person): once 决议公开 is
recorded, one person asks for it (提请执行, ``ExecutionRequested``, with the date; every posting
it will make is checked then and nothing is written), and another natural person with the
记账/主管 duty executes it (``Executed``): the payouts post into every book in one save. The
second person's execution is the plan's 审核 and its 记账 at once — the amounts are the plan's,
computed from the registers and approved by 四议两公开, not typed, and a third person would add
a step and no check; the requester is the payouts' 制单. Until then the request may be withdrawn
or refused with a reason (``ExecutionRequestCancelled``). A plan executed before requests
existed has none.

Dates: the steps are recorded in the order above, each dated on or after the one before it and
on or after the plan's record date (``as_of``): the plan put to the vote is the registers as of
that day, so it is drafted no earlier, and no step can precede it. Execution is dated on or
after 决议公开 (hence after the record date), and 实施结果公开 on or after execution.
Nothing is dated after today (the application refuses it before saving).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, ForbiddenError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.meetings import ASSEMBLIES as ASSEMBLIES
from domain.meetings import CONSULTATION as CONSULTATION  # the steps, re-exported
from domain.meetings import PROPOSAL as PROPOSAL
from domain.meetings import RESOLUTION as RESOLUTION
from domain.meetings import RESOLUTION_PUBLISHED as RESOLUTION_PUBLISHED
from domain.meetings import RESULT_PUBLISHED as RESULT_PUBLISHED
from domain.meetings import REVIEW as REVIEW
from domain.meetings import STEPS as STEPS
from domain.meetings import put_step
from domain.meetings import quorum_problem as quorum_problem
from domain.meetings import vote_problem as vote_problem
from domain.owned import Townships

BEFORE_EXECUTION = STEPS[:5]

DRAFTED, REJECTED, EXECUTED, SUPERSEDED = "drafted", "rejected", "executed", "superseded"
STATE_ZH = {DRAFTED: "草案", REJECTED: "已否决", EXECUTED: "已执行", SUPERSEDED: "已被更正方案取代"}


class OwnRequestError(ForbiddenError):
    """Separation of duties: the person who asked for a plan's execution does not execute it."""

    kind = "own-request"


def plan_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"plan:{code}")


class DistributionPlan(Aggregate):
    """One division of income, from its draft through approval to execution."""

    def township_in(self, townships: Townships) -> str | None:
        """The payer's township, recorded with the plan (``domain.tenancy``)."""
        township: str = self.township
        return township

    def described(self) -> str:
        return f"distribution plan {self.code}"

    @staticmethod
    def create_id(code: str) -> UUID:
        return plan_id(code)

    # set by a request to execute (a class default: a plan drafted before requests reads None)
    execution_request: dict[str, Any] | None = None  # on, actor

    @event("Drafted")
    def __init__(
        self,
        *,
        code: str,
        title: str,
        scope: str,
        payer: str,
        alliance_code: str | None,
        period: str,
        as_of: datetime.date,
        rule: dict[str, Any],
        result: dict[str, Any],
        deduction_accounts: dict[str, str | None],
        supersedes: str | None,
        township: str,
        actor: str,
    ) -> None:
        self.code = code
        self.title = title
        self.scope = scope
        self.payer = payer
        self.alliance_code = alliance_code
        self.period = period
        self.as_of = as_of
        self.rule = rule
        self.result = result
        self.deduction_accounts = deduction_accounts
        self.supersedes = supersedes
        self.township = township
        self.steps: dict[str, dict[str, Any]] = {}
        self.state = DRAFTED
        self.rejection: str | None = None
        self.executed_on: datetime.date | None = None
        self.entries: list[list[str]] = []  # [entity, voucher number] posted on execution
        self.superseded_by: str | None = None
        self.comparisons: list[dict[str, Any]] = []  # number, for_step, digest

    # -- queries -------------------------------------------------------------------------------

    def missing_before_execution(self) -> list[str]:
        return [step for step in BEFORE_EXECUTION if step not in self.steps]

    def _require_state(self, *states: str, doing: str) -> None:
        if self.state not in states:
            detail = f" ({self.rejection})" if self.rejection else ""
            raise ConflictError(
                f"plan {self.code} is {self.state}{detail}; it cannot {doing}",
                field="plan",
                zh=f"分配方案 {self.code} {STATE_ZH.get(self.state, self.state)}，不能再做这一步",
            )

    # -- approval ------------------------------------------------------------------------------

    def record_step(
        self,
        *,
        step: str,
        date: datetime.date,
        body: str,
        place: str = "",
        expected: int | None = None,
        present: int | None = None,
        votes_for: int | None = None,
        votes_against: int | None = None,
        abstentions: int | None = None,
        assembly: str | None = None,
        merged: bool = False,
        note: str = "",
        adult_villagers: int | None = None,
        households: int | None = None,
        households_present: int | None = None,
        actor: str,
    ) -> str | None:
        """Record one step of 四议两公开; returns the reason when the vote rejects the plan.

        A 决议 by the villagers' assembly needs ``adult_villagers`` (本村十八周岁以上村民数; the
        quorum counts ``present`` against it) and may give ``households`` with
        ``households_present`` (户代表 present) instead or as well: it sits when either quorum
        holds."""
        if step not in STEPS:
            raise InvalidRequestError(
                f"step {step!r} is not a step of 四议两公开; use one of {', '.join(STEPS)}",
                field="step",
            )
        if step == RESULT_PUBLISHED:
            self._require_state(EXECUTED, doing="publish its result before it is executed")
        else:
            self._require_state(DRAFTED, doing=f"record {step}")
        if step in self.steps:
            raise ConflictError(f"plan {self.code} already has {step}", field="step")
        index = STEPS.index(step)
        missing = [s for s in STEPS[:index] if s not in self.steps]
        if missing:
            raise ConflictError(
                f"plan {self.code} cannot record {step} before {', '.join(missing)}",
                field="step",
            )
        if date < self.as_of:
            raise InvalidRequestError(
                f"{step} of plan {self.code} cannot be dated {date}, before its record date "
                f"({self.as_of}): the plan's figures are the registers as of that day",
                field="date",
            )
        previous = [self.steps[s]["date"] for s in STEPS[:index]]
        if previous and date.isoformat() < max(previous):
            raise InvalidRequestError(
                f"{step} cannot be dated {date}, before the previous step ({max(previous)})",
                field="date",
            )
        if step == RESULT_PUBLISHED and self.executed_on and date < self.executed_on:
            raise InvalidRequestError(
                f"the result cannot be published on {date}, before execution on {self.executed_on}",
                field="date",
            )
        if not body.strip():
            raise InvalidRequestError(f"{step} needs the body that took it", field="body")
        if merged and step != PROPOSAL:
            raise InvalidRequestError("only 提议 can be merged (with 商议)", field="merged")
        voting = step in (CONSULTATION, REVIEW, RESOLUTION) or (step == PROPOSAL and merged)
        if step in (RESOLUTION_PUBLISHED, RESULT_PUBLISHED) and not place.strip():
            raise InvalidRequestError(
                f"{step} needs the place it was posted (e.g. 村务公开栏)", field="place"
            )
        quorum = {
            "adult_villagers": adult_villagers,
            "households": households,
            "households_present": households_present,
        }
        if any(v is not None for v in quorum.values()) and not (
            step == RESOLUTION and assembly == "villagers"
        ):
            given = next(k for k, v in quorum.items() if v is not None)
            raise InvalidRequestError(
                f"{given} is the quorum of a villagers' assembly (村民会议) taking 决议; leave it "
                f"out of {step}" + ("" if step != RESOLUTION else f" by the {assembly} assembly"),
                field=given,
            )
        if voting:
            reason = vote_problem(
                step, expected, present, votes_for, votes_against, abstentions, assembly, merged
            )
            if step == RESOLUTION:  # an assembly without its quorum could not vote at all
                reason = (
                    quorum_problem(
                        assembly, expected, present, adult_villagers, households, households_present
                    )
                    or reason
                )
        else:
            reason = None
        self._step_recorded(
            step=step,
            date=date,
            body=body.strip(),
            place=place.strip(),
            expected=expected,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            assembly=assembly,
            merged=merged,
            note=note,
            actor=actor,
            **quorum,
        )
        if reason is not None:
            self._rejected(step=step, reason=reason, actor=actor)
        return reason

    @event("StepRecorded")
    def _step_recorded(
        self,
        *,
        step: str,
        date: datetime.date,
        body: str,
        place: str,
        expected: int | None,
        present: int | None,
        votes_for: int | None,
        votes_against: int | None,
        abstentions: int | None,
        assembly: str | None,
        merged: bool,
        note: str,
        actor: str,
        adult_villagers: int | None = None,
        households: int | None = None,
        households_present: int | None = None,
    ) -> None:
        put_step(
            self.steps,
            step,
            date=date,
            body=body,
            place=place,
            expected=expected,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            assembly=assembly,
            merged=merged,
            note=note,
            adult_villagers=adult_villagers,
            households=households,
            households_present=households_present,
        )

    @event("Rejected")
    def _rejected(self, *, step: str, reason: str, actor: str) -> None:
        self.state = REJECTED
        self.rejection = reason

    # -- comparisons of alternative rules (fairness workbench) ----------------------------------

    def attach_comparison(
        self, *, for_step: str, comparison: dict[str, Any], digest: str, actor: str
    ) -> int:
        """Record the comparison shown to the body that takes ``for_step`` (审议 or 决议), so the
        statement later shows which alternatives were on the table."""
        self._require_state(DRAFTED, doing="have a comparison attached")
        if for_step not in (REVIEW, RESOLUTION):
            raise InvalidRequestError(
                f"a comparison is attached to 审议 or 决议, not {for_step!r}", field="for_step"
            )
        if for_step in self.steps:
            raise ConflictError(
                f"plan {self.code} already has {for_step}; a comparison is shown before the vote",
                field="for_step",
            )
        number = len(self.comparisons) + 1
        self._comparison_attached(
            number=number, for_step=for_step, comparison=comparison, digest=digest, actor=actor
        )
        return number

    @event("ComparisonAttached")
    def _comparison_attached(
        self, *, number: int, for_step: str, comparison: dict[str, Any], digest: str, actor: str
    ) -> None:
        self.comparisons.append({"number": number, "for_step": for_step, "digest": digest})

    # -- execution -----------------------------------------------------------------------------

    def check_executable(self, on: datetime.date) -> None:
        self._require_state(DRAFTED, doing="be executed")
        missing = self.missing_before_execution()
        if missing:
            raise ConflictError(
                f"plan {self.code} cannot be executed before {', '.join(missing)} "
                f"(recorded so far: {', '.join(self.steps) or 'nothing'})",
                field="steps",
            )
        if on < self.as_of:
            raise InvalidRequestError(
                f"plan {self.code} cannot be executed on {on}, before its record date "
                f"({self.as_of})",
                field="date",
            )
        published = datetime.date.fromisoformat(self.steps[RESOLUTION_PUBLISHED]["date"])
        if on < published:
            raise InvalidRequestError(
                f"plan {self.code} cannot be executed on {on}, before its resolution was "
                f"published ({published})",
                field="date",
            )

    def request_execution(self, *, on: datetime.date, actor: str) -> None:
        """提请执行 on ``on``: the service has checked that every payout would post."""
        self.check_executable(on)
        if self.execution_request is not None:
            day, who = self.execution_request["on"], self.execution_request["actor"]
            raise ConflictError(
                f"plan {self.code} was asked to be executed on {day} by {who}; withdraw that "
                "request first",
                field="plan",
                zh=f"分配方案 {self.code} 已由 {who} 提请于 {day} 执行，如要改日期，请先撤回该申请",
            )
        self._execution_requested(on=on, actor=actor)

    @event("ExecutionRequested")
    def _execution_requested(self, *, on: datetime.date, actor: str) -> None:
        self.execution_request = {"on": on.isoformat(), "actor": actor}

    def cancel_execution_request(self, *, reason: str, actor: str) -> None:
        """撤回 (its requester) or 退回 (the person who would execute it) the request."""
        self._require_state(DRAFTED, doing="have its request withdrawn")
        if self.execution_request is None:
            raise ConflictError(
                f"plan {self.code} has no request to execute it",
                field="plan",
                zh=f"分配方案 {self.code} 没有待执行的申请",
            )
        self._execution_request_cancelled(reason=reason, actor=actor)

    @event("ExecutionRequestCancelled")
    def _execution_request_cancelled(self, *, reason: str, actor: str) -> None:
        self.execution_request = None

    def check_requested(self, on: datetime.date) -> str:
        """The plan was asked to be executed on ``on``; answers who asked."""
        asked = self.execution_request
        if asked is None:
            raise ConflictError(
                f"plan {self.code} is executed once someone has asked for it (POST "
                f"/v1/plans/{self.code}/execution-request) and by another person",
                field="plan",
                zh=f"分配方案 {self.code} 还没有人提请执行：请先由一人提请执行，再由另一人审核执行",
            )
        asked_on = asked["on"]
        if asked_on != on.isoformat():
            raise ConflictError(
                f"plan {self.code} was asked to be executed on {asked_on}, not {on}",
                field="date",
                zh=f"分配方案 {self.code} 提请的执行日期是 {asked_on}，不是 {on}；"
                "如要改日期，请先撤回申请再重新提请",
            )
        return str(asked["actor"])

    def execute(self, *, on: datetime.date, entries: list[list[str]], actor: str) -> None:
        self.check_executable(on)
        self.check_requested(on)
        self._executed(on=on, entries=entries, actor=actor)

    @event("Executed")
    def _executed(self, *, on: datetime.date, entries: list[list[str]], actor: str) -> None:
        self.state = EXECUTED
        self.executed_on = on
        self.entries = [list(e) for e in entries]

    def supersede(self, *, by: str, entries: list[list[str]], actor: str) -> None:
        """Mark this executed plan as corrected by ``by``, whose execution reversed ``entries``."""
        self._require_state(EXECUTED, doing="be superseded")
        self._superseded(by=by, reversals=entries, actor=actor)

    @event("Superseded")
    def _superseded(self, *, by: str, reversals: list[list[str]], actor: str) -> None:
        self.state = SUPERSEDED
        self.superseded_by = by
