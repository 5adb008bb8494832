"""A voucher's corrections through the API, the same as the workbench's (``workbench.corrections``):

- ``POST /v1/vouchers/{draft}/void``: 作废 of a draft or returned voucher by its preparer, with
  the reason; it stays listed as voided and never posts (200, the voucher);
- ``POST /v1/vouchers/{draft}/reversal``: 红字冲销 of a posted voucher: a new draft red-ink
  voucher (the original's lines with the amounts negated, 摘要 ``冲销 2026-0002 号凭证: …``),
  reviewed like any (submit, approve); an original is reversed once (201, the new voucher);
- ``POST /v1/vouchers/{draft}/correction``: a correcting voucher (更正凭证), a new draft in the
  original's books citing it, its lines as the clerk wrote them (201, the new voucher).

A posted voucher is never changed: it is reversed in red ink and, where needed, posted again
right by a correcting voucher. The new vouchers go through 提交 and 审核 like any
(``/v1/vouchers/{draft}/submit``, ``…/approve``). The direct reversal of an entry,
``POST /v1/entities/{code}/entries/{number}/reversal``, stays for integrations (it posts at once,
unreviewed). Each route builds the command of ``domain.vouchers.commands`` the workbench builds
and runs it through ``Writer.run``, once the caller may prepare vouchers (``voucher.prepare``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routes.vouchers import (
    PROBLEMS,
    DraftPath,
    VoucherCreate,
    VoucherPublic,
    _lines,
    _read,
    draft_key,
    require_duty,
)
from api.schemas import VoucherReversalCreate, VoucherVoid
from domain.vouchers.commands import DraftCorrection, DraftReversal, VoidVoucher
from web.deps import WriterDep

router = APIRouter(tags=["vouchers (记账凭证)"])


@router.post(
    "/v1/vouchers/{draft}/void",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="作废: void a draft or returned voucher (its preparer only), with the reason",
)
def void_voucher(draft: DraftPath, body: VoucherVoid, cmd: WriterDep) -> JSONResponse:
    """The voucher stays in the list as ``voided`` (已作废) with its reason
    (``void_reason``) and never posts. A submitted voucher is withdrawn first; a posted one is
    reversed (``…/reversal``), never voided: 409 ``voucher-state``."""
    require_duty(cmd, "voucher.prepare")
    command = VoidVoucher(draft=draft_key(draft), reason=body.reason)
    return cmd.run(command, _read(cmd), status=200)


@router.post(
    "/v1/vouchers/{draft}/reversal",
    status_code=201,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="红字冲销: a red-ink voucher reversing a posted voucher in full, to be reviewed",
)
def reverse_voucher(draft: DraftPath, body: VoucherReversalCreate, cmd: WriterDep) -> JSONResponse:
    """A new draft (``Location``: ``/v1/vouchers/{new}``): the original's lines with the amounts
    negated, 摘要 ``冲销 <number> 号凭证: <reason>``, dated ``date`` (an open month, not before
    the original); ``cites`` names the original. Submitted and approved like any voucher, its
    approval posts the red-ink reversal of the original's entry. Refused (409
    ``already-reversed``) when the original has a red-ink voucher that is not voided, or its
    entry was reversed; a voucher that is not posted, or is itself red ink, 409
    ``voucher-state``; a date in a closed month, 409 ``closed-period``."""
    require_duty(cmd, "voucher.prepare")
    command = DraftReversal(original=draft_key(draft), date=body.date, reason=body.reason)
    return cmd.run(command, _read(cmd))


@router.post(
    "/v1/vouchers/{draft}/correction",
    status_code=201,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="更正凭证: a correcting voucher citing a posted voucher, to be reviewed",
)
def correct_voucher(draft: DraftPath, body: VoucherCreate, cmd: WriterDep) -> JSONResponse:
    """A new draft (``Location``: ``/v1/vouchers/{new}``) in the books of the posted voucher
    ``draft``, citing it (``cites``), with the lines as written here — usually the original's
    lines as they should have been, after the original is reversed in red ink. Submitted and
    approved like any voucher. A voucher that is not posted, or is red ink, is refused (409
    ``voucher-state``)."""
    require_duty(cmd, "voucher.prepare")
    key = draft_key(draft)
    original = cmd.runtime.app.vouchers.get_voucher(key)  # 404 voucher-not-found
    command = DraftCorrection(
        entity=original.entity,
        date=body.date,
        summary=body.summary,
        lines=_lines(body),
        original=key,
    )
    return cmd.run(command, _read(cmd))


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "vouchers")
DUTIES = {
    ("POST", "/v1/vouchers/{draft}/void"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/reversal"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/correction"): "voucher.prepare",
}
