"""``Idempotency-Key`` for every POST: the same key with the same body (compared as canonical
JSON) returns the first answer without writing again; the same key with another body or path is
a conflict. Keys are kept 24 hours; after that the same key is a new request.

What makes a key resolve is not here but in the event store (``domain.requests``): the key is an
aggregate saved in the same transaction as the command's events, so it exists exactly when the
command's writes committed. This module only keeps the answers already given, so a replay does
not have to rebuild them: a cache, keyed by token, key and the key aggregate's version (a key
used again after it expired has a new version, and never gets the old answer). When the process
died between the save and the answer, the row is missing and the answer is rebuilt from the
committed events.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, Text, and_, select
from sqlalchemy.exc import IntegrityError

from domain.bounds import bad_character
from domain.requests import KEY_LIFETIME
from ledger.canonical import canonical_bytes
from web.problems import Problem
from web.tokens import auth_metadata

idempotency_responses = Table(
    "lz_idempotency_responses",
    auth_metadata,
    Column("token_name", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("version", Integer, primary_key=True),  # of the key aggregate
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("location", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)


MAX_KEY = 255  # the column's length


def checked_key(key: str) -> str:
    """``key`` when it can be an Idempotency-Key, else a 422 naming the header (in Chinese by
    default): an empty or whitespace-only key would be recorded as the key "" and turn every
    later write of the token with an empty header into a 409 for 24 hours; a control character
    cannot be stored (PostgreSQL refuses NUL); more than 255 characters do not fit."""
    field = "Idempotency-Key"
    if not key.strip():
        raise Problem(
            422,
            "validation",
            "Idempotency-Key is empty: send a new random key (a UUID) with each new request, "
            "or leave the header out",
            field=field,
            zh="Idempotency-Key 不能为空：每个新请求请发送一个新的随机键（如 UUID），或者不发送"
            "这个请求头",
        )
    bad = bad_character(key)
    if bad is not None:
        raise Problem(
            422,
            "validation",
            f"Idempotency-Key contains the control character {bad}; a key is printable text "
            "(a UUID)",
            field=field,
            zh=f"Idempotency-Key 含有控制字符 {bad}：键只能是可打印的文字（如 UUID）",
        )
    if len(key) > MAX_KEY:
        raise Problem(
            422,
            "validation",
            f"Idempotency-Key is {len(key)} characters long; at most {MAX_KEY}",
            field=field,
            zh=f"Idempotency-Key 有 {len(key)} 个字符，最多 {MAX_KEY} 个",
        )
    return key


def body_hash(body: bytes) -> str:
    """SHA-256 of the body as canonical JSON (so spacing and key order do not matter); of the
    raw bytes when the body is not JSON."""
    try:
        return hashlib.sha256(canonical_bytes(json.loads(body))).hexdigest()
    except (ValueError, TypeError, RecursionError):
        return "raw:" + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any
    location: str | None


class IdempotencyStore:
    """The answers given to keyed requests, for 24 hours."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        auth_metadata.create_all(engine)

    def response(self, token_name: str, key: str, version: int) -> StoredResponse | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(idempotency_responses).where(
                    and_(
                        idempotency_responses.c.token_name == token_name,
                        idempotency_responses.c.key == key,
                        idempotency_responses.c.version == version,
                    )
                )
            ).first()
        if row is None:
            return None
        return StoredResponse(row.status_code, json.loads(row.response), row.location)

    def remember(
        self,
        token_name: str,
        key: str,
        version: int,
        status_code: int,
        body: Any,
        location: str | None,
    ) -> None:
        """Keep the answer (a second writer of the same answer is ignored); answers older than
        the keys' lifetime are dropped on the way."""
        now = datetime.datetime.now(datetime.UTC)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    idempotency_responses.delete().where(
                        idempotency_responses.c.created_at < now - KEY_LIFETIME
                    )
                )
                conn.execute(
                    idempotency_responses.insert().values(
                        token_name=token_name,
                        key=key,
                        version=version,
                        status_code=status_code,
                        response=json.dumps(body, ensure_ascii=False),
                        location=location,
                        created_at=now,
                    )
                )
        except IntegrityError:
            pass
