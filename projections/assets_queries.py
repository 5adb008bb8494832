"""Read functions over the ``assets`` read model (``projections.assets_view``): what the pages
and the API of 三资 show. Plain values out (amounts as two-place strings, ``amount_str``);
``api/`` makes JSON of them, the workbench prints them.

- (``projections.project_queries``) ``project_list`` / ``project_detail``: projects with budget,
  funding, costs to date, progress and status; one project's items, sources, steps, costs,
  owners, cards and income; ``project_statement``: a project's 投资收益表 for a period:
  invested, depreciated, earned, result, return on the investment, and each owner's share of
  each (each total split by the recorded shares with the one method of ``ledger.allocation``,
  so the owners' results are what a distribution by ownership gives them);
- ``asset_list`` / ``asset_detail``: cards with 原值, accumulated depreciation, net value,
  status and owners; one card's months, leases (rent due, received, outstanding) and disposal;
- ``depreciation_table``: the 固定资产折旧表 of a book for a period, by card and by owner (the
  owners' amounts as each month recorded them);
- ``rent_status``: every lease of a book or a township with what is due, received and overdue
  on a day; ``depreciation_runs``: a book's monthly runs.

Scope: ``township=`` limits lists to the books of a township (pages are scoped by township).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, func, select

from domain.assets.leases import outstanding, periods
from domain.assets.vocabulary import ACQUISITIONS, CATEGORIES, DISPOSALS, METHOD_ZH, STATUS_ZH, USES
from domain.periods import parse_period
from ledger.money import amount_str, from_fen
from projections.assets_view import (
    asset_cards,
    asset_owners,
    depreciation,
    depreciation_owners,
    leases,
    rents,
)
from projections.assets_view import (
    depreciation_runs as runs,
)
from projections.tables import entities


def yuan(fen: int | None) -> str:
    return amount_str(from_fen(int(fen or 0)))


def percent(part: int, whole: int) -> str:
    """``part`` / ``whole`` as a percentage, two places, half-up ("" when ``whole`` is 0)."""
    if not whole:
        return ""
    exact = Fraction(part * 100, whole)
    sign = -1 if exact < 0 else 1
    cents = abs(exact) * 100 + Fraction(1, 2)
    return f"{Decimal(sign * (cents.numerator // cents.denominator)) / 100:.2f}"


def township_entities(conn: Connection, township: str | None) -> set[str] | None:
    if township is None:
        return None
    query = select(entities.c.code).where(entities.c.township == township)
    return set(conn.execute(query).scalars())


def sums(conn: Connection, amount: Any, key: Any, where: Any = None) -> dict[str, int]:
    """Σ ``amount`` by ``key`` (where ``where``), in fen."""
    query = select(key, func.sum(amount)).group_by(key)
    if where is not None:
        query = query.where(where)
    return {str(k): int(v or 0) for k, v in conn.execute(query)}


# -- asset cards -------------------------------------------------------------------------------


def _card(r: Any, accumulated: int) -> dict[str, Any]:
    category = CATEGORIES.get(r["category"])
    return {
        "entity": r["entity"],
        "number": r["number"],
        "name": r["name"],
        "category": r["category"],
        "category_zh": category.zh if category else r["category"],
        "account": r["account"],
        "contra": r["contra"],
        "original": yuan(r["original_fen"]),
        "accumulated": yuan(accumulated),
        "net": yuan(r["original_fen"] - accumulated),
        "acquisition": r["acquisition"],
        "acquisition_zh": ACQUISITIONS.get(r["acquisition"], (None, r["acquisition"]))[1],
        "acquired_on": r["acquired_on"],
        "life_months": r["life_months"],
        "residual_rate": r["residual_rate"],
        "method": r["method"],
        "method_zh": METHOD_ZH.get(r["method"], r["method"]),
        "use": r["use"],
        "use_zh": USES.get(r["use"], ("", r["use"]))[1],
        "location": r["location"],
        "user": r["user"],
        "project": r["project"],
        "status": r["status"],
        "status_zh": STATUS_ZH.get(r["status"], r["status"]),
        "disposed_on": r["disposed_on"],
    }


def asset_list(
    conn: Connection, *, entity: str | None = None, township: str | None = None
) -> list[dict[str, Any]]:
    """Every card (of ``entity``'s books, of a township's), by entity and number: 原值,
    accumulated depreciation (what it came with and every month since), net value, status,
    owners and shares."""
    allowed = township_entities(conn, township)
    worn = sums(conn, depreciation.c.amount_fen, depreciation.c.card_id)
    owners: dict[str, list[dict[str, str]]] = {}
    for o in conn.execute(select(asset_owners).order_by(asset_owners.c.owner)):
        owners.setdefault(o.card_id, []).append({"owner": o.owner, "share": o.share})
    query = select(asset_cards).order_by(asset_cards.c.entity, asset_cards.c.number)
    if entity is not None:
        query = query.where(asset_cards.c.entity == entity)
    found = []
    for card in conn.execute(query).mappings():
        if allowed is not None and card["entity"] not in allowed:
            continue
        accumulated = card["opening_fen"] + worn.get(card["card_id"], 0)
        found.append({**_card(card, accumulated), "owners": owners.get(card["card_id"], [])})
    return found


def asset_detail(
    conn: Connection, entity: str, number: str, *, today: datetime.date | None = None
) -> dict[str, Any] | None:
    """One card with its months (amount, voucher, each owner's part), its leases (periods
    due, received, outstanding on ``today``) and its disposal; None when there is none."""
    row = (
        conn.execute(
            select(asset_cards).where(
                asset_cards.c.entity == entity, asset_cards.c.number == number
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    cid = row["card_id"]
    shares: dict[str, dict[str, int]] = {}
    for r in conn.execute(select(depreciation_owners).where(depreciation_owners.c.card_id == cid)):
        shares.setdefault(r.month, {})[r.owner] = r.amount_fen
    months = [
        {
            "month": r.month,
            "amount": yuan(r.amount_fen),
            "units": r.units,
            "account": r.account,
            "entry": r.entry,
            "owners": {o: yuan(f) for o, f in sorted(shares.get(r.month, {}).items())},
        }
        for r in conn.execute(
            select(depreciation).where(depreciation.c.card_id == cid).order_by(depreciation.c.month)
        )
    ]
    accumulated = row["opening_fen"] + sum(
        int(r)
        for r in conn.execute(
            select(depreciation.c.amount_fen).where(depreciation.c.card_id == cid)
        ).scalars()
    )
    detail = _card(row, accumulated)
    detail["owners"] = owners_of(conn, asset_owners, asset_owners.c.card_id == cid)
    detail["months"] = months
    detail["leases"] = _leases(conn, [cid], today or datetime.date.today())
    if row["status"] == "disposed":
        detail["disposal"] = {
            "date": row["disposed_on"],
            "kind": row["disposal_kind"],
            "kind_zh": DISPOSALS.get(row["disposal_kind"], row["disposal_kind"]),
            "proceeds": yuan(row["proceeds_fen"]),
            "costs": yuan(row["costs_fen"]),
            "net": yuan(row["net_fen"]),
            "result": yuan(row["result_fen"]),
            "entries": [e for e in (row["disposal_entries"] or "").split("\n") if e],
        }
    return detail


def _leases(
    conn: Connection, card_ids: Iterable[str], today: datetime.date
) -> list[dict[str, Any]]:
    ids = list(card_ids)
    received: dict[tuple[str, str], dict[str, int]] = {}
    for r in conn.execute(select(rents).where(rents.c.card_id.in_(ids or [""]))):
        periods_of = received.setdefault((r.card_id, r.lease), {})
        periods_of[r.period] = periods_of.get(r.period, 0) + r.amount_fen
    found = []
    for r in conn.execute(
        select(leases).where(leases.c.card_id.in_(ids or [""])).order_by(leases.c.start)
    ):
        terms = {
            "start": str(r.start)[:10],
            "end": str(r.end)[:10],
            "every": r.every_months,
            "due_day": r.due_day,
            "rent": r.rent_fen,
        }
        got = received.get((r.card_id, r.lease), {})
        schedule = periods(terms)
        owed = outstanding(terms, got, today)
        due_fen = sum(d.rent for d in schedule if d.due_on <= today)
        found.append(
            {
                "card_id": r.card_id,
                "lease": r.lease,
                "lessee": r.lessee,
                "rent": yuan(r.rent_fen),
                "every_months": r.every_months,
                "start": r.start,
                "end": r.end,
                "due_day": r.due_day,
                "contract": r.contract,
                "ended_reason": r.ended_reason,
                "due": yuan(due_fen),
                "received": yuan(sum(got.values())),
                "outstanding": yuan(sum(left for _, left in owed)),
                "overdue": [
                    {"period": d.period, "due_on": d.due_on, "amount": yuan(left)}
                    for d, left in owed
                    if d.due_on < today
                ],
                "next_due": next(
                    (
                        {"period": d.period, "due_on": d.due_on, "amount": yuan(d.rent)}
                        for d in schedule
                        if d.due_on >= today and got.get(d.period, 0) < d.rent
                    ),
                    None,
                ),
            }
        )
    return found


def rent_status(
    conn: Connection,
    *,
    entity: str | None = None,
    township: str | None = None,
    today: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """Every lease of a book's (or a township's) cards with rent due, received, outstanding,
    overdue periods and the next due date on ``today``."""
    allowed = township_entities(conn, township)
    query = select(
        asset_cards.c.card_id, asset_cards.c.entity, asset_cards.c.number, asset_cards.c.name
    )
    if entity is not None:
        query = query.where(asset_cards.c.entity == entity)
    cards = {r.card_id: r for r in conn.execute(query) if allowed is None or r.entity in allowed}
    found = _leases(conn, cards, today or datetime.date.today())
    for lease in found:
        card = cards[lease["card_id"]]
        lease.update(entity=card.entity, number=card.number, name=card.name)
    return sorted(found, key=lambda x: (x["entity"], x["number"], x["lease"]))


def depreciation_table(conn: Connection, entity: str, period: str) -> dict[str, Any]:
    """固定资产折旧表 of ``entity``'s books for ``period``: per card 原值, accumulated at the
    start, this period's depreciation, accumulated at the end, net; per owner the period's
    amounts as each month recorded them; and the lines by month and owner."""
    found = parse_period(period)
    first, last = found.first_month, found.last_month
    cards = list(
        conn.execute(
            select(asset_cards).where(asset_cards.c.entity == entity).order_by(asset_cards.c.number)
        ).mappings()
    )
    ids = [c["card_id"] for c in cards]
    before = sums(
        conn,
        depreciation.c.amount_fen,
        depreciation.c.card_id,
        (depreciation.c.card_id.in_(ids or [""])) & (depreciation.c.month < first),
    )
    during = sums(
        conn,
        depreciation.c.amount_fen,
        depreciation.c.card_id,
        (depreciation.c.card_id.in_(ids or [""]))
        & (depreciation.c.month >= first)
        & (depreciation.c.month <= last),
    )
    rows = []
    for c in cards:
        start = c["opening_fen"] + before.get(c["card_id"], 0)
        now = during.get(c["card_id"], 0)
        rows.append(
            {
                "number": c["number"],
                "name": c["name"],
                "category_zh": CATEGORIES[c["category"]].zh if c["category"] in CATEGORIES else "",
                "original": yuan(c["original_fen"]),
                "accumulated_before": yuan(start),
                "depreciation": yuan(now),
                "accumulated": yuan(start + now),
                "net": yuan(c["original_fen"] - start - now),
                "status_zh": STATUS_ZH.get(c["status"], c["status"]),
            }
        )
    numbers = {c["card_id"]: c["number"] for c in cards}
    recorded = list(
        conn.execute(
            select(depreciation_owners)
            .where(
                depreciation_owners.c.card_id.in_(ids or [""]),
                depreciation_owners.c.month >= first,
                depreciation_owners.c.month <= last,
            )
            .order_by(depreciation_owners.c.month, depreciation_owners.c.owner)
        )
    )
    lines = [
        {
            "number": numbers[r.card_id],
            "month": r.month,
            "owner": r.owner,
            "amount": yuan(r.amount_fen),
        }
        for r in recorded
    ]
    by_owner: dict[str, int] = {}
    for r in recorded:
        by_owner[r.owner] = by_owner.get(r.owner, 0) + r.amount_fen
    return {
        "entity": entity,
        "period": period,
        "cards": rows,
        "total": yuan(sum(during.values())),
        "owners": {o: yuan(f) for o, f in sorted(by_owner.items())},
        "lines": lines,
    }


def depreciation_runs(conn: Connection, entity: str) -> list[dict[str, Any]]:
    """The monthly runs of ``entity``'s books: month, voucher, total, cards depreciated."""
    return [
        {"month": r.month, "entry": r.entry, "total": yuan(r.total_fen), "cards": r.cards}
        for r in conn.execute(
            select(runs).where(runs.c.entity == entity).order_by(runs.c.month, runs.c.seq)
        )
    ]


def owners_of(conn: Connection, table: Any, where: Any) -> list[dict[str, str]]:
    """The owners and shares of ``table`` rows matching ``where``, by owner."""
    rows = conn.execute(select(table.c.owner, table.c.share).where(where).order_by(table.c.owner))
    return [{"owner": r.owner, "share": r.share} for r in rows]
