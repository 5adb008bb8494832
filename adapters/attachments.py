"""The bytes of source documents (原始凭证) attached to vouchers: table ``lz_attachments``.

Content-addressed: a file is stored under the SHA-256 of its bytes, so the same file attached
twice (to one voucher or to two) is stored once; the voucher's ``DocumentAttached`` event
records the SHA-256, the name, the media type and the size. Not a read model: the table has its
own metadata (like ``web.tokens``), so no rebuild ever drops it — the events cannot give the
bytes back.

Only PDF, JPEG and PNG, at most 10 MB. The type is read from the file's first bytes (its magic
number), not from what the upload declared: a file that says it is a PNG and is not is refused.

The bytes are stored before the event that names them (a separate transaction): a refused or
failed command leaves an unreferenced file behind, harmless because nothing points to it and the
same bytes are stored under the same key again.
"""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from domain.vouchers import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, AttachmentError

attachment_metadata = MetaData()

attachments = Table(
    "lz_attachments",
    attachment_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("media_type", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    Column("bytes", LargeBinary, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


class UnsupportedMediaTypeError(AttachmentError):
    """Not a PDF, JPEG or PNG by its content (an HTTP 415)."""

    kind = "unsupported-media-type"


@dataclass(frozen=True)
class Attachment:
    sha256: str
    media_type: str
    size: int
    data: bytes


def sniff(data: bytes) -> str | None:
    """The media type of ``data`` by its magic number: PDF, JPEG or PNG; None otherwise."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check(data: bytes, declared: str | None = None) -> str:
    """The media type of a document that may be attached, read from its bytes.

    Raises:
        AttachmentError: empty or larger than 10 MB.
        UnsupportedMediaTypeError: not a PDF, JPEG or PNG, or not what ``declared`` says.
    """
    if not data:
        raise AttachmentError("the file is empty", field="file", zh="附件是空文件")
    if len(data) > MAX_ATTACHMENT_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f} MB"
        raise AttachmentError(
            f"the file has {size}; a source document has at most 10 MB",
            field="file",
            zh=f"附件有 {size}，最大 10 MB",
        )
    found = sniff(data)
    if found is None:
        raise UnsupportedMediaTypeError(
            "the file is not a PDF, JPEG or PNG (recognised by its content); photograph a "
            "source document (JPEG, PNG) or scan it to PDF",
            field="file",
            zh="附件不是 PDF、JPEG 或 PNG 文件：原始凭证请拍照（JPEG/PNG）或扫描成 PDF",
        )
    wanted = (declared or "").split(";")[0].strip().lower()
    if wanted == "image/jpg":
        wanted = "image/jpeg"
    if wanted and wanted != "application/octet-stream" and wanted != found:
        raise UnsupportedMediaTypeError(
            f"the file is a {ATTACHMENT_TYPES[found]}, not the {wanted} it was sent as",
            field="file",
            zh=f"附件声明为 {wanted}，内容却是 {ATTACHMENT_TYPES[found]}",
        )
    return found


_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def create_table(engine: Engine) -> None:
    """Create ``lz_attachments`` when it is not there (once per engine)."""
    if engine not in _ready:
        attachment_metadata.create_all(engine)
        _ready.add(engine)


def put(engine: Engine, data: bytes, declared: str | None = None) -> str:
    """Store ``data`` (checked by :func:`check`) and return its SHA-256; the same bytes are
    stored once."""
    media_type = check(data, declared)
    digest = hashlib.sha256(data).hexdigest()
    create_table(engine)
    with engine.connect() as conn:
        if conn.execute(select(attachments.c.sha256).where(attachments.c.sha256 == digest)).first():
            return digest
    try:
        with engine.begin() as conn:
            conn.execute(
                attachments.insert().values(
                    sha256=digest, media_type=media_type, size=len(data), bytes=data
                )
            )
    except IntegrityError:  # stored meanwhile by another request: the same bytes
        pass
    return digest


def get(engine: Engine, sha256: str) -> Attachment | None:
    """The stored document ``sha256``, or None."""
    create_table(engine)
    with engine.connect() as conn:
        row = conn.execute(select(attachments).where(attachments.c.sha256 == sha256)).first()
    if row is None:
        return None
    return Attachment(
        sha256=row.sha256, media_type=row.media_type, size=int(row.size), data=bytes(row.bytes)
    )


def count(engine: Engine) -> int:
    """How many documents are stored (each file once)."""
    create_table(engine)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(attachments)).scalar_one())
