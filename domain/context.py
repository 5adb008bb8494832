"""The command context: who is acting, where they may write, and the request's idempotency key.

The API (``web.deps.Writer.run``) and the command line set it around a command; the
application's ``save`` reads it, so tenancy and exactly-once retries are enforced in one place,
on every aggregate a command saves, whichever route or helper loaded it. Outside any context
(the demo loader, imports, tests of the application) nothing is restricted: those run with the
authority of whoever holds the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestClaim:
    """An ``Idempotency-Key`` as the command's save records it: the token that sent it, the key,
    the request line (method and path) and the SHA-256 of the canonical JSON body."""

    token: str
    key: str
    request: str
    body_hash: str


@dataclass
class CommandContext:
    """One command being run.

    Args:
        actor: the token's name (recorded on every event).
        townships: the townships it may write in; ``None`` for anywhere (admin).
        claim: the request's idempotency key, recorded with the command's first save.
    """

    actor: str
    townships: frozenset[str] | None = None
    claim: RequestClaim | None = None
    # the id of the request running it, recorded beside the events its save writes
    request_id: str | None = None
    # Filled in by the save: the key aggregate's version once this command has recorded it.
    key_version: int | None = None
    # Filled in by the save: the last log position (notification id) this command wrote, so a
    # request can wait for the read models to reach its own write (``web.deps.Writer``).
    position: int = 0
    # Filled in by the save: the domain events this command saved, in order (an answer built
    # from the command's own result reads their timestamps and actor, ``web.deps.Writer``).
    saved: list[Any] = field(default_factory=list)

    @property
    def claimed(self) -> bool:
        """Whether this command's writes (and its key) are committed."""
        return self.key_version is not None

    def may_write_in(self, township: str) -> bool:
        return self.townships is None or township in self.townships


_current: ContextVar[CommandContext | None] = ContextVar("lianzhang_command", default=None)


def current() -> CommandContext | None:
    """The context of the command being run in this thread or task, if any."""
    return _current.get()


@contextmanager
def acting(context: CommandContext) -> Iterator[CommandContext]:
    """Run the enclosed command in ``context``."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
