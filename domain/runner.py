"""The one runner every front end writes through: the API's routes and the workbench's forms
(through ``web.commit``), the command line and the file imports.

``Runner.run(command, caller)`` runs a command (``domain.commands``) at most once per
idempotency key:

1. a key already committed for the same request answers from what that request recorded (an
   :class:`Outcome` with ``recorded`` set, the command not run again); the same key with another
   request is refused (:class:`IdempotencyKeyReusedError`, HTTP 409);
2. the command's places are checked against the caller (``caller.check(township, what)``);
3. it executes in a command context (``domain.context``): the application's save checks the
   tenancy of every aggregate it writes, records the key in the same transaction and notes the
   log position of the save; the whole command is retried when a concurrent save got there
   first (``app.retrying``);
4. a concurrent duplicate that committed the key first is answered like (1).

The runner knows nothing of HTTP: waiting for the read models to reach ``Outcome.position``
and building the answer is the web adapter's (``web.commit``). What it reports of each run
(:class:`Ran`: the command, its retries, the position written) goes to the ``observe`` callback
its maker hands it (the API's counters and log lines, ``web.observability``), so nothing here
imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from domain.commands import Command, Recorded
from domain.context import CommandContext, RequestClaim, acting
from domain.errors import ConflictError
from domain.requests import KeyAlreadyRecorded, RequestKey
from domain.tenancy import live_key

T = TypeVar("T")


class IdempotencyKeyReusedError(ConflictError):
    """The Idempotency-Key was already used for another request in its 24 hours."""

    kind = "idempotency-key-reused"


def _anywhere(township: str, what: str) -> None:
    return None


@dataclass(frozen=True)
class Caller:
    """Who runs a command: the actor recorded on its events, the townships it may write in
    (None: anywhere), the request's idempotency key, and how a place outside its townships is
    refused (the front end's words: the API names the token, the command line the store)."""

    actor: str
    townships: frozenset[str] | None = None
    claim: RequestClaim | None = None
    check: Callable[[str, str], None] = field(default=_anywhere, compare=False)
    # the id of the request that runs it (the API's ``X-Request-Id``), recorded with its save
    request_id: str | None = None


@dataclass(frozen=True)
class Ran:
    """One run as the runner reports it to its observer: the command's class name, how many
    times it was run again because a concurrent save got there first, the log position its save
    wrote (0 when none), whether its key answered it, and the error's class name when it
    raised."""

    command: str
    retries: int
    position: int
    replayed: bool
    failed: str | None
    request_id: str | None


@dataclass
class Outcome(Generic[T]):
    """What a run gave: the command's result and the log position of its save, or, for a key
    already committed, the recorded key (``recorded``) and how to rebuild the result."""

    command: Command[T]
    app: Any
    position: int = 0
    key_version: int | None = None
    recorded: RequestKey | None = None
    _result: Any = None
    # the domain events the command saved, in order (empty for a replayed key)
    saved: tuple[Any, ...] = ()

    @property
    def replayed(self) -> bool:
        return self.recorded is not None

    @property
    def result(self) -> T:
        """The command's result (rebuilt from the recorded events for a replayed key)."""
        if self.recorded is not None and self._result is None:
            self._result = self.command.replayed(Recorded(self.app, self.recorded.events))
        result: T = self._result
        return result


class Runner:
    """Runs commands against one application (``runtime.runner``)."""

    def __init__(self, app: Any, observe: Callable[[Ran], None] | None = None) -> None:
        self.app = app
        self.observe = observe

    def run(self, command: Command[T], caller: Caller) -> Outcome[T]:
        if self.observe is None:
            return self._run(command, caller, [0])
        attempts = [0]
        outcome: Outcome[T] | None = None
        failed: str | None = None
        try:
            outcome = self._run(command, caller, attempts)
            return outcome
        except Exception as error:
            failed = type(error).__name__
            raise
        finally:
            self.observe(
                Ran(
                    type(command).__name__,
                    max(attempts[0] - 1, 0),
                    outcome.position if outcome is not None else 0,
                    outcome is not None and outcome.replayed,
                    failed,
                    caller.request_id,
                )
            )

    def _run(self, command: Command[T], caller: Caller, attempts: list[int]) -> Outcome[T]:
        """``run``, counting in ``attempts`` how many times the command was executed."""
        if caller.claim is not None:
            found = self.recorded(caller.claim)
            if found is not None:
                return Outcome(command, self.app, recorded=found)
        context = CommandContext(
            actor=caller.actor,
            townships=caller.townships,
            claim=caller.claim,
            request_id=caller.request_id,
        )

        def attempt() -> T:
            attempts[0] += 1
            return command.execute(self.app, caller.actor)

        try:
            with acting(context):
                for township, what in command.places(self.app):
                    caller.check(township, what)
                result = self.app.retrying(attempt) if command.retried else attempt()
        except KeyAlreadyRecorded:
            assert caller.claim is not None
            found = self.recorded(caller.claim)
            if found is None:  # pragma: no cover - the key was just seen committed
                raise
            return Outcome(command, self.app, recorded=found)
        except Exception:
            if caller.claim is not None and not context.claimed:
                # a concurrent request with the same key may have committed first
                found = self.recorded(caller.claim)
                if found is not None:
                    return Outcome(command, self.app, recorded=found)
            raise
        return Outcome(
            command,
            self.app,
            position=context.position,
            key_version=context.key_version,
            _result=result,
            saved=tuple(context.saved),
        )

    def recorded(self, claim: RequestClaim) -> RequestKey | None:
        """The key as committed for this very request, None when it is free; refused when it
        was committed for another request."""
        found = live_key(self.app, claim)
        if found is None:
            return None
        if not found.matches(claim.request, claim.body_hash):
            raise IdempotencyKeyReusedError(
                f"Idempotency-Key {claim.key!r} was already used for a different request "
                f"({found.request}, another body) in the last 24 hours; use a new key for a "
                "new request",
                field="Idempotency-Key",
            )
        return found
