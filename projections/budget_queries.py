"""Read functions of the financial plans (``projections.budget_view``) and of what the books
moved on the income and expense accounts (``projections.tables``: the ledger read model), for
``documents.budget`` to compare. Plain values out: amounts in whole fen (``int``), dates.

The books' figure of a month (``actual_moves``) is what the 收益及收益分配表 adds up: each
income or expense account's net movement (debit positive) from ``lz_account_months``, the
年终结转 entries and the red ink of a reopening left out (they move the year's result into
本年收益 and are neither income nor expense), and the year's figures before books set up during
the year (建账, ``projections.opening_years``) counted in the month before their first.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, and_, select, tuple_

from ledger.money import fen_text
from projections.budget_view import budget_lines, budget_steps, budget_versions, budgets
from projections.tables import (
    LINE_OF_ENTRY,
    account_months,
    entities,
    entries,
    entry_lines,
    opening_years,
)

YEAR_END_SOURCE = "year-end"  # the 年终结转 entries and their reopenings (documents.statements)


def _results(column: Any) -> Any:
    """501 … 521 and their sub-accounts, as a range the primary key's index serves."""
    return and_(column >= "5", column < "6")


def _lines_of(conn: Connection, pid: str) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(budget_lines)
        .where(budget_lines.c.plan_id == pid)
        .order_by(budget_lines.c.version, budget_lines.c.seq)
    ).mappings():
        found.setdefault(r["version"], []).append(_line(r))
    return found


def _line(r: Any) -> dict[str, Any]:
    return {
        "name": r["name"],
        "kind": r["kind"],
        "accounts": r["accounts"].split("\n"),
        "amount_fen": int(r["amount_fen"]),
        "amount": fen_text(int(r["amount_fen"])),
    }


def _steps_of(conn: Connection, pid: str) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(budget_steps)
        .where(budget_steps.c.plan_id == pid)
        .order_by(budget_steps.c.version, budget_steps.c.date)
    ).mappings():
        details = json.loads(r["details"])
        found.setdefault(r["version"], []).append(
            {
                "step": r["step"],
                "date": r["date"],
                "body": r["body"],
                "place": r["place"],
                "actor": r["actor"],
                **details,
            }
        )
    return found


def plan_of(conn: Connection, entity: str, year: int) -> dict[str, Any] | None:
    """The plan of ``entity``'s books for ``year``: every version with its lines and steps
    (oldest first), or None."""
    which = and_(budgets.c.entity == entity, budgets.c.year == year)
    row = conn.execute(select(budgets).where(which)).mappings().first()
    if row is None:
        return None
    pid = row["plan_id"]
    lines, steps = _lines_of(conn, pid), _steps_of(conn, pid)
    versions = [
        {**dict(v), "lines": lines.get(v["version"], []), "steps": steps.get(v["version"], [])}
        for v in conn.execute(
            select(budget_versions)
            .where(budget_versions.c.plan_id == pid)
            .order_by(budget_versions.c.version)
        ).mappings()
    ]
    for v in versions:
        v.pop("plan_id", None)
    return {"entity": entity, "year": year, "latest": row["latest"], "versions": versions}


def plan_list(
    conn: Connection, codes: Collection[str] | None, year: int | None = None
) -> list[dict[str, Any]]:
    """The plans of the books ``codes`` (None: every book), of ``year`` when given: book, its
    name and township, year, the latest version's number, its state, proposal and 决议 dates
    and the steps it has (``steps``)."""
    query = (
        select(
            budgets.c.entity,
            budgets.c.year,
            budgets.c.latest,
            entities.c.name,
            entities.c.township,
            entities.c.kind,
            budget_versions.c.state,
            budget_versions.c.proposed_on,
            budget_versions.c.approved_on,
            budget_versions.c.rejection,
        )
        .join(entities, entities.c.code == budgets.c.entity)
        .join(
            budget_versions,
            and_(
                budget_versions.c.plan_id == budgets.c.plan_id,
                budget_versions.c.version == budgets.c.latest,
            ),
        )
        .order_by(budgets.c.year.desc(), budgets.c.entity)
    )
    if codes is not None:
        query = query.where(budgets.c.entity.in_(sorted(codes)))
    if year is not None:
        query = query.where(budgets.c.year == year)
    found = [dict(r) for r in conn.execute(query).mappings()]
    if not found:
        return found
    done: dict[tuple[str, int], set[str]] = {}
    steps_query = (
        select(budgets.c.entity, budgets.c.year, budget_steps.c.version, budget_steps.c.step)
        .join(budget_steps, budget_steps.c.plan_id == budgets.c.plan_id)
        .where(budget_steps.c.version == budgets.c.latest)
    )
    if codes is not None:
        steps_query = steps_query.where(budgets.c.entity.in_(sorted(codes)))
    for entity, plan_year, _version, step in conn.execute(steps_query):
        done.setdefault((entity, plan_year), set()).add(step)
    for row in found:
        row["steps"] = done.get((row["entity"], row["year"]), set())
    return found


def versions_in_force(
    conn: Connection, codes: Collection[str] | None, year: int, day: datetime.date
) -> dict[str, dict[str, Any]]:
    """book → the version of its ``year`` plan in force on ``day`` (the latest whose 决议 passed
    on or before it): ``{"version", "approved_on", "proposed_on", "lines", "steps"}``. Three
    queries for every book together."""
    query = (
        select(
            budgets.c.entity,
            budgets.c.plan_id,
            budget_versions.c.version,
            budget_versions.c.approved_on,
            budget_versions.c.proposed_on,
        )
        .join(budget_versions, budget_versions.c.plan_id == budgets.c.plan_id)
        .where(
            and_(
                budgets.c.year == year,
                budget_versions.c.state == "approved",
                budget_versions.c.approved_on <= day,
            )
        )
    )
    if codes is not None:
        query = query.where(budgets.c.entity.in_(sorted(codes)))
    chosen: dict[str, Any] = {}
    for row in conn.execute(query):
        if row.entity not in chosen or row.version > chosen[row.entity].version:
            chosen[row.entity] = row
    if not chosen:
        return {}
    pairs = [(row.plan_id, row.version) for row in chosen.values()]
    lines: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(budget_lines)
        .where(tuple_(budget_lines.c.plan_id, budget_lines.c.version).in_(pairs))
        .order_by(budget_lines.c.plan_id, budget_lines.c.seq)
    ).mappings():
        lines.setdefault((r["plan_id"], r["version"]), []).append(_line(r))
    steps: dict[tuple[str, int], set[str]] = {}
    for pid, version, step in conn.execute(
        select(budget_steps.c.plan_id, budget_steps.c.version, budget_steps.c.step).where(
            tuple_(budget_steps.c.plan_id, budget_steps.c.version).in_(pairs)
        )
    ):
        steps.setdefault((pid, version), set()).add(step)
    return {
        entity: {
            "version": row.version,
            "approved_on": row.approved_on,
            "proposed_on": row.proposed_on,
            "lines": lines.get((row.plan_id, row.version), []),
            "steps": steps.get((row.plan_id, row.version), set()),
        }
        for entity, row in chosen.items()
    }


def actual_moves(
    conn: Connection, codes: Collection[str], year: int
) -> dict[str, dict[str, dict[str, int]]]:
    """book → month (``YYYY-MM``) → income or expense account (as posted: sub-accounts apart)
    → net movement in fen, debit positive, of ``year`` (see the module docstring)."""
    wanted = sorted(codes)
    found: dict[str, dict[str, dict[str, int]]] = {}
    if not wanted:
        return found

    def add(code: str, month: str, account: str, fen: int) -> None:
        if fen:
            moves = found.setdefault(code, {}).setdefault(month, {})
            moves[account] = moves.get(account, 0) + fen

    for code, account, month, debit, credit in conn.execute(
        select(
            account_months.c.entity_code,
            account_months.c.account,
            account_months.c.month,
            account_months.c.debit_fen,
            account_months.c.credit_fen,
        ).where(
            and_(
                account_months.c.entity_code.in_(wanted),
                account_months.c.month >= f"{year:04d}-01",
                account_months.c.month <= f"{year:04d}-12",
                _results(account_months.c.account),
            )
        )
    ):
        add(code, month, account, int(debit) - int(credit))
    for code, account, month, debit, credit in conn.execute(
        select(
            opening_years.c.entity_code,
            opening_years.c.account,
            opening_years.c.month,
            opening_years.c.debit_fen,
            opening_years.c.credit_fen,
        ).where(
            and_(
                opening_years.c.entity_code.in_(wanted),
                opening_years.c.month >= f"{year:04d}-01",
                opening_years.c.month <= f"{year:04d}-12",
                _results(opening_years.c.account),
            )
        )
    ):
        add(code, month, account, int(debit) - int(credit))
    for code, day, account, side, fen in conn.execute(
        select(
            entry_lines.c.entity_code,
            entries.c.date,
            entry_lines.c.account,
            entry_lines.c.side,
            entry_lines.c.amount_fen,
        )
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                entry_lines.c.entity_code.in_(wanted),
                entries.c.source.startswith(YEAR_END_SOURCE),
                entries.c.date >= datetime.date(year, 1, 1),
                entries.c.date <= datetime.date(year, 12, 31),
                _results(entry_lines.c.account),
            )
        )
    ):
        # what the closing moved is taken back out of the month it is counted in
        add(code, f"{day.year:04d}-{day.month:02d}", account, -(fen if side == "debit" else -fen))
    return found


def posted_number_moves(conn: Connection, entity: str, number: str) -> dict[str, int]:
    """account → net movement (debit positive) of entry ``number`` of ``entity`` on the income
    and expense accounts (what a posted voucher already counts in the books' figures)."""
    found: dict[str, int] = {}
    for account, side, fen in conn.execute(
        select(entry_lines.c.account, entry_lines.c.side, entry_lines.c.amount_fen).where(
            and_(
                entry_lines.c.entity_code == entity,
                entry_lines.c.number == number,
                _results(entry_lines.c.account),
            )
        )
    ):
        found[account] = found.get(account, 0) + (fen if side == "debit" else -fen)
    return found
