"""Scenario B to the fen on the in-memory store, through the one runner: the cattle barn
XM2025-NC from its budget to its completion, twelve months of depreciation, its rent, its result
and the distribution by ownership shares (README "三资", hand computation in the comments)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from domain.errors import OverDistributionError
from domain.plan.commands import DraftPlan
from ledger.money import money
from tests.application.scenario_b import (
    CARD,
    JOINT,
    MONTHS_2025,
    MONTHS_2026,
    PLAN,
    PROJECT,
    Story,
)
from tests.application.small import application

D = datetime.date


@pytest.fixture(scope="module")
def story() -> Story:
    """The whole scenario, told once for the module's assertions."""
    told = Story(application())
    told.until_completion()
    told.lease()
    told.runs_2025 = [told.month(m) for m in MONTHS_2025]  # type: ignore[attr-defined]
    told.at_year_end = {  # type: ignore[attr-defined]
        account: told.app.get_joint(JOINT).balance(account)
        for account in ("152", "501", "511", "151", "311", "102")
    }
    told.plan = told.distribute()  # type: ignore[attr-defined]
    told.runs_2026 = [told.month(m, rent=False) for m in MONTHS_2026]  # type: ignore[attr-defined]
    return told


def test_the_costs_build_up_on_the_projects_own_sub_account_and_leave_the_grant_owed() -> None:
    story = Story(application())
    story.alliance()
    story.plan_project()
    story.approve_project()
    first, second, third = story.build()
    # 借 153XM2025NC 350,000.00 / 贷 102, and 借 241XMFZ 300,000.00 / 贷 241XM2025NC in the same
    # voucher: the grant is spent on the barn, still owed until the barn exists
    assert {(p.account, p.side.value, str(p.amount.amount)) for p in first.postings} == {
        ("153XM2025NC", "debit", "350000.00"),
        ("102", "credit", "350000.00"),
        ("241XMFZ", "debit", "300000.00"),
        ("241XM2025NC", "credit", "300000.00"),
    }
    # the second payment spends the villages' capital while the bank holds less than the
    # grant's 300,000.00: the grant is no longer in the bank, so nothing earmarked is spent
    assert second.postings[0].amount == money("420000.00")
    joint = story.app.get_joint(JOINT)
    assert joint.balance("153XM2025NC") == money("900000.00")
    assert joint.balance("102") == money("0.00")
    assert -joint.balance("241") == money("300000.00")
    project = story.app.projects.get_project(PROJECT)
    assert project.cost == money("900000.00") and project.grant_part == money("300000.00")
    assert project.costs == {"土建工程": 77000000, "设备安装": 13000000}
    assert joint.open_accounts["153XM2025NC"] == "在建工程-牛舍"
    assert joint.open_accounts["241XM2025NC"] == "专项应付款-牛舍"
    assert {p.account for p in third.postings} == {"153XM2025NC", "102"}


def test_completion_moves_153_to_151_and_the_grant_to_311_in_one_save(story: Story) -> None:
    app = story.app
    project = app.projects.get_project(PROJECT)
    assert project.state == "completed" and project.assets == [CARD]
    assert project.owners == {"V01": "0.45", "V02": "0.25", "V03": "0.3"}
    completion = [
        e for e in app.projects.port.stream(project.id) if type(e).__name__ == "Completed"
    ]
    (done,) = completion
    first, second = (app.books.find_entry(JOINT, n) for n in done.entries)
    assert {(p.account, p.side.value, str(p.amount.amount)) for p in first.postings} == {
        ("151", "debit", "900000.00"),
        ("153XM2025NC", "credit", "900000.00"),
    }
    assert {(p.account, p.side.value, str(p.amount.amount)) for p in second.postings} == {
        ("241XM2025NC", "debit", "300000.00"),
        ("311", "credit", "300000.00"),
    }
    # every voucher of the completion was saved with the cards and the project: one timestamp
    card = app.assets.get_card(JOINT, CARD)
    assert card.original == money("900000.00") and card.start_month == "2025-09"
    assert card.entry == first.number


def test_four_months_of_2025_at_3562_50_and_the_owners_shares(story: Story) -> None:
    runs = story.runs_2025  # type: ignore[attr-defined]
    # 900,000.00 × 95% / 240 = 3,562.50 a month
    assert [r.total for r in runs] == [money("3562.50")] * 4
    # 3,562.50 × 45% = 1,603.125, × 25% = 890.625, × 30% = 1,068.75: the odd fen to the
    # largest remainder, V01 and V02 tie at 0.5 fen, the smaller code takes it
    for run in runs:
        assert run.owners == {
            "V01": money("1603.13"),
            "V02": money("890.62"),
            "V03": money("1068.75"),
        }
        (line,) = run.lines
        assert line == {
            "number": CARD,
            "amount": 356250,
            "account": "511",
            "contra": "152",
            "units": None,
        }
    year_end = story.at_year_end  # type: ignore[attr-defined]
    assert -year_end["152"] == money("14250.00")  # 4 × 3,562.50
    assert year_end["151"] - (-year_end["152"]) == money("885750.00")  # net book value
    assert -year_end["501"] == money("32000.00")  # 4 × 8,000.00 rent
    assert year_end["511"] == money("14250.00")
    assert -year_end["311"] == money("300000.00")


def test_twelve_months_of_depreciation(story: Story) -> None:
    runs = story.runs_2025 + story.runs_2026  # type: ignore[attr-defined]
    assert len(runs) == 12 and all(r.total == money("3562.50") for r in runs)
    card = story.app.assets.get_card(JOINT, CARD)
    assert card.accumulated == money("42750.00")  # 12 × 3,562.50
    assert card.net == money("857250.00")
    assert card.months_done == 12 and card.due_month == "2026-09"
    assert -story.app.get_joint(JOINT).balance("152") == money("42750.00")


def test_the_projects_result_and_its_distribution_by_ownership(story: Story) -> None:
    app = story.app
    # 32,000.00 rent − 14,250.00 depreciation = 17,750.00
    assert app.projects.result(PROJECT, "2025") == money("17750.00")
    project = app.projects.get_project(PROJECT)
    assert project.income_between(D(2025, 1, 1), D(2025, 12, 31)) == money("32000.00")
    plan = app.plans.get_plan(PLAN)
    assert plan.state == "executed"
    assert plan.rule["tiers"] == [
        {"name": "按所有权份额", "kind": "proportional", "basis": "ownership:XM2025-NC"}
    ]
    assert plan.rule["sources"]["project"] == PROJECT
    totals = {line["code"]: line["total"] for line in plan.result["lines"]}
    assert totals == {"V01": "7987.50", "V02": "4437.50", "V03": "5325.00"}
    assert plan.result["total"] == "17750.00"
    # each village's books show the receipt (借 102 / 贷 502)
    for village, amount in totals.items():
        assert -app.get_village(village).balance("502") == money(amount)
    # return on the investment, four months: 17,750.00 / 900,000.00 = 1.97%
    ratio = Decimal("17750.00") / Decimal("900000.00") * 100
    assert ratio.quantize(Decimal("0.01")) == Decimal("1.97")


def test_a_second_run_of_a_month_writes_nothing_and_says_so(story: Story) -> None:
    app = story.app
    before = len(list(app.events_of_topic("domain.assets:AssetRegister.DepreciationRun")))
    again = story.month("2025-10", rent=False)
    assert again.entry is None and again.total == money("0.00")
    assert "已经计提过" in again.message
    after = len(list(app.events_of_topic("domain.assets:AssetRegister.DepreciationRun")))
    assert after == before == 12


def test_a_plan_from_a_project_with_nothing_earned_is_refused() -> None:
    story = Story(application())
    story.until_completion()
    with pytest.raises(OverDistributionError, match="nothing to distribute") as refused:
        story.run(
            DraftPlan(
                code="FP-0",
                title="无收益",
                scope="alliance",
                target="A-HN",
                period="2025",
                as_of=D(2025, 9, 30),
                amount="",
                rule={},
                project=PROJECT,
            )
        )
    assert refused.value.field == "project" and "没有可分配的金额" in (refused.value.zh or "")


def test_the_per_project_statement_of_2025(story: Story) -> None:
    """The statement a page prints, from the read model kept over the in-memory store: invested
    900,000.00, depreciated 14,250.00, earned 32,000.00, 17,750.00 / 900,000.00 = 1.97%, and
    each village's part of it all (its shares 45% / 25% / 30%)."""
    from sqlalchemy import create_engine

    from projections.assets_view import AssetsProjection
    from projections.project_queries import project_statement
    from projections.runner import PullLoop

    engine = create_engine("sqlite://")
    views = PullLoop(story.app, engine, [AssetsProjection()])
    views.create_tables()
    views.catch_up()
    assert views.stuck == {}
    with engine.connect() as conn:
        statement = project_statement(conn, PROJECT, "2025")
    assert statement is not None
    assert [statement[k] for k in ("invested", "depreciated", "earned", "result")] == [
        "900000.00",
        "14250.00",
        "32000.00",
        "17750.00",
    ]
    assert statement["return_percent"] == "1.97"
    assert [
        (o["owner"], o["invested"], o["depreciated"], o["earned"], o["result"])
        for o in statement["owners"]
    ] == [
        ("V01", "405000.00", "6412.50", "14400.00", "7987.50"),
        ("V02", "225000.00", "3562.50", "8000.00", "4437.50"),
        ("V03", "270000.00", "4275.00", "9600.00", "5325.00"),
    ]
