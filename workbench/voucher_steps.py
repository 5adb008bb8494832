"""凭证的表单: the voucher workflow's writes from the pages (``workbench.vouchers`` shows them).

- ``POST /vouchers/new``: saves a draft (``action=draft``) or saves and submits it
  (``action=submit``; when the books refuse it, it stays a draft and its page says why);
- ``POST /vouchers/{draft}`` (edit, and submit with ``action=submit``), ``…/submit``,
  ``…/withdraw``, ``…/approve`` (审核: 已审核, or posted where the township chose 审核即记账),
  ``…/post`` (记账), ``…/unreview`` (取消审核), ``…/return`` (with a reason),
  ``…/attachments`` (multipart upload: the bytes are stored, then the voucher records them).

Each builds the command of ``domain.vouchers.commands`` the API's routes build, after the
person's role and the form's own checks (lines balanced before submitting, a date, a reason, a
file), and runs it through ``workbench.render.run_form`` (the person as actor, tenancy, one
write per form key); a refusal renders the form or the voucher's page again with the Chinese
message next to the field.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters import attachments
from domain.commands import Command
from domain.errors import DomainError
from domain.periods import parse_date
from domain.vouchers.commands import (
    ApproveVoucher,
    AttachDocument,
    DraftVoucher,
    EditVoucher,
    PostVoucher,
    Prepared,
    ReturnVoucher,
    SaveAndSubmit,
    SubmitVoucher,
    UnreviewVoucher,
    WithdrawVoucher,
)
from ledger.errors import LedgerError
from web.problems import Problem
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import CSRF_FIELD, IDEMPOTENCY_FIELD, FormRefused, refusal, run_form
from workbench.session import FormUser, require
from workbench.vouchers import (
    form_page,
    not_found,
    refused_errors,
    totals_of,
    visible_voucher,
    voucher_page,
)

router = APIRouter()


# -- the form's fields -----------------------------------------------------------------------


def read_lines(form: Any) -> list[dict[str, str]]:
    """The form's lines (``line_memo``, ``account``, ``debit``, ``credit`` repeated), blank
    rows left out (a 摘要 alone does not make a line)."""
    accounts = form.getlist("account")
    debits = form.getlist("debit")
    credits = form.getlist("credit")
    memos = form.getlist("line_memo")
    lines = []
    for index, account in enumerate(accounts):
        debit = debits[index].strip() if index < len(debits) else ""
        credit = credits[index].strip() if index < len(credits) else ""
        memo = memos[index].strip() if index < len(memos) else ""
        account = account.strip()
        if not (account or debit or credit):
            continue
        lines.append(
            {
                "account": account,
                "debit": debit.replace(",", ""),
                "credit": credit.replace(",", ""),
                "memo": memo,
            }
        )
    return lines


def check_balanced(lines: list[dict[str, Any]]) -> None:
    """Before submitting: lines there, and 借方合计 = 贷方合计 > 0 (the books check it again)."""
    if not lines:
        raise FormRefused("凭证还没有分录：请至少填写一借一贷两行", field="lines")
    debit, credit = totals_of(lines)
    if debit != credit or debit <= 0:
        raise FormRefused(
            f"借贷不平衡：借方合计 {debit:,.2f}，贷方合计 {credit:,.2f}，相差 "
            f"{abs(debit - credit):,.2f}；平衡后才能提交（可先存草稿）",
            field="lines",
        )


def _form_values(form: Any) -> dict[str, Any]:
    return {
        "entity": str(form.get("entity") or "").strip(),
        "date": str(form.get("date") or "").strip(),
        "summary": str(form.get("summary") or "").strip(),
        "lines": read_lines(form),
        "action": str(form.get("action") or "draft"),
        "word": str(form.get("word") or "").strip(),  # 凭证字 chosen ("": from the lines)
    }


def _claimed(form: Any, values: dict[str, Any]) -> dict[str, Any]:
    """What the form's Idempotency-Key answers for: every field, lines included."""
    return {
        **{k: v for k, v in values.items() if k != "lines"},
        "lines": json.dumps(values["lines"], ensure_ascii=False),
        IDEMPOTENCY_FIELD: str(form.get(IDEMPOTENCY_FIELD) or ""),
        CSRF_FIELD: str(form.get(CSRF_FIELD) or ""),
    }


def _date(text: str) -> datetime.date:
    try:
        return parse_date(text)
    except DomainError:
        raise FormRefused("日期请写成 2025-03-05 的样子", field="date") from None


def _prepared(action: str, save: DraftVoucher | EditVoucher) -> Command[Any]:
    """The command of the form's button: save, or save and submit."""
    return SaveAndSubmit(save) if action == "submit" else save


def _shown(app: Any) -> Callable[[Any], str]:
    """Where a saved voucher is shown: its page, asking it to say why the books refused it
    (``?check=1``) when it was to be submitted and is still a draft."""

    def done(result: str | Prepared) -> str:
        if isinstance(result, str):
            return f"/vouchers/{result}"
        submitted = result.submitted
        if submitted is None:  # answered again: the voucher says
            submitted = app.vouchers.get_voucher(result.draft).status != "draft"
        return f"/vouchers/{result.draft}" + ("" if submitted else "?check=1")

    return done


# -- a new voucher ---------------------------------------------------------------------------


@router.post("/vouchers/new")
async def create_voucher(request: Request, user: FormUser) -> Response:
    form = await request.form()
    values = _form_values(form)
    engine = books_engine(request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, values["entity"]) if values["entity"] else None
        entities = visible_entities(conn, user)
    app = request.app.state.runtime.app
    try:
        require(user, "voucher.prepare")
        if books is None:
            raise FormRefused("请选择单位（您所在乡镇的村或联合社）", field="entity")
        day = _date(values["date"])
        if values["action"] == "submit":
            check_balanced(values["lines"])
        command = _prepared(
            values["action"],
            DraftVoucher(
                entity=books["code"],
                date=day,
                summary=values["summary"],
                lines=tuple(values["lines"]),
                word=values["word"] or None,
            ),
        )
        return run_form(request, user, _claimed(form, values), command, _shown(app))
    except FormRefused as exc:
        return form_page(
            request,
            user,
            entity=books,
            values=values,
            entities=entities,
            errors=refused_errors(exc),
            status=exc.status,
        )


# -- one voucher's steps ---------------------------------------------------------------------


def _action(
    request: Request,
    user: Principal,
    draft: str,
    form: Any,
    action: str,
    build: Callable[[], Command[Any]],
    *,
    done: Callable[[Any], str] | None = None,
    values: dict[str, Any] | None = None,
    claimed: dict[str, Any] | None = None,
) -> Response:
    """Run the command ``build()`` makes on the voucher ``draft`` from a form, once the voucher
    is found and the person's role allows ``action``; on refusal, the voucher's page again."""
    voucher = visible_voucher(request, user, draft)
    if voucher is None:
        return not_found(request, user, draft)
    shown = f"/vouchers/{voucher['draft']}"
    try:
        require(user, action)
        try:
            command = build()
        except (DomainError, LedgerError, Problem) as exc:
            raise refusal(exc) from exc
        return run_form(
            request,
            user,
            claimed or dict(form),
            command,
            done or (lambda _: shown),
        )
    except FormRefused as exc:
        voucher = visible_voucher(request, user, draft) or voucher
        return voucher_page(
            request, user, voucher, errors=refused_errors(exc), values=values, status=exc.status
        )


@router.post("/vouchers/{draft}")
async def edit_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    values = _form_values(form)
    app = request.app.state.runtime.app

    def build() -> Command[Any]:
        if values["action"] == "submit":
            check_balanced(values["lines"])
        edit = EditVoucher(
            draft=draft,
            date=_date(values["date"]),
            summary=values["summary"],
            lines=tuple(values["lines"]),
            word=values["word"],
        )
        return _prepared(values["action"], edit)

    return _action(
        request,
        user,
        draft,
        form,
        "voucher.prepare",
        build,
        values=values,
        claimed=_claimed(form, values),
        done=_shown(app),
    )


@router.post("/vouchers/{draft}/submit")
async def submit_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    return _action(
        request, user, draft, form, "voucher.prepare", lambda: SubmitVoucher(draft=draft)
    )


@router.post("/vouchers/{draft}/withdraw")
async def withdraw_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    return _action(
        request, user, draft, form, "voucher.prepare", lambda: WithdrawVoucher(draft=draft)
    )


@router.post("/vouchers/{draft}/approve")
async def approve_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    return _action(
        request, user, draft, form, "voucher.review", lambda: ApproveVoucher(draft=draft)
    )


@router.post("/vouchers/{draft}/post")
async def post_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    return _action(request, user, draft, form, "voucher.post", lambda: PostVoucher(draft=draft))


@router.post("/vouchers/{draft}/unreview")
async def unreview_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    return _action(
        request, user, draft, form, "voucher.review", lambda: UnreviewVoucher(draft=draft)
    )


@router.post("/vouchers/{draft}/return")
async def return_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "").strip()

    def build() -> Command[Any]:
        if not reason:
            raise FormRefused("请写明退回的原因", field="reason")
        return ReturnVoucher(draft=draft, reason=reason)

    return _action(request, user, draft, form, "voucher.review", build)


@router.post("/vouchers/{draft}/attachments")
async def attach(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    upload = form.get("file")
    engine = request.app.state.runtime.engine
    data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    name = str(getattr(upload, "filename", "") or "原始凭证")
    media_type = str(getattr(upload, "content_type", "") or "")
    claimed = {
        "file": f"{name}:{len(data)}:{hashlib.sha256(data).hexdigest()}",
        IDEMPOTENCY_FIELD: str(form.get(IDEMPOTENCY_FIELD) or ""),
        CSRF_FIELD: str(form.get(CSRF_FIELD) or ""),
    }

    def build() -> Command[Any]:
        if not data:
            raise FormRefused("请选择要上传的照片或 PDF 文件", field="file")
        checked = attachments.check(data, media_type or None)  # PDF, JPEG or PNG, ≤ 10 MB
        sha256 = attachments.put(engine, data, checked)  # the bytes first, stored once
        return AttachDocument(
            draft=draft, sha256=sha256, name=name, media_type=checked, size=len(data)
        )

    return _action(request, user, draft, form, "voucher.prepare", build, claimed=claimed)


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "vouchers")
