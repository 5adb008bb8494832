"""The bodies of a voucher's corrections (``api.routes.voucher_corrections``): 作废 of a draft,
红字冲销 of a posted voucher (the correcting voucher's body is the voucher's own,
``VoucherCreate``), and what a voucher answers about them (``VoucherCorrections``: ``cites``,
``reversal``, ``void_reason``, part of every voucher's answer)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from api.schemas.common import Day, Strict, Text
from domain.bounds import MAX_TEXT, ONE_LINE_PATTERN

# a red-ink voucher's 摘要 is "冲销 2025-0003 号凭证: <reason>", so its reason leaves room for that
RedInkReason = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_TEXT - 20,
        pattern=ONE_LINE_PATTERN,
        description="what was wrong with the original (one line; it becomes part of the 摘要)",
    ),
]


class VoucherVoid(Strict):
    """作废: why the draft is given up."""

    reason: Text = Field(description="why the voucher is voided (shown in its history)")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "重复录入，已另行制单"}]},
    )


class VoucherReversalCreate(Strict):
    """红字冲销: the red-ink voucher's date (in an open month, not before the original) and why."""

    date: Day
    reason: RedInkReason

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"date": "2026-03-15", "reason": "金额录错"}]},
    )


class VoucherCited(BaseModel):
    """What a red-ink or correcting voucher cites."""

    kind: Literal["reversal", "correction"] = Field(
        description="reversal: 红字冲销 of the original; correction: 更正凭证"
    )
    original: str = Field(description="the original voucher's id (32 hex digits)")
    number: str = Field(description="the original's entry number", examples=["2026-0002"])
    reason: str = Field(description="the reversal's reason (empty for a correction)")


class VoucherReversalRef(BaseModel):
    """A posted voucher's latest red-ink voucher."""

    draft: str = Field(description="the red-ink voucher's id")
    status: Literal["draft", "submitted", "returned", "reviewed", "posted", "voided"]
    status_label: str = Field(examples=["待审核"])
    posted_number: str | None = Field(description="its entry number once posted")


class VoucherCorrections(BaseModel):
    """What a voucher answers about its corrections (a part of ``VoucherPublic``)."""

    cites: VoucherCited | None = Field(
        default=None, description="a red-ink or correcting voucher: the original it cites"
    )
    reversal: VoucherReversalRef | None = Field(
        default=None, description="a posted voucher: its latest red-ink voucher"
    )
    void_reason: str | None = Field(default=None, description="a voided one: why (作废)")
