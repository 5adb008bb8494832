"""Enterprise agreements (村企合作) in the workbench's 登记簿.

- ``POST /registers/alliances/{code}/agreements``: sign an agreement between the alliance and
  one of its partner enterprises (``agreement.SignAgreement``; the form is on the alliance's
  page, ``workbench.register_alliances``);
- ``GET /registers/agreements/{code}``: the terms and, by year, what is guaranteed, declared,
  due, received and in arrears, with the forms of the steps that post in the joint entity's
  books:
- ``POST /registers/agreements/{code}/dividends``: the enterprise declares a year's dividend
  (借 112 应收款, 贷 502 投资收益; ``agreement.DeclareDividend``);
- ``POST /registers/agreements/{code}/dividend-receipts``: a declared dividend is received
  (借 102 银行存款, 贷 112 应收款; ``agreement.ReceiveDividend``);
- ``POST /registers/agreements/{code}/guarantee-shortfalls``: a year's 保底 shortfall booked as
  a receivable (``agreement.BookGuaranteeShortfall``).

A wrong declaration or receipt is corrected on the 跨账更正 page (``/corrections#dividend``,
``workbench.corrections``), which the agreement's page links to. The forms need ``books.write``
(记账/主管), as the API's routes do; another township's agreement is not found (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.agreement import GUARANTEE_KINDS
from domain.agreement.commands import (
    BookGuaranteeShortfall,
    DeclareDividend,
    ReceiveDividend,
    SignAgreement,
)
from domain.bounds import MAX_PERCENT
from projections import economy_queries
from web.tokens import Principal
from workbench import register_forms as fields
from workbench import scope
from workbench.register_alliances import on_alliance
from workbench.registers import engine_of, form_of, missing, today
from workbench.render import FormRefused, page
from workbench.session import FormUser, PageUser

router = APIRouter()

# -- signing, on the alliance's page ----------------------------------------------------------


def _guarantee(form: Mapping[str, Any]) -> tuple[str, Decimal]:
    kind = fields.text(form, "guarantee_kind")
    if kind not in GUARANTEE_KINDS:
        raise FormRefused("请选择保底方式：固定金额或投资额的百分比", field="guarantee_kind")
    if kind == "amount":
        return kind, Decimal(fields.amount(form, "guarantee_value", "保底金额", zero=True))
    return kind, fields.decimal(form, "guarantee_value", "保底百分比", most=MAX_PERCENT)


def _payment_due(form: Mapping[str, Any]) -> str:
    value = fields.text(form, "payment_due")
    month, _, day = value.partition("-")
    if not (
        len(month) == 2
        and len(day) == 2
        and month.isdigit()
        and day.isdigit()
        and 1 <= int(month) <= 12
        and 1 <= int(day) <= 31
    ):
        raise FormRefused("每年付款日请写成 月-日，如 12-31", field="payment_due")
    return value


@router.post("/registers/alliances/{code}/agreements")
async def sign(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "agreement"}

    def build() -> SignAgreement:
        kind, value = _guarantee(form)
        enterprise = fields.text(form, "enterprise")
        if not enterprise:
            raise FormRefused("请选择合作企业", field="enterprise")
        return SignAgreement(
            code=fields.code(form, "code", "协议编号", "NLD-2025"),
            alliance=code,
            enterprise=enterprise,
            signed_on=fields.day(form, "signed_on", "签订日期"),
            start_year=fields.year(form, "start_year", "起始年度"),
            years=fields.count(form, "years", "合作年限", least=1, most=50),
            invested_capital=fields.amount(form, "invested_capital", "企业投资额", zero=True),
            guarantee_kind=kind,
            guarantee_value=value,
            profit_share_percent=fields.decimal(
                form, "profit_share_percent", "利润分成比例", most=MAX_PERCENT, default="0"
            ),
            payment_due=_payment_due(form),
        )

    return on_alliance(request, user, code, form, build)


# -- the agreement's page and its steps ---------------------------------------------------------


def agreement_page(
    request: Request,
    user: Principal,
    agreement: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    """The agreement's page (with a refusal beside its form), or 404 for an agreement that
    does not exist or that ``user`` does not see."""
    with engine_of(request).connect() as conn:
        status = (
            economy_queries.agreement_status(conn, agreement, today(request))
            if scope.sees_agreement(conn, user, agreement)
            else None
        )
    if status is None:
        return missing(request, user, f"协议 {agreement}")
    return page(
        request,
        user,
        "register_agreement.html",
        status=error.status if error else 200,
        a=status,
        error=error,
        form=dict(form or {}),
        today=today(request),
    )


@router.get("/registers/agreements/{code}")
def agreement(request: Request, user: PageUser, code: str) -> Response:
    return agreement_page(request, user, code)


def _on_agreement(
    request: Request, user: Principal, agreement: str, form: Mapping[str, Any], build: Any
) -> Response:
    with engine_of(request).connect() as conn:
        seen = scope.sees_agreement(conn, user, agreement)
    if not seen:  # before anything is read from the form
        return missing(request, user, f"协议 {agreement}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/registers/agreements/{agreement}?saved=1",
        lambda refused: agreement_page(request, user, agreement, form=form, error=refused),
    )


@router.post("/registers/agreements/{code}/dividends")
async def declare(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "declare"}

    def build() -> DeclareDividend:
        return DeclareDividend(
            agreement=code,
            year=fields.year(form, "year", "分红年度"),
            amount=fields.amount(form, "amount", "宣告的分红"),
            date=fields.day(form, "date", "宣告日期"),
        )

    return _on_agreement(request, user, code, form, build)


@router.post("/registers/agreements/{code}/dividend-receipts")
async def receive(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "receive"}

    def build() -> ReceiveDividend:
        return ReceiveDividend(
            agreement=code,
            year=fields.year(form, "year", "分红年度"),
            amount=fields.amount(form, "amount", "收到的金额"),
            date=fields.day(form, "date", "到账日期"),
        )

    return _on_agreement(request, user, code, form, build)


@router.post("/registers/agreements/{code}/guarantee-shortfalls")
async def book_shortfall(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "shortfall"}

    def build() -> BookGuaranteeShortfall:
        return BookGuaranteeShortfall(
            agreement=code,
            year=fields.year(form, "year", "保底年度"),
            date=fields.day(form, "date", "记账日期"),
        )

    return _on_agreement(request, user, code, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's agreement routes, books.write)
READ_MODELS = ("ledger", "economy")
DUTIES = {
    ("POST", "/registers/alliances/{code}/agreements"): "books.write",
    ("POST", "/registers/agreements/{code}/dividends"): "books.write",
    ("POST", "/registers/agreements/{code}/dividend-receipts"): "books.write",
    ("POST", "/registers/agreements/{code}/guarantee-shortfalls"): "books.write",
}
