"""The 汇总 of a township's or county's villages' statements as an XLSX workbook
(``documents.statement_summary``): a sheet for the 资产负债表 and one for the 收益及收益分配表, each
with 行次, 项目, the sum and one column per village, subtotals in bold; and a sheet listing the
villages added up and the checks. Saved through ``rendering.spreadsheets.workbook_bytes`` (text
is never a formula)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rendering.spreadsheets import AMOUNT_FORMAT, workbook_bytes


def _amount(item: dict[str, Any] | None) -> Decimal | str:
    return Decimal(item["amount"]) if item else ""


def _scope_words(summary: dict[str, Any]) -> str:
    scope = summary["scope"]
    return scope.get("township") or scope.get("county") or ""


def summary_workbook(summary: dict[str, Any]) -> bytes:
    """The workbook of one 汇总 (the answer of ``statement_summary``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F3F1EC")
    units = summary["units"]
    book = Workbook()
    first = book.active
    book.remove(first)
    where = _scope_words(summary)
    for title, parts, start in (
        ("资产负债表汇总", (("assets", "资产"), ("claims", "负债和所有者权益")), True),
        ("收益及收益分配表汇总", (("income", "收益及收益分配"),), False),
    ):
        ws = book.create_sheet(title)
        ws.append([f"{where}{title}"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(
            [
                f"汇总范围：{where}（{len(units)} 个村）",
                f"期间：{summary['label']}（{summary['start']} 至 {summary['end']}）",
                "单位：元",
            ]
        )
        head = ["行次", "项目"]
        head += ["年初数（汇总）", "期末数（汇总）"] if start else ["本期数（汇总）"]
        head += [f"{u['code']} {u['name']}" for u in units]
        ws.append(head)
        for cell in ws[3]:
            cell.font = bold
            cell.fill = fill
        for part, words in parts:
            ws.append(["", words])
            ws.cell(ws.max_row, 2).font = bold
            for row in summary[part]:
                if row.get("amount") is None:
                    ws.append(["", row["line"]])
                    continue
                values: list[Any] = [row["row"], row["line"]]
                if start:
                    values.append(_amount(row.get("year_start")))
                values.append(_amount(row))
                values += [_amount(row["units"].get(u["code"])) for u in units]
                ws.append(values)
                if row["kind"] in ("subtotal", "total"):
                    for cell in ws[ws.max_row]:
                        cell.font = bold
        for line in ws.iter_rows(min_row=4):
            for cell in line:
                if isinstance(cell.value, Decimal):
                    cell.number_format = AMOUNT_FORMAT
                    cell.alignment = Alignment(horizontal="right")
        ws.column_dimensions["A"].width = 6
        ws.column_dimensions["B"].width = 30
        for index in range(3, len(head) + 1):
            ws.column_dimensions[ws.cell(3, index).column_letter].width = 18
        ws.freeze_panes = "C4"
    ws = book.create_sheet("汇总单位")
    ws.append(["单位代码", "单位名称", "乡镇", "本单位资产负债表是否平衡"])
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
    unbalanced = set(summary["unbalanced_units"])
    for u in units:
        ws.append([u["code"], u["name"], u["township"], "否" if u["code"] in unbalanced else "是"])
    ws.append([])
    for check in summary["checks"]:
        ws.append(
            [
                ("✓ " if check["holds"] else "✗ ") + check["check"],
                "",
                Decimal(check["left"]),
                Decimal(check["right"]),
            ]
        )
        for cell in ws[ws.max_row][2:]:
            cell.number_format = AMOUNT_FORMAT
    for column, width in zip("ABCD", (36, 20, 18, 24), strict=True):
        ws.column_dimensions[column].width = width
    return workbook_bytes(book)
