"""Bank statements (银行对账单) as banks export them, CSV or XLSX, read into a
:class:`domain.bank.statements.Statement`.

Each bank names its columns its own way, so a statement is read through a **format**: which
column holds each field (``FIELDS``: 交易日期, 收入金额, 支出金额 or one signed 交易金额, or an
amount and a 借贷方向, 余额, 对方户名, 凭证号/流水号, 摘要). The common exports are named
templates (``TEMPLATES``: 农商银行, 农信社, 工行, 农行, 中行, 建行; made-up samples of each in
``tests/data/bank``), recognised by their headings; any other export is mapped once by a clerk
(the workbench's import page) and the mapping is remembered for that bank
(``domain.bank.StatementFormats``), then found like a template.

A trap of every Chinese bank statement: the bank keeps the account as its liability, so its
**借方 is money out** (支出, 支取) and its **贷方 money in** (收入, 存入) — the other way round from
the village's own 102. The templates say so; a mapping names 收入 and 支出 columns, never 借/贷.

What stands above the headings is read too: the account number (账号, a refusal when it is
another account's), the holder (户名), the period (起止日期 2026-10-01 至 2026-10-31) and the
opening balance (期初余额, 上期余额); below the lines, the closing balance (期末余额) and the
totals row (合计, skipped). Dates may be written 2026-10-08, 2026/10/08, 20261008, 2026年10月8日,
with a time after them, or be Excel dates; amounts may carry thousands separators.

Files are checked before they are parsed (``adapters.upload_checks``: an XLSX's inflated size,
entity declarations, its row width; a CSV's size and fields; openpyxl reads with defusedxml).
Problems are named by row, in Chinese.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from adapters import upload_checks
from adapters.bank_formats import TEMPLATES, columns_problem
from domain.bank.statements import MAX_LINES, Statement, StatementLine

MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH = 30  # rows above the headings (a bank's title, account, period …)
MAX_TEXT = 200

ESSENTIAL = frozenset({"date", "amount_in", "amount_out", "amount", "direction"})
FOOTER_WORDS = ("合计", "小计", "总计", "期末余额", "本期余额")
OUT_WORDS = ("借", "支", "出", "付", "D", "DR", "-")
IN_WORDS = ("贷", "收", "入", "存", "C", "CR", "+")


class BankFileError(Exception):
    """The file cannot be read as a statement at all: one sentence in Chinese."""


class MappingNeeded(BankFileError):
    """No template or remembered format fits the file: ``headings`` are the column headings of
    the row that looks like the header, for the clerk to map."""

    def __init__(self, message: str, headings: list[str]) -> None:
        super().__init__(message)
        self.headings = headings


@dataclass
class RowProblem:
    row: int
    column: str | None
    message: str


@dataclass
class ParsedStatement:
    """A statement file read: the format it was read with (a template's name, or ``mapped``),
    the columns (field → heading), its lines, what the rows above and below them say, and the
    problems of its rows."""

    format: str
    columns: dict[str, str]
    lines: list[StatementLine] = field(default_factory=list)
    account_number: str | None = None
    holder: str | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    opening: str | None = None
    closing: str | None = None
    problems: list[RowProblem] = field(default_factory=list)
    header_row: int = 0

    def statement(
        self,
        *,
        file_name: str = "",
        digest: str = "",
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> Statement:
        """The statement to import (``start`` / ``end``: the clerk's period, else the file's,
        else ``default_period``)."""
        first, last = default_period(self)
        return Statement(
            lines=tuple(self.lines),
            start=start or first,
            end=end or last,
            opening=self.opening,
            closing=self.closing,
            account_number=self.account_number,
            file_name=file_name[:200],
            digest=digest,
            format=self.format,
        )

    @property
    def total_in(self) -> Decimal:
        return sum((Decimal(x.amount) for x in self.lines if Decimal(x.amount) > 0), Decimal(0))

    @property
    def total_out(self) -> Decimal:
        return sum((-Decimal(x.amount) for x in self.lines if Decimal(x.amount) < 0), Decimal(0))


def default_period(
    parsed: ParsedStatement,
) -> tuple[datetime.date | None, datetime.date | None]:
    """The period the file states; else, when every line falls in one month, that month; else
    the first and last lines' days."""
    if parsed.start and parsed.end:
        return parsed.start, parsed.end
    days = [line.date for line in parsed.lines]
    if not days:
        return parsed.start, parsed.end
    first, last = min(days), max(days)
    if (first.year, first.month) == (last.year, last.month):
        following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first.replace(day=1), following - datetime.timedelta(days=1)
    return first, last


# -- cells --------------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\D|$)")


def text(value: Any) -> str:
    """A cell as one line of text, control characters made spaces, at most ``MAX_TEXT``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(_CONTROL.sub(" ", str(value)).split())[:MAX_TEXT]


def cell_date(value: Any) -> datetime.date:
    """A date cell (an Excel date, or text with or without a time); ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    written = text(value)
    match = _DATE.match(written) or _COMPACT.match(written)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(f"“{written[:30]}”不是日期")


def cell_amount(value: Any) -> Decimal | None:
    """An amount cell (None when blank, 0 or a dash); ValueError when it is not an amount or
    has more than two decimals. Excel's floats within a millionth of two decimals are read as
    those two decimals."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
        cents = number.quantize(Decimal("0.01"))
        if abs(number - cents) > Decimal("0.000001"):
            raise ValueError(f"{value!r} 超过两位小数")
        number = cents
    else:
        written = text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()
        if written in ("", "-", "--", "—"):
            return None
        negative = written.startswith("(") and written.endswith(")")
        written = written.strip("()")
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", written):
            raise ValueError(f"“{text(value)[:30]}”不是金额")
        try:
            number = Decimal(written)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise ValueError(f"“{written}”不是金额") from None
        if negative:
            number = -number
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{number} 超过两位小数")
    return None if number == 0 else number.quantize(Decimal("0.01"))


# -- rows ---------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), else GB18030 (Excel on a Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BankFileError("CSV 文件既不是 UTF-8 也不是 GBK 编码")  # pragma: no cover


def file_kind(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("csv", "txt"):
        return "csv"
    raise BankFileError(
        f"对账单文件应为 .xlsx 或 .csv，不是 .{suffix or '（无扩展名）'}；"
        "老式 .xls 请用 Excel 另存为 .xlsx"
    )


def rows_of(data: bytes, kind: str) -> list[tuple[int, Sequence[Any]]]:
    """The rows of the file (numbered from 1), bounded and checked (``upload_checks``)."""
    if len(data) > MAX_BYTES:
        raise BankFileError(f"文件太大：最多 {MAX_BYTES >> 20} MB，请按月分开导出")
    limit = MAX_LINES + HEADER_SEARCH + 20
    if kind == "xlsx":
        return list(upload_checks.sheet_rows(data, BankFileError, limit))
    upload_checks.check_csv(data, lambda m: BankFileError("CSV 文件太大，请按月分开导出"))
    try:
        return list(upload_checks.csv_rows(decode(data), BankFileError, limit))
    except BankFileError as error:
        message = str(error)
        raise BankFileError(
            message if not message.isascii() else f"CSV 文件读不出来（{message[:80]}）"
        ) from None


def _texts(row: Sequence[Any]) -> list[str]:
    return [text(cell) for cell in row]


def _find_header(
    rows: list[tuple[int, Sequence[Any]]], columns: Mapping[str, str]
) -> tuple[int, dict[str, int]] | None:
    """The index (into ``rows``) of the row holding the headings of the date and the amounts
    of ``columns``, with the column of each field found there (the others, such as 对方户名,
    are read when the row has them)."""
    wanted = {f: h for f, h in columns.items() if h}
    needed = {f for f in wanted if f in ESSENTIAL}
    for index, (_, row) in enumerate(rows[:HEADER_SEARCH]):
        cells = _texts(row)
        found = {f: cells.index(h) for f, h in wanted.items() if h in cells}
        if needed <= set(found):
            return index, found
    return None


def header_candidates(rows: list[tuple[int, Sequence[Any]]]) -> list[str]:
    """The headings of the row that most looks like the header (the most filled cells among
    those naming a date), for a clerk to map."""
    best: list[str] = []
    for _, row in rows[:HEADER_SEARCH]:
        cells = [c for c in _texts(row) if c]
        if any("日期" in c or "时间" in c for c in cells) and len(cells) > len(best):
            best = cells
    return best


_ACCOUNT = re.compile(r"(?:账号|帐号|账户号码|账户|卡号)\s*[:：]?\s*([0-9][0-9 *\-]{5,40}[0-9])")
_HOLDER = re.compile(r"(?:户名|账户名称|单位名称)\s*[:：]\s*([^\s:：,，]+)")
_SPAN = re.compile(
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?|\d{8})\s*(?:至|到|~|～|—|－|-{1,2})\s*"
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?|\d{8})"
)
_DAY = r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?|\d{8})"
_FROM = re.compile(r"(?:起始日期|开始日期|起始时间)\s*[:：]?\s*" + _DAY)
_TO = re.compile(r"(?:终止日期|截止日期|结束日期|终止时间)\s*[:：]?\s*" + _DAY)
_OPENING = re.compile(r"(?:期初余额|上期余额|起始余额|上日余额)\s*[:：]?\s*(-?[\d,]+\.\d{1,2})")
_CLOSING = re.compile(r"(?:期末余额|本期余额|截止余额)\s*[:：]?\s*(-?[\d,]+\.\d{1,2})")


def _metadata(parsed: ParsedStatement, rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    """The account, holder, period and balances the rows above (or below) the lines state."""
    for _, row in rows:
        joined = " ".join(c for c in _texts(row) if c)
        if not joined:
            continue
        if parsed.account_number is None and (found := _ACCOUNT.search(joined)):
            parsed.account_number = found.group(1).replace(" ", "").replace("-", "")
        if parsed.holder is None and (found := _HOLDER.search(joined)):
            parsed.holder = found.group(1)
        if parsed.start is None and (found := _SPAN.search(joined)):
            try:
                parsed.start, parsed.end = cell_date(found.group(1)), cell_date(found.group(2))
            except ValueError:
                pass
        if parsed.start is None and (found := _FROM.search(joined)):
            ended = _TO.search(joined)
            try:
                parsed.start = cell_date(found.group(1))
                parsed.end = cell_date(ended.group(1)) if ended else None
            except ValueError:
                parsed.start = parsed.end = None
        if parsed.opening is None and (found := _OPENING.search(joined)):
            parsed.opening = found.group(1).replace(",", "")
        if found := _CLOSING.search(joined):
            parsed.closing = found.group(1).replace(",", "")


def detect(
    rows: list[tuple[int, Sequence[Any]]], remembered: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str], int, dict[str, int]]:
    """The format that reads ``rows``: the remembered mapping first, then each template.
    Raises :class:`MappingNeeded` when none fits."""
    tried: list[tuple[str, Mapping[str, str]]] = []
    if remembered:
        tried.append(("mapped", remembered))
    tried.extend((t.name, t.columns) for t in TEMPLATES.values())
    for name, columns in tried:
        found = _find_header(rows, columns)
        if found is not None:
            return name, dict(columns), found[0], found[1]
    raise MappingNeeded(
        "认不出这是哪家银行的对账单格式：请指定每个字段所在的列（只需指定一次，之后同一银行的对账单"
        "自动识别）",
        header_candidates(rows),
    )


def _direction(word: str) -> int:
    """+1 money in, −1 money out (a bank's 借 is money out), 0 unknown."""
    word = word.strip().upper()
    if word.startswith(OUT_WORDS):
        return -1
    if word.startswith(IN_WORDS):
        return 1
    return 0


def parse(
    data: bytes,
    kind: str,
    *,
    remembered: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> ParsedStatement:
    """Read a statement file of ``kind`` (``xlsx`` or ``csv``) with ``columns`` (a clerk's
    mapping) or else the format :func:`detect` finds (``remembered``: the bank's)."""
    rows = rows_of(data, kind)
    if columns:
        problem = columns_problem(columns)
        if problem:
            raise BankFileError(problem)
        found = _find_header(rows, columns)
        if found is None:
            raise MappingNeeded("文件里找不到所指定的列名", header_candidates(rows))
        name, mapping, header, index = "mapped", dict(columns), found[0], found[1]
    else:
        name, mapping, header, index = detect(rows, remembered)
    mapping = {f: mapping[f] for f in index}  # the columns this file has
    parsed = ParsedStatement(format=name, columns=mapping, header_row=rows[header][0])
    _metadata(parsed, rows[:header])
    footer: list[tuple[int, Sequence[Any]]] = []
    for number, row in rows[header + 1 :]:
        cells = list(row)
        if not any(text(c) for c in cells):
            continue

        def cell(key: str, cells: list[Any] = cells) -> Any:
            position = index.get(key)
            return cells[position] if position is not None and position < len(cells) else None

        joined = " ".join(_texts(cells))
        if footer or not text(cell("date")) or any(word in joined for word in FOOTER_WORDS):
            footer.append((number, cells))  # the totals, the closing balance and what follows
            continue
        line = _line(parsed, number, mapping, cell)
        if line is not None:
            parsed.lines.append(line)
    _metadata(parsed, footer)
    if not parsed.lines and not parsed.problems and not (parsed.start and parsed.end):
        parsed.problems.append(RowProblem(parsed.header_row, None, "表头下面没有交易"))
    return parsed


def _line(
    parsed: ParsedStatement, number: int, mapping: Mapping[str, str], cell: Any
) -> StatementLine | None:
    problems = parsed.problems
    try:
        day = cell_date(cell("date"))
    except ValueError as error:
        problems.append(RowProblem(number, mapping["date"], str(error)))
        return None
    try:
        if mapping.get("amount_in") and mapping.get("amount_out"):
            money_in, money_out = cell_amount(cell("amount_in")), cell_amount(cell("amount_out"))
            if (money_in is None) == (money_out is None):
                problems.append(
                    RowProblem(
                        number,
                        None,
                        "收入和支出应填且只填一个" if money_in else "收入和支出都是空的",
                    )
                )
                return None
            amount = money_in if money_in is not None else -money_out  # type: ignore[operator]
        else:
            value = cell_amount(cell("amount"))
            if value is None:
                problems.append(RowProblem(number, mapping["amount"], "交易金额是空的"))
                return None
            amount = value
            if mapping.get("direction"):
                sign = _direction(text(cell("direction")))
                if sign == 0:
                    problems.append(
                        RowProblem(
                            number, mapping["direction"], "借贷方向应为“借”（支出）或“贷”（收入）"
                        )
                    )
                    return None
                amount = abs(value) * sign
        balance = cell_amount(cell("balance")) if mapping.get("balance") else None
        if mapping.get("balance") and balance is None and text(cell("balance")) in ("0", "0.00"):
            balance = Decimal("0.00")
    except ValueError as error:
        problems.append(RowProblem(number, None, str(error)))
        return None
    return StatementLine(
        date=day,
        amount=f"{amount:.2f}",
        balance=None if balance is None else f"{balance:.2f}",
        counterparty=text(cell("counterparty")),
        reference=text(cell("reference")),
        memo=text(cell("memo")),
        row=number,
    )


def read(
    path: str | Path,
    *,
    remembered: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[ParsedStatement, bytes]:
    """Read the statement file at ``path`` (its suffix says the kind); answers the parse and
    the file's bytes (for its digest)."""
    kind = file_kind(str(path))
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise BankFileError(f"读不到文件 {path}：{error.strerror}") from None
    return parse(data, kind, remembered=remembered, columns=columns), data
