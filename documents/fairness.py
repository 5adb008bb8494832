"""The fairness workbench over stored plans: a plan's own inputs as the comparison document,
the village–enterprise split of the alliance's agreements, and the comparison page."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledger.comparison import ComparisonError, compare
from ledger.money import amount_str, money
from projections import economy_queries
from projections.tables import agreements


def plan_rule_document(conn: Connection, code: str) -> dict[str, Any]:
    plan = economy_queries.plan(conn, code)
    if plan is None:
        raise ComparisonError(f"plan {code} does not exist", field="plan")
    return {k: v for k, v in plan["rule"].items() if k != "sources"}


def enterprise_split(
    conn: Connection, alliance: str, profits: dict[str, str], today: datetime.date
) -> list[dict[str, Any]]:
    """Per agreement of the alliance and year: guaranteed vs actual dividends, and, where the
    enterprise's profit is given, what it kept and the villages' share of that profit."""
    out = []
    codes = (
        conn.execute(
            select(agreements.c.code)
            .where(agreements.c.alliance_code == alliance)
            .order_by(agreements.c.code)
        )
        .scalars()
        .all()
    )
    for code in codes:
        status = economy_queries.agreement_status(conn, code, today)
        assert status is not None
        years = []
        for year in status["by_year"]:
            row = {k: year[k] for k in ("year", "guaranteed", "declared", "received")}
            row["above_guarantee"] = amount_str(
                max(money(year["declared"]) - money(year["guaranteed"]), money("0"))
            )
            profit = profits.get(str(year["year"]))
            if profit is not None:
                value = money(profit, field=f"enterprise_profit.{year['year']}")
                row["profit"] = amount_str(value)
                row["retained"] = amount_str(value - money(year["declared"]))
                row["village_share"] = (
                    f"{(money(year['declared']).amount / value.amount * 100):.2f}"
                    if value.amount
                    else None
                )
            years.append(row)
        out.append(
            {
                "agreement": code,
                "enterprise": status["enterprise_code"],
                "invested_capital": status["invested_capital"],
                "by_year": years,
            }
        )
    return out


def comparison(
    conn: Connection,
    *,
    document: dict[str, Any] | None,
    plan: str | None,
    candidates: list[dict[str, Any]],
    reference: str | None = None,
    shapley: dict[str, Any] | None = None,
    per_capita_basis: str = "population",
    enterprise_profit: dict[str, str] | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Compare on a plan's inputs (``plan``) or on a docs/rules.md ``document``."""
    if (document is None) == (plan is None):
        raise ComparisonError("give either a plan or a rule document", field="plan")
    base = plan_rule_document(conn, plan) if plan is not None else dict(document or {})
    result = compare(
        base, candidates, reference=reference, shapley=shapley, per_capita_basis=per_capita_basis
    )
    if plan is not None:
        stored = economy_queries.plan(conn, plan)
        assert stored is not None
        result["plan"] = {"code": plan, "title": stored["title"], "state": stored["state"]}
        if stored["alliance_code"]:
            result["enterprise"] = enterprise_split(
                conn,
                stored["alliance_code"],
                enterprise_profit or {},
                today or datetime.date.today(),
            )
    return result


def comparison_now(runtime: Any, **asked: Any) -> dict[str, Any]:
    """:func:`comparison` on the read models brought up to the log's head first (``asked``:
    its keyword arguments but ``today``, which is the application's)."""
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        return comparison(conn, **asked, today=runtime.app.today())


__all__ = ["comparison", "comparison_now", "plan_rule_document"]
