"""What the batch review page (``/review``) sums and lists beside the vouchers it shows
(``projections.voucher_view``'s ``lz_vouchers`` and ``lz_voucher_posting``): the totals of the
vouchers waiting for a step, and the imports still waiting."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Engine, select

from ledger.money import amount_str, from_fen, money, to_fen
from projections.people_view import display_actor, display_names
from projections.voucher_view import (
    WITH_POSTING,
    _connection,
    _day,
    _moment,
    voucher_posting,
    vouchers,
)


def batch_totals(
    engine: Engine | Connection,
    *,
    townships: Collection[str] | None,
    status: str | Collection[str],
    import_id: str | None = None,
    entity: str | None = None,
) -> dict[str, Any]:
    """What the batch review page sums: how many vouchers (in ``townships``, of ``status``, of
    the import ``import_id`` and the books of ``entity`` where given), their 借方合计 and
    贷方合计 (each added from the vouchers' own lines, yuan as text) and the earliest and
    latest date."""
    query = select(vouchers.c.lines, vouchers.c.date).select_from(WITH_POSTING)
    if townships is not None:
        query = query.where(vouchers.c.township.in_(sorted(townships)))
    statuses = [status] if isinstance(status, str) else sorted(status)
    query = query.where(vouchers.c.status.in_(statuses))
    if import_id is not None:
        query = query.where(voucher_posting.c.import_id == import_id)
    if entity is not None:
        query = query.where(vouchers.c.entity == entity)
    count = debit = credit = 0
    days: list[str] = []
    with _connection(engine) as conn:
        for row in conn.execute(query):
            count += 1
            for line in json.loads(row.lines):
                debit += to_fen(money(line["debit"], allow_negative=True))
                credit += to_fen(money(line["credit"], allow_negative=True))
            days.append(_day(row.date))
    return {
        "count": count,
        "debit": amount_str(from_fen(debit)),
        "credit": amount_str(from_fen(credit)),
        "balanced": debit == credit,
        "first": min(days) if days else None,
        "last": max(days) if days else None,
    }


def imports_waiting(
    engine: Engine | Connection, *, townships: Collection[str] | None
) -> list[dict[str, Any]]:
    """The imports whose vouchers wait for 审核 or 记账, newest first: the import's id, who
    imported it, when, and how many of its vouchers wait for each step."""
    query = (
        select(
            voucher_posting.c.import_id,
            vouchers.c.status,
            vouchers.c.preparer,
            vouchers.c.created_at,
        )
        .select_from(WITH_POSTING)
        .where(voucher_posting.c.import_id.is_not(None))
        .where(vouchers.c.status.in_(("submitted", "reviewed")))
    )
    if townships is not None:
        query = query.where(vouchers.c.township.in_(sorted(townships)))
    found: dict[str, dict[str, Any]] = {}
    with _connection(engine) as conn:
        rows = list(conn.execute(query))
        names = display_names(conn) if rows else {}
    for row in rows:
        item = found.setdefault(
            row.import_id,
            {
                "import_id": row.import_id,
                "importer": row.preparer,
                "importer_name": display_actor(row.preparer, names),
                "imported_at": _moment(row.created_at),
                "submitted": 0,
                "reviewed": 0,
            },
        )
        item[row.status] += 1
    return sorted(found.values(), key=lambda i: str(i["imported_at"]), reverse=True)
