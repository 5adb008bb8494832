"""Request (``XCreate``) and response (``XPublic``) bodies.

Amounts travel as strings with two decimals (``"1200.00"``); a JSON number is refused, so no
amount ever passes through a float. Strings are parsed into ``Money`` by ``ledger``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

Amount = Annotated[
    StrictStr,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$",
        examples=["1200.00"],
        description="yuan as a decimal string with at most two places; never a JSON number",
    ),
]
DecimalText = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]+(\.[0-9]+)?$",
        examples=["500", "1.0"],
        description="a non-negative decimal written as a string; never a JSON number",
    ),
]
Code = Annotated[
    StrictStr,
    Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$", examples=["V01"]),
]
Text = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Month = Annotated[StrictStr, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2025-03"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllianceCreate(Strict):
    code: Code
    name: Text
    township: Text
    county: Text
    model: Literal["强村带动", "村村互助", "村企联建", "城乡融合"]
    formed_on: datetime.date


class MembershipPublic(BaseModel):
    village_code: str
    joined_on: datetime.date
    left_on: datetime.date | None
    reason: str | None


class EnterprisePublic(BaseModel):
    code: str
    name: str
    joined_on: datetime.date


class AlliancePublic(BaseModel):
    code: str
    name: str
    township: str
    county: str
    model: str
    formed_on: datetime.date
    joint_entity_code: str | None
    members: list[MembershipPublic] = []
    enterprises: list[EnterprisePublic] = []


class VillageCreate(Strict):
    code: Code
    name: Text
    township: Text
    county: Text
    population: Annotated[int, Field(ge=0, strict=True)]
    households: Annotated[int, Field(ge=0, strict=True)]
    flags: list[Text] = Field(default_factory=list, examples=[["脱贫村"]])


class VillageJoin(Strict):
    village: Code
    date: datetime.date


class VillageLeave(Strict):
    date: datetime.date
    reason: Text


class EnterpriseCreate(Strict):
    code: Code
    name: Text
    date: datetime.date


class JointEntityCreate(Strict):
    code: Code
    name: Text


class EntityPublic(BaseModel):
    code: str
    kind: Literal["village", "joint"]
    name: str
    township: str
    county: str
    alliance_code: str | None
    population: int | None
    households: int | None
    flags: list[str]
    opening_date: datetime.date | None
    closed_through: str | None


class PostingIn(Strict):
    account: Annotated[StrictStr, Field(min_length=3, max_length=32, examples=["102"])]
    side: Literal["debit", "credit"]
    amount: Amount
    memo: Annotated[StrictStr, Field(max_length=200)] = ""


class OpeningBalancesCreate(Strict):
    as_of: datetime.date
    balances: list[PostingIn]


class EntryCreate(Strict):
    date: datetime.date
    memo: Text
    postings: list[PostingIn]


class ReversalCreate(Strict):
    date: datetime.date
    reason: Text


class CloseMonth(Strict):
    month: Month


class EntryLinePublic(BaseModel):
    account: str
    account_name: str
    side: Literal["debit", "credit"]
    amount: str
    memo: str


class EntryPublic(BaseModel):
    entity: str
    number: str
    date: datetime.date
    memo: str
    reverses: str | None
    reversed_by: str | None
    reason: str | None
    actor: str
    recorded_at: datetime.datetime
    total: str
    lines: list[EntryLinePublic]


class EntryList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EntryPublic]


class TrialBalanceLinePublic(BaseModel):
    account: str
    name: str
    category: str
    normal_side: str
    opening_debit: str
    opening_credit: str
    debit: str
    credit: str
    closing_debit: str
    closing_credit: str


class TrialBalanceTotals(BaseModel):
    opening_debit: str
    opening_credit: str
    debit: str
    credit: str
    closing_debit: str
    closing_credit: str


class TrialBalancePublic(BaseModel):
    entity: str
    month: str
    cumulative: bool
    balanced: bool
    lines: list[TrialBalanceLinePublic]
    totals: TrialBalanceTotals


# -- the alliance economy -------------------------------------------------------------------------


class ReceiptCreate(Strict):
    date: datetime.date
    amount: Amount
    account: Annotated[StrictStr, Field(min_length=3, max_length=40, examples=["504"])]
    memo: Text


class CapitalContributionCreate(Strict):
    village: Code
    programme: Annotated[StrictStr, Field(examples=["CZFC"])]
    amount: Amount
    date: datetime.date


class LandShareCreate(Strict):
    village: Code
    mu: DecimalText
    grade: DecimalText = "1"
    value_per_mu: Amount
    term_years: Annotated[int, Field(ge=1, le=99, strict=True)]
    date: datetime.date


class LandRentCreate(Strict):
    village: Code
    mu: DecimalText
    rate_per_mu: Amount
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    date: datetime.date


class GrantCreate(Strict):
    programme: Annotated[StrictStr, Field(examples=["XCZX"])]
    amount: Amount
    date: datetime.date
    memo: Annotated[StrictStr, Field(max_length=200)] = ""


class Guarantee(Strict):
    kind: Literal["amount", "percent"]
    value: DecimalText


class AgreementCreate(Strict):
    code: Code
    alliance: Code
    enterprise: Code
    signed_on: datetime.date
    start_year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    years: Annotated[int, Field(ge=1, le=50, strict=True)]
    invested_capital: Amount
    guarantee: Guarantee
    profit_share_percent: DecimalText = "0"
    payment_due: Annotated[StrictStr, Field(pattern=r"^[0-9]{2}-[0-9]{2}$", examples=["12-31"])]


class DividendCreate(Strict):
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    amount: Amount
    date: datetime.date


class RegisterCreate(Strict):
    share_kinds: list[Text] = Field(default_factory=lambda: ["人口股", "劳龄股", "土地股"])


class HouseholdCreate(Strict):
    number: Code
    head: Text
    registered_on: datetime.date


class MemberCreate(Strict):
    number: Code
    household: Code
    name: Text
    id_number: Annotated[StrictStr, Field(min_length=18, max_length=18)]
    joined_on: datetime.date
    shares: dict[str, DecimalText]


class SharesAdjust(Strict):
    shares: dict[str, DecimalText]
    effective: datetime.date
    reason: Text


class MemberLeave(Strict):
    date: datetime.date
    reason: Text


class PlanScope(Strict):
    kind: Literal["alliance", "village"]
    code: Code


class PlanCreate(Strict):
    code: Code
    title: Text
    scope: PlanScope
    period: Annotated[StrictStr, Field(max_length=16, examples=["2025"])]  # parse_period checks
    as_of: datetime.date
    amount: Amount
    rule: dict[str, Any] = Field(
        description="deductions, tiers, floors and caps of RULES.md; parties and amount are "
        "filled in by the plan"
    )
    deduction_accounts: dict[str, StrictStr | None] = Field(default_factory=dict)
    supersedes: Code | None = None


class StepCreate(Strict):
    step: Literal["提议", "商议", "审议", "决议", "决议公开", "实施结果公开"]
    date: datetime.date
    body: Text
    place: Annotated[StrictStr, Field(max_length=200)] = ""
    expected: Annotated[int, Field(ge=0, strict=True)] | None = None
    present: Annotated[int, Field(ge=0, strict=True)] | None = None
    votes_for: Annotated[int, Field(ge=0, strict=True)] | None = None
    votes_against: Annotated[int, Field(ge=0, strict=True)] | None = None
    abstentions: Annotated[int, Field(ge=0, strict=True)] | None = None
    assembly: Literal["villagers", "representatives"] | None = None
    merged: bool = False
    note: Annotated[StrictStr, Field(max_length=500)] = ""


class ExecutionCreate(Strict):
    date: datetime.date
