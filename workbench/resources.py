"""资源 (the 资源登记簿 of the books a person sees) in the workbench: the list, a resource's page,
its printable label with the QR code of its public page, and the forms that keep the register.

- ``GET /resources?entity=&idle=``: the resources of the person's books (one book's, only the
  idle ones), each with the contracts in force on it; with a book chosen, the form to register
  a resource in it;
- ``POST /resources/{entity}``: register a resource (``resources.RegisterResource``);
- ``GET /resources/{entity}/{code}``: the resource: what it is, its 权属 documents, its
  contracts (and the link to register one on it), the land shares linked to it, its history;
  the forms to change it, link a land share and retire it;
- ``GET /resources/{entity}/{code}/label``: a label to print and fix on the spot: the QR code of
  its public page (``/public/resources/{label}``, no login), its name, code and area;
- ``POST /resources/{entity}/{code}/change|land-shares|retirement``.

Every page is scoped by township (another township's book or resource is not found, 404); the
forms need ``books.write`` (记账/主管), as the API's routes do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.registers_resources import resource_card, resource_register
from domain.bounds import MAX_MU
from domain.resources import KINDS, SIDES, UNITS, USES
from domain.resources.commands import (
    ChangeResource,
    LinkLandShare,
    RegisterResource,
    RetireResource,
)
from rendering.render import qr_svg
from web.tokens import Principal
from workbench import register_forms as fields
from workbench import scope
from workbench.registers import engine_of, entities, form_of, missing, today
from workbench.render import FormRefused, page
from workbench.session import FormUser, PageUser

router = APIRouter()

CERTIFICATE_ROWS = 3  # 权属 documents a form takes at once


def _chosen(request: Request, user: Principal, entity: str) -> dict[str, Any] | None:
    """The book ``entity`` when ``user`` sees it."""
    if not entity:
        return None
    return next((e for e in entities(engine_of(request), user) if e["code"] == entity), None)


def index_page(
    request: Request,
    user: Principal,
    *,
    entity: str = "",
    idle: bool = False,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    books = entities(engine_of(request), user)
    chosen = next((e for e in books if e["code"] == entity), None)
    codes = [chosen["code"]] if chosen else [e["code"] for e in books]
    with engine_of(request).connect() as conn:
        rows = resource_register(conn, codes, today(request)) if codes else []
    if idle:
        rows = [r for r in rows if r["idle"]]
    return page(
        request,
        user,
        "resource_index.html",
        status=error.status if error else 200,
        books=books,
        chosen=chosen,
        names={e["code"]: e["name"] for e in books},
        resources=rows,
        idle=idle,
        kinds=list(KINDS.items()),
        units=list(UNITS.items()),
        uses=list(USES.items()),
        sides=list(SIDES.items()),
        rows=range(1, CERTIFICATE_ROWS + 1),
        today=today(request),
        error=error,
        form=dict(form or {}),
    )


@router.get("/resources")
def index(request: Request, user: PageUser, entity: str = "", idle: str = "") -> Response:
    return index_page(request, user, entity=entity, idle=bool(idle))


def resource_page(
    request: Request,
    user: Principal,
    entity: str,
    code: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    """The resource's page (with a refusal beside its form), or 404 for one that does not
    exist or that ``user`` does not see."""
    with engine_of(request).connect() as conn:
        card = (
            resource_card(conn, entity, code, today(request))
            if scope.sees_entity(conn, user, entity)
            else None
        )
    if card is None:
        return missing(request, user, f"资源 {code}")
    book = _chosen(request, user, entity) or {"code": entity, "name": entity}
    return page(
        request,
        user,
        "resource_show.html",
        status=error.status if error else 200,
        r=card,
        book=book,
        kinds=list(KINDS.items()),
        units=list(UNITS.items()),
        uses=list(USES.items()),
        sides=list(SIDES.items()),
        rows=range(1, CERTIFICATE_ROWS + 1),
        public_url=f"{_origin(request)}/public/resources/{card['label']}",
        today=today(request),
        error=error,
        form=dict(form or {}),
    )


def _origin(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/resources/{entity}/{code}")
def show(request: Request, user: PageUser, entity: str, code: str) -> Response:
    return resource_page(request, user, entity, code)


@router.get("/resources/{entity}/{code}/label")
def label(request: Request, user: PageUser, entity: str, code: str) -> Response:
    with engine_of(request).connect() as conn:
        card = (
            resource_card(conn, entity, code, today(request))
            if scope.sees_entity(conn, user, entity)
            else None
        )
    if card is None:
        return missing(request, user, f"资源 {code}")
    url = f"{_origin(request)}/public/resources/{card['label']}"
    book = _chosen(request, user, entity) or {"code": entity, "name": entity}
    return page(request, user, "resource_label.html", r=card, book=book, url=url, qr=qr_svg(url))


# -- the forms -------------------------------------------------------------------------------


def description(form: Mapping[str, Any]) -> dict[str, Any]:
    """What a resource form says the resource is (the fields of its commands)."""
    kind = fields.text(form, "kind")
    if kind not in KINDS:
        raise FormRefused("请选择资源类别", field="kind")
    unit = fields.text(form, "unit") or "mu"
    if unit not in UNITS:
        raise FormRefused("请选择面积单位", field="unit")
    use = fields.text(form, "use") or "contracting"
    if use not in USES:
        raise FormRefused("请选择用途", field="use")
    certificates = []
    for row in range(1, CERTIFICATE_ROWS + 1):
        number = fields.line(form, f"cert_number_{row}", "证号", required=False)
        if not number:
            continue
        issued = fields.text(form, f"cert_issued_on_{row}")
        certificates.append(
            (
                ("name", fields.line(form, f"cert_name_{row}", "证书名称", required=False)),
                ("number", number),
                ("issuer", fields.line(form, f"cert_issuer_{row}", "发证机关", required=False)),
                (
                    "issued_on",
                    fields.day(form, f"cert_issued_on_{row}", "发证日期").isoformat()
                    if issued
                    else "",
                ),
            )
        )
    return {
        "name": fields.line(form, "name", "资源名称"),
        "kind": kind,
        "area": str(fields.decimal(form, "area", "面积", most=MAX_MU * 1000, positive=True)),
        "unit": unit,
        "location": fields.line(form, "location", "坐落位置", required=False),
        "boundaries": tuple(
            (side, value)
            for side, words in SIDES.items()
            if (value := fields.line(form, side, words, required=False))
        ),
        "certificates": tuple(certificates),
        "use": use,
    }


@router.post("/resources/{entity}")
async def register(request: Request, user: FormUser, entity: str) -> Response:
    if _chosen(request, user, entity) is None:  # before anything is read from the form
        return missing(request, user, f"单位 {entity}")
    form = {**(await form_of(request)), "which": "register"}

    def build() -> RegisterResource:
        return RegisterResource(
            entity=entity,
            code=fields.code(form, "code", "资源编号", "ZY-001"),
            date=fields.day(form, "date", "登记日期"),
            **description(form),
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda code: f"/resources/{entity}/{code}?saved=1",
        lambda refused: index_page(request, user, entity=entity, form=form, error=refused),
    )


def _on_resource(
    request: Request, user: Principal, entity: str, code: str, form: Mapping[str, Any], build: Any
) -> Response:
    with engine_of(request).connect() as conn:
        seen = scope.sees_entity(conn, user, entity)
    if not seen:  # before anything is read from the form
        return missing(request, user, f"资源 {code}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/resources/{entity}/{code}?saved=1",
        lambda refused: resource_page(request, user, entity, code, form=form, error=refused),
    )


@router.post("/resources/{entity}/{code}/change")
async def change(request: Request, user: FormUser, entity: str, code: str) -> Response:
    form = {**(await form_of(request)), "which": "change"}

    def build() -> ChangeResource:
        return ChangeResource(
            entity=entity,
            code=code,
            reason=fields.line(form, "reason", "变更原因"),
            date=fields.day(form, "date", "变更日期"),
            **description(form),
        )

    return _on_resource(request, user, entity, code, form, build)


@router.post("/resources/{entity}/{code}/land-shares")
async def link_land_share(request: Request, user: FormUser, entity: str, code: str) -> Response:
    form = {**(await form_of(request)), "which": "land"}

    def build() -> LinkLandShare:
        return LinkLandShare(
            entity=entity,
            code=code,
            joint=fields.code(form, "joint", "联合社代码", "J01"),
            date=fields.day(form, "share_date", "入股日期"),
            mu=str(fields.decimal(form, "mu", "入股亩数", most=MAX_MU, positive=True)),
        )

    return _on_resource(request, user, entity, code, form, build)


@router.post("/resources/{entity}/{code}/retirement")
async def retire(request: Request, user: FormUser, entity: str, code: str) -> Response:
    form = {**(await form_of(request)), "which": "retire"}

    def build() -> RetireResource:
        return RetireResource(
            entity=entity,
            code=code,
            reason=fields.line(form, "reason", "注销原因"),
            date=fields.day(form, "date", "注销日期"),
        )

    return _on_resource(request, user, entity, code, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's resource routes, books.write)
READ_MODELS = ("ledger", "resources")
DUTIES = {
    ("POST", "/resources/{entity}"): "books.write",
    ("POST", "/resources/{entity}/{code}/change"): "books.write",
    ("POST", "/resources/{entity}/{code}/land-shares"): "books.write",
    ("POST", "/resources/{entity}/{code}/retirement"): "books.write",
}
