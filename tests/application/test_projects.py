"""Jointly built projects on the in-memory store, through the runner: what is refused (in
Chinese, with nothing written) and what the commands answer, replayed and refused by township."""

from __future__ import annotations

import datetime

import pytest

from domain.books.commands import CloseMonth, PostEntry
from domain.context import RequestClaim
from domain.errors import (
    ClosedPeriodError,
    ConflictError,
    ForbiddenTownshipError,
    InvalidRequestError,
    OverDistributionError,
)
from domain.projects.commands import (
    PlanProject,
    RecordProjectCost,
    RecordProjectIncome,
    RecordProjectStep,
)
from domain.runner import Caller
from ledger.money import money
from tests.application.scenario_b import JOINT, PROJECT, STEPS, Story
from tests.application.small import application, events

D = datetime.date


@pytest.fixture
def story() -> Story:
    told = Story(application())
    told.alliance()
    return told


def small_project(story: Story, code: str = "XM-GH") -> None:
    """A greenhouse funded by 50,000.00 of V01's capital and 100,000.00 of the grant."""
    story.run(
        PlanProject(
            code=code,
            entity=JOINT,
            name="温室大棚",
            kind="facility",
            budget={"建设": "150000.00"},
            funding=[
                {"kind": "capital", "source": "V01", "programme": "CZFC", "amount": "50000.00"},
                {"kind": "grant", "source": "XMFZ", "amount": "100000.00"},
            ],
            planned_on=D(2025, 3, 10),
        )
    )
    for step, day, details in STEPS[:4]:
        story.run(RecordProjectStep(project=code, step=step, date=day, details=details))


def test_a_cost_beyond_the_grants_free_balance_is_refused(story: Story) -> None:
    small_project(story)
    # 60,000.00 of the grant spent for its programme elsewhere: the books hold 240,000.00
    story.run(
        PostEntry(
            entity=JOINT,
            date=D(2025, 3, 25),
            memo="专项资金用于防疫",
            postings=[
                {"account": "241XMFZ", "side": "debit", "amount": "260000.00"},
                {"account": "102", "side": "credit", "amount": "260000.00"},
            ],
        )
    )
    before = events(story.app)
    with pytest.raises(OverDistributionError) as refused:
        story.run(
            RecordProjectCost(
                project="XM-GH", date=D(2025, 4, 1), item="建设", amount="80000.00", grant="XMFZ"
            )
        )
    assert refused.value.field == "grant_amount"
    assert refused.value.details == {"available": "40000.00", "requested": "80000.00"}
    assert "可用余额只有 ¥40,000.00" in (refused.value.zh or "")
    # beyond what the project was given of the grant (100,000.00): refused by the project
    with pytest.raises(ConflictError) as beyond:
        story.run(
            RecordProjectCost(
                project="XM-GH",
                date=D(2025, 4, 1),
                item="建设",
                amount="120000.00",
                grant="XMFZ",
            )
        )
    assert "尚可使用 ¥100,000.00" in (beyond.value.zh or "")
    assert events(story.app) == before  # nothing written
    entry = story.run(
        RecordProjectCost(
            project="XM-GH", date=D(2025, 4, 1), item="建设", amount="40000.00", grant="XMFZ"
        )
    )
    assert {p.account for p in entry.postings} == {"153XMGH", "102", "241XMFZ", "241XMGH"}
    assert story.app.get_joint(JOINT).balance("241XMFZ") == money("0.00")


def test_no_cost_before_the_resolution_and_none_after_a_failed_vote(story: Story) -> None:
    story.plan_project()
    before = events(story.app)
    with pytest.raises(ConflictError) as early:
        story.run(
            RecordProjectCost(project=PROJECT, date=D(2025, 4, 1), item="土建工程", amount="1.00")
        )
    assert "决议通过前不能记录工程支出" in (early.value.zh or "")
    assert events(story.app) == before
    for step, day, details in STEPS[:3]:
        story.run(RecordProjectStep(project=PROJECT, step=step, date=day, details=details))
    failed = {**STEPS[3][2], "votes_for": 4, "votes_against": 5}
    reason = story.run(
        RecordProjectStep(project=PROJECT, step="决议", date=D(2025, 3, 20), details=failed)
    )
    assert reason is not None and "决议 failed" in reason
    with pytest.raises(ConflictError, match="rejected"):
        story.run(
            RecordProjectCost(project=PROJECT, date=D(2025, 4, 1), item="土建工程", amount="1.00")
        )


def test_a_budget_the_funding_does_not_cover_and_capital_not_paid_in_are_refused(
    story: Story,
) -> None:
    before = events(story.app)
    with pytest.raises(InvalidRequestError) as uncovered:
        story.run(
            PlanProject(
                code="XM-X",
                entity=JOINT,
                name="冷库",
                kind="facility",
                budget={"建设": "100000.00"},
                funding=[{"kind": "enterprise", "source": "纽澜地", "amount": "90000.00"}],
                planned_on=D(2025, 3, 10),
            )
        )
    assert "与预算 ¥100,000.00 不符" in (uncovered.value.zh or "")
    with pytest.raises(ConflictError) as unpaid:
        story.run(
            PlanProject(
                code="XM-X",
                entity=JOINT,
                name="冷库",
                kind="facility",
                budget={"建设": "300000.00"},
                funding=[
                    {"kind": "capital", "source": "V01", "programme": "CZFC", "amount": "300000.00"}
                ],
                planned_on=D(2025, 3, 10),
            )
        )
    assert unpaid.value.field == "funding[0].amount"
    assert "只有 ¥270,000.00" in (unpaid.value.zh or "")
    assert events(story.app) == before


def test_capital_designated_to_one_project_is_not_designated_again(story: Story) -> None:
    story.plan_project()  # all of V01's 270,000.00
    with pytest.raises(ConflictError) as twice:
        small_project(story)
    assert "只有 ¥0.00" in (twice.value.zh or "")


def test_shares_not_adding_up_to_the_whole_are_refused(story: Story) -> None:
    story.plan_project()
    story.approve_project()
    story.build()
    before = events(story.app)
    with pytest.raises(InvalidRequestError) as refused:
        story.complete(owners={"V01": "0.45", "V02": "0.25", "V03": "0.29"})
    assert refused.value.field == "owners"
    assert refused.value.zh == "各所有者的份额合计为 0.99，应恰好等于 1（100%）"
    with pytest.raises(InvalidRequestError) as above:
        story.complete(owners={"V01": "1.2", "V02": "-0.2"})
    assert "应在 0 到 1 之间" in (above.value.zh or "")
    assert events(story.app) == before
    story.complete(owners={"V01": "0.5", "V02": "0.2", "V03": "0.3"})
    assert story.app.projects.get_project(PROJECT).owners == {
        "V01": "0.5",
        "V02": "0.2",
        "V03": "0.3",
    }


def test_depreciation_into_a_closed_month_is_refused(story: Story) -> None:
    story.plan_project()
    story.approve_project()
    story.build()
    story.complete()
    story.run(CloseMonth(entity=JOINT, month="2025-09"))
    before = events(story.app)
    with pytest.raises(ClosedPeriodError) as refused:
        story.month("2025-09", rent=False)
    assert "2025-09 月已结账" in (refused.value.zh or "")
    assert events(story.app) == before
    # a later month waits for the closed one: the card depreciates month after month
    with pytest.raises(ConflictError, match="run 2025-09 first"):
        story.month("2025-10", rent=False)


def test_income_tied_to_a_voucher_already_posted_is_not_posted_again(story: Story) -> None:
    story.plan_project()
    story.approve_project()
    story.build()
    story.complete()
    dividend = story.run(
        PostEntry(
            entity=JOINT,
            date=D(2025, 10, 8),
            memo="纽澜地牛舍项目分红",
            postings=[
                {"account": "102", "side": "debit", "amount": "5000.00"},
                {"account": "502", "side": "credit", "amount": "5000.00"},
            ],
        )
    )
    number = story.run(
        RecordProjectIncome(
            project=PROJECT,
            date=D(2025, 10, 8),
            kind="dividend",
            amount="5000.00",
            posted=dividend.number,
        )
    )
    assert number == dividend.number
    assert -story.app.get_joint(JOINT).balance("502") == money("5000.00")
    with pytest.raises(ConflictError, match="already income"):
        story.run(
            RecordProjectIncome(
                project=PROJECT,
                date=D(2025, 10, 8),
                kind="dividend",
                amount="5000.00",
                posted=dividend.number,
            )
        )
    other = story.run(
        RecordProjectIncome(project=PROJECT, date=D(2025, 11, 2), kind="other", amount="100.00")
    )
    entry = story.app.books.find_entry(JOINT, other)
    assert {p.account for p in entry.postings} == {"102", "504"}
    assert story.app.projects.get_project(PROJECT).income_between(
        D(2025, 1, 1), D(2025, 12, 31)
    ) == money("5100.00")


def test_commands_are_refused_in_another_township_and_replayed_from_what_they_recorded(
    story: Story,
) -> None:
    asked: list[tuple[str, str]] = []

    def check(township: str, what: str) -> None:
        asked.append((township, getattr(what, "zh", what)))
        raise ForbiddenTownshipError(f"not in {township}")

    before = events(story.app)
    with pytest.raises(ForbiddenTownshipError):
        story.runner.run(
            PlanProject(
                code="XM-Y",
                entity=JOINT,
                name="冷库",
                kind="facility",
                budget={"建设": "1000.00"},
                funding=[{"kind": "own", "source": JOINT, "amount": "1000.00"}],
                planned_on=D(2025, 3, 10),
            ),
            Caller("clerk", frozenset({"别的镇"}), None, check),
        )
    assert asked == [("唐坊镇", "J01 的账簿")] and events(story.app) == before
    story.plan_project()
    story.approve_project()
    claim = RequestClaim(token="t", key="k1", request="POST /v1/projects/x/costs", body_hash="h")
    cost = RecordProjectCost(project=PROJECT, date=D(2025, 4, 10), item="土建工程", amount="10.00")
    first = story.runner.run(cost, Caller("tester", None, claim))
    again = story.runner.run(cost, Caller("tester", None, claim))
    assert again.replayed and again.result == first.result
    assert story.app.projects.get_project(PROJECT).cost == money("10.00")


def test_income_and_a_depreciation_run_replayed_answer_as_the_first_time(story: Story) -> None:
    from domain.assets.commands import RunDepreciation

    story.plan_project()
    story.approve_project()
    story.build()
    story.complete()
    key = RequestClaim(token="t", key="k2", request="POST /v1/projects/x/income", body_hash="h")
    income = RecordProjectIncome(
        project=PROJECT, date=D(2025, 9, 3), kind="other", amount="50.00", memo="参观费"
    )
    first = story.runner.run(income, Caller("tester", None, key))
    again = story.runner.run(income, Caller("tester", None, key))
    assert again.replayed and again.result == first.result and first.result.startswith("2025-")
    key = RequestClaim(token="t", key="k3", request="POST /v1/assets/runs", body_hash="h")
    run = RunDepreciation(entity=JOINT, month="2025-09")
    done = story.runner.run(run, Caller("tester", None, key))
    repeated = story.runner.run(run, Caller("tester", None, key))
    assert repeated.replayed
    assert (repeated.result.entry, repeated.result.total, repeated.result.owners) == (
        done.result.entry,
        done.result.total,
        done.result.owners,
    )
