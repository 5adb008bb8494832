"""The signing event recorder on PostgreSQL (``audit.signing`` says what it writes and why):
apart so that a process on SQLite never imports psycopg."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.sql import SQL, Identifier

from audit import save_requests
from audit.chain import GENESIS
from audit.chain_table import CHAIN_TABLE, COLUMNS, POSTGRES_DDL, chain_rows
from audit.keys import ChainError
from audit.signing import _Chaining, _record_present_key, _signer_from, save_kind


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
        self.sql_create_statements.extend(
            SQL(statement).format(
                schema=Identifier(self.datastore.schema),
                table=Identifier(save_requests.TABLE),
                index=Identifier(f"{save_requests.TABLE}_request_id"),
            )
            for statement in save_requests.POSTGRES_DDL
        )
        self._insert_request = SQL(
            "INSERT INTO {schema}.{table} (" + save_requests.COLUMNS + ") VALUES (%s,%s,%s)"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(save_requests.TABLE))
        self._select_head = SQL(
            "SELECT hash FROM {schema}.{table} ORDER BY position DESC LIMIT 1"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(CHAIN_TABLE))
        self._insert_rows = SQL(
            "INSERT INTO {schema}.{table} (" + COLUMNS + ") VALUES (%s,%s,%s,%s,%s,%s,%s,%s)"
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
        request = save_requests.row(ids, kwargs.get("request_id"))  # audit.save_requests
        if request is not None:
            curs.execute(self._insert_request, request)
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


class SigningPostgresFactory(PostgresFactory):
    """``PERSISTENCE_MODULE`` for PostgreSQL: the application recorder signs its chain."""

    application_recorder_class = SigningPostgresRecorder

    def application_recorder(self) -> Any:
        recorder = super().application_recorder()
        recorder.signer = _signer_from(self.env)  # type: ignore[attr-defined]
        return recorder
