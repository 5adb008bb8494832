"""四议两公开 on the plan aggregate: order, thresholds, rejection, execution guard."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.errors import ConflictError, InvalidRequestError
from domain.plan import DistributionPlan

D = datetime.date


def plan() -> DistributionPlan:
    return DistributionPlan(
        code="P1",
        title="t",
        scope="village",
        payer="V03",
        alliance_code=None,
        period="2025",
        as_of=D(2025, 12, 31),
        rule={},
        result={"lines": [], "deductions": []},
        deduction_accounts={},
        supersedes=None,
        township="唐坊镇",
        actor="a",
    )


def vote(step: str, day: int, expected: int, present: int, yes: int, **kw: Any) -> dict[str, Any]:
    return {
        "step": step,
        "date": D(2026, 1, day),
        "body": "body",
        "expected": expected,
        "present": present,
        "votes_for": yes,
        "votes_against": present - yes,
        "abstentions": 0,
        **kw,
    }


def through_resolution(p: DistributionPlan) -> None:
    p.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    p.record_step(**vote("商议", 2, 7, 7, 4), actor="a")
    p.record_step(**vote("审议", 3, 30, 20, 16), actor="a")
    p.record_step(**vote("决议", 4, 25, 20, 13, assembly="representatives"), actor="a")


def test_steps_in_order_then_execution() -> None:
    p = plan()
    with pytest.raises(ConflictError, match="before 提议"):
        p.record_step(**vote("商议", 2, 7, 7, 7), actor="a")
    through_resolution(p)
    with pytest.raises(ConflictError, match="决议公开"):
        p.check_executable(D(2026, 1, 10))
    with pytest.raises(InvalidRequestError, match="place"):
        p.record_step(step="决议公开", date=D(2026, 1, 5), body="两委", actor="a")
    p.record_step(step="决议公开", date=D(2026, 1, 5), body="两委", place="公开栏", actor="a")
    with pytest.raises(InvalidRequestError, match="before its resolution was published"):
        p.check_executable(D(2026, 1, 4))
    with pytest.raises(ConflictError, match="before it is executed"):
        p.record_step(step="实施结果公开", date=D(2026, 1, 9), body="两委", place="栏", actor="a")
    with pytest.raises(ConflictError, match="once someone has asked for it"):
        p.execute(on=D(2026, 1, 6), entries=[["V03", "2026-0001"]], actor="a")
    p.request_execution(on=D(2026, 1, 6), actor="b")
    with pytest.raises(ConflictError, match="withdraw that request first"):
        p.request_execution(on=D(2026, 1, 7), actor="b")
    with pytest.raises(ConflictError, match="not 2026-01-07"):
        p.execute(on=D(2026, 1, 7), entries=[["V03", "2026-0001"]], actor="a")
    p.execute(on=D(2026, 1, 6), entries=[["V03", "2026-0001"]], actor="a")
    assert p.state == "executed"
    with pytest.raises(ConflictError, match="executed"):
        p.execute(on=D(2026, 1, 7), entries=[], actor="a")
    p.record_step(step="实施结果公开", date=D(2026, 1, 9), body="两委", place="栏", actor="a")
    assert list(p.steps) == ["提议", "商议", "审议", "决议", "决议公开", "实施结果公开"]


def test_merged_proposal_counts_as_consultation() -> None:
    p = plan()
    p.record_step(**vote("提议", 1, 5, 5, 5), merged=True, actor="a")
    assert "商议" in p.steps and p.steps["商议"]["merged"] is True
    p.record_step(**vote("审议", 3, 30, 20, 16), actor="a")


@pytest.mark.parametrize(
    ("step_votes", "reason"),
    [
        (vote("审议", 3, 30, 19, 19), "fewer than the two thirds"),  # 19 < 20 attend
        (vote("审议", 3, 30, 20, 15), "not more than half of those required"),  # 15 = 30/2
    ],
)
def test_review_thresholds(step_votes: dict[str, Any], reason: str) -> None:
    p = plan()
    p.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    p.record_step(**vote("商议", 2, 7, 7, 4), actor="a")
    rejection = p.record_step(**step_votes, actor="a")
    assert rejection is not None and reason in rejection
    assert p.state == "rejected" and p.rejection == rejection
    with pytest.raises(ConflictError, match="rejected"):
        p.check_executable(D(2026, 2, 1))


def test_resolution_thresholds_by_assembly() -> None:
    ok_assembly = plan()
    through_resolution(ok_assembly)
    villagers = plan()
    villagers.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    villagers.record_step(**vote("商议", 2, 7, 7, 4), actor="a")
    villagers.record_step(**vote("审议", 3, 30, 20, 16), actor="a")
    # villagers' assembly: more than half of those PRESENT; 11 of 20 passes
    assert (
        villagers.record_step(
            **vote("决议", 4, 500, 20, 11, assembly="villagers"), adult_villagers=39, actor="a"
        )
        is None
    )
    reps = plan()
    reps.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    reps.record_step(**vote("商议", 2, 7, 7, 4), actor="a")
    reps.record_step(**vote("审议", 3, 30, 20, 16), actor="a")
    # representatives: more than half of ALL representatives; 12 of 25 fails
    reason = reps.record_step(**vote("决议", 4, 25, 20, 12, assembly="representatives"), actor="a")
    assert reason is not None and "12 of 25 representatives" in reason


def test_consultation_needs_a_majority_of_those_present() -> None:
    p = plan()
    p.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    reason = p.record_step(**vote("商议", 2, 7, 6, 3), actor="a")
    assert reason is not None and "3 of 6" in reason


def test_votes_must_add_up() -> None:
    p = plan()
    p.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    with pytest.raises(InvalidRequestError, match="votes cast"):
        p.record_step(**{**vote("商议", 2, 7, 5, 5), "votes_against": 1}, actor="a")
    with pytest.raises(InvalidRequestError, match="present of"):
        p.record_step(**vote("商议", 2, 7, 8, 5), actor="a")
    with pytest.raises(InvalidRequestError, match="whole number"):
        p.record_step(step="商议", date=D(2026, 1, 2), body="两委", actor="a")
    with pytest.raises(InvalidRequestError, match="before the previous step"):
        p.record_step(**{**vote("商议", 1, 7, 7, 7), "date": D(2025, 12, 31)}, actor="a")
    assert p.state == "drafted"


def before_resolution() -> DistributionPlan:
    p = plan()
    p.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    p.record_step(**vote("商议", 2, 7, 7, 4), actor="a")
    p.record_step(**vote("审议", 3, 30, 20, 16), actor="a")
    return p


@pytest.mark.parametrize(
    ("quorum", "passes"),
    [
        ({"adult_villagers": 40}, False),  # 20 of 40 adults: not more than half
        ({"adult_villagers": 39}, True),
        ({"households": 30, "households_present": 19}, False),  # 19 of 30 < two thirds
        ({"households": 30, "households_present": 20}, True),
        ({"adult_villagers": 400, "households": 30, "households_present": 20}, True),
    ],
)
def test_a_villagers_assembly_needs_its_quorum(quorum: dict[str, int], passes: bool) -> None:
    """村民委员会组织法 art. 22: more than half of the adult villagers, or two thirds of the
    households, present; below it the vote is recorded and the plan rejected."""
    p = before_resolution()
    reason = p.record_step(
        **vote("决议", 4, 500, 20, 20, assembly="villagers"), **quorum, actor="a"
    )
    assert (reason is None) is passes
    assert "决议" in p.steps and p.steps["决议"]["for"] == 20
    if not passes:
        assert reason is not None and "no quorum" in reason and "art. 22" in reason
        assert p.state == "rejected"
    else:
        assert {k: p.steps["决议"][k] for k in quorum} == quorum


def test_a_representatives_assembly_needs_two_thirds_present() -> None:
    p = before_resolution()
    reason = p.record_step(**vote("决议", 4, 45, 29, 29, assembly="representatives"), actor="a")
    assert reason is not None and "29 of 45 representatives present" in reason
    assert p.state == "rejected"
    ok = before_resolution()
    assert (
        ok.record_step(**vote("决议", 4, 45, 30, 30, assembly="representatives"), actor="a") is None
    )


def test_quorum_counts_are_checked() -> None:
    p = before_resolution()
    with pytest.raises(InvalidRequestError, match="needs its quorum") as missing:
        p.record_step(**vote("决议", 4, 500, 20, 20, assembly="villagers"), actor="a")
    assert missing.value.field == "adult_villagers"
    with pytest.raises(InvalidRequestError, match="together"):
        p.record_step(
            **vote("决议", 4, 500, 20, 20, assembly="villagers"), households=30, actor="a"
        )
    with pytest.raises(InvalidRequestError, match="not possible"):
        p.record_step(
            **vote("决议", 4, 500, 20, 20, assembly="villagers"), adult_villagers=10, actor="a"
        )
    with pytest.raises(InvalidRequestError, match="villagers' assembly"):
        p.record_step(
            **vote("决议", 4, 45, 40, 40, assembly="representatives"), households=3, actor="a"
        )
    assert p.state == "drafted" and "决议" not in p.steps


def test_a_step_stored_before_quorum_fields_still_loads() -> None:
    """StepRecorded gained adult_villagers, households, households_present (defaults None): an
    event written by the old code, without them, replays."""
    p = plan()
    p.record_step(step="提议", date=D(2026, 1, 1), body="党支部", actor="a")
    created, step = p.collect_events()
    old = object.__new__(type(step))
    state = {
        k: v
        for k, v in step.__dict__.items()
        if k not in ("adult_villagers", "households", "households_present")
    }
    object.__setattr__(old, "__dict__", state)
    again = old.mutate(created.mutate(None))
    assert again is not None and again.steps["提议"]["body"] == "党支部"
