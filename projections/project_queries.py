"""Read functions over the projects of the ``assets`` read model (``projections.assets_view``):
the project list and one project, and its 投资收益表 (``project_statement``). Plain values out
(amounts as two-place strings); the card, lease and depreciation queries are
``projections.assets_queries``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from domain.periods import parse_period
from domain.projects import FUNDING_KINDS, INCOME_KINDS, KINDS, STATE_ZH
from ledger.allocation import split
from ledger.money import from_fen, to_fen
from projections.assets_queries import owners_of, percent, sums, township_entities, yuan
from projections.assets_view import (
    asset_cards,
    depreciation,
    project_budget,
    project_costs,
    project_funding,
    project_income,
    project_owners,
    project_steps,
    projects,
)


def project_list(
    conn: Connection, *, entity: str | None = None, township: str | None = None
) -> list[dict[str, Any]]:
    """Every project (of ``entity``'s books, of a township's), by code: budget, funding, costs
    to date, progress against the budget (percent), state."""
    allowed = township_entities(conn, township)
    budgets = sums(conn, project_budget.c.budget_fen, project_budget.c.project_id)
    funded = sums(conn, project_funding.c.amount_fen, project_funding.c.project_id)
    costs = sums(conn, project_costs.c.amount_fen, project_costs.c.project_id)
    grants = sums(conn, project_costs.c.grant_fen, project_costs.c.project_id)
    income = sums(conn, project_income.c.amount_fen, project_income.c.project_id)
    resolved = set(
        conn.execute(select(project_steps.c.project_id).where(project_steps.c.step == "决议"))
        .scalars()
        .all()
    )
    query = select(projects).order_by(projects.c.code)
    if entity is not None:
        query = query.where(projects.c.entity == entity)
    found = []
    for r in conn.execute(query).mappings():
        if allowed is not None and r["entity"] not in allowed:
            continue
        pid = r["project_id"]
        budget, cost = budgets.get(pid, 0), costs.get(pid, 0)
        found.append(
            {
                "code": r["code"],
                "name": r["name"],
                "entity": r["entity"],
                "kind": r["kind"],
                "kind_zh": KINDS.get(r["kind"], r["kind"]),
                "state": r["state"],
                "state_zh": STATE_ZH.get(r["state"], r["state"]),
                "approval_required": bool(r["approval_required"]),
                "approved": not r["approval_required"]
                or (pid in resolved and r["state"] != "rejected"),
                "planned_on": r["planned_on"],
                "completed_on": r["completed_on"],
                "budget": yuan(budget),
                "funding": yuan(funded.get(pid, 0)),
                "cost": yuan(cost),
                "grant_part": yuan(grants.get(pid, 0)),
                "progress": percent(cost, budget),
                "income": yuan(income.get(pid, 0)),
                "account": r["account"],
                "assets": [a for a in (r["assets"] or "").split("\n") if a],
            }
        )
    return found


def _project_row(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(projects).where(projects.c.code == code)).mappings().first()
    return dict(row) if row is not None else None


def project_detail(conn: Connection, code: str) -> dict[str, Any] | None:
    """One project: its row and its budget items (budget, cost, left), funding sources, steps
    of 四议两公开, costs, owners, cards and income; None when there is none."""
    row = _project_row(conn, code)
    if row is None:
        return None
    pid = row["project_id"]
    by_item = sums(
        conn,
        project_costs.c.amount_fen,
        project_costs.c.item,
        project_costs.c.project_id == pid,
    )
    items = [
        {
            "item": r.item,
            "budget": yuan(r.budget_fen),
            "cost": yuan(by_item.get(r.item, 0)),
            "left": yuan(r.budget_fen - by_item.get(r.item, 0)),
            "progress": percent(by_item.get(r.item, 0), r.budget_fen),
        }
        for r in conn.execute(
            select(project_budget)
            .where(project_budget.c.project_id == pid)
            .order_by(project_budget.c.seq)
        )
    ]
    funding = [
        {
            "kind": r.kind,
            "kind_zh": FUNDING_KINDS.get(r.kind, r.kind),
            "source": r.source,
            "programme": r.programme,
            "amount": yuan(r.amount_fen),
        }
        for r in conn.execute(
            select(project_funding)
            .where(project_funding.c.project_id == pid)
            .order_by(project_funding.c.seq)
        )
    ]
    steps = [
        {"step": r.step, "date": r.date, "body": r.body, "place": r.place, "details": r.details}
        for r in conn.execute(
            select(project_steps)
            .where(project_steps.c.project_id == pid)
            .order_by(project_steps.c.date)
        )
    ]
    costs = [
        {
            "entry": r.entry,
            "date": r.date,
            "item": r.item,
            "amount": yuan(r.amount_fen),
            "grant": r.grant,
            "grant_amount": yuan(r.grant_fen),
            "memo": r.memo,
        }
        for r in conn.execute(
            select(project_costs)
            .where(project_costs.c.project_id == pid)
            .order_by(project_costs.c.date, project_costs.c.entry)
        )
    ]
    income = [
        {
            "entry": r.entry,
            "date": r.date,
            "kind": r.kind,
            "kind_zh": INCOME_KINDS.get(r.kind, r.kind),
            "amount": yuan(r.amount_fen),
            "account": r.account,
            "reference": r.reference,
            "memo": r.memo,
        }
        for r in conn.execute(
            select(project_income)
            .where(project_income.c.project_id == pid)
            .order_by(project_income.c.date, project_income.c.entry)
        )
    ]
    (summary,) = [p for p in project_list(conn, entity=row["entity"]) if p["code"] == code]
    return {
        **summary,
        "grant_account": row["grant_account"],
        "rejection": row["rejection"],
        "basis": row["basis"],
        "completion_entries": [e for e in (row["completion_entries"] or "").split("\n") if e],
        "items": items,
        "funding_sources": funding,
        "steps": steps,
        "costs": costs,
        "owners": owners_of(conn, project_owners, project_owners.c.project_id == pid),
        "income_lines": income,
    }


def project_statement(
    conn: Connection, code: str, period: str | None = None
) -> dict[str, Any] | None:
    """投资收益表 of a project (for ``period``, 2025 / 2025-Q3 / 2025-09, or since it began):
    invested (its cost), depreciated (of its cards in the period), earned (its income in the
    period), result (earned − depreciated), return (result / invested, percent, two places),
    and each owner: its share, the capital it designated, and its part of each figure."""
    row = _project_row(conn, code)
    if row is None:
        return None
    pid = row["project_id"]
    first_month, last_month = "0000-00", "9999-99"
    first_day, last_day = datetime.date.min, datetime.date.max
    if period:
        found = parse_period(period)
        first_month, last_month = found.first_month, found.last_month
        first_day, last_day = found.start, found.end
    invested = int(
        conn.execute(
            select(func.sum(project_costs.c.amount_fen)).where(project_costs.c.project_id == pid)
        ).scalar()
        or 0
    )
    cards = [a for a in (row["assets"] or "").split("\n") if a]
    card_ids = list(
        conn.execute(
            select(asset_cards.c.card_id).where(
                asset_cards.c.entity == row["entity"], asset_cards.c.number.in_(cards or [""])
            )
        ).scalars()
    )
    worn = int(
        conn.execute(
            select(func.sum(depreciation.c.amount_fen)).where(
                depreciation.c.card_id.in_(card_ids or [""]),
                depreciation.c.month >= first_month,
                depreciation.c.month <= last_month,
            )
        ).scalar()
        or 0
    )
    earned = int(
        conn.execute(
            select(func.sum(project_income.c.amount_fen)).where(
                project_income.c.project_id == pid,
                project_income.c.date >= first_day,
                project_income.c.date <= last_day,
            )
        ).scalar()
        or 0
    )
    owners = owners_of(conn, project_owners, project_owners.c.project_id == pid)
    shares = {o["owner"]: Decimal(o["share"]) for o in owners}
    capital: dict[str, int] = {}
    for r in conn.execute(
        select(project_funding).where(
            project_funding.c.project_id == pid, project_funding.c.kind == "capital"
        )
    ):
        capital[r.source] = capital.get(r.source, 0) + r.amount_fen

    def parts(fen: int) -> dict[str, int]:
        if not shares:
            return {}
        sign = -1 if fen < 0 else 1
        return {k: sign * to_fen(v) for k, v in split(from_fen(abs(fen)), shares).items()}

    figures = {"invested": invested, "depreciated": worn, "earned": earned}
    split_figures = {name: parts(fen) for name, fen in figures.items()}
    result = earned - worn
    lines = [
        {
            "owner": owner,
            "share": owners_share,
            "capital": yuan(capital.get(owner, 0)),
            **{name: yuan(split_figures[name].get(owner, 0)) for name in figures},
            "result": yuan(parts(result).get(owner, 0)),
        }
        for owner, owners_share in ((o["owner"], o["share"]) for o in owners)
    ]
    return {
        "code": code,
        "name": row["name"],
        "entity": row["entity"],
        "period": period or "",
        "invested": yuan(invested),
        "depreciated": yuan(worn),
        "earned": yuan(earned),
        "result": yuan(result),
        "return_percent": percent(result, invested),
        "owners": lines,
    }
