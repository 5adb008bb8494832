"""登记簿 (``/registers``): the list of alliances, villages, joint entities and agreements (due /
received / arrears per year), and each village's member register (households and members; ID
numbers masked as the API masks them), with the forms that keep the register: open it, register
a household or a member, adjust a member's shares (dated, with a reason).

The other register pages and forms are in their capability's module: ``register_alliances``
(forming an alliance, registering a village and its books, the alliance page: villages joining
and leaving, enterprises, the joint entity), ``register_pooling`` (the joint entity's equity:
capital and land contributions), ``register_agreements`` (signing an agreement, dividends
declared and received, 保底 shortfalls), ``register_members`` (a member leaving, a former
member's personal data forgotten).

Reads are the API's read-model queries (``projections.queries``, ``projections.economy_queries``);
writes build the register's commands (``domain.members.commands``, as the API's routes do) and
run them through ``workbench.render.run_form``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from domain.alliance import MODELS
from domain.errors import DomainError
from domain.members.commands import (
    AdjustShares,
    OpenRegister,
    RegisterCommand,
    RegisterHousehold,
    RegisterMember,
    shares_of,
)
from domain.privacy import id_number_problem
from ledger.errors import LedgerError
from projections import economy_queries, queries
from web.deps import read_models
from web.tokens import Principal
from workbench import scope
from workbench.render import FormRefused, page, refusal, run_form
from workbench.render import may_write_in as may_write_in  # the pages of this helper use it
from workbench.session import FormUser, PageUser, require

router = APIRouter()


# -- helpers shared by the pages of this helper (distribution, disclosure, imports) --------------


def engine_of(request: Request) -> Engine:
    """The read models, brought up to date as for an API read."""
    return read_models(request, request.app.state.runtime)


def app_of(request: Request) -> Any:
    return request.app.state.runtime.app


async def form_of(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items()}


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def day(form: Mapping[str, Any], name: str, what: str) -> datetime.date:
    value = text(form, name)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise FormRefused(f"请填写{what}（如 2025-01-05）", field=name) from None


def whole(form: Mapping[str, Any], name: str, what: str, *, required: bool = True) -> int | None:
    value = text(form, name)
    if not value and not required:
        return None
    if not value.isdigit():
        raise FormRefused(f"{what}要填大于等于0的整数", field=name)
    return int(value)


def units(form: Mapping[str, Any], name: str, what: str) -> Decimal:
    value = text(form, name) or "0"
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise FormRefused(f"{what}要填数字", field=name) from None
    if not number.is_finite() or number < 0:
        raise FormRefused(f"{what}要大于等于0", field=name)
    return number


def villages(engine: Engine, user: Principal) -> list[dict[str, Any]]:
    """The villages ``user`` sees (``workbench.scope``)."""
    return [e for e in entities(engine, user) if e["kind"] == "village"]


def entities(engine: Engine, user: Principal) -> list[dict[str, Any]]:
    """The villages and joint entities ``user`` sees (``workbench.scope``)."""
    with engine.connect() as conn:
        return scope.seen(user, queries.list_entities(conn))


def missing(request: Request, user: Principal, what: str) -> Response:
    """404 for a register that does not exist or that ``user`` does not see (the same answer:
    another township's person does not learn that it exists)."""
    return page(request, user, "register_missing.html", status=404, what=what)


def today(request: Request) -> datetime.date:
    return app_of(request).today()


def refused_page(
    request: Request,
    user: Principal,
    template: str,
    refused: FormRefused,
    form: Mapping[str, Any],
    context: Callable[[], dict[str, Any]],
) -> Response:
    return page(
        request, user, template, status=refused.status, error=refused, form=dict(form), **context()
    )


# -- pages --------------------------------------------------------------------------------------


def index_context(request: Request, user: Principal) -> dict[str, Any]:
    """What the 登记簿 page lists (what ``user`` sees) and what its forms offer: the townships
    the person writes in (an administrator: every township known, or a new one), the county of
    each, the alliance models."""
    engine = engine_of(request)
    with engine.connect() as conn:
        alliances = [
            queries.alliance(conn, a["code"]) or a
            for a in scope.seen(user, queries.list_alliances(conn))
        ]
        agreements = []
        for code in economy_queries.list_agreements(conn):
            if not scope.sees_agreement(conn, user, code):
                continue
            status = economy_queries.agreement_status(conn, code, today(request))
            if status is None:
                continue
            totals = {
                k: sum(Decimal(y[k]) for y in status["by_year"])
                for k in ("due", "received", "in_arrears")
            }
            agreements.append({**status, "totals": totals})
        every_entity = queries.list_entities(conn)
        all_entities = scope.seen(user, every_entity)
        every_alliance = queries.list_alliances(conn)
    counties: dict[str, str] = {}
    for row in (*every_alliance, *every_entity):
        counties.setdefault(str(row["township"]), str(row["county"]))
    if user.writes_everywhere:
        townships = sorted(counties)
    else:
        townships = sorted(t for t in user.townships if user.may_write_in(t))
    return {
        "alliances": alliances,
        "villages": [e for e in all_entities if e["kind"] == "village"],
        "joints": [e for e in all_entities if e["kind"] == "joint"],
        "agreements": agreements,
        "townships": townships,
        "counties": {t: counties.get(t, "") for t in townships},
        "free_township": user.writes_everywhere,
        "models": MODELS,
        "today": today(request),
    }


@router.get("/registers")
def index(request: Request, user: PageUser) -> Response:
    return page(
        request, user, "register_index.html", form={}, error=None, **index_context(request, user)
    )


def as_of_day(request: Request, value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else today(request)
    except ValueError:
        return today(request)


PAGE_HOUSEHOLDS = 100  # households a page shows (a big village's register is paged)


def _village_context(
    request: Request, village: str, as_of: str = "", q: str = "", number: int = 1
) -> dict[str, Any]:
    engine = engine_of(request)
    on = as_of_day(request, as_of)
    with engine.connect() as conn:
        entity = queries.entity(conn, village)
        register = economy_queries.member_register(conn, village, on)
    households = (register or {}).get("households", [])
    members = sum(len(h["members"]) for h in households)
    q = q.strip()
    if q:  # 户号, 户主, 成员编号 or 姓名
        households = [
            h
            for h in households
            if q in h["number"]
            or q in h["head"]
            or any(q in m["number"] or q in m["name"] for m in h["members"])
        ]
    pages = max(1, -(-len(households) // PAGE_HOUSEHOLDS))
    number = min(max(1, number), pages)
    shown = households[(number - 1) * PAGE_HOUSEHOLDS : number * PAGE_HOUSEHOLDS]
    return {
        "entity": entity,
        "register": register,
        "households": shown,
        "found": len(households),
        "q": q,
        "page_number": number,
        "pages": pages,
        "as_of": on,
        "village": village,
        "member_count": members,
        "today": today(request),
    }


@router.get("/registers/villages/{village}")
def village_page(
    request: Request,
    user: PageUser,
    village: str,
    as_of: str = "",
    q: str = "",
    page_: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    if not sees_village(request, user, village):
        return missing(request, user, f"村 {village}")
    context = _village_context(request, village, as_of, q, page_)
    return page(request, user, "register_village.html", form={}, error=None, **context)


def sees_village(request: Request, user: Principal, village: str) -> bool:
    with engine_of(request).connect() as conn:
        found = queries.entity(conn, village)
        return (
            found is not None and found["kind"] == "village" and scope.sees(user, found["township"])
        )


def village_write(
    request: Request,
    user: Principal,
    village: str,
    form: Mapping[str, Any],
    command: Callable[[], RegisterCommand],
    *,
    q: str = "",
) -> Response:
    """Run the register's ``command`` (built from the form: refused when it does not parse); a
    refusal shows the register again (found by ``q``: the member the form was about)."""
    if not sees_village(request, user, village):  # before anything is run or shown
        return missing(request, user, f"村 {village}")
    try:
        require(user, "register.edit")
        try:
            built = command()
        except (DomainError, LedgerError) as exc:
            raise refusal(exc) from exc
        return run_form(
            request, user, form, built, lambda _: f"/registers/villages/{village}?saved=1"
        )
    except FormRefused as refused:
        return refused_page(
            request,
            user,
            "register_village.html",
            refused,
            form,
            lambda: _village_context(request, village, q=q),
        )


@router.post("/registers/villages/{village}/open")
async def open_register(request: Request, user: FormUser, village: str) -> Response:
    form = await form_of(request)

    def command() -> RegisterCommand:
        kinds = [
            k
            for k in text(form, "share_kinds").replace("，", ",").replace("、", ",").split(",")
            if k.strip()
        ]
        if not kinds:
            raise FormRefused(
                "请填写股份种类，用逗号或顿号分开（如 人口股、劳龄股）", field="share_kinds"
            )
        return OpenRegister(village=village, share_kinds=tuple(kinds))

    return village_write(request, user, village, form, command)


@router.post("/registers/villages/{village}/households")
async def register_household(request: Request, user: FormUser, village: str) -> Response:
    form = await form_of(request)

    def command() -> RegisterCommand:
        number, head = text(form, "number"), text(form, "head")
        if not number:
            raise FormRefused("请填写户号（如 H001）", field="number")
        if not head:
            raise FormRefused("请填写户主姓名", field="head")
        return RegisterHousehold(
            village=village,
            number=number,
            head=head,
            registered_on=day(form, "registered_on", "登记日期"),
        )

    return village_write(request, user, village, form, command)


def _shares(form: Mapping[str, Any], kinds: list[str]) -> tuple[tuple[str, Decimal], ...]:
    found = {}
    for kind in kinds:
        value = units(form, f"share:{kind}", kind)
        if value:
            found[kind] = value
    return shares_of(found)


def _kinds(request: Request, village: str) -> list[str]:
    return list(app_of(request).members.get_register(village).share_kinds)


@router.post("/registers/villages/{village}/members")
async def register_member(request: Request, user: FormUser, village: str) -> Response:
    form = await form_of(request)

    def command() -> RegisterCommand:
        for name, what in (
            ("number", "成员编号"),
            ("household", "户号"),
            ("name", "姓名"),
            ("id_number", "身份证号"),
        ):
            if not text(form, name):
                raise FormRefused(f"请填写{what}", field=name)
        if id_number_problem(text(form, "id_number").upper()) is not None:
            raise FormRefused(
                "身份证号应是18位（17位数字加一位数字或X），且校验位正确", field="id_number"
            )
        return RegisterMember(
            village=village,
            number=text(form, "number"),
            household=text(form, "household"),
            name=text(form, "name"),
            id_number=text(form, "id_number").upper(),
            joined_on=day(form, "joined_on", "入社日期"),
            shares=_shares(form, _kinds(request, village)),
        )

    return village_write(request, user, village, form, command)


@router.post("/registers/villages/{village}/members/{member}/shares")
async def adjust_shares(request: Request, user: FormUser, village: str, member: str) -> Response:
    form = await form_of(request)

    def command() -> RegisterCommand:
        if not text(form, "reason"):
            raise FormRefused("请填写调整原因", field="reason")
        return AdjustShares(
            village=village,
            member=member,
            shares=_shares(form, _kinds(request, village)),
            effective=day(form, "effective", "生效日期"),
            reason=text(form, "reason"),
        )

    return village_write(request, user, village, {**form, "member": member}, command)


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
