"""Bodies of the 资源 and 经济合同 registers (``api.routes.resources``, ``api.routes.contracts``):
a resource registered, changed, retired and linked to a land share; a contract registered with
its schedule, receipts and payments against it, their reversal, its end and termination; and
what the registers answer (amounts as strings, a natural person's ID number masked)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.schemas.common import Amount, Code, Day, DecimalText, OptionalText, Strict, Text

ResourceKind = Literal[
    "cropland",
    "garden",
    "woodland",
    "grassland",
    "construction",
    "homestead",
    "facility",
    "forest",
    "water",
    "barren-hill",
    "barren-gully",
    "barren-mound",
    "barren-beach",
    "other",
]
Unit = Literal["mu", "sqm", "hectare"]
Use = Literal["contracting", "self", "public", "households", "reserved"]
ContractKind = Literal[
    "enterprise", "lease", "contracting", "transfer", "construction", "purchase", "service", "other"
]
Direction = Literal["receivable", "payable"]

# -- resources ---------------------------------------------------------------------------------


class Boundaries(Strict):
    """四至: what the resource borders on, each side optional."""

    east: OptionalText = ""
    south: OptionalText = ""
    west: OptionalText = ""
    north: OptionalText = ""


class Certificate(Strict):
    """A 权属 document: its name (集体土地所有权证, 林权证 …), number, issuer and date."""

    name: OptionalText = ""
    number: Text
    issuer: OptionalText = ""
    issued_on: Day | None = None


class ResourceFacts(Strict):
    name: Text = Field(examples=["东洼耕地"])
    kind: ResourceKind = Field(
        description="cropland 耕地, garden 园地, woodland 林地, grassland 草地, "
        "construction 建设用地, homestead 宅基地, facility 设施农用地, forest 林木, water 水面, "
        "barren-hill 荒山, barren-gully 荒沟, barren-mound 荒丘, barren-beach 荒滩, other 其他"
    )
    area: DecimalText = Field(description="above 0, at most 4 places, in ``unit``")
    unit: Unit = Field(default="mu", description="mu 亩, sqm 平方米, hectare 公顷")
    location: OptionalText = ""
    boundaries: Boundaries = Field(default_factory=Boundaries)
    certificates: Annotated[list[Certificate], Field(max_length=20)] = Field(default_factory=list)
    use: Use = Field(
        default="contracting",
        description="contracting 发包、出租经营 (idle without a contract in force), self 集体自用, "
        "public 公益, households 分配到户, reserved 保护、暂不利用",
    )


class ResourceCreate(ResourceFacts):
    code: Code = Field(examples=["ZY-001"])
    date: Day = Field(description="the day it enters the register (not after today)")


class ResourceChange(ResourceFacts):
    """The resource's whole description as it now is, with the reason."""

    reason: Text
    date: Day


class ResourceRetirement(Strict):
    reason: Text = Field(examples=["征收"])
    date: Day


class LandShareLink(Strict):
    """A land share (土地入股) of the resource's village in joint entity ``joint``: its date
    and 亩 as the joint entity's equity register records it."""

    joint: Code
    date: Day
    mu: DecimalText


class CertificatePublic(BaseModel):
    name: str
    number: str
    issuer: str
    issued_on: str = Field(description="YYYY-MM-DD, or '' when not given")


class ResourceChangePublic(BaseModel):
    date: datetime.date
    what: Literal["registered", "changed", "retired"]
    area: str
    reason: str
    actor: str


class LandSharePublic(BaseModel):
    joint: str
    date: datetime.date
    mu: str


class ResourcePublic(BaseModel):
    entity: str
    code: str
    name: str
    kind: str
    kind_name: str
    group: str = Field(description="the 三公开 group: 土地, 林木, 水域, 四荒地, 其他")
    area: str
    unit: str
    location: str
    boundaries: dict[str, str]
    certificates: list[CertificatePublic]
    use: str
    use_name: str
    status: Literal["active", "retired"]
    registered_on: datetime.date
    retired_on: datetime.date | None
    retired_reason: str | None
    public_path: str = Field(description="its public page (the QR 身份证), no login needed")
    idle: bool = Field(description="kept for letting, no contract in force today")
    contracts: list[str] = Field(description="the codes of the contracts on it")
    land_shares: list[LandSharePublic] | None = Field(
        default=None, description="one resource's answer: the land shares linked to it"
    )
    history: list[ResourceChangePublic] | None = Field(
        default=None, description="one resource's answer: registered, changed, retired"
    )


# -- contracts ---------------------------------------------------------------------------------


class PartyIn(Strict):
    kind: Literal["person", "organisation", "collective"] = Field(
        description="person 自然人, organisation 企业或单位, collective 集体经济组织"
    )
    name: Text
    id_number: OptionalText = Field(
        default="", description="a natural person's 身份证号 (sealed, shown masked)"
    )
    credit_code: OptionalText = Field(default="", description="an organisation's 统一社会信用代码")


class SubjectIn(Strict):
    kind: Literal["resource", "asset", "other"]
    code: OptionalText = Field(
        default="",
        description="resource: the code of a resource of the same books; asset: the asset's "
        "code; other: a code or words, or nothing",
    )


class InstalmentIn(Strict):
    due_on: Day
    amount: Amount


class ContractCreate(Strict):
    code: Code = Field(examples=["HT-2025-01"])
    title: Text
    kind: ContractKind
    direction: Direction | None = Field(
        default=None,
        description="receivable 应收 or payable 应付; left out: by kind (construction, purchase "
        "and service are payable, the others receivable)",
    )
    party: PartyIn
    subject: SubjectIn
    area: DecimalText | None = Field(
        default=None, description="of a resource: the part it lets (the whole when left out)"
    )
    start: Day
    end: Day = Field(description="the last day of the term (included)")
    signed_on: Day
    instalments: Annotated[list[InstalmentIn], Field(max_length=1200)] = Field(
        default_factory=list, description="the amounts due by date, each within the term"
    )


class ContractPaymentCreate(Strict):
    date: Day
    amount: Amount
    instalment: Day | None = Field(
        default=None, description="the due date of the instalment it pays; left out: oldest first"
    )
    entry: OptionalText = Field(
        default="", description="the entry (凭证号) of the same books that took the money"
    )
    memo: OptionalText = ""


class PaymentReversal(Strict):
    date: Day
    reason: Text


class ContractEnd(Strict):
    date: Day = Field(description="on or after the last day of the term")


class ContractTermination(Strict):
    date: Day
    reason: Text


class InstalmentPublic(BaseModel):
    due_on: datetime.date
    amount: str
    settled: str
    lacking: str
    counts: bool = Field(description="false once the contract closed before it fell due")
    overdue: bool


class ContractPaymentPublic(BaseModel):
    number: int
    date: datetime.date
    amount: str
    entry: str
    memo: str
    actor: str
    allocation: list[tuple[str, int]] = Field(description="[due_on, fen] it settled")
    reversed: bool
    reversed_on: datetime.date | None
    reversal_reason: str | None


class ContractPublic(BaseModel):
    entity: str
    code: str
    title: str
    kind: str
    kind_name: str
    direction: Direction
    party_kind: str
    party: str
    party_id: str = Field(description="a natural person's ID number, masked ('' none given)")
    party_code: str
    subject_kind: str
    subject_code: str
    area: str
    start: datetime.date
    end: datetime.date
    signed_on: datetime.date
    status: Literal["in-force", "ended", "terminated"]
    status_name: str
    closed_on: datetime.date | None
    reason: str
    in_force: bool
    total: str = Field(description="every instalment that counts")
    due: str = Field(description="counted instalments due through today")
    received: str
    outstanding: str
    overdue: str = Field(description="due before today and not yet received (paid)")
    instalments: list[InstalmentPublic] | None = None
    payments: list[ContractPaymentPublic] | None = None


class ReminderDue(BaseModel):
    contract: str
    title: str
    party: str
    direction: Direction
    due_on: datetime.date
    amount: str


class ReminderOverdue(BaseModel):
    contract: str
    title: str
    party: str
    since: datetime.date
    amount: str


class ReminderIdle(BaseModel):
    code: str
    name: str
    area: str
    unit: str


class RemindersPublic(BaseModel):
    """What the 工作台 warns of for one set of books."""

    entity: str
    today: datetime.date
    within_days: int
    due_soon: list[ReminderDue]
    rents_overdue: list[ReminderOverdue]
    idle: list[ReminderIdle]
