"""The financial plan (财务计划) in spreadsheets: the plan against the books
(``documents.budget.comparison``) as one XLSX table, and the 财务计划 part of a 三公开 sheet as
the rows of its worksheet (``rendering.render.sheet_xlsx``). Amounts are numbers with two
decimals, percentages numbers with two; text stays text, never a formula
(``rendering.spreadsheets``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.money import money
from rendering.spreadsheets import table_workbook


def _number(amount: str) -> Decimal:
    return money(amount, allow_negative=True).amount


def _percent(value: str | None) -> Decimal | str:
    return Decimal(value) if value else ""


def comparison_xlsx(c: dict[str, Any]) -> bytes:
    """财务计划执行情况: per line its plan, each month's actual from January, the year to
    date, the difference and the percentage; a total under income and under expenses, and the
    result (收支结余)."""
    version = c["version"]
    heading = [
        f"单位：{c['entity']['name']}（{c['entity']['code']}）",
        f"截至：{c['through']}",
        "计划："
        + (
            f"第{version['version']}版（{version['approved_on']} 决议通过）"
            if version
            else "期末尚无通过的财务计划"
        ),
        "金额单位：元",
    ]
    header = [
        "项目",
        "科目",
        "全年计划",
        *c["month_labels"],
        "本年累计",
        "差额（计划−累计）",
        "完成%",
    ]
    rows: list[list[Any]] = []
    bold: set[int] = set()

    def figures(f: dict[str, Any]) -> list[Any]:
        return [
            _number(f["plan"]),
            *(_number(m) for m in f["months"]),
            _number(f["ytd"]),
            _number(f["difference"]),
            _percent(f["percent"]),
        ]

    for kind, label in (("income", "收入"), ("expense", "支出")):
        bold.add(len(rows))
        rows.append([label])
        for line in c[kind]["lines"]:
            name = line["name"] + ("（超出计划）" if line["over"] else "")
            rows.append([name, line["accounts"], *figures(line)])
        bold.add(len(rows))
        rows.append([f"{label}合计", "", *figures(c[kind]["total"])])
    bold.add(len(rows))
    result = c["result"]
    rows.append(
        ["收支结余（收入−支出）", "", _number(result["plan"])]
        + [""] * len(c["months"])
        + [_number(result["ytd"])]
    )
    return table_workbook(
        c["title"],
        heading,
        [header],
        rows,
        bold_rows=frozenset(bold),
        widths=(22, 14, 14, *([12] * len(c["months"])), 14, 16, 9),
    )


def sheet_rows(part: dict[str, Any]) -> tuple[list[str], list[list[Any]], list[Any]]:
    """The worksheet 财务计划 of a 三公开 sheet: headers, rows, the result row."""
    headers = ["类别", "项目", "全年计划", "本期实际", "本年累计", "差额（计划−累计）", "完成%"]
    rows: list[list[Any]] = []
    for kind, label in (("income", "收入"), ("expense", "支出")):
        for line in part[kind]["lines"]:
            rows.append(
                [
                    label,
                    line["name"],
                    _number(line["plan"]),
                    _number(line["period"]),
                    _number(line["ytd"]),
                    _number(line["difference"]),
                    _percent(line["percent"]),
                ]
            )
        t = part[kind]["total"]
        rows.append(
            [
                f"{label}合计",
                "",
                _number(t["plan"]),
                _number(t["period"]),
                _number(t["ytd"]),
                _number(t["difference"]),
                _percent(t["percent"]),
            ]
        )
    result = part["result"]
    total = [
        "收支结余",
        "",
        _number(result["plan"]),
        _number(result["period"]),
        _number(result["ytd"]),
    ]
    return headers, rows, total
