"""What the front ends of 三资 look up besides the pages' queries (``assets_queries``,
``project_queries``): the books of a township that keep asset cards (the township's monthly
depreciation run takes them in turn), a book's run of a month, and where a project or a card
is kept (its entity and township: every page and route is scoped by township).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ledger.money import to_fen
from projections.assets_queries import yuan
from projections.assets_view import asset_cards, depreciation_runs, projects
from projections.tables import entities


def books_with_cards(conn: Connection, township: str) -> list[dict[str, Any]]:
    """The villages and joint entities of ``township`` that keep at least one asset card, by
    code: code, name, kind and how many cards."""
    counts: dict[str, int] = {}
    for (entity,) in conn.execute(select(asset_cards.c.entity)):
        counts[entity] = counts.get(entity, 0) + 1
    query = (
        select(entities.c.code, entities.c.name, entities.c.kind)
        .where(entities.c.township == township)
        .order_by(entities.c.code)
    )
    return [
        {"code": r.code, "name": r.name, "kind": r.kind, "cards": counts[r.code]}
        for r in conn.execute(query)
        if r.code in counts
    ]


def run_of(conn: Connection, entity: str, month: str) -> dict[str, Any] | None:
    """The run of ``month`` in ``entity``'s books as recorded (its vouchers, total, cards), or
    None when the month has not been run. A card registered late makes a second run of the
    month: its vouchers are listed too."""
    rows = list(
        conn.execute(
            select(depreciation_runs)
            .where(depreciation_runs.c.entity == entity, depreciation_runs.c.month == month)
            .order_by(depreciation_runs.c.seq)
        )
    )
    if not rows:
        return None
    return {
        "entity": entity,
        "month": month,
        "entries": [r.entry for r in rows if r.entry],
        "total": yuan(sum(int(r.total_fen) for r in rows)),
        "cards": sum(int(r.cards) for r in rows),
    }


def project_place(conn: Connection, code: str) -> dict[str, str] | None:
    """The entity and township of project ``code`` (None when there is none)."""
    row = conn.execute(
        select(projects.c.entity, entities.c.township)
        .select_from(projects.join(entities, projects.c.entity == entities.c.code))
        .where(projects.c.code == code)
    ).first()
    return None if row is None else {"entity": row.entity, "township": row.township}


def card_exists(conn: Connection, entity: str, number: str) -> bool:
    found = conn.execute(
        select(asset_cards.c.card_id).where(
            asset_cards.c.entity == entity, asset_cards.c.number == number
        )
    ).first()
    return found is not None


def run_words(entity: str, month: str, run: dict[str, Any] | None) -> str:
    """What a clerk is told of a book's month after a run, from what is recorded."""
    if run is None:
        return f"{entity} {month} 没有需要计提折旧的资产"
    shown = "、".join(run["entries"]) or "无金额"
    return f"{entity} {month} 计提折旧 ¥{run['total']}（{run['cards']} 张卡片，凭证 {shown}）"


def run_summary(conn: Connection, entity: str, month: str, result: Any) -> dict[str, Any]:
    """A book's month after a run (``result``: the run's ``DepreciationResult``): whether this
    run posted it (``written``), its vouchers, total and cards as recorded, and the words."""
    run = run_of(conn, entity, month)
    written = bool(result is not None and result.written)
    if written or run is None:
        message = run_words(entity, month, run) if written else str(result.message)
    else:
        shown = "、".join(run["entries"]) or "无金额"
        message = f"{entity} {month} 的折旧已经计提过（{shown}），本次没有记账"
    return {
        "entity": entity,
        "month": month,
        "written": written,
        "entries": run["entries"] if run else [],
        "total": run["total"] if run else "0.00",
        "cards": run["cards"] if run else 0,
        "message": message,
    }


def refused_summary(entity: str, month: str, problem: str) -> dict[str, Any]:
    """A book whose run was refused: nothing written, and why (Chinese)."""
    return {
        "entity": entity,
        "month": month,
        "written": False,
        "entries": [],
        "total": "0.00",
        "cards": 0,
        "message": problem,
        "problem": problem,
    }


def preview_body(conn: Connection, result: Any) -> dict[str, Any]:
    """A preview (``assets.preview``) as plain values: ``done`` when the
    month has been run already and nothing is left to post."""
    done = not result.lines and run_of(conn, result.entity, result.month) is not None
    return {
        "entity": result.entity,
        "month": result.month,
        "done": done,
        "total": yuan(to_fen(result.total)),
        "lines": [
            {
                "number": line["number"],
                "name": line.get("name", ""),
                "amount": yuan(line["amount"]),
                "account": line["account"],
                "contra": line["contra"],
                "units": line["units"],
                "owners": {o: yuan(f) for o, f in line.get("owners", {}).items()},
            }
            for line in result.lines
        ],
        "owners": {o: yuan(to_fen(m)) for o, m in result.owners.items()},
        "message": result.message,
    }
