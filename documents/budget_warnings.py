"""Warnings of the financial plan (财务计划): a voucher that takes an expense line past its plan,
and the 工作台's lines over their plan and plans waiting for a step. Read-side checks: they warn,
they never refuse (the books take a voucher the plan did not foresee; 四议两公开 of a revision
is the remedy, not a blocked payment).

- **A voucher's warning** (the voucher page, ``workbench.vouchers``): against the version of
  its year's plan in force on the voucher's date, each expense line the voucher adds to (its
  debits less credits on the line's accounts, > 0) and that its year's posted figures plus the
  voucher pass: ``超出财务计划：管理费用 计划 ¥30,000.00，已用 ¥28,500.00，本凭证后
  ¥31,700.00``. 已用 is every posted entry of the year on the line (a posted voucher's own entry
  left out, so it reads the same before and after 记账); vouchers not yet posted do not count.
- **The 工作台**: the expense lines of this year's plans (the version in force today) whose year
  to date is past their plan, and the plans waiting for something: the next step of 四议两公开
  of their latest version (决议公开 included), a revision after a rejected version, and last
  year's 实施结果公开.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moneyed import Money
from sqlalchemy import Connection

from documents.budget import covers
from domain.budget import EXPENSE
from domain.plan import RESOLUTION_PUBLISHED, RESULT_PUBLISHED, STEPS
from ledger.money import format_yuan, from_fen, money, to_fen
from projections.budget_queries import (
    actual_moves,
    plan_list,
    posted_number_moves,
    versions_in_force,
)


@dataclass(frozen=True)
class LineOver:
    """An expense line past its plan: by a voucher (``after`` with it) or already (``used``)."""

    entity: str
    year: int
    version: int
    line: str
    plan: Money
    used: Money
    after: Money
    name: str = ""  # the book's name (the 工作台's warnings)

    @property
    def text(self) -> str:
        return (
            f"超出财务计划：{self.line} 计划 {format_yuan(self.plan)}，已用 "
            f"{format_yuan(self.used)}，本凭证后 {format_yuan(self.after)}"
        )

    @property
    def over(self) -> Money:
        return self.after - self.plan


@dataclass(frozen=True)
class BudgetDue:
    """A financial plan waiting for something: ``step`` (a step of 四议两公开, or 修订)."""

    entity: str
    name: str
    year: int
    version: int
    step: str


def _line_used(line: Mapping[str, Any], moves: Mapping[str, Mapping[str, int]]) -> int:
    return sum(
        fen
        for month in moves.values()
        for account, fen in month.items()
        if any(covers(account, a) for a in line["accounts"])
    )


def voucher_warnings(
    conn: Connection,
    entity: str,
    day: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    *,
    posted: str | None = None,
) -> list[LineOver]:
    """The expense lines a voucher of ``entity`` dated ``day`` with ``lines`` (``account``,
    ``debit``, ``credit``: amounts as text, blank or None for nothing) takes past the plan in
    force on its date; ``posted`` its entry number once it is in the books. Nothing when there
    is no plan in force."""
    version = versions_in_force(conn, [entity], day.year, day).get(entity)
    if version is None:
        return []
    effect: dict[str, int] = {}
    for line in lines:
        account = str(line.get("account") or "").strip()
        if not account:
            continue
        net = _fen(line.get("debit")) - _fen(line.get("credit"))
        effect[account] = effect.get(account, 0) + net
    moves = actual_moves(conn, [entity], day.year).get(entity, {})
    own = posted_number_moves(conn, entity, posted) if posted else {}
    found = []
    for plan_line in version["lines"]:
        if plan_line["kind"] != EXPENSE:
            continue
        adds = sum(
            fen
            for account, fen in effect.items()
            if any(covers(account, a) for a in plan_line["accounts"])
        )
        if adds <= 0:
            continue
        mine = sum(
            fen
            for account, fen in own.items()
            if any(covers(account, a) for a in plan_line["accounts"])
        )
        used = _line_used(plan_line, moves) - mine
        after = used + adds
        if after > plan_line["amount_fen"]:
            found.append(
                LineOver(
                    entity=entity,
                    year=day.year,
                    version=version["version"],
                    line=plan_line["name"],
                    plan=from_fen(plan_line["amount_fen"]),
                    used=from_fen(used),
                    after=from_fen(after),
                )
            )
    return found


def warnings_of_voucher(conn: Connection, voucher: Mapping[str, Any]) -> list[LineOver]:
    """:func:`voucher_warnings` of a voucher as the voucher page reads it
    (``projections.voucher_view.voucher_detail``); none for a voided one."""
    if voucher.get("status") == "voided" or not voucher.get("date"):
        return []
    day = voucher["date"]
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return voucher_warnings(
        conn,
        voucher["entity"],
        day,
        voucher.get("lines") or [],
        posted=voucher.get("posted_number"),
    )


def _fen(value: object) -> int:
    if value is None or value == "":
        return 0
    try:
        return to_fen(money(str(value).replace(",", ""), allow_negative=True))
    except Exception:  # a cell the voucher's own checks refuse: no warning of it
        return 0


def over_plan(
    conn: Connection,
    codes: Collection[str] | None,
    today: datetime.date,
    names: Mapping[str, str] | None = None,
) -> list[LineOver]:
    """The expense lines of this year's plans (the version in force today) whose year to date
    is past their plan (``used`` = ``after``: the books as they are)."""
    versions = versions_in_force(conn, codes, today.year, today)
    moves = actual_moves(conn, list(versions), today.year)
    found = []
    for entity, version in sorted(versions.items()):
        for line in version["lines"]:
            if line["kind"] != EXPENSE:
                continue
            used = _line_used(line, moves.get(entity, {}))
            if used > line["amount_fen"]:
                found.append(
                    LineOver(
                        entity=entity,
                        year=today.year,
                        version=version["version"],
                        line=line["name"],
                        plan=from_fen(line["amount_fen"]),
                        used=from_fen(used),
                        after=from_fen(used),
                        name=(names or {}).get(entity, entity),
                    )
                )
    return found


def next_step(row: Mapping[str, Any], today: datetime.date) -> str | None:
    """What a plan (a row of ``plan_list``) waits for, or None."""
    done = set(row["steps"])
    if row["state"] == "rejected":
        return "修订"
    if row["state"] == "proposed":
        return next(s for s in STEPS if s not in done)
    if RESOLUTION_PUBLISHED not in done:
        return RESOLUTION_PUBLISHED
    if row["year"] < today.year and RESULT_PUBLISHED not in done:
        return RESULT_PUBLISHED
    return None


def plans_due(rows: Sequence[Mapping[str, Any]], today: datetime.date) -> list[BudgetDue]:
    """The plans (rows of ``plan_list``) of this year, next year and last year waiting for
    something."""
    found = []
    for row in rows:
        if not today.year - 1 <= row["year"] <= today.year + 1:
            continue
        step = next_step(row, today)
        if step is not None:
            found.append(BudgetDue(row["entity"], row["name"], row["year"], row["latest"], step))
    return found


def budget_dashboard(
    conn: Connection, codes: Collection[str] | None, today: datetime.date
) -> tuple[tuple[LineOver, ...], tuple[BudgetDue, ...]]:
    """What the 工作台 shows of the financial plans of the books ``codes`` (None: every book):
    one query when they have none, a few for every book together when they have some."""
    rows = plan_list(conn, codes)
    if not rows:
        return (), ()
    names = {r["entity"]: r["name"] for r in rows}
    this_year = any(r["year"] == today.year for r in rows)
    over = over_plan(conn, codes, today, names) if this_year else []
    return tuple(over), tuple(plans_due(rows, today))
