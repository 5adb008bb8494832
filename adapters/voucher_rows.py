"""Reading a voucher spreadsheet (XLSX, CSV; the layout is described in
``adapters.voucher_files``): the header row found among the first rows, its columns by any of
their accepted names, dates and amounts parsed, and consecutive rows with the same key grouped
into vouchers, every problem named by row and column. Also what reading any voucher file gives
(``VoucherFile`` with its ``FileProblem`` s and where each voucher came from), which the JSON
Lines reader of ``adapters.voucher_files`` gives too."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters import upload_checks
from domain.bulk import Voucher, VoucherProblem
from ledger.money import written_amount

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


# -- spreadsheets -------------------------------------------------------------------------------


def xlsx_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
    """Checked before openpyxl opens it, and read with bounds (``adapters.upload_checks``);
    a refusal is one sentence in Chinese."""
    return upload_checks.sheet_rows(data, VoucherFileError, MAX_ROWS + HEADER_SEARCH)


def csv_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
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


def column_letter(index: int) -> str:
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


def parse_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], entity: str | None, *, letters: bool
) -> VoucherFile:
    index, labels, rest = _find_header(rows)
    columns = {
        name: f"{labels[name]} ({column_letter(i)})" if letters else labels[name]
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
