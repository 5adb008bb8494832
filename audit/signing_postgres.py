"""The signing event recorder on PostgreSQL (``audit.signing`` says what it writes and why):
apart so that a process on SQLite never imports psycopg."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from audit import save_requests
from audit.chain import GENESIS
from audit.chain_table import CHAIN_TABLE, COLUMNS, POSTGRES_DDL
from audit.keys import ChainError, Signer
from audit.signing import (
    _FLUSH,
    PreparedSave,
    _Chaining,
    _record_present_key,
    _signer_from,
    prepare_save,
)


def _text(statement: Any) -> str:
    """A composed statement as the text it renders to (its identifiers quoted)."""
    return statement if isinstance(statement, str) else str(statement.as_string(None))


class SigningPostgresRecorder(_Chaining, PostgresApplicationRecorder):
    """PostgreSQL: the recorder takes an EXCLUSIVE lock on the event table before it inserts
    (so notification ids commit in order), and holds it to COMMIT; the chain rows are written
    under that lock, in the same transaction.

    What the lock covers is kept short. Before it: the events' parameters, their canonical
    bytes and the save's kind (``prepare_save``). Under it, two round trips and one signature:
    the first (one pipeline sync) takes the lock, sends ``NOTIFY``, inserts the events
    returning their notification ids and reads the chain head; then, in Python, a SHA-256 per
    event and the save's Ed25519 signature (about 75 µs); the second inserts every chain row in
    one statement and commits. The commit does not wait for the disk (``synchronous_commit``
    off for this transaction), so the lock is released without a WAL flush in it; in the same
    round trip, after the lock is released, a transaction of its own is committed as the
    session commits (flushed, by default) and it writes WAL after the save's commit record: when
    ``insert_events`` returns, the save is on disk as before. Another session may see the save
    a few milliseconds before it is on disk; whatever it writes from it commits after it, so a
    crash can lose that as well, never only the save."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = Identifier(self.datastore.schema), Identifier(CHAIN_TABLE)
        self.sql_create_statements.append(SQL(POSTGRES_DDL).format(schema=schema, table=table))
        self.sql_create_statements.extend(
            SQL(statement).format(
                schema=schema,
                table=Identifier(save_requests.TABLE),
                index=Identifier(f"{save_requests.TABLE}_request_id"),
            )
            for statement in save_requests.POSTGRES_DDL
        )
        # A save's and a prefetch's statements are rendered to text once, here: composed, they
        # were rendered again at every execute (some 15 µs each, a dozen per post).
        self._insert_request = _text(
            SQL(
                "INSERT INTO {schema}.{table} (" + save_requests.COLUMNS + ") VALUES (%s,%s,%s)"
            ).format(schema=schema, table=Identifier(save_requests.TABLE))
        )
        self._select_head = _text(
            SQL("SELECT hash FROM {schema}.{table} ORDER BY position DESC LIMIT 1").format(
                schema=schema, table=table
            )
        )
        # every row of a save in one statement, one array per column
        self._insert_rows = _text(
            SQL(
                "INSERT INTO {schema}.{table} (" + COLUMNS + ") SELECT * FROM unnest("
                "%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], "
                "%s::text[], %s::text[])"
            ).format(schema=schema, table=table)
        )
        self._notify = _text(SQL("NOTIFY {0}").format(Identifier(self.channel_name)))
        self._insert_events_text = _text(self.insert_events_statement)
        # the library's lock timeout and LOCK TABLE, after the commit mode
        self._locking_only = [_text(statement) for statement in self.lock_table_statements]
        self._locking = ["SET LOCAL synchronous_commit = off", *self._locking_only]
        self._selects = {  # (gt given, limit given): the library's select_events statement
            (gt, limit): _text(
                self.select_events_statement
                + SQL(" AND originator_version > %s" if gt else "")
                + SQL(" ORDER BY originator_version ASC")
                + SQL(" LIMIT %s" if limit else "")
            )
            for gt in (False, True)
            for limit in (False, True)
        }
        self._flush_apart: bool | None = None  # whether _FLUSH runs here: tried once
        self._prefetched = threading.local()  # per thread: {select_events arguments: rows}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def prefetch(self, wanted: Sequence[tuple[UUID, int | None, int | None]]) -> None:
        """Read the events of several aggregates in one round trip (one pipeline sync), each
        ``(originator_id, gt, limit)`` as :meth:`select_events` would; the next
        :meth:`select_events` of this thread with those arguments returns them instead of
        asking the store again. A command loading the books and then its township's settings
        pays one round trip for both. What was fetched is dropped by :meth:`forget_prefetched`
        (the application's command attempt ends) and by any save of this thread."""
        found: dict[tuple[Any, ...], list[StoredEvent]] = {}
        with self.datastore.get_connection() as conn, conn.pipeline() as pipeline:
            cursors = []
            for originator_id, gt, limit in wanted:
                statement, params = self._select(originator_id, gt, limit)
                cursor = conn.cursor()
                cursor.execute(statement, params, prepare=True)
                cursors.append(((originator_id, gt, None, False, limit), cursor))
            pipeline.sync()
            for key, cursor in cursors:
                found[key] = [
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    )
                    for row in cursor.fetchall()
                ]
        self._prefetched.found = found

    def forget_prefetched(self) -> None:
        self._prefetched.found = None

    def _select(self, originator_id: UUID, gt: int | None, limit: int | None) -> Any:
        """The library's ``select_events`` statement and parameters for these arguments."""
        params = [
            originator_id,
            *(() if gt is None else (gt,)),
            *(() if limit is None else (limit,)),
        ]
        return self._selects[gt is not None, limit is not None], params

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        found: dict[tuple[Any, ...], list[StoredEvent]] | None = getattr(
            self._prefetched, "found", None
        )
        if found:
            rows = found.pop((originator_id, gt, lte, desc, limit), None)
            if rows is not None:
                return rows
        selected: Sequence[StoredEvent] = super().select_events(
            originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        return selected

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:
            raise ChainError("POSTGRES_ENABLE_DB_FUNCTIONS would write events without a chain")
        signer = self._signer()
        self._prefetched.found = None  # read before this save: not to be used after it
        if not stored_events:
            return None
        prepared = prepare_save(stored_events, signer)
        events = [
            self.construct_pg_stored_event(s.originator_id, s.originator_version, s.topic, s.state)
            for s in stored_events
        ]
        with self.datastore.get_connection() as conn:
            apart = self._can_flush_apart(conn)
            failed: Exception | None = None
            with conn.pipeline() as pipeline:
                with conn.transaction():
                    curs, head = conn.cursor(), conn.cursor()
                    try:  # the first round trip, which takes the lock
                        for statement in self._locking if apart else self._locking_only:
                            curs.execute(statement, prepare=True)
                        curs.execute(self._notify)
                        curs.execute(self._insert_events_text, (events,))
                        head.execute(self._select_head)
                        pipeline.sync()
                    except Exception as error:  # raised after the pipeline, as the library does
                        failed = error
                    else:
                        ids = self._chain(
                            curs, head, prepared, len(events), signer, kwargs.get("request_id")
                        )
                if failed is None and apart:  # committed, the lock released: now durable
                    with conn.transaction(), conn.cursor() as durable:
                        durable.execute(_FLUSH, prepare=True)
            if failed is not None:  # inside the connection: the library's error
                raise failed
        return ids

    def _can_flush_apart(self, conn: Any) -> bool:
        """Whether the flush can follow the commit (``_FLUSH`` runs here; a server that
        refuses it gets saves that commit with their flush, under the lock, as the library's)."""
        if self._flush_apart is None:
            try:
                with conn.transaction():
                    conn.execute(_FLUSH)
                self._flush_apart = True
            except psycopg.Error:
                self._flush_apart = False
        return self._flush_apart

    def _chain(
        self,
        curs: Any,
        head: Any,
        prepared: PreparedSave,
        count: int,
        signer: Signer,
        request_id: str | None,
    ) -> list[int]:
        """Under the lock, after the first round trip: the chain rows, sent with the commit."""
        ids = [int(row["notification_id"]) for row in curs.fetchall()]
        if len(ids) != count:
            raise ProgrammingError(f"{len(ids)} notification ids for {count} events")
        found = head.fetchone()
        rows = prepared.rows(found["hash"] if found else GENESIS, ids, signer)
        curs.execute(self._insert_rows, [list(column) for column in zip(*rows, strict=True)])
        if request_id is not None:  # audit.save_requests
            curs.execute(self._insert_request, save_requests.row(ids, request_id))
        if prepared.key_row is not None:
            for statement, params in _record_present_key(prepared.key_row):
                curs.execute(self._in_schema(statement), params)
        return ids

    def _in_schema(self, statement: str) -> Any:
        return SQL(statement.replace("lz_store_keys", "{schema}.lz_store_keys")).format(
            schema=Identifier(self.datastore.schema)
        )


class SigningPostgresFactory(PostgresFactory):
    """``PERSISTENCE_MODULE`` for PostgreSQL: the application recorder signs its chain."""

    application_recorder_class = SigningPostgresRecorder

    def application_recorder(self) -> Any:
        recorder = super().application_recorder()
        recorder.signer = _signer_from(self.env)  # type: ignore[attr-defined]
        return recorder
