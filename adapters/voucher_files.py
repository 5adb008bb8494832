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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from adapters import upload_checks
from domain.bulk import Voucher, VoucherProblem
from ledger.money import written_amount
from rendering import spreadsheets

FORMATS = ("xlsx", "csv", "jsonl")

COLUMNS: dict[str, tuple[str, ...]] = {
    "entity": ("单位代码", "单位", "核算单位", "账套", "entity"),
    "date": ("日期", "凭证日期", "记账日期", "date"),
    "voucher": ("凭证号", "凭证编号", "voucher"),
    "memo": ("摘要", "memo"),
    "account": ("科目代码", "科目编码", "account"),
    "account_name": ("科目名称", "account_name"),
    "debit": ("借方", "借方金额", "debit"),
    "credit": ("贷方", "贷方金额", "credit"),
}
REQUIRED = ("date", "memo", "account", "debit", "credit")
HEADER = ("单位代码", "日期", "凭证号", "摘要", "科目代码", "科目名称", "借方", "贷方")
TOTAL_ROWS = ("合计", "小计", "总计")
HEADER_SEARCH = 10  # rows looked at for the header (a title may stand above it)
MAX_ROWS = 300_000


class VoucherFileError(Exception):
    """The file cannot be read at all (not XLSX/CSV/JSONL, no header): one line."""


@dataclass(frozen=True)
class FileProblem:
    """A problem at a place of the file: ``row`` (a line for JSON Lines), ``column`` as the
    file names it (``借方 (G)``, ``postings[1].amount``; None for the whole row), and what."""

    row: int
    column: str | None
    message: str
    kind: str = "validation"

    def line(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class Located:
    """Where one voucher came from: its first row and each posting's row, and the column names
    of the file (a field → the column as the file names it)."""

    first_row: int
    posting_rows: list[int]
    posting_columns: list[dict[str, str]] = field(default_factory=list)


@dataclass
class VoucherFile:
    """A file read: its vouchers, where each came from, and the problems found reading it."""

    vouchers: list[Voucher]
    located: list[Located]
    problems: list[FileProblem]
    columns: dict[str, str]  # field → the column as the file names it
    spreadsheet: bool = True

    def locate(self, problem: VoucherProblem) -> FileProblem:
        """A domain problem of voucher ``problem.voucher`` at its row and column."""
        where = self.located[problem.voucher]
        name = problem.field or ""
        match = re.match(r"postings\[(\d+)\](?:\.(\w+))?$", name)
        if match and int(match.group(1)) < len(where.posting_rows):
            index = int(match.group(1))
            part = match.group(2) or ""
            columns = where.posting_columns[index] if where.posting_columns else {}
            column = columns.get(part) or self.columns.get(part) or name
            return FileProblem(where.posting_rows[index], column, problem.message, problem.kind)
        whole: str | None = self.columns.get(name, name or None)
        if self.spreadsheet and name in ("postings", "") and where.posting_rows:
            whole = f"{self.columns['side']}, rows {where.first_row}–{where.posting_rows[-1]}"
        return FileProblem(where.first_row, whole, problem.message, problem.kind)


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
        rows = _xlsx_rows(data)
        letters = True
    elif kind == "csv":
        rows = _csv_rows(data)
        letters = False
    else:
        raise VoucherFileError(f"unknown voucher file format {kind!r}; use one of {FORMATS}")
    return _parse_rows(rows, entity, letters=letters)


# -- spreadsheets -------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
    """Checked before openpyxl opens it, and read with bounds (``adapters.upload_checks``);
    a refusal is one sentence in Chinese."""
    return upload_checks.sheet_rows(data, VoucherFileError, MAX_ROWS + HEADER_SEARCH)


def _csv_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
    upload_checks.check_csv(data, VoucherFileError)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on a Chinese Windows saves GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise VoucherFileError("the CSV file is neither UTF-8 nor GB18030 text")
    return upload_checks.csv_rows(text, VoucherFileError, MAX_ROWS + HEADER_SEARCH)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _find_header(
    rows: Iterable[tuple[int, Sequence[Any]]],
) -> tuple[dict[str, int], dict[str, str], Iterable[tuple[int, Sequence[Any]]]]:
    aliases = {alias.lower(): name for name, names in COLUMNS.items() for alias in names}
    iterator = iter(rows)
    for number, row in iterator:
        found: dict[str, int] = {}
        texts: dict[str, str] = {}
        for index, cell in enumerate(row):
            label = str(cell).strip() if cell is not None else ""
            name = aliases.get(label.lower())
            if name is not None and name not in found:
                found[name] = index
                texts[name] = label
        if "account" in found and "date" in found:
            return found, texts, iterator
        if number >= HEADER_SEARCH:
            break
    raise VoucherFileError(
        "no header row found in the first rows: the columns are named 日期, 凭证号, 摘要, "
        "科目代码, 借方, 贷方 (and 单位代码, unless --entity is given); download the template "
        "with `lianzhang import-vouchers --template vouchers.xlsx`"
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any) -> datetime.date:
    """A date cell: an Excel date, or text such as 2025-01-05, 2025/1/5, 2025年1月5日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if text.endswith(" 00:00:00"):
        text = text[: -len(" 00:00:00")]
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValueError(f"{text!r} is not a date; write it like 2025-01-05, 2025/1/5 or 2025年1月5日")


def parse_amount(value: Any) -> str | None:
    """An amount cell as a decimal string (None when blank or 0). Excel keeps numbers as
    binary floats: one within a millionth of a yuan of two decimals is that amount (12.3 is
    12.30); anything else is refused, never rounded."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
        cents = number.quantize(Decimal("0.01"))
        if abs(number - cents) > Decimal("0.000001"):
            raise ValueError(
                f"{value!r} has more than two decimal places; an amount is in yuan and fen"
            )
        number = cents
    else:
        text = written_amount(str(value))
        if not text:
            return None
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(f"{str(value).strip()!r} is not an amount; write it like 1200.00")
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
            raise ValueError(f"{text!r} is not an amount") from None
    if number == 0:
        return None
    return str(number)


def _parse_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], entity: str | None, *, letters: bool
) -> VoucherFile:
    index, labels, rest = _find_header(rows)
    columns = {
        name: f"{labels[name]} ({_letter(i)})" if letters else labels[name]
        for name, i in index.items()
    }
    problems: list[FileProblem] = []
    missing = [n for n in REQUIRED if n not in index]
    if "entity" not in index and entity is None:
        missing.insert(0, "entity")
    if missing:
        names = ", ".join(COLUMNS[n][0] for n in missing)
        raise VoucherFileError(
            f"the header row has no column {names}"
            + (" (or give --entity CODE)" if "entity" in missing else "")
        )
    columns["entity"] = columns.get("entity", "--entity")
    columns["side"] = f"{columns['debit']}/{columns['credit']}"
    columns["amount"] = columns["side"]
    columns["postings"] = columns["side"]
    by_voucher = "voucher" in index

    def cell(row: Sequence[Any], name: str) -> Any:
        i = index.get(name)
        return row[i] if i is not None and i < len(row) else None

    vouchers: list[Voucher] = []
    located: list[Located] = []
    current: dict[str, Any] | None = None
    seen: dict[tuple[str, str, str], int] = {}
    above: dict[str, Any] = {"entity": entity, "date": None, "voucher": ""}
    count = 0

    def close() -> None:
        nonlocal current
        if current is not None and not current["bad"]:
            vouchers.append(
                Voucher(
                    entity=current["entity"],
                    date=current["date"],
                    memo=current["memo"],
                    postings=tuple(current["postings"]),
                )
            )
            located.append(current["where"])
        current = None

    for number, row in rest:
        if all(_text(c) == "" for c in row):
            continue
        count += 1
        if count > MAX_ROWS:
            raise VoucherFileError(f"more than {MAX_ROWS:,} rows; split the file")
        account = _text(cell(row, "account"))
        memo = _text(cell(row, "memo"))
        if not account and any(memo.startswith(t) for t in TOTAL_ROWS):
            continue
        row_problems: list[FileProblem] = []
        code = _text(cell(row, "entity")) or above["entity"]
        if entity is not None and "entity" in index and code and code != entity:
            row_problems.append(
                FileProblem(
                    number,
                    columns["entity"],
                    f"this row is for {code}, but --entity {entity} was given",
                )
            )
        if not code:
            row_problems.append(
                FileProblem(number, columns["entity"], "the entity (单位代码) is empty")
            )
        raw_date = cell(row, "date")
        day = above["date"]
        if _text(raw_date):
            try:
                day = parse_date(raw_date)
            except ValueError as error:
                row_problems.append(FileProblem(number, columns["date"], str(error)))
                day = None
        elif day is None:
            row_problems.append(FileProblem(number, columns["date"], "the date (日期) is empty"))
        mark = _text(cell(row, "voucher")) or above["voucher"]
        above = {"entity": code, "date": day, "voucher": mark}
        key = (code, day.isoformat() if day else f"?{number}", mark if by_voucher else "")
        new = (
            current is None
            or key != current["key"]
            or (not by_voucher and memo and memo != current["memo"])
        )
        if new:
            close()
            if by_voucher and key in seen:
                row_problems.append(
                    FileProblem(
                        number,
                        columns["voucher"],
                        f"voucher {mark} of {key[1]} ({code}) began at row {seen[key]} and "
                        "comes back here after other rows; keep a voucher's rows together",
                    )
                )
            seen.setdefault(key, number)
            if not memo:
                row_problems.append(
                    FileProblem(number, columns["memo"], "the first row of a voucher needs a 摘要")
                )
            current = {
                "key": key,
                "entity": code,
                "date": day,
                "memo": memo,
                "postings": [],
                "where": Located(first_row=number, posting_rows=[]),
                "bad": False,
            }
        assert current is not None
        if not account:
            row_problems.append(
                FileProblem(number, columns["account"], "the account (科目代码) is empty")
            )
        amounts: dict[str, str | None] = {}
        for side in ("debit", "credit"):
            try:
                amounts[side] = parse_amount(cell(row, side))
            except ValueError as error:
                row_problems.append(FileProblem(number, columns[side], str(error)))
                amounts[side] = "?"
        given = [side for side, amount in amounts.items() if amount is not None]
        if not given:
            row_problems.append(
                FileProblem(number, columns["side"], "the row has no amount in 借方 or 贷方")
            )
        elif len(given) == 2 and "?" not in amounts.values():
            row_problems.append(
                FileProblem(
                    number,
                    columns["side"],
                    "the row has an amount in both 借方 and 贷方; one row is one posting",
                )
            )
        if row_problems:
            problems.extend(row_problems)
            current["bad"] = True
            continue
        side = given[0]
        current["postings"].append(
            {
                "account": account,
                "side": side,
                "amount": amounts[side],
                "memo": memo if memo and memo != current["memo"] else "",
            }
        )
        current["where"].posting_rows.append(number)
        current["where"].posting_columns.append(
            {
                "amount": columns[side],
                "side": columns[side],
                "account": columns["account"],
                "memo": columns["memo"],
            }
        )
    close()
    if not vouchers and not problems:
        problems.append(FileProblem(1, None, "the file has no voucher rows under its header"))
    return VoucherFile(vouchers, located, problems, columns)


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
    "凭证号只用来把行分组：记账时系统按年度重新编号（YYYY-NNNN）。",
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
            sheet_.column_dimensions[_letter(index)].width = width
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
