"""The account books' three forms: the page, its A4 print (``?format=print``: no menu, the print
stylesheet) and its XLSX workbook (``?format=xlsx``: text as text, amounts as numbers, no
formula; ``rendering.spreadsheets.table_workbook``). The facts are ``documents.ledgers``'s;
this module only lays them out."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from moneyed import Money

from documents.ledgers import TB_COLUMNS, counter_text
from domain.periods import Period
from ledger.account_books import POSTING, BookRow
from ledger.money import ZERO
from ledger.voucher_numbers import number_label
from rendering.spreadsheets import table_workbook
from web.tokens import Principal
from workbench.render import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("print", "xlsx")


def respond(
    request: Request,
    user: Principal,
    output: str,
    *,
    template: str,
    title: str,
    entity: dict[str, Any],
    period: Period,
    workbook: Callable[[], bytes],
    **context: Any,
) -> Response:
    """The page (``template``), its print (``ledger_print.html`` around the same table) or
    its workbook, as ``output`` (the ``format`` asked for) says."""
    if output == "xlsx":
        name = f"{entity['code']}-{title}-{period.text}.xlsx"
        return Response(
            workbook(),
            media_type=XLSX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )
    return page(
        request,
        user,
        "ledger_print.html" if output == "print" else template,
        entity=entity,
        period=period,
        title=title,
        printing=output == "print",
        **context,
    )


def _number(m: Money) -> Decimal:
    return Decimal(m.amount)


def _blank_zero(m: Money) -> Decimal | str:
    return "" if m == ZERO else _number(m)


def _heading(entity: dict[str, Any], period: Period) -> list[str]:
    return [
        f"编制单位：{entity['name']}（{entity['code']}）",
        f"期间：{period.label}（{period.start} 至 {period.end}）",
        "单位：元",
    ]


TB_GROUPS = ("期初余额", "", "本期发生额", "", "本年累计发生额", "", "期末余额", "")


def trial_balance_workbook(entity: dict[str, Any], period: Period, sheet: dict[str, Any]) -> bytes:
    header = [
        ["科目编码", "科目名称", *TB_GROUPS],
        ["", "", *(["借方", "贷方"] * 4)],
    ]
    rows: list[list[Any]] = []
    bold: set[int] = set()
    for line in sheet["lines"]:
        if line["level"] == 1:
            bold.add(len(rows))
        name = line["name"] if line["level"] == 1 else "　" + line["name"]
        rows.append([line["account"], name, *(_number(line[k]) for k in TB_COLUMNS)])
    bold.add(len(rows))
    rows.append(["合计", "", *(_number(sheet["totals"][k]) for k in TB_COLUMNS)])
    return table_workbook(
        "科目余额表",
        _heading(entity, period),
        header,
        rows,
        bold_rows=frozenset(bold),
        widths=(12, 28, *(15,) * 8),
    )


def _row_cells(row: BookRow) -> list[Any]:
    posting = row.kind == POSTING
    debit = _blank_zero(row.debit) if posting else _number(row.debit)
    credit = _blank_zero(row.credit) if posting else _number(row.credit)
    if row.kind == "opening":
        debit = credit = ""
    return [debit, credit, row.direction, _number(row.amount)]


def general_workbook(entity: dict[str, Any], period: Period, book: dict[str, Any]) -> bytes:
    header = [["科目编码", "科目名称", "日期", "摘要", "借方", "贷方", "借或贷", "余额"]]
    rows: list[list[Any]] = []
    bold: set[int] = set()
    for account in book["accounts"]:
        for row in account["rows"]:
            if row.kind == "year":
                bold.add(len(rows))
            rows.append(
                [account["account"], account["name"], row.date, row.label, *_row_cells(row)]
            )
    return table_workbook(
        "总账",
        _heading(entity, period),
        header,
        rows,
        bold_rows=frozenset(bold),
        widths=(10, 20, 12, 12, 16, 16, 8, 16),
    )


def book_workbook(
    entity: dict[str, Any], period: Period, title: str, book: dict[str, Any], *, detail: bool
) -> bytes:
    """明细账 or 日记账 (``title``); ``detail``: with the sub-account of each line."""
    names = book["names"]
    header = [
        [
            "日期",
            "凭证号",
            "摘要",
            *(["明细科目"] if detail else []),
            "对方科目",
            "借方",
            "贷方",
            "借或贷",
            "余额",
        ]
    ]
    rows: list[list[Any]] = []
    bold: set[int] = set()
    for row in book["rows"]:
        if row.is_total:
            bold.add(len(rows))
        posting = row.posting
        own = [f"{posting.account} {names.get(posting.account, '')}" if posting else ""]
        rows.append(
            [
                row.date,
                number_label(posting.number) if posting else "",
                row.label,
                *(own if detail else []),
                counter_text(row, names, limit=99),
                *_row_cells(row),
            ]
        )
    widths = (12, 11, 28, *((22,) if detail else ()), 28, 15, 15, 8, 15)
    return table_workbook(
        f"{book['account']} {book['name']} {title}",
        _heading(entity, period),
        header,
        rows,
        bold_rows=frozenset(bold),
        widths=widths,
    )
