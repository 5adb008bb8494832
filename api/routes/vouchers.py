"""Vouchers through the API: the same workflow as the workbench (制单 → 提交 → 审核 → 记账).

Every write builds a command of ``domain.vouchers.commands`` (the ones the workbench builds)
and runs it through ``Writer.run`` (tenancy, Idempotency-Key, read-your-writes), once allowed
by the caller's role (``domain.roles``: ``voucher.prepare`` drafts, edits, submits, withdraws
and attaches; ``voucher.review`` approves and returns), else 403 ``forbidden-role``. The
approval is the 审核: 已审核, posted by someone else (``api.routes.voucher_reviews``), or posted
at once where the township chose 审核即记账. Nobody reviews a voucher they prepared (403
``own-voucher``) nor posts one they reviewed (403 ``own-review``): ``domain.vouchers``. A
direct post (``POST /v1/entities/{code}/entries``) stays for integrations, marked by its actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import StrictStr

from adapters import attachments as stored_documents
from adapters.attachments import UnsupportedMediaTypeError
from api.schemas.voucher_workflow import (
    VoucherCreate,
    VoucherList,
    VoucherPublic,
    VoucherReturn,
)
from domain.roles import ACTION_LABELS, role_label
from domain.vouchers import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    VoucherNotFoundError,
    voucher_uuid,
)
from domain.vouchers.commands import (
    ApproveVoucher,
    AttachDocument,
    DraftVoucher,
    EditVoucher,
    ReturnVoucher,
    SubmitVoucher,
    VoucherCommand,
    WithdrawVoucher,
    voucher_place,
)
from projections.voucher_view import voucher_detail, voucher_list
from rendering.voucher_print import (
    printable_from_draft,
    printable_from_entry,
    voucher_pdf,
)
from web import security
from web.deps import ReaderDep, Writer, WriterDep
from web.problems import Problem

router = APIRouter(tags=["vouchers (记账凭证)"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or invalid token"},
    403: {"description": "not allowed (`forbidden-role`, `own-voucher`, `not-preparer` …)"},
    404: {"description": "unknown voucher, entity or attachment"},
    409: {"description": "not in a status that allows it (`voucher-state`), closed month …"},
    422: {"description": "invalid request (unbalanced, unknown account, bad amount …)"},
}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}

DraftPath = Annotated[
    str,
    Path(
        min_length=32,
        max_length=36,
        pattern=r"^[0-9a-fA-F-]+$",
        description="the voucher's id: 32 hex digits",
    ),
]

# -- helpers --------------------------------------------------------------------------------------


def require_duty(cmd: Writer, action: str) -> None:
    if not cmd.principal.may(action):
        raise Problem(
            403,
            "forbidden-role",
            f"{cmd.principal.actor!r} has the role {cmd.principal.role!r}, which may not "
            f"{action.replace('voucher.', '')} vouchers",
            zh=f"{cmd.principal.actor} 的角色（{role_label(cmd.principal.role)}）不能"
            f"{ACTION_LABELS.get(action, action)}",
        )


def draft_key(draft: str) -> str:
    try:
        return voucher_uuid(draft).hex
    except VoucherNotFoundError as error:
        raise Problem(404, error.kind, error.message, field="draft", zh=error.zh) from None


def _public(detail: dict[str, Any]) -> dict[str, Any]:
    found = dict(detail)
    found["attachments"] = [
        {**a, "url": f"/v1/attachments/{a['sha256']}"} for a in detail.get("attachments", [])
    ]
    return found


def voucher_body(engine: Any, draft: str) -> tuple[dict[str, Any], str]:
    detail = voucher_detail(engine, draft)
    if detail is None:
        raise Problem(
            404, "voucher-not-found", f"there is no voucher {draft}", zh=f"凭证 {draft} 不存在"
        )
    return _public(detail), f"/v1/vouchers/{detail['draft']}"


def _read(cmd: Writer) -> Any:
    return lambda draft: voucher_body(cmd.runtime.engine, draft)


def _signers(reader: Any) -> Any:  # 会计主管 and 出纳 (domain.township)
    return reader.runtime.app.township.signers_of


def _lines(body: VoucherCreate) -> tuple[dict[str, Any], ...]:
    return tuple(line.model_dump() for line in body.lines)


# -- the workflow ---------------------------------------------------------------------------------


@router.post(
    "/v1/entities/{code}/vouchers",
    status_code=201,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="制单: draft a voucher (not yet in the books)",
)
def draft_voucher(code: str, body: VoucherCreate, cmd: WriterDep) -> JSONResponse:
    """Draft a voucher in the books of ``code``: its lines are checked as lines (an account, one
    side, an amount); whether it would post is checked when it is submitted."""
    require_duty(cmd, "voucher.prepare")
    command = DraftVoucher(
        entity=code, date=body.date, summary=body.summary, lines=_lines(body), word=body.word
    )
    return cmd.run(command, _read(cmd))


@router.get(
    "/v1/entities/{code}/vouchers",
    response_model=VoucherList,
    responses=PROBLEMS,
    summary="The vouchers of an entity, newest change first",
)
def list_vouchers(
    code: str,
    reader: ReaderDep,
    status: Annotated[
        Literal["draft", "submitted", "returned", "reviewed", "posted", "voided"] | None, Query()
    ] = None,
    preparer: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return {
        "items": voucher_list(
            reader.runtime.engine,
            townships=None,
            status=status,
            entity=code,
            preparer=preparer,
            limit=limit,
        )
    }


@router.get(
    "/v1/vouchers",
    response_model=VoucherList,
    responses=PROBLEMS,
    summary="Vouchers of every entity (a reviewer's queue: ?status=submitted; to post: "
    "?status=reviewed; an import's: ?import_id=), newest first",
)
def list_all_vouchers(
    reader: ReaderDep,
    status: Annotated[
        Literal["draft", "submitted", "returned", "reviewed", "posted", "voided"] | None, Query()
    ] = None,
    township: Annotated[StrictStr | None, Query(max_length=200)] = None,
    preparer: Annotated[str | None, Query(max_length=200)] = None,
    import_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    return {
        "items": voucher_list(
            reader.runtime.engine,
            townships=None if township is None else [township],
            status=status,
            preparer=preparer,
            import_id=import_id,
            limit=limit,
        )
    }


@router.get(
    "/v1/vouchers/{draft}",
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="One voucher: lines, attachments, history",
)
def get_voucher(draft: DraftPath, reader: ReaderDep) -> dict[str, Any]:
    return voucher_body(reader.runtime.engine, draft_key(draft))[0]


@router.put(
    "/v1/vouchers/{draft}",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="修改: edit a draft or returned voucher (its preparer only)",
)
def edit_voucher(draft: DraftPath, body: VoucherCreate, cmd: WriterDep) -> JSONResponse:
    require_duty(cmd, "voucher.prepare")
    command = EditVoucher(
        draft=draft_key(draft),
        date=body.date,
        summary=body.summary,
        lines=_lines(body),
        word=body.word,
    )
    return cmd.run(command, _read(cmd), status=200)


def _step(
    cmd: Writer, draft: str, action: str, step: Callable[[str], VoucherCommand]
) -> JSONResponse:
    """The role first, then the voucher's id, then the command ``step(id)`` built."""
    require_duty(cmd, action)
    return cmd.run(step(draft_key(draft)), _read(cmd), status=200)


@router.post(
    "/v1/vouchers/{draft}/submit",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="提交: submit for review, once it would post (nothing written to the books)",
)
def submit_voucher(draft: DraftPath, cmd: WriterDep) -> JSONResponse:
    """Checked as a posting is (balanced, accounts open, month open, cash never below zero …)
    against the books as they stand; refused with the posting's own problem otherwise."""
    return _step(cmd, draft, "voucher.prepare", SubmitVoucher)


@router.post(
    "/v1/vouchers/{draft}/withdraw",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="撤回: a submitted voucher back to draft (its preparer only)",
)
def withdraw_voucher(draft: DraftPath, cmd: WriterDep) -> JSONResponse:
    return _step(cmd, draft, "voucher.prepare", WithdrawVoucher)


@router.post(
    "/v1/vouchers/{draft}/approve",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="审核: approve (not by its preparer): 已审核, or posted where the township chose "
    "审核即记账",
)
def approve_voucher(draft: DraftPath, cmd: WriterDep) -> JSONResponse:
    """Checked against the books as they stand. By default the voucher is then 已审核 (status
    ``reviewed``) and someone other than the reviewer posts it (``POST …/post``); in a township
    that chose 审核即记账 its entry is posted with the next number in the same transaction as
    the approval, and ``posted_number`` names it."""
    return _step(cmd, draft, "voucher.review", ApproveVoucher)


@router.post(
    "/v1/vouchers/{draft}/return",
    status_code=200,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="退回: return a submitted or reviewed voucher to its preparer with a reason (not by "
    "its preparer)",
)
def return_voucher(draft: DraftPath, body: VoucherReturn, cmd: WriterDep) -> JSONResponse:
    return _step(
        cmd, draft, "voucher.review", lambda key: ReturnVoucher(draft=key, reason=body.reason)
    )


# -- attachments ----------------------------------------------------------------------------------

UPLOAD_LIMIT = MAX_ATTACHMENT_BYTES + 64 * 1024  # the file and its multipart envelope


def limit_upload(request: Request) -> None:
    """Refuse an upload larger than 10 MB by its Content-Length, before it is read."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > UPLOAD_LIMIT:
        size = f"{int(length) / 1024 / 1024:.1f} MB"
        raise Problem(
            422,
            "invalid-attachment",
            f"the upload has {size}; a source document has at most 10 MB",
            field="file",
            zh=f"附件最大 10 MB，这次上传有 {size}",
        )


@router.post(
    "/v1/vouchers/{draft}/attachments",
    status_code=201,
    response_model=VoucherPublic,
    responses=PROBLEMS,
    summary="附单据: attach a source document (PDF, JPEG or PNG, at most 10 MB)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": "the document: PDF, JPEG or PNG (recognised by "
                                "its content), at most 10 MB; 415 otherwise",
                            },
                            "name": {
                                "type": "string",
                                "maxLength": 200,
                                "description": "its name as shown (default: the file's name)",
                            },
                        },
                    }
                }
            },
        }
    },
)
async def attach_document(
    draft: DraftPath,
    request: Request,
    _size: Annotated[None, Depends(limit_upload)],
    cmd: WriterDep,
) -> JSONResponse:
    """The bytes are stored once per SHA-256 (the same file twice is stored once); the
    voucher's event records the SHA-256, name, media type and size."""
    require_duty(cmd, "voucher.prepare")
    key = draft_key(draft)
    form = await request.form()
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(
                422, "validation", "file: send the document as the multipart field 'file'",
                field="file", zh="请选择要上传的文件",
            )  # fmt: skip
        data = await upload.read()
        given = form.get("name")
        name = (given if isinstance(given, str) and given.strip() else upload.filename) or ""
        declared = upload.content_type
    finally:
        await form.close()

    def store_and_attach() -> JSONResponse:
        # who may attach, before any byte is stored (the command checks it again)
        cmd.require_township(*voucher_place(cmd.runtime.app, key))
        cmd.runtime.app.vouchers.get_voucher(key).check_attachable(cmd.actor)
        try:
            sha256 = stored_documents.put(cmd.runtime.engine, data, declared)
            media_type = stored_documents.sniff(data)
        except UnsupportedMediaTypeError as error:
            raise Problem(415, error.kind, error.message, field="file", zh=error.zh) from None
        assert media_type in ATTACHMENT_TYPES

        command = AttachDocument(
            draft=key, sha256=sha256, name=name[:200], media_type=media_type, size=len(data)
        )
        return cmd.run(command, _read(cmd), status=201)

    return await run_in_threadpool(store_and_attach)


@router.get(
    "/v1/attachments/{sha256}",
    response_class=Response,
    responses={
        **PROBLEMS,
        200: {
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ATTACHMENT_TYPES
            },
            "description": "the document's bytes, with their Content-Type",
        },
    },
    summary="A source document's bytes",
)
def get_attachment(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    reader: ReaderDep,
    name: Annotated[StrictStr | None, Query(max_length=200)] = None,
) -> Response:
    found = stored_documents.get(reader.runtime.engine, sha256)
    if found is None:
        raise Problem(
            404,
            "attachment-not-found",
            f"there is no document {sha256}",
            zh=f"附件 {sha256} 不存在",
        )
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    filename = f"{sha256[:12]}.{extension[found.media_type]}"
    disposition = f'inline; filename="{filename}"'
    if name:
        from urllib.parse import quote

        disposition += f"; filename*=UTF-8''{quote(name)}"
    return Response(
        found.data,
        media_type=found.media_type,
        headers={
            "Content-Disposition": disposition,
            **security.ATTACHMENT_HEADERS,  # the same as the workbench's
            "Cache-Control": "private, max-age=31536000, immutable",
        },
    )


# -- printing -------------------------------------------------------------------------------------


@router.get(
    "/v1/vouchers/{draft}/print.pdf",
    response_class=Response,
    responses={**PROBLEMS, 200: {"content": PDF, "description": "the voucher printed (A5)"}},
    summary="The voucher printed as PDF (记账凭证, A5 landscape)",
)
def voucher_print_pdf(draft: DraftPath, reader: ReaderDep) -> Response:
    key = draft_key(draft)
    printable = printable_from_draft(reader.runtime.engine, key, _signers(reader))
    if printable is None:
        raise Problem(
            404, "voucher-not-found", f"there is no voucher {key}", zh=f"凭证 {key} 不存在"
        )
    label = printable["number"] or f"draft-{key[:8]}"
    return Response(
        voucher_pdf(printable),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="voucher-{label}.pdf"'},
    )


@router.get(
    "/v1/entities/{code}/entries/{number}/print.pdf",
    response_class=Response,
    responses={**PROBLEMS, 200: {"content": PDF, "description": "the entry's voucher (A5)"}},
    summary="A posted entry printed as its voucher (also one posted directly or imported)",
)
def entry_print_pdf(code: str, number: str, reader: ReaderDep) -> Response:
    printable = printable_from_entry(reader.runtime.engine, code, number, _signers(reader))
    if printable is None:
        raise Problem(
            404, "entry-not-found", f"entry {number} is not in the books of {code}", field="number"
        )
    return Response(
        voucher_pdf(printable),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{code}-{number}.pdf"'},
    )


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "vouchers")
DUTIES = {
    ("POST", "/v1/entities/{code}/vouchers"): "voucher.prepare",
    ("PUT", "/v1/vouchers/{draft}"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/submit"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/withdraw"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/attachments"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/approve"): "voucher.review",
    ("POST", "/v1/vouchers/{draft}/return"): "voucher.review",
}
