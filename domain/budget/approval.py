"""四议两公开 of a financial plan (财务计划): the checks of a step.

The steps and their thresholds are the distribution plans' (``domain.plan``: ``STEPS``,
``vote_problem``, ``quorum_problem``), reused as they are, as a jointly built project's are
(``domain.projects.approval``). What a financial plan adds: the steps are those of one version
(a revision goes through them again), none is dated before the version was proposed, and
实施结果公开 (the year's outcome posted) comes after the plan's year has ended.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from domain.errors import ConflictError, InvalidRequestError
from domain.plan import (
    CONSULTATION,
    PROPOSAL,
    RESOLUTION,
    RESOLUTION_PUBLISHED,
    RESULT_PUBLISHED,
    REVIEW,
    STEPS,
    quorum_problem,
    vote_problem,
)


def step_problem(
    *,
    words: str,
    steps: Mapping[str, Mapping[str, Any]],
    proposed_on: datetime.date,
    year: int,
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
    """Check a step of the version ``words`` names (``V01 2026年财务计划第1版``) as a plan's step
    is checked (order, dates, body, place, votes); answers why the vote rejects the version, or
    None when it passes.

    Raises:
        InvalidRequestError, ConflictError: a step that cannot be recorded at all.
    """
    if step not in STEPS:
        raise InvalidRequestError(
            f"step {step!r} is not a step of 四议两公开; use one of {', '.join(STEPS)}",
            field="step",
            zh=f"“{step}”不是四议两公开的步骤：请选 {'、'.join(STEPS)} 之一",
        )
    if step in steps:
        raise ConflictError(
            f"{words} already has {step}", field="step", zh=f"{words}已记录过{step}"
        )
    index = STEPS.index(step)
    missing = [s for s in STEPS[:index] if s not in steps]
    if missing:
        raise ConflictError(
            f"{words} cannot record {step} before {', '.join(missing)}",
            field="step",
            zh=f"{words}还没有记录{'、'.join(missing)}，不能先记录{step}",
        )
    if date < proposed_on:
        raise InvalidRequestError(
            f"{step} cannot be dated {date}, before the version was proposed ({proposed_on})",
            field="date",
            zh=f"{step}的日期 {date} 早于{words}的编制日期 {proposed_on}",
        )
    previous = [str(steps[s]["date"]) for s in STEPS[:index]]
    if previous and date.isoformat() < max(previous):
        raise InvalidRequestError(
            f"{step} cannot be dated {date}, before the previous step ({max(previous)})",
            field="date",
            zh=f"{step}的日期 {date} 早于上一步（{max(previous)}）",
        )
    if step == RESULT_PUBLISHED and date.year <= year:
        raise InvalidRequestError(
            f"the outcome of the {year} plan is published after the year ends (from "
            f"{year + 1}-01-01), not on {date}",
            field="date",
            zh=f"{year}年财务计划的执行结果在年度结束后公开（{year + 1}-01-01 起），"
            f"不能记为 {date}",
        )
    if not body.strip():
        raise InvalidRequestError(
            f"{step} needs the body that took it", field="body", zh=f"请填写{step}的组织或会议"
        )
    if merged and step != PROPOSAL:
        raise InvalidRequestError(
            "only 提议 can be merged (with 商议)", field="merged", zh="只有提议可以与商议合并"
        )
    if step in (RESOLUTION_PUBLISHED, RESULT_PUBLISHED) and not place.strip():
        raise InvalidRequestError(
            f"{step} needs the place it was posted (e.g. 村务公开栏)",
            field="place",
            zh=f"{step}请填写公开的地点（如村务公开栏）",
        )
    quorum = (adult_villagers, households, households_present)
    if any(v is not None for v in quorum) and not (step == RESOLUTION and assembly == "villagers"):
        raise InvalidRequestError(
            "adult_villagers, households and households_present are the quorum of a villagers' "
            f"assembly (村民会议) taking 决议; leave them out of {step}",
            field="adult_villagers",
            zh="十八周岁以上村民数、本村户数和到会户数只在村民会议作决议时填写",
        )
    voting = step in (CONSULTATION, REVIEW, RESOLUTION) or (step == PROPOSAL and merged)
    if not voting:
        return None
    reason = vote_problem(
        step, expected, present, votes_for, votes_against, abstentions, assembly, merged
    )
    if step == RESOLUTION:
        reason = (
            quorum_problem(
                assembly, expected, present, adult_villagers, households, households_present
            )
            or reason
        )
    return reason
