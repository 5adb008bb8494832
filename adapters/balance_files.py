"""科目余额表 files (XLSX) for 建账 (``domain/books/setup.py``): the chart with its
sub-accounts and, per account, the balance at the start of the year (年初余额), the debits and
credits of the year so far (本年累计) and the balance on the day the books start (期初余额),
read with every problem named by row and column, in Chinese.

The file is checked before openpyxl opens it (``adapters.upload_checks``: inflated size, XML
entities, bounded rows and width; openpyxl parses with defusedxml) and every cell is read as
text: a code or an amount Excel stored as a number is read from its figures, an amount with
more than two decimals is refused, never rounded, and a formula cell is refused (a formula's
value is whatever Excel last computed; the clerk pastes values instead).

The header is the first rows that name the columns (a title may stand above it), one row or
two (``年初余额`` over ``借方 | 贷方``, as platforms export it). Columns, in any order, extra ones
ignored; a balance is a 借方 and a 贷方 column, or one amount with a direction column (方向:
借/贷/平):

- 科目编码 (科目代码, 编码) and 科目名称 (名称);
- 年初余额, 本年累计 (借方, 贷方) and 期初余额 — the template's layout: 期初余额 is the
  balance on the day the books start;
- or, as a platform exports the months from January to the one before the books start:
  期初余额 (then the balance on 1 January), 本年累计 and 期末余额 (the balance on the day the
  books start); a 本期发生额 is ignored;
- without 本年累计, one balance is both (books starting on 1 January).

Codes: a chart account (three digits) or a sub-account under one (``11301`` or ``113001``
under 113: the chart's code followed by letters or digits); dots, dashes and spaces in a code
are dropped (``113.01`` is ``11301``). A row's parent is the longest other code of the file it
begins with; a row with sub-rows must equal their sum in every column, and only the rows
without sub-rows (the leaves) go into the books: a chart account without sub-accounts, or a
sub-account (one level deep in the books: ``1130101`` under ``11301`` becomes a sub-account of
113 named ``张三-借款``). Blank rows and 合计 rows are skipped. Per leaf 年初余额 + 本年累计借方 −
本年累计贷方 must be its 期初余额, and each column must balance (借方合计 = 贷方合计).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from adapters import upload_checks
from adapters.balance_columns import (
    HEADER_SEARCH,
    BalanceFileError,
    cell_text,
    find_header,
    layout,
    letter,
    parse_fen,
)
from adapters.balance_template import template_xlsx
from ledger.accounts import ChartOfAccounts
from ledger.money import fen_text

__all__ = ["BalanceFile", "BalanceFileError", "BalanceProblem", "parse_balances", "template_xlsx"]

MAX_ROWS = 100_000
TOTAL_ROWS = ("合计", "总计", "小计")

# the figures of a row: (field, words)
FIGURES = (
    ("year_start", "年初余额"),
    ("year_debit", "本年累计借方"),
    ("year_credit", "本年累计贷方"),
    ("opening", "期初余额"),
)


@dataclass(frozen=True)
class BalanceProblem:
    """A problem at a row of the file (None: the file as a whole) and column (as the file
    names it, with its letter; None: the whole row), in Chinese."""

    row: int | None
    column: str | None
    message: str


@dataclass
class BalanceRow:
    """One account row of the file; figures in fen, balances debit positive."""

    row: int
    code: str
    name: str
    year_start: int
    year_debit: int
    year_credit: int
    opening: int
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    depth: int = 0

    def figure(self, name: str) -> int:
        value: int = getattr(self, name)
        return value


@dataclass
class BalanceFile:
    """A 科目余额表 read: its rows in file order, the problems, the columns as named."""

    rows: list[BalanceRow]
    problems: list[BalanceProblem]
    columns: dict[str, str]
    layout: str = ""
    names: dict[str, str] = field(default_factory=dict)  # leaf code → the name it gets

    @property
    def leaves(self) -> list[BalanceRow]:
        return [r for r in self.rows if not r.children]

    def accounts(self) -> list[dict[str, str]]:
        """The leaves as ``books.SetUpBooks`` takes them (amounts as two-place text)."""
        found = []
        for r in self.leaves:
            found.append(
                {
                    "code": r.code,
                    "name": self.names.get(r.code, r.name),
                    "year_start_debit": fen_text(max(r.year_start, 0)),
                    "year_start_credit": fen_text(max(-r.year_start, 0)),
                    "year_debit": fen_text(r.year_debit),
                    "year_credit": fen_text(r.year_credit),
                    "opening_debit": fen_text(max(r.opening, 0)),
                    "opening_credit": fen_text(max(-r.opening, 0)),
                }
            )
        return found

    def locate(self, field_name: str | None, message: str) -> BalanceProblem:
        """A refusal of the books (``field``: ``accounts[3].name``) at its row and column."""
        match = re.match(r"accounts\[(\d+)\](?:\.(\w+))?$", field_name or "")
        leaves = self.leaves
        if match is None or int(match.group(1)) >= len(leaves):
            return BalanceProblem(None, None, message)
        part = match.group(2) or ""
        key = "code" if part == "code" else "name" if part == "name" else part.rsplit("_", 1)[0]
        return BalanceProblem(leaves[int(match.group(1))].row, self.columns.get(key), message)

    def checks(self) -> list[dict[str, Any]]:
        """What must hold of the whole file, with the two figures (fen) and whether it does."""
        leaves = self.leaves

        def total(name: str, sign: int) -> int:
            return sum(max(sign * r.figure(name), 0) for r in leaves)

        found = []
        for name, words in (("year_start", "年初余额"), ("opening", "期初余额")):
            found.append((f"{words}：借方合计 = 贷方合计", total(name, 1), total(name, -1)))
        found.append(
            (
                "本年累计：借方合计 = 贷方合计",
                sum(r.year_debit for r in leaves),
                sum(r.year_credit for r in leaves),
            )
        )
        return [
            {"check": c, "left": left, "right": right, "holds": left == right}
            for c, left, right in found
        ]


# -- reading ------------------------------------------------------------------------------------


def xlsx_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
    """Checked before openpyxl opens it, read with bounds, formulas given as formulas
    (``adapters.upload_checks``); a refusal is one sentence in Chinese."""
    return upload_checks.sheet_rows(data, BalanceFileError, MAX_ROWS + HEADER_SEARCH, formulas=True)


def clean_code(text: str) -> str:
    """A code as the books know it: dots, dashes and spaces dropped (``113.01`` → ``11301``)."""
    for drop in (".", "-", " ", "\u3000", "·"):
        text = text.replace(drop, "")
    return text


def _code_problem(chart: ChartOfAccounts, code: str) -> str | None:
    """Why ``code`` is not a chart account nor a sub-account of one (None: it is)."""
    if len(code) < 3 or not code[:3].isdigit():
        return f"科目编码 {code} 不认识：一级科目是三位数字（如 101、113、501）"
    if code[:3] not in {a.code for a in chart}:
        return (
            f"科目编码 {code} 不认识：{code[:3]} 不是《农村集体经济组织会计制度》（2023）的一级科目"
        )
    if len(code) > 3 and chart.new_sub_account_problem(code, code[:3]) is not None:
        return f"明细科目编码 {code} 在 {code[:3]} 之后只能是英文字母或数字（最多 32 位）"
    return None


def parse_balances(data: bytes) -> BalanceFile:
    """Read a 科目余额表 workbook (module docstring); every problem of every row is listed."""
    header, rest = find_header(xlsx_rows(data))
    cols = layout(header)
    chart = ChartOfAccounts.standard()
    rows: list[BalanceRow] = []
    problems: list[BalanceProblem] = []
    seen: dict[str, int] = {}
    count = 0
    for number, cells in rest:
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        count += 1
        if count > MAX_ROWS:
            raise BalanceFileError(f"文件超过{MAX_ROWS}行，一个账簿的科目不会这么多")
        formulas = [i for i, t in enumerate(texts) if t.startswith("=")]
        for index in formulas:
            problems.append(
                BalanceProblem(
                    number,
                    letter(index) + " 列",
                    f"这个单元格是公式（{texts[index][:40]}）：请把整张表复制后“选择性粘贴—数值”，"
                    "再上传（公式的值是 Excel 上次算的，不能作为账簿的依据）",
                )
            )
        if formulas:
            continue
        code = clean_code(texts[cols.code] if cols.code < len(texts) else "")
        name = texts[cols.name] if cols.name is not None and cols.name < len(texts) else ""
        if not code:
            if name.replace(" ", "").startswith(TOTAL_ROWS) or any(
                t.replace(" ", "").startswith(TOTAL_ROWS) for t in texts
            ):
                continue  # a 合计 row
            problems.append(BalanceProblem(number, cols.columns["code"], "这一行没有科目编码"))
            continue
        row_problems: list[BalanceProblem] = []
        problem = _code_problem(chart, code)
        if problem is not None:
            row_problems.append(BalanceProblem(number, cols.columns["code"], problem))
        if code in seen:
            row_problems.append(
                BalanceProblem(
                    number,
                    cols.columns["code"],
                    f"科目 {code} 在第{seen[code]}行已经有了：每个科目只写一行",
                )
            )
        figures: dict[str, int] = {}
        for key, balance in (("year_start", cols.start), ("opening", cols.end)):
            try:
                figures[key] = balance.fen(cells)
            except ValueError as error:
                row_problems.append(BalanceProblem(number, balance.words, str(error)))
        for key, column in (("year_debit", cols.debit), ("year_credit", cols.credit)):
            try:
                figures[key] = (
                    0 if column is None else parse_fen(texts[column] if column < len(texts) else "")
                )
            except ValueError as error:
                row_problems.append(BalanceProblem(number, cols.columns["year"], str(error)))
        if row_problems:
            problems.extend(row_problems)
            continue
        seen[code] = number
        rows.append(
            BalanceRow(
                row=number,
                code=code,
                name=name or (chart.get(code).name if len(code) == 3 else ""),
                year_start=figures["year_start"],
                year_debit=figures["year_debit"],
                year_credit=figures["year_credit"],
                opening=figures["opening"],
            )
        )
    found = BalanceFile(rows, problems, cols.columns, cols.text)
    _tree(found)
    _row_checks(found)
    if not rows and not problems:
        problems.append(BalanceProblem(None, None, "表头下面没有科目：一行一个科目"))
    return found


def _tree(found: BalanceFile) -> None:
    """Each row's parent (the longest other code it begins with), children and depth; the
    name a leaf below a sub-account gets (its parents' names below the chart account and its
    own, joined by -)."""
    by_code = {r.code: r for r in found.rows}
    for r in found.rows:
        for length in range(len(r.code) - 1, 2, -1):
            if r.code[:length] in by_code:
                r.parent = r.code[:length]
                by_code[r.parent].children.append(r.code)
                break
    for r in found.rows:
        depth, parent = 0, r.parent
        path = [r.name]
        while parent is not None:
            depth += 1
            if len(parent) > 3:
                path.append(by_code[parent].name)
            parent = by_code[parent].parent
        r.depth = depth
        if len(path) > 1 and len(r.code) > 3:
            found.names[r.code] = "-".join(reversed(path))


def _row_checks(found: BalanceFile) -> None:
    """A row with sub-rows equals their sum in every column; a leaf's 年初 + 借 − 贷 = 期初;
    the columns balance."""
    by_code = {r.code: r for r in found.rows}
    for r in found.rows:
        if r.children:
            for key, words in FIGURES:
                total = sum(by_code[c].figure(key) for c in r.children)
                if total != r.figure(key):
                    show = _shown if key in ("year_start", "opening") else _plain
                    found.problems.append(
                        BalanceProblem(
                            r.row,
                            found.columns[
                                "year" if key.startswith("year_") and key != "year_start" else key
                            ],
                            f"{r.code} {r.name} 的{words} {show(r.figure(key))} 与其下级科目合计 "
                            f"{show(total)} 不符（相差 {_plain(abs(total - r.figure(key)))}）",
                        )
                    )
            continue
        computed = r.year_start + r.year_debit - r.year_credit
        if computed != r.opening:
            found.problems.append(
                BalanceProblem(
                    r.row,
                    found.columns["opening"],
                    f"{r.code} {r.name}：年初余额 {_shown(r.year_start)} + 本年累计借方 "
                    f"{_plain(r.year_debit)} − 本年累计贷方 {_plain(r.year_credit)} = "
                    f"{_shown(computed)}，与期初余额 {_shown(r.opening)} 不符"
                    f"（相差 {_plain(abs(computed - r.opening))}）",
                )
            )
    if any(p.row is not None for p in found.problems):
        return  # the totals of rows already wrong would only repeat them
    for check in found.checks():
        if not check["holds"]:
            left, right = check["left"], check["right"]
            found.problems.append(
                BalanceProblem(
                    None,
                    None,
                    f"{check['check'].split('：')[0]}不平衡：借方合计 {_plain(left)}，"
                    f"贷方合计 {_plain(right)}，相差 {_plain(abs(left - right))}",
                )
            )


def _plain(fen: int) -> str:
    return fen_text(fen, symbol=True, separators=True)


def _shown(fen: int) -> str:
    """A balance as a 科目余额表 shows it: 借 ¥1,200.00, 贷 ¥300.00, 平."""
    return "平" if fen == 0 else f"{'借' if fen > 0 else '贷'} {_plain(abs(fen))}"
