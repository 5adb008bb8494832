"""The alliance aggregate: membership spells, enterprises, one joint entity."""

from __future__ import annotations

import datetime

import pytest

from domain.alliance import Alliance
from domain.errors import ConflictError, InvalidRequestError, MembershipError

D = datetime.date


def formed() -> Alliance:
    return Alliance.form(
        code="HNHM",
        name="黑牛盒马联村党委",
        township="唐坊镇",
        county="高青县",
        model="村企联建",
        formed_on=D(2025, 1, 1),
        actor="a",
    )


def test_unknown_model_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        Alliance.form(
            code="X",
            name="x",
            township="t",
            county="c",
            model="随便",
            formed_on=D(2025, 1, 1),
            actor="a",
        )
    assert "村企联建" in str(caught.value)


def test_members_on_a_date_follow_join_and_leave() -> None:
    alliance = formed()
    alliance.join_village(village_code="V01", joined_on=D(2025, 1, 1), actor="a")
    alliance.join_village(village_code="V02", joined_on=D(2025, 6, 1), actor="a")
    alliance.leave_village(village_code="V01", left_on=D(2025, 9, 1), reason="合并", actor="a")
    assert alliance.members_on(D(2025, 3, 1)) == ["V01"]
    assert alliance.members_on(D(2025, 7, 1)) == ["V01", "V02"]
    assert alliance.members_on(D(2025, 9, 1)) == ["V02"]
    alliance.join_village(village_code="V01", joined_on=D(2025, 10, 1), actor="a")
    assert alliance.members_on(D(2025, 10, 1)) == ["V01", "V02"]
    names = [type(e).__name__ for e in alliance.pending_events]
    assert names == [
        "Formed",
        "VillageJoined",
        "VillageJoined",
        "VillageLeft",
        "VillageJoined",
    ]
    assert alliance.pending_events[3].reason == "合并"  # type: ignore[attr-defined]


def test_membership_guards() -> None:
    alliance = formed()
    with pytest.raises(InvalidRequestError):
        alliance.join_village(village_code="V01", joined_on=D(2024, 12, 31), actor="a")
    alliance.join_village(village_code="V01", joined_on=D(2025, 1, 1), actor="a")
    with pytest.raises(MembershipError):
        alliance.join_village(village_code="V01", joined_on=D(2025, 2, 1), actor="a")
    with pytest.raises(MembershipError):
        alliance.leave_village(village_code="V02", left_on=D(2025, 2, 1), reason="x", actor="a")
    with pytest.raises(InvalidRequestError):
        alliance.leave_village(village_code="V01", left_on=D(2025, 1, 1), reason="x", actor="a")
    with pytest.raises(InvalidRequestError):
        alliance.leave_village(village_code="V01", left_on=D(2025, 3, 1), reason=" ", actor="a")


def test_one_joint_entity_and_unique_enterprises() -> None:
    alliance = formed()
    alliance.register_joint_entity(entity_code="J01", actor="a")
    with pytest.raises(ConflictError):
        alliance.register_joint_entity(entity_code="J02", actor="a")
    alliance.join_enterprise(
        enterprise_code="NLD", name="纽澜地", joined_on=D(2025, 1, 1), actor="a"
    )
    with pytest.raises(ConflictError):
        alliance.join_enterprise(
            enterprise_code="NLD", name="纽澜地", joined_on=D(2025, 1, 1), actor="a"
        )
    assert alliance.enterprises == {"NLD": "纽澜地"}


def test_member_days_count_every_spell_inside_the_window() -> None:
    alliance = formed()
    alliance.join_village(village_code="V01", joined_on=D(2025, 1, 1), actor="a")
    alliance.leave_village(village_code="V01", left_on=D(2025, 3, 1), reason="暂退", actor="a")
    alliance.join_village(village_code="V01", joined_on=D(2025, 12, 1), actor="a")
    # 1 Jan – 28 Feb (59 days) and 1–31 Dec (31 days)
    assert alliance.member_days("V01", D(2025, 1, 1), D(2025, 12, 31)) == 90
    assert alliance.member_days("V01", D(2025, 2, 1), D(2025, 2, 28)) == 28
    assert alliance.member_days("V02", D(2025, 1, 1), D(2025, 12, 31)) == 0
