"""The steps of 四议两公开 (the procedure for a village's major matters) as every aggregate
that records them keeps them: a distribution plan (``domain.plan``), a jointly built project
(``domain.projects``) and a version of a financial plan (``domain.budget``); the thresholds of
their votes (``vote_problem``, ``quorum_problem``) and, for a project and a financial plan, what
a step must say besides its order and dates (``meeting_problem``). ``domain.plan`` re-exports the
names its callers knew it by."""

from __future__ import annotations

import datetime
from typing import Any

from domain.errors import InvalidRequestError

PROPOSAL, CONSULTATION, REVIEW, RESOLUTION, RESOLUTION_PUBLISHED, RESULT_PUBLISHED = (
    "提议",
    "商议",
    "审议",
    "决议",
    "决议公开",
    "实施结果公开",
)
STEPS = (PROPOSAL, CONSULTATION, REVIEW, RESOLUTION, RESOLUTION_PUBLISHED, RESULT_PUBLISHED)
ASSEMBLIES = ("villagers", "representatives")


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


def vote_problem(
    step: str,
    expected: int | None,
    present: int | None,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
    assembly: str | None,
    merged: bool,
) -> str | None:
    """Why a vote of ``step`` fails its threshold (None when it passes); refused when the counts
    are impossible. Shared by every matter decided by 四议两公开 (plans, projects)."""
    counts = {
        "attendance.expected": expected,
        "attendance.present": present,
        "votes.for": votes_for,
        "votes.against": votes_against,
        "votes.abstain": abstentions,
    }
    for field, value in counts.items():
        if value is None or isinstance(value, bool) or value < 0:
            raise InvalidRequestError(
                f"{step} is a vote: give {field} as a whole number ≥ 0", field=field
            )
    assert expected is not None and present is not None and votes_for is not None
    assert votes_against is not None and abstentions is not None
    if expected == 0 or present > expected:
        raise InvalidRequestError(
            f"{step}: {present} present of {expected} expected is not possible",
            field="attendance.present",
        )
    if votes_for + votes_against + abstentions > present:
        raise InvalidRequestError(
            f"{step}: {votes_for + votes_against + abstentions} votes cast but only "
            f"{present} present",
            field="votes",
        )
    if step == RESOLUTION and assembly not in ASSEMBLIES:
        raise InvalidRequestError(
            "决议 needs the assembly: 'villagers' (村民会议) or 'representatives' (村民代表会议)",
            field="assembly",
        )
    if step == REVIEW:
        if present * 3 < expected * 2:
            return (
                f"审议 failed: {present} of {expected} party members attended, fewer than "
                "the two thirds required"
            )
        if votes_for * 2 <= expected:
            return (
                f"审议 failed: {votes_for} of {expected} party members agreed, not more "
                "than half of those required to attend"
            )
        return None
    if step == RESOLUTION and assembly == "representatives":
        if votes_for * 2 <= expected:
            return (
                f"决议 failed: {votes_for} of {expected} representatives agreed, not more "
                "than half of all representatives"
            )
        return None
    if votes_for * 2 <= present:
        name = "商议" if step == PROPOSAL and merged else step
        return f"{name} failed: {votes_for} of {present} present agreed, not more than half"
    return None


def quorum_problem(
    assembly: str | None,
    expected: int | None,
    present: int | None,
    adult_villagers: int | None,
    households: int | None,
    households_present: int | None,
) -> str | None:
    """Whether the assembly taking 决议 could sit (村民委员会组织法 arts. 22 and 26)."""
    assert expected is not None and present is not None
    if assembly == "representatives":
        if present * 3 < expected * 2:
            return (
                f"决议 failed: {present} of {expected} representatives present, fewer than "
                "the two thirds a villager representatives' assembly needs to sit "
                "(村民委员会组织法 art. 26)"
            )
        return None
    if (households is None) != (households_present is None):
        field = "households" if households is None else "households_present"
        raise InvalidRequestError(
            "give households (本村户数) and households_present (到会户数) together",
            field=field,
        )
    pair = (households, households_present)
    if adult_villagers is None and None in pair:
        raise InvalidRequestError(
            "决议 by a villagers' assembly (村民会议) needs its quorum: adult_villagers "
            "(本村十八周岁以上村民数, present counted against it) or households with "
            "households_present (户代表到会户数)",
            field="adult_villagers",
        )
    for name, total, part in (
        ("adult_villagers", adult_villagers, present),
        ("households", households, households_present),
    ):
        if total is not None and part is not None and (total == 0 or part > total):
            raise InvalidRequestError(
                f"决议: {part} present of {total} {name.replace('_', ' ')} is not possible",
                field=name if name == "adult_villagers" else "households_present",
            )
    if adult_villagers is not None and present * 2 > adult_villagers:
        return None
    if households is not None and households_present is not None:
        if households_present * 3 >= households * 2:
            return None
    parts = []
    if adult_villagers is not None:
        parts.append(f"{present} of {adult_villagers} adult villagers present, not more than half")
    if households is not None:
        parts.append(
            f"{households_present} of {households} households present, fewer than two thirds"
        )
    return (
        "决议 failed: the villagers' assembly had no quorum ("
        + "; ".join(parts)
        + "; 村民委员会组织法 art. 22)"
    )


def check_step_name(step: str) -> None:
    """Refuse a step that is not one of 四议两公开."""
    if step not in STEPS:
        raise InvalidRequestError(
            f"step {step!r} is not a step of 四议两公开; use one of {', '.join(STEPS)}",
            field="step",
            zh=f"“{step}”不是四议两公开的步骤：请选 {'、'.join(STEPS)} 之一",
        )


def meeting_problem(
    step: str,
    *,
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
    """What a project's and a financial plan's step must say once its order and dates are
    checked: the body that took it, the place a 公开 was posted, a merge only of 提议 with 商议,
    the quorum counts only on a villagers' assembly's 决议; then the vote. Answers why the vote
    rejects, or None when it passes (or the step takes no vote).

    Raises:
        InvalidRequestError: a step that cannot be recorded at all.
    """
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
