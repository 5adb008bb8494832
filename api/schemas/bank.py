"""The bank's request and answer bodies (``api.routes.bank``): bank accounts, statements (their
lines as JSON: an integration reads its bank's file itself; the workbench and ``lianzhang
import-statement`` read CSV and XLSX), matches, the 银行存款余额调节表 and cash counts. Amounts
are decimal strings, as everywhere in the API."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictStr

from api.schemas.common import Amount, Day, Month, OptionalText, Strict, Text
from domain.bank.statements import MAX_LINES

BankAccountCode = Annotated[
    StrictStr,
    Field(
        min_length=3,
        max_length=32,
        pattern=r"^102[A-Za-z0-9]*$",
        examples=["10201"],
        description="102 银行存款, or a sub-account of it (opened when it is not)",
    ),
]
AccountNumber = Annotated[
    StrictStr,
    Field(
        min_length=6,
        max_length=40,
        pattern=r"^[0-9][0-9 -]*[0-9]$",
        examples=["9001 0001 2365 3021"],
        description="the full account number (digits, spaces or dashes between them)",
    ),
]
LineId = Annotated[StrictStr, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9#_-]+$")]


class BankAccountCreate(Strict):
    account: BankAccountCode
    bank: Text = Field(examples=["高青农商银行"], description="开户银行")
    number: AccountNumber
    start: Day = Field(description="the first day the account is reconciled here")
    opening: Amount = Field(description="the balance per statement at the start of that day")
    name: OptionalText = Field(default="", description="the sub-account's name (else the bank)")
    branch: OptionalText = Field(default="", description="开户网点, 唐坊支行")
    format: Literal["", "nongshang", "nongxin", "icbc", "abc", "boc", "ccb", "mapped"] = Field(
        default="", description="the statement export it usually comes in (GET /v1/bank-formats)"
    )


class BankAccountPublic(BaseModel):
    entity: str
    township: str
    account: str
    name: str
    bank: str
    branch: str
    number: str = Field(description="the full number (API callers are clerks and auditors)")
    masked: str = Field(description="the number as printed and public pages show it: ****3021")
    format: str
    start: datetime.date
    opening: str
    statements: int
    covered_through: datetime.date | None = Field(description="the last day statements reach")


class StatementLineCreate(Strict):
    date: Day
    amount: Amount = Field(description="money in positive, money out negative")
    balance: Amount | None = Field(default=None, description="the balance after it, if given")
    counterparty: OptionalText = ""
    reference: OptionalText = Field(default="", description="凭证号, 流水号 or 支票号")
    memo: OptionalText = ""


class StatementCreate(Strict):
    lines: list[StatementLineCreate] = Field(max_length=MAX_LINES)
    start: Day | None = Field(default=None, description="default: the day after the last one")
    end: Day | None = Field(default=None, description="default: the last line's day")
    opening: Amount | None = Field(default=None, description="default: the previous closing")
    closing: Amount | None = None
    account_number: StrictStr | None = Field(
        default=None, max_length=40, pattern=r"^[0-9][0-9 *-]*[0-9]$",
        description="as the statement states it (refused when it is another account's)",
    )  # fmt: skip
    file_name: OptionalText = ""
    digest: StrictStr = Field(default="", max_length=64, pattern=r"^[0-9a-f]*$")


class StatementPublic(BaseModel):
    seq: int
    start: datetime.date
    end: datetime.date
    opening: str
    closing: str
    lines: int
    file_name: str
    format: str


class BankLinePublic(BaseModel):
    id: str
    date: datetime.date
    amount: str
    balance: str | None = None
    counterparty: str = ""
    reference: str = ""
    memo: str
    entry: str | None = Field(default=None, description="the voucher (a posting of the books)")
    match: str | None = Field(description="the match it is in; None: unmatched")


class BankLinesPublic(BaseModel):
    bank: list[BankLinePublic]
    book: list[BankLinePublic]


class ProposalPublic(BaseModel):
    bank: list[str]
    book: list[str]
    amount: str
    days: int
    reason: str


class MatchGroup(Strict):
    bank: list[LineId] = Field(default_factory=list, max_length=200)
    book: list[LineId] = Field(default_factory=list, max_length=200)


class MatchCreate(Strict):
    matches: list[MatchGroup] = Field(min_length=1, max_length=500)
    kind: Literal["proposed", "manual"] = "manual"
    note: OptionalText = ""


class MatchesPublic(BaseModel):
    matches: list[str]


class MatchUndo(Strict):
    reason: Text


class ReconcileCreate(Strict):
    month: Month


class ItemPublic(BaseModel):
    kind: Literal["bank_in", "bank_out", "book_in", "book_out"]
    kind_label: str
    side: Literal["bank", "book"]
    line: str
    date: datetime.date
    amount: str
    memo: str
    settled_on: datetime.date | None


class ReconciliationPublic(BaseModel):
    entity: str
    account: str
    masked: str
    month: str
    end: datetime.date
    book_balance: str
    bank_in: str = Field(description="银行已收单位未收")
    bank_out: str = Field(description="银行已付单位未付")
    adjusted_book: str
    bank_balance: str
    book_in: str = Field(description="单位已收银行未收")
    book_out: str = Field(description="单位已付银行未付")
    adjusted_bank: str
    difference: str
    balanced: bool
    covered: bool = Field(description="the statements reach the month's end")
    status: str
    confirmed_by: str | None
    items: list[ItemPublic]
    carried: list[ItemPublic] = Field(description="the month before's 未达账项, as settled since")


class TemplatePublic(BaseModel):
    name: str
    label: str
    columns: dict[str, str]


class CashCountCreate(Strict):
    date: Day
    pieces: dict[
        Literal[
            "100", "50", "20", "10", "5", "2", "1", "0.5", "0.2", "0.1", "0.05", "0.02", "0.01"
        ],
        Annotated[int, Field(ge=0, le=1_000_000, strict=True)],
    ] = Field(description="denomination (yuan) → pieces counted")
    cashier: OptionalText = Field(default="", description="出纳 (default: the township's)")
    supervisor: OptionalText = Field(default="", description="会计 or 监盘人")
    note: OptionalText = ""
    account: Annotated[StrictStr, Field(pattern=r"^101[A-Za-z0-9]*$", max_length=32)] = "101"


class CashCountPublic(BaseModel):
    entity: str
    number: str
    date: datetime.date
    account: str
    pieces: dict[str, int]
    counted: str
    book: str
    difference: str = Field(description="counted − books: a surplus positive, a shortage negative")
    outstanding: str = Field(description="what of the difference is not settled yet")
    entry: str | None
    cashier: str
    supervisor: str
    note: str


class CashResolutionCreate(Strict):
    date: Day
    account: Annotated[StrictStr, Field(pattern=r"^(112|113|515|504|211)[A-Za-z0-9]*$")]
    amount: Amount | None = Field(default=None, description="default: all that is left")
    memo: OptionalText = ""
