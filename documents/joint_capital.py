"""The capital part of a joint entity's disclosure sheet (``documents.disclosure``): what each
village paid in and what was refunded to it during the period, by fund programme, and what the
joint entity holds at the period end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select

from documents.statements import Period, money_item
from domain.programmes import PROGRAMMES
from ledger.money import from_fen
from projections import queries
from projections.tables import equity_capital


def capital_part(conn: Connection, joint: str, period: Period, layout: int) -> dict[str, Any]:
    """A joint entity's capital by fund programme: what each village paid in during the period
    and, from layout 5, apart from it what was refunded to it (本期入股, 本期退股, both
    positive; before, one net "received" with a refund negative), by programme, and what is
    held at the period end."""
    rows = list(
        conn.execute(
            select(
                equity_capital.c.village_code,
                equity_capital.c.programme,
                equity_capital.c.date,
                equity_capital.c.amount_fen,
            )
            .where(and_(equity_capital.c.joint_code == joint, equity_capital.c.date <= period.end))
            .order_by(equity_capital.c.village_code, equity_capital.c.programme)
        )
    )
    names: dict[str, str] = {}

    def name(code: str) -> str:
        if code not in names:
            entity = queries.entity(conn, code)
            names[code] = entity["name"] if entity else code
        return names[code]

    received: dict[tuple[str, str], int] = {}
    paid_in: dict[tuple[str, str], int] = {}
    refunded: dict[tuple[str, str], int] = {}
    held: dict[str, int] = {}
    for r in rows:
        fen = int(r.amount_fen)
        held[r.programme] = held.get(r.programme, 0) + fen
        if r.date >= period.start:
            key = (r.village_code, r.programme)
            received[key] = received.get(key, 0) + fen
            apart = paid_in if fen > 0 else refunded
            apart[key] = apart.get(key, 0) + abs(fen)

    def lines(amounts: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
        return [
            {
                "village": village,
                "name": name(village),
                "programme": programme,
                "programme_name": PROGRAMMES.get(programme, programme),
                **money_item(from_fen(fen)),
            }
            for (village, programme), fen in sorted(amounts.items())
            if fen
        ]

    held_part = {
        "held": [
            {
                "programme": programme,
                "programme_name": PROGRAMMES.get(programme, programme),
                **money_item(from_fen(fen)),
            }
            for programme, fen in sorted(held.items())
            if fen
        ],
        "held_total": money_item(from_fen(sum(held.values()))),
    }
    if layout >= 5:
        return {
            "paid_in": lines(paid_in),
            "paid_in_total": money_item(from_fen(sum(paid_in.values()))),
            "refunded": lines(refunded),
            "refunded_total": money_item(from_fen(sum(refunded.values()))),
            **held_part,
        }
    return {
        "received": lines(received),
        "total": money_item(from_fen(sum(received.values()))),
        **held_part,
    }
