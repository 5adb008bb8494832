"""The annual financial plan (财务计划) of a set of books: what a village (or a joint entity)
plans to take in and to spend in a year, line by line, approved by 四议两公开 and compared with
the books (``documents.budget``).

Not the distribution plan (收益分配方案, ``domain.plan``): that one divides income; this one is
the year's budget. Its approval takes the same six steps with the same checks
(``domain.budget.approval``, on ``domain.meetings``'s checks).

One aggregate per book and year (``budget_id(entity, year)``), holding every version:

- **Proposed** (the first version) and **Revised** (a later one, with its reason): the lines,
  each ``{"name", "kind", "accounts", "amount"}`` — ``kind`` ``income`` or ``expense``,
  ``accounts`` the 2023 chart's income accounts (501 … 504) or expense accounts (511 … 521), or
  sub-accounts of them, whose movements make the line's actual figure, ``amount`` the year's
  plan in fen (≥ 0);
- **ApprovalStepRecorded** (a step of 四议两公开 of a version, in the shape of a plan's
  ``StepRecorded``) and **ApprovalRejected** (a vote below its threshold: that version is
  rejected, the plan may be revised) — named apart from a plan's events, as a project's are, so
  the read models that know a plan's steps by their short name never take these for one;
- **Approved**: the version's 决议 passed; from that day it is the plan *in force*.

Versions: a revision is a new version, the old ones are kept as they were. One version is in
approval at a time: a plan is revised once its latest version is rejected, or approved and its
决议 published (决议公开). The version *in force* on a day is the latest one whose 决议 passed on
or before that day; the comparison with the books of a period uses the version in force at the
period's end (a revision replaces the year's figures; it does not split the year), and a
voucher's warning the version in force on the voucher's date. 实施结果公开 (the year's outcome
posted) is recorded on the version in force, after the year's end.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.budget.approval import step_problem
from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.meetings import put_step
from domain.owned import Townships
from domain.plan import CONSULTATION, PROPOSAL, RESOLUTION, RESOLUTION_PUBLISHED, REVIEW

PROPOSED, APPROVED, REJECTED = "proposed", "approved", "rejected"
STATE_ZH = {PROPOSED: "审批中", APPROVED: "已通过", REJECTED: "未通过"}
INCOME, EXPENSE = "income", "expense"
KIND_ZH = {INCOME: "收入", EXPENSE: "支出"}


def budget_id(entity: str, year: int) -> UUID:
    return uuid5(NAMESPACE, f"budget:{entity}:{year}")


def plan_words(entity: str, year: int) -> str:
    """How a refusal names the plan in Chinese: ``V01 2026年财务计划``."""
    return f"{entity} {year}年财务计划"


class FinancialPlan(Aggregate):
    """The financial plan of ``entity``'s books for ``year``, every version of it."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its books (``domain.tenancy``)."""
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"the financial plan of {self.entity} for {self.year}"

    @staticmethod
    def create_id(entity: str, year: int) -> UUID:
        return budget_id(entity, year)

    @event("Proposed")
    def __init__(
        self,
        *,
        entity: str,
        year: int,
        lines: list[dict[str, Any]],
        proposed_on: datetime.date,
        note: str,
        actor: str,
    ) -> None:
        """The first version: ``lines`` as the module docstring says (checked by the
        service against the books' chart)."""
        self.entity = entity
        self.year = year
        self.versions: list[dict[str, Any]] = []
        self._add_version(lines, proposed_on, reason="", note=note)

    def _add_version(
        self, lines: list[dict[str, Any]], proposed_on: datetime.date, *, reason: str, note: str
    ) -> None:
        self.versions.append(
            {
                "version": len(self.versions) + 1,
                "lines": [dict(line, accounts=list(line["accounts"])) for line in lines],
                "proposed_on": proposed_on.isoformat(),
                "reason": reason,
                "note": note,
                "steps": {},
                "state": PROPOSED,
                "rejection": None,
                "approved_on": None,
            }
        )

    # -- what it holds ------------------------------------------------------------------------

    @property
    def words(self) -> str:
        return plan_words(self.entity, self.year)

    @property
    def latest(self) -> dict[str, Any]:
        return self.versions[-1]

    def in_force(self, day: datetime.date) -> dict[str, Any] | None:
        """The version in force on ``day``: the latest whose 决议 passed on or before it."""
        found = None
        for version in self.versions:
            if version["state"] == APPROVED and version["approved_on"] <= day.isoformat():
                found = version
        return found

    def pending(self) -> str | None:
        """What the latest version waits for before the plan can be revised (None: nothing)."""
        latest = self.latest
        if latest["state"] == PROPOSED:
            done = latest["steps"]
            return next(s for s in (PROPOSAL, CONSULTATION, REVIEW, RESOLUTION) if s not in done)
        if latest["state"] == APPROVED and RESOLUTION_PUBLISHED not in latest["steps"]:
            return RESOLUTION_PUBLISHED
        return None

    # -- revision -----------------------------------------------------------------------------

    def revise(
        self,
        *,
        lines: list[dict[str, Any]],
        proposed_on: datetime.date,
        reason: str,
        note: str,
        actor: str,
    ) -> int:
        """A new version with ``reason`` (调整计划); answers its number. Refused while the
        latest version is still in approval or its 决议 not yet published."""
        latest = self.latest
        number = latest["version"]
        waiting = self.pending()
        if waiting is not None:
            raise ConflictError(
                f"version {latest['version']} of the financial plan of {self.entity} for "
                f"{self.year} waits for {waiting}; it is revised once that version is "
                "rejected, or approved and its resolution published",
                field="version",
                zh=f"{self.words}第{number}版还在审批中（下一步：{waiting}）："
                "这一版未通过，或通过并已决议公开后，才能修订",
            )
        if not reason.strip():
            raise InvalidRequestError(
                "a revision of the plan says why (reason)",
                field="reason",
                zh="请填写调整计划的原因",
            )
        dates = [latest["proposed_on"], *(s["date"] for s in latest["steps"].values())]
        if proposed_on.isoformat() < max(dates):
            raise InvalidRequestError(
                f"a revision cannot be dated {proposed_on}, before the last step of version "
                f"{latest['version']} ({max(dates)})",
                field="proposed_on",
                zh=f"修订日期 {proposed_on} 早于第{number}版的最后一步（{max(dates)}）",
            )
        version = len(self.versions) + 1
        self._revised(
            version=version,
            lines=lines,
            proposed_on=proposed_on,
            reason=reason.strip(),
            note=note,
            actor=actor,
        )
        return version

    @event("Revised")
    def _revised(
        self,
        *,
        version: int,
        lines: list[dict[str, Any]],
        proposed_on: datetime.date,
        reason: str,
        note: str,
        actor: str,
    ) -> None:
        """Version ``version`` of the plan (the ones before it kept as they were)."""
        self._add_version(lines, proposed_on, reason=reason, note=note)

    # -- 四议两公开 ----------------------------------------------------------------------------

    def record_step(
        self,
        *,
        step: str,
        date: datetime.date,
        body: str,
        version: int | None = None,
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
        """Record a step of 四议两公开 of the latest version (``version``, when given, must be
        it); answers why a failed vote rejected the version, or None."""
        latest = self.latest
        number = latest["version"]
        if version is not None and version != number:
            raise ConflictError(
                f"version {version} of the financial plan of {self.entity} for {self.year} is "
                f"not its latest (version {number}); steps are recorded on the latest",
                field="version",
                zh=f"{self.words}的最新版本是第{number}版，不是第{version}版",
            )
        if latest["state"] == REJECTED:
            rejection = latest["rejection"]
            raise ConflictError(
                f"version {number} was rejected ({rejection}); revise the plan",
                field="step",
                zh=f"{self.words}第{number}版未通过（{rejection}）：请修订计划后重新审批",
            )
        quorum = {
            "adult_villagers": adult_villagers,
            "households": households,
            "households_present": households_present,
        }
        counts = {
            "expected": expected,
            "present": present,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "abstentions": abstentions,
        }
        reason = step_problem(
            words=f"{self.words}第{number}版",
            steps=latest["steps"],
            proposed_on=datetime.date.fromisoformat(latest["proposed_on"]),
            year=self.year,
            step=step,
            date=date,
            body=body,
            place=place,
            assembly=assembly,
            merged=merged,
            **counts,
            **quorum,
        )
        self._step_recorded(
            version=number,
            step=step,
            date=date,
            body=body.strip(),
            place=place.strip(),
            assembly=assembly,
            merged=merged,
            note=note,
            actor=actor,
            **counts,
            **quorum,
        )
        if reason is not None:
            self._rejected(version=number, step=step, reason=reason, actor=actor)
        elif step == RESOLUTION:
            self._approved(version=number, date=date, actor=actor)
        return reason

    @event("ApprovalStepRecorded")
    def _step_recorded(
        self,
        *,
        version: int,
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
        """A step of 四议两公开 of version ``version``, in the shape of a plan's."""
        put_step(
            self.versions[version - 1]["steps"],
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

    @event("ApprovalRejected")
    def _rejected(self, *, version: int, step: str, reason: str, actor: str) -> None:
        """A vote below its threshold: version ``version`` is not approved."""
        self.versions[version - 1]["state"] = REJECTED
        self.versions[version - 1]["rejection"] = reason

    @event("Approved")
    def _approved(self, *, version: int, date: datetime.date, actor: str) -> None:
        """The 决议 of version ``version`` passed on ``date``: from that day it is in force."""
        self.versions[version - 1]["state"] = APPROVED
        self.versions[version - 1]["approved_on"] = date.isoformat()
