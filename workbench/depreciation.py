"""三资 · 计提折旧: the monthly depreciation run in the workbench, and a book's 折旧表.

- ``GET /depreciation``: choose one book (``?entity=``) or a whole township (``?township=``) and
  a month (``?month=``): the preview of what the run would post, card by card and owner by
  owner (``assets.preview``, nothing written), or that the month is already
  done (its vouchers), or why it cannot be run (a month before it not run …);
- ``POST /depreciation/{entity}`` (``month``, ``units:NUMBER`` for each 工作量法 card): the run
  of one book (``RunDepreciation``), back to the page, which then shows its voucher; a second
  run of the month writes nothing and says it is already done;
- ``POST /depreciation/townships/{township}`` (``month``): every book of the township that keeps
  cards, one ``RunDepreciation`` each in its own save (``web.each``: a claim per book from the
  form's key); the answer lists each book: its voucher and amount, already done, or refused
  (the others still run);
- ``GET /depreciation/{entity}``: the 固定资产折旧表 of a period (``?period=``, the year by
  default) by card and by owner, and the runs made.

A book or township the person does not see is not found (404); an auditor sees the previews
and tables, no run button.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.assets.commands import RunDepreciation
from domain.assets.preview import preview_depreciation, units_cards
from domain.errors import DomainError
from domain.periods import parse_month
from ledger.errors import LedgerError
from projections import asset_runs, assets_queries
from web.each import commit_each
from web.tokens import Principal
from workbench import register_forms as fields
from workbench.accounts import entity_or_none, sees, visible_entities
from workbench.projects import missing
from workbench.registers import app_of, engine_of, form_of, today
from workbench.render import FormRefused, form_writer, page, refusal
from workbench.session import FormUser, PageUser, require

router = APIRouter()


def last_month(day: datetime.date) -> str:
    first = day.replace(day=1) - datetime.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _month(value: str) -> str | None:
    try:
        parse_month(value)
    except DomainError:
        return None
    return value


def _preview(request: Request, entity: str, month: str) -> dict[str, Any]:
    """A book's preview for the page: its lines, or that it is done, or why it cannot run."""
    app = app_of(request)
    with engine_of(request).connect() as conn:
        run = asset_runs.run_of(conn, entity, month)
        units = units_cards(app.assets, entity)
        try:
            found = preview_depreciation(app.assets, entity=entity, month=month)
        except (DomainError, LedgerError) as exc:
            if units and "工作量" in (getattr(exc, "zh", "") or ""):
                return {"entity": entity, "run": run, "units": units, "preview": None}
            return {"entity": entity, "run": run, "units": units, "problem": refusal(exc).message}
        body = asset_runs.preview_body(conn, found)
    return {"entity": entity, "run": run, "units": units, "preview": body}


def run_page(
    request: Request,
    user: Principal,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
    outcome: list[dict[str, Any]] | None = None,
) -> Response:
    query = request.query_params
    form = dict(form or {})
    with engine_of(request).connect() as conn:
        books = visible_entities(conn, user)
        townships = sorted({b["township"] for b in books})
        entity = form.get("entity") or query.get("entity") or ""
        township = form.get("township") or query.get("township") or ""
        month = _month(str(form.get("month") or query.get("month") or "")) or ""
        seen = {b["code"]: b for b in books}
        entity = entity if entity in seen else ""
        township = township if township in townships else ""
        in_township = asset_runs.books_with_cards(conn, township) if township else []
    previews: list[dict[str, Any]] = []
    if month and entity and outcome is None:
        previews = [_preview(request, entity, month)]
    elif month and township and outcome is None:
        previews = [_preview(request, b["code"], month) for b in in_township]
    return page(
        request,
        user,
        "depreciation_run.html",
        status=error.status if error else 200,
        books=books,
        names={b["code"]: b["name"] for b in books},
        townships=townships,
        entity=entity,
        township=township,
        month=month or last_month(today(request)),
        chosen=bool(month and (entity or township)),
        previews=previews,
        outcome=outcome,
        form=form,
        error=error,
    )


@router.get("/depreciation")
def depreciation(request: Request, user: PageUser) -> Response:
    return run_page(request, user)


def _units(form: Mapping[str, Any]) -> dict[str, str]:
    found = {}
    for name, value in form.items():
        if name.startswith("units:") and isinstance(value, str) and value.strip():
            found[name[len("units:") :]] = value.strip()
    return found


@router.post("/depreciation/{entity}")
async def run_book(request: Request, user: FormUser, entity: str) -> Response:
    form = {**(await form_of(request)), "which": "run", "entity": entity}
    with engine_of(request).connect() as conn:
        seen = entity_or_none(conn, user, entity) is not None
    if not seen:  # before anything is read from the form
        return missing(request, user, f"账套 {entity}")
    month = fields.text(form, "month")

    def build() -> RunDepreciation:
        if _month(month) is None:
            raise FormRefused("请按 YYYY-MM 填写月份，如 2026-03", field="month")
        return RunDepreciation(entity=entity, month=month, units=_units(form))

    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/depreciation?entity={entity}&month={month}&saved=1",
        lambda refused: run_page(request, user, form=form, error=refused),
    )


@router.post("/depreciation/townships/{township}")
async def run_township(request: Request, user: FormUser, township: str) -> Response:
    form = {**(await form_of(request)), "which": "run", "township": township}
    with engine_of(request).connect() as conn:
        known = {b["township"] for b in visible_entities(conn, user)}
    if township not in known or not sees(user, township):
        return missing(request, user, "这个乡镇")  # not named: another township's person
    month = fields.text(form, "month")
    try:
        require(user, "books.write")
        if _month(month) is None:
            raise FormRefused("请按 YYYY-MM 填写月份，如 2026-03", field="month")
        if not user.may_write_in(township):
            raise FormRefused(f"您不能在{township}计提折旧", status=403)
    except FormRefused as refused:
        return run_page(request, user, form=form, error=refused)
    with engine_of(request).connect() as conn:
        books = asset_runs.books_with_cards(conn, township)
    writer = form_writer(request, user, form)
    runtime = request.app.state.runtime

    def read(code: str, result: Any) -> tuple[dict[str, Any], str | None]:
        with runtime.engine.connect() as conn:
            return asset_runs.run_summary(conn, code, month, result), None

    parts = [(b["code"], RunDepreciation(entity=b["code"], month=month)) for b in books]
    done, _ = commit_each(writer, parts, read)
    outcome = [
        p.answer.body
        if p.answer is not None
        else asset_runs.refused_summary(p.name, month, p.problem or "")
        for p in done
    ]
    return run_page(request, user, form=form, outcome=outcome)


@router.get("/depreciation/{entity}")
def table(request: Request, user: PageUser, entity: str) -> Response:
    period = request.query_params.get("period") or str(today(request).year)
    with engine_of(request).connect() as conn:
        book = entity_or_none(conn, user, entity)
        if book is None:
            return missing(request, user, f"账套 {entity}")
        error = None
        try:
            found = assets_queries.depreciation_table(conn, entity, period)
        except DomainError as exc:
            error = refusal(exc).message
            period = str(today(request).year)
            found = assets_queries.depreciation_table(conn, entity, period)
        runs = assets_queries.depreciation_runs(conn, entity)
    return page(
        request,
        user,
        "depreciation_table.html",
        book=book,
        t=found,
        runs=runs,
        period=period,
        period_error=error,
    )


# What this page family's paths read (web.views) and the duties of its forms (web.duties: the
# run posts, books.write, as the API's)
READ_MODELS = ("ledger", "assets")
DUTIES = {
    ("POST", "/depreciation/{entity}"): "books.write",
    ("POST", "/depreciation/townships/{township}"): "books.write",
}
