"""四议两公开 for a jointly built project (联建项目): when it is needed, and the checks of a step.

The steps and their thresholds are the distribution plans' (``domain.meetings``: ``STEPS``,
``vote_problem``, ``quorum_problem``, ``meeting_problem``), reused as they are. What a project
adds is *when* the procedure is needed: a plan always goes through it; a project does when its
budget reaches :data:`MAJOR_AMOUNT`, the amount from which a village matter counts as a major
one (重大事项: 大额资金使用, 集体资产的处置和建设项目). Provinces set their own figure (5 万元
and 10 万元 are both seen); this one is kept here, in one place, to be corrected in one place
(unconfirmed).

A project that needs it takes no cost and cannot be completed before its 决议 has passed;
实施结果公开 (the outcome posted) comes after its completion.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from moneyed import Money

from domain.errors import ConflictError, InvalidRequestError
from domain.meetings import (
    RESOLUTION,
    RESULT_PUBLISHED,
    STEPS,
    check_step_name,
    meeting_problem,
)
from ledger.money import CNY

MAJOR_AMOUNT = Money(Decimal("50000.00"), CNY)
"""A project budgeted at this amount or more is decided through 四议两公开 (unconfirmed)."""

BEFORE_WORK = STEPS[: STEPS.index(RESOLUTION) + 1]
"""The steps a project that needs approval records before it takes costs: 提议 … 决议."""


def needs_approval(budget: Money) -> bool:
    """Whether a project of ``budget`` is a major matter (see :data:`MAJOR_AMOUNT`)."""
    return budget >= MAJOR_AMOUNT


def step_problem(
    *,
    code: str,
    steps: Mapping[str, Mapping[str, Any]],
    completed: bool,
    planned_on: datetime.date,
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
    adult_villagers: int | None,
    households: int | None,
    households_present: int | None,
) -> str | None:
    """Check a step of project ``code`` as a plan's step is checked (order, dates, body,
    place, votes); returns why the vote rejects the project, or None when it passes.

    Raises:
        InvalidRequestError, ConflictError: a step that cannot be recorded at all.
    """
    check_step_name(step)
    if step in steps:
        raise ConflictError(
            f"project {code} already has {step}",
            field="step",
            zh=f"项目 {code} 已记录过{step}",
        )
    if step == RESULT_PUBLISHED and not completed:
        raise ConflictError(
            f"project {code} publishes its outcome after its completion",
            field="step",
            zh=f"项目 {code} 竣工后才能做实施结果公开",
        )
    index = STEPS.index(step)
    missing = [s for s in STEPS[:index] if s not in steps]
    if missing:
        raise ConflictError(
            f"project {code} cannot record {step} before {', '.join(missing)}",
            field="step",
            zh=f"项目 {code} 还没有记录{'、'.join(missing)}，不能先记录{step}",
        )
    if date < planned_on:
        raise InvalidRequestError(
            f"{step} of project {code} cannot be dated {date}, before the project was planned "
            f"({planned_on})",
            field="date",
            zh=f"项目 {code} 的{step}日期 {date} 早于立项日期 {planned_on}",
        )
    previous = [str(steps[s]["date"]) for s in STEPS[:index]]
    if previous and date.isoformat() < max(previous):
        raise InvalidRequestError(
            f"{step} cannot be dated {date}, before the previous step ({max(previous)})",
            field="date",
            zh=f"{step}的日期 {date} 早于上一步（{max(previous)}）",
        )
    return meeting_problem(
        step,
        body=body,
        place=place,
        expected=expected,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        assembly=assembly,
        merged=merged,
        adult_villagers=adult_villagers,
        households=households,
        households_present=households_present,
    )
