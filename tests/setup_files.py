"""科目余额表 files for the tests of 建账 (``domain/books/setup.py``, ``adapters/balance_files``):
a village's trial balance as of 2026-07-01, its year begun on 2026-01-01.

January to June, as the figures below add up: 经营收入 ¥40,000 and 其他收入 ¥20,000 into the
bank; ¥5,000 drawn as cash; 管理费用 ¥4,500 in cash, ¥7,500 from the bank and ¥2,000 of
depreciation; 张三 repaid ¥3,000 of what he owed (113 内部往来); 2025's income distributed,
¥10,000 (借 32201 / 贷 211, then paid from the bank). The year began with ¥302,000 of money, ¥8,000
owed by two households, a ¥50,000 fixed asset depreciated by ¥10,000, ¥250,000 of capital,
¥60,000 of reserves and ¥40,000 of undistributed income."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from adapters.balance_template import TEMPLATE_HEADER
from adapters.register_files import to_xlsx

# code, name, 年初借, 年初贷, 本年累计借, 本年累计贷, 期初借, 期初贷 (as of 2026-07-01)
ROWS: tuple[tuple[str, ...], ...] = (
    ("101", "库存现金", "2000.00", "", "5000.00", "4500.00", "2500.00", ""),
    ("102", "银行存款", "300000.00", "", "63000.00", "22500.00", "340500.00", ""),
    ("113", "内部往来", "8000.00", "", "", "3000.00", "5000.00", ""),
    ("11301", "张三", "5000.00", "", "", "3000.00", "2000.00", ""),
    ("11302", "李四", "3000.00", "", "", "", "3000.00", ""),
    ("151", "固定资产", "50000.00", "", "", "", "50000.00", ""),
    ("152", "累计折旧", "", "10000.00", "", "2000.00", "", "12000.00"),
    ("211", "应付款", "", "", "10000.00", "10000.00", "", ""),
    ("301", "资本", "", "250000.00", "", "", "", "250000.00"),
    ("311", "公积公益金", "", "60000.00", "", "", "", "60000.00"),
    ("322", "收益分配", "", "40000.00", "10000.00", "", "", "30000.00"),
    ("32201", "各项分配", "", "", "10000.00", "", "10000.00", ""),
    ("32202", "未分配收益", "", "40000.00", "", "", "", "40000.00"),
    ("501", "经营收入", "", "", "", "40000.00", "", "40000.00"),
    ("504", "其他收入", "", "", "", "20000.00", "", "20000.00"),
    ("513", "管理费用", "", "", "14000.00", "", "14000.00", ""),
    ("", "合计", "360000.00", "360000.00", "102000.00", "102000.00", "422000.00", "422000.00"),
)


def rows_with(changes: dict[str, dict[int, str]]) -> list[list[str]]:
    """``ROWS`` with some cells changed: code → column index → new text."""
    found = []
    for row in ROWS:
        cells = list(row)
        for index, value in changes.get(row[0], {}).items():
            cells[index] = value
        found.append(cells)
    return found


def balance_file(rows: Sequence[Sequence[Any]] | None = None, *, title: bool = True) -> bytes:
    """The 科目余额表 as a workbook (text cells, as ``rendering.spreadsheets`` writes them)."""
    head: list[list[Any]] = [["仉家村科目余额表（2026年7月1日建账）"]] if title else []
    body = [list(r) for r in (rows if rows is not None else ROWS)]
    return to_xlsx([*head, list(TEMPLATE_HEADER), *body])


def with_formula(cell: str, formula: str) -> bytes:
    """The 科目余额表 with a real formula cell (openpyxl writes ``=…`` text as a formula)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(TEMPLATE_HEADER))
    for row in ROWS:
        sheet.append([row[0], row[1], *(float(x) if x else None for x in row[2:])])
    sheet[cell] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
