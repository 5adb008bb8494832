"""Alliances and villages in the workbench's 登记簿: the registering forms.

On the 登记簿 page (``/registers``, ``workbench.registers``):

- ``POST /registers/alliances``: form an alliance (联村党组织) in a township the person writes in
  (``alliance.FormAlliance``);
- ``POST /registers/villages``: register a village collective and open its books
  (``books.RegisterVillage``); then its member register and its 科目 are one click away.

The alliance's page (``GET /registers/alliances/{code}``): its member villages (joined, left,
why), partner enterprises, joint entity and agreements, with the forms

- ``POST /registers/alliances/{code}/villages``: a village joins (``alliance.JoinVillage``);
- ``POST /registers/alliances/{code}/villages/{village}/leave``: a member village leaves, dated,
  with the reason (``alliance.LeaveVillage``);
- ``POST /registers/alliances/{code}/enterprises``: a partner enterprise joins
  (``alliance.JoinEnterprise``);
- ``POST /registers/alliances/{code}/joint-entity``: register its joint entity (联合社), which
  opens the joint entity's books (``alliance.RegisterJointEntity``);
- signing an agreement with a partner enterprise (``workbench.register_agreements``).

Each form needs the duty of the API's route that builds the same command (``books.write``:
记账/主管 and administrators; ``DUTIES`` below); others see the pages without the forms. A
person sees and writes only their townships (``workbench.scope``): another township's alliance
is not found (404), a township or village of another township in a form is refused (403), with
nothing written. A refusal shows the page again with the sentence in Chinese beside its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from domain.alliance import MODELS
from domain.alliance.commands import (
    FormAlliance,
    JoinEnterprise,
    JoinVillage,
    LeaveVillage,
    RegisterJointEntity,
)
from domain.books.commands import RegisterVillage
from projections import economy_queries, queries
from projections.tables import agreements
from web.tokens import Principal
from workbench import register_forms as fields
from workbench import scope
from workbench.accounts import sees
from workbench.registers import engine_of, form_of, index_context, missing, today
from workbench.render import FormRefused, may_write_in, page
from workbench.session import FormUser, PageUser

router = APIRouter()


# -- the 登记簿 page's forms ------------------------------------------------------------------


def _index_again(request: Request, user: Principal, form: Mapping[str, Any]) -> Any:
    def again(refused: FormRefused) -> Response:
        return page(
            request,
            user,
            "register_index.html",
            status=refused.status,
            error=refused,
            form=dict(form),
            **index_context(request, user),
        )

    return again


def _township(user: Principal, form: Mapping[str, Any], what: str) -> str:
    township = fields.line(form, "township", "乡镇")
    may_write_in(user, township, what)
    return township


def _model(form: Mapping[str, Any]) -> str:
    model = fields.text(form, "model")
    if model not in MODELS:
        raise FormRefused(f"请选择联建模式：{'、'.join(MODELS)}", field="model")
    return model


@router.post("/registers/alliances")
async def form_alliance(request: Request, user: FormUser) -> Response:
    form = {**(await form_of(request)), "which": "alliance"}

    def build() -> FormAlliance:
        alliance = fields.code(form, "code", "联村党组织代码", "HNHM")
        return FormAlliance(
            code=alliance,
            name=fields.line(form, "name", "名称"),
            township=_township(user, form, f"联村党组织 {alliance}"),
            county=fields.line(form, "county", "县（市、区）"),
            model=_model(form),
            formed_on=fields.day(form, "formed_on", "成立日期"),
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda made: f"/registers/alliances/{made}?saved=1",
        _index_again(request, user, form),
    )


@router.post("/registers/villages")
async def register_village(request: Request, user: FormUser) -> Response:
    form = {**(await form_of(request)), "which": "village"}

    def build() -> RegisterVillage:
        village = fields.code(form, "code", "村代码", "V01")
        flags = [
            f.strip()
            for f in fields.text(form, "flags").replace("，", "、").replace(",", "、").split("、")
            if f.strip()
        ]
        for flag in flags:
            fields.line({"flags": flag}, "flags", "标记")
        return RegisterVillage(
            code=village,
            name=fields.line(form, "name", "村名"),
            township=_township(user, form, f"村 {village}"),
            county=fields.line(form, "county", "县（市、区）"),
            population=fields.count(form, "population", "人口"),
            households=fields.count(form, "households", "户数"),
            flags=tuple(flags),
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda made: f"/registers/villages/{made}?saved=village",
        _index_again(request, user, form),
    )


# -- the alliance's page --------------------------------------------------------------------


def alliance_context(request: Request, user: Principal, alliance: str) -> dict[str, Any] | None:
    """What the alliance's page shows, None when there is no such alliance or ``user`` does
    not see it."""
    with engine_of(request).connect() as conn:
        found = queries.alliance(conn, alliance)
        if found is None or not sees(user, str(found["township"])):
            return None
        entities = queries.list_entities(conn)
        signed = [
            str(c)
            for c in conn.execute(
                select(agreements.c.code)
                .where(agreements.c.alliance_code == alliance)
                .order_by(agreements.c.code)
            ).scalars()
        ]
        deals = [
            status
            for c in signed
            if (status := economy_queries.agreement_status(conn, c, today(request))) is not None
        ]
    names = {e["code"]: e["name"] for e in entities}
    current = {m["village_code"] for m in found["members"] if m["left_on"] is None}
    joinable = [
        e for e in scope.seen(user, entities) if e["kind"] == "village" and e["code"] not in current
    ]
    joint = found.get("joint_entity_code")
    return {
        "a": found,
        "names": names,
        "joinable": joinable,
        "village_options": [(e["code"], f"{e['code']} {e['name']}") for e in joinable],
        "enterprise_options": [
            (e["code"], f"{e['code']} {e['name']}") for e in found["enterprises"]
        ],
        "joint": next((e for e in entities if e["code"] == joint), None) if joint else None,
        "agreements": deals,
        "today": today(request),
    }


def alliance_page(
    request: Request,
    user: Principal,
    alliance: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    """The alliance's page (with a refusal beside its form), or 404."""
    context = alliance_context(request, user, alliance)
    if context is None:
        return missing(request, user, f"联村党组织 {alliance}")
    return page(
        request,
        user,
        "register_alliance.html",
        status=error.status if error else 200,
        error=error,
        form=dict(form or {}),
        **context,
    )


@router.get("/registers/alliances/{code}")
def alliance(request: Request, user: PageUser, code: str) -> Response:
    return alliance_page(request, user, code)


def on_alliance(
    request: Request,
    user: Principal,
    alliance: str,
    form: Mapping[str, Any],
    build: Any,
) -> Response:
    """Run the form's command on the alliance ``alliance`` (seen by ``user``, else 404 before
    anything is read from the form); back to its page."""
    if alliance_context(request, user, alliance) is None:
        return missing(request, user, f"联村党组织 {alliance}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/registers/alliances/{alliance}?saved=1",
        lambda refused: alliance_page(request, user, alliance, form=form, error=refused),
    )


def _seen_village(request: Request, user: Principal, village: str) -> str:
    """``village`` when it is a village ``user`` sees (another township's is not named)."""
    with engine_of(request).connect() as conn:
        found = queries.entity(conn, village)
    if found is None or found["kind"] != "village" or not sees(user, found["township"]):
        raise FormRefused(f"找不到村 {village}，请从列表中选择", field="village")
    return village


@router.post("/registers/alliances/{code}/villages")
async def join_village(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "join"}

    def build() -> JoinVillage:
        village = fields.text(form, "village")
        if not village:
            raise FormRefused("请选择加入的村", field="village")
        return JoinVillage(
            alliance=code,
            village=_seen_village(request, user, village),
            joined_on=fields.day(form, "date", "加入日期"),
        )

    return on_alliance(request, user, code, form, build)


@router.post("/registers/alliances/{code}/villages/{village}/leave")
async def leave_village(request: Request, user: FormUser, code: str, village: str) -> Response:
    form = {**(await form_of(request)), "which": f"leave:{village}"}

    def build() -> LeaveVillage:
        return LeaveVillage(
            alliance=code,
            village=_seen_village(request, user, village),
            left_on=fields.day(form, "date", "退出日期"),
            reason=fields.line(form, "reason", "退出原因"),
        )

    return on_alliance(request, user, code, form, build)


@router.post("/registers/alliances/{code}/enterprises")
async def join_enterprise(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "enterprise"}

    def build() -> JoinEnterprise:
        return JoinEnterprise(
            alliance=code,
            code=fields.code(form, "code", "企业代码", "NLD"),
            name=fields.line(form, "name", "企业名称"),
            joined_on=fields.day(form, "date", "加入日期"),
        )

    return on_alliance(request, user, code, form, build)


@router.post("/registers/alliances/{code}/joint-entity")
async def register_joint_entity(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "joint"}

    def build() -> RegisterJointEntity:
        return RegisterJointEntity(
            alliance=code,
            code=fields.code(form, "code", "联合社代码", "J01"),
            name=fields.line(form, "name", "联合社名称"),
        )

    return on_alliance(request, user, code, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: the
# API's routes that build the same commands need books.write)
READ_MODELS = ("ledger", "economy")
DUTIES = {
    ("POST", "/registers/alliances"): "books.write",
    ("POST", "/registers/villages"): "books.write",
    ("POST", "/registers/alliances/{code}/villages"): "books.write",
    ("POST", "/registers/alliances/{code}/villages/{village}/leave"): "books.write",
    ("POST", "/registers/alliances/{code}/enterprises"): "books.write",
    ("POST", "/registers/alliances/{code}/joint-entity"): "books.write",
}
