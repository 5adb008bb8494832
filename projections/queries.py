"""Read functions over the read models. They return plain values (``Money`` for amounts) and
know nothing of HTTP; ``api/`` turns them into JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from moneyed import Money
from sqlalchemy import Connection, and_, func, select

from ledger.accounts import Side
from ledger.money import from_fen
from ledger.trial_balance import TrialBalance, trial_balance
from projections.chart_view import entity_chart
from projections.opening_years import opening_year
from projections.people_view import display_actor, display_names
from projections.tables import (
    account_months,
    alliance_members,
    alliances,
    enterprises,
    entities,
    entries,
    entry_lines,
    opening_balances,
)


@dataclass(frozen=True)
class EntryLine:
    account: str
    account_name: str
    side: str
    amount: Money
    memo: str


@dataclass(frozen=True)
class EntryView:
    entity: str
    number: str
    date: datetime.date
    memo: str
    reverses: str | None
    reversed_by: str | None
    reason: str | None
    actor: str
    recorded_at: datetime.datetime
    total: Money
    position: int
    lines: tuple[EntryLine, ...]
    actor_name: str = ""  # the actor as 经办 shows it (projections.people_view.display_actor)


def entity(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(entities).where(entities.c.code == code)).mappings().first()
    return dict(row) if row is not None else None


def list_entities(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(entities).order_by(entities.c.code)).mappings()]


def alliance(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(alliances).where(alliances.c.code == code)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["members"] = [
        dict(r)
        for r in conn.execute(
            select(alliance_members)
            .where(alliance_members.c.alliance_code == code)
            .order_by(alliance_members.c.joined_on, alliance_members.c.village_code)
        ).mappings()
    ]
    found["enterprises"] = [
        dict(r)
        for r in conn.execute(
            select(enterprises)
            .where(enterprises.c.alliance_code == code)
            .order_by(enterprises.c.code)
        ).mappings()
    ]
    return found


def list_alliances(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(alliances).order_by(alliances.c.code)).mappings()]


def _entry_views(conn: Connection, rows: list[Any]) -> list[EntryView]:
    if not rows:
        return []
    code = rows[0]["entity_code"]
    numbers = [r["number"] for r in rows]
    lines: dict[str, list[EntryLine]] = {n: [] for n in numbers}
    found = list(
        conn.execute(
            select(entry_lines)
            .where(and_(entry_lines.c.entity_code == code, entry_lines.c.number.in_(numbers)))
            .order_by(entry_lines.c.number, entry_lines.c.line)
        ).mappings()
    )
    # the names of only the accounts these lines use (a village paying its households has a
    # sub-account per household: reading them all made one entry cost as much as the register)
    chart = entity_chart(conn, code, only={line["account"] for line in found})
    names = display_names(conn)
    for line in found:
        lines[line["number"]].append(
            EntryLine(
                account=line["account"],
                account_name=chart.get(line["account"]).name,
                side=line["side"],
                amount=from_fen(line["amount_fen"]),
                memo=line["memo"],
            )
        )
    return [
        EntryView(
            entity=r["entity_code"],
            number=r["number"],
            date=r["date"],
            memo=r["memo"],
            reverses=r["reverses"],
            reversed_by=r["reversed_by"],
            reason=r["reason"],
            actor=r["actor"],
            recorded_at=r["recorded_at"],
            total=from_fen(r["total_fen"]),
            position=r["position"],
            lines=tuple(lines[r["number"]]),
            actor_name=display_actor(r["actor"], names),
        )
        for r in rows
    ]


def entry(conn: Connection, code: str, number: str) -> EntryView | None:
    rows = list(
        conn.execute(
            select(entries).where(and_(entries.c.entity_code == code, entries.c.number == number))
        ).mappings()
    )
    found = _entry_views(conn, rows)
    return found[0] if found else None


def list_entries(
    conn: Connection,
    code: str,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[EntryView]]:
    """Entries of one entity in date then number order; returns (total count, page)."""
    conditions = [entries.c.entity_code == code]
    if date_from is not None:
        conditions.append(entries.c.date >= date_from)
    if date_to is not None:
        conditions.append(entries.c.date <= date_to)
    where = and_(*conditions)
    total = conn.execute(select(func.count()).select_from(entries).where(where)).scalar_one()
    rows = list(
        conn.execute(
            select(entries)
            .where(where)
            .order_by(entries.c.date, entries.c.number)
            .limit(limit)
            .offset(offset)
        ).mappings()
    )
    return int(total), _entry_views(conn, rows)


def trial_balance_for(
    conn: Connection, code: str, month: str, *, cumulative: bool = False
) -> TrialBalance:
    """Trial balance (科目余额表) of one entity for ``month`` (``YYYY-MM``).

    Monthly: opening = opening balances + every movement before the month; the movements of
    the month; closing. Cumulative: opening = the opening balances; every movement up to and
    including the month; closing.
    """
    return trial_balance_between(conn, code, None if cumulative else month, month)


def trial_balance_between(
    conn: Connection, code: str, first_month: str | None, last_month: str
) -> TrialBalance:
    """Trial balance over the months ``first_month`` … ``last_month`` (``None``: from the
    opening balances): opening = opening balances + every movement before the first month.
    Books set up during a year (``projections.opening_years``) start a period from the year's
    start, their figures of the year before the books counted in the month before them."""
    year = opening_year(conn, code) if first_month is not None else None
    opening: dict[str, Money] = {
        r.account: from_fen(r.balance_fen)
        for r in conn.execute(
            select(opening_balances.c.account, opening_balances.c.balance_fen).where(
                opening_balances.c.entity_code == code
            )
        )
    }
    before: list[Any] = []
    if year is not None:
        opening = {account: from_fen(fen) for account, fen in year.year_start.items()}
        if year.month <= last_month:
            before = [(a, year.month, d, c) for a, (d, c) in year.moves.items()]
    rows = conn.execute(
        select(
            account_months.c.account,
            account_months.c.month,
            account_months.c.debit_fen,
            account_months.c.credit_fen,
        ).where(and_(account_months.c.entity_code == code, account_months.c.month <= last_month))
    )
    movements: list[tuple[str, Side, Money]] = []
    zero = from_fen(0)
    for account, month, debit_fen, credit_fen in [*before, *rows]:
        if first_month is None or month >= first_month:
            movements.append((account, Side.DEBIT, from_fen(debit_fen)))
            movements.append((account, Side.CREDIT, from_fen(credit_fen)))
        else:
            opening[account] = opening.get(account, zero) + from_fen(debit_fen - credit_fen)
    return trial_balance(chart=entity_chart(conn, code), opening=opening, movements=movements)
