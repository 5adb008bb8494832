"""One consistent view of a store for readers that compare several tables: ``verify`` and
``lianzhang backup``.

A :class:`Snapshot` is one connection holding one read transaction: on PostgreSQL
``REPEATABLE READ READ ONLY`` (every statement sees the database as of the transaction's first
one), on SQLite a deferred ``BEGIN`` (in WAL mode a reader keeps the snapshot of its first
read until it ends, while writers go on). Everything read through it (the log head, the
events, the signed chain, the read models and their tracking positions) belongs to the same
moment, however many clerks write meanwhile.

``snapshot.source`` lets ``projections.replay`` read the stored events through the same
transaction (its page reader runs in a thread, never beside another read of the snapshot:
the drivers serialise access to one connection anyway). On PostgreSQL
``snapshot.export()`` names the snapshot for another session (``pg_dump --snapshot``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, text

PAGE = 5000


class Note(NamedTuple):
    """A stored event as ``audit.chain_verify.verify_log`` reads it."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes


class _Source:
    """What ``projections.replay.read_stored`` asks of an engine, on the snapshot's connection
    (``connect`` lends it; leaving the block does not end the transaction)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self._conn


class Snapshot:
    """A read transaction on ``engine`` (see the module docstring); use as a context manager
    through :func:`snapshot`."""

    def __init__(self, conn: Connection, events_table: str) -> None:
        self.conn = conn
        self.events_table = events_table
        self.postgres = conn.dialect.name == "postgresql"
        self.source: Any = _Source(conn)

    def export(self) -> str:
        """The PostgreSQL snapshot's name, for ``SET TRANSACTION SNAPSHOT`` elsewhere."""
        return str(self.conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())

    def log_head(self) -> int:
        """The last stored position (0 when empty)."""
        position = "notification_id" if self.postgres else "rowid"
        found = self.conn.execute(
            text(f'SELECT max({position}) FROM "{self.events_table}"')
        ).scalar_one()
        return int(found or 0)

    def notifications(self, page: int = PAGE) -> Iterator[Note]:
        """Every stored event in position order, as stored (state bytes untouched)."""
        position = "notification_id" if self.postgres else "rowid"
        query = text(
            f"SELECT {position}, originator_id, originator_version, topic, state "
            f'FROM "{self.events_table}" WHERE {position} > :after ORDER BY {position} '
            "LIMIT :page"
        )
        after = 0
        while True:
            rows = self.conn.execute(query, {"after": after, "page": page}).all()
            for p, o, v, t, s in rows:
                yield Note(int(p), _dashed(o), int(v), t, bytes(s))
            if len(rows) < page:
                return
            after = int(rows[-1][0])


def _dashed(originator_id: Any) -> str:
    value = str(originator_id)
    if len(value) == 32:  # SQLite keeps 32 hex digits
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


@contextmanager
def snapshot(engine: Engine, events_table: str) -> Iterator[Snapshot]:
    """One read transaction on ``engine`` for the block; nothing written through it."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with conn.begin() as transaction:
            # the snapshot is taken at the first statement (SQLite: the first read of the file)
            first = (
                "SELECT 1"
                if conn.dialect.name == "postgresql"
                else ("SELECT count(*) FROM sqlite_master")
            )
            conn.execute(text(first)).scalar_one()
            try:
                yield Snapshot(conn, events_table)
            finally:
                transaction.rollback()
