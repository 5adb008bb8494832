"""The hash chain over the event log (账本指纹) and the audit trail.

Canonical form of a stored event, the bytes every chain hash covers:

    {"originator_id": "<uuid>", "originator_version": <int>, "topic": "<module:Class>",
     "state": <the stored event state, parsed>}

serialised with sorted keys, no insignificant whitespace, UTF-8, non-ASCII kept
(``ledger.canonical``). Amounts and decimals are already strings in the stored state
(``{"_type_": "cny", "_data_": "800.00"}``). The chain hash of an event is

    sha256( previous_hash_hex + "\\n" + canonical_bytes )     (hex)

with 64 zeros before the first event. The hash of the last event is the ledger fingerprint:
any change to any stored event, any deletion or reordering, changes every hash after it.
Positions (notification ids) are not hashed, so a restored copy has the same chain.

Two tables hold these hashes. ``lz_signed_chain`` (``projections.signing``) is the evidence: it
is written with the events, in their transaction, and signed with the server key; no rebuild
touches it and ``verify`` checks the log against it. ``lz_chain`` (``ChainProjection`` below) is
a read model like any other, rebuilt from the log at will: it gives the fingerprint at the
position the read models have reached (what a sheet or statement is made from) and the
position at a moment (``as_of``); a published sheet's fingerprint is then checked against the
signed chain before it is signed into the sheet's checkpoint.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from sqlalchemy import Connection, and_, insert, select

from ledger.canonical import canonical_bytes
from projections.tables import AUDIT_TABLES, aggregates, audit_trail, chain

GENESIS = "0" * 64


def canonical_event(
    originator_id: Any, originator_version: int, topic: str, state: bytes | dict[str, Any]
) -> dict[str, Any]:
    return {
        "originator_id": str(originator_id),
        "originator_version": int(originator_version),
        "topic": topic,
        "state": json.loads(state) if isinstance(state, (bytes, str)) else state,
    }


def chain_hash(previous: str, event: dict[str, Any]) -> str:
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical_bytes(event)).hexdigest()


def notification_event(notification: Any) -> dict[str, Any]:
    return canonical_event(
        notification.originator_id,
        notification.originator_version,
        notification.topic,
        notification.state,
    )


def _recorded_at(state: dict[str, Any]) -> datetime.datetime:
    stamp = state.get("timestamp", {})
    text = stamp.get("_data_") if isinstance(stamp, dict) else None
    if text:
        return datetime.datetime.fromisoformat(text)
    return datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class ChainProjection:
    """Writes the chain hash of every event, in notification order, with no gap."""

    name = "chain"
    tables = (chain,)
    raw = True  # needs the stored bytes, not the decoded event

    def __init__(self) -> None:
        self._previous = GENESIS

    def begin_page(self, conn: Connection) -> None:
        """Read the chain head once per page (inside the page's transaction, with the
        tracking rows locked): the page's events then chain on from it in memory."""
        last = conn.execute(
            select(chain.c.hash).order_by(chain.c.position.desc()).limit(1)
        ).scalar_one_or_none()
        self._previous = last or GENESIS

    def apply(self, conn: Connection, notification: Any, position: int) -> None:
        previous = self._previous
        event = notification_event(notification)
        current = chain_hash(previous, event)
        conn.execute(
            insert(chain).values(
                position=position,
                hash=current,
                previous=previous,
                originator_id=event["originator_id"],
                originator_version=event["originator_version"],
                topic=event["topic"],
                recorded_at=_recorded_at(event["state"]),
            )
        )
        self._previous = current  # the next event of the page chains on from it


def head(conn: Connection) -> dict[str, Any]:
    """The ledger fingerprint: the last chained position and its hash."""
    row = conn.execute(
        select(chain.c.position, chain.c.hash).order_by(chain.c.position.desc()).limit(1)
    ).first()
    if row is None:
        return {"position": 0, "fingerprint": GENESIS}
    return {"position": int(row.position), "fingerprint": row.hash}


def position_at(conn: Connection, moment: datetime.datetime) -> int:
    """The last position recorded at or before ``moment`` (0 before the first event)."""
    value = conn.execute(
        select(chain.c.position)
        .where(chain.c.recorded_at <= moment)
        .order_by(chain.c.position.desc())
        .limit(1)
    ).scalar_one_or_none()
    return int(value or 0)


# -- the audit trail -----------------------------------------------------------------------------

# creation events: (kind, attribute holding the code, attribute naming the books concerned)
CREATED = {
    "Alliance.Formed": ("alliance", "code", None),
    "VillageCollective.Registered": ("village", "code", "code"),
    "JointEntity.Registered": ("joint-entity", "code", "code"),
    "EnterpriseAgreement.Signed": ("agreement", "code", "joint_entity_code"),
    "MemberRegister.Opened": ("member-register", "village", "village"),
    "VillageRegister.Opened": ("member-register", "village", "village"),
    "Household.HouseholdRegistered": ("household", "number", "village"),
    "MemberNumber.Claimed": ("member-number", "number", "village"),
    "DistributionPlan.Drafted": ("plan", "code", "payer"),
    "DisclosureSheet.Opened": ("disclosure-sheet", "village", "village"),
}
DETAIL_FIELDS = (
    "entry",
    "village",
    "village_code",
    "programme",
    "amount",
    "year",
    "step",
    "month",
    "number",
    "member",
    "household",
    "version",
    "on",
    "by",
)


def _detail(event: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    for name in DETAIL_FIELDS:
        value = getattr(event, name, None)
        if value is None:
            continue
        if name == "entry":
            detail["entry"] = value.number
            detail["total"] = str(value.debit_total.amount)
        else:
            detail[name] = str(getattr(value, "amount", value))
    return detail


class AuditProjection:
    """Who did what and when: one row per event, with the aggregate's code and books."""

    name = "audit"
    tables = (aggregates, audit_trail)

    def __init__(self) -> None:
        # aggregate id → (kind, code, entity): fixed once created, so kept in memory
        self._known: dict[str, tuple[str, str, str | None]] = {}

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        qualname = type(event).__qualname__
        aggregate_id = str(event.originator_id)
        kind, class_name = "?", qualname.rsplit(".", 1)[0]
        if qualname in CREATED:
            kind, code_field, entity_field = CREATED[qualname]
            code = str(getattr(event, code_field))
            if kind == "disclosure-sheet":
                code = f"{event.village}:{event.period}"
            conn.execute(
                insert(aggregates).values(
                    aggregate_id=aggregate_id,
                    kind=kind,
                    code=code,
                    entity=getattr(event, entity_field) if entity_field else None,
                )
            )
        known = self._known.get(aggregate_id)
        if known is None:
            row = conn.execute(
                select(aggregates.c.kind, aggregates.c.code, aggregates.c.entity).where(
                    aggregates.c.aggregate_id == aggregate_id
                )
            ).first()
            if row is not None:
                known = (row.kind, row.code, row.entity)
                self._known[aggregate_id] = known
        conn.execute(
            insert(audit_trail).values(
                position=position,
                recorded_at=event.timestamp,
                actor=getattr(event, "actor", "") or "",
                command=qualname.rsplit(".", 1)[-1],
                aggregate_kind=known[0] if known else class_name,
                aggregate_code=known[1] if known else aggregate_id,
                entity=known[2] if known else None,
                reason=getattr(event, "reason", None) or None,
                detail=json.dumps(_detail(event), ensure_ascii=False, sort_keys=True),
            )
        )


def trail(
    conn: Connection,
    *,
    entity: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict[str, Any]]:
    conditions = []
    if entity is not None:
        conditions.append(audit_trail.c.entity == entity)
    if start is not None:
        conditions.append(
            audit_trail.c.recorded_at
            >= datetime.datetime.combine(start, datetime.time(), datetime.UTC)
        )
    if end is not None:
        conditions.append(
            audit_trail.c.recorded_at
            <= datetime.datetime.combine(end, datetime.time.max, datetime.UTC)  # 9999-12-31 too
        )
    query = select(audit_trail).order_by(audit_trail.c.position).limit(limit).offset(offset)
    if conditions:
        query = query.where(and_(*conditions))
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in conn.execute(query).mappings()]


__all__ = ["AUDIT_TABLES", "AuditProjection", "ChainProjection", "head", "trail"]
