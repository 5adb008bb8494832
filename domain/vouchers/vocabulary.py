"""What a voucher's pages and refusals name (``domain.vouchers`` re-exports every name): its
statuses and history steps in Chinese, the source documents it may carry, who an actor is (a
person's token is the person), and the refusals of its workflow."""

from __future__ import annotations

import re

from domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
)

STATUS_LABELS = {
    "draft": "草稿",
    "submitted": "待审核",
    "returned": "已退回",
    "reviewed": "已审核",
    "posted": "已记账",
    "voided": "已作废",
}
EDITABLE = ("draft", "returned")

# What the history records, in Chinese for the pages.
STEP_LABELS = {
    "drafted": "制单",
    "edited": "修改",
    "submitted": "提交",
    "withdrawn": "撤回",
    "returned": "退回",
    "approved": "审核记账",
    "reviewed": "审核",
    "unreviewed": "取消审核",
    "posted": "记账",
    "imported": "导入待审核",
    "attached": "附单据",
    "voided": "作废",
    "reverses": "红字冲销",
    "corrects": "更正",
    "reversal": "红字冲销制单",
    "reversed": "已被冲销",
}

# Source documents (原始凭证): what may be attached.
ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 50
# what a refusal says is being done, in English
_DOING_EN = {
    "修改": "edited",
    "提交": "submitted",
    "撤回": "withdrawn",
    "审核": "approved",
    "退回": "returned",
    "取消审核": "unreviewed",
    "记账": "posted",
    "添加附件": "documents attached",
    "作废": "voided",
    "红字冲销": "reversed",
    "更正": "corrected",
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
VOUCHER_WORDS = ("记", "收", "付", "转")


def person_of(actor: str) -> str:
    """Who an actor is: ``login@token`` (a person's integration token) is the person ``login``;
    a login, or a token without an owner, is itself (token names and logins have no ``@``)."""
    return actor.split("@", 1)[0]


def same_person(first: str | None, second: str | None) -> bool:
    """Whether two actors are the same person (in the workbench and through their token)."""
    return first is not None and second is not None and person_of(first) == person_of(second)


class VoucherNotFoundError(NotFoundError):
    kind = "voucher-not-found"


class VoucherStateError(ConflictError):
    """The voucher is not in a status that allows this (approve a draft, edit a posted one)."""

    kind = "voucher-state"


class OwnVoucherError(ForbiddenError):
    """Separation of duties: the preparer of a voucher may not approve or return it."""

    kind = "own-voucher"


class OwnReviewError(ForbiddenError):
    """Separation of duties: the reviewer of a voucher may not post it (审核 and 记账 are two
    people's)."""

    kind = "own-review"


class NotReviewerError(ForbiddenError):
    """Only the voucher's reviewer takes the approval back (取消审核)."""

    kind = "not-reviewer"


class NotPreparerError(ForbiddenError):
    """Only the voucher's preparer edits, submits, withdraws it or attaches documents."""

    kind = "not-preparer"


class AttachmentError(InvalidRequestError):
    """A source document that cannot be attached: not a PDF, JPEG or PNG, too large, empty."""

    kind = "invalid-attachment"
