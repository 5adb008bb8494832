"""Where the per-person keys of sealed personal data live: a table of their own (never part of
the event table, never dropped by a rebuild), each key wrapped under a master key kept in a file
outside the database. A backup of the database alone opens nothing; deleting a row is
crypto-shredding (see ``domain.privacy.PersonalDataVault``).

The master key file (the data key: 32 random bytes, mode 0600) is where
``audit.store_keys.KeyLocations`` says: ``LIANZHANG_DATA_KEY`` when set, else
``<the SQLite file>.data-key`` beside a SQLite store, or ``data-key`` in the PostgreSQL store's
key directory. The store records its fingerprint and refuses another; it is made only for a
store with no sealed data. Keep it, and a copy of it, away from the database backups.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    select,
)

from adapters.database import LOCK_TIMEOUT_SECONDS, is_postgres, sqlite_path
from audit.store_keys import load_data_key
from domain.privacy import PersonalDataVault

keys_metadata = MetaData()

person_keys = Table(
    "lz_person_keys",
    keys_metadata,
    Column("subject", String(200), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("lookup", String(64), nullable=False, index=True),
)


class SqlKeyStore:
    """The key store of ``PersonalDataVault`` in ``lz_person_keys``."""

    def __init__(self, engine: Engine, reader: Engine | None = None) -> None:
        self.engine = engine
        # Keys are read while a projection holds SQLite's write lock (BEGIN IMMEDIATE on the
        # main engine): reads go through an engine that does not ask for that lock.
        self.reader = reader or engine
        keys_metadata.create_all(engine)
        # the dialect's own INSERT … ON CONFLICT (only the store's dialect is imported)
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self._insert = insert

    def close(self) -> None:
        if self.reader is not self.engine:
            self.reader.dispose()

    def get(self, subject: str) -> tuple[bytes, str] | None:
        with self.reader.connect() as conn:
            row = conn.execute(
                select(person_keys.c.wrapped_key, person_keys.c.lookup).where(
                    person_keys.c.subject == subject
                )
            ).first()
        return None if row is None else (bytes(row[0]), str(row[1]))

    def put(self, subject: str, wrapped_key: bytes, index: str) -> None:
        statement = self._insert(person_keys).values(
            subject=subject, wrapped_key=wrapped_key, lookup=index
        )
        statement = statement.on_conflict_do_update(
            index_elements=[person_keys.c.subject], set_={"lookup": index}
        )
        with self.engine.begin() as conn:
            conn.execute(statement)

    def subjects_with_index(self, index: str) -> set[str]:
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(person_keys.c.subject).where(person_keys.c.lookup == index)
            ).scalars()
            return set(rows)

    def delete(self, subject: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(person_keys).where(person_keys.c.subject == subject))


def open_vault(database_url: str, engine: Engine, data_key: Path) -> PersonalDataVault:
    """The vault of the store, with the data key at ``data_key`` (checked and, for a new store,
    made by ``audit.store_keys.StoreKeys.prepare``; never made here)."""
    reader = None
    if not is_postgres(database_url):
        reader = create_engine(
            f"sqlite:///{sqlite_path(database_url)}",
            connect_args={"timeout": LOCK_TIMEOUT_SECONDS, "check_same_thread": False},
        )
    keys = SqlKeyStore(engine, reader)
    return PersonalDataVault(load_data_key(data_key), keys)
