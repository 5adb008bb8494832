"""Request and answer bodies of jointly built projects (联建项目, ``api.routes.projects``): plan
one with its budget by item and its funding sources, its steps of 四议两公开 (the plans' body,
``StepCreate``), its costs, its completion into asset cards with the ownership shares, its
income; the project as the read model shows it and its 投资收益表 (per-project statement)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictStr

from api.schemas.common import Amount, Code, Day, OptionalText, Programme, Strict, Text
from api.schemas.economy import EntryNumber
from api.schemas.plans import StepCreate

BudgetItem = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=60,
        pattern=r"^[^\x00-\x1f\x7f-\x9f\ufffe\uffff]+$",
        examples=["土建工程"],
    ),
]
Share = Annotated[
    StrictStr,
    Field(
        max_length=24,
        pattern=r"^(0(\.[0-9]{1,20})?|1(\.0{1,20})?)$",
        examples=["0.45"],
        description="a share of the whole as a decimal string from 0 to 1",
    ),
]
Rate = Annotated[
    StrictStr,
    Field(
        max_length=8,
        pattern=r"^(0(\.[0-9]{1,4})?|1(\.0{1,4})?)$",
        examples=["0.05"],
        description="a rate from 0 to 1 (0.05 is 5%), at most four places",
    ),
]
Units = Annotated[
    StrictStr,
    Field(pattern=r"^[0-9]{1,11}(\.[0-9]{1,4})?$", max_length=20, examples=["12000"]),
]

ProjectKind = Literal[
    "building", "facility", "equipment", "breeding", "orchard", "infrastructure", "other"
]
FundingKind = Literal["capital", "grant", "enterprise", "loan", "own"]
Category = Literal["fixed", "productive_biological", "public_biological", "intangible"]
Method = Literal["straight_line", "units"]
Use = Literal["productive", "administration", "public"]


class FundingSourceIn(Strict):
    kind: FundingKind = Field(
        description="capital (a member village's capital, by fund programme), grant (held on 241 "
        "by programme), enterprise, loan, own"
    )
    source: Text = Field(
        description="the village's code (capital), the programme (grant), or who lends or gives"
    )
    programme: Programme | None = Field(
        default=None, description="the fund programme of capital or of a grant"
    )
    amount: Amount


class ProjectCreate(Strict):
    code: Code = Field(examples=["XM2025-NC"])
    entity: Code = Field(description="the books the project is kept in (a joint entity, a village)")
    name: Text = Field(examples=["牛舍"])
    kind: ProjectKind
    budget: dict[BudgetItem, Amount] = Field(
        min_length=1, max_length=50, description="the budget by item (at most 50 items)"
    )
    funding: list[FundingSourceIn] = Field(
        min_length=1, max_length=50, description="the funding sources, adding up to the budget"
    )
    planned_on: Day


ProjectStepCreate = StepCreate


class ProjectCostCreate(Strict):
    date: Day
    item: BudgetItem = Field(description="the budget item the payment is charged to")
    amount: Amount
    memo: OptionalText = ""
    grant: Programme | None = Field(
        default=None, description="the grant (fund programme on 241) that pays for it, if any"
    )
    grant_amount: Amount | None = Field(
        default=None, description="the part paid from the grant (all of it when left out)"
    )


class CardTermsIn(Strict):
    number: Code = Field(examples=["GZ-001"])
    name: Text
    life_months: int = Field(ge=1, le=1200, strict=True, description="useful life in months")
    residual_rate: Rate = "0.05"
    category: Category = "fixed"
    method: Method = Field(default="straight_line", description="平均年限法 or 工作量法")
    total_units: Units | None = Field(default=None, description="工作量法: the total units")
    use: Use = Field(
        default="productive", description="productive → 511, administration → 513, public → 514"
    )
    location: OptionalText = ""
    user: OptionalText = ""
    original: Amount | None = Field(
        default=None,
        description="its 原值: a project's part of the cost (one card alone takes the whole "
        "cost); required when registering a card",
    )


class ProjectCompletion(Strict):
    date: Day
    assets: list[CardTermsIn] = Field(min_length=1, max_length=20)
    owners: dict[Code, Share] = Field(
        default_factory=dict,
        max_length=100,
        description="the ownership shares as the agreement says (exactly 1 together); left "
        "out: by the capital each village designated",
    )


class ProjectIncomeCreate(Strict):
    date: Day
    kind: Literal["rent", "dividend", "other"]
    amount: Amount
    memo: OptionalText = ""
    reference: OptionalText = ""
    posted: EntryNumber | None = Field(
        default=None,
        description="a voucher already in the books this income is (posted by another "
        "operation); nothing is posted again",
    )


# -- answers ----------------------------------------------------------------------------------


class OwnerShare(BaseModel):
    owner: str
    share: str


class ProjectSummary(BaseModel):
    code: str
    name: str
    entity: str
    kind: str
    kind_zh: str
    state: str = Field(description="planned, rejected or completed")
    state_zh: str
    approval_required: bool
    approved: bool
    planned_on: datetime.date
    completed_on: datetime.date | None
    budget: str
    funding: str
    cost: str = Field(description="costs to date (153<code>)")
    grant_part: str
    progress: str = Field(description="cost to date / budget, percent, two places")
    income: str
    account: str
    assets: list[str]


class BudgetLine(BaseModel):
    item: str
    budget: str
    cost: str
    left: str
    progress: str


class FundingLine(BaseModel):
    kind: str
    kind_zh: str
    source: str
    programme: str | None
    amount: str


class StepLine(BaseModel):
    step: str
    date: datetime.date
    body: str
    place: str
    details: str = Field(description="attendance and votes as JSON text")


class CostLine(BaseModel):
    entry: str
    date: datetime.date
    item: str
    amount: str
    grant: str | None
    grant_amount: str
    memo: str


class IncomeLine(BaseModel):
    entry: str
    date: datetime.date
    kind: str
    kind_zh: str
    amount: str
    account: str
    reference: str
    memo: str


class ProjectPublic(ProjectSummary):
    grant_account: str | None
    rejection: str | None
    basis: str | None = Field(description="capital or agreed: how the shares were set")
    completion_entries: list[str]
    items: list[BudgetLine]
    funding_sources: list[FundingLine]
    steps: list[StepLine]
    costs: list[CostLine]
    owners: list[OwnerShare]
    income_lines: list[IncomeLine]


class ProjectWritten(BaseModel):
    project: ProjectPublic
    entries: list[str] = Field(description="the vouchers the operation posted, if any")
    rejection: str | None = Field(
        default=None, description="a step whose vote failed: why the project was rejected"
    )


class StatementOwner(BaseModel):
    owner: str
    share: str
    capital: str
    invested: str
    depreciated: str
    earned: str
    result: str


class ProjectStatement(BaseModel):
    code: str
    name: str
    entity: str
    period: str
    invested: str
    depreciated: str
    earned: str
    result: str = Field(description="earned − depreciated")
    return_percent: str = Field(description="result / invested, percent, two places")
    owners: list[StatementOwner]
