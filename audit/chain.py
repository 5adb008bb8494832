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

Two tables hold these hashes. ``lz_signed_chain`` (``audit.signing``) is the evidence: it
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
import re
from typing import Any

from sqlalchemy import Connection, and_, select

from ledger.canonical import canonical_bytes
from ledger.money import fen_text
from projections.pages import PageWriter, Stored, entry_total
from projections.people_view import display_actor, display_names
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


def stored_canonical_bytes(event: Stored) -> bytes:
    """The canonical bytes of a stored event, built around its state's canonical bytes (the
    same bytes as ``canonical_bytes(notification_event(...))``, without a second dict)."""
    topic = event.topic
    return b"".join(
        (
            b'{"originator_id":"',
            event.originator_id.encode("ascii"),  # a uuid: nothing to escape
            b'","originator_version":',
            str(int(event.originator_version)).encode("ascii"),
            b',"state":',
            canonical_state(event),
            b',"topic":',
            (f'"{topic}"' if _PLAIN.fullmatch(topic) else _canonical(topic)).encode("utf-8"),
            b"}",
        )
    )


def canonical_state(event: Stored) -> bytes:
    """``canonical_bytes(event.state)``. With orjson (installed with the project; optional):
    three to five times faster, and the same bytes for every string, integer, list and object
    (``tests/unit/test_canonical_state.py`` checks every code point); a state holding a float
    (``Stored.floats``; no event does: amounts and decimals are strings) or anything orjson
    refuses (an integer past 64 bits, a lone surrogate) is encoded by the standard library."""
    state = event.state
    if _orjson is not None and not event.floats:
        try:
            return _orjson.dumps(state, option=_orjson.OPT_SORT_KEYS)
        except TypeError:  # orjson.JSONEncodeError
            pass
    return _canonical(state).encode("utf-8")


try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the standard library gives the same bytes
    _orjson = None  # type: ignore[assignment]
# ``ledger.canonical.canonical_bytes`` as one encoder made once (json.dumps with options makes
# an encoder per call), and a topic that needs no escaping
_canonical = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
_PLAIN = re.compile(r"[A-Za-z0-9_.:]+")
_detail_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
# the columns of the rows written as tuples (``PageWriter.append``)
_CHAIN = (
    "position", "hash", "previous", "originator_id", "originator_version", "topic", "recorded_at"
)  # fmt: skip
_TRAIL = (
    "position", "recorded_at", "actor", "command", "aggregate_kind", "aggregate_code", "entity",
    "reason", "detail",
)  # fmt: skip


def _stored_moment(w: PageWriter, state: dict[str, Any]) -> Any:
    """``_recorded_at`` for the page's writer (``PageWriter.moment``)."""
    stamp = state.get("timestamp", {})
    text = stamp.get("_data_") if isinstance(stamp, dict) else None
    return w.moment(text) if text else _recorded_at(state)


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

    def __init__(self) -> None:
        self._previous = GENESIS

    def begin_page(self, w: PageWriter) -> None:
        """Read the chain head once per page (inside the page's transaction, with the
        tracking rows locked): the page's events then chain on from it in memory."""
        last = w.execute(
            select(chain.c.hash).order_by(chain.c.position.desc()).limit(1)
        ).scalar_one_or_none()
        self._previous = last or GENESIS

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        previous = self._previous
        current = hashlib.sha256(
            previous.encode("ascii") + b"\n" + stored_canonical_bytes(event)
        ).hexdigest()
        w.append(
            chain,
            _CHAIN,
            (
                position,
                current,
                previous,
                event.originator_id,
                int(event.originator_version),
                event.topic,
                _stored_moment(w, event.state),
            ),
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
    "HouseholdMigrated": ("household", "number", "village"),  # domain/members/migration.py
    "MemberNumber.Claimed": ("member-number", "number", "village"),
    "DistributionPlan.Drafted": ("plan", "code", "payer"),
    "DisclosureSheet.Opened": ("disclosure-sheet", "village", "village"),
    "Person.PersonRegistered": ("person", "login", None),
    # a voucher has no code of its own: it is named by its draft id (the hex of its id)
    "Voucher.Drafted": ("voucher", "", "entity"),
    # the 资源 and 经济合同 registers: codes unique within their books
    "Resource.ResourceRegistered": ("resource", "code", "entity"),
    "Contract.ContractRegistered": ("contract", "code", "entity"),
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
    """The detail of a decoded event (for events whose fields are not plain, below)."""
    if type(event).__name__ == "VouchersPosted":
        return _batch_detail(event.vouchers)
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


# stored types whose ``_data_`` is the text ``_detail`` gives of the decoded value
_AS_TEXT = frozenset(("cny", "date", "decimal_str"))
_DETAIL_SET = frozenset(DETAIL_FIELDS)
_TEXT = (str, type(None))


def _batch_detail(vouchers: list[list[Any]]) -> dict[str, Any]:
    """A batch of vouchers (``domain/books/batch.py``): its first and last entry, how many,
    and the debits of them all."""
    total = sum(line[1] for voucher in vouchers for line in voucher[3])
    first, last = vouchers[0][0], vouchers[-1][0]
    return {"entry": f"{first}…{last}", "count": str(len(vouchers)), "total": fen_text(total)}


def _stored_detail(event: Stored) -> dict[str, Any]:
    """``_detail`` read from the stored fields; the decoded event only for unusual values."""
    state = event.state
    if event.name.endswith(".VouchersPosted"):
        return _batch_detail(state["vouchers"])
    detail: dict[str, Any] = {}
    for name in state.keys() & _DETAIL_SET:  # the key order does not matter: sorted when dumped
        value = state[name]
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            detail[name] = value
        elif kind is int:
            detail[name] = str(value)
        elif name == "entry" and kind is dict and value.get("_type_") == "journal_entry":
            entry = value["_data_"]
            detail["entry"] = entry["number"]
            detail["total"] = fen_text(entry_total(event))
        elif kind is dict and value.get("_type_") in _AS_TEXT:
            detail[name] = value["_data_"]
        else:
            return _detail(event.event)
    return detail


class AuditProjection:
    """Who did what and when: one row per event, with the aggregate's code and books."""

    name = "audit"
    tables = (aggregates, audit_trail)

    def __init__(self) -> None:
        # aggregate id → (kind, code, entity), or None for an aggregate without a row: fixed
        # once created (its first event), so kept in memory
        self._known: dict[str, tuple[str, str, str | None] | None] = {}

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        qualname = event.name
        aggregate_id = event.originator_id
        class_name = qualname.rsplit(".", 1)[0]
        state = event.state
        if qualname in CREATED:
            kind, code_field, entity_field = CREATED[qualname]
            code, entity = state.get(code_field), state.get(entity_field) if entity_field else None
            if not code_field:
                code = str(aggregate_id).replace("-", "")
            if kind == "disclosure-sheet" or type(code) is not str or type(entity) not in _TEXT:
                e = event.event  # not plain text in the stored state: as the library decodes it
                code = str(getattr(e, code_field))
                if kind == "disclosure-sheet":
                    code = f"{e.village}:{e.period}"
                entity = getattr(e, entity_field) if entity_field else None
            w.insert(
                aggregates,
                {"aggregate_id": aggregate_id, "kind": kind, "code": code, "entity": entity},
            )
            self._known[aggregate_id] = (kind, code, entity)
        if aggregate_id in self._known:
            known = self._known[aggregate_id]
        else:
            row = w.execute(
                select(aggregates.c.kind, aggregates.c.code, aggregates.c.entity).where(
                    aggregates.c.aggregate_id == aggregate_id
                )
            ).first()
            known = None if row is None else (row.kind, row.code, row.entity)
            if row is not None or event.originator_version == 1:
                # none now is none for good once its first event has been seen
                self._known[aggregate_id] = known
        w.append(
            audit_trail,
            _TRAIL,
            (
                position,
                w.moment(state["timestamp"]["_data_"]),
                state.get("actor") or "",
                qualname.rsplit(".", 1)[-1],
                known[0] if known else class_name,
                known[1] if known else aggregate_id,
                known[2] if known else None,
                state.get("reason") or None,
                _detail_json(_stored_detail(event)),
            ),
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
    names = display_names(conn)
    return [
        {
            **dict(r),
            "actor_name": display_actor(r["actor"], names),
            "detail": json.loads(r["detail"]),
        }
        for r in conn.execute(query).mappings()
    ]


__all__ = ["AUDIT_TABLES", "AuditProjection", "ChainProjection", "head", "trail"]
