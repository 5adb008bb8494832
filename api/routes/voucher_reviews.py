"""审核 and 记账 through the API: a voucher's 记账 and 取消审核, and many vouchers reviewed or
posted at once (the workbench's batch review page builds the same commands).

- ``POST /v1/vouchers/{draft}/post`` (``voucher.post``): a reviewed voucher posted into the
  books by someone other than its reviewer (403 ``own-review``); ``posted_number`` names its
  entry;
- ``POST /v1/vouchers/{draft}/unreview`` (``voucher.review``): its reviewer takes the approval
  back before it is posted (待审核 again; 403 ``not-reviewer`` for anyone else);
- ``POST /v1/voucher-reviews`` (``voucher.review``) and ``POST /v1/voucher-postings``
  (``voucher.post``): ``{"drafts": [...]}``, at most 1,000, each checked as one alone would be
  and against the books in date order; all or nothing (422 ``batch-refused`` with ``errors``:
  every voucher that cannot, and why), one save.

``POST /v1/vouchers/{draft}/approve`` (``api.routes.vouchers``) is the 审核: 已审核, or posted
at once where the township chose 审核即记账 (``GET /v1/townships/{township}/settings``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.routes.vouchers import (
    PROBLEMS,
    DraftPath,
    VoucherPublic,
    draft_key,
    require_duty,
    voucher_body,
)
from api.schemas import Strict
from domain.vouchers.batches import MAX_BATCH, BatchOutcome, VouchersNotReviewedError
from domain.vouchers.commands import (
    PostVoucher,
    PostVouchers,
    ReviewVouchers,
    UnreviewVoucher,
    VoucherBatchCommand,
)
from web.deps import Writer, WriterDep
from web.problems import Problem

router = APIRouter(tags=["vouchers (记账凭证)"])


class VoucherChoice(Strict):
    drafts: list[str] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="the vouchers' ids (32 hex digits), at most 1,000",
    )


class VoucherBatchDone(BaseModel):
    count: int = Field(description="how many vouchers were reviewed or posted")
    drafts: list[str] = Field(description="their ids, in date order (the order they were taken)")
    numbers: list[str] = Field(
        description="the entries posted (entity and number, ``V01 2026-0003``), in order; "
        "none when a review only marks them 已审核"
    )


BATCH_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    422: {
        "description": "one or more vouchers cannot (nothing written): `errors` lists each with "
        "`draft`, `type` and `message`"
    },
}


def _one(cmd: Writer, draft: str, action: str, command: type[PostVoucher | UnreviewVoucher]) -> Any:
    require_duty(cmd, action)
    return cmd.run(
        command(draft=draft_key(draft)),
        lambda key: voucher_body(cmd.runtime.engine, key),
        status=200,
    )


@router.post(
    "/v1/vouchers/{draft}/post",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="记账: post a reviewed voucher into the books (not by its reviewer)",
)
def post_voucher(draft: DraftPath, cmd: WriterDep) -> JSONResponse:
    """The entry is posted with the next number in the same transaction as the voucher's
    ``Posted``; ``posted_number`` names it. Checked as a posting is (the books may have changed
    since the review)."""
    result: JSONResponse = _one(cmd, draft, "voucher.post", PostVoucher)
    return result


@router.post(
    "/v1/vouchers/{draft}/unreview",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="取消审核: the reviewer takes the approval back before it is posted",
)
def unreview_voucher(draft: DraftPath, cmd: WriterDep) -> JSONResponse:
    result: JSONResponse = _one(cmd, draft, "voucher.review", UnreviewVoucher)
    return result


def _batch(cmd: Writer, body: VoucherChoice, command: VoucherBatchCommand) -> JSONResponse:
    def answer(outcome: BatchOutcome) -> tuple[dict[str, Any], None]:
        done = VoucherBatchDone(
            count=len(outcome.drafts), drafts=list(outcome.drafts), numbers=list(outcome.numbers)
        )
        return done.model_dump(mode="json"), None

    try:
        return cmd.run(command, answer, status=200)
    except VouchersNotReviewedError as error:
        errors = [
            {
                "draft": p.draft,
                "type": f"urn:lianzhang:problem:{p.kind}",
                "message": p.message,
                "zh": p.zh,
            }
            for p in error.problems
        ]
        raise Problem(
            422,
            error.kind,
            error.message,
            field="drafts",
            zh=error.zh,
            errors=errors,
        ) from None


@router.post(
    "/v1/voucher-reviews",
    status_code=200,
    response_model=VoucherBatchDone,
    responses=BATCH_PROBLEMS,
    summary="审核 of many vouchers at once (all or none, one save)",
)
def review_vouchers(body: VoucherChoice, cmd: WriterDep) -> JSONResponse:
    """Each submitted, prepared by someone else; each checked against the books as they stand
    after the ones before it in date order. 已审核, or posted where the township chose
    审核即记账 (``numbers``)."""
    require_duty(cmd, "voucher.review")
    return _batch(cmd, body, ReviewVouchers(tuple(draft_key(d) for d in body.drafts)))


@router.post(
    "/v1/voucher-postings",
    status_code=200,
    response_model=VoucherBatchDone,
    responses=BATCH_PROBLEMS,
    summary="记账 of many reviewed vouchers at once, in date order (all or none, one save)",
)
def post_vouchers(body: VoucherChoice, cmd: WriterDep) -> JSONResponse:
    require_duty(cmd, "voucher.post")
    return _batch(cmd, body, PostVouchers(tuple(draft_key(d) for d in body.drafts)))


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "vouchers")
DUTIES = {
    ("POST", "/v1/vouchers/{draft}/post"): "voucher.post",
    ("POST", "/v1/vouchers/{draft}/unreview"): "voucher.review",
    ("POST", "/v1/voucher-reviews"): "voucher.review",
    ("POST", "/v1/voucher-postings"): "voucher.post",
}
