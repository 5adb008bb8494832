"""Tamper evidence a database writer cannot forge: the event log chained and signed as it is
written, with a server key kept outside the database. This module holds the event recorders
that write the chain and the persistence factories that give them the key.

**The signed chain** (table ``lz_signed_chain``, ``audit.chain_table``; one row per stored
event, keyed by position) is written by the event recorders below in the same transaction as
the events it covers, never by a read model: ``rebuild`` does not touch it. Each row holds the
event's chain hash as the README defines it (``audit.chain.chain_hash``: SHA-256 over the
previous hash, a newline and the event's canonical bytes, from 64 zeros), the previous hash,
and the event's identity. The last row of every save carries an Ed25519 signature by the
server key over

    canonical({"kind": "lianzhang-chain-save", "positions": [p1, …, pn], "hash": hn})

(the positions of the save's rows, in order, and the chain hash of its last row), so every
position and, through the hash chain, every byte of every event before it is signed. Events
written before this table existed are chained once at the first start ("sealed at upgrade",
``audit.sealing.seal_existing``): the same rows, signed per page of 1,000 with the kind
``lianzhang-chain-upgrade``, and noted in ``signing-key.pem.sealed`` beside the key so that a
store is never sealed twice (emptying the chain in the database does not get it re-signed).

Why one signature per save and not per row: signing costs about 75 µs and checking about
170 µs on the 2-core test machine; a save is one to a few dozen events, so per save halves
``verify`` on a large log and costs nothing a writer would notice. The hash chain carries the
rest: a row's hash covers every event before it.

**The key** (``audit.keys``) is a PEM file (PKCS#8, unencrypted, mode 0600) outside the
database, where ``audit.store_keys.KeyLocations`` says (an absolute path: beside the SQLite
file, or a key directory for PostgreSQL); the store records its public half
(``lz_store_keys``) and refuses to start with another. It is created at a new store's first
start only; ``lianzhang keys rotate`` changes it (``audit.key_ring``,
``projections.key_rotation``). Its public half (``lianzhang checkpoint --public-key``) is all
an auditor needs; its id is the first 16 hex digits of SHA-256 over the 32 raw public-key
bytes.

The same recorders write, for a save made by a request with an id, one row of
``lz_save_requests`` (``audit.save_requests``): the save's positions and the request id, beside
the chain, which does not cover it.

**Checkpoints** (``audit.checkpoints``) are small signed JSON documents of the chain at one
position, meant to be kept outside the database; every published sheet carries one. Someone
who can write the database can delete the newest events and their chain rows, leaving a
shorter chain that verifies; a checkpoint made before that names the position the log must
still reach.

What a database writer without the key cannot do unnoticed (``audit.chain_verify.verify_log``):
alter, delete, insert or reorder events, or append new ones (with or without chain rows), or
rewrite the chain rows with recomputed hashes. What needs a checkpoint: cutting events off the
end.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from adapters.sqlite_gate import GatedSQLiteFactory
from audit import save_requests
from audit.chain import GENESIS
from audit.chain_table import (
    CHAIN_TABLE,
    COLUMNS,
    SQLITE_DDL,
    Canonical,
    canonical_of,
    linked_rows,
)
from audit.keys import ChainError, Signer
from audit.messages import RESTORE, ROTATION, ROTATION_TOPIC, SAVE, rotation_state
from audit.store_keys import load_signing_key

KEY_ENV = "LIANZHANG_SIGNING_KEY"
# The transaction that makes a PostgreSQL save durable writes this WAL record (a logical-decoding
# message nothing reads): a transaction that writes no WAL is committed without a flush.
_FLUSH = "SELECT pg_logical_emit_message(true, 'lianzhang-save', '')"
KEY_FILE = "signing-key.pem"


class _Chaining:
    """What both recorders add: the signer, set by the factory before any write."""

    signer: Signer | None = None

    def _signer(self) -> Signer:
        if self.signer is None:
            raise ChainError("the event store has no signing key; nothing was written")
        return self.signer


class SigningSQLiteRecorder(_Chaining, SQLiteApplicationRecorder):
    """SQLite: events and their signed chain rows in one transaction. The first INSERT takes
    the database's write lock, so the chain head read after it is the latest. What does not
    depend on the head (the events' canonical bytes, the save's kind) is computed before the
    transaction, outside the file's gate (``adapters.sqlite_gate``)."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), SQLITE_DDL, *save_requests.SQLITE_DDL]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        prepared = prepare_save(stored_events, self._signer()) if stored_events else None
        return super().insert_events(stored_events, prepared=prepared, **kwargs)

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        prepared: PreparedSave | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        signer = self._signer()
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return ids
        assert ids is not None
        if prepared is None:  # called past insert_events
            prepared = prepare_save(stored_events, signer)
        c.execute(f"SELECT hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
        head = c.fetchone()
        rows = prepared.rows(head[0] if head else GENESIS, ids, signer)
        c.executemany(f"INSERT INTO {CHAIN_TABLE} ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", rows)
        request = save_requests.row(ids, kwargs.get("request_id"))  # audit.save_requests
        if request is not None:
            c.execute(
                f"INSERT INTO {save_requests.TABLE} ({save_requests.COLUMNS}) VALUES (?,?,?)",
                request,
            )
        if prepared.key_row is not None:
            for statement in _record_present_key(prepared.key_row):
                c.execute(statement[0].replace("%s", "?"), statement[1])
        return ids


@dataclass(frozen=True)
class PreparedSave:
    """What a save computes before it takes the store's write lock: each event's canonical
    bytes, the kind its signature names, and, for a key rotation, the key it records and the
    chain head it was made for."""

    events: list[Canonical]
    kind: str
    key_row: tuple[str, str] | None = None
    made_for: str | None = None

    def rows(self, previous: str, positions: Sequence[int], signer: Signer) -> list[Any]:
        """The chain rows once the lock is held: ``previous`` is the chain head."""
        if self.made_for is not None and self.made_for != previous:
            raise ChainError(
                "the chain moved on while the key was being rotated; nothing was written: try again"
            )
        return linked_rows(previous, positions, self.events, signer, self.kind)


def _signer_from(env: Any) -> Signer:
    """The key file the runtime checked (``audit.store_keys``); never made here."""
    path = env.get(KEY_ENV)
    if not path:
        raise ChainError(f"{KEY_ENV} is not set: the event store cannot sign what it writes")
    return load_signing_key(Path(path))


def prepare_save(stored_events: Sequence[StoredEvent], signer: Signer) -> PreparedSave:
    """The save's canonical bytes and kind. A key rotation (``projections.key_rotation``) is
    one event in a save of its own, made for one place of the chain (checked under the lock,
    ``PreparedSave.rows``) and for the key signing it; its save also records the new key as
    the store's present key (same transaction)."""
    events = canonical_of(
        (s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events
    )
    rotations = [s for s in stored_events if s.topic == ROTATION_TOPIC]
    if not rotations:
        return PreparedSave(events, SAVE)
    state = rotation_state(rotations[0].state)
    if len(stored_events) != 1 or state is None:
        raise ChainError("a key rotation is saved alone; nothing was written")
    if state["new_key"] != signer.public.hex:
        raise ChainError("a key rotation must be signed by the key it names; nothing was written")
    return PreparedSave(
        events,
        ROTATION if state["kind"] == "rotation" else RESTORE,
        (signer.key_id, signer.public.hex),
        state["previous"],
    )


def _record_present_key(key: tuple[str, str]) -> list[tuple[str, tuple[Any, ...]]]:
    """SQL (``%s`` parameters) that records ``key`` as the store's present signing key."""
    key_id, material = key
    now = _utc_now().isoformat(timespec="seconds")
    return [
        (
            "UPDATE lz_store_keys SET status = 'retired' WHERE kind = 'signing' AND key_id <> %s",
            (key_id,),
        ),
        (
            "INSERT INTO lz_store_keys (key_id, kind, material, status, recorded_at) "
            "VALUES (%s, 'signing', %s, 'present', %s) "
            "ON CONFLICT (key_id) DO UPDATE SET status = 'present'",
            (key_id, material, now),
        ),
    ]


class SigningSQLiteFactory(GatedSQLiteFactory):
    """``PERSISTENCE_MODULE`` for SQLite: the application recorder signs its chain, and its
    writes take the file's gate (``adapters.sqlite_gate``)."""

    application_recorder_class = SigningSQLiteRecorder

    def application_recorder(self) -> Any:
        recorder = super().application_recorder()
        recorder.signer = _signer_from(self.env)  # type: ignore[attr-defined]
        return recorder


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
