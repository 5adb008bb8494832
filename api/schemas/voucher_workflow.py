"""The bodies of the voucher workflow (``api.routes.vouchers``): a voucher drafted or edited
(its lines, 摘要 per line, 凭证字), returned, and what a voucher answers (its lines, documents,
history, number and corrections); the route modules of the workflow import them here."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Account, Amount, Day, OptionalText, Strict, Text
from api.schemas.vouchers import VoucherCorrections
from domain.bounds import MAX_POSTINGS


class VoucherLineIn(Strict):
    """One line: an account and an amount on one side (借方 ``debit`` or 贷方 ``credit``)."""

    account: Account
    debit: Amount | None = None
    credit: Amount | None = None
    memo: OptionalText = Field(default="", description="the line's 摘要 (empty: the voucher's)")


class VoucherCreate(Strict):
    date: Day
    summary: Text = Field(description="摘要: becomes the entry's memo when it is posted")
    lines: list[VoucherLineIn] = Field(max_length=MAX_POSTINGS)
    word: Literal["", "记", "收", "付", "转"] | None = Field(
        default=None,
        description="凭证字 under monthly numbering, where the township's words and the lines "
        "allow it (收 or 付 for a voucher that both receives and pays); empty: from the lines; "
        "left out of an edit: as it was. GET /v1/vouchers/{draft}/number says what it takes",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-03-05",
                    "summary": "收到土地流转费",
                    "lines": [
                        {"account": "102", "debit": "1200.00", "memo": "存入银行"},
                        {"account": "504", "credit": "1200.00"},
                    ],
                }
            ]
        },
    )


class VoucherReturn(Strict):
    reason: Text = Field(description="what the preparer should change")


class VoucherLinePublic(BaseModel):
    account: str = Field(examples=["102"])
    account_name: str = Field(examples=["银行存款"])
    debit: str | None = Field(examples=["1200.00"])
    credit: str | None = Field(examples=[None])
    memo: str


class AttachmentPublic(BaseModel):
    sha256: str
    name: str
    media_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int
    url: str = Field(description="GET it here (the bytes, with their Content-Type)")


class VoucherStep(BaseModel):
    what: Literal[
        "drafted",
        "edited",
        "submitted",
        "withdrawn",
        "returned",
        "approved",
        "reviewed",
        "unreviewed",
        "posted",
        "imported",
        "attached",
        "voided",
        "reverses",
        "corrects",
        "reversal",
        "reversed",
    ]
    label: str = Field(examples=["提交"])
    actor: str
    actor_name: str = Field(description="姓名 of the actor (``login@token``: 姓名（接口）)")
    at: datetime.datetime
    reason: str | None = None


class VoucherSummaryPublic(BaseModel):
    draft: str = Field(description="the voucher's id (32 hex digits)")
    entity: str
    township: str
    status: Literal["draft", "submitted", "returned", "reviewed", "posted", "voided"]
    status_label: str = Field(examples=["待审核"])
    date: datetime.date
    summary: str
    total: str = Field(examples=["1200.00"], description="the debits, yuan")
    preparer: str
    preparer_name: str = Field(examples=["李晓红"])
    reviewer: str | None
    reviewer_name: str | None = Field(examples=["王建国"])
    posted_number: str | None = Field(description="the entry's number once posted")
    returned_reason: str | None
    attachment_count: int
    created_at: datetime.datetime
    updated_position: int
    updated_at: datetime.datetime


class VoucherPublic(VoucherSummaryPublic, VoucherCorrections):
    entity_name: str
    lines: list[VoucherLinePublic]
    debit_total: str
    credit_total: str
    balanced: bool
    total_capitals: str = Field(examples=["壹仟贰佰元整"])
    attachments: list[AttachmentPublic]
    history: list[VoucherStep]


class VoucherList(BaseModel):
    items: list[VoucherSummaryPublic]
