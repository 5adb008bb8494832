"""Tamper evidence a database writer cannot forge: the event log chained and signed as it is
written, with a server key kept outside the database.

**The signed chain** (table ``lz_signed_chain``, one row per stored event, keyed by position) is
written by the event recorder in the same transaction as the events it covers, never by a read
model: ``rebuild`` does not touch it. Each row holds the event's chain hash as the README defines
it (``audit.chain.chain_hash``: SHA-256 over the previous hash, a newline and the event's
canonical bytes, from 64 zeros), the previous hash, and the event's identity. The last row of
every save carries an Ed25519 signature by the server key over

    canonical({"kind": "lianzhang-chain-save", "positions": [p1, …, pn], "hash": hn})

(the positions of the save's rows, in order, and the chain hash of its last row), so every
position and, through the hash chain, every byte of every event before it is signed. Events
written before this table existed are chained once at the first start ("sealed at upgrade",
``seal_existing``): the same rows, signed per page of 1,000 with the kind
``lianzhang-chain-upgrade``, and noted in ``signing-key.pem.sealed`` beside the key so that a
store is never sealed twice (emptying the chain in the database does not get it re-signed).

Why one signature per save and not per row: signing costs about 75 µs and checking about
170 µs on the 2-core test machine; a save is one to a few dozen events, so per save halves
``verify`` on a large log and costs nothing a writer would notice. The hash chain carries the
rest: a row's hash covers every event before it.

**The key** is a PEM file (PKCS#8, unencrypted, mode 0600) outside the database, where
``audit.store_keys.KeyLocations`` says (an absolute path: beside the SQLite file, or a key
directory for PostgreSQL); the store records its public half (``lz_store_keys``) and refuses to
start with another. It is created at a new store's first start only; ``lianzhang keys rotate``
changes it (``audit.key_ring``, ``projections.key_rotation``). Its public half
(``lianzhang checkpoint --public-key``) is all an auditor needs; its id is the first 16 hex
digits of SHA-256 over the 32 raw public-key bytes.

**Checkpoints** are small signed JSON documents of the chain at one position
(``{"kind": "lianzhang-checkpoint", "position", "hash", "made_at", "key_id"}`` plus
``public_key`` and ``signature`` over the canonical bytes of the five fields), meant to be kept
outside the database; every published sheet carries one. Someone who can write the database can
delete the newest events and their chain rows, leaving a shorter chain that verifies; a
checkpoint made before that names the position the log must still reach.

What a database writer without the key cannot do unnoticed (``verify_log``): alter, delete,
insert or reorder events, or append new ones (with or without chain rows), or rewrite the chain
rows with recomputed hashes. What needs a checkpoint: cutting events off the end.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg.sql import SQL, Identifier
from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, Table, Text, select, text
from sqlalchemy.engine import make_url

from adapters.database import is_postgres, sqlite_path
from adapters.sqlite_gate import GatedSQLiteFactory
from audit.chain import GENESIS, canonical_event, chain_hash, stored_canonical_bytes
from domain.errors import ConflictError
from ledger.canonical import canonical_bytes
from projections.pages import Stored

KEY_ENV = "LIANZHANG_SIGNING_KEY"
KEY_FILE = "signing-key.pem"
CHAIN_TABLE = "lz_signed_chain"
SAVE = "lianzhang-chain-save"
UPGRADE = "lianzhang-chain-upgrade"
CHECKPOINT = "lianzhang-checkpoint"
SEAL_PAGE = 1000

# Read with SQLAlchemy (verify, checkpoints); written by the recorders below in their own
# transaction. Its own metadata: no read model creates, drops or rebuilds it.
chain_metadata = MetaData()
signed_chain = Table(
    CHAIN_TABLE,
    chain_metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("originator_id", Text, nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("previous", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("kind", Text),  # SAVE or UPGRADE on the last row of a save, else NULL
    Column("key_id", Text),
    Column("signature", Text),
)

_COLUMNS = "position, originator_id, originator_version, previous, hash, kind, key_id, signature"
SQLITE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position INTEGER PRIMARY KEY, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, previous TEXT NOT NULL, "
    "hash TEXT NOT NULL, kind TEXT, key_id TEXT, signature TEXT)"
)
POSTGRES_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.{table} (position bigint PRIMARY KEY, "
    "originator_id text NOT NULL, originator_version bigint NOT NULL, previous text NOT NULL, "
    "hash text NOT NULL, kind text, key_id text, signature text)"
)


class ChainError(ConflictError):
    """The log and its signed chain disagree, or the signing key cannot be used."""

    kind = "chain-broken"


# -- keys ---------------------------------------------------------------------------------------


def key_id_of(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKey:
    """The half of the server key an auditor holds: checks signatures, makes none."""

    key: Ed25519PublicKey

    @classmethod
    def from_hex(cls, value: str) -> PublicKey:
        try:
            return cls(Ed25519PublicKey.from_public_bytes(bytes.fromhex(value.strip())))
        except ValueError:
            raise ChainError(
                f"{value[:20]!r} is not an Ed25519 public key (64 hex digits)"
            ) from None

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def hex(self) -> str:
        return self.raw.hex()

    @property
    def key_id(self) -> str:
        return key_id_of(self.raw)

    def verifies(self, signature: str | None, message: bytes) -> bool:
        try:
            self.key.verify(bytes.fromhex(signature or ""), message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """The server key: signs the chain as it is written, and checkpoints."""

    key: Ed25519PrivateKey

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key.public_key())

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, message: bytes) -> str:
        return self.key.sign(message).hex()


def store_identity(database_url: str, schema: str | None = None) -> str:
    """Which store this is, for the register of stores sealed at upgrade (no password)."""
    if not is_postgres(database_url):
        return f"sqlite:{sqlite_path(database_url)}"
    url = make_url(database_url)
    return f"postgresql:{url.host}:{url.port or 5432}/{url.database}/{schema or 'public'}"


# -- what is signed -----------------------------------------------------------------------------


def save_message(kind: str, positions: Sequence[int], head: str) -> bytes:
    return canonical_bytes({"kind": kind, "positions": list(positions), "hash": head})


def chain_rows(
    previous: str, events: Iterable[tuple[int, Any, int, str, bytes]], signer: Signer, kind: str
) -> list[tuple[Any, ...]]:
    """Rows of ``lz_signed_chain`` for ``(position, originator_id, version, topic, state)``,
    chained on from ``previous``; the last row carries the signature of them all."""
    rows: list[list[Any]] = []
    for position, originator_id, version, topic, state in events:
        # hashed from the stored bytes (issue 13): the same bytes as
        # ``canonical_bytes(canonical_event(...))``, without decoding into a second dict
        stored = Stored(int(position), str(originator_id), int(version), topic, state, None)
        current = hashlib.sha256(
            previous.encode("ascii") + b"\n" + stored_canonical_bytes(stored)
        ).hexdigest()
        rows.append(
            [int(position), str(originator_id), int(version), previous, current, None, None, None]
        )
        previous = current
    if rows:
        message = save_message(kind, [r[0] for r in rows], previous)
        rows[-1][5:] = [kind, signer.key_id, signer.sign(message)]
    return [tuple(r) for r in rows]


class _Chaining:
    """What both recorders add: the signer, set by the factory before any write."""

    signer: Signer | None = None

    def _signer(self) -> Signer:
        if self.signer is None:
            raise ChainError("the event store has no signing key; nothing was written")
        return self.signer


class SigningSQLiteRecorder(_Chaining, SQLiteApplicationRecorder):
    """SQLite: events and their signed chain rows in one transaction. The first INSERT takes
    the database's write lock, so the chain head read after it is the latest."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), SQLITE_DDL]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        signer = self._signer()
        ids = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return ids
        assert ids is not None
        c.execute(f"SELECT hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
        head = c.fetchone()
        previous = head[0] if head else GENESIS
        kind, key_row = save_kind(stored_events, signer, previous)
        rows = chain_rows(
            previous,
            (
                (i, s.originator_id, s.originator_version, s.topic, s.state)
                for i, s in zip(ids, stored_events, strict=True)
            ),
            signer,
            kind,
        )
        c.executemany(f"INSERT INTO {CHAIN_TABLE} ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)", rows)
        if key_row is not None:
            for statement in _record_present_key(key_row):
                c.execute(statement[0].replace("%s", "?"), statement[1])
        return ids


class SigningPostgresRecorder(_Chaining, PostgresApplicationRecorder):
    """PostgreSQL: the recorder takes an EXCLUSIVE lock on the event table before it inserts
    (so notification ids commit in order); the chain rows are written after the insert, under
    that lock, in the same transaction."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.append(
            SQL(POSTGRES_DDL).format(
                schema=Identifier(self.datastore.schema), table=Identifier(CHAIN_TABLE)
            )
        )
        self._select_head = SQL(
            "SELECT hash FROM {schema}.{table} ORDER BY position DESC LIMIT 1"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(CHAIN_TABLE))
        self._insert_rows = SQL(
            "INSERT INTO {schema}.{table} (" + _COLUMNS + ") VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(CHAIN_TABLE))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:
            raise ChainError("POSTGRES_ENABLE_DB_FUNCTIONS would write events without a chain")
        self._signer()
        ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        return ids

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if not stored_events:
            return ids
        assert ids is not None
        curs.execute(self._select_head)
        head = curs.fetchone()
        previous = head["hash"] if head else GENESIS
        kind, key_row = save_kind(stored_events, self._signer(), previous)
        rows = chain_rows(
            previous,
            (
                (i, s.originator_id, s.originator_version, s.topic, s.state)
                for i, s in zip(ids, stored_events, strict=True)
            ),
            self._signer(),
            kind,
        )
        curs.executemany(self._insert_rows, rows)
        if key_row is not None:
            schema = self.datastore.schema
            for statement, params in _record_present_key(key_row):
                curs.execute(
                    SQL(statement.replace("lz_store_keys", "{schema}.lz_store_keys")).format(
                        schema=Identifier(schema)
                    ),
                    params,
                )
        return ids


def _signer_from(env: Any) -> Signer:
    """The key file the runtime checked (``audit.store_keys``); never made here."""
    from audit.store_keys import load_signing_key

    path = env.get(KEY_ENV)
    if not path:
        raise ChainError(f"{KEY_ENV} is not set: the event store cannot sign what it writes")
    return load_signing_key(Path(path))


def save_kind(
    stored_events: Sequence[StoredEvent], signer: Signer, previous: str
) -> tuple[str, tuple[str, str] | None]:
    """The kind a save is signed as: a key rotation (``projections.key_rotation``) is one event
    in a save of its own, made for this place of the chain and for the key signing it; its
    save also records the new key as the store's present key (same transaction)."""
    from audit.key_ring import RESTORE, ROTATION, ROTATION_TOPIC, rotation_state

    rotations = [s for s in stored_events if s.topic == ROTATION_TOPIC]
    if not rotations:
        return SAVE, None
    state = rotation_state(rotations[0].state)
    if len(stored_events) != 1 or state is None:
        raise ChainError("a key rotation is saved alone; nothing was written")
    if state["new_key"] != signer.public.hex:
        raise ChainError("a key rotation must be signed by the key it names; nothing was written")
    if state["previous"] != previous:
        raise ChainError(
            "the chain moved on while the key was being rotated; nothing was written: try again"
        )
    return (ROTATION if state["kind"] == "rotation" else RESTORE), (
        signer.key_id,
        signer.public.hex,
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


class SigningPostgresFactory(PostgresFactory):
    """``PERSISTENCE_MODULE`` for PostgreSQL: the application recorder signs its chain."""

    application_recorder_class = SigningPostgresRecorder

    def application_recorder(self) -> Any:
        recorder = super().application_recorder()
        recorder.signer = _signer_from(self.env)  # type: ignore[attr-defined]
        return recorder


# -- sealing a store written before the signed chain ---------------------------------------------


def _events_source(engine: Engine, recorder: Any) -> tuple[str, str]:
    """The event table and its position column, as SQL names."""
    if engine.dialect.name == "sqlite":
        return recorder.events_table_name, "rowid"
    return f'"{recorder.events_table_name}"', "notification_id"


def seal_existing(
    engine: Engine, recorder: Any, signer: Signer, *, register: Path | None = None, store: str = ""
) -> int:
    """Chain and sign, once, the events of a store that has events but no chain rows yet
    (a store written before this version): "sealed at upgrade". Returns how many events were
    sealed (0 when there was nothing to do). Stop every process of the old version first:
    an event it wrote after the sealing would be reported as written without the key.

    Each sealing is noted in ``register`` (a file beside the key, outside the database) under
    ``store``; a store noted there is never sealed again: someone who empties its signed chain
    in the database does not get the log re-signed at the next start, and ``verify`` reports
    the first event as not in the signed chain."""
    table, position = _events_source(engine, recorder)
    with engine.begin() as conn:
        if conn.execute(select(signed_chain.c.position).limit(1)).first() is not None:
            return 0
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
        if conn.execute(select(signed_chain.c.position).limit(1)).first() is not None:
            return 0
        if conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None:
            return 0
        if register is not None and store in _sealed_stores(register):
            return 0
        previous, after, sealed = GENESIS, 0, 0
        while True:
            page = conn.execute(
                text(
                    f"SELECT {position}, originator_id, originator_version, topic, state "
                    f"FROM {table} WHERE {position} > :after ORDER BY {position} LIMIT :n"
                ),
                {"after": after, "n": SEAL_PAGE},
            ).all()
            if not page:
                break
            rows = chain_rows(
                previous,
                ((r[0], _uuid_text(r[1]), r[2], r[3], bytes(r[4])) for r in page),
                signer,
                UPGRADE,
            )
            conn.execute(
                signed_chain.insert(),
                [dict(zip(signed_chain.c.keys(), row, strict=True)) for row in rows],
            )
            previous, after, sealed = rows[-1][4], int(page[-1][0]), sealed + len(rows)
        if register is not None:
            note = {"store": store, "sealed_at": _utc_now().isoformat(timespec="seconds")}
            with register.open("a", encoding="utf-8") as handle:
                handle.write(canonical_bytes({**note, "events": sealed, "hash": previous}).decode())
                handle.write("\n")
    return sealed


def _sealed_stores(register: Path) -> set[str]:
    try:
        lines = register.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    found = set()
    for line in lines:
        try:
            found.add(str(json.loads(line)["store"]))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def _uuid_text(value: Any) -> str:
    """SQLite keeps originator ids as 32 hex digits; the chain hashes them as UUID text."""
    return str(uuid.UUID(str(value)))


# -- checkpoints ---------------------------------------------------------------------------------


def checkpoint_message(document: dict[str, Any]) -> bytes:
    return canonical_bytes(
        {k: document[k] for k in ("kind", "position", "hash", "made_at", "key_id")}
    )


def make_checkpoint(
    engine: Engine | Connection,
    recorder: Any,
    signer: Signer,
    position: int | None = None,
    *,
    now: Callable[[], datetime.datetime] | None = None,
) -> dict[str, Any]:
    """A signed checkpoint of the chain at ``position`` (the head when None). The save that
    holds that position is checked first, its events against its rows and its signature: the
    server key never vouches for a chain row it did not sign."""
    if isinstance(engine, Connection):
        return _checkpoint(engine, recorder, signer, position, now)
    with engine.connect() as conn:
        return _checkpoint(conn, recorder, signer, position, now)


def _checkpoint(
    conn: Connection,
    recorder: Any,
    signer: Signer,
    position: int | None,
    now: Callable[[], datetime.datetime] | None,
) -> dict[str, Any]:
    if position is None:
        position = conn.execute(
            select(signed_chain.c.position).order_by(signed_chain.c.position.desc()).limit(1)
        ).scalar_one_or_none()
    if not position:
        at, head = 0, GENESIS
    else:
        at, head = position, _checked_hash(conn, recorder, signer.public, position)
    document: dict[str, Any] = {
        "kind": CHECKPOINT,
        "position": at,
        "hash": head,
        "made_at": (now or _utc_now)().isoformat(timespec="seconds"),
        "key_id": signer.key_id,
    }
    document["public_key"] = signer.public.hex
    document["signature"] = signer.sign(checkpoint_message(document))
    return document


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _checked_hash(conn: Connection, recorder: Any, public: PublicKey, position: int) -> str:
    """The chain hash at ``position``, once the save that holds it is checked: its events
    hash to its rows and its signature verifies."""
    signed = signed_chain.c.signature.is_not(None)
    before = conn.execute(
        select(signed_chain.c.position)
        .where(signed_chain.c.position < position, signed)
        .order_by(signed_chain.c.position.desc())
        .limit(1)
    ).scalar_one_or_none()
    end = conn.execute(
        select(signed_chain.c.position)
        .where(signed_chain.c.position >= position, signed)
        .order_by(signed_chain.c.position)
        .limit(1)
    ).scalar_one_or_none()
    broken = ChainError(
        f"the log at position {position} does not match its signed chain; the server key "
        "vouches for nothing there: run `lianzhang verify`"
    )
    if end is None:
        raise broken
    start = int(before or 0)
    rows = list(
        conn.execute(
            select(signed_chain)
            .where(signed_chain.c.position > start, signed_chain.c.position <= end)
            .order_by(signed_chain.c.position)
        ).mappings()
    )
    events = recorder.select_notifications(
        start=start, limit=len(rows) + 1, stop=end, inclusive_of_start=False
    )
    if [int(r["position"]) for r in rows] != [e.id for e in events]:
        raise broken
    previous, found = rows[0]["previous"], None
    for row, event in zip(rows, events, strict=True):
        computed = chain_hash(
            previous,
            canonical_event(
                event.originator_id, event.originator_version, event.topic, event.state
            ),
        )
        if row["previous"] != previous or row["hash"] != computed:
            raise broken
        previous = computed
        if event.id == position:
            found = computed
    last = rows[-1]
    message = save_message(str(last["kind"]), [int(r["position"]) for r in rows], last["hash"])
    if last["key_id"] != public.key_id:
        # a save signed before a rotation: by the key the store recorded for it
        from audit.store_keys import trusted_keys

        public = trusted_keys(conn).get(str(last["key_id"]), public)
    if found is None or not public.verifies(last["signature"], message):
        raise broken
    return found


def check_checkpoint(document: Any, public: PublicKey, *, foreign: bool = False) -> str | None:
    """None when ``document`` is a checkpoint signed by ``public``; else what is wrong.

    With ``foreign``, a checkpoint signed by another key is checked against the public key it
    carries (a sheet published by the server a log was exported from, then restored here):
    it is then whole, and whether that key is trusted is the auditor's question."""
    try:
        if document.get("kind") != CHECKPOINT:
            return "it is not a Lianzhang checkpoint"
        if foreign and document.get("key_id") != public.key_id:
            carried = PublicKey.from_hex(str(document.get("public_key")))
            if carried.key_id == document.get("key_id"):
                public = carried
        if document.get("key_id") != public.key_id:
            return (
                f"it was signed by key {document.get('key_id')}, not by this server's key "
                f"{public.key_id}"
            )
        if not public.verifies(document.get("signature"), checkpoint_message(document)):
            return "its signature does not verify: it was changed after it was signed"
    except (AttributeError, KeyError, TypeError, ValueError, ChainError):
        return "it is not a Lianzhang checkpoint"
    return None


# -- verification --------------------------------------------------------------------------------


def chain_rows_of(engine: Engine, page: int = 5000) -> Iterator[Any]:
    """The signed chain in position order, a page at a time."""
    after = 0
    while True:
        with engine.connect() as conn:
            batch = list(
                conn.execute(
                    select(signed_chain)
                    .where(signed_chain.c.position > after)
                    .order_by(signed_chain.c.position)
                    .limit(page)
                ).mappings()
            )
        if not batch:
            return
        yield from batch
        after = int(batch[-1]["position"])


def signed_rows(conn: Connection, start: int, stop: int) -> dict[int, Any]:
    """The signed chain rows of positions ``start < p <= stop``, by position (for exports)."""
    return {
        int(r["position"]): r
        for r in conn.execute(
            select(signed_chain).where(
                signed_chain.c.position > start, signed_chain.c.position <= stop
            )
        ).mappings()
    }


def verify_log(*args: Any, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``audit.chain_verify.verify_log`` (kept here for its callers)."""
    from audit.chain_verify import verify_log as check

    return check(*args, **kwargs)
