"""The 资产负债表 and the 收益及收益分配表 as forms (《农村集体经济组织会计制度》,
财会〔2023〕14号): their lines in order, each with its 行次, what it adds up, and the arithmetic
that fills them from balances and movements; and the 汇总 of several units' forms, line by line
on the 行次.

Pure: Money in, Money out. A form is a tuple of :class:`FormRow`; a heading (流动资产：) has no
行次 and no amount, a ``detail`` row (固定资产原值, 减：累计折旧) is shown but not added into a
subtotal (its net line is), a ``subtotal`` or ``total`` adds up the rows it names.

The 行次 here number the lines in the form's order, assets from 1 and liabilities and equity
after them (one series, so a 行次 names one line of the statement), the income statement from 1.
They are not confirmed against the Ministry's printed form: this table is the one place to
correct them, and a 汇总 matches lines on them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from moneyed import Money

from ledger.money import ZERO

HEADING, LINE, DETAIL, SUBTOTAL, TOTAL = "heading", "line", "detail", "subtotal", "total"


@dataclass(frozen=True)
class FormRow:
    """One row of a filled form: 行次 (None for a heading), its words, its kind, what it is
    made of (accounts such as ``151+152``, or the formula of a subtotal) and its amount (None
    for a heading)."""

    row: int | None
    line: str
    kind: str
    accounts: str = ""
    amount: Money | None = None


@dataclass(frozen=True)
class _Spec:
    row: int | None
    line: str
    kind: str
    accounts: tuple[str, ...] = ()  # chart codes whose balances make the line (prefixes)
    sign: int = 1  # +1: a debit balance is positive (assets); −1: a credit balance is
    part: str = ""  # "debit"/"credit": only that side of the balance (内部往来)
    adds: tuple[str, ...] = ()  # a subtotal's or total's lines, by their words
    shown: str = ""  # what ``accounts`` reads as, when not the codes joined by "+"


def _s(
    row: int,
    line: str,
    *accounts: str,
    sign: int = 1,
    kind: str = LINE,
    part: str = "",
    shown: str = "",
) -> _Spec:
    return _Spec(row, line, kind, tuple(accounts), sign, part=part, shown=shown)


def _head(line: str) -> _Spec:
    return _Spec(None, line, HEADING)


def _sum(row: int, line: str, *adds: str, kind: str = SUBTOTAL) -> _Spec:
    return _Spec(row, line, kind, adds=adds)


_CURRENT_ASSETS = ("货币资金", "短期投资", "应收款项", "内部往来（借方）", "存货", "待处理财产损溢")
_LONG_ASSETS = (
    "长期投资",
    "生产性生物资产净值",
    "公益性生物资产",
    "固定资产净值",
    "在建工程",
    "固定资产清理",
    "无形资产净值",
    "长期待摊费用",
)
_CURRENT_LIABILITIES = (
    "短期借款",
    "应付款项",
    "内部往来（贷方）",
    "应付工资",
    "应付劳务费",
    "应交税费",
)
_LONG_LIABILITIES = ("长期借款及应付款", "一事一议资金", "专项应付款")
_EQUITY = ("资本", "公积公益金", "未分配收益")

ASSET_FORM: tuple[_Spec, ...] = (
    _head("流动资产："),
    _s(1, "货币资金", "101", "102"),
    _s(2, "短期投资", "111"),
    _s(3, "应收款项", "112"),
    _s(4, "内部往来（借方）", "113", part="debit"),
    _s(5, "存货", "121", "131", "401"),
    _s(6, "待处理财产损溢", "181"),
    _sum(7, "流动资产合计", *_CURRENT_ASSETS),
    _head("非流动资产："),
    _s(8, "长期投资", "141"),
    _s(9, "生产性生物资产原值", "132", kind=DETAIL),
    _s(10, "减：生产性生物资产累计折旧", "133", sign=-1, kind=DETAIL),
    _s(11, "生产性生物资产净值", "132", "133"),
    _s(12, "公益性生物资产", "134"),
    _s(13, "固定资产原值", "151", kind=DETAIL),
    _s(14, "减：累计折旧", "152", sign=-1, kind=DETAIL),
    _s(15, "固定资产净值", "151", "152"),
    _s(16, "在建工程", "153"),
    _s(17, "固定资产清理", "154"),
    _s(18, "无形资产原值", "161", kind=DETAIL),
    _s(19, "减：累计摊销", "162", sign=-1, kind=DETAIL),
    _s(20, "无形资产净值", "161", "162"),
    _s(21, "长期待摊费用", "171"),
    _sum(22, "非流动资产合计", *_LONG_ASSETS),
    _sum(23, "资产总计", "流动资产合计", "非流动资产合计", kind=TOTAL),
)
CLAIM_FORM: tuple[_Spec, ...] = (
    _head("流动负债："),
    _s(24, "短期借款", "201", sign=-1),
    _s(25, "应付款项", "211", sign=-1),
    _s(26, "内部往来（贷方）", "113", sign=-1, part="credit"),
    _s(27, "应付工资", "212", sign=-1),
    _s(28, "应付劳务费", "213", sign=-1),
    _s(29, "应交税费", "214", sign=-1),
    _sum(30, "流动负债合计", *_CURRENT_LIABILITIES),
    _head("非流动负债："),
    _s(31, "长期借款及应付款", "221", sign=-1),
    _s(32, "一事一议资金", "231", sign=-1),
    _s(33, "专项应付款", "241", sign=-1),
    _sum(34, "非流动负债合计", *_LONG_LIABILITIES),
    _sum(35, "负债合计", "流动负债合计", "非流动负债合计", kind=TOTAL),
    _head("所有者权益："),
    _s(36, "资本", "301", sign=-1),
    _s(37, "公积公益金", "311", sign=-1),
    _s(38, "未分配收益", "321", "322", "5", sign=-1, shown="321+322+5xx"),
    _sum(39, "所有者权益合计", *_EQUITY),
    _sum(40, "负债和所有者权益总计", "负债合计", "所有者权益合计", kind=TOTAL),
)

Pick = Callable[[Sequence[str]], Money]
"""The debit-positive balance of every account under the given chart codes."""


def _fill(specs: Sequence[_Spec], pick: Pick) -> tuple[FormRow, ...]:
    values: dict[str, Money] = {}
    rows = []
    for spec in specs:
        if spec.kind == HEADING:
            rows.append(FormRow(None, spec.line, HEADING))
            continue
        if spec.adds:
            value = sum((values[name] for name in spec.adds), ZERO)
            made_of = " + ".join(spec.adds)
        else:
            value = pick(spec.accounts) * spec.sign
            if spec.part:
                value = value if value > ZERO else ZERO
            made_of = spec.shown or "+".join(spec.accounts)
        values[spec.line] = value
        rows.append(FormRow(spec.row, spec.line, spec.kind, made_of, value))
    return tuple(rows)


def balance_sheet_form(pick: Pick) -> tuple[tuple[FormRow, ...], tuple[FormRow, ...]]:
    """The 资产负债表 at one moment, from ``pick`` (the balances then): (assets side,
    liabilities and equity side), each row with its 行次. A contra account (累计折旧) nets its
    asset's line; 内部往来 shows a debit balance among the assets and a credit balance among the
    liabilities; 未分配收益 is 321, 322 and every 5xx account together."""
    return _fill(ASSET_FORM, pick), _fill(CLAIM_FORM, pick)


def form_amount(rows: Sequence[FormRow], line: str) -> Money:
    """The amount of the row whose words are ``line``; KeyError when there is none."""
    for row in rows:
        if row.line == line and row.amount is not None:
            return row.amount
    raise KeyError(f"the form has no line {line}")


# -- 收益及收益分配表 -------------------------------------------------------------------------

REVENUES = ("501", "502", "503", "504")
COSTS = ("511", "512", "513", "514", "515", "521")
DISTRIBUTION_LINES = ("提取公积公益金", "提取福利费", "向投资者分利", "成员分配", "其他分配")
INCOME_ROWS: Mapping[str, int] = {
    "501": 1,
    "502": 2,
    "511": 3,
    "512": 4,
    "513": 5,
    "经营收益": 6,
    "503": 7,
    "504": 8,
    "514": 9,
    "515": 10,
    "收益总额": 11,
    "521": 12,
    "收益": 13,  # 本年收益 (a year) or 本期收益
    "期初未分配收益": 14,
    "其他转入": 15,
    "可分配收益": 16,
    "提取公积公益金": 17,
    "提取福利费": 18,
    "向投资者分利": 19,
    "成员分配": 20,
    "其他分配": 21,
    "各项分配合计": 22,
    "期末未分配收益": 23,
}


OPERATING = "经营收入 + 投资收益 − 经营支出 − 税金及附加 − 管理费用"
GROSS = "经营收益 + 补助收入 + 其他收入 − 公益支出 − 其他支出"


@dataclass(frozen=True)
class IncomeFigures:
    """What fills a 收益及收益分配表: each 5xx account's movement of the period on its normal
    side (income credit-positive, costs debit-positive), the undistributed income at the
    period's start, the 其他转入 (公积公益金 covering a loss, credited to 322), and the
    distributions by their lines (:data:`DISTRIBUTION_LINES`)."""

    movements: Mapping[str, Money]
    opening_undistributed: Money
    other_in: Money
    distributions: Mapping[str, Money]


def income_form(
    figures: IncomeFigures, names: Mapping[str, str], *, year: bool
) -> tuple[FormRow, ...]:
    """The 收益及收益分配表 (rows with 行次 and formulas) from ``figures``; ``names`` gives each
    5xx account's name. A year's says 本年收益 and 年初/年末未分配收益, a shorter period's 本期收益
    and 期初/期末. Its last row is the closing undistributed income:

    经营收益 = 经营收入 + 投资收益 − 经营支出 − 税金及附加 − 管理费用;
    收益总额 = 经营收益 + 补助收入 + 其他收入 − 公益支出 − 其他支出;
    本年收益 = 收益总额 − 所得税费用;
    可分配收益 = 本年收益 + 年初未分配收益 + 其他转入;
    年末未分配收益 = 可分配收益 − 各项分配。
    """
    m = {code: figures.movements.get(code, ZERO) for code in REVENUES + COSTS}
    income, start, end = ("本年收益", "年初", "年末") if year else ("本期收益", "期初", "期末")
    operating = m["501"] + m["502"] - m["511"] - m["512"] - m["513"]
    gross = operating + m["503"] + m["504"] - m["514"] - m["515"]
    net = gross - m["521"]
    available = net + figures.opening_undistributed + figures.other_in
    split = {name: figures.distributions.get(name, ZERO) for name in DISTRIBUTION_LINES}
    distributed = sum(split.values(), ZERO)
    rows: list[tuple[str, str, str, Money]] = [
        *((code, names[code], "", m[code]) for code in ("501", "502", "511", "512", "513")),
        ("经营收益", "经营收益", OPERATING, operating),
        *((code, names[code], "", m[code]) for code in ("503", "504", "514", "515")),
        ("收益总额", "收益总额", GROSS, gross),
        ("521", names["521"], "", m["521"]),
        ("收益", income, "收益总额 − 所得税费用", net),
        ("期初未分配收益", f"{start}未分配收益", "", figures.opening_undistributed),
        ("其他转入", "其他转入", "", figures.other_in),
        ("可分配收益", "可分配收益", f"{income} + {start}未分配收益 + 其他转入", available),
        *((name, name, "", value) for name, value in split.items()),
        ("各项分配合计", "各项分配合计", "", distributed),
        ("期末未分配收益", f"{end}未分配收益", "可分配收益 − 各项分配", available - distributed),
    ]
    return tuple(
        FormRow(INCOME_ROWS[key], line, SUBTOTAL if formula else LINE, formula, value)
        for key, line, formula, value in rows
    )


# -- 汇总 -------------------------------------------------------------------------------------


class FormsDiffer(ValueError):
    """Forms to add up do not have the same lines under the same 行次."""


def consolidate(forms: Sequence[Sequence[FormRow]]) -> tuple[FormRow, ...]:
    """The 汇总 of several units' forms of one statement: every row's amount added up on its
    行次 (headings kept as they are). Raises FormsDiffer when a form's rows are not the first's
    (another 行次 or other words under one), and ValueError when there is no form."""
    if not forms:
        raise ValueError("nothing to add up: no form")
    first = forms[0]
    layout = [(r.row, r.line, r.kind) for r in first]
    totals: dict[int, Money] = {}
    for number, form in enumerate(forms):
        if [(r.row, r.line, r.kind) for r in form] != layout:
            raise FormsDiffer(f"form {number + 1} does not have the lines of form 1")
        for r in form:
            if r.row is not None and r.amount is not None:
                totals[r.row] = totals.get(r.row, ZERO) + r.amount
    return tuple(
        r if r.row is None else FormRow(r.row, r.line, r.kind, r.accounts, totals.get(r.row, ZERO))
        for r in first
    )
