"""What the account books print, per entity and period: 科目余额表 (with first-level rows and
本年累计), 总账 (per first-level account: 期初, each month's 本月合计 and 本年累计, 期末 with its
direction), 明细账 (with 对方科目, 借/贷 and the month's and year's totals) and 日记账 of 库存现金
(101) and 银行存款 (102) (a running balance on every line, 本日合计 when asked, 本月合计).

Every figure comes from the same read models as the trial balance (``lz_account_months``,
``lz_opening_balances``, ``lz_entry_lines``), and each book carries ``checks`` against the
trial balance of the same period, so a book that disagrees with it by a fen says where.
The workbench renders these facts as a page, an A4 print and an XLSX workbook.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from moneyed import Money
from sqlalchemy import Connection

from domain.periods import Period
from ledger.account_books import (
    BookRow,
    Posting,
    book_rows,
    counter_accounts,
    general_rows,
    month_of,
)
from ledger.accounts import ChartOfAccounts
from ledger.money import ZERO, amount_str, from_fen
from projections.chart_view import entity_chart
from projections.ledger_queries import (
    entries_touching,
    last_month_with_movement,
    month_movements,
)
from projections.opening_years import before_rows
from projections.queries import trial_balance_between

JOURNAL_ACCOUNTS = {"101": "现金日记账", "102": "银行存款日记账"}


def _check(what: str, left: Money, right: Money) -> dict[str, Any]:
    return {
        "check": what,
        "left": amount_str(left),
        "right": amount_str(right),
        "holds": left == right,
    }


def _months(first: str, last: str) -> list[str]:
    """``first`` … ``last`` (``YYYY-MM``), both included."""
    found = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _year_start(period: Period) -> str:
    return f"{period.text[:4]}-01"


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def _matches(account: str) -> Callable[[str], bool]:
    """A chart account takes its sub-accounts with it; a sub-account is only itself."""
    if len(account) == 3:
        return lambda code: code.startswith(account)
    return lambda code: code == account


def _year_before(
    conn: Connection, entity: str, period: Period
) -> dict[str, dict[str, tuple[Money, Money]]]:
    """The monthly movements of the period's year before its first month (none for a period
    starting in January)."""
    if period.first_month == _year_start(period):
        return {}
    return month_movements(conn, entity, _year_start(period), _month_before(period.first_month))


def _summed(
    months: dict[str, dict[str, tuple[Money, Money]]], wanted: Callable[[str], bool]
) -> tuple[Money, Money]:
    debit = credit = ZERO
    for account, by_month in months.items():
        if wanted(account):
            for d, c in by_month.values():
                debit += d
                credit += c
    return debit, credit


# -- 科目余额表 ---------------------------------------------------------------------------------


def _balance_columns(prefix: str, balance: Money) -> dict[str, Money]:
    return {
        f"{prefix}_debit": balance if balance > ZERO else ZERO,
        f"{prefix}_credit": -balance if balance < ZERO else ZERO,
    }


def _tb_row(
    account: str, name: str, level: int, figures: tuple[Money, Money, Money, Money, Money]
) -> dict[str, Any]:
    opening, debit, credit, year_debit, year_credit = figures
    return {
        "account": account,
        "name": name,
        "level": level,
        **_balance_columns("opening", opening),
        "debit": debit,
        "credit": credit,
        "year_debit": year_debit,
        "year_credit": year_credit,
        **_balance_columns("closing", opening + debit - credit),
    }


TB_COLUMNS = (
    "opening_debit",
    "opening_credit",
    "debit",
    "credit",
    "year_debit",
    "year_credit",
    "closing_debit",
    "closing_credit",
)


def trial_balance_sheet(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """科目余额表 of the period: per account 期初, 本期借/贷, 本年累计借/贷 and 期末, a chart
    account with sub-accounts in a row of its own (``level`` 1, the sums of its
    sub-accounts, level 2) above them. The totals add the accounts without sub-accounts and
    the sub-accounts (each figure once)."""
    tb = trial_balance_between(conn, entity, period.first_month, period.last_month)
    ytd = (
        tb
        if period.first_month == _year_start(period)
        else trial_balance_between(conn, entity, _year_start(period), period.last_month)
    )
    names = {line.account.code: line.account.name for line in (*tb.lines, *ytd.lines)}
    figures: dict[str, list[Money]] = {code: [ZERO] * 5 for code in sorted(names)}
    for line in tb.lines:
        figures[line.account.code][0:3] = [line.opening, line.debit, line.credit]
    for line in ytd.lines:
        figures[line.account.code][3:5] = [line.debit, line.credit]
    chart = ChartOfAccounts.standard()
    groups: dict[str, list[str]] = {}
    for code in figures:
        groups.setdefault(chart.parent_of(code), []).append(code)
    lines: list[dict[str, Any]] = []
    for base, codes in groups.items():
        grouped = len(codes) > 1 or codes[0] != base
        if grouped:
            sums = tuple(sum((figures[c][i] for c in codes), ZERO) for i in range(5))
            lines.append(_tb_row(base, chart.get(base).name, 1, sums))  # type: ignore[arg-type]
        for code in codes:  # a chart account posted beside its sub-accounts is one of them
            figure = tuple(figures[code])
            lines.append(_tb_row(code, names[code], 2 if grouped else 1, figure))  # type: ignore[arg-type]
    leaves = [_tb_row(code, "", 2, tuple(f)) for code, f in figures.items()]  # type: ignore[arg-type]
    totals = {key: sum((line[key] for line in leaves), ZERO) for key in TB_COLUMNS}
    checks = [
        _check("期初借方合计 = 期初贷方合计", totals["opening_debit"], totals["opening_credit"]),
        _check("本期借方发生额 = 本期贷方发生额", totals["debit"], totals["credit"]),
        _check("本年累计借方 = 本年累计贷方", totals["year_debit"], totals["year_credit"]),
        _check("期末借方合计 = 期末贷方合计", totals["closing_debit"], totals["closing_credit"]),
    ]
    return {
        "lines": lines,
        "totals": totals,
        "checks": checks,
        "balanced": all(c["holds"] for c in checks),
    }


# -- 总账 ---------------------------------------------------------------------------------------


def general_ledger_book(
    conn: Connection,
    entity: str,
    period: Period,
    *,
    today: datetime.date,
    account: str | None = None,
) -> dict[str, Any]:
    """总账: per first-level account with figures in the period (or only ``account``), its
    期初, every month's 本月合计 and 本年累计 and the balance with its direction. The months run
    from the period's first to its last, but not past the later of the books' last month with
    a movement and this month (an open year does not print empty months to come)."""
    tb = trial_balance_between(conn, entity, period.first_month, period.last_month)
    chart = ChartOfAccounts.standard()
    year = period.text[:4]
    latest = max(last_month_with_movement(conn, entity, year) or "", month_of(today))
    months = [m for m in _months(period.first_month, period.last_month) if m <= latest] or [
        period.first_month
    ]
    during = month_movements(conn, entity, period.first_month, months[-1])
    before = _year_before(conn, entity, period)
    bases = sorted({chart.parent_of(line.account.code) for line in tb.lines})
    bases += sorted(
        {chart.parent_of(code) for code in (*before, *during)} - set(bases)
    )  # accounts whose year so far nets to nothing still have 本年累计
    if account is not None:
        bases = [b for b in bases if b == account]
    books: list[dict[str, Any]] = []
    for base in sorted(bases):
        wanted = _matches(base)
        sums: dict[str, tuple[Money, Money]] = {}
        for code, by_month in during.items():
            if wanted(code):
                for month, (d, c) in by_month.items():
                    old = sums.get(month, (ZERO, ZERO))
                    sums[month] = (old[0] + d, old[1] + c)
        opening = sum((x.opening for x in tb.lines if wanted(x.account.code)), ZERO)
        rows = general_rows(
            start=period.start,
            opening=opening,
            year_before=_summed(before, wanted),
            months=months,
            sums=sums,
        )
        closing = sum((x.closing for x in tb.lines if wanted(x.account.code)), ZERO)
        books.append(
            {
                "account": base,
                "name": chart.get(base).name,
                "rows": rows,
                "closing": rows[-1].balance,
                "checks": [
                    _check(f"{base} 期末余额 = 科目余额表期末余额", rows[-1].balance, closing)
                ],
            }
        )
    checks = [check for book in books for check in book["checks"]]
    return {"accounts": books, "months": months, "checks": checks}


# -- 明细账 and 日记账 -------------------------------------------------------------------------


def account_book(
    conn: Connection, entity: str, account: str, period: Period, *, daily: bool = False
) -> dict[str, Any]:
    """明细账 of ``account`` (a chart account takes its sub-accounts with it) for the period:
    上年结转 or 期初余额, each line with its 对方科目 and balance (借/贷/平), 本月合计 and 本年累计
    after each month with entries; with ``daily``, 本日合计 after each day (日记账).

    Raises:
        UnknownAccountError: when ``account`` is not a code of the chart.
    """
    chart = ChartOfAccounts.standard()
    chart.parent_of(account)  # refuses a code outside the chart
    tb = trial_balance_between(conn, entity, period.first_month, period.last_month)
    wanted = _matches(account)
    opening = sum((x.opening for x in tb.lines if wanted(x.account.code)), ZERO)
    found = entries_touching(conn, entity, account, period.start, period.end)
    postings = [  # books set up during a year: the year's figures before them come first
        Posting(r.date, r.number, r.memo, r.account, *_sides(r.side, from_fen(r.amount_fen)))
        for r in before_rows(conn, entity, account, period.first_month, period.last_month)
    ]
    for entry in found:
        sides = [(a, s) for a, s, _ in entry.lines]
        for index, (code, side, amount) in enumerate(entry.lines):
            if not wanted(code):
                continue
            own = entry.memos[index] if index < len(entry.memos) else ""
            postings.append(
                Posting(
                    date=entry.date,
                    number=entry.number,
                    memo=own or entry.memo,  # the line's 摘要, else the voucher's
                    account=code,
                    debit=amount if side == "debit" else ZERO,
                    credit=amount if side == "credit" else ZERO,
                    counter=counter_accounts(sides, index),
                )
            )
    used = {account} | {p.account for p in postings} | {c for p in postings for c in p.counter}
    named = entity_chart(conn, entity, only=used)
    rows = book_rows(
        start=period.start,
        opening=opening,
        year_before=_summed(_year_before(conn, entity, period), wanted),
        postings=postings,
        daily=daily,
    )
    closing = rows[-1].balance
    expected = sum((x.closing for x in tb.lines if wanted(x.account.code)), ZERO)
    return {
        "account": account,
        "name": named.get(account).name,
        "rows": rows,
        "names": {code: named.get(code).name for code in used},
        "opening": opening,
        "closing": closing,
        "checks": [_check("期末余额 = 科目余额表期末余额", closing, expected)],
    }


def _sides(side: str, amount: Money) -> tuple[Money, Money]:
    return (amount, ZERO) if side == "debit" else (ZERO, amount)


def counter_text(row: BookRow, names: dict[str, str], *, limit: int = 3) -> str:
    """The 对方科目 of a posting row as printed: ``501 经营收入``, several joined by 、, more
    than ``limit`` cut to the first ones and 等 N 个科目."""
    if row.posting is None:
        return ""
    codes = row.posting.counter
    shown = [f"{c} {names.get(c, '')}".strip() for c in codes[:limit]]
    text = "、".join(shown)
    return text + f" 等 {len(codes)} 个科目" if len(codes) > limit else text
