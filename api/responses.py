"""Response bodies (``XPublic``) of the operations whose answers the read models build.

These models describe in the OpenAPI document what the routes answer today; they do not shape
the answers. A write answers through ``Writer.run`` (a ``JSONResponse``, never filtered by a
``response_model``), and a read built by ``projections`` is declared with
``responses={200: {"model": X}}`` (``described``) while its ``response_model`` stays the one
FastAPI infers from the return annotation (``dict[str, Any]``), so the body is serialized
exactly as before (Decimal as a string, aware datetimes with ``Z``); ``api.openapi`` then
keeps only the model's ``$ref`` in the document. Adding a model here never changes a body;
``tests/e2e/test_openapi_document.py`` checks real answers against them.

Members whose content depends on the kind of statement, the rule or the registers are
``Open`` (``additionalProperties`` allowed): their fixed members are typed, the rest is named
in the description.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import EntryPublic
from api.schemas.common import Moment


class Open(BaseModel):
    """A body whose fixed members are listed; others may be present (see the description)."""

    model_config = ConfigDict(extra="allow")


AmountOut = str  # "1200.00": yuan, two decimals, as a string


class Figures(BaseModel):
    """An amount as printed: in figures and in 大写 (capitals)."""

    figures: str = Field(examples=["1200.00"])
    capitals: str = Field(examples=["壹仟贰佰元整"])


class LedgerHead(BaseModel):
    """The ledger fingerprint (账本指纹): the last chained position and its hash."""

    position: int
    fingerprint: str


# -- books: chart and year-end ----------------------------------------------------------------


class AccountPublic(BaseModel):
    code: str = Field(examples=["211V01"])
    name: str = Field(examples=["应付款-仉家村"])
    parent: str | None = Field(description="the chart account a sub-account is opened under")
    level: int
    category: str
    normal_side: str
    postable: bool
    opened_by: str | None = Field(description="who opened a sub-account (null for chart accounts)")
    debit: AmountOut
    credit: AmountOut
    balance: AmountOut


class AccountListing(BaseModel):
    entity: str
    month: str | None
    accounts: list[AccountPublic]


class CarriedBalance(BaseModel):
    account: str
    name: str
    side: str
    amount: AmountOut


class YearClosingPublic(BaseModel):
    entity: str
    year: int
    date: datetime.date
    state: str = Field(examples=["closed", "reopened"])
    entries: list[str] = Field(description="the closing entries' voucher numbers")
    closed_by: str
    reopened_by: str | None
    reason: str | None
    reversals: list[str] = Field(description="the red-ink reversals of a reopened year")
    carried_balances: list[CarriedBalance]


# -- the joint entity's pool ------------------------------------------------------------------


class ProgrammeCapital(BaseModel):
    name: str = Field(examples=["财政衔接资金"])
    amount: AmountOut


class LandShare(BaseModel):
    date: datetime.date
    mu: str
    grade: str
    basis: str
    value_per_mu: AmountOut
    term_years: int
    until: datetime.date


class VillageEquity(BaseModel):
    village: str
    capital: dict[str, ProgrammeCapital] = Field(description="by fund programme code")
    capital_total: AmountOut
    capital_share: str | None
    land: list[LandShare]
    land_basis: str


class GrantPublic(BaseModel):
    programme: str
    name: str
    date: datetime.date
    amount: AmountOut
    entry: str


class EquityRegisterPublic(BaseModel):
    """股权登记: capital by village and programme, land shares, grants, as of a date."""

    joint_entity: str
    as_of: datetime.date
    capital_total: AmountOut
    villages: list[VillageEquity]
    grants: list[GrantPublic]


class CapitalContributionPublic(BaseModel):
    village_entry: EntryPublic
    joint_entry: EntryPublic
    equity: EquityRegisterPublic


class CapitalRefundPublic(BaseModel):
    village_entries: list[EntryPublic]
    joint_entries: list[EntryPublic]
    equity: EquityRegisterPublic


class LandRentPublic(BaseModel):
    joint_entry: EntryPublic
    village_entry: EntryPublic


class LandRentCorrectionPublic(BaseModel):
    village: str
    reversals: dict[str, EntryPublic] = Field(description="the red-ink entries, by books")
    corrected: dict[str, EntryPublic] | None = Field(
        description="the right rent posted again, by books (null when only reversed)"
    )


# -- agreements -------------------------------------------------------------------------------


class GuaranteePublic(BaseModel):
    kind: Literal["amount", "percent"]
    value: str


class AgreementYear(BaseModel):
    year: int
    payment_due: datetime.date
    guaranteed: AmountOut
    declared: AmountOut
    received: AmountOut
    due: AmountOut
    outstanding: AmountOut
    in_arrears: AmountOut


class AgreementPublic(BaseModel):
    code: str
    alliance_code: str
    joint_entity_code: str
    enterprise_code: str
    signed_on: datetime.date
    start_year: int
    years: int
    invested_capital: AmountOut
    guarantee: GuaranteePublic
    profit_share_percent: str
    payment_due: str = Field(examples=["12-31"])
    by_year: list[AgreementYear]


class DividendPublic(BaseModel):
    entry: EntryPublic
    agreement: AgreementPublic


class DividendCorrectionPublic(BaseModel):
    kind: str = Field(examples=["declared", "received"])
    reversal: EntryPublic
    entry: EntryPublic | None = Field(description="the right amount (null when cancelled)")
    agreement: AgreementPublic


# -- members' register ------------------------------------------------------------------------


class MemberPublic(BaseModel):
    number: str
    name: str
    id_number: str = Field(description="masked: 370921********0012")
    forgotten: bool
    joined_on: datetime.date
    left_on: datetime.date | None
    current: bool
    shares: dict[str, str] = Field(description="units by share kind")


class HouseholdPublic(BaseModel):
    number: str
    head: str
    registered_on: datetime.date
    members: list[MemberPublic]
    shares: dict[str, str]
    total_shares: str


class RegisterPublic(BaseModel):
    """成员名册: households and members with shares in force on a date."""

    village: str
    as_of: datetime.date
    share_kinds: list[str]
    households: list[HouseholdPublic]


# -- distribution -----------------------------------------------------------------------------


class DeductionOut(BaseModel):
    name: str
    percent: str
    amount: AmountOut


class TierOut(Open):
    """A tier as computed; weighted and proportional tiers add ``weights`` and
    ``exact_weights`` (by party), a tier that got less than asked a ``note``."""

    name: str
    kind: Literal["rate", "weighted", "proportional", "equal"]
    amount: AmountOut


class AllocationLine(BaseModel):
    code: str
    name: str
    tiers: dict[str, AmountOut] = Field(description="the party's amount in each tier, by name")
    adjustment: AmountOut = Field(description="what floors and caps moved (positive: received)")
    total: AmountOut


class AllocationPublic(BaseModel):
    """The output document of docs/rules.md."""

    amount: AmountOut
    deductions: list[DeductionOut]
    distributable: AmountOut
    tiers: list[TierOut]
    lines: list[AllocationLine]
    total: AmountOut


class PlanStepPublic(BaseModel):
    plan_code: str
    step: str
    position: int
    date: datetime.date
    body: str
    place: str
    expected: int | None
    present: int | None
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    assembly: str | None
    merged: int = Field(description="1 when merged with the step before, else 0")
    note: str
    actor: str
    actor_name: str = Field(default="", description="the actor as 经办 shows it (姓名)")


class PlanEntryRef(BaseModel):
    entity: str
    number: str
    kind: str


class ExecutionRequestPublic(BaseModel):
    """Who asked for a plan's execution (提请执行), for when; another person executes it."""

    on: datetime.date
    actor: str
    actor_name: str = Field(default="", description="actor as 经办 shows it (姓名)")


class PlanPublic(Open):
    """A plan, its rule and result; a correction adds ``corrections``."""

    code: str
    title: str
    scope: Literal["alliance", "village"]
    payer: str
    alliance_code: str | None
    township: str
    period: str
    as_of: datetime.date
    state: str = Field(examples=["draft", "resolved", "executed"])
    amount: AmountOut
    distributable: AmountOut
    rule: dict[str, Any] = Field(
        description="the full rule document (docs/rules.md) with the parties drafted from the "
        "registers, and their ``sources``"
    )
    result: dict[str, Any] = Field(description="the allocation document (docs/rules.md output)")
    deduction_accounts: dict[str, str | None]
    supersedes: str | None
    superseded_by: str | None
    executed_on: datetime.date | None
    rejection: str | None
    drafted_by: str
    drafted_by_name: str = Field(default="", description="drafted_by as 经办 shows it (姓名)")
    steps: list[PlanStepPublic]
    lines: list[AllocationLine]
    entries: list[PlanEntryRef]
    execution_request: ExecutionRequestPublic | None = Field(
        default=None,
        description="who asked for its execution and for when (absent: nobody has); "
        "another person executes it",
    )


class PlanSummary(BaseModel):
    code: str
    title: str
    scope: str
    payer: str
    period: str
    state: str
    amount: AmountOut


class DistributionStatementPublic(Open):
    """收益分配明细表: the statement of a plan, amounts in figures and 大写."""

    code: str
    title: str
    scope: str
    payer: dict[str, str]
    period: str
    as_of: datetime.date
    state: str
    state_name: str
    executed_on: datetime.date | None
    supersedes: str | None
    superseded_by: str | None
    rejection: str | None
    rule_words: list[str]
    bases: list[dict[str, Any]]
    deductions: list[dict[str, Any]]
    distributable: Figures
    tiers: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    sources: dict[str, Any]
    alternatives: list[dict[str, Any]]
    ledger: LedgerHead
    steps: list[dict[str, Any]]


class ComparisonPublic(Open):
    """Candidate rules side by side with fairness measures; on a plan, adds ``plan`` and, for
    an alliance, ``enterprise``."""

    amount: AmountOut
    distributable: list[str]
    parties: list[dict[str, Any]]
    reference: str | None
    candidates: list[dict[str, Any]]
    shapley: dict[str, Any] | None
    explained: dict[str, str]
    explained_zh: dict[str, str]


class AttachedComparisonPublic(BaseModel):
    number: int
    for_step: str
    digest: str
    page: str
    comparison: ComparisonPublic


# -- statements and disclosure ----------------------------------------------------------------


class StatementPublic(Open):
    """A statement of one entity for a period. The members after ``end`` depend on the kind:
    ``lines`` and ``totals`` (trial-balance, income, general-ledger, account-detail);
    ``assets``, ``liabilities``, ``equity``, ``totals``, ``year_start_totals``
    (balance-sheet); ``columns`` and ``checks`` (all)."""

    entity: str
    kind: str
    period: str
    label: str
    start: datetime.date
    end: datetime.date
    as_of: LedgerHead | None = Field(
        default=None, description="the ledger as the statement read it (current statements)"
    )


class SheetUrls(BaseModel):
    html: str
    pdf: str
    xlsx: str


class SheetVersionPublic(Open):
    """A published version of a 三公开 sheet."""

    village_code: str
    period: str
    version: int
    digest: str = Field(description="SHA-256 of the published content")
    replaces: int | None
    checked_on: datetime.date
    urls: SheetUrls


class SheetDraftPublic(Open):
    """What a 三公开 sheet would contain if published now: income and expense items, the
    balance-sheet groups, distributions, affairs (四议两公开), checks, in figures and 大写."""

    layout: int
    title: str
    village: dict[str, str]
    period: dict[str, str]
    income: dict[str, Any]
    expense: dict[str, Any]
    assets: dict[str, Any]
    claims: dict[str, Any]
    debts: dict[str, Any]
    equity: dict[str, Any]
    distributions: list[dict[str, Any]]
    affairs: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    checked: dict[str, Any]
    made_on: datetime.date
    ledger: LedgerHead


# -- audit and service ------------------------------------------------------------------------


class VerifyPublic(Open):
    """Every check recomputed from the log; ``ok`` only when none found anything."""

    ok: bool
    head: LedgerHead
    events: int
    chain: dict[str, Any]
    problems: list[dict[str, Any]]


class TrailItem(BaseModel):
    position: int
    actor: str = Field(default="", description="who wrote it: a login, login@token, a token")
    actor_name: str = Field(
        default="", description="the actor as 经办 shows it: 姓名, 姓名（接口）, else the actor"
    )
    command: str
    aggregate_kind: str
    aggregate_code: str
    detail: dict[str, Any]


class PublishedSheet(SheetVersionPublic):
    published_at: Moment
