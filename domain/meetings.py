"""The steps of 四议两公开 (the procedure for a village's major matters) as every aggregate
that records them keeps them: a distribution plan (``domain.plan``), a jointly built project
(``domain.projects``) and a version of a financial plan (``domain.budget``). Their order,
thresholds and vote checks are ``domain.plan``'s (``vote_problem``, ``quorum_problem``)."""

from __future__ import annotations

import datetime
from typing import Any

PROPOSAL, CONSULTATION, REVIEW, RESOLUTION, RESOLUTION_PUBLISHED, RESULT_PUBLISHED = (
    "提议",
    "商议",
    "审议",
    "决议",
    "决议公开",
    "实施结果公开",
)
STEPS = (PROPOSAL, CONSULTATION, REVIEW, RESOLUTION, RESOLUTION_PUBLISHED, RESULT_PUBLISHED)


def put_step(
    steps: dict[str, dict[str, Any]],
    step: str,
    *,
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
    adult_villagers: int | None = None,
    households: int | None = None,
    households_present: int | None = None,
) -> None:
    """Keep a step of 四议两公开 in ``steps`` as every aggregate that records one keeps it (a
    distribution plan, a project, a version of a financial plan): its date, body, place, counts
    and vote, the village meeting's quorum counts when given; a 提议 merged with 商议 stands for
    both."""
    record: dict[str, Any] = {
        "date": date.isoformat(),
        "body": body,
        "place": place,
        "expected": expected,
        "present": present,
        "for": votes_for,
        "against": votes_against,
        "abstain": abstentions,
        "assembly": assembly,
        "merged": merged,
        "note": note,
    }
    quorum = {
        "adult_villagers": adult_villagers,
        "households": households,
        "households_present": households_present,
    }
    record.update({k: v for k, v in quorum.items() if v is not None})
    steps[step] = record
    if step == PROPOSAL and merged:
        steps[CONSULTATION] = {**record, "merged": True}
