"""The 科目余额表 a clerk fills in for 建账 (``adapters.balance_files`` reads it): the header,
an example of books set up on 2026-07-01 and the rules, printable on A4 landscape."""

from __future__ import annotations

from decimal import Decimal

from adapters.balance_columns import letter
from rendering import spreadsheets

TEMPLATE_HEADER = (
    "科目编码",
    "科目名称",
    "年初余额借方",
    "年初余额贷方",
    "本年累计借方",
    "本年累计贷方",
    "期初余额借方",
    "期初余额贷方",
)

# -- the template -------------------------------------------------------------------------------

EXAMPLE = (
    ("101", "库存现金", "2000.00", "", "5000.00", "4500.00", "2500.00", ""),
    ("102", "银行存款", "300000.00", "", "63000.00", "12500.00", "350500.00", ""),
    ("113", "内部往来", "8000.00", "", "", "3000.00", "5000.00", ""),
    ("11301", "张三", "5000.00", "", "", "3000.00", "2000.00", ""),
    ("11302", "李四", "3000.00", "", "", "", "3000.00", ""),
    ("301", "资本", "", "250000.00", "", "", "", "250000.00"),
    ("311", "公积公益金", "", "60000.00", "", "", "", "60000.00"),
    ("501", "经营收入", "", "", "", "40000.00", "", "40000.00"),
    ("504", "其他收入", "", "", "", "20000.00", "", "20000.00"),
    ("513", "管理费用", "", "", "12000.00", "", "12000.00", ""),
    ("", "合计", "310000.00", "310000.00", "80000.00", "80000.00", "370000.00", "370000.00"),
)

RULES = (
    "一行一个科目：一级科目（三位数，如 101、113、501）和它下面的明细科目（如 11301、113001）；"
    "明细科目在建账时按编码和名称开设。",
    "年初余额：今年1月1日的余额；本年累计：1月1日到建账日前一天的借方、贷方发生额；"
    "期初余额：建账日（某月1日）的余额。",
    "每个科目应有 年初余额 + 本年累计借方 − 本年累计贷方 = 期初余额。",
    "1月1日建账时本年累计为零，年初余额就是期初余额。",
    "有明细科目的一级科目，各列应等于明细科目之和（只作核对，余额记在明细科目上）。",
    "年初余额、本年累计、期初余额各自借方合计应等于贷方合计。",
    "收入、支出科目（5 字头）的期初余额就是本年累计（年终结转前不结转到 321 本年收益）；"
    "321 本年收益 不应有本年累计。",
    "金额写数字，最多两位小数，可带千分位逗号；不要用公式（请“选择性粘贴—数值”）。",
    "也可直接上传三资平台导出的科目余额表：期初余额（1月1日）、本年累计、期末余额（建账日）各列，"
    "表头可以是两行（年初余额下分借方、贷方）。",
    "只读第一张工作表；合计行、空行会跳过；本说明和示例不会被导入。",
    "建账后，建账日以后已在原平台记的凭证用“导入—记账凭证”补录。",
)


def template_xlsx() -> bytes:
    """The 科目余额表 to fill in for 建账: the header, an example (as of 2026-07-01) and the
    rules, printable on A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "科目余额表"
    widths = (12, 20, 15, 15, 15, 15, 15, 15)
    for sheet_ in (sheet, workbook.create_sheet("示例")):
        sheet_.append(list(TEMPLATE_HEADER))
        for index, width in enumerate(widths):
            sheet_.column_dimensions[letter(index)].width = width
        for cell in sheet_[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        sheet_.freeze_panes = "A2"
        sheet_.page_setup.orientation = "landscape"
        sheet_.page_setup.paperSize = sheet_.PAPERSIZE_A4
        sheet_.print_title_rows = "1:1"
    example = workbook["示例"]
    for row in EXAMPLE:
        example.append([row[0], row[1], *(Decimal(x) if x else None for x in row[2:])])
    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 110
    notes.append(["建账科目余额表说明（示例为 2026-07-01 建账）"])
    notes["A1"].font = Font(bold=True, size=14)
    for rule in RULES:
        notes.append([rule])
    return spreadsheets.workbook_bytes(workbook)
