"""The one place where tenancy and exactly-once retries are enforced: the application's save.

Every aggregate a command saves belongs to a township, and says which itself
(``domain.owned.Owned``, answered by each aggregate class in its own package: books and
alliances record theirs; a plan records its payer's; a member register, disclosure sheet or
alliance membership belongs to its village's; an agreement to its joint entity's). A type that
says nothing may be written only by an administrator. When a command runs in a context whose actor
may write only in some townships (a clerk), a save that would write into any other township is
refused with :class:`ForbiddenTownshipError`, whichever route or helper loaded the aggregate.
Routes still check the entities they name first, for an earlier and clearer answer; this check
is the guarantee.

The same save records the request's idempotency key (``domain.requests``) with the command's
events, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import IntegrityError, RecordConflictError

from domain.context import CommandContext, RequestClaim
from domain.errors import ForbiddenTownshipError
from domain.port import Port
from domain.requests import KeyAlreadyRecorded, RequestKey, request_key_id, utcnow


def describe(aggregate: Any) -> str:
    """The aggregate in words, for a refusal: its own ``described()`` (``domain.owned``)."""
    described = getattr(aggregate, "described", None)
    if callable(described):
        words: str = described()
        return words
    return f"{type(aggregate).__name__} {aggregate.id}"


def township_of(app: Port, aggregate: Any) -> str | None:
    """The township ``aggregate`` belongs to, as it says itself (``domain.owned.Owned``); None
    for what belongs to no township (a person, a token's idempotency keys)."""
    township_in = getattr(aggregate, "township_in", None)  # Owned, without a protocol check
    if callable(township_in):
        township: str | None = township_in(app)
        return township
    raise ForbiddenTownshipError(  # fail closed: a new aggregate type must say its township
        f"{describe(aggregate)} has no known township; only an administrator may write it"
    )


def check_townships(app: Port, context: CommandContext, written: Sequence[Any]) -> None:
    if context.townships is None:
        return
    for aggregate in written:
        township = township_of(app, aggregate)
        if township is not None and not context.may_write_in(township):
            allowed = ", ".join(sorted(context.townships)) or "none"
            raise ForbiddenTownshipError(
                f"token {context.actor!r} may not write in {township}: this request would "
                f"change {describe(aggregate)}, which belongs to {township}; it may write in: "
                f"{allowed}",
                zh=f"{context.actor} 无权修改{township}的账簿（{describe(aggregate)}）；"
                f"只能修改：{'、'.join(sorted(context.townships)) or '无'}",
            )


def _load_key(app: Port, claim: RequestClaim) -> RequestKey | None:
    found = app.find(request_key_id(claim.token, claim.key))
    if found is None:
        return None
    assert isinstance(found, RequestKey)
    return found


def live_key(app: Port, claim: RequestClaim) -> RequestKey | None:
    """The key as recorded, unless it has expired (then it is free for a new request)."""
    found = _load_key(app, claim)
    if found is None or found.expired(utcnow()):
        return None
    return found


def _key_event(app: Port, context: CommandContext, events: list[list[Any]]) -> Any:
    """The key aggregate with its new event (recorded, or renewed after expiry)."""
    claim = context.claim
    assert claim is not None
    found = _load_key(app, claim)
    now = utcnow()
    fields: dict[str, Any] = {
        "request": claim.request,
        "body_hash": claim.body_hash,
        "recorded_at": now.isoformat(),
        "events": events,
        "actor": context.actor,
    }
    if found is None:
        return RequestKey(token=claim.token, key=claim.key, **fields)
    if not found.expired(now):
        raise KeyAlreadyRecorded(claim.key)
    found.renew(**fields)
    return found


def save_in_context(
    app: Port,
    context: CommandContext,
    save: Callable[..., Any],
    objs: Sequence[Any],
    kwargs: dict[str, Any],
) -> Any:
    """``save(*objs)`` after the tenancy check, with the request's key in the same save."""
    written = [o for o in objs if isinstance(o, BaseAggregate) and o.pending_events]
    if context.townships is not None and any(
        o is not None and not isinstance(o, BaseAggregate) for o in objs
    ):
        raise ForbiddenTownshipError("events saved without their aggregate have no township")
    check_townships(app, context, written)
    extra: list[Any] = []
    if context.claim is not None and not context.claimed and written:
        events = [
            [str(e.originator_id), e.originator_version] for a in written for e in a.pending_events
        ]
        extra.append(_key_event(app, context, events))
    if context.request_id is not None:  # recorded beside the events (audit.save_requests)
        kwargs = {**kwargs, "request_id": context.request_id}
    try:
        recordings = save(*objs, *extra, **kwargs)
    except (IntegrityError, RecordConflictError):
        if extra and context.claim is not None and live_key(app, context.claim) is not None:
            raise KeyAlreadyRecorded(context.claim.key) from None
        raise
    if extra:
        context.key_version = extra[0].version
    for recording in recordings or ():
        context.position = max(context.position, recording.notification.id)
        context.saved.append(recording.domain_event)
    return recordings


def recorded_events(app: Port, pairs: Sequence[Sequence[Any]]) -> list[Any]:
    """The domain events named by ``[aggregate id, version]`` pairs, in that order."""
    found: list[Any] = []
    for aggregate_id, version in pairs:
        found.extend(
            app.stream(UUID(str(aggregate_id)), gt=int(version) - 1, lte=int(version), limit=1)
        )
    return found
