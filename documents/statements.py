"""Statements per entity and period, from the read models: trial balance (科目余额表), general
ledger and account detail (总账、明细账), balance sheet (资产负债表) and income and distribution
statement (收益及收益分配表). Every statement carries a ``checks`` list: each line says what must
hold, the two figures, and whether they agree, so a statement that does not balance says where.

Periods: ``2025`` (a year), ``2025-Q1`` (a quarter), ``2025-03`` (a month).

Undistributed income (未分配收益) is the credit balance of 321, 322 and every 5xx account
together: the same figure before a year is closed (年终结转, ``domain.books.closing``) and after
it (when it sits in 32202). The closing entries, and the red ink of a reopening, are left out of a
period's income and distributions (they only move those balances), so an income statement reads
the same for a closed year as for an open one.

The balance sheet has 年初数 (start of the period's year) and 期末数; the income and
distribution statement has 本期数 and 上年同期数 (the same period a year earlier). A year's
statement says 年初/年末未分配收益 and 本年收益; a quarter's or a month's says 期初/期末 and
本期收益. Books set up during a year (建账) count the year's figures before them
(``projections.opening_years``): 年初数 from their 年初余额, the year's movements with their
本年累计.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moneyed import Money
from sqlalchemy import Connection, and_, or_, select

from documents.asset_tables import asset_check
from documents.statement_notes import income_notes, sheet_notes
from domain.errors import InvalidPeriodError
from domain.periods import Period
from domain.periods import parse_period as parse_period  # re-exported for older callers
from ledger.accounts import ChartOfAccounts
from ledger.capitals import to_capitals
from ledger.money import ZERO, amount_str, from_fen
from ledger.statement_forms import (
    COSTS,
    DISTRIBUTION_LINES,
    REVENUES,
    FormRow,
    IncomeFigures,
    balance_sheet_form,
    income_form,
)
from ledger.trial_balance import TrialBalance
from projections.chart_view import entity_chart
from projections.opening_years import before_books, before_rows
from projections.queries import trial_balance_between
from projections.tables import LINE_OF_ENTRY, entries, entry_lines

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

# The lines of ``assets``, ``liabilities`` and ``equity`` as the statement has always listed
# them (the published sheets copy them): the 2023 form with its 行次 and subtotals is ``form``.
ASSET_LINES = (
    "货币资金",
    "短期投资",
    "应收款项",
    "内部往来（借方）",
    "存货",
    "生产性生物资产净值",
    "公益性生物资产",
    "长期投资",
    "固定资产净值",
    "在建工程",
    "固定资产清理",
    "无形资产净值",
    "长期待摊费用",
    "待处理财产损溢",
)
LIABILITY_LINES = (
    "短期借款",
    "应付款项",
    "内部往来（贷方）",
    "应付工资",
    "应付劳务费",
    "应交税费",
    "长期借款及应付款",
    "一事一议资金",
    "专项应付款",
)
EQUITY_LINES = ("资本", "公积公益金", "未分配收益")
SIGNATURES = ("单位负责人", "会计主管", "制表人")


def _closing(tb: TrialBalance, prefixes: Iterable[str]) -> Money:
    """Debit-positive closing balance of every account under the given chart codes."""
    codes = tuple(prefixes)
    return sum((line.closing for line in tb.lines if line.account.code.startswith(codes)), ZERO)


def _opening(tb: TrialBalance, prefixes: Iterable[str]) -> Money:
    """Debit-positive opening balance of every account under the given chart codes."""
    codes = tuple(prefixes)
    return sum((line.opening for line in tb.lines if line.account.code.startswith(codes)), ZERO)


def _sheet_columns(
    pick: Any,
) -> tuple[
    list[tuple[str, str, Money]], list[tuple[str, str, Money]], list[tuple[str, str, Money]]
]:
    """Assets, liabilities and equity lines (line, accounts, amount) of one column, with
    ``pick(prefixes)`` giving the debit-positive balance of the accounts."""
    assets, claims = balance_sheet_form(pick)
    rows = {r.line: r for r in assets + claims}

    def part(names: Iterable[str]) -> list[tuple[str, str, Money]]:
        return [(name, rows[name].accounts, rows[name].amount or ZERO) for name in names]

    return part(ASSET_LINES), part(LIABILITY_LINES), part(EQUITY_LINES)


def balance_sheet(tb: TrialBalance, year_start: TrialBalance | None = None) -> dict[str, Any]:
    """资产负债表 at the end of the trial balance's period (期末数: ``amount``); given
    ``year_start``, a trial balance whose opening is the start of the period's year, every
    line also has its 年初数 (``year_start``)."""
    columns = [_sheet_columns(lambda codes: _closing(tb, codes))]
    if year_start is not None:
        columns.append(_sheet_columns(lambda codes: _opening(year_start, codes)))
    parts: list[list[dict[str, Any]]] = []
    for index in range(3):
        lines = []
        for row, (name, accounts, value) in enumerate(columns[0][index]):
            line = {"line": name, "accounts": accounts, **money_item(value)}
            if year_start is not None:
                line["year_start"] = money_item(columns[1][index][row][2])
            lines.append(line)
        parts.append(lines)
    assets, liabilities, equity = parts
    total_assets = sum((_m(x) for x in assets), ZERO)
    total_liabilities = sum((_m(x) for x in liabilities), ZERO)
    total_equity = sum((_m(x) for x in equity), ZERO)
    checks = [
        _check("资产合计 = 负债及所有者权益合计", total_assets, total_liabilities + total_equity),
    ]
    body: dict[str, Any] = {
        "assets": assets,
        "liabilities": liabilities,
        "equity": equity,
        "totals": {
            "assets": money_item(total_assets),
            "liabilities": money_item(total_liabilities),
            "equity": money_item(total_equity),
            "liabilities_and_equity": money_item(total_liabilities + total_equity),
        },
        "checks": checks,
    }
    if year_start is not None:
        sums = [sum((x for _, _, x in part), ZERO) for part in columns[1]]
        body["columns"] = {"year_start": "年初数", "amount": "期末数"}
        body["year_start_totals"] = {
            "assets": money_item(sums[0]),
            "liabilities": money_item(sums[1]),
            "equity": money_item(sums[2]),
            "liabilities_and_equity": money_item(sums[1] + sums[2]),
        }
        checks.append(_check("年初：资产合计 = 负债及所有者权益合计", sums[0], sums[1] + sums[2]))
    return body


def form_rows(
    rows: Iterable[FormRow], year_start: Iterable[FormRow] | None = None
) -> list[dict[str, Any]]:
    """A filled form as the statements answer it: per row 行次 (``row``, null for a heading),
    ``line``, ``kind`` (heading, line, detail, subtotal, total), ``accounts`` and the amount,
    with its 年初数 (``year_start``) when given."""
    found = list(rows)
    starts = list(year_start) if year_start is not None else [None] * len(found)
    out = []
    for row, start in zip(found, starts, strict=True):
        item: dict[str, Any] = {"row": row.row, "line": row.line, "kind": row.kind}
        if row.amount is not None:
            item["accounts"] = row.accounts
            item.update(money_item(row.amount))
            if start is not None and start.amount is not None:
                item["year_start"] = money_item(start.amount)
        out.append(item)
    return out


def balance_sheet_2023(tb: TrialBalance, year_start: TrialBalance | None) -> dict[str, Any]:
    """The balance sheet in the 2023 format, added to :func:`balance_sheet`'s answer: ``form``
    (assets; liabilities and equity: every row with its 行次, the 流动/非流动 subtotals, 固定资产
    原值, 累计折旧 and 净值), ``notes`` (附注) and ``signatures`` (the lines signed on paper)."""
    assets, claims = balance_sheet_form(lambda codes: _closing(tb, codes))
    start = (
        balance_sheet_form(lambda codes: _opening(year_start, codes))
        if year_start is not None
        else (None, None)
    )
    return {
        "form": {
            "assets": form_rows(assets, start[0]),
            "liabilities_and_equity": form_rows(claims, start[1]),
        },
        "notes": sheet_notes(assets, claims),
        "signatures": list(SIGNATURES),
    }


def _m(item: dict[str, Any]) -> Money:
    return Money(item["amount"], "CNY")


# -- income and distribution -----------------------------------------------------------------

CLOSING_SOURCE = "year-end"  # entries whose source starts so: closings and their reopenings


def _closing_moves(conn: Connection, code: str, period: Period) -> dict[str, Money]:
    """Net movement (debit positive) per account of the 年终结转 entries of the period and of
    the red ink that reopened them: what the income statement leaves out."""
    moves: dict[str, Money] = {}
    rows = conn.execute(
        select(entry_lines.c.account, entry_lines.c.side, entry_lines.c.amount_fen)
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                entry_lines.c.entity_code == code,
                entries.c.source.startswith(CLOSING_SOURCE),
                entries.c.date >= period.start,
                entries.c.date <= period.end,
            )
        )
    )
    for account, side, fen in rows:
        amount = from_fen(fen if side == "debit" else -fen)
        moves[account] = moves.get(account, ZERO) + amount
    return moves


def _movement(tb: TrialBalance, code: str, *, credit: bool, left_out: dict[str, Money]) -> Money:
    """Net movement of the period on one side: credits − debits for income, the reverse for
    expenses (red ink already reduces its own column), without the closing entries."""
    net = sum(
        (line.debit - line.credit for line in tb.lines if line.account.code.startswith(code)),
        ZERO,
    ) - sum((m for account, m in left_out.items() if account.startswith(code)), ZERO)
    return -net if credit else net


def _income_lines(
    conn: Connection, code: str, period: Period, tb: TrialBalance
) -> tuple[tuple[FormRow, ...], Money]:
    """The rows of the statement (the last: closing undistributed income) and the books'
    undistributed income (321, 322, 5xx) at the period's end."""
    left_out = _closing_moves(conn, code, period)
    movements = {
        **{c: _movement(tb, c, credit=True, left_out=left_out) for c in REVENUES},
        **{c: _movement(tb, c, credit=False, left_out=left_out) for c in COSTS},
    }
    opening_undistributed = -sum(
        (line.opening for line in tb.lines if line.account.code.startswith(("321", "322", "5"))),
        ZERO,
    )
    # 建账 during a year: what 322 moved before the books (其他分配 and 其他转入, unsplit)
    before = before_books(conn, code, "322", period.first_month, period.last_month)
    moved = (from_fen(before[1]), from_fen(before[2])) if before else (ZERO, ZERO)
    figures = IncomeFigures(
        movements=movements,
        opening_undistributed=opening_undistributed,
        other_in=_other_in(conn, code, period) + moved[1],
        distributions=_distributions(conn, code, period, moved[0]),
    )
    chart = ChartOfAccounts.standard()
    names = {c: chart.get(c).name for c in REVENUES + COSTS}
    rows = income_form(figures, names, year=period.is_year)
    return rows, -_closing(tb, ["321", "322", "5"])


def income_statement(
    conn: Connection, code: str, period: Period, tb: TrialBalance
) -> dict[str, Any]:
    """收益及收益分配表 for the period in the 2023 format (``ledger.statement_forms``): every
    line with its 行次 (``row``), 本期数 (``amount``) and 上年同期数 (``prior``: the same period
    a year earlier); 收益总额 before 所得税费用, 其他转入 before 可分配收益."""
    rows, in_books = _income_lines(conn, code, period, tb)
    before = period.year_before
    prior_tb = trial_balance_between(conn, code, before.first_month, before.last_month)
    prior = {r.row: r.amount for r in _income_lines(conn, code, before, prior_tb)[0]}
    end = "年末" if period.is_year else "期末"
    closing_undistributed = rows[-1].amount or ZERO
    return {
        "columns": {"amount": "本期数", "prior": "上年同期数"},
        "prior_period": before.text,
        "lines": [
            {
                "row": r.row,
                "line": r.line,
                "kind": r.kind,
                "formula": r.accounts,
                **money_item(r.amount or ZERO),
                "prior": money_item(prior.get(r.row) or ZERO),
            }
            for r in rows
        ],
        "checks": [
            _check(
                f"{end}未分配收益 = 账面未分配收益（321、322、5xx）",
                closing_undistributed,
                in_books,
            )
        ],
        "notes": income_notes(rows),
        "signatures": list(SIGNATURES),
    }


def _other_in(conn: Connection, code: str, period: Period) -> Money:
    """其他转入 of the period: what entries that debit 311 (公积公益金) credit to 322, such as
    公积公益金 covering a loss (借 311 / 贷 32202); 年终结转 and its reopening left out."""
    numbers = select(entry_lines.c.number).where(
        and_(
            entry_lines.c.entity_code == code,
            entry_lines.c.account.startswith("311"),
            entry_lines.c.side == "debit",
        )
    )
    rows = conn.execute(
        select(entry_lines.c.amount_fen)
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                entry_lines.c.entity_code == code,
                entry_lines.c.side == "credit",
                entry_lines.c.account.startswith("322"),
                entry_lines.c.number.in_(numbers),
                entries.c.date >= period.start,
                entries.c.date <= period.end,
                or_(
                    entries.c.source.is_(None),
                    ~entries.c.source.startswith(CLOSING_SOURCE),
                ),
            )
        )
    )
    return sum((from_fen(fen) for (fen,) in rows), ZERO)


def _distributions(conn: Connection, code: str, period: Period, other: Money) -> dict[str, Money]:
    """各项分配 of the period, from the credit lines of the entries that debit 32201 (322),
    leaving out 年终结转 (which moves 32201 into 32202) and its reopening; ``other`` 其他分配."""
    split = {name: ZERO for name in DISTRIBUTION_LINES}
    split["其他分配"] = other
    numbers = select(entry_lines.c.number).where(
        and_(
            entry_lines.c.entity_code == code,
            entry_lines.c.account.startswith("322"),
            entry_lines.c.side == "debit",
        )
    )
    rows = conn.execute(
        select(entry_lines.c.account, entry_lines.c.amount_fen)
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                entry_lines.c.entity_code == code,
                entry_lines.c.side == "credit",
                entry_lines.c.number.in_(numbers),
                entries.c.date >= period.start,
                entries.c.date <= period.end,
                or_(
                    entries.c.source.is_(None),
                    ~entries.c.source.startswith(CLOSING_SOURCE),
                ),
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
    chart = entity_chart(conn, code)
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
            entry_lines.c.memo.label("line_memo"),
        )
        .join(entries, LINE_OF_ENTRY)
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
    for r in [*before_rows(conn, code, account, period.first_month, period.last_month), *rows]:
        amount = from_fen(r.amount_fen)
        debit, credit = (amount, ZERO) if r.side == "debit" else (ZERO, amount)
        balance += debit - credit
        lines.append(
            {
                "date": r.date.isoformat(),
                "number": r.number,
                "memo": r.line_memo or r.memo,  # the line's 摘要, else the voucher's
                "account": r.account,
                "account_name": chart.get(r.account).name,
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


def _year_start(conn: Connection, code: str, period: Period, tb: TrialBalance) -> TrialBalance:
    """A trial balance whose opening is the start of the period's year."""
    if period.first_month.endswith("-01"):
        return tb
    return trial_balance_between(conn, code, f"{period.text[:4]}-01", period.last_month)


def filled_forms(conn: Connection, code: str, period: Period) -> dict[str, tuple[FormRow, ...]]:
    """The 2023 forms of one entity for a period, as ``ledger.statement_forms`` fills them:
    ``assets``, ``claims`` (liabilities and equity) at the period's end and at the start of its
    year (``assets_start``, ``claims_start``), and ``income``: what a 汇总 adds up."""
    tb = trial_balance_between(conn, code, period.first_month, period.last_month)
    start = _year_start(conn, code, period, tb)
    assets, claims = balance_sheet_form(lambda codes: _closing(tb, codes))
    assets_start, claims_start = balance_sheet_form(lambda codes: _opening(start, codes))
    return {
        "assets": assets,
        "claims": claims,
        "assets_start": assets_start,
        "claims_start": claims_start,
        "income": _income_lines(conn, code, period, tb)[0],
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
        year_start = _year_start(conn, code, period, tb)
        body = {**balance_sheet(tb, year_start), **balance_sheet_2023(tb, year_start)}
        body.update(asset_check(conn, code, period, body["notes"]))  # books with cards
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
