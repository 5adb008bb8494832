"""三资 · 资产: asset cards (资产卡片) in the workbench.

- ``GET /assets``: the cards of the person's books (one book's with ``?entity=``), by book: 原值,
  累计折旧, 净值, status, owners; the 建卡 form (``POST /assets``: bought, donated, contributed,
  or already in the books);
- ``GET /assets/{entity}/{number}``: one card: its terms, owners and shares, depreciation by
  month with each owner's part, its leases with rent due, received and overdue, its disposal;
  the forms ``POST …/disposal`` (清理 through 154), ``…/leases`` (出租),
  ``…/leases/{lease}/rent`` (租金到账), ``…/leases/{lease}/end`` (提前终止);
- ``GET /assets/{entity}/{number}/label``: the printable label: name, number, owners and the QR
  code of its public page (``documents.asset_identity``: a code no one can guess).

Forms build the commands of ``domain.assets.commands`` the API builds, run through
``workbench.render.run_form``; a refusal is shown on its form in Chinese, nothing written. A card
of another township is not found (404). An auditor sees no form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.asset_identity import label_code, public_path
from domain.assets.commands import DisposeAsset, EndLease, LeaseAsset, ReceiveRent, RegisterAsset
from domain.assets.service import CardTerms
from domain.assets.vocabulary import ACQUISITIONS, CATEGORIES, DISPOSALS, USES
from ledger.depreciation import METHODS
from projections import assets_queries
from rendering.render import qr_svg
from web.tokens import Principal
from workbench import register_forms as fields
from workbench.accounts import entity_or_none, visible_entities
from workbench.projects import OWNER_ROWS, missing, owners_of
from workbench.registers import engine_of, form_of, today
from workbench.render import FormRefused, page
from workbench.session import FormUser, PageUser

router = APIRouter()


def choices() -> dict[str, Any]:
    return {
        "categories": [(k, c.zh) for k, c in CATEGORIES.items()],
        "uses": [(k, v[1]) for k, v in USES.items()],
        "methods": list(METHODS.items()),
        "acquisitions": [(k, v[1]) for k, v in ACQUISITIONS.items() if k != "built"],
        "disposals": list(DISPOSALS.items()),
        "owner_rows": OWNER_ROWS,
    }


# -- the list and 建卡 ------------------------------------------------------------------------


def list_page(
    request: Request,
    user: Principal,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    entity = request.query_params.get("entity") or None
    with engine_of(request).connect() as conn:
        books = visible_entities(conn, user)
        codes = {b["code"] for b in books}
        shown = entity if entity in codes else None
        cards = [c for c in assets_queries.asset_list(conn, entity=shown) if c["entity"] in codes]
    by_book = [
        {"book": b, "cards": [c for c in cards if c["entity"] == b["code"]]}
        for b in books
        if any(c["entity"] == b["code"] for c in cards)
    ]
    return page(
        request,
        user,
        "asset_index.html",
        status=error.status if error else 200,
        by_book=by_book,
        books=books,
        book_options=[(b["code"], f"{b['code']} {b['name']}") for b in books],
        entity=shown,
        form=dict(form or {}),
        error=error,
        today=today(request),
        **choices(),
    )


@router.get("/assets")
def assets(request: Request, user: PageUser) -> Response:
    return list_page(request, user)


def _terms(form: Mapping[str, Any]) -> CardTerms:
    method = fields.text(form, "method") or "straight_line"
    return CardTerms(
        number=fields.code(form, "number", "资产编号", "GZ-001"),
        name=fields.line(form, "name", "资产名称"),
        life_months=fields.count(form, "life_months", "使用年限（月）", least=1, most=1200),
        residual_rate=fields.text(form, "residual_rate") or "0.05",
        category=fields.text(form, "category") or "fixed",
        method=method,
        total_units=fields.text(form, "total_units") or None,
        use=fields.text(form, "use") or "productive",
        location=fields.line(form, "location", "位置", required=False),
        user=fields.line(form, "user", "使用人", required=False),
        original=fields.amount(form, "original", "原值"),
    )


@router.post("/assets")
async def register(request: Request, user: FormUser) -> Response:
    form = {**(await form_of(request)), "which": "register"}
    entity = fields.text(form, "entity")
    with engine_of(request).connect() as conn:
        seen = entity_or_none(conn, user, entity) is not None

    def build() -> RegisterAsset:
        if not seen:
            raise FormRefused("请选择资产所在的账套（村或联合社）", field="entity")
        booked = fields.text(form, "booked") == "1"
        return RegisterAsset(
            entity=entity,
            terms=_terms(form),
            acquisition=fields.text(form, "acquisition"),
            acquired_on=fields.day(form, "acquired_on", "取得日期"),
            owners=owners_of(form),
            booked=booked,
            accumulated=fields.amount(form, "accumulated", "已提折旧", zero=True)
            if booked and fields.text(form, "accumulated")
            else "0",
            months_done=fields.count(form, "months_done", "已提月数", most=1200)
            if booked and fields.text(form, "months_done")
            else 0,
            start_month=fields.text(form, "start_month") or None if booked else None,
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda number: f"/assets/{entity}/{number}?saved=1",
        lambda refused: list_page(request, user, form=form, error=refused),
    )


# -- one card ---------------------------------------------------------------------------------


def card_page(
    request: Request,
    user: Principal,
    entity: str,
    number: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    with engine_of(request).connect() as conn:
        book = entity_or_none(conn, user, entity)
        card = (
            assets_queries.asset_detail(conn, entity, number, today=today(request))
            if book is not None
            else None
        )
        names = {b["code"]: b["name"] for b in visible_entities(conn, user)}
    if card is None or book is None:
        return missing(request, user, f"资产 {number}")
    return page(
        request,
        user,
        "asset_show.html",
        status=error.status if error else 200,
        a=card,
        book=book,
        names=names,
        form=dict(form or {}),
        error=error,
        today=today(request),
        **choices(),
    )


@router.get("/assets/{entity}/{number}")
def card(request: Request, user: PageUser, entity: str, number: str) -> Response:
    return card_page(request, user, entity, number)


@router.get("/assets/{entity}/{number}/label")
def label(request: Request, user: PageUser, entity: str, number: str) -> Response:
    """The label to print and glue on the asset: its QR code opens the public page."""
    with engine_of(request).connect() as conn:
        book = entity_or_none(conn, user, entity)
        found = (
            assets_queries.asset_detail(conn, entity, number, today=today(request))
            if book is not None
            else None
        )
    if found is None or book is None:
        return missing(request, user, f"资产 {number}")
    index = request.app.state.runtime.vault.index
    url = str(request.base_url).rstrip("/") + public_path(index, entity, number)
    return page(
        request,
        user,
        "asset_label.html",
        a=found,
        book=book,
        url=url,
        code=label_code(index, entity, number),
        qr=qr_svg(url),
    )


def on_card(
    request: Request,
    user: Principal,
    entity: str,
    number: str,
    form: Mapping[str, Any],
    build: Callable[[], Any],
) -> Response:
    with engine_of(request).connect() as conn:
        seen = entity_or_none(conn, user, entity) is not None
    if not seen:  # before anything is read from the form
        return missing(request, user, f"资产 {number}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/assets/{entity}/{number}?saved=1",
        lambda refused: card_page(request, user, entity, number, form=form, error=refused),
    )


@router.post("/assets/{entity}/{number}/disposal")
async def dispose(request: Request, user: FormUser, entity: str, number: str) -> Response:
    form = {**(await form_of(request)), "which": "dispose"}

    def build() -> DisposeAsset:
        kind = fields.text(form, "kind")
        if kind not in DISPOSALS:
            raise FormRefused("请选择清理方式：出售、报废或毁损盘亏", field="kind")
        return DisposeAsset(
            entity=entity,
            number=number,
            date=fields.day(form, "date", "清理日期"),
            kind=kind,
            proceeds=fields.amount(form, "proceeds", "变价收入", zero=True)
            if fields.text(form, "proceeds")
            else "0",
            costs=fields.amount(form, "costs", "清理费用", zero=True)
            if fields.text(form, "costs")
            else "0",
            reason=fields.line(form, "reason", "清理原因", required=False),
        )

    return on_card(request, user, entity, number, form, build)


@router.post("/assets/{entity}/{number}/leases")
async def lease(request: Request, user: FormUser, entity: str, number: str) -> Response:
    form = {**(await form_of(request)), "which": "lease"}

    def build() -> LeaseAsset:
        every = fields.text(form, "every_months") or "1"
        if every not in ("1", "3", "6", "12"):
            raise FormRefused("收租周期请选每 1、3、6 或 12 个月", field="every_months")
        return LeaseAsset(
            entity=entity,
            number=number,
            lease=fields.code(form, "lease", "租约编号", "ZL-001"),
            lessee=fields.line(form, "lessee", "承租方"),
            rent=fields.amount(form, "rent", "每期租金"),
            start=fields.day(form, "start", "起租日期"),
            end=fields.day(form, "end", "到期日期"),
            every_months=int(every),
            due_day=fields.count(form, "due_day", "每期交租日", least=1, most=31)
            if fields.text(form, "due_day")
            else None,
            contract=fields.text(form, "contract") or None,
        )

    return on_card(request, user, entity, number, form, build)


@router.post("/assets/{entity}/{number}/leases/{lease}/rent")
async def receive_rent(
    request: Request, user: FormUser, entity: str, number: str, lease: str
) -> Response:
    form = {**(await form_of(request)), "which": f"rent-{lease}"}

    def build() -> ReceiveRent:
        return ReceiveRent(
            entity=entity,
            number=number,
            lease=lease,
            period=fields.text(form, "period"),
            date=fields.day(form, "date", "到账日期"),
            amount=fields.amount(form, "amount", "到账金额")
            if fields.text(form, "amount")
            else None,
        )

    return on_card(request, user, entity, number, form, build)


@router.post("/assets/{entity}/{number}/leases/{lease}/end")
async def end_lease(
    request: Request, user: FormUser, entity: str, number: str, lease: str
) -> Response:
    form = {**(await form_of(request)), "which": f"end-{lease}"}

    def build() -> EndLease:
        return EndLease(
            entity=entity,
            number=number,
            lease=lease,
            date=fields.day(form, "date", "终止日期（租约最后一天）"),
            reason=fields.line(form, "reason", "终止原因"),
        )

    return on_card(request, user, entity, number, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's asset routes, books.write)
READ_MODELS = ("ledger", "assets")
DUTIES = {
    ("POST", "/assets"): "books.write",
    ("POST", "/assets/{entity}/{number}/disposal"): "books.write",
    ("POST", "/assets/{entity}/{number}/leases"): "books.write",
    ("POST", "/assets/{entity}/{number}/leases/{lease}/rent"): "books.write",
    ("POST", "/assets/{entity}/{number}/leases/{lease}/end"): "books.write",
}
