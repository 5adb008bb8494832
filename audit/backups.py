"""``lianzhang backup -o DIR``: the store's record, consistent under writers, with a signed
manifest.

**What is the record.** Only what cannot be derived again: the event log (the events and the
library's snapshots), the signed chain, the keys the store recorded (``lz_store_keys``), the
wrapped person keys (``lz_person_keys``), people's password hashes (``lz_credentials``), API
tokens, the idempotency answers of the last 24 hours, the uploaded originals
(``lz_attachments``) and which request wrote which events (``lz_save_requests``):
:data:`RECORD`. Every other ``lz_*`` table is a read model (and ``lz_tracking`` their
positions), dropped and replayed by ``lianzhang rebuild``, and the chain gate's checkpoints
(``audit.gate_checkpoints``: what this store's processes checked, never carried to another
store, emptied in a SQLite copy): :func:`derived_tables`. Sessions,
failed-login counters, upload previews and the workers' heartbeats are :data:`EPHEMERAL` (a
restored store starts with everyone logged out). ``tests`` check that every table a store has
is named in exactly one of the three.

**How.** PostgreSQL: one ``REPEATABLE READ READ ONLY`` transaction (``audit.snapshot``) counts
the rows and reads the heads, exports its snapshot, and ``pg_dump --snapshot`` dumps the record
tables' data from that same snapshot (custom format, ``record.dump``): the dump and the manifest
describe one moment, whatever is written meanwhile. Data only, not the schema: the schema is the
code's (``lianzhang init`` makes it, the version restored into may have added columns), and a
dump of the schema could be restored only under the schema name it was taken from. SQLite: the
online backup API copies the whole file in one step (one read transaction: consistent under
writers; the read models come along and are rebuilt on restore), then the copy's ephemeral rows
are deleted (``lianzhang.sqlite3``).

**The manifest** (``manifest.json``): format and version, when, the store, the log head, the
signed chain's head (position, hash), the row count of every record table, the SHA-256 of the
data file, the keys (the public signing key and the data key's fingerprint, HMAC-SHA256 under
the key, and every key the store recorded; never the data key itself), whether the key files
were copied (``--with-keys``, for an operator who keeps the backup as safe as the keys), and
an Ed25519 signature by the store's signing key over all of it: a restore checks it with the key
in place, so an altered dump or manifest is refused before anything is written.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.engine import make_url

from adapters.database import sqlite_path
from audit.chain import GENESIS
from audit.chain_table import signed_chain
from audit.gate_checkpoints import CHECKPOINTS_TABLE
from audit.running_store import RunningStore
from audit.snapshot import Snapshot, snapshot
from audit.store_keys import data_fingerprint, load_data_key, recorded
from ledger.canonical import canonical_bytes
from projections.tables import metadata as read_model_metadata

FORMAT = "lianzhang-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "lianzhang.sqlite3"
POSTGRES_FILE = "record.dump"
KEYS_DIR = "keys"

# the record besides the event log's two tables (whose names depend on the store)
RECORD = (
    "lz_signed_chain",
    "lz_store_keys",
    "lz_person_keys",
    "lz_credentials",
    "lz_api_tokens",
    "lz_idempotency_responses",
    "lz_attachments",
    "lz_save_requests",
)
EPHEMERAL = (
    "lz_sessions",
    "lz_login_failures",
    "lz_upload_previews",
    "lz_worker_heartbeats",
)


class BackupError(ValueError):
    """A backup or a restore cannot be done; the message says why, in Chinese and English."""


def log_tables(runtime: RunningStore) -> tuple[str, str]:
    """The event log's tables: events and the library's snapshots."""
    app: Any = runtime.app
    return app.recorder.events_table_name, app.snapshots.recorder.events_table_name


def derived_tables() -> tuple[str, ...]:
    """Every read model's table and ``lz_tracking`` (rebuilt from the log), and the chain
    gate's checkpoints (written again by the next full check)."""
    return tuple(sorted([*read_model_metadata.tables, CHECKPOINTS_TABLE]))


def record_tables(runtime: RunningStore, conn: Connection) -> list[str]:
    """The record tables this store has (the server makes some at its first start)."""
    present = set(inspect(conn).get_table_names())
    return [name for name in (*log_tables(runtime), *RECORD) if name in present]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def signed_part(manifest: dict[str, Any]) -> bytes:
    """The bytes the manifest's signature covers: everything but the signature."""
    return canonical_bytes({k: v for k, v in manifest.items() if k != "signature"})


def counts_and_heads(
    conn: Connection, tables: Sequence[str], events_table: str, postgres: bool
) -> dict[str, Any]:
    """Row counts of ``tables``, the log head and the signed chain's head, read on ``conn``."""
    position = "notification_id" if postgres else "rowid"
    counts = {
        name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        for name in tables
    }
    log_head = conn.execute(text(f'SELECT max({position}) FROM "{events_table}"')).scalar_one()
    last = conn.execute(
        select(signed_chain.c.position, signed_chain.c.hash)
        .order_by(signed_chain.c.position.desc())
        .limit(1)
    ).first()
    return {
        "tables": counts,
        "log_head": int(log_head or 0),
        "chain_head": {
            "position": int(last.position) if last else 0,
            "hash": last.hash if last else GENESIS,
        },
    }


def _keys(runtime: Any, conn: Connection) -> dict[str, Any]:
    fingerprint = data_fingerprint(load_data_key(runtime.keys.data))
    return {
        "signing": {"key_id": runtime.signer.key_id, "public_key": runtime.signer.public.hex},
        "data": {"key_id": fingerprint[:16], "fingerprint": fingerprint},
        "recorded": [
            {k: str(row[k]) for k in ("kind", "key_id", "material", "status", "recorded_at")}
            for row in [*recorded(conn, "signing", None), *recorded(conn, "data", None)]
        ],
    }


def _where(url: str, schema: str | None) -> dict[str, Any]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"store": "sqlite", "database": str(sqlite_path(url))}
    shown = parsed.set(password=None).render_as_string(hide_password=True)
    return {"store": "postgresql", "database": shown, "schema": schema or "public"}


def _prepare(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(
            f"备份目录 {directory} 不是空的，请换一个新目录 / the backup directory {directory} "
            "is not empty: give a new one (a backup never overwrites another)"
        )
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)


def backup(runtime: Any, directory: Path, *, with_keys: bool = False) -> dict[str, Any]:
    """Write the record of ``runtime``'s store and its signed manifest into ``directory`` (new
    or empty); returns the manifest."""
    _prepare(directory)
    try:
        if runtime.engine.dialect.name == "postgresql":
            manifest = _backup_postgres(runtime, directory)
        else:
            manifest = _backup_sqlite(runtime, directory)
        manifest["keys_included"] = with_keys
        if with_keys:
            keys = directory / KEYS_DIR
            keys.mkdir(mode=0o700)
            for source in (runtime.keys.signing, runtime.keys.data):
                shutil.copyfile(source, keys / source.name)
                os.chmod(keys / source.name, 0o600)
        manifest["signature"] = runtime.signer.sign(signed_part(manifest))
        path = directory / MANIFEST
        path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)  # never half a backup
        raise
    return manifest


def _header(runtime: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **_where(runtime.database_url, runtime.schema),
        "events_table": log_tables(runtime)[0],
        "derived": list(derived_tables()),
        "ephemeral": list(EPHEMERAL),
    }


def _backup_sqlite(runtime: Any, directory: Path) -> dict[str, Any]:
    copy = directory / SQLITE_FILE
    descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    source = sqlite3.connect(sqlite_path(runtime.database_url))
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # one step: the whole file as of one read transaction
    finally:
        source.close()
    try:
        present = {r[0] for r in target.execute("SELECT name FROM sqlite_master")}
        for name in (*EPHEMERAL, CHECKPOINTS_TABLE):  # a checkpoint vouches for this store only
            if name in present:
                target.execute(f'DELETE FROM "{name}"')
        target.commit()
        target.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
    finally:
        target.close()
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as conn:
            tables = record_tables(runtime, conn)
            found = counts_and_heads(conn, tables, log_tables(runtime)[0], postgres=False)
            keys = _keys(runtime, conn)
    finally:
        engine.dispose()
    return {**_header(runtime), **found, "keys": keys, "files": {SQLITE_FILE: sha256_of(copy)}}


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``, or a refusal that says how to get it."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}，请安装 PostgreSQL 客户端（与服务器同一大版本）/ {name} is not "
            f"installed: install the PostgreSQL client of the server's major version "
            "(Debian: apt-get install postgresql-client); nothing was written"
        )
    return found


def libpq_url(url: str) -> str:
    """The database URL as libpq reads it (no SQLAlchemy driver name)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _backup_postgres(runtime: Any, directory: Path) -> dict[str, Any]:
    dump = pg_tool("pg_dump")
    schema = runtime.schema or "public"
    with _snapshot(runtime) as snap:
        tables = record_tables(runtime, snap.conn)
        found = counts_and_heads(snap.conn, tables, log_tables(runtime)[0], postgres=True)
        keys = _keys(runtime, snap.conn)
        name = snap.export()
        out = directory / POSTGRES_FILE
        command = [
            dump,
            f"--dbname={libpq_url(runtime.database_url)}",
            f"--snapshot={name}",
            "--format=custom",
            "--data-only",
            "--no-owner",
            "--no-privileges",
            f"--file={out}",
            *(f'--table="{schema}"."{table}"' for table in tables),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupError(
                f"pg_dump 失败 / pg_dump failed: {done.stderr.strip() or done.returncode}"
            )
    return {**_header(runtime), **found, "keys": keys, "files": {POSTGRES_FILE: sha256_of(out)}}


@contextmanager
def _snapshot(runtime: Any) -> Iterator[Snapshot]:
    with snapshot(runtime.engine, log_tables(runtime)[0]) as snap:
        yield snap
