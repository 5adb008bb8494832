"""``Idempotency-Key`` for every POST: the same key with the same body returns the first
result without writing again; the same key with a different body is a conflict.

A key is claimed (inserted, unique per token) before the command runs, so two identical
requests racing each other cannot both write. When the command is refused, the claim is
dropped: nothing was written, so a retry may run it again.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, Text, and_, select, update
from sqlalchemy.exc import IntegrityError

from api.tokens import auth_metadata

idempotency_keys = Table(
    "lz_idempotency_keys",
    auth_metadata,
    Column("token_name", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request", Text, nullable=False),  # method and path
    Column("body_hash", String(64), nullable=False),
    Column("status_code", Integer),  # None while the first request is still running
    Column("response", Text),
    Column("location", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any
    location: str | None


class KeyReusedError(Exception):
    """The key was used before with another body or path."""


class KeyInFlightError(Exception):
    """The first request with this key has not finished yet."""


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        auth_metadata.create_all(engine)

    def claim(
        self, token_name: str, key: str, request: str, body_hash: str
    ) -> StoredResponse | None:
        """Claim ``key``; returns the stored response when it was already used the same way."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    idempotency_keys.insert().values(
                        token_name=token_name,
                        key=key,
                        request=request,
                        body_hash=body_hash,
                        created_at=datetime.datetime.now(datetime.UTC),
                    )
                )
            return None
        except IntegrityError:
            pass
        with self.engine.connect() as conn:
            row = conn.execute(select(idempotency_keys).where(self._where(token_name, key))).first()
        if row is None:  # the first request failed and dropped its claim meanwhile
            return self.claim(token_name, key, request, body_hash)
        if row.body_hash != body_hash or row.request != request:
            raise KeyReusedError(key)
        if row.status_code is None:
            raise KeyInFlightError(key)
        return StoredResponse(row.status_code, json.loads(row.response), row.location)

    def complete(
        self, token_name: str, key: str, status_code: int, body: Any, location: str | None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(idempotency_keys)
                .where(self._where(token_name, key))
                .values(
                    status_code=status_code,
                    response=json.dumps(body, ensure_ascii=False),
                    location=location,
                )
            )

    def release(self, token_name: str, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(idempotency_keys.delete().where(self._where(token_name, key)))

    @staticmethod
    def _where(token_name: str, key: str) -> Any:
        return and_(idempotency_keys.c.token_name == token_name, idempotency_keys.c.key == key)
