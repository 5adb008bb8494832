"""Bodies of financial plans (财务计划, ``api.routes.budgets``): proposing one, revising it, its
steps of 四议两公开 (a distribution plan's step body with the version), and the answers — the
plan with its versions, the list, the comparison with the books and a voucher's warnings.

Amounts are two-place strings; a line's accounts are income (501 … 504) or expense (511 … 521)
accounts of the 2023 chart or sub-accounts of them (``domain.budget.lines``: a negative amount is
refused there, in Chinese)."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import (
    Account,
    Amount,
    Code,
    Day,
    LongText,
    OptionalText,
    Strict,
    Text,
    Year,
)
from api.schemas.plans import StepCreate

# -- requests ------------------------------------------------------------------------------------


class BudgetLineIn(Strict):
    name: OptionalText = Field(
        default="", description="the line's name; blank for a line of one account: its name"
    )
    accounts: list[Account] = Field(min_length=1, max_length=20, examples=[["513"]])
    amount: Amount = Field(description="the year's plan, ≥ 0")


class FinancialPlanCreate(Strict):
    entity: Code
    year: Year
    lines: list[BudgetLineIn] = Field(min_length=1, max_length=200)
    proposed_on: Day = Field(description="the day the plan was drawn up (编制日期)")
    note: LongText = ""


class FinancialPlanRevision(Strict):
    lines: list[BudgetLineIn] = Field(min_length=1, max_length=200)
    proposed_on: Day = Field(description="the day the revision was drawn up")
    reason: Text = Field(description="why the plan is revised (调整原因)")
    note: LongText = ""


class FinancialPlanStepCreate(StepCreate):
    version: int | None = Field(
        default=None, ge=1, le=1000, description="the latest version's number, when given"
    )


# -- answers -------------------------------------------------------------------------------------


class BudgetLinePublic(BaseModel):
    name: str
    kind: Literal["income", "expense"]
    accounts: list[str]
    amount: str


class BudgetStepPublic(BaseModel):
    """A step as recorded: attendance, votes, assembly and quorum when it had them."""

    model_config = ConfigDict(extra="allow")

    step: str
    date: datetime.date
    body: str
    place: str
    actor: str


class BudgetVersionPublic(BaseModel):
    version: int
    proposed_on: datetime.date
    reason: str = Field(description="a revision's reason ('' for the first version)")
    note: str
    state: Literal["proposed", "approved", "rejected"]
    state_name: str
    rejection: str | None
    approved_on: datetime.date | None = Field(description="the day its 决议 passed")
    actor: str
    lines: list[BudgetLinePublic]
    steps: list[BudgetStepPublic]


class FinancialPlanPublic(BaseModel):
    entity: str
    year: int
    latest: int
    in_force: int | None = Field(description="the version in force today (its 决议 passed)")
    next_step: str | None = Field(description="what the plan waits for (a step, or 修订)")
    versions: list[BudgetVersionPublic]


class FinancialPlanSummary(BaseModel):
    entity: str
    name: str
    township: str
    year: int
    latest: int
    state: Literal["proposed", "approved", "rejected"]
    proposed_on: datetime.date
    approved_on: datetime.date | None
    next_step: str | None


class ComparisonFigures(BaseModel):
    plan: str
    months: list[str] = Field(description="the actual of each month from January")
    month: str = Field(description="the actual of the last month read")
    period: str
    ytd: str = Field(description="the actual from January (本年累计)")
    difference: str = Field(description="plan − year to date")
    percent: str | None = Field(description="year to date ÷ plan × 100 (none when the plan is 0)")


class ComparisonLine(ComparisonFigures):
    name: str
    kind: Literal["income", "expense"]
    accounts: str
    over: bool = Field(description="an expense line past its plan")
    unplanned: bool = Field(description="movements no line of the plan names")


class ComparisonPart(BaseModel):
    lines: list[ComparisonLine]
    total: ComparisonFigures


class ComparisonVersion(BaseModel):
    version: int
    approved_on: datetime.date
    proposed_on: datetime.date


class ComparisonLatest(BaseModel):
    version: int
    state: str
    state_name: str
    reason: str


class ComparisonEntity(BaseModel):
    code: str
    name: str
    township: str
    county: str
    kind: str


class ComparisonResult(BaseModel):
    plan: str
    ytd: str
    period: str


class FinancialPlanComparison(BaseModel):
    title: str
    entity: ComparisonEntity
    year: int
    through: str = Field(description="the last month read (YYYY-MM)")
    months: list[str]
    month_labels: list[str]
    previous: str | None
    next: str | None
    version: ComparisonVersion | None = Field(
        description="the version in force at the end of the last month read (none: no plan "
        "had passed its 决议 by then)"
    )
    latest: ComparisonLatest
    kinds: dict[str, str]
    income: ComparisonPart
    expense: ComparisonPart
    result: ComparisonResult
    over: list[str] = Field(description="the expense lines past their plan")


class BudgetWarningPublic(BaseModel):
    entity: Code
    year: int
    version: int
    line: str
    plan: str
    used: str = Field(description="posted on the line this year, the voucher left out")
    after: str = Field(description="with the voucher")
    over: str
    text: str = Field(
        examples=["超出财务计划：管理费用 计划 ¥30,000.00，已用 ¥28,500.00，本凭证后 ¥31,700.00"]
    )
