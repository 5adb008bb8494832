"""One database for events and read models: a SQLite file by default, PostgreSQL when a
``postgresql://`` URL is given. This module turns the URL into the eventsourcing ``env``
mapping and a SQLAlchemy engine on the same database (and schema)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from adapters import sqlite_gate

if TYPE_CHECKING:  # psycopg is imported where PostgreSQL is used: not on SQLite
    import psycopg

# Seconds a writer waits for the event table's lock before it fails instead of hanging.
LOCK_TIMEOUT_SECONDS = 10

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class DatabaseConfigError(ValueError):
    """The database URL or schema cannot be used; the message says which and why."""


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseConfigError(
            f"database URL {url!r} names no file; use sqlite:///path/to/file.sqlite3 "
            "(events and read models must share one file)"
        )
    return Path(database).resolve()


# Aggregates stay cached in memory and are fast-forwarded with any newer events from the store
# before use (so other processes' writes are seen); callers get a deep copy. The repository makes
# that safe for threads (domain/repository.py). Measured with scripts/load.py: the
# cache gives 7.1 vs 6.2 entries/s on SQLite with one client, 12.4 vs 9.7 with twenty, and
# 3.2 vs 2.6 and 6.0 vs 5.0 on PostgreSQL.
CACHE_ENV = {"AGGREGATE_CACHE_MAXSIZE": "1000", "AGGREGATE_CACHE_FASTFORWARD": "y"}


def event_store_env(url: str, schema: str | None = None) -> dict[str, str]:
    """The eventsourcing environment for the database at ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        return {
            **CACHE_ENV,
            # eventsourcing's SQLite recorder that signs its chain and whose writes take the
            # file's gate (audit.signing, adapters.sqlite_gate)
            "PERSISTENCE_MODULE": "audit.signing:SigningSQLiteFactory",
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
        }
    if parsed.get_backend_name() == "postgresql":
        env = {
            **CACHE_ENV,
            "PERSISTENCE_MODULE": "audit.signing_postgres:SigningPostgresFactory",
            "POSTGRES_DBNAME": parsed.database or "postgres",
            "POSTGRES_HOST": parsed.host or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": parsed.username or "postgres",
            "POSTGRES_PASSWORD": parsed.password or "",
            "POSTGRES_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
            "POSTGRES_CONNECT_TIMEOUT": "5",
        }
        if schema:
            env["POSTGRES_SCHEMA"] = _check_schema(schema)
        return env
    raise DatabaseConfigError(
        f"database URL {url!r} is neither sqlite:/// nor postgresql://; Lianzhang stores its "
        "events in SQLite or PostgreSQL"
    )


def _check_schema(schema: str) -> str:
    if not _SCHEMA.match(schema):
        raise DatabaseConfigError(
            f"schema {schema!r} is not allowed; use lower-case letters, digits and '_'"
        )
    return schema


def owner_only(path: Path) -> None:
    """Create the SQLite file readable and writable by its owner only (0600) before SQLite
    opens it, or tighten an older one (and its -wal and -shm) that others could read: it holds
    password hashes, wrapped person keys and every ledger. SQLite creates the -wal and -shm
    with the mode of the database file, so they are 0600 too. A new folder is 0700."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # not ours to create (a read-only place): SQLite reports it
    os.close(descriptor)
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o077 and file.stat().st_uid == os.getuid():
                file.chmod(0o600)
        except OSError:  # absent (no -wal yet) or not ours
            continue


def make_engine(url: str, schema: str | None = None) -> Engine:
    """A SQLAlchemy engine on the same database (and PostgreSQL schema) as the event store."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        owner_only(path)
        engine = create_engine(
            f"sqlite:///{path}",
            connect_args=sqlite_gate.connect_args(LOCK_TIMEOUT_SECONDS),
            pool_size=sqlite_gate.POOL_SIZE,
            max_overflow=sqlite_gate.POOL_OVERFLOW,
            pool_timeout=sqlite_gate.POOL_TIMEOUT_SECONDS,
        )
        # Writers queue on one lock per file; reads take none (adapters/sqlite_gate.py).
        sqlite_gate.install(engine, path, LOCK_TIMEOUT_SECONDS)
        return engine
    driver_url = parsed.set(drivername="postgresql+psycopg")
    connect_args: dict[str, Any] = {"connect_timeout": 5}
    if schema:
        connect_args["options"] = f"-csearch_path={_check_schema(schema)}"
    engine = create_engine(driver_url, connect_args=connect_args, pool_pre_ping=True)
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def connect_postgres(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A plain psycopg connection (autocommit) to the PostgreSQL database of a SQLAlchemy
    ``url``: for what SQLAlchemy does not do (LISTEN, a replica's administration)."""
    import psycopg

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname=parsed.database or "postgres",
        connect_timeout=5,
        autocommit=True,
        **kwargs,
    )
