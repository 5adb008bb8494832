"""Request and answer bodies of asset cards (资产卡片, ``api.routes.assets``): register a card,
the monthly depreciation run (one book, or every book of a township), disposal through 154,
leases and their rent; a card as the read model shows it, the 固定资产折旧表 and the runs."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Amount, Code, Day, Month, OptionalText, Strict, Text
from api.schemas.projects import CardTermsIn, OwnerShare, Share, Units


class AssetCreate(Strict):
    terms: CardTermsIn = Field(description="the card; ``original`` (its 原值) is required here")
    acquisition: Literal["built", "bought", "donated", "contributed"] = Field(
        description="bought (借 151 / 贷 102), donated (贷 311), contributed (贷 301); built "
        "only for an asset already in the books (a project's completion registers its own)"
    )
    acquired_on: Day
    owners: dict[Code, Share] = Field(
        default_factory=dict, max_length=100, description="left out: the books' own entity alone"
    )
    booked: bool = Field(
        default=False,
        description="already in the books (建账): nothing is posted; give what was depreciated "
        "before and the first month this system depreciates it",
    )
    accumulated: Amount = Field(default="0", description="depreciated before (booked cards)")
    months_done: int = Field(default=0, ge=0, le=1200, strict=True)
    start_month: Month | None = None


class DepreciationRunCreate(Strict):
    month: Month
    units: dict[Code, Units] = Field(
        default_factory=dict,
        max_length=500,
        description="the units each 工作量法 card gave in the month (card number → units)",
    )


class TownshipRunCreate(Strict):
    month: Month


class DisposalCreate(Strict):
    date: Day
    kind: Literal["sale", "scrap", "loss"] = Field(description="出售, 报废, 毁损盘亏")
    proceeds: Amount = "0"
    costs: Amount = "0"
    reason: OptionalText = ""


class LeaseCreate(Strict):
    lease: Code = Field(examples=["ZL-001"])
    lessee: Text = Field(description="who rents it (a natural person is masked on public pages)")
    rent: Amount = Field(description="the rent of each period")
    start: Day
    end: Day = Field(description="the lease's last day")
    every_months: Literal[1, 3, 6, 12] = 1
    due_day: int | None = Field(
        default=None, ge=1, le=31, strict=True, description="the start's day when left out"
    )
    contract: Code | None = Field(default=None, description="the 经济合同 it is written in")


class RentCreate(Strict):
    period: Month = Field(description="the month the rent's period begins in")
    date: Day
    amount: Amount | None = Field(
        default=None, description="what the period still owes when left out"
    )


class LeaseEnd(Strict):
    date: Day = Field(description="the lease's last day")
    reason: Text


# -- answers ----------------------------------------------------------------------------------


class AssetSummary(BaseModel):
    entity: str
    number: str
    name: str
    category: str
    category_zh: str
    account: str
    contra: str | None
    original: str = Field(description="原值")
    accumulated: str = Field(description="累计折旧 (or 累计摊销)")
    net: str = Field(description="净值")
    acquisition: str
    acquisition_zh: str
    acquired_on: datetime.date
    life_months: int
    residual_rate: str
    method: str
    method_zh: str
    use: str
    use_zh: str
    location: str
    user: str
    project: str | None
    status: str = Field(description="in_use or disposed")
    status_zh: str
    disposed_on: datetime.date | None
    owners: list[OwnerShare]


class MonthLine(BaseModel):
    month: str
    amount: str
    units: str | None
    account: str
    entry: str
    owners: dict[str, str] = Field(description="each owner's part of the month")


class DuePeriod(BaseModel):
    period: str
    due_on: datetime.date
    amount: str


class LeaseLine(BaseModel):
    lease: str
    lessee: str
    rent: str
    every_months: int
    start: datetime.date
    end: datetime.date
    due_day: int
    contract: str | None
    ended_reason: str | None
    due: str = Field(description="rent due to date")
    received: str
    outstanding: str = Field(description="what the periods due to date still owe")
    overdue: list[DuePeriod]
    next_due: DuePeriod | None


class DisposalLine(BaseModel):
    date: datetime.date
    kind: str
    kind_zh: str
    proceeds: str
    costs: str
    net: str
    result: str = Field(description="a gain (504) positive, a loss (515) negative")
    entries: list[str]


class AssetPublic(AssetSummary):
    months: list[MonthLine]
    leases: list[LeaseLine]
    disposal: DisposalLine | None = None


class AssetWritten(BaseModel):
    asset: AssetPublic
    entries: list[str] = Field(description="the vouchers the operation posted, if any")
    lease: str | None = None
    result: str | None = Field(default=None, description="a disposal's gain (+) or loss (−)")


class RunLine(BaseModel):
    number: str
    name: str = ""
    amount: str
    account: str = Field(description="511, 513 or 514")
    contra: str = Field(description="152, 133 or 162")
    units: str | None
    owners: dict[str, str] = Field(default_factory=dict)


class DepreciationPreview(BaseModel):
    entity: str
    month: str
    done: bool = Field(description="the month has been run already (nothing more to post)")
    total: str
    lines: list[RunLine]
    owners: dict[str, str] = Field(description="each owner's part of the month")
    message: str


class DepreciationRunPublic(BaseModel):
    entity: str
    month: str
    written: bool = Field(description="this request posted the month (false: already done)")
    entries: list[str] = Field(description="the month's vouchers")
    total: str
    cards: int
    message: str
    problem: str | None = Field(
        default=None, description="why the book's run was refused (a township's run), Chinese"
    )


class TownshipRunPublic(BaseModel):
    township: str
    month: str
    books: list[DepreciationRunPublic]


class RunRecord(BaseModel):
    month: str
    entry: str | None
    total: str
    cards: int


class TableCard(BaseModel):
    number: str
    name: str
    category_zh: str
    original: str
    accumulated_before: str
    depreciation: str
    accumulated: str
    net: str
    status_zh: str


class TableLine(BaseModel):
    number: str
    month: str
    owner: str
    amount: str


class DepreciationTable(BaseModel):
    entity: str
    period: str
    cards: list[TableCard]
    total: str
    owners: dict[str, str]
    lines: list[TableLine]
