"""Request (``XCreate``) and response (``XPublic``) bodies.

Amounts travel as strings with two decimals (``"1200.00"``); a JSON number is refused, so no
amount ever passes through a float. Strings are parsed into ``Money`` by ``ledger``.

Every field states the bounds of ``domain.bounds`` (the store can hold whatever passes them):
lengths, ranges, no control characters in text, dates from 1950 to 2100. The domain checks them
again, so the command line and the API refuse the same things.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, StrictStr, WithJsonSchema

from domain.bounds import (
    FIRST_DAY,
    LAST_DAY,
    MAX_CODE,
    MAX_LONG_TEXT,
    MAX_OFFSET,
    MAX_PEOPLE,
    MAX_POSITION,
    MAX_POSTINGS,
    MAX_TEXT,
    MONTH_PATTERN,
    MULTI_LINE_PATTERN,
    ONE_LINE_PATTERN,
    PERIOD_PATTERN,
)

Amount = Annotated[
    StrictStr,
    Field(
        pattern=r"^-?[0-9]{1,11}(\.[0-9]{1,2})?$",
        examples=["1200.00"],
        description="yuan as a decimal string with at most two places; never a JSON number; "
        "at most 10000000000.00 (¥10 billion) per amount, ¥100 billion per entry",
    ),
]
DecimalText = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,11}(\.[0-9]{1,4})?$",
        max_length=20,
        examples=["500", "1.0"],
        description="a non-negative decimal written as a string, at most 4 places; never a JSON "
        "number (mu and share units at most 1000000, grade and percentages at most 100)",
    ),
]
Code = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_CODE, pattern=r"^[A-Za-z0-9_-]+$", examples=["V01"]),
]
Text = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=ONE_LINE_PATTERN,
        description="one line of text: no control characters or line breaks",
    ),
]
OptionalText = Annotated[
    StrictStr, Field(max_length=MAX_TEXT, pattern=ONE_LINE_PATTERN, description="one line")
]
LongText = Annotated[
    StrictStr,
    Field(
        max_length=MAX_LONG_TEXT,
        pattern=MULTI_LINE_PATTERN,
        description="text that may span lines (line breaks and tabs, no other control characters)",
    ),
]
MultiLineText = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_TEXT, pattern=MULTI_LINE_PATTERN)
]
People = Annotated[int, Field(ge=0, le=MAX_PEOPLE, strict=True)]
Day = Annotated[
    datetime.date,
    Field(ge=FIRST_DAY, le=LAST_DAY, description="a calendar date from 1950-01-01 to 2100-12-31"),
]
# Query parameters: the same bounds, as FastAPI ``Query`` constraints.
DayQuery = Query(ge=FIRST_DAY, le=LAST_DAY, description="a date from 1950-01-01 to 2100-12-31")
OffsetQuery = Query(ge=0, le=MAX_OFFSET, description="how many to skip")
PositionQuery = Query(
    alias="as_of_position",
    ge=0,
    le=MAX_POSITION,
    description="as the log stood after this event",
)
PeriodText = Annotated[
    StrictStr,
    Field(
        pattern=PERIOD_PATTERN,
        examples=["2026-Q1"],
        description="2025 (year), 2025-Q1 (quarter) or 2025-03 (month), 1950 to 2100",
    ),
]
Programme = Annotated[
    StrictStr, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$", examples=["CZFC"])
]
Account = Annotated[
    StrictStr, Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9]+$", examples=["102"])
]
Month = Annotated[StrictStr, Field(pattern=MONTH_PATTERN, examples=["2025-03"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllianceCreate(Strict):
    code: Code
    name: Text
    township: Text
    county: Text
    model: Literal["强村带动", "村村互助", "村企联建", "城乡融合"]
    formed_on: Day


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
    population: People
    households: People
    flags: list[Text] = Field(default_factory=list, max_length=20, examples=[["脱贫村"]])


class VillageJoin(Strict):
    village: Code
    date: Day


class VillageLeave(Strict):
    date: Day
    reason: Text


class EnterpriseCreate(Strict):
    code: Code
    name: Text
    date: Day


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
    account: Account
    side: Literal["debit", "credit"]
    amount: Amount
    memo: OptionalText = ""


class OpeningBalancesCreate(Strict):
    as_of: Day
    balances: list[PostingIn] = Field(max_length=MAX_POSTINGS)


class EntryCreate(Strict):
    date: Day
    memo: Text
    postings: list[PostingIn] = Field(max_length=MAX_POSTINGS)


class ReversalCreate(Strict):
    date: Day
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
    actor_name: str = Field(
        default="",
        description="经办 as a person reads it: 姓名, 姓名（接口） for a person's "
        "token, else the actor",
    )
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
    date: Day
    amount: Amount
    account: Account
    memo: Text


class CapitalContributionCreate(Strict):
    village: Code
    programme: Programme
    amount: Amount
    date: Day


class LandShareCreate(Strict):
    village: Code
    mu: DecimalText
    grade: DecimalText = "1"
    value_per_mu: Amount
    term_years: Annotated[int, Field(ge=1, le=99, strict=True)]
    date: Day


class LandRentCreate(Strict):
    village: Code
    mu: DecimalText
    rate_per_mu: Amount
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    date: Day


class GrantCreate(Strict):
    programme: Programme
    amount: Amount
    date: Day
    memo: OptionalText = ""


class Guarantee(Strict):
    kind: Literal["amount", "percent"]
    value: DecimalText


class AgreementCreate(Strict):
    code: Code
    alliance: Code
    enterprise: Code
    signed_on: Day
    start_year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    years: Annotated[int, Field(ge=1, le=50, strict=True)]
    invested_capital: Amount
    guarantee: Guarantee
    profit_share_percent: DecimalText = "0"
    payment_due: Annotated[StrictStr, Field(pattern=r"^[0-9]{2}-[0-9]{2}$", examples=["12-31"])]


class DividendCreate(Strict):
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    amount: Amount
    date: Day


class RegisterCreate(Strict):
    share_kinds: list[Text] = Field(
        default_factory=lambda: ["人口股", "劳龄股", "土地股"], min_length=1, max_length=20
    )


class HouseholdCreate(Strict):
    number: Code
    head: Text
    registered_on: Day


class MemberCreate(Strict):
    number: Code
    household: Code
    name: Text
    id_number: Annotated[StrictStr, Field(min_length=18, max_length=18, pattern=ONE_LINE_PATTERN)]
    joined_on: Day
    shares: dict[Text, DecimalText] = Field(max_length=20)


class SharesAdjust(Strict):
    shares: dict[Text, DecimalText] = Field(max_length=20)
    effective: Day
    reason: Text


class MemberLeave(Strict):
    date: Day
    reason: Text


class MemberForget(Strict):
    """Why a (former) member's personal data is deleted (个人信息保护法 art. 47)."""

    reason: Text


def rule_object(name: str) -> Any:
    """A JSON object checked by ``ledger.rules`` as a whole (never by a model here: its
    errors name every JSON path), shown in the OpenAPI document as the component ``name``
    (one of ``RULE_MODELS`` below, added by ``api.openapi``)."""
    shown = {"allOf": [{"$ref": f"#/components/schemas/{name}"}]}
    return Annotated[dict[str, Any], WithJsonSchema(shown)]


RuleTermsObject = rule_object("RuleTerms")
RuleDocumentObject = rule_object("RuleDocument")
ComparisonDocumentObject = rule_object("ComparisonDocument")


class PlanScope(Strict):
    kind: Literal["alliance", "village"]
    code: Code


class PlanCreate(Strict):
    code: Code
    title: Text
    scope: PlanScope
    period: Annotated[
        StrictStr,
        Field(min_length=4, max_length=16, pattern=r"^[0-9A-Za-z-]+$", examples=["2025"]),
    ]
    as_of: Day
    amount: Amount
    rule: RuleTermsObject = Field(
        description="deductions, tiers, floors and caps of RULES.md; parties and amount are "
        "filled in by the plan"
    )
    deduction_accounts: dict[Text, Account | None] = Field(default_factory=dict, max_length=20)
    supersedes: Code | None = None


class StepCreate(Strict):
    step: Literal["提议", "商议", "审议", "决议", "决议公开", "实施结果公开"]
    date: Day
    body: MultiLineText
    place: OptionalText = ""
    expected: People | None = None
    present: People | None = None
    votes_for: People | None = None
    votes_against: People | None = None
    abstentions: People | None = None
    assembly: Literal["villagers", "representatives"] | None = None
    merged: bool = False
    note: LongText = ""
    adult_villagers: People | None = Field(
        default=None,
        description="决议 by a villagers' assembly: 本村十八周岁以上村民数 (the quorum is more "
        "than half of them present)",
    )
    households: People | None = Field(
        default=None, description="决议 by a villagers' assembly: 本村户数"
    )
    households_present: People | None = Field(
        default=None,
        description="决议 by a villagers' assembly: households represented (the quorum is two "
        "thirds of the households)",
    )


class ExecutionCreate(Strict):
    date: Day
    acknowledge_paid_villages: bool = Field(
        default=False,
        description="a correction of an alliance plan whose villages have since paid their "
        "households: true to correct it all the same (their own plans are not changed)",
    )


class GuaranteeShortfallCreate(Strict):
    """Book a year's 保底 shortfall as a receivable (on or after the year's payment day)."""

    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    date: Day


# -- corrections of cross-book operations (one fact, corrected in every book it is in) ---------

EntryNumber = Annotated[StrictStr, Field(pattern=r"^[0-9]{4}-[0-9]{4}$", examples=["2025-0007"])]


class CapitalRefundCreate(Strict):
    """Capital returned to a village (both books and the equity register, one save)."""

    village: Code
    programme: Annotated[StrictStr, Field(examples=["CZFC"])] | None = Field(
        default=None, description="the programme returned from; leave out to return everything"
    )
    amount: Amount | None = Field(
        default=None, description="leave out to return all the village holds of the programme"
    )
    date: Day
    reason: Text


class LandRentCorrectionCreate(Strict):
    """Reverse a land rent payment in both books; with mu, rate_per_mu and year, post the
    right rent again."""

    entry: EntryNumber = Field(description="the joint entity's voucher of the rent")
    date: Day
    reason: Text
    mu: DecimalText | None = None
    rate_per_mu: Amount | None = None
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)] | None = None


class DividendCorrectionCreate(Strict):
    """Correct a declared or received dividend: the joint entity's entry reversed, the right
    amount posted (0.00 cancels), the agreement's record changed, one save."""

    entry: EntryNumber = Field(
        description="the joint entity's voucher of the declaration or receipt"
    )
    year: Annotated[int, Field(ge=2000, le=2100, strict=True)]
    amount: Amount = Field(description="the right amount; 0.00 cancels the entry")
    date: Day
    reason: Text


# -- the rule document (RULES.md) in the OpenAPI document -------------------------------------
#
# These models only describe the document in OpenAPI: the routes still take the rule as a JSON
# object (``RuleObject``) and ``ledger.rules.parse_rule`` checks it as a whole, naming every
# problem with its JSON path (422 ``invalid-rule``), as the command line does.

RuleDecimal = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]+(\.[0-9]+)?$",
        examples=["6"],
        description="a plain decimal written as a string (no sign, exponent or spaces)",
    ),
]
RuleAmount = Annotated[
    StrictStr,
    Field(
        pattern=r"^[0-9]{1,13}(\.[0-9]{1,2})?$",
        examples=["186000.00"],
        description="yuan, at most two decimals, ≥ 0, below 10^13",
    ),
]
RuleName = Annotated[StrictStr, Field(min_length=1, examples=["保底收益"])]


class RuleDeduction(Strict):
    """Taken first, in order: ``percent`` of the original amount, half-up to the fen."""

    name: RuleName = Field(examples=["管理费"])
    percent: RuleDecimal = Field(examples=["2"])


class RateTier(Strict):
    """Each party gets ``percent`` of its own ``basis`` value (scaled down when what is left
    is less)."""

    kind: Literal["rate"]
    name: RuleName | None = Field(default=None, description="default 第N档")
    basis: RuleName = Field(examples=["capital"])
    percent: RuleDecimal


class WeightedTier(Strict):
    """Split by Σ weight(b) × basis_b(p) / Σ basis_b; with ``percent`` (not last) it takes
    that share of the distributable amount."""

    kind: Literal["weighted"]
    name: RuleName | None = None
    weights: dict[StrictStr, RuleDecimal] = Field(
        examples=[{"capital": "50", "land": "30", "population": "20"}]
    )
    percent: RuleDecimal | None = None


class ProportionalTier(Strict):
    """A weighted tier with one basis."""

    kind: Literal["proportional"]
    name: RuleName | None = None
    basis: RuleName = Field(examples=["population"])
    percent: RuleDecimal | None = None


class EqualTier(Strict):
    """Equal parts, counting membership (period_share / Σ period_share)."""

    kind: Literal["equal"]
    name: RuleName | None = None
    percent: RuleDecimal | None = None


RuleTier = Annotated[
    RateTier | WeightedTier | ProportionalTier | EqualTier, Field(discriminator="kind")
]


class RuleParty(Strict):
    code: RuleName = Field(examples=["V01"])
    name: RuleName | None = Field(default=None, description="default: the code")
    bases: dict[StrictStr, RuleDecimal] = Field(
        description="every basis a tier reads, ≥ 0 (absent is an error, never a zero)",
        examples=[{"capital": "600000.00", "land": "500", "population": "1200"}],
    )
    period_share: RuleDecimal | None = Field(
        default=None,
        description="the part of the period it was a member, in (0, 1]; default 1",
        examples=["0.712329"],
    )


class RuleTerms(Strict):
    """A distribution rule without its amount and parties (a plan fills them in from its
    registers and amount): deductions, tiers, floors and caps (RULES.md)."""

    deductions: list[RuleDeduction] = Field(default_factory=list)
    tiers: list[RuleTier] = Field(
        min_length=1, description="applied in order; the last takes the rest"
    )
    floors: dict[StrictStr, RuleAmount] = Field(
        default_factory=dict, description="by party code: raised to at least this"
    )
    caps: dict[StrictStr, RuleAmount] = Field(
        default_factory=dict, description="by party code: held to at most this"
    )


class RuleDocument(RuleTerms):
    """A whole RULES.md document: what to divide, how, and among whom."""

    amount: RuleAmount
    parties: list[RuleParty] = Field(min_length=1)


class ComparisonDocument(Strict):
    """The amount and parties to compare candidates on (RULES.md); its own deductions and
    tiers, when given, are the first candidate."""

    amount: RuleAmount
    parties: list[RuleParty] = Field(min_length=1)
    deductions: list[RuleDeduction] = Field(default_factory=list)
    tiers: list[RuleTier] = Field(default_factory=list)
    floors: dict[StrictStr, RuleAmount] = Field(default_factory=dict)
    caps: dict[StrictStr, RuleAmount] = Field(default_factory=dict)


RULE_MODELS: tuple[type[BaseModel], ...] = (RuleTerms, RuleDocument, ComparisonDocument)
