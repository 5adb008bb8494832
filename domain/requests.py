"""Idempotency keys as aggregates, saved in the same transaction as the command they answer.

A request sent with ``Idempotency-Key`` K by token T is recorded as one event of the aggregate
``uuid5("request-key:T:K")``, added by the application's ``save`` (from the command context) to
the very save that writes the command's events. So a key either exists, and the command's
events are committed with it, or nothing of the command was written: there is no "in flight"
state a crash can leave behind. Two identical requests racing each other both try to save
version 1 of the same key aggregate; the second save fails and is answered as a replay.

The event names the request line, the SHA-256 of the canonical JSON body (``ledger.canonical``)
and the ``[aggregate id, version]`` of every event saved with it, from which the answer is
rebuilt when the cached response (``web.idempotency``) is missing.

Keys are kept :data:`KEY_LIFETIME` (24 hours). After that the same key is a new request: the
next command with it appends a ``KeyRenewed`` event to the same aggregate (the id stays
``uuid5`` of token and key), and the race between two such requests is again decided by the
unique version.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.ids import NAMESPACE
from domain.owned import Townships

KEY_LIFETIME = datetime.timedelta(hours=24)


def utcnow() -> datetime.datetime:
    """The clock keys are dated by (a function, so tests can move it)."""
    return datetime.datetime.now(datetime.UTC)


def request_key_id(token: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"request-key:{token}:{key}")


class KeyAlreadyRecorded(Exception):
    """The command's save found its idempotency key committed by another request (a retry or
    a concurrent duplicate): answer from that request instead of writing."""


class RequestKey(Aggregate):
    """One token's idempotency key: the request it was last used for and what that wrote."""

    def township_in(self, townships: Townships) -> str | None:
        """None: a key; the aggregates saved with it are checked themselves (``domain.tenancy``)."""
        return None

    @staticmethod
    def create_id(token: str, key: str) -> UUID:
        return request_key_id(token, key)

    @event("KeyRecorded")
    def __init__(
        self,
        *,
        token: str,
        key: str,
        request: str,
        body_hash: str,
        recorded_at: str,
        events: list[list[Any]],
        actor: str,
    ) -> None:
        self.token = token
        self.key = key
        self._use(request, body_hash, recorded_at, events)

    def _use(self, request: str, body_hash: str, recorded_at: str, events: list[list[Any]]) -> None:
        self.request = request
        self.body_hash = body_hash
        self.recorded_at = recorded_at
        self.events = [list(pair) for pair in events]

    def expired(self, now: datetime.datetime) -> bool:
        return now - datetime.datetime.fromisoformat(self.recorded_at) >= KEY_LIFETIME

    def matches(self, request: str, body_hash: str) -> bool:
        return self.request == request and self.body_hash == body_hash

    def renew(
        self,
        *,
        request: str,
        body_hash: str,
        recorded_at: str,
        events: list[list[Any]],
        actor: str,
    ) -> None:
        """Use the key again for a new request, once it has expired."""
        self._renewed(
            request=request,
            body_hash=body_hash,
            recorded_at=recorded_at,
            events=events,
            actor=actor,
        )

    @event("KeyRenewed")
    def _renewed(
        self,
        *,
        request: str,
        body_hash: str,
        recorded_at: str,
        events: list[list[Any]],
        actor: str,
    ) -> None:
        self._use(request, body_hash, recorded_at, events)
