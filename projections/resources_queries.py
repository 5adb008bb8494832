"""Read functions over the ``resources`` read model (``projections.resources_view``): resources,
contracts, their instalments and payments, plain rows out (dates, whole fen, decoded JSON);
``documents.registers_resources`` makes the facts a page prints of them.

A contract is **in force** on a day from its start to its end, and not after the day it closed;
an instalment **counts** unless its contract closed before it fell due.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, and_, or_, select, true

from projections.resources_view import (
    contract_instalments,
    contract_payments,
    contracts,
    resource_changes,
    resource_land_shares,
    resources,
)


def _of(column: Any, codes: Collection[str] | None) -> Any:
    return true() if codes is None else column.in_(sorted(codes))


def _resource(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["boundaries"] = json.loads(found["boundaries"])
    found["certificates"] = json.loads(found["certificates"])
    found["entity"] = found.pop("entity_code")
    return found


def resource_rows(
    conn: Connection, codes: Collection[str] | None, *, retired: bool = True
) -> list[dict[str, Any]]:
    """The resources of the books ``codes`` (None: every book), by book and code."""
    query = select(resources).where(_of(resources.c.entity_code, codes))
    if not retired:
        query = query.where(resources.c.status == "active")
    query = query.order_by(resources.c.entity_code, resources.c.code)
    return [_resource(r) for r in conn.execute(query).mappings()]


def resource_row(conn: Connection, entity: str, code: str) -> dict[str, Any] | None:
    found = (
        conn.execute(
            select(resources).where(
                and_(resources.c.entity_code == entity, resources.c.code == code)
            )
        )
        .mappings()
        .first()
    )
    return None if found is None else _resource(found)


def resource_by_label(conn: Connection, label: str) -> dict[str, Any] | None:
    """The resource whose label token is ``label`` (the public page's only key)."""
    found = conn.execute(select(resources).where(resources.c.label == label)).mappings().first()
    return None if found is None else _resource(found)


def resource_history(
    conn: Connection,
    entity: str,
    code: str | None = None,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """Registrations, changes and retirements of ``entity``'s resources (of ``code``; dated
    ``first`` … ``last``), in the order recorded."""
    query = select(resource_changes).where(resource_changes.c.entity_code == entity)
    if code is not None:
        query = query.where(resource_changes.c.code == code)
    if first is not None:
        query = query.where(resource_changes.c.date >= first)
    if last is not None:
        query = query.where(resource_changes.c.date <= last)
    return [dict(r) for r in conn.execute(query.order_by(resource_changes.c.position)).mappings()]


def land_shares_of(conn: Connection, entity: str, code: str) -> list[dict[str, Any]]:
    """The land shares (土地入股) linked to resource ``code`` of village ``entity``."""
    return [
        dict(r)
        for r in conn.execute(
            select(
                resource_land_shares.c.joint_code,
                resource_land_shares.c.date,
                resource_land_shares.c.mu,
            )
            .where(
                and_(
                    resource_land_shares.c.entity_code == entity,
                    resource_land_shares.c.resource_code == code,
                )
            )
            .order_by(resource_land_shares.c.date, resource_land_shares.c.joint_code)
        ).mappings()
    ]


def land_share_resources(conn: Connection, joint: str) -> dict[tuple[str, datetime.date, str], str]:
    """(village, date, mu) → the resource code each linked land share of ``joint`` is."""
    return {
        (r.entity_code, r.date, r.mu): r.resource_code
        for r in conn.execute(
            select(resource_land_shares).where(resource_land_shares.c.joint_code == joint)
        )
    }


# -- contracts -------------------------------------------------------------------------------


def _contract(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["entity"] = found.pop("entity_code")
    return found


def in_force(day: datetime.date) -> Any:
    """The contracts in force on ``day`` (a condition on ``lz_contracts``)."""
    return and_(
        contracts.c.start_on <= day,
        contracts.c.end_on >= day,
        or_(contracts.c.closed_on.is_(None), contracts.c.closed_on >= day),
    )


def counts() -> Any:
    """The instalments still counted (joined to their contract)."""
    return or_(
        contracts.c.closed_on.is_(None), contract_instalments.c.due_on <= contracts.c.closed_on
    )


def contract_rows(
    conn: Connection,
    codes: Collection[str] | None,
    *,
    subject: tuple[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The contracts of the books ``codes`` (None: every book), by book and code; on
    ``subject`` ((kind, code)) only, when given."""
    query = select(contracts).where(_of(contracts.c.entity_code, codes))
    if subject is not None:
        query = query.where(
            and_(contracts.c.subject_kind == subject[0], contracts.c.subject_code == subject[1])
        )
    query = query.order_by(contracts.c.entity_code, contracts.c.code)
    return [_contract(r) for r in conn.execute(query).mappings()]


def contract_row(conn: Connection, entity: str, code: str) -> dict[str, Any] | None:
    found = (
        conn.execute(
            select(contracts).where(
                and_(contracts.c.entity_code == entity, contracts.c.code == code)
            )
        )
        .mappings()
        .first()
    )
    return None if found is None else _contract(found)


def instalments_of(
    conn: Connection, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(entity, contract) → its instalments in date order, each with ``counts`` (False once
    its contract closed before it fell due)."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {key: [] for key in keys}
    entities = sorted({entity for entity, _ in keys})
    if not entities:
        return found
    rows = conn.execute(
        select(
            contract_instalments.c.entity_code,
            contract_instalments.c.contract_code,
            contract_instalments.c.due_on,
            contract_instalments.c.amount_fen,
            contract_instalments.c.settled_fen,
            counts().label("counts"),
        )
        .join(
            contracts,
            and_(
                contracts.c.entity_code == contract_instalments.c.entity_code,
                contracts.c.code == contract_instalments.c.contract_code,
            ),
        )
        .where(contract_instalments.c.entity_code.in_(entities))
        .order_by(contract_instalments.c.due_on)
    ).mappings()
    for r in rows:
        key = (r["entity_code"], r["contract_code"])
        if key in found:
            found[key].append(
                {
                    "due_on": r["due_on"],
                    "amount_fen": int(r["amount_fen"]),
                    "settled_fen": int(r["settled_fen"]),
                    "counts": bool(r["counts"]),
                }
            )
    return found


def payments_of(conn: Connection, entity: str, code: str) -> list[dict[str, Any]]:
    """The receipts (payments) recorded under a contract, in order."""
    return [
        {**dict(r), "allocation": json.loads(r["allocation"])}
        for r in conn.execute(
            select(contract_payments)
            .where(
                and_(
                    contract_payments.c.entity_code == entity,
                    contract_payments.c.contract_code == code,
                )
            )
            .order_by(contract_payments.c.number)
        ).mappings()
    ]


def received_between(
    conn: Connection, entity: str, first: datetime.date, last: datetime.date
) -> dict[str, int]:
    """contract → what was received (paid) under it from ``first`` to ``last``, net of what
    was reversed in those days, in fen."""
    found: dict[str, int] = {}
    for r in conn.execute(
        select(contract_payments).where(contract_payments.c.entity_code == entity)
    ).mappings():
        fen = 0
        if first <= r["date"] <= last:
            fen += int(r["amount_fen"])
        if r["reversed"] and r["reversed_on"] is not None and first <= r["reversed_on"] <= last:
            fen -= int(r["amount_fen"])
        if fen:
            found[r["contract_code"]] = found.get(r["contract_code"], 0) + fen
    return found
