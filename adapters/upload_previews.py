"""Uploaded files between their preview and their confirm: table ``lz_upload_previews``.

The workbench's imports (``workbench/imports.py``) preview a file, then import exactly those
bytes when the clerk confirms. The bytes wait here, in the database, under (the person's login,
the file's SHA-256), so any server process behind a proxy can take the confirm (no sticky
sessions), and for ``KEPT_SECONDS`` (30 minutes) only.

Per person: at most ``KEPT_FILES`` files and ``KEPT_BYTES`` bytes; a person's new preview drops
that person's oldest ones, never another person's. A person's preview is found only with their
own login. Every put also deletes everyone's expired rows.

Transient, not a read model: the table has its own metadata (like ``lz_attachments``), so a
rebuild leaves it alone; dropping it would cost only a re-upload ("请重新上传")."""

from __future__ import annotations

import hashlib
import time
import weakref

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

KEPT_SECONDS = 30 * 60
KEPT_FILES = 8
KEPT_BYTES = 40 * 1024 * 1024  # four files of the largest size (10 MB)

preview_metadata = MetaData()

previews = Table(
    "lz_upload_previews",
    preview_metadata,
    Column("owner", String(255), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("stored_at", Float, nullable=False),  # seconds since the epoch
    Column("size", Integer, nullable=False),
    Column("bytes", LargeBinary, nullable=False),
)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def now() -> float:
    return time.time()


def create_table(engine: Engine) -> None:
    """Create ``lz_upload_previews`` when it is not there (once per engine)."""
    if engine not in _ready:
        preview_metadata.create_all(engine)
        _ready.add(engine)


class Previews:
    """The previews of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_table(engine)

    def put(self, owner: str, data: bytes, *, at: float | None = None) -> str:
        """Keep ``data`` for ``owner``; returns its SHA-256. Drops expired rows and the
        owner's oldest beyond the owner's caps."""
        digest = hashlib.sha256(data).hexdigest()
        at = now() if at is None else at
        key = and_(previews.c.owner == owner, previews.c.sha256 == digest)
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(previews).where(previews.c.stored_at < at - KEPT_SECONDS))
                conn.execute(delete(previews).where(key))
                conn.execute(
                    previews.insert().values(
                        owner=owner, sha256=digest, stored_at=at, size=len(data), bytes=data
                    )
                )
                kept = conn.execute(
                    select(previews.c.sha256, previews.c.size)
                    .where(previews.c.owner == owner)
                    .order_by(previews.c.stored_at.desc(), previews.c.sha256)
                ).all()
                files, size, dropped = 0, 0, []
                for sha256, length in kept:
                    files, size = files + 1, size + int(length)
                    if sha256 != digest and (files > KEPT_FILES or size > KEPT_BYTES):
                        dropped.append(sha256)
                if dropped:
                    conn.execute(
                        delete(previews).where(
                            previews.c.owner == owner, previews.c.sha256.in_(dropped)
                        )
                    )
        except IntegrityError:  # the same person's same file, stored meanwhile by another request
            pass
        return digest

    def get(self, owner: str, digest: str, *, at: float | None = None) -> bytes | None:
        """The bytes ``owner`` previewed under ``digest``, or None (never kept, expired, or
        another person's)."""
        at = now() if at is None else at
        with self.engine.connect() as conn:
            row = conn.execute(
                select(previews.c.bytes, previews.c.stored_at).where(
                    previews.c.owner == owner, previews.c.sha256 == digest
                )
            ).first()
        if row is None or at - float(row.stored_at) > KEPT_SECONDS:
            return None
        return bytes(row.bytes)


def count(engine: Engine, owner: str) -> int:
    """How many previews ``owner`` has kept."""
    create_table(engine)
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(previews).where(previews.c.owner == owner)
            ).scalar_one()
        )
