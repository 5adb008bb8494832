"""四议两公开 of a financial plan (财务计划): the checks of a step.

The steps and their thresholds are the distribution plans' (``domain.meetings``: ``STEPS``,
``vote_problem``, ``quorum_problem``, ``meeting_problem``), reused as they are, as a jointly built
project's are (``domain.projects.approval``). What a financial plan adds: the steps are those of
one version (a revision goes through them again), none is dated before the version was proposed,
and 实施结果公开 (the year's outcome posted) comes after the plan's year has ended.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from domain.errors import ConflictError, InvalidRequestError
from domain.meetings import (
    RESULT_PUBLISHED,
    STEPS,
    check_step_name,
    meeting_problem,
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
    check_step_name(step)
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
