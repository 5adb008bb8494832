"""更正: correcting what is in the books, from the workbench.

On a voucher (buttons on its page, ``workbench.vouchers``):

- ``POST /vouchers/{draft}/void`` (reason): 作废 of a draft or returned voucher by its preparer;
  it stays in the list as 已作废 and never posts;
- ``POST /vouchers/{draft}/reverse`` (date, reason; ``action=submit`` submits it at once): 红字冲销
  of a posted voucher, a new red-ink voucher that goes through review like any; an original is
  reversed once;
- ``GET``/``POST /vouchers/{draft}/correct``: a correcting voucher (更正凭证), the voucher form
  prefilled with the original's lines, saved as a new draft citing the original (or saved and
  submitted).

The cross-book corrections (``GET /corrections``), each in one save across the books it
touches, for the 记账/主管 (the API's duty for them, ``books.write``):

- ``POST /corrections/capital-refund``: capital returned to a member village (退还资本);
- ``POST /corrections/land-rent``: a land rent payment reversed in both books, and the right
  rent posted again when given;
- ``POST /corrections/dividend``: a declared or received dividend reversed and the right amount
  posted (0 cancels it).

Each builds the command the API's routes build (``domain.vouchers.commands``,
``domain.pooling.commands``, ``domain.agreement.commands``) and runs it through
``workbench.render.run_form``; a refusal renders the page again with the Chinese message next to
its field.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from domain.agreement.commands import CorrectDividend
from domain.commands import Command
from domain.errors import DomainError
from domain.periods import parse_date
from domain.pooling.commands import CorrectLandRent, RefundCapital
from domain.programmes import PROGRAMMES
from domain.vouchers.commands import (
    DraftCorrection,
    DraftReversal,
    Prepared,
    SaveAndSubmit,
    VoidVoucher,
)
from ledger.errors import LedgerError
from ledger.voucher_numbers import number_cited, search_key
from projections.tables import agreements
from web.problems import Problem
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import CSRF_FIELD, IDEMPOTENCY_FIELD, FormRefused, page, refusal, run_form
from workbench.session import FormUser, PageUser, require
from workbench.voucher_numbers import number_of_form
from workbench.voucher_steps import check_balanced, read_lines
from workbench.vouchers import (
    TEMPLATES,
    _chart_names,
    _form_lines,
    not_found,
    refused_errors,
    totals_of,
    visible_voucher,
    voucher_page,
)

router = APIRouter()


def _date(text: str, field: str = "date") -> datetime.date:
    try:
        return parse_date(text)
    except DomainError:
        raise FormRefused("日期请写成 2025-03-05 的样子", field=field) from None


def _done(app: Any) -> Callable[[str | Prepared], str]:
    """The new voucher's page (``?check=1`` when it was to be submitted and is still a draft)."""

    def done(result: str | Prepared) -> str:
        if isinstance(result, str):
            return f"/vouchers/{result}"
        submitted = result.submitted
        if submitted is None:
            submitted = app.vouchers.get_voucher(result.draft).status != "draft"
        return f"/vouchers/{result.draft}" + ("" if submitted else "?check=1")

    return done


def _on_voucher(
    request: Request,
    user: Principal,
    draft: str,
    form: Any,
    build: Callable[[dict[str, Any]], Command[Any]],
    *,
    values: dict[str, Any] | None = None,
) -> Response:
    """Run ``build(voucher)``'s command on the voucher ``draft`` (voucher.prepare); a refusal
    renders the voucher's page again with the message."""
    voucher = visible_voucher(request, user, draft)
    if voucher is None:
        return not_found(request, user, draft)
    try:
        require(user, "voucher.prepare")
        try:
            command = build(voucher)
        except (DomainError, LedgerError, Problem) as exc:
            raise refusal(exc) from exc
        return run_form(request, user, dict(form), command, _done(request.app.state.runtime.app))
    except FormRefused as exc:
        voucher = visible_voucher(request, user, draft) or voucher
        errors = {**refused_errors(exc), "_form": exc.message}
        return voucher_page(request, user, voucher, errors=errors, values=values, status=exc.status)


# -- on a voucher ----------------------------------------------------------------------------


@router.post("/vouchers/{draft}/void")
async def void_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "").strip()

    def build(voucher: dict[str, Any]) -> Command[Any]:
        if not reason:
            raise FormRefused("请写明作废的原因", field="reason")
        return VoidVoucher(draft=voucher["draft"], reason=reason)

    return _on_voucher(request, user, draft, form, build)


@router.post("/vouchers/{draft}/reverse")
async def reverse_voucher(draft: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    day = str(form.get("date") or "").strip()

    def build(voucher: dict[str, Any]) -> Command[Any]:
        if not reason:
            raise FormRefused("请写明冲销的原因：原凭证错在哪里", field="reason")
        command = DraftReversal(original=voucher["draft"], date=_date(day), reason=reason)
        return SaveAndSubmit(command) if form.get("action") == "submit" else command

    return _on_voucher(request, user, draft, form, build, values={"reverse_date": day})


def _correction_page(
    request: Request,
    user: Principal,
    original: dict[str, Any],
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    names = _chart_names(request, original["entity"])
    lines = _form_lines(values.get("lines") or [], names)
    debit, credit = totals_of(lines)
    with books_engine(request).connect() as conn:
        entity = entity_or_none(conn, user, original["entity"])
    app = request.app.state.runtime.app
    day = str(values.get("date") or "")
    number = number_of_form(app, original["entity"], day, lines, values.get("word"))
    return page(
        request,
        user,
        "voucher_correct.html",
        original=original,
        entity=entity,
        values=values,
        lines=lines,
        number=number,
        debit=debit,
        credit=credit,
        errors=errors or {},
        templates=list(TEMPLATES),
        status=status,
    )


@router.get("/vouchers/{draft}/correct")
def correction_form(draft: str, request: Request, user: PageUser) -> Response:
    original = visible_voucher(request, user, draft)
    if original is None:
        return not_found(request, user, draft)
    cited = number_cited(original.get("posted_number") or "")
    values = {
        "date": request.app.state.runtime.app.today().isoformat(),
        "summary": f"更正 {cited}：{original['summary']}",
        "lines": original.get("lines") or [],
    }
    errors: dict[str, str] = {}
    status = 200
    if original.get("status") != "posted" or (original.get("cites") or {}).get("kind"):
        errors["_form"] = "只有已记账的凭证（红字凭证除外）才能作为更正凭证的底稿"
    elif not user.may("voucher.prepare"):
        errors["_form"] = "您的角色不能录入凭证（制单、记账/主管、管理员可以）"
        status = 403
    return _correction_page(request, user, original, values, errors=errors, status=status)


@router.post("/vouchers/{draft}/correct")
async def create_correction(draft: str, request: Request, user: FormUser) -> Response:
    original = visible_voucher(request, user, draft)
    if original is None:
        return not_found(request, user, draft)
    form = await request.form()
    values = {
        "date": str(form.get("date") or "").strip(),
        "summary": str(form.get("summary") or "").strip(),
        "lines": read_lines(form),
        "action": str(form.get("action") or "draft"),
        "word": str(form.get("word") or "").strip(),
    }
    claimed = {
        **{k: v for k, v in values.items() if k != "lines"},
        "lines": json.dumps(values["lines"], ensure_ascii=False),
        IDEMPOTENCY_FIELD: str(form.get(IDEMPOTENCY_FIELD) or ""),
        CSRF_FIELD: str(form.get(CSRF_FIELD) or ""),
    }
    try:
        require(user, "voucher.prepare")
        if values["action"] == "submit":
            check_balanced(values["lines"])
        command = DraftCorrection(
            entity=original["entity"],
            date=_date(values["date"]),
            summary=values["summary"],
            lines=tuple(values["lines"]),
            original=original["draft"],
            word=values["word"] or None,
        )
        save = SaveAndSubmit(command) if values["action"] == "submit" else command
        return run_form(request, user, claimed, save, _done(request.app.state.runtime.app))
    except FormRefused as exc:
        return _correction_page(
            request, user, original, values, errors=refused_errors(exc), status=exc.status
        )


# -- cross-book corrections ------------------------------------------------------------------


def _choices(request: Request, user: Principal) -> dict[str, Any]:
    with books_engine(request).connect() as conn:
        shown = visible_entities(conn, user)
        joints = [e for e in shown if e["kind"] == "joint"]
        codes = {e["code"] for e in joints}
        deals = [
            dict(r)
            for r in conn.execute(
                select(agreements.c.code, agreements.c.joint_entity_code).order_by(
                    agreements.c.code
                )
            ).mappings()
            if r["joint_entity_code"] in codes
        ]
    return {
        "joints": joints,
        "villages": [e for e in shown if e["kind"] == "village"],
        "agreements": deals,
        "programmes": PROGRAMMES,
    }


def _corrections_page(
    request: Request,
    user: Principal,
    *,
    which: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    today = request.app.state.runtime.app.today()
    return page(
        request,
        user,
        "corrections.html",
        which=which,
        values={"date": today.isoformat(), "year": str(today.year), **(values or {})},
        errors=errors or {},
        status=status,
        **_choices(request, user),
    )


@router.get("/corrections")
def corrections(request: Request, user: PageUser) -> Response:
    errors = {}
    if not user.may("books.write"):
        errors["_form"] = "跨账更正由记账/主管办理；您可以查看，但不能提交"
    return _corrections_page(request, user, errors=errors)


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _amount(text: str, field: str, *, required: bool = True) -> str | None:
    text = text.replace(",", "").replace("，", "").replace("¥", "")
    if not text:
        if required:
            raise FormRefused("请填写金额", field=field)
        return None
    try:
        Decimal(text)
    except InvalidOperation:
        raise FormRefused(f"金额 {text[:20]} 不对，请写成如 1200.00 的金额", field=field) from None
    return text


def _decimal(text: str, field: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FormRefused(f"{what} {text[:20]} 不是数字", field=field) from None
    if not value.is_finite():
        raise FormRefused(f"{what} {text[:20]} 不是数字", field=field)
    return value


def _year(text: str, field: str = "year") -> int:
    if not text.isdigit() or len(text) != 4:
        raise FormRefused("年度请写成四位数，如 2025", field=field)
    return int(text)


def _reason(form: Any) -> str:
    reason = _text(form, "reason")
    if not reason:
        raise FormRefused("请写明更正的原因", field="reason")
    return reason


def _capital_refund(form: Any) -> Command[Any]:
    programme = _text(form, "programme") or None
    return RefundCapital(
        joint=_text(form, "joint"),
        village=_text(form, "village"),
        date=_date(_text(form, "date")),
        reason=_reason(form),
        programme=programme,
        amount=_amount(_text(form, "amount"), "amount", required=False),
    )


def _land_rent(form: Any) -> Command[Any]:
    mu, rate, year = _text(form, "mu"), _text(form, "rate_per_mu"), _text(form, "year")
    again = bool(mu or rate)
    if again and not (mu and rate):
        raise FormRefused("重记正确的流转费要同时填写亩数和每亩租金（只冲销则都不填）", field="mu")
    return CorrectLandRent(
        joint=_text(form, "joint"),
        entry=search_key(_text(form, "entry")),  # also as read: 2026年7月 转字第3号
        date=_date(_text(form, "date")),
        reason=_reason(form),
        mu=_decimal(mu, "mu", "亩数") if again else None,
        rate_per_mu=_amount(rate, "rate_per_mu") if again else None,
        year=_year(year) if again else None,
    )


def _dividend(form: Any) -> Command[Any]:
    return CorrectDividend(
        agreement=_text(form, "agreement"),
        entry=search_key(_text(form, "entry")),  # also as read: 2026年7月 转字第3号
        year=_year(_text(form, "year")),
        amount=_amount(_text(form, "amount"), "amount") or "0",
        date=_date(_text(form, "date")),
        reason=_reason(form),
    )


BUILDERS: dict[str, Callable[[Any], Command[Any]]] = {
    "capital-refund": _capital_refund,
    "land-rent": _land_rent,
    "dividend": _dividend,
}


def _journal(request: Request, which: str, form: Any) -> str:
    """Where a correction is shown: the journal of the joint entity's books (a dividend's: of
    its agreement's joint entity)."""
    joint = _text(form, "joint")
    if which == "dividend":
        with books_engine(request).connect() as conn:
            joint = (
                conn.execute(
                    select(agreements.c.joint_entity_code).where(
                        agreements.c.code == _text(form, "agreement")
                    )
                ).scalar()
                or ""
            )
    return f"/ledgers/{joint}/journal" if joint else "/corrections"


def _correct(which: str) -> Callable[[Request, Principal], Any]:
    """The route of the cross-book correction ``which`` (a key of :data:`BUILDERS`)."""

    async def correct(request: Request, user: FormUser) -> Response:
        form = await request.form()
        values = {k: str(v) for k, v in form.items() if k not in (CSRF_FIELD, IDEMPOTENCY_FIELD)}
        try:
            require(user, "books.write")
            try:
                command = BUILDERS[which](form)
            except (DomainError, LedgerError, Problem) as exc:
                raise refusal(exc) from exc
            shown = _journal(request, which, form)
            return run_form(request, user, dict(form), command, lambda _: shown)
        except FormRefused as exc:
            return _corrections_page(
                request,
                user,
                which=which,
                values=values,
                errors={exc.field or "_form": exc.message, "_form": exc.message},
                status=exc.status,
            )

    return correct


for _which in BUILDERS:
    router.post(f"/corrections/{_which}")(_correct(_which))


# What this page family's paths read (web.views): a voucher's corrections read the vouchers, the
# cross-book ones the registers (joint entities, agreements)
READ_MODELS = ("ledger", "vouchers")
READ_MODELS_OF_PATHS = {
    "/corrections": ("ledger", "economy"),
    **{f"/corrections/{which}": ("ledger", "economy") for which in BUILDERS},
}
