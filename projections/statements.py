"""Statements per entity and period, from the read models: trial balance (科目余额表), general
ledger and account detail (总账、明细账), balance sheet (资产负债表) and income and distribution
statement (收益及收益分配表). Every statement carries a ``checks`` list: each line says what must
hold, the two figures, and whether they agree, so a statement that does not balance says where.

Periods: ``2025`` (a year), ``2025-Q1`` (a quarter), ``2025-03`` (a month).

The books are not closed into 本年收益 at year end (结转): the income and expense accounts keep
their balances, so the balance sheet shows undistributed income (未分配收益) as the credit
balance of 321, 322 and every 5xx account together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moneyed import Money
from sqlalchemy import Connection, and_, select

from domain.errors import InvalidPeriodError
from domain.periods import Period
from domain.periods import parse_period as parse_period  # re-exported for older callers
from ledger.accounts import ChartOfAccounts
from ledger.capitals import to_capitals
from ledger.money import ZERO, amount_str, from_fen
from ledger.trial_balance import TrialBalance
from projections.queries import trial_balance_between
from projections.tables import entries, entry_lines

# One parser of period labels for the whole service (domain.periods); kept importable from here.
PeriodError = InvalidPeriodError


def money_item(m: Money) -> dict[str, str]:
    """An amount as statements print it: figures and capitals (人民币大写)."""
    return {"amount": amount_str(m), "capitals": to_capitals(m)}


def _check(what: str, left: Money, right: Money) -> dict[str, Any]:
    return {
        "check": what,
        "left": amount_str(left),
        "right": amount_str(right),
        "holds": left == right,
        "difference": amount_str(left - right),
    }


# -- trial balance ---------------------------------------------------------------------------


def trial_balance_statement(tb: TrialBalance) -> dict[str, Any]:
    return {
        "lines": [
            {
                "account": line.account.code,
                "name": line.account.name,
                "opening_debit": amount_str(line.opening_debit),
                "opening_credit": amount_str(line.opening_credit),
                "debit": amount_str(line.debit),
                "credit": amount_str(line.credit),
                "closing_debit": amount_str(line.closing_debit),
                "closing_credit": amount_str(line.closing_credit),
            }
            for line in tb.lines
        ],
        "totals": {
            "opening_debit": amount_str(tb.opening_debit_total),
            "opening_credit": amount_str(tb.opening_credit_total),
            "debit": amount_str(tb.debit_total),
            "credit": amount_str(tb.credit_total),
            "closing_debit": amount_str(tb.closing_debit_total),
            "closing_credit": amount_str(tb.closing_credit_total),
        },
        "checks": [
            _check("期初借方合计 = 期初贷方合计", tb.opening_debit_total, tb.opening_credit_total),
            _check("本期借方发生额 = 本期贷方发生额", tb.debit_total, tb.credit_total),
            _check("期末借方合计 = 期末贷方合计", tb.closing_debit_total, tb.closing_credit_total),
        ],
    }


# -- balance sheet ---------------------------------------------------------------------------

ASSET_LINES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    # (line, accounts added, contra accounts subtracted)
    ("货币资金", ("101", "102"), ()),
    ("短期投资", ("111",), ()),
    ("应收款项", ("112",), ()),
    ("内部往来（借方）", ("113",), ()),
    ("存货", ("121", "131", "401"), ()),
    ("生产性生物资产净值", ("132",), ("133",)),
    ("公益性生物资产", ("134",), ()),
    ("长期投资", ("141",), ()),
    ("固定资产净值", ("151",), ("152",)),
    ("在建工程", ("153",), ()),
    ("固定资产清理", ("154",), ()),
    ("无形资产净值", ("161",), ("162",)),
    ("长期待摊费用", ("171",), ()),
    ("待处理财产损溢", ("181",), ()),
)
LIABILITY_LINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("短期借款", ("201",)),
    ("应付款项", ("211",)),
    ("应付工资", ("212",)),
    ("应付劳务费", ("213",)),
    ("应交税费", ("214",)),
    ("长期借款及应付款", ("221",)),
    ("一事一议资金", ("231",)),
    ("专项应付款", ("241",)),
)


def _closing(tb: TrialBalance, prefixes: Iterable[str]) -> Money:
    """Debit-positive closing balance of every account under the given chart codes."""
    codes = tuple(prefixes)
    return sum((line.closing for line in tb.lines if line.account.code.startswith(codes)), ZERO)


def balance_sheet(tb: TrialBalance) -> dict[str, Any]:
    """资产负债表 at the end of the trial balance's period."""
    internal = _closing(tb, ["113"])
    assets = []
    for name, plus, minus in ASSET_LINES:
        value = _closing(tb, plus) + _closing(tb, minus)  # contra balances are credits (−)
        if plus == ("113",):
            value = internal if internal > ZERO else ZERO
        assets.append({"line": name, "accounts": "+".join(plus + minus), **money_item(value)})
    liabilities = [
        {"line": name, "accounts": "+".join(codes), **money_item(-_closing(tb, codes))}
        for name, codes in LIABILITY_LINES
    ]
    liabilities.insert(
        2,
        {
            "line": "内部往来（贷方）",
            "accounts": "113",
            **money_item(-internal if internal < ZERO else ZERO),
        },
    )
    equity = [
        {"line": "资本", "accounts": "301", **money_item(-_closing(tb, ["301"]))},
        {"line": "公积公益金", "accounts": "311", **money_item(-_closing(tb, ["311"]))},
        {
            "line": "未分配收益",
            "accounts": "321+322+5xx",
            **money_item(-_closing(tb, ["321", "322", "5"])),
        },
    ]
    total_assets = sum((_m(x) for x in assets), ZERO)
    total_liabilities = sum((_m(x) for x in liabilities), ZERO)
    total_equity = sum((_m(x) for x in equity), ZERO)
    return {
        "assets": assets,
        "liabilities": liabilities,
        "equity": equity,
        "totals": {
            "assets": money_item(total_assets),
            "liabilities": money_item(total_liabilities),
            "equity": money_item(total_equity),
            "liabilities_and_equity": money_item(total_liabilities + total_equity),
        },
        "checks": [
            _check(
                "资产合计 = 负债及所有者权益合计", total_assets, total_liabilities + total_equity
            ),
        ],
    }


def _m(item: dict[str, Any]) -> Money:
    return Money(item["amount"], "CNY")


# -- income and distribution -----------------------------------------------------------------


def _movement(tb: TrialBalance, code: str, *, credit: bool) -> Money:
    """Net movement of the period on one side: credits − debits for income, the reverse for
    expenses (red ink already reduces its own column)."""
    net = sum(
        (line.debit - line.credit for line in tb.lines if line.account.code.startswith(code)),
        ZERO,
    )
    return -net if credit else net


def income_statement(
    conn: Connection, code: str, period: Period, tb: TrialBalance
) -> dict[str, Any]:
    """收益及收益分配表 for the period, with the formula lines of ACCOUNTING.md."""
    revenue = {c: _movement(tb, c, credit=True) for c in ("501", "502", "503", "504")}
    costs = {c: _movement(tb, c, credit=False) for c in ("511", "512", "513", "514", "515", "521")}
    operating = revenue["501"] + revenue["502"] - costs["511"] - costs["512"] - costs["513"]
    year_income = (
        operating + revenue["503"] + revenue["504"] - costs["514"] - costs["515"] - costs["521"]
    )
    opening_undistributed = -sum(
        (line.opening for line in tb.lines if line.account.code.startswith(("321", "322", "5"))),
        ZERO,
    )
    available = year_income + opening_undistributed
    split = _distributions(conn, code, period)
    distributed = sum(split.values(), ZERO)
    closing_undistributed = available - distributed
    in_books = -_closing(tb, ["321", "322", "5"])
    chart = ChartOfAccounts.standard()

    def line(label: str, value: Money, formula: str = "") -> dict[str, Any]:
        return {"line": label, "formula": formula, **money_item(value)}

    lines = [
        line(chart.get("501").name, revenue["501"]),
        line(chart.get("502").name, revenue["502"]),
        line(chart.get("511").name, costs["511"]),
        line(chart.get("512").name, costs["512"]),
        line(chart.get("513").name, costs["513"]),
        line("经营收益", operating, "经营收入 + 投资收益 − 经营支出 − 税金及附加 − 管理费用"),
        line(chart.get("503").name, revenue["503"]),
        line(chart.get("504").name, revenue["504"]),
        line(chart.get("514").name, costs["514"]),
        line(chart.get("515").name, costs["515"]),
        line(chart.get("521").name, costs["521"]),
        line(
            "本年收益",
            year_income,
            "经营收益 + 补助收入 + 其他收入 − 公益支出 − 其他支出 − 所得税费用",
        ),
        line("年初未分配收益", opening_undistributed),
        line("可分配收益", available, "本年收益 + 年初未分配收益"),
        *(line(name, value) for name, value in split.items()),
        line("各项分配合计", distributed),
        line("年末未分配收益", closing_undistributed, "可分配收益 − 各项分配"),
    ]
    return {
        "lines": lines,
        "checks": [
            _check(
                "年末未分配收益 = 账面未分配收益（321、322、5xx）", closing_undistributed, in_books
            )
        ],
    }


DISTRIBUTION_LINES = ("提取公积公益金", "提取福利费", "向投资者分利", "成员分配", "其他分配")


def _distributions(conn: Connection, code: str, period: Period) -> dict[str, Money]:
    """各项分配 of the period, from the credit lines of the entries that debit 32201."""
    split = {name: ZERO for name in DISTRIBUTION_LINES}
    numbers = select(entry_lines.c.number).where(
        and_(
            entry_lines.c.entity_code == code,
            entry_lines.c.account.startswith("322"),
            entry_lines.c.side == "debit",
        )
    )
    rows = conn.execute(
        select(entry_lines.c.account, entry_lines.c.amount_fen)
        .join(
            entries,
            and_(
                entries.c.entity_code == entry_lines.c.entity_code,
                entries.c.number == entry_lines.c.number,
            ),
        )
        .where(
            and_(
                entry_lines.c.entity_code == code,
                entry_lines.c.side == "credit",
                entry_lines.c.number.in_(numbers),
                entries.c.date >= period.start,
                entries.c.date <= period.end,
            )
        )
    )
    for account, fen in rows:
        amount = from_fen(fen)
        if account.startswith("311"):
            split["提取公积公益金"] += amount
        elif account == "211FL":
            split["提取福利费"] += amount
        elif account.startswith("211H"):
            split["成员分配"] += amount
        elif account.startswith("211"):
            split["向投资者分利"] += amount
        else:
            split["其他分配"] += amount
    return split


# -- general ledger and account detail -------------------------------------------------------


def account_detail(
    conn: Connection, code: str, account: str, period: Period, tb: TrialBalance
) -> dict[str, Any]:
    """明细账 of one account (and its sub-accounts) for the period, with a running balance."""
    chart = ChartOfAccounts.standard()
    found = chart.get(account)
    opening = sum(
        (line.opening for line in tb.lines if line.account.code.startswith(account)), ZERO
    )
    rows = conn.execute(
        select(
            entries.c.date,
            entries.c.number,
            entries.c.memo,
            entry_lines.c.account,
            entry_lines.c.side,
            entry_lines.c.amount_fen,
        )
        .join(
            entries,
            and_(
                entries.c.entity_code == entry_lines.c.entity_code,
                entries.c.number == entry_lines.c.number,
            ),
        )
        .where(
            and_(
                entry_lines.c.entity_code == code,
                entry_lines.c.account.startswith(account),
                entries.c.date >= period.start,
                entries.c.date <= period.end,
            )
        )
        .order_by(entries.c.date, entries.c.number, entry_lines.c.line)
    )
    balance = opening
    lines = []
    for r in rows:
        amount = from_fen(r.amount_fen)
        debit, credit = (amount, ZERO) if r.side == "debit" else (ZERO, amount)
        balance += debit - credit
        lines.append(
            {
                "date": r.date.isoformat(),
                "number": r.number,
                "memo": r.memo,
                "account": r.account,
                "debit": amount_str(debit),
                "credit": amount_str(credit),
                "balance": amount_str(balance),
            }
        )
    return {
        "account": account,
        "name": found.name,
        "normal_side": found.normal_side.value,
        "opening": amount_str(opening),
        "lines": lines,
        "closing": amount_str(balance),
        "checks": [
            _check(
                "期末余额 = 科目余额表期末余额",
                balance,
                sum(
                    (line.closing for line in tb.lines if line.account.code.startswith(account)),
                    ZERO,
                ),
            )
        ],
    }


def general_ledger(conn: Connection, code: str, period: Period, tb: TrialBalance) -> dict[str, Any]:
    """总账: per chart account (sub-accounts summed): opening, movements, closing."""
    chart = ChartOfAccounts.standard()
    totals: dict[str, list[Money]] = {}
    for line in tb.lines:
        base = chart.parent_of(line.account.code)
        row = totals.setdefault(base, [ZERO, ZERO, ZERO])
        row[0] += line.opening
        row[1] += line.debit
        row[2] += line.credit
    return {
        "accounts": [
            {
                "account": base,
                "name": chart.get(base).name,
                "opening": amount_str(o),
                "debit": amount_str(d),
                "credit": amount_str(c),
                "closing": amount_str(o + d - c),
            }
            for base, (o, d, c) in sorted(totals.items())
        ]
    }


def statement(
    conn: Connection, code: str, kind: str, period: Period, account: str | None = None
) -> dict[str, Any]:
    """One statement of one entity for a period, by kind."""
    tb = trial_balance_between(conn, code, period.first_month, period.last_month)
    body: dict[str, Any]
    if kind == "trial-balance":
        body = trial_balance_statement(tb)
    elif kind == "balance-sheet":
        body = balance_sheet(tb)
    elif kind == "income":
        body = income_statement(conn, code, period, tb)
    elif kind == "general-ledger":
        body = general_ledger(conn, code, period, tb)
    elif kind == "account-detail":
        body = account_detail(conn, code, account or "102", period, tb)
    else:
        raise PeriodError(f"statement {kind!r} is not known; use one of {', '.join(KINDS)}")
    return {
        "entity": code,
        "kind": kind,
        "period": period.text,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        **body,
    }


KINDS = ("trial-balance", "balance-sheet", "income", "general-ledger", "account-detail")
