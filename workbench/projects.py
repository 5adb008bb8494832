"""三资 · 项目: jointly built projects (联建项目) in the workbench.

- ``GET /projects``: the projects of the person's townships (one book's with ``?entity=``):
  status, budget, cost to date, progress; the 立项 form (``POST /projects``: budget by item and
  funding sources, as many rows as filled);
- ``GET /projects/{code}``: one project: budget by item against cost, funding sources, the
  steps of 四议两公开, the costs, the ownership shares, the income, the 投资收益表 of a period
  (``?period=``: invested, depreciated, earned, return, each owning village's part), and the
  forms: ``POST /projects/{code}/steps`` (a step), ``/costs`` (a payment), ``/completion`` (竣工
  into one asset card with the shares; several cards through the API), ``/income``.

Every form builds the command of ``domain.projects.commands`` the API builds and runs it
through ``workbench.render.run_form`` (``register_forms.write``); a refusal is shown on the
form in Chinese, nothing written. A project of another township is not found (404), its forms
refused the same way before anything is read from them. An auditor sees no form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from domain.assets.service import CardTerms
from domain.assets.vocabulary import CATEGORIES, USES
from domain.errors import DomainError
from domain.plan import STEPS
from domain.projects import FUNDING_KINDS, INCOME_KINDS, KINDS
from domain.projects.commands import (
    CompleteProject,
    PlanProject,
    RecordProjectCost,
    RecordProjectIncome,
    RecordProjectStep,
)
from projections import asset_runs, project_queries
from web.tokens import Principal
from workbench import register_forms as fields
from workbench.accounts import sees, visible_entities
from workbench.registers import engine_of, form_of, today
from workbench.render import FormRefused, page, refusal
from workbench.session import FormUser, PageUser

router = APIRouter()

ROWS = 6  # budget and funding rows of the 立项 form (blank rows are left out)
OWNER_ROWS = 6


def missing(request: Request, user: Principal, what: str) -> Response:
    """404 for a project or card that does not exist or that ``user`` does not see (the same
    answer: another township's person does not learn that it exists)."""
    return page(request, user, "sanzi_missing.html", status=404, what=what)


def seen_project(conn: Connection, user: Principal, code: str) -> dict[str, str] | None:
    place = asset_runs.project_place(conn, code)
    return place if place is not None and sees(user, place["township"]) else None


def owners_of(form: Mapping[str, Any]) -> dict[str, str]:
    """The owner rows of a form (``owner_N``, ``share_N``), blank rows left out."""
    found: dict[str, str] = {}
    for i in range(OWNER_ROWS):
        owner, share = fields.text(form, f"owner_{i}"), fields.text(form, f"share_{i}")
        if not owner and not share:
            continue
        if not owner or not share:
            raise FormRefused(
                "每一行所有者都要填写单位代码和份额（如 V01 和 0.45）", field="owners"
            )
        found[owner] = share
    return found


# -- the list and 立项 -----------------------------------------------------------------------


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
        rows = [
            p for p in project_queries.project_list(conn, entity=entity) if p["entity"] in codes
        ]
    return page(
        request,
        user,
        "project_index.html",
        status=error.status if error else 200,
        projects=rows,
        books=books,
        book_options=[(b["code"], f"{b['code']} {b['name']}") for b in books],
        entity=entity if entity in codes else None,
        kinds=KINDS,
        funding_kinds=FUNDING_KINDS,
        rows=ROWS,
        form=dict(form or {}),
        error=error,
        today=today(request),
    )


@router.get("/projects")
def projects(request: Request, user: PageUser) -> Response:
    return list_page(request, user)


def _budget(form: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i in range(ROWS):
        item = fields.text(form, f"item_{i}")
        if not item and not fields.text(form, f"budget_{i}"):
            continue
        found[fields.line(form, f"item_{i}", "预算项目")] = fields.amount(
            form, f"budget_{i}", "预算金额"
        )
    if not found:
        raise FormRefused("请至少填写一项预算（项目和金额）", field="item_0")
    return found


def _funding(form: Mapping[str, Any]) -> list[dict[str, str]]:
    found = []
    for i in range(ROWS):
        kind = fields.text(form, f"fkind_{i}")
        if not kind and not fields.text(form, f"famount_{i}"):
            continue
        if kind not in FUNDING_KINDS:
            raise FormRefused("请选择资金来源类别", field=f"fkind_{i}")
        source = {
            "kind": kind,
            "source": fields.line(form, f"fsource_{i}", "资金来源（村代码、资金项目或出资方）"),
        }
        programme = fields.text(form, f"fprogramme_{i}")
        if programme:
            source["programme"] = programme
        source["amount"] = fields.amount(form, f"famount_{i}", "资金金额")
        found.append(source)
    if not found:
        raise FormRefused("请至少填写一项资金来源", field="fkind_0")
    return found


@router.post("/projects")
async def plan(request: Request, user: FormUser) -> Response:
    form = {**(await form_of(request)), "which": "plan"}
    entity = fields.text(form, "entity")
    with engine_of(request).connect() as conn:
        books = {b["code"] for b in visible_entities(conn, user)}

    def build() -> PlanProject:
        if entity not in books:
            raise FormRefused("请选择建设单位（联合社或村）", field="entity")
        return PlanProject(
            code=fields.code(form, "code", "项目编号", "XM2025-NC"),
            entity=entity,
            name=fields.line(form, "name", "项目名称"),
            kind=fields.text(form, "kind"),
            budget=_budget(form),
            funding=_funding(form),
            planned_on=fields.day(form, "planned_on", "立项日期"),
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda code: f"/projects/{code}?saved=1",
        lambda refused: list_page(request, user, form=form, error=refused),
    )


# -- one project ------------------------------------------------------------------------------


def project_page(
    request: Request,
    user: Principal,
    code: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    period = request.query_params.get("period") or ""
    with engine_of(request).connect() as conn:
        found = (
            project_queries.project_detail(conn, code) if seen_project(conn, user, code) else None
        )
        if found is None:
            return missing(request, user, f"项目 {code}")
        statement_error = None
        try:
            statement = project_queries.project_statement(conn, code, period or None)
        except DomainError as exc:  # a period that is not one: said beside its field
            statement_error = refusal(exc).message
            statement = project_queries.project_statement(conn, code, None)
        names = {b["code"]: b["name"] for b in visible_entities(conn, user)}
    grants = sorted(
        {f["programme"] or f["source"] for f in found["funding_sources"] if f["kind"] == "grant"}
    )
    return page(
        request,
        user,
        "project_show.html",
        status=error.status if error else 200,
        p=found,
        statement=statement,
        statement_error=statement_error,
        period=period,
        names=names,
        grants=grants,
        steps=STEPS,
        income_kinds=INCOME_KINDS,
        categories={k: c.zh for k, c in CATEGORIES.items()},
        uses={k: v[1] for k, v in USES.items()},
        owner_rows=OWNER_ROWS,
        form=dict(form or {}),
        error=error,
        today=today(request),
    )


@router.get("/projects/{code}")
def project(request: Request, user: PageUser, code: str) -> Response:
    return project_page(request, user, code)


def on_project(
    request: Request,
    user: Principal,
    code: str,
    form: Mapping[str, Any],
    build: Callable[[], Any],
) -> Response:
    with engine_of(request).connect() as conn:
        seen = seen_project(conn, user, code)
    if seen is None:  # before anything is read from the form
        return missing(request, user, f"项目 {code}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/projects/{code}?saved=1",
        lambda refused: project_page(request, user, code, form=form, error=refused),
    )


def _count(form: Mapping[str, Any], name: str, what: str) -> int | None:
    return fields.count(form, name, what) if fields.text(form, name) else None


@router.post("/projects/{code}/steps")
async def record_step(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "step"}

    def build() -> RecordProjectStep:
        step = fields.text(form, "step")
        if step not in STEPS:
            raise FormRefused("请选择四议两公开的步骤", field="step")
        details: dict[str, Any] = {
            "body": fields.line(form, "body", "会议或公开的主体（如 成员代表会议）"),
            "place": fields.line(form, "place", "地点", required=False),
            "note": fields.line(form, "note", "备注", required=False),
        }
        for name, what in (
            ("expected", "应到人数"),
            ("present", "实到人数"),
            ("votes_for", "同意"),
            ("votes_against", "反对"),
            ("abstentions", "弃权"),
        ):
            details[name] = _count(form, name, what)
        assembly = fields.text(form, "assembly")
        if assembly:
            details["assembly"] = assembly
        return RecordProjectStep(
            project=code,
            step=step,
            date=fields.day(form, "date", "日期"),
            details={k: v for k, v in details.items() if v is not None},
        )

    return on_project(request, user, code, form, build)


@router.post("/projects/{code}/costs")
async def record_cost(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "cost"}

    def build() -> RecordProjectCost:
        grant = fields.text(form, "grant") or None
        return RecordProjectCost(
            project=code,
            date=fields.day(form, "date", "付款日期"),
            item=fields.line(form, "item", "预算项目"),
            amount=fields.amount(form, "amount", "金额"),
            memo=fields.line(form, "memo", "摘要", required=False),
            grant=grant,
            grant_amount=(
                fields.amount(form, "grant_amount", "专项资金支付的部分")
                if grant and fields.text(form, "grant_amount")
                else None
            ),
        )

    return on_project(request, user, code, form, build)


@router.post("/projects/{code}/completion")
async def complete(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "complete"}

    def build() -> CompleteProject:
        terms = CardTerms(
            number=fields.code(form, "number", "资产编号", "GZ-001"),
            name=fields.line(form, "name", "资产名称"),
            life_months=fields.count(form, "life_months", "使用年限（月）", least=1, most=1200),
            residual_rate=fields.text(form, "residual_rate") or "0.05",
            category=fields.text(form, "category") or "fixed",
            use=fields.text(form, "use") or "productive",
            location=fields.line(form, "location", "位置", required=False),
            user=fields.line(form, "user", "使用人", required=False),
        )
        return CompleteProject(
            project=code,
            date=fields.day(form, "date", "竣工日期"),
            assets=[terms],
            owners=owners_of(form),
        )

    return on_project(request, user, code, form, build)


@router.post("/projects/{code}/income")
async def record_income(request: Request, user: FormUser, code: str) -> Response:
    form = {**(await form_of(request)), "which": "income"}

    def build() -> RecordProjectIncome:
        kind = fields.text(form, "kind")
        if kind not in INCOME_KINDS:
            raise FormRefused("请选择收益类别", field="kind")
        return RecordProjectIncome(
            project=code,
            date=fields.day(form, "date", "日期"),
            kind=kind,
            amount=fields.amount(form, "amount", "金额"),
            memo=fields.line(form, "memo", "摘要", required=False),
            reference=fields.line(form, "reference", "依据", required=False),
            posted=fields.text(form, "posted") or None,
        )

    return on_project(request, user, code, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's project routes)
READ_MODELS = ("ledger", "assets")
DUTIES = {
    ("POST", "/projects"): "books.write",
    ("POST", "/projects/{code}/steps"): "plan.prepare",
    ("POST", "/projects/{code}/costs"): "books.write",
    ("POST", "/projects/{code}/completion"): "books.write",
    ("POST", "/projects/{code}/income"): "books.write",
}
