"""``lianzhang restore DIR``: a backup (``audit.backups``) into an empty store, refused unless
everything checks, then the read models rebuilt and the whole store verified.

Before anything is written:

1. the manifest is a Lianzhang backup of a version this code reads;
2. the key files in place (where the target store's keys are: ``lianzhang keys show``) are the
   backup's: the signing key's public key and the data key's fingerprint are the manifest's
   (the data key itself is never in the manifest);
3. the manifest's signature verifies with that signing key, and the data file's SHA-256 is the
   manifest's: an altered dump, or a manifest edited to match it, is refused;
4. the target holds no record: no event, chain row, person key, password or token (a store
   just made by ``lianzhang init`` with the backup's keys is empty).

Then the record is loaded (SQLite: the online backup API copies the backup file into the
target file; PostgreSQL: ``pg_restore`` decodes the archive and its rows are copied into the
target schema's tables, made by this version's code, in one transaction that first checks the
row counts and both heads against the manifest and rolls back when they differ). Last, the
store is opened as every command opens it (its recorded keys checked against the key files),
the read models are rebuilt from the log and ``verify`` runs: its report is the restore's.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from adapters.database import make_engine, owner_only, sqlite_path
from adapters.vault import keys_metadata
from audit.backups import (
    FORMAT,
    KEYS_DIR,
    MANIFEST,
    POSTGRES_FILE,
    SQLITE_FILE,
    VERSION,
    BackupError,
    counts_and_heads,
    pg_tool,
    sha256_of,
    signed_part,
)
from audit.store_keys import (
    KeyLocations,
    KeyRefusedError,
    data_fingerprint,
    load_data_key,
    load_signing_key,
)

# what makes a store not empty: any row in these (lz_store_keys alone is a store just made)
HOLDS_RECORD = (
    "lz_signed_chain",
    "lz_person_keys",
    "lz_credentials",
    "lz_api_tokens",
    "lz_attachments",
)
_COPY = re.compile(r'^COPY (?:"?[^".]+"?\.)?"?([^". ]+)"? \((.*)\) FROM stdin;$')


def refused(zh: str, en: str) -> BackupError:
    return BackupError(
        f"恢复被拒绝：{zh}（什么也没有写入）/ restore refused: {en}; nothing was written"
    )


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise refused(f"{directory} 里没有 {MANIFEST}", f"{path} is missing") from None
    except (OSError, ValueError) as error:
        raise refused(f"{path} 读不出来", f"{path} cannot be read ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refused(f"{path} 不是联账的备份清单", f"{path} is not a Lianzhang backup manifest")
    if manifest.get("version") != VERSION:
        raise refused(
            f"备份格式版本 {manifest.get('version')} 本程序不认识",
            f"backup format version {manifest.get('version')} is not {VERSION}, the one this "
            "version reads",
        )
    return manifest


def check_keys(manifest: dict[str, Any], keys: KeyLocations, directory: Path) -> None:
    """The key files at ``keys`` are the backup's, and the manifest is signed by its key."""
    kept = directory / KEYS_DIR
    hint = (
        f" (the backup has them in {kept}: copy them there, mode 0600)"
        if manifest.get("keys_included") and kept.exists()
        else " (from your key backup, mode 0600)"
    )
    want = manifest["keys"]
    try:
        signer = load_signing_key(keys.signing)
        data = load_data_key(keys.data)
    except KeyRefusedError as error:
        raise refused(
            "密钥文件不在或不可用：请先把备份时的签名密钥和数据密钥放回",
            f"{error}; put the backup's signing key (id {want['signing']['key_id']}) at "
            f"{keys.signing} and its data key (id {want['data']['key_id']}) at {keys.data}" + hint,
        ) from None
    if signer.public.hex != want["signing"]["public_key"]:
        raise refused(
            f"{keys.signing} 不是备份时的签名密钥",
            f"the signing key at {keys.signing} (id {signer.key_id}) is not the backup's "
            f"(id {want['signing']['key_id']}): put the backup's key there" + hint,
        )
    if data_fingerprint(data) != want["data"]["fingerprint"]:
        raise refused(
            f"{keys.data} 不是备份时的数据密钥",
            f"the data key at {keys.data} (id {data_fingerprint(data)[:16]}) is not the "
            f"backup's (id {want['data']['key_id']}): put the backup's key there" + hint,
        )
    if not signer.public.verifies(manifest.get("signature"), signed_part(manifest)):
        raise refused(
            "备份清单的签名不对：清单被改动过",
            f"the manifest's signature does not verify with key {signer.key_id}: it was "
            "altered after the backup",
        )


def check_files(manifest: dict[str, Any], directory: Path) -> Path:
    """The data file, once its SHA-256 is the manifest's."""
    name = SQLITE_FILE if manifest.get("store") == "sqlite" else POSTGRES_FILE
    path = directory / name
    want = manifest.get("files", {}).get(name)
    if not path.exists():
        raise refused(f"备份里没有 {name}", f"{path} is missing")
    if sha256_of(path) != want:
        raise refused(
            f"{name} 与备份清单不符：文件被改动或损坏",
            f"{path} does not have the SHA-256 the manifest names: it was altered or damaged",
        )
    return path


def _holds_record(conn: Connection, events_table: str) -> str | None:
    present = set(inspect(conn).get_table_names())
    for name in (events_table, *HOLDS_RECORD):
        if name in present and conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first():
            return name
    return None


def check_empty(engine: Engine, events_table: str, where: str) -> None:
    with engine.connect() as conn:
        found = _holds_record(conn, events_table)
    if found is not None:
        raise refused(
            f"目标账套 {where} 不是空的（{found} 里有数据）",
            f"the target store {where} is not empty ({found} has rows): restore into a new "
            "store (a new file, schema or database)",
        )


def _check_loaded(
    manifest: dict[str, Any], conn: Connection, events_table: str, postgres: bool
) -> None:
    found = counts_and_heads(conn, list(manifest["tables"]), events_table, postgres)
    for key in ("tables", "log_head", "chain_head"):
        if found[key] != manifest[key]:
            raise refused(
                f"备份的数据与清单不符（{key}）",
                f"the backup's data does not match its manifest: {key} is {found[key]}, "
                f"the manifest says {manifest[key]}",
            )


def load_sqlite(manifest: dict[str, Any], source: Path, url: str, events_table: str) -> None:
    """Check the copy against the manifest, then copy it into the target file."""
    engine = make_engine(f"sqlite:///{source}")
    try:
        with engine.connect() as conn:
            _check_loaded(manifest, conn, events_table, postgres=False)
    finally:
        engine.dispose()
    owner_only(sqlite_path(url))
    backup = sqlite3.connect(source)
    target = sqlite3.connect(sqlite_path(url), timeout=10)
    try:
        backup.backup(target)
    finally:
        backup.close()
        target.close()


def load_postgres(
    manifest: dict[str, Any], dump: Path, engine: Engine, events_table: str, schema: str
) -> None:
    """Decode the archive with ``pg_restore`` and copy its rows into the target tables, in one
    transaction that checks the row counts and heads against the manifest before it commits."""
    restore = pg_tool("pg_restore")
    decoder = subprocess.Popen(
        [restore, "--data-only", "--file=-", str(dump)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert decoder.stdout is not None and decoder.stderr is not None
    try:
        with engine.begin() as conn:
            driver: Any = conn.connection.driver_connection
            with driver.cursor() as cursor:
                lines = iter(decoder.stdout)
                for line in lines:
                    match = _COPY.match(line.decode("utf-8").rstrip("\n"))
                    if match is None:
                        continue  # SET, comments, sequence values (the events' is set below)
                    table, columns = match.groups()
                    if table not in manifest["tables"]:
                        raise refused(f"备份里有清单之外的表 {table}", f"the dump holds {table}")
                    cursor.execute(f'DELETE FROM "{table}"')  # keys a fresh store recorded
                    with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                        for row in lines:  # COPY text: one row a line, to the line \.
                            if row == b"\\.\n":
                                break
                            copy.write(row)
                if decoder.wait() != 0:
                    error = decoder.stderr.read().decode("utf-8", "replace").strip()
                    raise refused("pg_restore 读不出备份", f"pg_restore failed: {error}")
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                    f'coalesce((SELECT max(notification_id) FROM "{events_table}"), 1), '
                    f'(SELECT count(*) > 0 FROM "{events_table}"))',
                    (f'"{schema}"."{events_table}"',),
                )
            _check_loaded(manifest, conn, events_table, postgres=True)
    finally:
        if decoder.poll() is None:
            decoder.kill()
        decoder.wait()
        decoder.stdout.close()
        decoder.stderr.close()


def record_tables_created(engine: Engine) -> None:
    """The record tables a server makes at its first start (the runtime made the others)."""
    from adapters.attachments import attachment_metadata
    from web.tokens import auth_metadata
    from web.user_tables import users_metadata

    for metadata in (auth_metadata, users_metadata, attachment_metadata, keys_metadata):
        metadata.create_all(engine)
