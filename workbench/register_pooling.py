"""The joint entity's equity register (股权登记) in the workbench, and the forms that add to it.

- ``GET /registers/joint/{code}?as_of=``: each member village's capital by fund programme and
  share of the total, its land shares in force (each with the village's resource it is, when
  the village linked it: ``workbench.resources``), the grants received (``projections.
  economy_queries.equity_register``, the read model of ``GET /v1/joint-entities/{code}/equity``);
- ``POST /registers/joint/{code}/capital``: a member village pays capital in (资金入股): 借 141
  长期投资 / 贷 102 in the village's books, 借 102 / 贷 301 资本 in the joint entity's, and the
  register, in one save (``pooling.ContributeCapital``);
- ``POST /registers/joint/{code}/land``: a member village contributes land as shares (土地入股):
  亩数, 等级系数, 每亩作价 and 期限, recorded in the register (``pooling.ContributeLand``).

Capital returned to a village (退还资本) is on the 跨账更正 page (``workbench.corrections``),
which this page links to. The forms need ``books.write`` (记账/主管), as the API's routes do;
the village must be a member of the joint entity's alliance on the date, and the person must
write in both townships (the runner refuses another's, 403), with nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.bounds import MAX_GRADE, MAX_MU
from domain.pooling.commands import ContributeCapital, ContributeLand
from domain.programmes import PROGRAMMES
from projections import economy_queries, queries, resources_queries
from web.tokens import Principal
from workbench import register_forms as fields
from workbench import scope
from workbench.registers import as_of_day, engine_of, form_of, missing, today
from workbench.render import FormRefused, page
from workbench.session import FormUser, PageUser

router = APIRouter()


def joint_page(
    request: Request,
    user: Principal,
    joint: str,
    *,
    as_of: str = "",
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    """The joint entity's equity page (with a refusal beside its form), or 404 for one that
    does not exist or that ``user`` does not see."""
    on = as_of_day(request, as_of)
    with engine_of(request).connect() as conn:
        entity = queries.entity(conn, joint)
        if entity is None or entity["kind"] != "joint" or not scope.sees_entity(conn, user, joint):
            return missing(request, user, f"联合社 {joint}")
        equity = economy_queries.equity_register(conn, joint, on)
        # the resources its land shares are, where a village linked them
        linked = {
            (village, day, Decimal(mu)): code
            for (village, day, mu), code in resources_queries.land_share_resources(
                conn, joint
            ).items()
        }
        # the member villages of the person's own joint entity, whatever their township
        names = {e["code"]: e["name"] for e in queries.list_entities(conn)}
        alliance = (
            queries.alliance(conn, entity["alliance_code"]) if entity["alliance_code"] else None
        )
    members = [
        m["village_code"] for m in (alliance or {}).get("members", []) if m["left_on"] is None
    ]
    return page(
        request,
        user,
        "register_joint.html",
        status=error.status if error else 200,
        entity=entity,
        equity=equity,
        names=names,
        resource_of=lambda village, land: linked.get(
            (village, land["date"], Decimal(str(land["mu"])))
        ),
        as_of=on,
        village_options=[(v, f"{v} {names.get(v, '')}") for v in dict.fromkeys(members)],
        programme_options=list(PROGRAMMES.items()),
        today=today(request),
        error=error,
        form=dict(form or {}),
    )


@router.get("/registers/joint/{code}")
def joint(request: Request, user: PageUser, code: str, as_of: str = "") -> Response:
    return joint_page(request, user, code, as_of=as_of)


def _on_joint(
    request: Request, user: Principal, joint: str, form: Mapping[str, Any], build: Any
) -> Response:
    with engine_of(request).connect() as conn:
        entity = queries.entity(conn, joint)
        seen = entity is not None and entity["kind"] == "joint"
        seen = seen and scope.sees_entity(conn, user, joint)
    if not seen:  # before anything is read from the form
        return missing(request, user, f"联合社 {joint}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/registers/joint/{joint}?saved=1",
        lambda refused: joint_page(request, user, joint, form=form, error=refused),
    )


def _village(request: Request, user: Principal, form: Mapping[str, Any]) -> str:
    """The member village chosen: one ``user`` sees (another township's is not named)."""
    village = fields.text(form, "village")
    if not village:
        raise FormRefused("请选择成员村", field="village")
    with engine_of(request).connect() as conn:
        if not scope.sees_entity(conn, user, village):
            raise FormRefused(f"找不到村 {village}，请从列表中选择", field="village")
    return village


@router.post("/registers/joint/{code}/capital")
async def contribute_capital(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "capital"}

    def build() -> ContributeCapital:
        village = _village(request, user, form)
        programme = fields.text(form, "programme")
        if programme not in PROGRAMMES:
            raise FormRefused("请选择资金类别", field="programme")
        return ContributeCapital(
            joint=code,
            village=village,
            programme=programme,
            amount=fields.amount(form, "amount", "入股金额"),
            date=fields.day(form, "date", "入股日期"),
        )

    return _on_joint(request, user, code, form, build)


@router.post("/registers/joint/{code}/land")
async def contribute_land(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "land"}

    def build() -> ContributeLand:
        return ContributeLand(
            joint=code,
            village=_village(request, user, form),
            mu=fields.decimal(form, "mu", "亩数", most=MAX_MU, positive=True),
            grade=fields.decimal(form, "grade", "等级系数", most=MAX_GRADE, default="1"),
            value_per_mu=fields.amount(form, "value_per_mu", "每亩作价", zero=True),
            term_years=fields.count(form, "term_years", "入股期限（年）", least=1, most=99),
            date=fields.day(form, "date", "入股日期"),
        )

    return _on_joint(request, user, code, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's joint-entity routes, books.write)
READ_MODELS = ("ledger", "economy", "resources")
DUTIES = {
    ("POST", "/registers/joint/{code}/capital"): "books.write",
    ("POST", "/registers/joint/{code}/land"): "books.write",
}
