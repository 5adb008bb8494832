"""Many vouchers of one entity in one request (the bulk path of ``domain/bulk.py``), for
integrations: every voucher is checked as ``POST /v1/entities/{code}/entries`` checks one, all
or nothing, and saved in batches; a request retried with its Idempotency-Key after a crash
finishes what the first one started.

They become vouchers submitted for review by the caller (待审核), which another person reviews
and a person with the 记账 duty posts (``POST /v1/voucher-reviews``, ``/v1/voucher-postings``,
or the workbench's batch review page); ``post_directly`` posts them at once, for vouchers
reviewed elsewhere (a township's vouchers so far from the system it leaves), and needs the
直接记账 duty (``books.write``) besides ``vouchers.import``: they print as not reviewed."""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.routes.entities import PROBLEMS
from api.schemas import Day, PostingIn, Strict, Text
from domain.bounds import MAX_POSTINGS
from domain.bulk import ImportResult, Voucher, VouchersRefusedError
from domain.roles import role_label
from domain.vouchers.commands import ImportVouchers
from web.deps import WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/entities", tags=["books"])

MAX_VOUCHERS_PER_REQUEST = 20_000


EXAMPLE: dict[str, Any] = {
    "vouchers": [
        {
            "date": "2025-01-05",
            "memo": "收到土地承包费",
            "postings": [
                {"account": "102", "side": "debit", "amount": "12000.00"},
                {"account": "504", "side": "credit", "amount": "12000.00"},
            ],
        }
    ]
}


class VoucherIn(Strict):
    date: Day
    memo: Text
    postings: list[PostingIn] = Field(max_length=MAX_POSTINGS)


class VoucherBatchCreate(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    vouchers: list[VoucherIn] = Field(min_length=1, max_length=MAX_VOUCHERS_PER_REQUEST)
    dry_run: bool = Field(
        default=False, description="check every voucher, write nothing, answer the numbers"
    )
    post_directly: bool = Field(
        default=False,
        description="post into the books at once, without review (vouchers reviewed "
        "elsewhere; needs the 直接记账 duty); by default they are submitted for review",
    )


class VoucherPostedPublic(BaseModel):
    index: int = Field(description="the voucher's place in the request, from 0")
    number: str = Field(
        description="the voucher number the books gave it (would give); empty for a voucher "
        "submitted for review (numbered when it is posted)"
    )
    draft: str | None = Field(
        default=None, description="the voucher submitted for review (its id), when not posted"
    )
    date: datetime.date
    memo: str


class VoucherBatchPublic(BaseModel):
    entity: str
    import_id: str = Field(description="SHA-256 of the vouchers: the same vouchers are one import")
    dry_run: bool
    batches: int = Field(description="saves (transactions) the import takes")
    saved_batches: int = Field(description="saved by this request")
    skipped_batches: int = Field(description="saved before by the same vouchers")
    for_review: bool = Field(default=False, description="submitted for review (待审核), not posted")
    entries: list[VoucherPostedPublic]


BATCH_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    422: {
        "description": "one or more vouchers cannot be posted (nothing written): `errors` lists "
        "every problem with `voucher` (index), `field` (vouchers[3].postings[1].account), "
        "`type` and `message`"
    },
}


def _body(code: str, result: ImportResult) -> dict[str, Any]:
    return VoucherBatchPublic(
        entity=code,
        import_id=result.import_id,
        dry_run=result.dry_run,
        batches=result.batches,
        saved_batches=result.saved_batches,
        skipped_batches=result.skipped_batches,
        for_review=result.for_review,
        entries=[
            VoucherPostedPublic(index=i, number=p.number, draft=p.draft, date=p.date, memo=p.memo)
            for i, p in enumerate(result.posted)
        ],
    ).model_dump(mode="json")


def refused(error: VouchersRefusedError) -> Problem:
    """Every voucher problem as one 422 problem, each with the place it was found."""
    errors = [
        {
            "voucher": p.voucher,
            "field": f"vouchers[{p.voucher}]" + (f".{p.field}" if p.field else ""),
            "type": f"urn:lianzhang:problem:{p.kind}",
            "message": p.message,
        }
        for p in error.problems
    ]
    return Problem(
        422,
        error.kind,
        "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        + "; nothing was written",
        field=str(errors[0]["field"]),
        errors=errors,
    )


@router.post(
    "/{code}/voucher-batches",
    status_code=201,
    response_model=VoucherBatchPublic,
    responses={
        **BATCH_PROBLEMS,
        200: {"model": VoucherBatchPublic, "description": "a dry run: nothing written"},
    },
)
def post_voucher_batch(code: str, body: VoucherBatchCreate, cmd: WriterDep) -> JSONResponse:
    """Import many vouchers into the books of ``code`` at once (记账凭证批量导入): each checked
    against the books as they stand after the ones before it, all or nothing; submitted for
    review (``post_directly``: posted, the books number them). The same vouchers sent again are
    not imported twice (the import is named by their SHA-256): the answer lists what they got."""
    if body.post_directly and not cmd.principal.may("books.write"):
        raise Problem(
            403,
            "forbidden-role",
            f"{cmd.principal.actor!r} may import vouchers for review, not post them directly",
            zh=f"{cmd.principal.actor} 的角色（{role_label(cmd.principal.role)}）只能导入待审核的"
            "凭证，不能直接记账",
        )
    vouchers = tuple(
        Voucher(
            entity=code,
            date=v.date,
            memo=v.memo,
            postings=tuple(p.model_dump() for p in v.postings),
        )
        for v in body.vouchers
    )
    command = ImportVouchers(
        vouchers, dry_run=body.dry_run, books=code, post_directly=body.post_directly
    )
    try:
        return cmd.run(
            command,
            lambda result: (_body(code, result), None),
            status=200 if body.dry_run else 201,
        )
    except VouchersRefusedError as error:
        raise refused(error) from None


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger",)
DUTIES = {("POST", "/v1/entities/{code}/voucher-batches"): "vouchers.import"}
