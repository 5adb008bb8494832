"""The financial plan against the books (财务计划执行情况): what a page, the XLSX, the API and the
三公开 sheet print of a book's plan for a year.

Decisions:

- **The plan compared** is the version in force at the end of the period read: the latest whose
  决议 passed on or before that day (``domain.budget``). A revision replaces the year's figures
  from its 决议 on; it does not split the year into a part under the old version and a part under
  the new. A period that ends before any version passed has no plan to compare: its actual
  figures are shown, the plan column says so.
- **The actual figure of a line** is the net movement of its accounts (a chart account with its
  sub-accounts, a sub-account alone) as the 收益及收益分配表 adds it up: credits less debits for
  income, debits less credits for expenses, red ink reducing it, the 年终结转 entries left out
  (``projections.budget_queries.actual_moves``). Movements on income and expense accounts no
  line names are shown as 未列入计划的收入 / 未列入计划的支出 (plan 0), so the totals are the
  books' totals, to the fen.
- **Month and year to date**: the actual of each month from January to the month read
  (``through``), the month's own, the year to date, the difference (plan − year to date) and the
  percentage of the year's plan used (year to date ÷ plan, two places, half up; none when the
  plan is 0). An expense line whose year to date passes its plan is *over*; income above its plan
  is not a warning.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection

from domain.budget import EXPENSE, INCOME, KIND_ZH, STATE_ZH
from domain.budget.lines import kind_of
from domain.periods import Period
from ledger.money import fen_text
from projections import queries
from projections.budget_queries import actual_moves, plan_of, versions_in_force

UNPLANNED = {INCOME: "未列入计划的收入", EXPENSE: "未列入计划的支出"}


def covers(account: str, line_account: str) -> bool:
    """Whether ``account``'s movement counts in a line naming ``line_account`` (a chart
    account takes its sub-accounts with it; a sub-account is only itself)."""
    if len(line_account) == 3:
        return account.startswith(line_account)
    return account == line_account


def signed(kind: str, net_debit: int) -> int:
    """A movement as the line counts it: income credits less debits, expenses the reverse."""
    return -net_debit if kind == INCOME else net_debit


def percent(part: int, whole: int) -> str | None:
    """``part`` as a percentage of ``whole`` (two places, half up); None when ``whole`` is 0."""
    if whole == 0:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value:f}"


def months_of(year: int, first: int, last: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(first, last + 1)]


def line_months(
    line: Mapping[str, Any], moves: Mapping[str, Mapping[str, int]], months: Sequence[str]
) -> list[int]:
    """The line's actual figure (fen) in each of ``months``."""
    out = []
    for month in months:
        found = moves.get(month, {})
        net = sum(
            fen
            for account, fen in found.items()
            if any(covers(account, a) for a in line["accounts"])
        )
        out.append(signed(line["kind"], net))
    return out


def unplanned_lines(
    lines: Sequence[Mapping[str, Any]], moves: Mapping[str, Mapping[str, int]]
) -> list[dict[str, Any]]:
    """The income and the expense accounts that moved and that no line names, as two lines of
    plan 0 (those that moved only)."""
    named = [a for line in lines for a in line["accounts"]]
    found: dict[str, set[str]] = {INCOME: set(), EXPENSE: set()}
    for month_moves in moves.values():
        for account, fen in month_moves.items():
            if fen and not any(covers(account, a) for a in named):
                kind = kind_of(account)
                if kind is not None:
                    found[kind].add(account)
    return [
        {
            "name": UNPLANNED[kind],
            "kind": kind,
            "accounts": sorted(accounts),
            "amount_fen": 0,
            "unplanned": True,
        }
        for kind, accounts in found.items()
        if accounts
    ]


def _figures(plan: int, actual: Sequence[int], first: int, last: int) -> dict[str, Any]:
    """The printed figures of a line or a total: ``actual`` the months from January, the
    period ``first`` … ``last`` (indexes from 0)."""
    ytd = sum(actual[: last + 1])
    return {
        "plan": fen_text(plan),
        "months": [fen_text(f) for f in actual[: last + 1]],
        "month": fen_text(actual[last]),
        "period": fen_text(sum(actual[first : last + 1])),
        "ytd": fen_text(ytd),
        "difference": fen_text(plan - ytd),
        "percent": percent(ytd, plan),
    }


def month_end(month: str) -> datetime.date:
    """The last day of ``month`` (``YYYY-MM``)."""
    year, number = int(month[:4]), int(month[5:])
    return datetime.date(year, number, calendar.monthrange(year, number)[1])


def default_through(year: int, today: datetime.date) -> str:
    """The month a comparison reads to when none is asked for: this month for this year,
    December for a past year, January for a year still to come."""
    if year < today.year:
        return f"{year:04d}-12"
    if year == today.year:
        return f"{year:04d}-{today.month:02d}"
    return f"{year:04d}-01"


def figures(
    lines: Sequence[Mapping[str, Any]],
    moves: Mapping[str, Mapping[str, int]],
    year: int,
    first_month: int,
    last_month: int,
) -> dict[str, Any]:
    """The rows of income and expense (the plan's lines, then what no line names) with their
    totals, and the result (income − expenses), from January to ``last_month``; ``period`` is
    ``first_month`` … ``last_month``."""
    months = months_of(year, 1, last_month)
    every = [dict(line) for line in lines] + unplanned_lines(lines, moves)
    first, last = first_month - 1, last_month - 1
    parts: dict[str, Any] = {}
    sums: dict[str, tuple[int, int, int]] = {}  # kind → (plan, year to date, period) in fen
    for kind in (INCOME, EXPENSE):
        rows, plans, actuals = [], [], []
        for line in every:
            if line["kind"] != kind:
                continue
            plan, actual = int(line["amount_fen"]), line_months(line, moves, months)
            ytd = sum(actual)
            rows.append(
                {
                    "name": line["name"],
                    "kind": kind,
                    "accounts": "、".join(line["accounts"]),
                    **_figures(plan, actual, first, last),
                    "over": kind == EXPENSE and ytd > plan,
                    "unplanned": bool(line.get("unplanned")),
                }
            )
            plans.append(plan)
            actuals.append(actual)
        by_month = [sum(a[m] for a in actuals) for m in range(last_month)]
        parts[kind] = {"lines": rows, "total": _figures(sum(plans), by_month, first, last)}
        sums[kind] = (sum(plans), sum(by_month), sum(by_month[first:]))
    (ip, iy, iperiod), (ep, ey, eperiod) = sums[INCOME], sums[EXPENSE]
    parts["result"] = {
        "plan": fen_text(ip - ep),
        "ytd": fen_text(iy - ey),
        "period": fen_text(iperiod - eperiod),
    }
    parts["over"] = [r["name"] for r in parts[EXPENSE]["lines"] if r["over"]]
    return parts


def comparison(
    conn: Connection, entity: str, year: int, through: str | None, today: datetime.date
) -> dict[str, Any] | None:
    """The plan of ``entity``'s books for ``year`` against its books, month by month from
    January to ``through`` (``YYYY-MM``; by default :func:`default_through`); None when the
    books or the plan do not exist. Amounts as two-place strings."""
    books = queries.entity(conn, entity)
    plan = plan_of(conn, entity, year)
    if books is None or plan is None:
        return None
    through = through or default_through(year, today)
    last = int(through[5:])
    end = month_end(through)
    version = versions_in_force(conn, [entity], year, end).get(entity)
    moves = actual_moves(conn, [entity], year).get(entity, {})
    parts = figures(version["lines"] if version else [], moves, year, last, last)
    latest = plan["versions"][-1]
    return {
        "title": f"{books['name']}{year}年财务计划执行情况",
        "entity": {k: books[k] for k in ("code", "name", "township", "county", "kind")},
        "year": year,
        "through": through,
        "months": months_of(year, 1, last),
        "month_labels": [f"{m}月" for m in range(1, last + 1)],
        "previous": f"{year:04d}-{last - 1:02d}" if last > 1 else None,
        "next": f"{year:04d}-{last + 1:02d}" if last < 12 else None,
        "version": None
        if version is None
        else {
            "version": version["version"],
            "approved_on": version["approved_on"].isoformat(),
            "proposed_on": version["proposed_on"].isoformat(),
        },
        "latest": {
            "version": latest["version"],
            "state": latest["state"],
            "state_name": STATE_ZH.get(latest["state"], latest["state"]),
            "reason": latest["reason"],
        },
        "kinds": KIND_ZH,
        **parts,
    }


def sheet_part(conn: Connection, entity: str, period: Period) -> dict[str, Any] | None:
    """The 财务计划 part of a 三公开 sheet for ``period``: each line's plan for the year, its
    actual in the period and in the year to the period's end, the difference (plan − year to
    date) and the percentage used; the version in force at the period's end (none: said so).
    None when the book has no plan for the period's year (the sheet then has no such part: so
    a sheet published before plans existed is made again as it was)."""
    year = period.start.year
    if plan_of(conn, entity, year) is None:
        return None
    version = versions_in_force(conn, [entity], year, period.end).get(entity)
    moves = actual_moves(conn, [entity], year).get(entity, {})
    first, last = int(period.first_month[5:]), int(period.last_month[5:])
    parts = figures(version["lines"] if version else [], moves, year, first, last)

    def lines(kind: str) -> list[dict[str, Any]]:
        return [
            {k: r[k] for k in ("name", "accounts", "plan", "period", "ytd", "difference")}
            | {"percent": r["percent"] or "", "over": r["over"], "unplanned": r["unplanned"]}
            for r in parts[kind]["lines"]
        ]

    def total(kind: str) -> dict[str, Any]:
        t = parts[kind]["total"]
        return {k: t[k] for k in ("plan", "period", "ytd", "difference")} | {
            "percent": t["percent"] or ""
        }

    return {
        "year": year,
        "version": None if version is None else version["version"],
        "approved_on": None if version is None else version["approved_on"].isoformat(),
        "income": {"lines": lines(INCOME), "total": total(INCOME)},
        "expense": {"lines": lines(EXPENSE), "total": total(EXPENSE)},
        "result": parts["result"],
        "over": parts["over"],
    }
