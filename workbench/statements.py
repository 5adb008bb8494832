"""报表: 资产负债表 and 收益及收益分配表 of an entity for a period, each with an XLSX download
and a print layout.

- ``GET /statements``: pick an entity;
- ``GET /statements/{entity}?period=``: both statements (``documents.statements.statement``,
  the same content as ``GET /v1/entities/{code}/statements/{kind}``); every line's accounts link
  to the trial balance of the period;
- ``GET /statements/{entity}/{kind}.xlsx?period=``: ``balance-sheet`` or ``income`` as XLSX
  (amounts as numbers with two decimals, Chinese headers);
- ``GET /statements/{entity}/print?period=``: both statements on A4, without the menu.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.statements import statement
from domain.periods import Period
from ledger.money import money
from rendering.spreadsheets import AMOUNT_FORMAT, workbook_bytes
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.ledgers import entity_index, period_switch, read_period
from workbench.render import page
from workbench.session import PageUser

router = APIRouter()

KINDS = {"balance-sheet": "资产负债表", "income": "收益及收益分配表"}


def _statements(request: Request, user: Any, entity: str, period: str) -> Any:
    """(entity row, period, {kind: statement}) or an error page."""
    engine = books_engine(request)
    found, problem = read_period(period, request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, entity)
        if books is None:
            return page(
                request,
                user,
                "statement_index.html",
                entities=[],
                period="",
                error=f"没有单位 {entity}，或您无权查看",
                status=404,
            )
        if found is None:
            return page(
                request,
                user,
                "statement_index.html",
                entities=visible_entities(conn, user),
                period=period,
                error=problem,
                status=422,
            )
        built = {kind: statement(conn, entity, kind, found) for kind in KINDS}
    return books, found, built


@router.get("/statements")
def statements_index(
    request: Request, user: PageUser, entity: str = "", period: str = ""
) -> Response:
    return entity_index(
        request, user, entity, period, base="/statements", template="statement_index.html"
    )


@router.get("/statements/{entity}")
def statements_page(entity: str, request: Request, user: PageUser, period: str = "") -> Response:
    found = _statements(request, user, entity, period)
    if isinstance(found, Response):
        return found
    books, when, built = found
    return page(
        request,
        user,
        "statement_page.html",
        entity=books,
        period=when,
        switch=period_switch(when),
        sheet=built["balance-sheet"],
        income=built["income"],
        printing=False,
    )


@router.get("/statements/{entity}/print")
def statements_print(entity: str, request: Request, user: PageUser, period: str = "") -> Response:
    found = _statements(request, user, entity, period)
    if isinstance(found, Response):
        return found
    books, when, built = found
    return page(
        request,
        user,
        "statement_print.html",
        entity=books,
        period=when,
        sheet=built["balance-sheet"],
        income=built["income"],
        printing=True,
    )


@router.get("/statements/{entity}/{kind}.xlsx")
def statement_xlsx(
    entity: str, kind: str, request: Request, user: PageUser, period: str = ""
) -> Response:
    if kind not in KINDS:
        return page(
            request,
            user,
            "statement_index.html",
            entities=[],
            period="",
            error=f"没有报表 {kind}：可下载资产负债表（balance-sheet）或收益及收益分配表（income）",
            status=404,
        )
    found = _statements(request, user, entity, period)
    if isinstance(found, Response):
        return found
    books, when, built = found
    data = statement_workbook(books, when, kind, built[kind])
    name = f"{books['code']}-{KINDS[kind]}-{when.text}.xlsx"
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _amount(item: dict[str, Any] | None) -> Decimal | str:
    if not item:
        return ""
    return money(item["amount"], allow_negative=True).amount


def statement_workbook(
    books: dict[str, Any], period: Period, kind: str, content: dict[str, Any]
) -> bytes:
    """One statement as an XLSX workbook in the 2023 format: title, unit and period, Chinese
    headers with 行次, amounts as numbers (two decimals), subtotals and totals in bold, the
    statement's checks, its 附注 and the signature lines."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    ws = book.active
    ws.title = KINDS[kind]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F3F1EC")
    ws.append([KINDS[kind]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            f"编制单位：{books['name']}（{books['code']}）",
            f"期间：{period.label}（{period.start} 至 {period.end}）",
            "单位：元",
        ]
    )
    totals: list[int] = []
    if kind == "balance-sheet":
        ws.append(["项目", "行次", "科目", "年初数", "期末数"])
        for side, title in (("assets", "资产"), ("liabilities_and_equity", "负债和所有者权益")):
            ws.append([title])
            ws.cell(ws.max_row, 1).font = bold
            for line in content["form"][side]:
                if line["kind"] == "heading":
                    ws.append([line["line"]])
                    continue
                ws.append(
                    [
                        line["line"],
                        line["row"],
                        line["accounts"],
                        _amount(line.get("year_start")),
                        _amount(line),
                    ]
                )
                if line["kind"] in ("subtotal", "total"):
                    totals.append(ws.max_row)
    else:
        ws.append(["项目", "行次", "计算", "本期数", f"上年同期数（{content['prior_period']}）"])
        for line in content["lines"]:
            ws.append(
                [line["line"], line["row"], line["formula"], _amount(line), _amount(line["prior"])]
            )
            if line["formula"]:
                totals.append(ws.max_row)
    for cell in ws[3]:
        cell.font = bold
        cell.fill = fill
    for row in totals:
        for cell in ws[row]:
            cell.font = bold
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = AMOUNT_FORMAT
                cell.alignment = Alignment(horizontal="right")
    ws.append([])
    for check in content["checks"]:
        ws.append(
            [
                ("✓ " if check["holds"] else "✗ ") + check["check"],
                "",
                "",
                Decimal(check["left"]),
                Decimal(check["right"]),
            ]
        )
        for cell in ws[ws.max_row][3:]:
            cell.number_format = AMOUNT_FORMAT
    for row in content.get("asset_check", []):  # books with cards: 账面 against the cards
        mark = "✓ " if row["holds"] else "✗ "
        what = f"{mark}{row['line']}：账面 = {row['source']}"
        ws.append([what, "", row["account"], Decimal(row["books"]), Decimal(row["cards"])])
        for cell in ws[ws.max_row][3:]:
            cell.number_format = AMOUNT_FORMAT
    ws.append([])
    ws.append(["附注"])
    ws.cell(ws.max_row, 1).font = bold
    for number, note in enumerate(content["notes"], 1):
        ws.append([f"{number}. {note}"])
    ws.append([])
    ws.append([f"{role}：" for role in content["signatures"]])
    for column, width in zip("ABCDE", (30, 6, 40, 18, 22), strict=True):
        ws.column_dimensions[column].width = width
    return workbook_bytes(book)  # names as text, never a formula


# What this page family's paths read (web.views): the balance sheet's 资产核对表 the cards
READ_MODELS = ("ledger", "economy", "assets")
