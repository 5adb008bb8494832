"""Where the per-person keys of sealed personal data live: a table of their own (never part of
the event table, never dropped by a rebuild), each key wrapped under a master key kept in a file
outside the database. A backup of the database alone opens nothing; deleting a row is
crypto-shredding (see ``domain.privacy.PersonalDataVault``).

The master key file is ``LIANZHANG_DATA_KEY`` when set, else ``<the SQLite file>.data-key``
beside a SQLite store, or ``var/data-key`` for PostgreSQL; it is created (32 random bytes,
mode 0600) on first use. Keep it, and a copy of it, away from the database backups.
"""

from __future__ import annotations

import os
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
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.privacy import PersonalDataVault
from projections.database import LOCK_TIMEOUT_SECONDS, is_postgres, sqlite_path

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
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

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


def master_key_path(database_url: str) -> Path:
    configured = os.environ.get("LIANZHANG_DATA_KEY")
    if configured:
        return Path(configured)
    if is_postgres(database_url):
        return Path("var") / "data-key"
    database = sqlite_path(database_url)
    return database.with_name(database.name + ".data-key")


def load_master_key(path: Path) -> bytes:
    """The 32-byte master key at ``path``, created (mode 0600) when missing: written to a
    scratch file and linked into place, so two processes starting at once agree on one key and
    neither reads a half-written one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, os.urandom(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(scratch, path)  # atomic, and never replaces a key another process made
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    key = path.read_bytes()
    if len(key) != 32:
        raise ValueError(f"the data key file {path} is not a 32-byte key")
    return key


def open_vault(database_url: str, engine: Engine) -> PersonalDataVault:
    reader = None
    if not is_postgres(database_url):
        reader = create_engine(
            f"sqlite:///{sqlite_path(database_url)}",
            connect_args={"timeout": LOCK_TIMEOUT_SECONDS, "check_same_thread": False},
        )
    keys = SqlKeyStore(engine, reader)
    return PersonalDataVault(load_master_key(master_key_path(database_url)), keys)
