"""The keys as part of a store's identity: where they are, and which ones the store was made with.

**Where.** Both key files have absolute paths that never depend on the working directory
(``KeyLocations``): beside the SQLite file (``signing-key.pem`` and ``<file>.data-key``); for
PostgreSQL in ``LIANZHANG_KEY_DIR`` when set, else in
``~/.local/share/lianzhang/keys/<host>-<port>-<database>-<schema>/`` of the user running the
command (``signing-key.pem`` and ``data-key``). ``LIANZHANG_SIGNING_KEY`` and
``LIANZHANG_DATA_KEY`` name one file each (made absolute against the working directory once,
when read).

**Which.** The table ``lz_store_keys`` (its own metadata: no read model creates, drops or
rebuilds it) records the public signing key and a fingerprint of the data key (HMAC-SHA256
under the data key of a fixed label; never the key itself), each with ``status`` ``present``
or ``retired`` (a key rotated away, or the keys of a restored export). Every start checks the
files against it (``StoreKeys``): a missing key, or another one, is refused in one line that
says where to put the backup. A key file is created only for a store that cannot have used
one: a signing key when the store has no signed chain and none recorded (a new store; a store
written before the chain, sealed at its first start), a data key when no person key is
wrapped and none is recorded. A store written by the version before this table (a chain, no
record) adopts the key files present only when its whole signed chain verifies with the
signing key and the data key opens its wrapped person keys.

``trusted_keys(conn)`` gives every signing key the store recorded, by key id; ``key_ring``
a ``KeyRing`` anchored at the present key for ``verify_log`` and the chain gate.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Connection, Engine, MetaData, Table, Text, inspect, select, text
from sqlalchemy.engine import make_url

from adapters.database import is_postgres, sqlite_path
from audit.chain_table import chain_rows_of
from audit.chain_verify import verify_log
from audit.key_ring import KeyRing
from audit.keys import ChainError, PublicKey, Signer

SIGNING_FILE = "signing-key.pem"
DATA_FILE = "data-key"
FINGERPRINT_LABEL = b"lianzhang data-key fingerprint v1"
KEYS_TABLE = "lz_store_keys"

keys_table_metadata = MetaData()
store_keys = Table(
    KEYS_TABLE,
    keys_table_metadata,
    Column("key_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),  # "signing" | "data"
    Column("material", Text, nullable=False),  # public key hex | data-key fingerprint hex
    Column("status", Text, nullable=False),  # "present" | "retired"
    Column("recorded_at", Text, nullable=False),
)


class KeyRefusedError(ChainError):
    """A key file is missing, another store's, readable by others or malformed: nothing runs."""

    kind = "key-refused"


# -- where ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyLocations:
    signing: Path
    data: Path

    @classmethod
    def resolve(
        cls,
        database_url: str,
        schema: str | None = None,
        *,
        key_dir: str | None = None,
        signing: str | None = None,
        data: str | None = None,
    ) -> KeyLocations:
        if key_dir:
            directory = Path(key_dir).expanduser().resolve()
            base = cls(directory / SIGNING_FILE, directory / DATA_FILE)
        elif not is_postgres(database_url):
            database = sqlite_path(database_url).resolve()
            base = cls(
                database.parent / SIGNING_FILE, database.with_name(database.name + ".data-key")
            )
        else:
            directory = default_postgres_key_dir(database_url, schema)
            base = cls(directory / SIGNING_FILE, directory / DATA_FILE)
        if signing:
            base = replace(base, signing=Path(signing).expanduser().resolve())
        if data:
            base = replace(base, data=Path(data).expanduser().resolve())
        return base

    @classmethod
    def from_env(
        cls, database_url: str, schema: str | None = None, environ: Mapping[str, str] = os.environ
    ) -> KeyLocations:
        return cls.resolve(
            database_url,
            schema,
            key_dir=(environ.get("LIANZHANG_KEY_DIR") or "").strip() or None,
            signing=(environ.get("LIANZHANG_SIGNING_KEY") or "").strip() or None,
            data=(environ.get("LIANZHANG_DATA_KEY") or "").strip() or None,
        )


def default_postgres_key_dir(database_url: str, schema: str | None) -> Path:
    """``~/.local/share/lianzhang/keys/<host>-<port>-<database>-<schema>``: one per store."""
    url = make_url(database_url)
    parts = [url.host or "127.0.0.1", str(url.port or 5432), url.database or "postgres"]
    name = "-".join([*parts, schema or "public"])
    return Path.home() / ".local" / "share" / "lianzhang" / "keys" / re.sub(r"[^\w.-]", "_", name)


# -- the files -----------------------------------------------------------------------------------


def _write_new(path: Path, data: bytes) -> None:
    """``data`` at ``path`` (mode 0600), atomically, never replacing a file already there;
    a directory made for it is the owner's only (0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()


def new_signing_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _read_private(path: Path, what: str) -> bytes:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyRefusedError(f"the {what} {path} is missing") from None
    except OSError as error:
        raise KeyRefusedError(f"cannot read the {what} {path}: {error.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyRefusedError(
            f"the {what} {path} can be read by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    return data


def signer_from_pem(data: bytes, path: Path) -> Signer:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyRefusedError(f"{path} is not a PEM Ed25519 private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyRefusedError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return Signer(key)


def load_signing_key(path: Path) -> Signer:
    """The signing key at ``path``; never creates one."""
    return signer_from_pem(_read_private(path, "signing key"), path)


def load_or_create_key(path: Path) -> Signer:
    """The signing key at ``path``, made first (mode 0600) when there is none: for tests and
    scratch stores. A store's own key is made only by ``StoreKeys.prepare``, which refuses to
    make one for a store that has used a key."""
    if not path.exists():
        _write_new(path, new_signing_pem())
    return load_signing_key(path)


def load_data_key(path: Path) -> bytes:
    """The 32-byte data key at ``path``; never creates one."""
    key = _read_private(path, "data key")
    if len(key) != 32:
        raise KeyRefusedError(
            f"the data key {path} is not a data key ({len(key)} bytes, not 32): put the "
            "store's data key back there from your backup"
        )
    return key


def data_fingerprint(key: bytes) -> str:
    """What the store records of its data key: an HMAC under it, never the key."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def data_key_id(key: bytes) -> str:
    return data_fingerprint(key)[:16]


def backup_name(path: Path, key_id: str) -> Path:
    """Where a key rotated away is kept: ``<file>.<key id>.bak`` beside it."""
    return path.with_name(f"{path.name}.{key_id}.bak")


# -- the record ----------------------------------------------------------------------------------


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def recorded(conn: Connection, kind: str, status: str | None = "present") -> list[Any]:
    query = select(store_keys).where(store_keys.c.kind == kind)
    if status is not None:
        query = query.where(store_keys.c.status == status)
    return list(conn.execute(query.order_by(store_keys.c.recorded_at)).mappings())


def record_key(conn: Connection, kind: str, key_id: str, material: str, status: str) -> None:
    """Record a key (once; a present key makes every other key of its kind retired)."""
    if status == "present":
        conn.execute(
            store_keys.update()
            .where(store_keys.c.kind == kind, store_keys.c.key_id != key_id)
            .values(status="retired")
        )
    found = conn.execute(
        select(store_keys.c.status).where(store_keys.c.key_id == key_id)
    ).scalar_one_or_none()
    if found is None:
        conn.execute(
            store_keys.insert().values(
                key_id=key_id, kind=kind, material=material, status=status, recorded_at=_now()
            )
        )
    elif found != status and status == "present":
        conn.execute(store_keys.update().where(store_keys.c.key_id == key_id).values(status=status))


def trusted_keys(conn: Connection) -> dict[str, PublicKey]:
    """Every signing key this store recorded (present and retired), by key id. The record is
    in the database: these are the keys a chain *may* name; ``key_ring`` says which are
    trusted (the ones the present key leads to)."""
    keys = {}
    for row in recorded(conn, "signing", None):
        try:
            keys[str(row["key_id"])] = PublicKey.from_hex(str(row["material"]))
        except ChainError:
            continue
    return keys


def key_ring(conn: Connection, present: PublicKey) -> KeyRing:
    """A ``KeyRing`` for ``verify_log``: the recorded keys, anchored at the server's present key,
    which the chain must lead to."""
    return KeyRing.of(present, trusted_keys(conn).values())


def key_spans(
    conn: Connection, engine_recorder: Any, present: PublicKey
) -> list[tuple[str, int, int]]:
    """(key id, first, last position) of each signing key of the chain, in order: the whole
    chain checked with ``verify_log`` (raises ``ChainError`` when it does not hold)."""
    engine = conn.engine
    problems, summary = verify_log(
        _all_notifications(engine_recorder), chain_rows_of(engine), key_ring(conn, present)
    )
    if problems:
        raise ChainError(problems[0]["detail"])
    return [(str(k), int(a), int(b)) for k, a, b in summary["keys"]]


def _all_notifications(recorder: Any) -> Any:
    start = 0
    while page := recorder.select_notifications(start=start, limit=1000, inclusive_of_start=False):
        yield from page
        start = page[-1].id


# -- the check at every start --------------------------------------------------------------------


class StoreKeys:
    """The key files of one store, checked against what the store recorded."""

    def __init__(self, engine: Engine, locations: KeyLocations, events_table: str) -> None:
        self.engine = engine
        self.locations = locations
        self.events_table = events_table

    def _count(self, table: str) -> bool:
        if not inspect(self.engine).has_table(table):
            return False
        with self.engine.connect() as conn:
            return conn.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None

    def prepare(self) -> None:
        """Before the application opens: create the key files of a store that cannot have
        used any; refuse a missing one otherwise (nothing is written)."""
        keys_table_metadata.create_all(self.engine)
        with self.engine.connect() as conn:
            signing = recorded(conn, "signing")
            data = recorded(conn, "data")
        where = self.locations
        if not where.signing.exists():
            if signing:
                raise KeyRefusedError(self._missing("signing key", where.signing, signing[0]))
            if self._count("lz_signed_chain"):
                raise KeyRefusedError(
                    f"the signing key of this store is missing at {where.signing}: put the key "
                    "its chain was signed with there (mode 0600) from your backup (before this "
                    "version a PostgreSQL store kept it at var/signing-key.pem under the "
                    "directory the command ran in); a new key is never made for a signed store"
                )
            _write_new(where.signing, new_signing_pem())
        if not where.data.exists():
            if data:
                raise KeyRefusedError(self._missing("data key", where.data, data[0]))
            if self._count("lz_person_keys"):
                raise KeyRefusedError(
                    f"the data key of this store is missing at {where.data}: put the key its "
                    "ID numbers were sealed with there (mode 0600) from your backup (before "
                    "this version a PostgreSQL store kept it at var/data-key under the "
                    "directory the command ran in); without it every sealed ID number is lost"
                )
            _write_new(where.data, os.urandom(32))
        load_signing_key(where.signing)
        load_data_key(where.data)

    def _missing(self, what: str, path: Path, row: Any) -> str:
        kept = backup_name(path, str(row["key_id"]))
        hint = f" (a copy is at {kept})" if kept.exists() else ""
        return (
            f"the {what} of this store (id {row['key_id']}) is missing at {path}: restore it "
            f"there from your backup{hint}, mode 0600; a new key is never made for a store "
            "that has one"
        )

    def confirm(self, recorder: Any, signer: Signer, data_key: bytes) -> None:
        """With the application open and before anything is written: the key files are this
        store's, or (a store of the previous version) are adopted once they verify."""
        with self.engine.begin() as conn:
            self._confirm_signing(conn, recorder, signer)
            self._confirm_data(conn, data_key)

    def _confirm_signing(self, conn: Connection, recorder: Any, signer: Signer) -> None:
        path = self.locations.signing
        present = recorded(conn, "signing")
        if present:
            row = present[-1]
            if row["key_id"] != signer.key_id:
                kept = backup_name(path, str(row["key_id"]))
                new = path.with_name(f"{path.name}.{row['key_id']}.new")
                found = next((p for p in (new, kept) if p.exists()), None)
                hint = f" (it is at {found})" if found else ""
                raise KeyRefusedError(
                    f"the signing key at {path} (id {signer.key_id}) is not this store's key "
                    f"(id {row['key_id']}): put the store's key back there from your "
                    f"backup{hint}; keys are changed only by `lianzhang keys rotate`"
                )
            return
        if self._count("lz_signed_chain"):
            problems, _ = verify_log(
                _all_notifications(recorder),
                chain_rows_of(self.engine),
                KeyRing.of(signer.public, trusted_keys(conn).values()),
            )
            if problems:
                raise KeyRefusedError(
                    f"the signing key at {path} (id {signer.key_id}) does not verify this "
                    f"store's signed chain ({problems[0]['detail']}): put the key the chain was "
                    "signed with there from your backup"
                )
        record_key(conn, "signing", signer.key_id, signer.public.hex, "present")

    def _confirm_data(self, conn: Connection, data_key: bytes) -> None:
        path = self.locations.data
        fingerprint = data_fingerprint(data_key)
        present = recorded(conn, "data")
        if present:
            row = present[-1]
            if row["material"] != fingerprint:
                kept = backup_name(path, str(row["key_id"]))
                new = path.with_name(f"{path.name}.{row['key_id']}.new")
                found = next((p for p in (new, kept) if p.exists()), None)
                hint = f" (it is at {found})" if found else ""
                raise KeyRefusedError(
                    f"the data key at {path} (id {fingerprint[:16]}) is not this store's data "
                    f"key (id {row['key_id']}): put the store's key back there from your "
                    f"backup{hint}; with another key every sealed ID number is lost"
                )
            return
        if inspect(conn).has_table("lz_person_keys"):
            rows = conn.execute(
                text("SELECT subject, wrapped_key FROM lz_person_keys LIMIT 20")
            ).all()
            for subject, wrapped in rows:
                wrapped = bytes(wrapped)
                try:
                    AESGCM(data_key).decrypt(
                        wrapped[:12], wrapped[12:], b"key:" + str(subject).encode()
                    )
                except Exception:  # InvalidTag, a short row: the key does not open it
                    raise KeyRefusedError(
                        f"the data key at {path} does not open this store's sealed ID numbers: "
                        "put the key they were sealed with there from your backup"
                    ) from None
        record_key(conn, "data", fingerprint[:16], fingerprint, "present")
