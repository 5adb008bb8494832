"""The columns of a 科目余额表 file (``adapters.balance_files``): every cell read as text, the
header found among the first rows (one row, or two: ``年初余额`` over ``借方 | 贷方``), and which
columns hold the 年初余额, the 本年累计 and the balance on the day the books start.

A balance is a 借方 and a 贷方 column, or one amount and a direction column (方向: 借/贷/平).
Which balance is which (:func:`layout`): with a 年初余额, the 期初余额 (or else the 期末余额) is
the balance on the day the books start (the template); without one, a platform's export of the
months from January on: 期初余额 (1 January), 本年累计, 期末余额 (the day the books start);
without 本年累计, the one balance is both (books starting on 1 January). Every problem is one
sentence in Chinese (:class:`BalanceFileError`, or ValueError for a cell)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.money import written_amount

HEADER_SEARCH = 12  # rows looked at for the header
MAX_FEN = 10**12 * 100  # a figure of more than a thousand billion yuan is not a village's


class BalanceFileError(Exception):
    """The file cannot be read at all (not XLSX, no header): one sentence in Chinese."""


# -- cells as text ------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text it shows: an integer-valued number without ``.0``, a number by its
    shortest figures (what the file holds), text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def parse_fen(text: str) -> int:
    """An amount cell's text as fen: blank or ``-`` is 0; thousands separators and ¥ are
    dropped; at most two decimals (never rounded). Raises ValueError in Chinese."""
    plain = written_amount(text)
    if plain in ("", "-", "—"):
        return 0
    if plain.startswith("(") and plain.endswith(")"):  # (1,200.00): a negative amount
        plain = "-" + plain[1:-1]
    if not re.fullmatch(r"-?\d+(\.\d+)?", plain):
        raise ValueError(f"“{text}”不是金额：请写成 1200.00 的样子")
    try:
        number = Decimal(plain)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"“{text}”不是金额") from None
    fen = number.scaleb(2)
    if fen != fen.to_integral_value():
        raise ValueError(f"“{text}”超过两位小数：金额以元为单位，精确到分")
    if abs(fen) >= MAX_FEN:
        raise ValueError(f"“{text}”太大，不像一个村的金额")
    return int(fen)


# -- the header ---------------------------------------------------------------------------------

CODE_LABELS = ("科目编码", "科目代码", "编码", "代码", "科目号")
NAME_LABELS = ("科目名称", "名称", "科目全称")
PERIODS: tuple[tuple[str, str], ...] = (
    ("本年累计", "ytd"),
    ("累计", "ytd"),
    ("年初", "year_start"),
    ("期初", "opening"),
    ("期末", "closing"),
    ("本期", "period"),
)


def _label(value: Any) -> str:
    text = cell_text(value)
    for drop in (" ", "\u3000", "(", ")", "（", "）", "金额", "发生额", "发生"):
        text = text.replace(drop, "")
    return text


def _classify(label: str) -> tuple[str, str] | None:
    """``年初余额借方`` → (year_start, debit); the code and name columns → (code, ""), …"""
    if label in CODE_LABELS:
        return ("code", "")
    if label in NAME_LABELS:
        return ("name", "")
    for word, group in PERIODS:
        if word in label:
            if "方向" in label:
                return (group, "direction")
            if "借" in label and "贷" not in label:
                return (group, "debit")
            if "贷" in label and "借" not in label:
                return (group, "credit")
            return (group, "amount")
    return None


def letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


SIDED = ("debit", "credit", "direction")


def _header_of(
    top: Sequence[Any], below: Sequence[Any] | None
) -> dict[tuple[str, str], tuple[int, str]]:
    """The columns one header row names, or two (the lower one's 借方/贷方/方向 under the upper
    one's 年初余额, which a merged cell leaves blank above its second column): (group, part)
    → (column, label as the file writes it)."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    carried = ""
    for index in range(max(len(top), len(below or ()))):
        upper = _label(top[index]) if index < len(top) else ""
        raw = cell_text(below[index]) if below is not None and index < len(below) else ""
        carried = upper or carried
        label = carried + _label(raw) if raw else upper
        kind = _classify(label)
        if kind is not None and kind not in found:
            found[kind] = (index, label)
    return found


def find_header(
    rows: Iterable[tuple[int, Sequence[Any]]],
) -> tuple[dict[tuple[str, str], tuple[int, str]], Iterable[tuple[int, Sequence[Any]]]]:
    """The header among the first rows, and the rows after it."""
    iterator = iter(rows)
    first: list[tuple[int, Sequence[Any]]] = []
    for number, row in iterator:
        if row:
            first.append((number, row))
        if number >= HEADER_SEARCH:
            break
    for index, (_, row) in enumerate(first):
        found = _header_of(row, None)
        if ("code", "") not in found:
            continue
        after = index + 1
        if after < len(first):
            two = _header_of(row, first[after][1])
            if ("code", "") in two and sum(k[1] in SIDED for k in two) > sum(
                k[1] in SIDED for k in found
            ):
                found, after = two, after + 1
        return found, _chain(first[after:], iterator)
    raise BalanceFileError(
        "文件前几行里找不到表头：科目余额表需要“科目编码”“科目名称”和年初余额、本年累计、"
        "期初余额各列；请下载建账模板对照"
    )


def _chain(
    first: list[tuple[int, Sequence[Any]]], rest: Iterable[tuple[int, Sequence[Any]]]
) -> Iterable[tuple[int, Sequence[Any]]]:
    yield from first
    yield from rest


# -- the layout -------------------------------------------------------------------------------

GROUP_WORDS = {
    "year_start": "年初余额",
    "ytd": "本年累计",
    "opening": "期初余额",
    "closing": "期末余额",
}


@dataclass(frozen=True)
class _Balance:
    """Where one balance is: a 借方 and a 贷方 column, or an amount and a direction column."""

    columns: dict[str, int]  # part → column index
    words: str  # the columns as the file names them, with their letters

    def fen(self, row: Sequence[Any]) -> int:
        """The balance of ``row``, debit positive (ValueError in Chinese, naming the column)."""

        def text(part: str) -> str:
            index = self.columns[part]
            return cell_text(row[index]) if index < len(row) else ""

        if "debit" in self.columns:
            return parse_fen(text("debit")) - parse_fen(text("credit"))
        amount, direction = parse_fen(text("amount")), text("direction")
        if direction in ("借", "借方"):
            return amount
        if direction in ("贷", "贷方"):
            return -amount
        if direction in ("平", "") and amount == 0:
            return 0
        raise ValueError(f"方向“{direction}”应是借、贷或平（余额为零）")


def _balance(group: str, parts: dict[str, tuple[int, str]]) -> _Balance:
    words = GROUP_WORDS[group]
    if "debit" in parts and "credit" in parts:
        chosen = ("debit", "credit")
    elif "amount" in parts and "direction" in parts:
        chosen = ("amount", "direction")
    else:
        raise BalanceFileError(
            f"{words}要有借方、贷方两列，或一列金额加一列方向（借/贷）；文件里只有"
            + "、".join(f"{label} ({letter(i)})" for i, label in parts.values())
        )
    return _Balance(
        {p: parts[p][0] for p in chosen},
        "/".join(f"{parts[p][1]} ({letter(parts[p][0])})" for p in chosen),
    )


@dataclass(frozen=True)
class Layout:
    code: int
    name: int | None
    start: _Balance  # 年初余额
    end: _Balance  # 期初余额: on the day the books start
    debit: int | None  # 本年累计借方
    credit: int | None
    columns: dict[str, str]
    text: str


def _spread(where: tuple[int, str]) -> str:
    return f"{where[1]} ({letter(where[0])})"


def layout(found: dict[tuple[str, str], tuple[int, str]]) -> Layout:
    """Which columns hold what (module docstring), from the header's columns."""
    groups: dict[str, dict[str, tuple[int, str]]] = {}
    for (group, part), where in found.items():
        groups.setdefault(group, {})[part] = where
    ytd = groups.get("ytd", {})
    if "year_start" in groups:
        start, end = "year_start", "opening" if "opening" in groups else "closing"
    elif "opening" in groups and "closing" in groups:
        start, end = "opening", "closing"
    else:
        start = end = "opening" if "opening" in groups else "closing"
    if end not in groups or (start == end and ytd):
        raise BalanceFileError(
            "科目余额表要有年初余额、本年累计借方和贷方、期初余额（建账日的余额）各列"
            "（或平台导出的期初余额、本年累计、期末余额）；请下载建账模板对照"
        )
    if ytd and not ("debit" in ytd and "credit" in ytd):
        raise BalanceFileError("本年累计要有借方、贷方两列")
    first, last = _balance(start, groups[start]), _balance(end, groups[end])
    name = found.get(("name", ""))
    code = found[("code", "")]
    year = f"{_spread(ytd['debit'])}/{_spread(ytd['credit'])}" if ytd else "（无）"
    columns = {
        "code": _spread(code),
        "name": _spread(name) if name else "科目名称",
        "year_start": first.words,
        "year": year,
        "opening": last.words,
    }
    text = (
        f"年初余额 = {first.words}；本年累计 = {year}；建账日的期初余额 = {last.words}"
        if start != end
        else f"年初余额 = 期初余额 = {last.words}（没有本年累计，按1月1日建账读）"
    )
    return Layout(
        code=code[0],
        name=name[0] if name else None,
        start=first,
        end=last,
        debit=ytd["debit"][0] if ytd else None,
        credit=ytd["credit"][0] if ytd else None,
        columns=columns,
        text=text,
    )
