"""The signed chain table ``lz_signed_chain``: its shape, the rows a save writes to it, and
reading it back (for ``verify``, checkpoints and exports).

One row per stored event, keyed by position: the event's identity, the chain hash before it and
its own (``audit.chain.chain_hash``); the last row of a save also carries the save's kind
(``audit.messages``), the signing key's id and the signature. The table has its own metadata:
no read model creates, drops or rebuilds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, Table, Text, select

from audit.chain import stored_canonical_bytes
from audit.keys import Signer
from audit.messages import save_message
from projections.pages import Stored

CHAIN_TABLE = "lz_signed_chain"

# Read with SQLAlchemy (verify, checkpoints); written by the recorders of ``audit.signing`` in
# their own transaction.
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

COLUMNS = "position, originator_id, originator_version, previous, hash, kind, key_id, signature"
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


@dataclass(frozen=True)
class Canonical:
    """An event as its chain row needs it, computed before the write lock is taken: its
    identity and its canonical bytes (everything but the hashes, which depend on the head)."""

    originator_id: str
    originator_version: int
    data: bytes


def canonical_of(events: Iterable[tuple[Any, int, str, bytes]]) -> list[Canonical]:
    """``Canonical`` of ``(originator_id, version, topic, state)``, hashed from the stored
    bytes: the same bytes as ``canonical_bytes(canonical_event(...))``, without decoding into a
    second dict."""
    made = []
    for originator_id, version, topic, state in events:
        stored = Stored(0, str(originator_id), int(version), topic, state, None)
        made.append(Canonical(str(originator_id), int(version), stored_canonical_bytes(stored)))
    return made


def linked_rows(
    previous: str,
    positions: Sequence[int],
    events: Sequence[Canonical],
    signer: Signer,
    kind: str,
) -> list[tuple[Any, ...]]:
    """Rows of ``lz_signed_chain`` for ``events`` at ``positions``, chained on from
    ``previous``; the last row carries the signature of them all. What a save does once it
    holds the write lock and knows the head: a SHA-256 per event and one signature."""
    rows: list[list[Any]] = []
    for position, event in zip(positions, events, strict=True):
        current = hashlib.sha256(previous.encode("ascii") + b"\n" + event.data).hexdigest()
        rows.append(
            [
                int(position),
                event.originator_id,
                event.originator_version,
                previous,
                current,
                None,
                None,
                None,
            ]
        )
        previous = current
    if rows:
        message = save_message(kind, [r[0] for r in rows], previous)
        rows[-1][5:] = [kind, signer.key_id, signer.sign(message)]
    return [tuple(r) for r in rows]


def chain_rows(
    previous: str, events: Iterable[tuple[int, Any, int, str, bytes]], signer: Signer, kind: str
) -> list[tuple[Any, ...]]:
    """Rows of ``lz_signed_chain`` for ``(position, originator_id, version, topic, state)``,
    chained on from ``previous``; the last row carries the signature of them all."""
    listed = list(events)
    return linked_rows(
        previous,
        [int(e[0]) for e in listed],
        canonical_of(e[1:] for e in listed),
        signer,
        kind,
    )


def chain_rows_of(engine: Engine | Connection, page: int = 5000) -> Iterator[Any]:
    """The signed chain in position order, a page at a time (through ``engine``'s connections,
    or all in one transaction when given a connection: a snapshot)."""
    after = 0
    while True:
        query = (
            select(signed_chain)
            .where(signed_chain.c.position > after)
            .order_by(signed_chain.c.position)
            .limit(page)
        )
        if isinstance(engine, Connection):
            batch = list(engine.execute(query).mappings())
        else:
            with engine.connect() as conn:
                batch = list(conn.execute(query).mappings())
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
