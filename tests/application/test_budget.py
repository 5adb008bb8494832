"""Financial plans (财务计划) on the in-memory store, through the runner: 四议两公开 of a version,
revisions, what is refused (in Chinese, with nothing written), and the read side over the
in-memory store — the comparison with the books to the fen, a voucher's warning, the
三公开 part and the 工作台's warnings (``tests/application/budget_story.py``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from documents.budget import comparison, sheet_part
from documents.budget_warnings import budget_dashboard, next_step, voucher_warnings
from domain.books.commands import CloseMonth, CloseYear, RegisterVillage, SetOpeningBalances
from domain.budget.commands import (
    ProposeFinancialPlan,
    RecordFinancialPlanStep,
    ReviseFinancialPlan,
)
from domain.context import RequestClaim
from domain.errors import (
    AlreadyExistsError,
    ClosedPeriodError,
    ConflictError,
    ForbiddenTownshipError,
    InvalidRequestError,
)
from domain.periods import parse_period
from domain.runner import Caller
from domain.vouchers.commands import ApproveVoucher, PostVoucher
from projections.budget_view import BudgetProjection
from projections.ledger_view import LedgerProjection
from projections.runner import PullLoop
from tests.application.budget_story import LINES, OVER, VILLAGE, VOTE, YEAR, BudgetStory, steps
from tests.application.small import application, events

D = datetime.date


@pytest.fixture
def story() -> BudgetStory:
    told = BudgetStory(application())
    told.village()
    return told


def engine_of(story: BudgetStory) -> Engine:
    """The ledger and budget read models of the story's store, caught up, in SQLite memory."""
    engine = create_engine("sqlite://")
    views = PullLoop(story.app, engine, [LedgerProjection(), BudgetProjection()])
    views.create_tables()
    views.catch_up()
    assert views.stuck == {}
    return engine


def step(story: BudgetStory, name: str, day: datetime.date, **details: Any) -> Any:
    return story.run(
        RecordFinancialPlanStep(entity=VILLAGE, year=YEAR, step=name, date=day, details=details)
    )


# -- the write side ----------------------------------------------------------------------------


def test_a_plan_goes_through_the_four_deliberations_and_is_in_force_from_its_resolution(
    story: BudgetStory,
) -> None:
    story.propose()
    story.approve()
    plan = story.app.budgets.get_plan(VILLAGE, YEAR)
    (version,) = plan.versions
    assert version["state"] == "approved" and version["approved_on"] == "2026-01-20"
    assert list(version["steps"]) == ["提议", "商议", "审议", "决议", "决议公开"]
    assert [(line["name"], line["kind"], line["amount"]) for line in version["lines"]] == [
        ("经营收入", "income", 12000000),
        ("补助收入", "income", 5000000),
        ("管理费用", "expense", 3000000),
        ("公益支出", "expense", 4000000),
        ("其他支出", "expense", 500000),
    ]
    assert plan.in_force(D(2026, 1, 19)) is None
    assert plan.in_force(D(2026, 1, 20)) is version
    assert plan.pending() is None


def test_refusals_write_nothing(story: BudgetStory) -> None:
    def refused(error: type[Exception], **changes: Any) -> Any:
        fields = {"entity": VILLAGE, "year": YEAR, "lines": LINES, "proposed_on": D(2026, 1, 4)}
        before = events(story.app)
        with pytest.raises(error) as found:
            story.run(ProposeFinancialPlan(**{**fields, **changes}))
        assert events(story.app) == before
        return found.value

    negative = refused(
        InvalidRequestError, lines=[*LINES[:2], {"accounts": ["513"], "amount": "-30000.00"}]
    )
    assert negative.field == "lines[2].amount" and "不能为负数" in negative.zh
    bank = refused(InvalidRequestError, lines=[{"accounts": ["102"], "amount": "1.00"}])
    assert "不是收入科目" in bank.zh
    twice = refused(
        InvalidRequestError,
        lines=[
            {"accounts": ["513"], "amount": "1.00"},
            {"name": "办公费", "accounts": ["51301"], "amount": "1.00"},
        ],
    )
    assert "科目 51301" in twice.zh  # not open in the books, before it is counted twice
    mixed = refused(
        InvalidRequestError, lines=[{"name": "收支", "accounts": ["501", "511"], "amount": "1.00"}]
    )
    assert "收入科目和支出科目不能合为一项" in mixed.zh
    unnamed = refused(InvalidRequestError, lines=[{"accounts": ["511", "512"], "amount": "1.00"}])
    assert unnamed.field == "lines[0].name"
    assert refused(InvalidRequestError, year=2030).field == "year"
    assert refused(InvalidRequestError, proposed_on=D(2026, 12, 1)).field == "proposed_on"
    with pytest.raises(ForbiddenTownshipError):
        story.runner.run(
            ProposeFinancialPlan(entity=VILLAGE, year=YEAR, lines=LINES, proposed_on=D(2026, 1, 4)),
            Caller("clerk", frozenset({"花沟镇"})),
        )
    story.propose()
    again = refused(AlreadyExistsError)
    assert "如要调整，请修订" in again.zh


def test_the_same_account_in_two_lines_is_refused(story: BudgetStory) -> None:
    story.propose()
    before = events(story.app)
    with pytest.raises(InvalidRequestError) as refused:
        story.run(
            ReviseFinancialPlan(
                entity=VILLAGE,
                year=YEAR,
                lines=[
                    {"accounts": ["513"], "amount": "1.00"},
                    {"name": "管理费用二", "accounts": ["513"], "amount": "1.00"},
                ],
                proposed_on=D(2026, 2, 1),
                reason="调整",
            )
        )
    assert "已计入第1项" in (refused.value.zh or "")
    assert events(story.app) == before


def test_steps_out_of_order_are_refused_and_a_failed_vote_rejects_the_version(
    story: BudgetStory,
) -> None:
    story.propose()
    before = events(story.app)
    with pytest.raises(ConflictError) as early:
        step(story, "审议", D(2026, 1, 6), body="党员大会", **VOTE)
    assert "还没有记录提议、商议" in (early.value.zh or "")
    with pytest.raises(InvalidRequestError):
        step(story, "提议", D(2026, 1, 3), body="村党支部")  # before the plan was proposed
    assert events(story.app) == before
    step(story, "提议", D(2026, 1, 5), body="村党支部", merged=True, **VOTE)
    with pytest.raises(ConflictError):
        step(story, "商议", D(2026, 1, 6), body="两委", **VOTE)  # merged with 提议
    reason = step(
        story,
        "审议",
        D(2026, 1, 8),
        body="党员大会",
        expected=30,
        present=18,
        votes_for=18,
        votes_against=0,
        abstentions=0,
    )
    assert reason is not None and "two thirds" in reason
    plan = story.app.budgets.get_plan(VILLAGE, YEAR)
    assert plan.latest["state"] == "rejected" and plan.pending() is None
    with pytest.raises(ConflictError) as after:
        step(story, "决议", D(2026, 1, 9), body="村民代表会议")
    assert "未通过" in (after.value.zh or "")
    version = story.run(
        ReviseFinancialPlan(
            entity=VILLAGE,
            year=YEAR,
            lines=LINES,
            proposed_on=D(2026, 1, 10),
            reason="党员大会未到法定人数，重新审议",
        )
    )
    assert version == 2
    story.approve(D(2026, 1, 12), version=2)
    plan = story.app.budgets.get_plan(VILLAGE, YEAR)
    assert [v["state"] for v in plan.versions] == ["rejected", "approved"]


def test_a_revision_waits_for_the_resolution_published_and_says_why(story: BudgetStory) -> None:
    story.propose()
    for name, day, details in steps(D(2026, 1, 5))[:4]:
        step(story, name, day, **details)
    before = events(story.app)
    lines = [{"accounts": ["513"], "amount": "35000.00"}]
    with pytest.raises(ConflictError) as waiting:
        story.run(
            ReviseFinancialPlan(
                entity=VILLAGE, year=YEAR, lines=lines, proposed_on=D(2026, 2, 1), reason="调整"
            )
        )
    assert "下一步：决议公开" in (waiting.value.zh or "")
    step(story, "决议公开", D(2026, 1, 21), body="村委会", place="村务公开栏")
    before = events(story.app)
    with pytest.raises(InvalidRequestError) as no_reason:
        story.run(
            ReviseFinancialPlan(
                entity=VILLAGE, year=YEAR, lines=lines, proposed_on=D(2026, 2, 1), reason=" "
            )
        )
    assert no_reason.value.zh == "请填写调整计划的原因"
    with pytest.raises(InvalidRequestError) as result_early:
        step(story, "实施结果公开", D(2026, 11, 1), body="村委会", place="村务公开栏")
    assert "年度结束后公开" in (result_early.value.zh or "")
    with pytest.raises(ConflictError):  # a step of a version that is not the latest
        story.run(
            RecordFinancialPlanStep(
                entity=VILLAGE,
                year=YEAR,
                step="实施结果公开",
                date=D(2026, 11, 1),
                version=2,
                details={"body": "村委会", "place": "村务公开栏"},
            )
        )
    assert events(story.app) == before


def test_a_plan_for_a_year_closed_by_year_end_closing_is_refused() -> None:
    story = BudgetStory(application())
    story.run(
        RegisterVillage(
            code="V09",
            name="李家村",
            township="唐坊镇",
            county="高青县",
            population=1,
            households=1,
        )
    )
    story.run(
        SetOpeningBalances(
            entity="V09",
            as_of=D(2025, 1, 1),
            balances=[
                {"account": "102", "side": "debit", "amount": "1000.00"},
                {"account": "301", "side": "credit", "amount": "1000.00"},
            ],
        )
    )
    story.run(CloseMonth(entity="V09", month="2025-12"))
    story.run(CloseYear(entity="V09", year=2025))
    before = events(story.app)
    with pytest.raises(ClosedPeriodError) as refused:
        story.run(
            ProposeFinancialPlan(
                entity="V09",
                year=2025,
                lines=[{"accounts": ["513"], "amount": "100.00"}],
                proposed_on=D(2025, 1, 4),
            )
        )
    assert "已年终结转" in (refused.value.zh or "") and events(story.app) == before


def test_commands_answer_again_from_what_they_recorded(story: BudgetStory) -> None:
    story.first_half()
    revise = ReviseFinancialPlan(
        entity=VILLAGE, year=YEAR, lines=LINES, proposed_on=D(2026, 9, 1), reason="调整"
    )
    caller = Caller("tester", claim=RequestClaim("token", "key-1", "POST /budgets", "hash"))
    assert story.runner.run(revise, caller).result == 2
    before = events(story.app)
    again = story.runner.run(revise, caller)
    assert again.replayed and again.result == 2 and events(story.app) == before
    failed = RecordFinancialPlanStep(
        entity=VILLAGE,
        year=YEAR,
        step="提议",
        date=D(2026, 9, 2),
        details={"body": "村党支部", "merged": True, **VOTE, "votes_for": 3},
    )
    caller = Caller("tester", claim=RequestClaim("token", "key-2", "POST /steps", "hash"))
    reason = story.runner.run(failed, caller).result
    assert reason is not None and story.runner.run(failed, caller).result == reason


# -- the read side -----------------------------------------------------------------------------


def test_the_comparison_agrees_with_the_books_to_the_fen(story: BudgetStory) -> None:
    story.first_half()
    draft = story.over_voucher()
    engine = engine_of(story)
    day, _, debit, credit, amount = OVER
    lines = [
        {"account": debit, "debit": amount, "credit": None},
        {"account": credit, "debit": None, "credit": amount},
    ]
    with engine.connect() as conn:
        (warning,) = voucher_warnings(conn, VILLAGE, day, lines)
        # dated before the plan's 决议, a voucher has no plan to pass
        assert voucher_warnings(conn, VILLAGE, D(2026, 1, 15), lines) == []
    assert warning.text == (
        "超出财务计划：管理费用 计划 ¥30,000.00，已用 ¥28,500.00，本凭证后 ¥31,700.00"
    )
    story.run(ApproveVoucher(draft=draft), actor="reviewer")
    story.run(PostVoucher(draft=draft), actor="bookkeeper")
    engine = engine_of(story)
    with engine.connect() as conn:
        posted = story.app.vouchers.get_voucher(draft).posted_number
        # the same warning once it is in the books (its own entry not counted twice)
        assert voucher_warnings(conn, VILLAGE, day, lines, posted=posted) == [warning]
        c: Any = comparison(conn, VILLAGE, YEAR, "2026-08", D(2026, 11, 23))
        over, due = budget_dashboard(conn, None, D(2026, 11, 23))
        q3 = sheet_part(conn, VILLAGE, parse_period("2026-Q3"))
    assert c["version"]["version"] == 1 and c["version"]["approved_on"] == "2026-01-20"
    income = [
        (r["name"], r["plan"], r["ytd"], r["difference"], r["percent"])
        for r in c["income"]["lines"]
    ]
    assert income == [
        ("经营收入", "120000.00", "60000.00", "60000.00", "50.00"),
        ("补助收入", "50000.00", "50000.00", "0.00", "100.00"),
        ("未列入计划的收入", "0.00", "800.00", "-800.00", None),
    ]
    expense = [
        (r["name"], r["plan"], r["month"], r["ytd"], r["difference"], r["percent"], r["over"])
        for r in c["expense"]["lines"]
    ]
    assert expense == [
        ("管理费用", "30000.00", "3200.00", "31700.00", "-1700.00", "105.67", True),
        ("公益支出", "40000.00", "0.00", "25000.00", "15000.00", "62.50", False),
        ("其他支出", "5000.00", "0.00", "0.00", "5000.00", "0.00", False),
    ]
    assert c["expense"]["lines"][0]["months"] == [
        "0.00", "0.00", "12000.00", "0.00", "0.00", "16500.00", "0.00", "3200.00",
    ]  # fmt: skip
    assert (c["income"]["total"]["ytd"], c["income"]["total"]["percent"]) == ("110800.00", "65.18")
    assert (c["expense"]["total"]["ytd"], c["expense"]["total"]["percent"]) == ("56700.00", "75.60")
    assert c["result"] == {"plan": "95000.00", "ytd": "54100.00", "period": "-3200.00"}
    assert c["over"] == ["管理费用"]
    assert [(o.entity, o.line, o.over) for o in over] == [(VILLAGE, "管理费用", warning.over)]
    assert due == ()
    # the sheet of the third quarter: July to September, the year to September's end
    assert [(r["name"], r["period"], r["ytd"]) for r in q3["expense"]["lines"]] == [
        ("管理费用", "3200.00", "31700.00"),
        ("公益支出", "0.00", "25000.00"),
        ("其他支出", "0.00", "0.00"),
    ]
    assert q3["income"]["total"]["period"] == "800.00" and q3["version"] == 1


def test_a_revision_is_compared_from_its_resolution_on(story: BudgetStory) -> None:
    story.first_half()
    story.post_one(*OVER)
    assert story.revise() == 2
    engine = engine_of(story)
    with engine.connect() as conn:
        august: Any = comparison(conn, VILLAGE, YEAR, "2026-08", D(2026, 11, 23))
        september: Any = comparison(conn, VILLAGE, YEAR, "2026-09", D(2026, 11, 23))
        over, _ = budget_dashboard(conn, None, D(2026, 11, 23))
    assert august["version"]["version"] == 1 and september["version"]["version"] == 2
    assert september["expense"]["lines"][0]["plan"] == "35000.00"
    assert september["expense"]["lines"][0]["percent"] == "90.57"
    assert september["over"] == [] and over == ()
    assert september["latest"]["reason"] == "村干部报酬标准调整"


def test_what_a_plan_waits_for() -> None:
    published = {"提议", "商议", "审议", "决议", "决议公开"}

    def waits(state: str, steps: set[str], year: int = 2026) -> str | None:
        return next_step({"state": state, "steps": steps, "year": year}, D(2026, 11, 23))

    assert waits("proposed", {"提议"}) == "商议"
    assert waits("approved", published - {"决议公开"}) == "决议公开"
    assert waits("approved", published) is None
    assert waits("approved", published, 2025) == "实施结果公开"
    assert waits("rejected", {"提议"}) == "修订"
