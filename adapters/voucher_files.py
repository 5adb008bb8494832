"""Voucher files a township clerk keeps (XLSX, CSV) or an integration writes (JSON Lines), read
into :class:`domain.bulk.Voucher` s, with every problem named by row and column.

The row format (one posting per row, as 用友 / 金蝶 voucher exports and the 三资 platforms'
templates have it). The header row is the first row that names the columns; the columns may
stand in any order, extra columns are ignored:

=========  =======================================  ===========================================
column     also accepted                            what it holds
=========  =======================================  ===========================================
单位代码    单位, 核算单位, 账套, entity               the village or joint entity (code); may be
                                                    left out with ``--entity CODE``
日期        凭证日期, 记账日期, date                    2025-01-05, 2025/1/5, 2025年1月5日, 20250105
                                                    or an Excel date
凭证号      凭证编号, voucher                          the clerk's own number: it only groups rows;
                                                    the books number vouchers themselves
摘要        memo                                      the voucher's 摘要 (with a 凭证号 column, a
                                                    row's own 摘要 that differs becomes that
                                                    posting's memo)
科目代码    科目编码, account                          a chart code or an opened sub-account
科目名称    account_name                              for the reader; not checked
借方        借方金额, debit                            the amount, when the row is a debit
贷方        贷方金额, credit                           the amount, when the row is a credit
=========  =======================================  ===========================================

A voucher is a run of consecutive rows with the same key: (单位代码, 日期, 凭证号), or
(单位代码, 日期, 摘要) when the file has no 凭证号 column (then two vouchers of one day with the
same 摘要 next to each other are one voucher: give them 凭证号 to keep them apart). A blank
单位代码, 日期 or 凭证号 cell repeats the row above (continuation rows of a voucher are usually
left blank), and a blank 摘要 is the voucher's. With a 凭证号 column, a key that comes back
after other rows is a mistake (a voucher's rows stay together). Each row has an amount in
exactly one of 借方 and 贷方 (a 0 in the other is fine); amounts may carry thousands
separators (1,200.00). Blank rows and a closing 合计 / 小计 row without an account are skipped.

JSON Lines: one voucher per line, ``{"entity": "V01", "date": "2025-01-05", "memo": "…",
"postings": [{"account": "102", "side": "debit", "amount": "100.00", "memo": ""}, …]}``, as the
API's ``POST /v1/entities/{code}/entries`` takes it plus ``entity`` (or ``--entity``).

Rows are numbered as the spreadsheet numbers them (the header is usually row 1), lines of JSON
Lines from 1.
"""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path
from typing import Any

from adapters.voucher_rows import (
    COLUMNS,
    HEADER,
    MAX_ROWS,
    FileProblem,
    Located,
    VoucherFile,
    VoucherFileError,
    column_letter,
    csv_rows,
    parse_amount,
    parse_date,
    parse_rows,
    xlsx_rows,
)
from domain.bulk import Voucher
from rendering import spreadsheets

__all__ = [
    "COLUMNS",
    "FORMATS",
    "HEADER",
    "FileProblem",
    "Located",
    "VoucherFile",
    "VoucherFileError",
    "file_format",
    "parse_amount",
    "parse_date",
    "parse_vouchers",
    "read_voucher_file",
    "voucher_from_json",
    "write_template",
]

FORMATS = ("xlsx", "csv", "jsonl")


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    raise VoucherFileError(
        f"{name}: a voucher file is .xlsx, .csv or .jsonl (JSON Lines); {suffix or 'no suffix'} "
        "is not read"
    )


def read_voucher_file(path: str | Path, *, entity: str | None = None) -> VoucherFile:
    """Read the vouchers of ``path`` (its suffix says the format)."""
    kind = file_format(str(path))
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise VoucherFileError(f"cannot read {path}: {error.strerror}") from None
    return parse_vouchers(data, kind, entity=entity)


def parse_vouchers(data: bytes, kind: str, *, entity: str | None = None) -> VoucherFile:
    """Read vouchers from the bytes of a file of ``kind`` (xlsx, csv or jsonl)."""
    if kind == "jsonl":
        return _parse_jsonl(data, entity)
    if kind == "xlsx":
        rows = xlsx_rows(data)
        letters = True
    elif kind == "csv":
        rows = csv_rows(data)
        letters = False
    else:
        raise VoucherFileError(f"unknown voucher file format {kind!r}; use one of {FORMATS}")
    return parse_rows(rows, entity, letters=letters)


# -- JSON Lines ---------------------------------------------------------------------------------

JSONL_COLUMNS = {"entity": "entity", "date": "date", "memo": "memo", "postings": "postings"}


def _parse_jsonl(data: bytes, entity: str | None) -> VoucherFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VoucherFileError("a JSON Lines file is UTF-8 text") from None
    vouchers: list[Voucher] = []
    located: list[Located] = []
    problems: list[FileProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if number > MAX_ROWS:
            raise VoucherFileError(f"more than {MAX_ROWS:,} lines; split the file")
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(FileProblem(number, None, f"not valid JSON ({error.msg})"))
            continue
        found = voucher_from_json(value, entity)
        if isinstance(found, Voucher):
            vouchers.append(found)
            rows = [number] * len(found.postings)
            located.append(Located(first_row=number, posting_rows=rows))
        else:
            problems.extend(FileProblem(number, f, m) for f, m in found)
    return VoucherFile(vouchers, located, problems, dict(JSONL_COLUMNS), spreadsheet=False)


def voucher_from_json(value: Any, entity: str | None) -> Voucher | list[tuple[str, str]]:
    """A voucher from a JSON object, or its problems as (field, message) pairs."""
    if not isinstance(value, dict):
        return [("", "a line is one voucher, a JSON object")]
    found: list[tuple[str, str]] = []
    unknown = sorted(set(value) - {"entity", "date", "memo", "postings"})
    if unknown:
        found.append((unknown[0], f"unknown field {unknown[0]!r}"))
    code = value.get("entity", entity)
    if entity is not None and code != entity:
        found.append(("entity", f"this voucher is for {code}, but --entity {entity} was given"))
    if not isinstance(code, str) or not code:
        found.append(("entity", "entity (the village or joint entity code) is missing"))
    day = None
    try:
        if not isinstance(value.get("date"), str):
            raise ValueError("date is missing; write it like 2025-01-05")
        day = datetime.date.fromisoformat(value["date"])
    except ValueError as error:
        found.append(("date", str(error)))
    memo = value.get("memo")
    if not isinstance(memo, str):
        found.append(("memo", "memo (摘要) is missing"))
    postings = value.get("postings")
    if not isinstance(postings, list) or not all(isinstance(p, dict) for p in postings):
        found.append(("postings", "postings is a list of {account, side, amount, memo}"))
    else:
        for i, posting in enumerate(postings):
            extra = sorted(set(posting) - {"account", "side", "amount", "memo"})
            if extra:
                found.append((f"postings[{i}].{extra[0]}", f"unknown field {extra[0]!r}"))
            if not isinstance(posting.get("amount"), str):
                found.append(
                    (
                        f"postings[{i}].amount",
                        'amounts are written as strings with two decimals, e.g. "1200.00"',
                    )
                )
    if found:
        return found
    assert isinstance(code, str) and isinstance(memo, str) and day is not None
    assert isinstance(postings, list)
    return Voucher(
        entity=code,
        date=day,
        memo=memo,
        postings=tuple({"memo": "", **p} for p in postings),
    )


# -- the template -------------------------------------------------------------------------------

EXAMPLE = (
    ("V01", "2025-01-05", "1", "收到土地承包费", "102", "银行存款", "12000.00", ""),
    ("", "", "", "", "504", "其他收入", "", "12000.00"),
    ("V01", "2025-01-08", "2", "支付办公用品费", "513", "管理费用", "356.50", ""),
    ("", "", "", "", "101", "库存现金", "", "356.50"),
)

RULES = (
    "每行一笔分录：借方或贷方只填一个金额（另一栏留空或填0）。",
    "同一张凭证的各行连续排列，单位代码、日期、凭证号相同；续行可以留空，沿用上一行。",
    "凭证号只用来把行分组：记账时系统按本乡镇的编号方式重新编号"
    "（按月按凭证字，如 2026年7月 记字第3号；或按年）。",
    "摘要写在凭证第一行；续行的摘要不同时作为该分录的摘要。",
    "科目代码用《农村集体经济组织会计制度》（2023）的科目或已开设的明细科目。",
    "日期写成 2025-01-05、2025/1/5 或 2025年1月5日；金额最多两位小数，可带千分位逗号。",
    "导入前整份文件逐行检查（借贷平衡、科目、已结账月份、现金不得为负等）；有任何一行"
    "出错则一行也不写入，并列出每个错误所在的行和列。",
    "只读第一张工作表；本说明和示例不会被导入。",
)


def write_template(path: str | Path) -> None:
    """A blank voucher file to fill in: XLSX (the header, an instructions sheet and an example
    sheet, printable on A4 landscape) or, for a ``.csv`` path, the header line."""
    path = Path(path)
    if file_format(str(path)) == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerow(spreadsheets.csv_row(HEADER))
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "凭证"
    widths = (12, 12, 8, 30, 12, 18, 14, 14)
    for sheet_ in (sheet, workbook.create_sheet("示例")):
        sheet_.append(list(HEADER))
        for index, width in enumerate(widths):
            sheet_.column_dimensions[column_letter(index)].width = width
        for cell in sheet_[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        sheet_.freeze_panes = "A2"
        sheet_.page_setup.orientation = "landscape"
        sheet_.page_setup.paperSize = sheet_.PAPERSIZE_A4
        sheet_.print_title_rows = "1:1"
    example = workbook["示例"]
    for row in EXAMPLE:
        example.append(list(row))
    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 100
    notes.append(["记账凭证导入说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for rule in RULES:
        notes.append([rule])
    notes.append([])
    notes.append(["列名（可用英文）：" + "；".join(f"{v[0]} / {v[-1]}" for v in COLUMNS.values())])
    spreadsheets.save(workbook, path)
