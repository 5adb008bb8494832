"""One writer at a time per SQLite file in this process, waiting on a lock instead of polling.

SQLite has one write lock per database file. When two connections want it, the loser's busy
handler sleeps and polls (1, 2, 5 … up to 100 ms at a time), so under load writers queue in
random order, sleep long after the lock is free, and run into their timeout: with 4 clients
posting at once the server answered 500 ("database is locked", "Timed out waiting for return of
writer") and p50 latency reached 50 s.

Every transaction in this process that writes to a file therefore first takes that file's
*gate*, a ``threading.Lock``, and releases it after COMMIT or ROLLBACK; waiting writers wake the
moment it is free. Both kinds of connection take it:

* eventsourcing's recorder (events): :class:`GatedSQLiteFactory`, named by
  ``PERSISTENCE_MODULE`` in ``adapters.database.event_store_env``, gives it a datastore whose
  writing transactions hold the gate;
* SQLAlchemy (read models, tokens, idempotency keys): :func:`install` makes every transaction
  begin lazily, with its first statement: ``BEGIN IMMEDIATE`` under the gate when that
  statement writes (INSERT, UPDATE, DELETE, DDL, or a ``SELECT … FOR UPDATE``), a plain
  deferred ``BEGIN`` otherwise. Reads thus take no lock at all (WAL lets them run beside the
  writer on their own snapshot) and end when the connection is returned. A transaction that
  must read before it writes starts with ``SELECT … FOR UPDATE``, as the pull loop does, so its
  snapshot cannot go stale before its first write.

The busy timeout stays, for writers in other processes (the ``lianzhang`` command while a
server runs). Waiting for the gate is bounded by the same number of seconds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteFactory
from eventsourcing.utils import Environment, EnvType
from sqlalchemy import Engine, event

# Seconds a writer waits for the gate (and, through the busy timeout, for another process).
GATE_TIMEOUT_SECONDS = 10

# Connections per pool: a server runs up to 40 request threads (anyio's default); every one may
# read at once, and a reader waiting for a connection is a slow request for nothing.
POOL_SIZE = 10
POOL_OVERFLOW = 40
POOL_TIMEOUT_SECONDS = 30.0

_gates: dict[str, threading.Lock] = {}
_gates_guard = threading.Lock()

_READS = frozenset({"SELECT", "WITH", "PRAGMA", "EXPLAIN", "VALUES"})


def gate_for(path: str | Path) -> threading.Lock:
    """The one gate of the database file at ``path`` in this process."""
    key = str(Path(path).resolve())
    with _gates_guard:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = threading.Lock()
        return gate


def _locked_message(path: str) -> str:
    return f"database is locked: another writer kept {path} for more than {GATE_TIMEOUT_SECONDS} s"


# -- SQLAlchemy ---------------------------------------------------------------------------------


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that holds its file's gate from its first write until COMMIT or
    ROLLBACK (``sqlite3.connect(factory=GatedConnection)``; the gate is set on connect)."""

    gate: threading.Lock | None = None
    holding = False

    def take_gate(self) -> None:
        if self.holding or self.gate is None:
            return
        if not self.gate.acquire(timeout=GATE_TIMEOUT_SECONDS):
            raise sqlite3.OperationalError(_locked_message("the database"))
        self.holding = True

    def drop_gate(self) -> None:
        if self.holding and self.gate is not None:
            self.holding = False
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.drop_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.drop_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.drop_gate()


def connect_args(timeout: float) -> dict[str, Any]:
    """``connect_args`` for ``create_engine`` on a SQLite file that :func:`install` gates."""
    return {"timeout": timeout, "check_same_thread": False, "factory": GatedConnection}


def install(engine: Engine, path: Path, busy_timeout_seconds: float) -> None:
    """Gate the writes of ``engine`` (made with :func:`connect_args`) on the file ``path``."""
    gate = gate_for(path)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's transactions, not the driver's: the BEGIN is issued below.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
        dbapi_connection.gate = gate

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_lazily(
        conn: Any, cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if not conn.in_transaction():
            return
        dbapi_connection = cursor.connection
        writes = _writes(statement, context)
        if not dbapi_connection.in_transaction:
            if writes:
                dbapi_connection.take_gate()
                dbapi_connection.execute("BEGIN IMMEDIATE")
            else:
                dbapi_connection.execute("BEGIN")
        elif writes:
            dbapi_connection.take_gate()


def _writes(statement: str, context: Any) -> bool:
    """Whether ``statement`` writes, or is a ``SELECT … FOR UPDATE`` (SQLite does not print
    the clause, so the compiled statement is asked)."""
    words = statement.lstrip().split(None, 1)
    if not words or words[0].upper() not in _READS:
        return True
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is not None


# -- eventsourcing ------------------------------------------------------------------------------


class GatedSQLiteDatastore(SQLiteDatastore):
    """eventsourcing's SQLite datastore whose writing transactions hold the file's gate."""

    def __init__(self, db_name: str, **kwargs: Any) -> None:
        super().__init__(db_name, **kwargs)
        self.gate = gate_for(db_name)
        self.db_name = db_name

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        if not commit:
            with super().transaction(commit=False) as cursor:
                yield cursor
            return
        if not self.gate.acquire(timeout=GATE_TIMEOUT_SECONDS):
            raise OperationalError(_locked_message(self.db_name))
        try:
            with super().transaction(commit=True) as cursor:
                yield cursor
        finally:
            self.gate.release()


class GatedSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite persistence with :class:`GatedSQLiteDatastore` and pools sized
    for a server's threads."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        plain = self.datastore
        self.datastore = GatedSQLiteDatastore(
            plain.pool.db_name,
            lock_timeout=plain.pool.lock_timeout,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type,
        )
        plain.close()
