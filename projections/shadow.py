"""Shadow tables: the read models rebuilt beside the ones in use, then switched in at once.

``lianzhang rebuild`` on a live service (``projections.online`` runs it) must never show a reader
empty or half-built read models, nor hold a writer for longer than a save. The read models are
therefore replayed into *shadow* tables that no other process reads or writes, with their own
tracking rows; the switch then, in one short transaction, locks the tracking rows of the tables
in use (the same rows, in the same order, as every pull loop locks), applies to the shadow the
few events written since, puts the shadow tables in place of the old ones and gives the tracking
rows of the tables in use the shadow's positions. A reader sees the old tables or the new ones,
each complete up to its tracking position; a writer's own catch-up waits for the switch only.

Where the shadow lives:

- PostgreSQL: a schema of its own beside the store's (``<schema>_lz_rebuild``), with the same
  table, index and constraint names; the shadow's connections put it first on their
  ``search_path``, so every statement of the projections (SQLAlchemy's, the driver's COPY, raw
  SQL) writes there unchanged. The switch moves the tables in use to ``<schema>_lz_replaced``
  and the shadow's into the store's schema (``ALTER TABLE … SET SCHEMA``: catalogue changes, no
  data copied; a table keeps its indexes and sequences), after taking their locks in name order
  under a short ``lock_timeout``: a reader in the way makes the switch give up and try again, it
  never waits long behind the switch nor deadlocks with it.
- SQLite: tables of the same file named ``lz_rebuild__<name>``; the shadow's engine renames the
  tables in every statement it sends (the SQL text, at the cursor), so the projections run
  unchanged. The switch gives each table in use the shadow's rows, in the write transaction
  that holds the file's one write lock (a reader in WAL mode goes on reading its snapshot of
  the old tables): a small table by copying them, a large one by dropping it and renaming the
  shadow's to its name (``SQLiteShadow.swap``). SQLite's index
  names are one namespace per file and cannot be renamed: a shadow index takes the free one of
  two names (``ix_…`` or ``ix_…__b``), so successive rebuilds alternate between them.

The tables replaced (PostgreSQL) and the shadow's own tracking table are dropped after the
switch; what a failed run leaves (a killed process) is dropped by the next one before it
starts.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable

from adapters.database import make_engine
from projections.tables import SQLITE_SECOND_INDEX, tracking

# PostgreSQL: how long the switch waits for a lock before it gives up and tries again. Below
# the server's deadlock_timeout (1 s by default), so in a lock cycle with a reader the switch
# is always the one that gives up, never the reader.
TRACKING_WAIT_MS = 2000  # the tracking rows: a pull loop's page in progress
TABLE_WAIT_MS = 400  # the tables in use: readers' statements in progress

SQLITE_SHADOW = "lz_rebuild__"
SQLITE_REPLACED = "lz_replaced__"
SQLITE_COPY_ROWS = 2000  # SQLite: a table of the shadow up to this size is copied in the switch

# executing with this option sends the statement as written (the switch's own DDL)
AS_WRITTEN = "lz_shadow_as_written"


class RebuildError(Exception):
    """The rebuild cannot go on; the message is the one line the operator sees."""


def _tracking_of(schema: str) -> Table:
    """The tracking table in use, named with its schema (``main`` on SQLite), so that the
    shadow's connections, which write their own ``lz_tracking``, can reach it."""
    return Table(
        tracking.name,
        MetaData(),
        Column("projection", String(64), primary_key=True),
        Column("position", BigInteger, nullable=False),
        schema=schema,
    )


class Shadow(Protocol):
    """Where the shadow tables are, on one backend."""

    @property
    def engine(self) -> Engine: ...

    @property
    def live_tracking(self) -> Table: ...

    @property
    def where(self) -> str: ...

    def create(self, tables: Sequence[Table]) -> None: ...

    def limit_waits(self, conn: Connection, milliseconds: int) -> None: ...

    def swap(self, conn: Connection, tables: Sequence[Table]) -> None: ...

    def drop(self) -> list[str]: ...

    def exclusive(self) -> Any: ...

    def dispose(self) -> None: ...


def open_shadow(live: Engine) -> Shadow:
    """The shadow beside the read models of ``live`` (PostgreSQL or SQLite)."""
    if live.dialect.name == "postgresql":
        return PostgresShadow(live)
    return SQLiteShadow(live)


# -- PostgreSQL ------------------------------------------------------------------------------


def _beside(schema: str, what: str) -> str:
    """A schema name beside ``schema`` (63 characters at most; a long name shortened with a
    digest so that two stores never share one)."""
    name = f"{schema}_{what}"
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(schema.encode()).hexdigest()[:8]
    return f"{schema[: 62 - len(what) - 9]}_{digest}_{what}"


class PostgresShadow:
    """The shadow in a schema of its own (see the module docstring)."""

    def __init__(self, live: Engine) -> None:
        self.live = live
        with live.connect() as conn:
            self.schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        self.shadow = _beside(self.schema, "lz_rebuild")
        self.replaced = _beside(self.schema, "lz_replaced")
        self.where = f"schema {self.shadow}"
        self.live_tracking = _tracking_of(self.schema)
        self.engine = create_engine(
            live.url,
            connect_args={
                "connect_timeout": 5,
                "options": f"-csearch_path={self.shadow},{self.schema}",
            },
            pool_pre_ping=True,
        )

    def _q(self, schema: str, name: str) -> str:
        quote = self.live.dialect.identifier_preparer.quote
        return f"{quote(schema)}.{quote(name)}"

    def create(self, tables: Sequence[Table]) -> None:
        self.drop()
        # the schema, its tables and their indexes in one round trip to the server
        into = {"schema_translate_map": {None: self.shadow}, "render_schema_translate": True}
        statements = [f'CREATE SCHEMA "{self.shadow}"']
        with self.live.begin() as conn:
            for table in (*tables, tracking):
                statements.append(str(CreateTable(table).compile(dialect=conn.dialect, **into)))
                statements.extend(
                    str(CreateIndex(index).compile(dialect=conn.dialect, **into))
                    for index in table.indexes
                )
            conn.exec_driver_sql(";\n".join(statements))
        with self.engine.connect() as conn:  # the shadow's statements go there, nowhere else
            first = conn.execute(text("SELECT current_schema()")).scalar_one()
        if first != self.shadow:
            raise RebuildError(f"the shadow schema {self.shadow} is not first on the search path")

    def limit_waits(self, conn: Connection, milliseconds: int) -> None:
        conn.execute(text(f"SET LOCAL lock_timeout = {int(milliseconds)}"))

    def swap(self, conn: Connection, tables: Sequence[Table]) -> None:
        """The locks of the tables in use in name order, then every table moved: one round
        trip to the server (some 140 statements of the catalogue)."""
        names = sorted(t.name for t in tables)
        statements = [
            "LOCK TABLE "
            + ", ".join(self._q(self.schema, n) for n in names)
            + " IN ACCESS EXCLUSIVE MODE",
            f'CREATE SCHEMA "{self.replaced}"',
        ]
        for name in names:
            statements.append(
                f'ALTER TABLE {self._q(self.schema, name)} SET SCHEMA "{self.replaced}"'
            )
            statements.append(
                f'ALTER TABLE {self._q(self.shadow, name)} SET SCHEMA "{self.schema}"'
            )
        conn.exec_driver_sql(";\n".join(statements))

    def drop(self) -> list[str]:
        """Drop the shadow and the tables replaced; returns the schemas left (a reader of
        the tables replaced still holding them), which the next rebuild drops."""
        left = []
        for schema in (self.replaced, self.shadow):
            try:
                with self.live.begin() as conn:
                    self.limit_waits(conn, TRACKING_WAIT_MS)
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            except SQLAlchemyError:
                left.append(schema)
        return left

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One rebuild of this store at a time (a session advisory lock)."""
        key = f"lianzhang rebuild {self.schema}"
        with self.live.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key})
            taken = bool(got.scalar_one())
            conn.commit()
            if not taken:
                raise RebuildError(f"another rebuild of schema {self.schema} is running")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
                conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()


# -- SQLite ----------------------------------------------------------------------------------


def _renamer(names: Mapping[str, str]) -> re.Pattern[str]:
    """Matches a table of ``names`` where a statement names it: bare or double-quoted, never
    after a dot (``main.lz_tracking`` is the one in use) nor inside a longer identifier."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(r'(?<![\w."])("?)(' + alternatives + r')\1(?![\w"])')


class SQLiteShadow:
    """The shadow as renamed tables of the same file (see the module docstring)."""

    def __init__(self, live: Engine) -> None:
        self.live = live
        database = live.url.database
        assert database is not None
        self.path = Path(database)
        self.where = f"tables {SQLITE_SHADOW}* of {self.path}"
        self.live_tracking = _tracking_of("main")
        self.engine = make_engine(f"sqlite:///{self.path}")
        self._names: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

        @event.listens_for(self.engine, "before_cursor_execute", retval=True)
        def _rename(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> tuple[str, Any]:
            pattern = self._pattern
            if pattern is None:
                return statement, parameters
            options = context.execution_options if context is not None else {}
            if options.get(AS_WRITTEN):
                return statement, parameters
            names = self._names
            return pattern.sub(lambda m: m[1] + names[m[2]] + m[1], statement), parameters

    def _use(self, tables: Sequence[Table]) -> None:
        self._names = {t.name: SQLITE_SHADOW + t.name for t in (*tables, tracking)}
        self._pattern = _renamer(self._names)

    def _existing(self, conn: Connection, kind: str) -> set[str]:
        rows = conn.exec_driver_sql(f"SELECT name FROM sqlite_master WHERE type = '{kind}'")
        return {str(r[0]) for r in rows}

    def _index_sql(self, conn: Connection, index: Any, taken: set[str]) -> str:
        """The index's CREATE under the one of its two names that is free."""
        name = str(index.name)
        sql = str(CreateIndex(index).compile(dialect=conn.dialect))
        if name not in taken:
            return sql
        quote = conn.dialect.identifier_preparer.quote
        before, after = f"INDEX {quote(name)} ON", f"INDEX {quote(name + SQLITE_SECOND_INDEX)} ON"
        if before not in sql:
            raise RebuildError(f"cannot name the shadow's index {name}")
        return sql.replace(before, after, 1)

    def create(self, tables: Sequence[Table]) -> None:
        self.drop()
        self._use(tables)
        with self.live.connect() as conn:
            taken = self._existing(conn, "index")
        with self.engine.begin() as conn:
            for table in (*tables, tracking):
                conn.exec_driver_sql(str(CreateTable(table).compile(dialect=conn.dialect)))
                for index in table.indexes:
                    conn.exec_driver_sql(self._index_sql(conn, index, taken))

    def limit_waits(self, conn: Connection, milliseconds: int) -> None:
        """Nothing to set: the switch holds the file's write lock from its first statement."""

    def swap(self, conn: Connection, tables: Sequence[Table]) -> None:
        """Each table in use given the shadow's rows: a small one (``SQLITE_COPY_ROWS`` rows at
        most) by copying them, a larger one by dropping it and renaming the shadow's to its
        name. SQLite reads its whole schema again after every DROP or RENAME (some 10 ms for
        this store's schema, whatever the rows), and most read models are small: copied, they
        cost the switch less."""
        quote = conn.dialect.identifier_preparer.quote
        written = {AS_WRITTEN: True}
        renamed = []
        for table in sorted(tables, key=lambda t: t.name):
            name, shadow = quote(table.name), quote(SQLITE_SHADOW + table.name)
            more = conn.exec_driver_sql(
                f"SELECT 1 FROM main.{shadow} LIMIT 1 OFFSET {SQLITE_COPY_ROWS}",
                execution_options=written,
            ).first()
            if more is not None:
                renamed.append(table.name)
                continue
            columns = ", ".join(quote(c.name) for c in table.columns)
            for sql in (
                f"DELETE FROM main.{name}",
                f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM main.{shadow}",
            ):
                conn.exec_driver_sql(sql, execution_options=written)
        for name in renamed:  # the drops first: the renames then read a smaller schema
            conn.exec_driver_sql(f"DROP TABLE main.{quote(name)}", execution_options=written)
        for name in renamed:
            conn.exec_driver_sql(
                f"ALTER TABLE main.{quote(SQLITE_SHADOW + name)} RENAME TO {quote(name)}",
                execution_options=written,
            )

    def drop(self) -> list[str]:
        """Drop the shadow's tables and the tables replaced, one transaction each (a writer
        waits for one table at most); returns those left (none on SQLite but on an error)."""
        with self.live.connect() as conn:
            found = sorted(
                name
                for name in self._existing(conn, "table")
                if name.startswith((SQLITE_SHADOW, SQLITE_REPLACED))
            )
        left = []
        for name in found:
            try:
                with self.live.begin() as conn:
                    quote = conn.dialect.identifier_preparer.quote
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS main.{quote(name)}")
            except SQLAlchemyError:
                left.append(name)
        return left

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One rebuild of this file at a time (a lock on ``<file>.rebuild-lock``)."""
        lock = self.path.with_name(self.path.name + ".rebuild-lock")
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RebuildError(f"another rebuild of {self.path} is running") from None
            yield
        finally:
            os.close(descriptor)

    def dispose(self) -> None:
        self.engine.dispose()


# -- the tracking rows in use ----------------------------------------------------------------


def give_positions(
    conn: Connection, live: Table, found: Mapping[str, int], positions: Mapping[str, int]
) -> None:
    """Set the tracking rows in use to the shadow's positions (``found``: the rows there)."""
    for name, position in sorted(positions.items()):
        if name in found:
            conn.execute(update(live).where(live.c.projection == name).values(position=position))
        else:
            conn.execute(insert(live).values(projection=name, position=position))
