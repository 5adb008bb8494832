"""报表 › 资产: the 三资 tables of one set of books for a period (``documents.asset_tables``),
read only, linked from the 报表 pages.

- ``GET /asset-reports``: pick an entity;
- ``GET /asset-reports/{entity}?period=``: the 固定资产折旧表, the 在建工程明细表 (by project) and
  the 资产清单 with the period's changes, each with its checks;
- ``GET /asset-reports/{entity}/print?period=``: the three on A4, without the menu;
- ``GET /asset-reports/{entity}/{kind}.xlsx?period=``: ``depreciation``, ``construction`` or
  ``assets`` as XLSX (amounts as numbers, text never a formula).

Scoped by township like every page: an entity of a township the person does not see is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.asset_tables import asset_list, construction_table, depreciation_schedule
from domain.periods import Period
from rendering.asset_workbooks import (
    asset_list_workbook,
    construction_workbook,
    depreciation_workbook,
)
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.ledgers import entity_index, period_switch, read_period
from workbench.render import page
from workbench.session import PageUser

router = APIRouter()

TABLES: dict[str, tuple[str, Callable[..., dict[str, Any]], Callable[[dict[str, Any]], bytes]]] = {
    "depreciation": ("固定资产折旧表", depreciation_schedule, depreciation_workbook),
    "construction": ("在建工程明细表", construction_table, construction_workbook),
    "assets": ("资产清单", asset_list, asset_list_workbook),
}


def _tables(request: Request, user: Any, entity: str, period: str) -> Any:
    """(entity row, period, {kind: table}) or an error page."""
    engine = books_engine(request)
    found, problem = read_period(period, request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, entity)
        if books is None:
            return _index(request, user, [], "", f"没有单位 {entity}，或您无权查看", 404)
        if found is None:
            return _index(request, user, visible_entities(conn, user), period, problem, 422)
        built = {kind: make(conn, entity, found) for kind, (_, make, _) in TABLES.items()}
    return books, found, built


def _index(
    request: Request, user: Any, entities: list[Any], period: str, error: str | None, status: int
) -> Response:
    return page(
        request,
        user,
        "asset_report_index.html",
        entities=entities,
        period=period,
        error=error,
        status=status,
    )


@router.get("/asset-reports")
def asset_reports_index(
    request: Request, user: PageUser, entity: str = "", period: str = ""
) -> Response:
    return entity_index(
        request, user, entity, period, base="/asset-reports", template="asset_report_index.html"
    )


@router.get("/asset-reports/{entity}")
def asset_reports_page(entity: str, request: Request, user: PageUser, period: str = "") -> Response:
    return _render(request, user, entity, period, "asset_report_page.html")


@router.get("/asset-reports/{entity}/print")
def asset_reports_print(
    entity: str, request: Request, user: PageUser, period: str = ""
) -> Response:
    return _render(request, user, entity, period, "asset_report_print.html")


def _render(request: Request, user: Any, entity: str, period: str, template: str) -> Response:
    found = _tables(request, user, entity, period)
    if isinstance(found, Response):
        return found
    books, when, built = found
    return page(
        request,
        user,
        template,
        entity=books,
        period=when,
        switch=period_switch(when),
        tables=built,
        names={kind: title for kind, (title, _, _) in TABLES.items()},
        printing=template.endswith("print.html"),
    )


@router.get("/asset-reports/{entity}/{kind}.xlsx")
def asset_report_xlsx(
    entity: str, kind: str, request: Request, user: PageUser, period: str = ""
) -> Response:
    if kind not in TABLES:
        words = "、".join(f"{title}（{k}）" for k, (title, _, _) in TABLES.items())
        return _index(request, user, [], "", f"没有资产报表 {kind}：可下载{words}", 404)
    found = _tables(request, user, entity, period)
    if isinstance(found, Response):
        return found
    books, when, built = found
    return _download(books, when, kind, built[kind])


def _download(books: dict[str, Any], period: Period, kind: str, table: dict[str, Any]) -> Response:
    title, _, workbook = TABLES[kind]
    name = f"{books['code']}-{title}-{period.text}.xlsx"
    return Response(
        workbook(table),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "assets")
