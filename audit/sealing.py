"""Sealing at upgrade: a store written before the signed chain has its events chained and
signed once, at its first start (kind ``lianzhang-chain-upgrade``, one signature per page of
1,000), and the sealing is noted in ``signing-key.pem.sealed`` beside the key, so that a store
is never sealed twice (emptying the chain in the database does not get it re-signed).
"""

from __future__ import annotations

import datetime
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from adapters.database import is_postgres, sqlite_path
from audit.chain import GENESIS
from audit.chain_table import chain_rows, signed_chain
from audit.keys import Signer
from audit.messages import UPGRADE
from ledger.canonical import canonical_bytes

SEAL_PAGE = 1000


def store_identity(database_url: str, schema: str | None = None) -> str:
    """Which store this is, for the register of stores sealed at upgrade (no password)."""
    if not is_postgres(database_url):
        return f"sqlite:{sqlite_path(database_url)}"
    url = make_url(database_url)
    return f"postgresql:{url.host}:{url.port or 5432}/{url.database}/{schema or 'public'}"


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
            now = datetime.datetime.now(datetime.UTC)
            note = {"store": store, "sealed_at": now.isoformat(timespec="seconds")}
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
