"""科目: the chart of one set of books in the workbench, and the forms that keep it.

- ``GET /chart``: pick an entity (the only one is opened at once);
- ``GET /chart/{entity}?parent=``: the 42 accounts of the 2023 chart and every open 明细科目,
  with the balance of each (``projections.chart_view.account_listing``, the read model of
  ``GET /v1/entities/{code}/accounts``), what a sub-account is kept for (农户, 单位, 项目) and who
  opened it; ``parent`` preselects the parent of the opening form (the refusals of a voucher
  link here with it);
- ``POST /chart/{entity}/open``: open a 明细科目 under a chart account (``books.OpenAccount``);
- ``POST /chart/{entity}/{code}/rename``: give one another name (``books.RenameAccount``);
- ``POST /chart/{entity}/{code}/retire``: stop using one never posted to (``books.RetireAccount``).

The forms need the duty of ``POST /v1/entities/{code}/accounts`` (``books.write``: 记账/主管);
others see the chart without them. Each runs its command through ``run_form`` as the API's
route does; a refusal shows the page again with the sentence in Chinese beside the form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from domain.books import commands as books
from domain.books.chart import CLOSED_PARENTS, KINDS
from ledger.accounts import ChartOfAccounts
from projections.chart_view import account_listing
from projections.people_view import display_actor, display_names
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

DUTY = "books.write"  # the duty of the API's account routes (api.routes.entities DUTIES)
KIND_HINTS = {"household": "H01", "unit": "V01", "project": "X01"}  # suffixes, as examples


def _parents() -> list[dict[str, str]]:
    """The chart accounts a 明细科目 may be opened under."""
    return [
        {"code": a.code, "name": a.name}
        for a in ChartOfAccounts.standard()
        if a.code not in CLOSED_PARENTS
    ]


def _chart_page(
    request: Request,
    user: Principal,
    entity: dict[str, Any],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    with books_engine(request).connect() as conn:
        rows = account_listing(conn, entity["code"], details=True)
        names = display_names(conn)
    for row in rows:  # who opened a sub-account, by 姓名
        opened_by = row["opened_by"] or ""
        row["opener"] = (
            display_actor(opened_by[6:], names) if opened_by.startswith("clerk:") else ""
        )
    return page(
        request,
        user,
        "account_chart.html",
        entity=entity,
        accounts=rows,
        parents=_parents(),
        kinds=KINDS,
        kind_hints=KIND_HINTS,
        values=values or {},
        errors=errors or {},
        may_edit=user.may(DUTY),
        status=status,
    )


def _not_found(request: Request, user: Principal, entity: str) -> Response:
    return page(
        request,
        user,
        "account_index.html",
        entities=[],
        error=f"没有单位 {entity}，或您无权查看",
        status=404,
    )


@router.get("/chart")
def chart_index(request: Request, user: PageUser, entity: str = "") -> Response:
    with books_engine(request).connect() as conn:
        entities = visible_entities(conn, user)
    if not entity and len(entities) == 1:
        entity = entities[0]["code"]
    if entity and any(e["code"] == entity for e in entities):
        return RedirectResponse(f"/chart/{entity}", status_code=303)
    return page(
        request,
        user,
        "account_index.html",
        entities=entities,
        error=f"没有单位 {entity}，或您无权查看" if entity else None,
    )


@router.get("/chart/{entity}")
def chart_of(request: Request, entity: str, user: PageUser, parent: str = "") -> Response:
    with books_engine(request).connect() as conn:
        found = entity_or_none(conn, user, entity)
    if found is None:
        return _not_found(request, user, entity)
    return _chart_page(request, user, found, values={"parent": parent[:3]})


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _write(
    request: Request,
    user: Principal,
    entity: str,
    build: Any,
    *,
    form_name: str,
    done: str,
) -> Response:
    """Run the command ``build(form)`` makes; the page again with the refusal beside the form
    ``form_name`` (``open``, or the code of the sub-account) when it is refused."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    with books_engine(request).connect() as conn:
        found = entity_or_none(conn, user, entity)
    if found is None:
        return _not_found(request, user, entity)
    try:
        require(user, DUTY)
        return run_form(request, user, form, build(form), lambda _: done)
    except FormRefused as refused:
        return _chart_page(
            request,
            user,
            found,
            values={**values, "_form": form_name},
            errors={"at": form_name, "field": refused.field or "", "message": refused.message},
            status=refused.status,
        )


@router.post("/chart/{entity}/open")
async def open_account(request: Request, entity: str, user: FormUser) -> Response:
    def build(form: Any) -> books.OpenAccount:
        parent = _form_text(form, "parent")
        suffix = _form_text(form, "suffix")
        kind = _form_text(form, "kind")
        if not suffix:
            raise FormRefused("请填写明细科目编码的后缀，如 H01（农户）、V01（单位）", field="code")
        if kind not in KINDS:
            raise FormRefused(f"请选择类别：{'、'.join(KINDS.values())}", field="kind")
        return books.OpenAccount(
            entity=entity,
            code=parent + suffix,
            name=_form_text(form, "name"),
            parent=parent,
            kind=kind,
        )

    return await _write(request, user, entity, build, form_name="open", done=f"/chart/{entity}")


@router.post("/chart/{entity}/{code}/rename")
async def rename_account(request: Request, entity: str, code: str, user: FormUser) -> Response:
    def build(form: Any) -> books.RenameAccount:
        return books.RenameAccount(entity=entity, code=code, name=_form_text(form, "name"))

    return await _write(
        request, user, entity, build, form_name=code, done=f"/chart/{entity}#a-{code}"
    )


@router.post("/chart/{entity}/{code}/retire")
async def retire_account(request: Request, entity: str, code: str, user: FormUser) -> Response:
    def build(form: Any) -> books.RetireAccount:
        return books.RetireAccount(entity=entity, code=code)

    return await _write(request, user, entity, build, form_name=code, done=f"/chart/{entity}")


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
