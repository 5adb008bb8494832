"""The 三资 aggregates on their own (no store): a project's guards (approval, budget, the grant it
was given), an asset card's month order and disposal, and the state rebuilt from the events."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.assets import AssetCard
from domain.errors import ConflictError, InvalidRequestError
from domain.projects import Project
from ledger.money import ZERO, money

D = datetime.date
VOTE = {"expected": 5, "present": 5, "votes_for": 5, "votes_against": 0, "abstentions": 0}


def replayed(aggregate: Any) -> Any:
    """The aggregate rebuilt from the events it recorded (as the store would load it)."""
    copy = None
    for event in aggregate.collect_events():
        copy = event.mutate(copy)
    return copy


def project(budget: int = 90000000, grant: int = 30000000) -> Project:
    return Project(
        code="XM-1",
        entity="J01",
        name="牛舍",
        kind="building",
        budget={"土建": budget},
        funding=[
            {"kind": "capital", "source": "V01", "programme": "CZFC", "amount": budget - grant},
            {"kind": "grant", "source": "XMFZ", "programme": "XMFZ", "amount": grant},
        ],
        approval_required=True,
        planned_on=D(2025, 3, 1),
        account="153XM1",
        grant_account="241XM1",
        actor="t",
    )


def approve(p: Project) -> None:
    p.record_step(step="提议", date=D(2025, 3, 2), body="党支部", actor="t")
    p.record_step(step="商议", date=D(2025, 3, 3), body="两委", actor="t", **VOTE)
    p.record_step(step="审议", date=D(2025, 3, 4), body="党员大会", actor="t", **VOTE)
    p.record_step(
        step="决议",
        date=D(2025, 3, 5),
        body="代表会议",
        assembly="representatives",
        actor="t",
        **VOTE,
    )


def test_a_project_works_only_once_approved_and_within_what_it_was_given() -> None:
    p = project()
    cost = {"date": D(2025, 4, 1), "item": "土建", "grant": None, "grant_amount": ZERO}
    with pytest.raises(ConflictError) as early:
        p.check_cost(amount=money("1.00"), **cost)
    assert "尚缺：提议、商议、审议、决议" in (early.value.zh or "")
    approve(p)
    assert p.approved
    with pytest.raises(ConflictError, match="budget left"):
        p.check_cost(amount=money("900000.01"), **cost)
    with pytest.raises(InvalidRequestError, match="not an item"):
        p.check_cost(amount=money("1.00"), **{**cost, "item": "设备"})
    p.record_cost(
        amount=money("350000.00"),
        entry="2025-0001",
        memo="付款",
        actor="t",
        **{**cost, "grant": "XMFZ", "grant_amount": money("300000.00")},
    )
    with pytest.raises(ConflictError, match=r"of which ¥0\.00 is left"):
        p.check_cost(
            amount=money("1.00"), **{**cost, "grant": "XMFZ", "grant_amount": money("0.01")}
        )
    p.complete(
        date=D(2025, 8, 31),
        asset_account="151",
        entries=["2025-0002", "2025-0003"],
        assets=["GZ-1"],
        owners={"V01": "1"},
        basis="capital",
        actor="t",
    )
    with pytest.raises(ConflictError, match="completed"):
        p.check_cost(amount=money("1.00"), **cost)
    again = replayed(p)
    assert (again.state, again.cost, again.grant_part, again.shares()) == (
        "completed",
        money("350000.00"),
        money("300000.00"),
        {"V01": Decimal("1")},
    )


def test_a_failed_resolution_rejects_the_project() -> None:
    p = project()
    p.record_step(step="提议", date=D(2025, 3, 2), body="党支部", actor="t")
    p.record_step(step="商议", date=D(2025, 3, 3), body="两委", actor="t", **VOTE)
    p.record_step(step="审议", date=D(2025, 3, 4), body="党员大会", actor="t", **VOTE)
    reason = p.record_step(
        step="决议",
        date=D(2025, 3, 5),
        body="代表会议",
        assembly="representatives",
        actor="t",
        **{**VOTE, "votes_for": 2, "votes_against": 3},
    )
    assert reason is not None and replayed(p).state == "rejected"
    with pytest.raises(ConflictError, match="rejected"):
        p.record_step(step="决议公开", date=D(2025, 3, 6), body="联合社", place="公开栏", actor="t")


def card() -> AssetCard:
    return AssetCard(
        entity="J01",
        number="GZ-1",
        name="牛舍",
        category="fixed",
        account="151",
        contra="152",
        original=money("900000.00"),
        acquisition="built",
        acquired_on=D(2025, 8, 31),
        life_months=240,
        residual_rate=Decimal("0.05"),
        method="straight_line",
        total_units=None,
        use="productive",
        location="",
        user="",
        owners={"V01": "0.45", "V02": "0.25", "V03": "0.3"},
        project="XM-1",
        entry="2025-0002",
        accumulated=ZERO,
        months_done=0,
        start_month="2025-09",
        actor="t",
    )


def test_a_card_is_depreciated_month_after_month_and_disposed_of_once() -> None:
    c = card()
    month = {"units": None, "account": "511", "entry": "2025-0010", "actor": "t"}
    owners = {"V01": 160313, "V02": 89062, "V03": 106875}
    with pytest.raises(ConflictError, match="2025-09 next"):
        c.depreciate(month="2025-10", amount=money("3562.50"), owners=owners, **month)
    with pytest.raises(ConflictError, match="do not add up"):
        c.depreciate(month="2025-09", amount=money("3562.50"), owners={"V01": 1}, **month)
    c.depreciate(month="2025-09", amount=money("3562.50"), owners=owners, **month)
    assert c.due_month == "2025-10" and c.net == money("896437.50")
    result = c.dispose(
        date=D(2025, 10, 2),
        kind="scrap",
        proceeds=ZERO,
        costs=ZERO,
        entries=["2025-0011", "2025-0012"],
        reason="倒塌",
        actor="t",
    )
    assert result == -money("896437.50")
    with pytest.raises(ConflictError) as twice:
        c.check_disposal(date=D(2025, 10, 3), kind="scrap")
    assert twice.value.zh == "资产 GZ-1 已于 2025-10-02 清理，不能再次清理"
    again = replayed(c)
    assert (again.status, again.accumulated, again.by_month) == (
        "disposed",
        money("3562.50"),
        {"2025-09": 356250},
    )
