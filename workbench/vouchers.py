"""凭证: the voucher workflow's pages (制单 → 提交 → 审核 → 记账, or 退回 with a reason).

- ``GET /vouchers?status=&entity=``: the vouchers of the person's townships, by status;
- ``GET /vouchers/new?entity=&template=``: voucher entry (templates 收款, 付款, 土地流转费,
  分红到账);
- ``GET /vouchers/{draft}``: the voucher with its attachments beside it, history, and the
  buttons the person may use: edit and submit (its preparer, while draft or returned), withdraw
  (its preparer, while submitted), approve and return (a reviewer who is not its preparer; the
  approval posts where the township chose 审核即记账), 记账 (a person with the 记账 duty who is
  not its reviewer, once reviewed), 取消审核 (its reviewer, before it is posted), and
  the corrections' forms (``workbench.corrections``): 作废 of a draft or returned voucher (its
  preparer), 红字冲销 and 更正凭证 of a posted one;
- ``GET /vouchers/{draft}/attachments/{sha256}``: a source document's bytes;
- ``GET /vouchers/{draft}/print`` and ``GET /entries/{entity}/{number}/print``: the printed
  voucher (``rendering.voucher_print``), with ``.pdf`` beside them.

The forms' writes (``POST /vouchers/new``, ``/vouchers/{draft}`` and its steps) are
``workbench.voucher_steps``; a refusal there renders these pages again with the Chinese message
next to the field.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from adapters import attachments
from documents.budget_warnings import warnings_of_voucher
from domain.errors import DomainError
from domain.vouchers import person_of
from ledger.errors import LedgerError
from projections.voucher_view import (
    VoucherSearch,
    voucher_detail,
    voucher_for_entry,
    voucher_list,
)
from rendering import voucher_print
from web import security
from web.tokens import Principal
from workbench.accounts import (
    SEES_EVERYTHING,
    books_engine,
    entity_or_none,
    open_accounts,
    visible_entities,
)
from workbench.render import FormRefused, page, refusal
from workbench.session import PageUser
from workbench.voucher_numbers import number_of_form, number_of_voucher

router = APIRouter()

STATUS_LABELS = {
    "draft": "草稿",
    "submitted": "待审核",
    "returned": "已退回",
    "reviewed": "已审核",
    "posted": "已记账",
    "voided": "已作废",
}
TEMPLATES: dict[str, dict[str, Any]] = {
    "收款": {"summary": "收到", "lines": [("102", "debit"), ("", "credit")]},
    "付款": {"summary": "支付", "lines": [("", "debit"), ("102", "credit")]},
    "土地流转费": {"summary": "收到土地流转费", "lines": [("102", "debit"), ("501", "credit")]},
    "分红到账": {"summary": "收到分红款", "lines": [("102", "debit"), ("502", "credit")]},
}
MIN_LINES = 4


# -- reading ---------------------------------------------------------------------------------


def _townships(user: Principal) -> Any:
    return None if user.role in SEES_EVERYTHING else sorted(user.townships)


def _visible(user: Principal, voucher: dict[str, Any] | None, engine: Any) -> bool:
    if voucher is None:
        return False
    with engine.connect() as conn:
        return entity_or_none(conn, user, voucher["entity"]) is not None


def visible_voucher(request: Request, user: Principal, draft: str) -> dict[str, Any] | None:
    engine = books_engine(request)
    try:
        found = voucher_detail(engine, draft)
    except (DomainError, ValueError):
        return None
    return found if found is not None and _visible(user, found, engine) else None


def not_found(request: Request, user: Principal, draft: str) -> Response:
    return page(
        request,
        user,
        "voucher_list.html",
        vouchers=[],
        status_filter="",
        entity="",
        entities=[],
        labels=STATUS_LABELS,
        error=f"没有凭证 {draft[:40]}，或您无权查看",
        status=404,
    )


SEARCH_FIELDS = ("q", "amount", "number", "account", "date_from", "date_to")


def read_search(values: dict[str, str]) -> tuple[VoucherSearch, list[str]]:
    """The search a clerk typed (摘要, 金额, 凭证号, 科目, 日期起止), and what could not be read,
    in Chinese (that field is then left out of the search)."""
    problems: list[str] = []
    fen: int | None = None
    amount = values.get("amount", "").strip()
    if amount:
        found = _money(amount)
        if found is None or found <= 0 or found != found.quantize(Decimal("0.01")):
            problems.append(f"金额“{amount[:20]}”无法识别：请写 350.50 这样的金额")
        else:
            fen = int(found * 100)
    days: dict[str, datetime.date | None] = {}
    for key, label in (("date_from", "起始日期"), ("date_to", "截止日期")):
        text = values.get(key, "").strip()
        days[key] = None
        if text:
            try:
                days[key] = datetime.date.fromisoformat(text)
            except ValueError:
                problems.append(f"{label}“{text[:20]}”无法识别：请写 2025-03-05 这样的日期")
    search = VoucherSearch(
        text=values.get("q", "").strip()[:100],
        amount_fen=fen,
        number=values.get("number", "").strip()[:20],
        account=values.get("account", "").strip()[:40],
        date_from=days["date_from"],
        date_to=days["date_to"],
    )
    return search, problems


@router.get("/vouchers")
def voucher_index(
    request: Request,
    user: PageUser,
    status: str = "",
    entity: str = "",
    q: str = "",
    amount: str = "",
    number: str = "",
    account: str = "",
    date_from: str = "",
    date_to: str = "",
) -> Response:
    engine = books_engine(request)
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
    typed = {
        "q": q,
        "amount": amount,
        "number": number,
        "account": account,
        "date_from": date_from,
        "date_to": date_to,
    }
    search, problems = read_search(typed)
    found = voucher_list(
        engine,
        townships=_townships(user),
        status=status if status in STATUS_LABELS else None,
        entity=entity or None,
        search=search,
    )
    kept = {key: value for key, value in typed.items() if value}
    return page(
        request,
        user,
        "voucher_list.html",
        vouchers=found,
        status_filter=status,
        entity=entity,
        entities=entities,
        labels=STATUS_LABELS,
        error="；".join(problems) or None,
        search=typed,
        searching=not search.empty,
        search_query=urlencode(kept),
    )


# -- the entry form and its lines ------------------------------------------------------------


def _money(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "").replace("，", "").replace("¥", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def totals_of(lines: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    debit = sum((_money(str(line.get("debit") or "")) or Decimal(0) for line in lines), Decimal(0))
    credit = sum(
        (_money(str(line.get("credit") or "")) or Decimal(0) for line in lines), Decimal(0)
    )
    return debit, credit


def _plain(value: Any) -> str:
    """An amount of the read model (Money, Decimal or text) as ``1234.50``; '' for zero."""
    if value is None:
        return ""
    amount = getattr(value, "amount", value)
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        return str(value)
    return "" if number == 0 else f"{number:.2f}"


def _form_lines(lines: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, str]]:
    rows = [
        {
            "account": str(line.get("account") or ""),
            "debit": _plain(line.get("debit")),
            "credit": _plain(line.get("credit")),
            "name": str(line.get("account_name") or names.get(str(line.get("account") or ""), "")),
            "memo": str(line.get("memo") or ""),  # the line's 摘要 ("": the voucher's)
        }
        for line in lines
    ]
    while len(rows) < MIN_LINES:
        rows.append({"account": "", "debit": "", "credit": "", "name": "", "memo": ""})
    return rows


def _chart_names(request: Request, entity: str) -> dict[str, str]:
    if not entity:
        return {}
    with books_engine(request).connect() as conn:
        return {a["code"]: a["name"] for a in open_accounts(conn, entity)}


def form_page(
    request: Request,
    user: Principal,
    *,
    entity: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    voucher: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Response:
    names = _chart_names(request, entity["code"]) if entity else {}
    lines = _form_lines(values.get("lines") or [], names)
    debit, credit = totals_of(lines)
    number = number_of_form(
        request.app.state.runtime.app,
        entity["code"] if entity else None,
        str(values.get("date") or ""),
        lines,
        values.get("word"),
    )
    return page(
        request,
        user,
        "voucher_form.html",
        entity=entity,
        values=values,
        lines=lines,
        number=number,
        errors=errors or {},
        debit=debit,
        credit=credit,
        voucher=voucher,
        templates=list(TEMPLATES),
        entities=entities or [],
        status=status,
    )


SHOWN = ("entity", "date", "summary", "lines", "reason", "file", "word")
_LINE_FIELD = re.compile(
    r"^(?:lines|postings|balances)\[(\d+)\](?:\.(account|debit|credit|amount|side))?$"
)


def refused_errors(exc: FormRefused) -> dict[str, str]:
    """The refusal next to its field: a line's cell (``lines[1].debit``; a posting's
    ``postings[1].amount`` is the same line), a field of the form, else above the form."""
    field = exc.field or ""
    found = _LINE_FIELD.match(field)
    if found:
        cell = found.group(2) or "account"
        cell = {"amount": "debit", "side": "debit"}.get(cell, cell)
        return {
            f"lines[{found.group(1)}].{cell}": exc.message,
            "_form": "请修改标出的格子：" + exc.message,
        }
    if field in SHOWN:
        return {field: exc.message}
    return {"_form": exc.message}


@router.get("/vouchers/new")
def new_voucher(request: Request, user: PageUser, entity: str = "", template: str = "") -> Response:
    engine = books_engine(request)
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
        if not entity and len(entities) == 1:
            entity = entities[0]["code"]
        books = entity_or_none(conn, user, entity) if entity else None
    chosen = TEMPLATES.get(template)
    values: dict[str, Any] = {
        "date": request.app.state.runtime.app.today().isoformat(),
        "summary": chosen["summary"] if chosen else "",
        "lines": [{"account": account, "debit": "", "credit": ""} for account, _ in chosen["lines"]]
        if chosen
        else [],
        "template": template if chosen else "",
    }
    if not user.may("voucher.prepare"):
        return form_page(
            request,
            user,
            entity=books,
            values=values,
            entities=entities,
            errors={"_form": "您的角色不能录入凭证（制单、记账/主管、管理员可以）"},
            status=403,
        )
    return form_page(request, user, entity=books, values=values, entities=entities)


# -- one voucher -----------------------------------------------------------------------------


def _attachment_rows(draft: str, voucher: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for a in voucher.get("attachments") or []:
        media = a.get("media_type", "")
        rows.append(
            {
                **a,
                "url": f"/vouchers/{draft}/attachments/{a['sha256']}",
                "image": media.startswith("image/"),
            }
        )
    return rows


def voucher_page(
    request: Request,
    user: Principal,
    voucher: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    check: bool = False,
) -> Response:
    draft = voucher["draft"]
    is_preparer = bool(user.person) and voucher.get("preparer") == user.person
    reviewer = voucher.get("reviewer")
    is_reviewer = bool(user.person) and bool(reviewer) and person_of(reviewer) == user.person
    state = voucher.get("status")
    app = request.app.state.runtime.app
    review_posts = app.township.choices(voucher["township"]).review_posts
    may_prepare = user.may("voucher.prepare") and is_preparer
    may_submit = may_prepare and state in ("draft", "returned")
    red_ink = (voucher.get("cites") or {}).get("kind") == "reversal"  # not edited (作废 instead)
    editable = may_submit and not red_ink
    errors = dict(errors or {})
    if check and may_submit and not errors:
        try:
            app.vouchers.check_voucher(app.vouchers.get_voucher(draft))
        except (DomainError, LedgerError) as exc:
            refused = refusal(exc)
            errors.update(
                refused_errors(FormRefused("未能提交：" + refused.message, field=refused.field))
            )
            errors.setdefault("_form", "未能提交：" + refused.message)
    engine = books_engine(request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, voucher["entity"])
        over_plan = warnings_of_voucher(conn, voucher)  # 财务计划: a warning, not a refusal
    names = _chart_names(request, voucher["entity"])
    # what the person typed comes back only into a form they may still edit
    shown = (values if editable else None) or {
        "date": str(voucher.get("date") or ""),
        "summary": voucher.get("summary") or "",
        "lines": voucher.get("lines") or [],
    }
    lines = _form_lines(shown.get("lines") or [], names)
    debit, credit = totals_of(lines)
    app = request.app.state.runtime.app
    number = (
        number_of_form(app, voucher["entity"], shown["date"], lines, shown.get("word"))
        if values and editable
        else number_of_voucher(app, voucher)
    )
    return page(
        request,
        user,
        "voucher_detail.html",
        voucher=voucher,
        draft=draft,
        entity=books,
        labels=STATUS_LABELS,
        is_preparer=is_preparer,
        editable=editable,
        may_submit=may_submit,
        may_withdraw=may_prepare and state == "submitted",
        may_review=user.may("voucher.review") and not is_preparer and state == "submitted",
        may_return=user.may("voucher.review")
        and not is_preparer
        and state in ("submitted", "reviewed"),
        may_post=user.may("voucher.post") and state == "reviewed" and not is_reviewer,
        may_unreview=user.may("voucher.review") and state == "reviewed" and is_reviewer,
        is_reviewer=is_reviewer,
        review_posts=review_posts,
        may_attach=may_prepare and state not in ("posted", "voided"),
        # the corrections' forms (workbench.corrections): 作废, 红字冲销, 更正凭证
        may_void=may_submit,
        may_correct=user.may("voucher.prepare") and state == "posted" and not red_ink,
        red_ink=red_ink,
        today=app.today().isoformat(),
        attachments=_attachment_rows(draft, voucher),
        values=shown,
        lines=lines,
        number=number,
        debit=debit,
        credit=credit,
        errors=errors,
        status=status,
        templates=list(TEMPLATES),
        entities=[],
        over_plan=over_plan,
    )


@router.get("/vouchers/{draft}")
def show_voucher(draft: str, request: Request, user: PageUser, check: int = 0) -> Response:
    voucher = visible_voucher(request, user, draft)
    if voucher is None:
        return not_found(request, user, draft)
    return voucher_page(request, user, voucher, check=bool(check))


@router.get("/vouchers/{draft}/attachments/{sha256}")
def attachment(draft: str, sha256: str, request: Request, user: PageUser) -> Response:
    voucher = visible_voucher(request, user, draft)
    listed = [a for a in (voucher or {}).get("attachments") or [] if a.get("sha256") == sha256]
    if voucher is None or not listed:
        return not_found(request, user, draft)
    found = attachments.get(request.app.state.runtime.engine, sha256)
    if found is None:
        return not_found(request, user, draft)
    data, media_type = found.data, found.media_type
    name = quote(str(listed[0].get("name") or sha256))
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{name}",
            "Cache-Control": "private, max-age=86400",
            **security.ATTACHMENT_HEADERS,  # sandboxed, as the API's /v1/attachments
        },
    )


# -- printing --------------------------------------------------------------------------------


def _print_page(request: Request, printable: dict[str, Any], pdf_url: str, back: str) -> Response:
    html = voucher_print.voucher_html(printable)
    bar = Markup(
        "<style>.print-bar{font:14px sans-serif;margin:.5rem 1rem}"
        "@media print{.print-bar{display:none}}</style>"
        '<nav class="print-bar">'
        f'<a href="{back}">‹ 返回</a> · <a href="{pdf_url}">下载 PDF</a> · '
        '<button type="button" data-print>打印</button></nav>'
        '<script src="/static/voucher.js" defer></script>'
    )
    if "<body" in html:
        head, _, rest = html.partition("<body")
        tag, _, body = rest.partition(">")
        html = f"{head}<body{tag}>{bar}{body}"
    else:
        html = bar + html
    return HTMLResponse(html)


def _signers(request: Request) -> voucher_print.Signers:
    """Who signs a voucher of an entity besides the workflow's people (会计主管, 出纳)."""
    signers: voucher_print.Signers = request.app.state.runtime.app.township.signers_of
    return signers


def _printable_draft(request: Request, user: Principal, draft: str) -> dict[str, Any] | None:
    if visible_voucher(request, user, draft) is None:
        return None
    try:
        return voucher_print.printable_from_draft(books_engine(request), draft, _signers(request))
    except (DomainError, LookupError, ValueError):
        return None


def _printable_entry(request: Request, user: Principal, entity: str, number: str) -> Any:
    engine = books_engine(request)
    with engine.connect() as conn:
        if entity_or_none(conn, user, entity) is None:
            return None
    try:
        return voucher_print.printable_from_entry(engine, entity, number, _signers(request))
    except (DomainError, LookupError, ValueError):
        return None


@router.get("/vouchers/{draft}/print")
def print_draft(draft: str, request: Request, user: PageUser) -> Response:
    printable = _printable_draft(request, user, draft)
    if printable is None:
        return not_found(request, user, draft)
    return _print_page(request, printable, f"/vouchers/{draft}/print.pdf", f"/vouchers/{draft}")


@router.get("/vouchers/{draft}/print.pdf")
def print_draft_pdf(draft: str, request: Request, user: PageUser) -> Response:
    printable = _printable_draft(request, user, draft)
    if printable is None:
        return not_found(request, user, draft)
    return _pdf(voucher_print.voucher_pdf(printable), f"凭证-{draft}.pdf")


@router.get("/entries/{entity}/{number}/print")
def print_entry(entity: str, number: str, request: Request, user: PageUser) -> Response:
    printable = _printable_entry(request, user, entity, number)
    if printable is None:
        return not_found(request, user, f"{entity} {number}")
    found = voucher_for_entry(books_engine(request), entity, number)
    back = f"/vouchers/{found['draft']}" if found else f"/ledgers/{entity}"
    return _print_page(request, printable, f"/entries/{entity}/{number}/print.pdf", back)


@router.get("/entries/{entity}/{number}/print.pdf")
def print_entry_pdf(entity: str, number: str, request: Request, user: PageUser) -> Response:
    printable = _printable_entry(request, user, entity, number)
    if printable is None:
        return not_found(request, user, f"{entity} {number}")
    return _pdf(voucher_print.voucher_pdf(printable), f"凭证-{entity}-{number}.pdf")


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}"},
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "vouchers")
READ_MODELS_OF_PATHS = {"/entries/{entity}/{number}/print": ("ledger", "economy")}
