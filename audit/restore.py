"""``lianzhang import``: an export restored only once its chain and signatures verify.

The export is checked as ``lianzhang verify`` checks a store (``verify_log``), with a
``KeyRing`` anchored at the public keys given on the command line (the source server's key:
``lianzhang checkpoint --public-key`` there): every save must be signed by a key those lead to
through the export's own rotations, no position may be unsigned, and the closing checkpoint
must be signed by the export's last key and vouch for its end. Then, in one transaction, the
events are written **at their exported positions** and the exported chain rows are written as
they are (the original signatures stay, and keep verifying), the keys of the export are
recorded as retired keys of this store, and one more event hands the chain over to this
store's own key: a ``SigningKeyRotation.Rotated`` of kind ``restore`` (``audit.key_ring``),
stating the old key (the export's last), the hash it continues from, and what was verified
(``restored``: position, hash, events, the ids of the keys given), signed by this store's key
only, since the importer does not hold the old private key. Whoever trusts this store's key
trusts that it verified the export; whoever trusts only the source's key can still check every
event up to the restore, and nothing after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import text

from audit.chain_gate import ChainGate
from audit.chain_table import chain_rows, signed_chain
from audit.chain_verify import verify_log
from audit.key_ring import KeyRing
from audit.keys import ChainError, PublicKey
from audit.messages import RESTORE, ROTATION_TOPIC, check_checkpoint, rotation_state
from audit.running_store import RunningStore
from audit.store_keys import record_key
from ledger.canonical import canonical_bytes
from projections.key_rotation import rotation_event


class ExportError(ValueError):
    """An export or import cannot be done; the message says what and where (defined here,
    where restores refuse, and imported by ``audit.exports``: no import circle)."""


class Restored(RunningStore, Protocol):
    """What a restore needs of the empty store it writes into beyond :class:`RunningStore`:
    the chain gate to re-key, and every key the store may be signed with."""

    @property
    def gate(self) -> ChainGate: ...

    def public_keys(self) -> dict[str, PublicKey]: ...


NO_KEY = (
    "an export is imported only once its signatures verify: give the public key of the server "
    "it came from with --public-key HEX or --public-key FILE (on that server: `lianzhang "
    "checkpoint --public-key`); nothing was imported"
)


def _refused(detail: str) -> Exception:

    return ExportError(f"the export does not verify: {detail}; nothing was imported")


def check_export(
    records: list[dict[str, Any]], closing: dict[str, Any], trusted: Sequence[PublicKey]
) -> KeyRing:
    """The key ring the export verifies with (``ExportError`` when it does not)."""

    if not trusted:
        raise ExportError(NO_KEY)
    keys = {k.key_id: k for k in trusted}
    for record in records:
        if record["topic"] == ROTATION_TOPIC:
            state = rotation_state(record["state"])
            for name in ("old_key", "new_key"):
                try:
                    found = PublicKey.from_hex(str((state or {}).get(name, "")))
                except ChainError:
                    continue
                keys.setdefault(found.key_id, found)
    ring = KeyRing(keys, {k.key_id for k in trusted})
    notes = [
        SimpleNamespace(
            id=int(r["position"]),
            originator_id=r["originator_id"],
            originator_version=r["originator_version"],
            topic=r["topic"],
            state=canonical_bytes(r["state"]),
        )
        for r in records
    ]
    problems, _ = verify_log(notes, _chain_rows(records), ring)
    if problems:
        raise _refused(problems[0]["detail"])
    if records:
        last = ring.keys[ring.segments[-1].key_id]
        document = closing.get("checkpoint")
        if not isinstance(document, dict):
            raise _refused("closing line: it carries no checkpoint")
        wrong = check_checkpoint(document, last)
        if wrong is None and (document["position"], document["hash"]) != (
            records[-1]["position"],
            records[-1]["hash"],
        ):
            wrong = "its closing checkpoint vouches for another end of the log"
        if wrong is not None:
            raise _refused(f"closing line: {wrong}")
    return ring


def _chain_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows, previous = [], "0" * 64
    for r in records:
        rows.append(
            {
                "position": int(r["position"]),
                "originator_id": str(UUID(str(r["originator_id"]))),
                "originator_version": int(r["originator_version"]),
                "previous": previous,
                "hash": r["hash"],
                "kind": r.get("seal"),
                "key_id": r.get("key_id"),
                "signature": r.get("signature"),
            }
        )
        previous = r["hash"]
    return rows


def restore(
    runtime: Restored,
    events: list[dict[str, Any]],
    records: list[dict[str, Any]],
    closing: dict[str, Any],
    trusted: Sequence[PublicKey],
) -> int:

    ring = check_export(records, closing, trusted)
    head = runtime.views.head()
    with runtime.engine.connect() as conn:
        chained = conn.execute(signed_chain.select().limit(1)).first()
    if head or chained is not None:
        raise ExportError(
            f"the store already holds {head} events; import into an empty one (nothing was "
            "imported)"
        )
    if not records:
        runtime.views.catch_up()
        return 0
    recorder: Any = runtime.app.recorder
    table = recorder.events_table_name
    postgres = runtime.engine.dialect.name == "postgresql"
    last = records[-1]
    handover = rotation_event(
        runtime.app,
        kind="restore",
        old_key=ring.keys[ring.segments[-1].key_id].hex,
        new=runtime.signer,
        previous=last["hash"],
        old_signature=None,
        restored={
            "position": int(last["position"]),
            "hash": last["hash"],
            "events": len(records),
            "verified_with": sorted(ring.anchors),
        },
        actor="lianzhang import",
    )
    at = int(last["position"]) + 1
    same_key = ring.segments[-1].key_id == runtime.signer.key_id  # the chain goes on as it was
    (handover_row,) = chain_rows(
        last["hash"],
        [(at, handover.originator_id, 1, handover.topic, handover.state)],
        runtime.signer,
        RESTORE,
    )
    rows = _chain_rows(records)
    if postgres:
        insert = text(
            f'INSERT INTO "{table}" (originator_id, originator_version, topic, state, '
            "notification_id) VALUES (:o, :v, :t, :s, :p)"
        )
    else:
        insert = text(
            f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) "
            "VALUES (:p, :o, :v, :t, :s)"
        )
    with runtime.engine.begin() as conn:
        if postgres:
            conn.execute(text(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE'))
        for start in range(0, len(events), 500):
            conn.execute(
                insert,
                [
                    {
                        "o": _stored_id(e["originator_id"], postgres),
                        "v": e["originator_version"],
                        "t": e["topic"],
                        "s": canonical_bytes(e["state"]),
                        "p": int(r["position"]),
                    }
                    for e, r in zip(
                        events[start : start + 500], records[start : start + 500], strict=True
                    )
                ],
            )
        if not same_key:
            conn.execute(
                insert,
                {
                    "o": _stored_id(str(handover.originator_id), postgres),
                    "v": 1,
                    "t": handover.topic,
                    "s": handover.state,
                    "p": at,
                },
            )
        conn.execute(signed_chain.insert(), rows)
        if not same_key:
            conn.execute(
                signed_chain.insert(),
                dict(zip(signed_chain.c.keys(), handover_row, strict=True)),
            )
        if postgres:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'notification_id'), :at)"
                ),
                {"at": at if not same_key else at - 1},
            )
        for segment in ring.segments:
            key = ring.keys[segment.key_id]
            if key.key_id != runtime.signer.key_id:
                record_key(conn, "signing", key.key_id, key.hex, "retired")
    runtime.gate.rekey(runtime.public_keys())  # the source's keys, recorded just now
    runtime.views.catch_up()
    return len(records)


def _stored_id(originator_id: str, postgres: bool) -> Any:
    value = UUID(str(originator_id))
    return value if postgres else value.hex
