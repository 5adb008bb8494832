"""Signed checkpoints of the chain: small JSON documents kept outside the database.

A checkpoint is ``{"kind": "lianzhang-checkpoint", "position", "hash", "made_at", "key_id"}``
plus ``public_key`` and ``signature`` over the canonical bytes of the five fields
(``audit.messages.checkpoint_message``); every published sheet carries one. Someone who can
write the database can delete the newest events and their chain rows, leaving a shorter chain
that verifies; a checkpoint made before that names the position the log must still reach.
The server key never vouches for a chain row it did not sign: the save that holds the position
is checked first. ``audit.messages.check_checkpoint`` checks one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, select

from audit.chain import GENESIS, canonical_event, chain_hash
from audit.chain_table import signed_chain
from audit.keys import ChainError, PublicKey, Signer
from audit.messages import CHECKPOINT, checkpoint_message, save_message
from audit.store_keys import trusted_keys


def make_checkpoint(
    engine: Engine | Connection,
    recorder: Any,
    signer: Signer,
    position: int | None = None,
    *,
    now: Callable[[], datetime.datetime] | None = None,
) -> dict[str, Any]:
    """A signed checkpoint of the chain at ``position`` (the head when None). The save that
    holds that position is checked first, its events against its rows and its signature: the
    server key never vouches for a chain row it did not sign."""
    if isinstance(engine, Connection):
        return _checkpoint(engine, recorder, signer, position, now)
    with engine.connect() as conn:
        return _checkpoint(conn, recorder, signer, position, now)


def _checkpoint(
    conn: Connection,
    recorder: Any,
    signer: Signer,
    position: int | None,
    now: Callable[[], datetime.datetime] | None,
) -> dict[str, Any]:
    if position is None:
        position = conn.execute(
            select(signed_chain.c.position).order_by(signed_chain.c.position.desc()).limit(1)
        ).scalar_one_or_none()
    if not position:
        at, head = 0, GENESIS
    else:
        at, head = position, _checked_hash(conn, recorder, signer.public, position)
    document: dict[str, Any] = {
        "kind": CHECKPOINT,
        "position": at,
        "hash": head,
        "made_at": (now or _utc_now)().isoformat(timespec="seconds"),
        "key_id": signer.key_id,
    }
    document["public_key"] = signer.public.hex
    document["signature"] = signer.sign(checkpoint_message(document))
    return document


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _checked_hash(conn: Connection, recorder: Any, public: PublicKey, position: int) -> str:
    """The chain hash at ``position``, once the save that holds it is checked: its events
    hash to its rows and its signature verifies."""
    signed = signed_chain.c.signature.is_not(None)
    before = conn.execute(
        select(signed_chain.c.position)
        .where(signed_chain.c.position < position, signed)
        .order_by(signed_chain.c.position.desc())
        .limit(1)
    ).scalar_one_or_none()
    end = conn.execute(
        select(signed_chain.c.position)
        .where(signed_chain.c.position >= position, signed)
        .order_by(signed_chain.c.position)
        .limit(1)
    ).scalar_one_or_none()
    broken = ChainError(
        f"the log at position {position} does not match its signed chain; the server key "
        "vouches for nothing there: run `lianzhang verify`"
    )
    if end is None:
        raise broken
    start = int(before or 0)
    rows = list(
        conn.execute(
            select(signed_chain)
            .where(signed_chain.c.position > start, signed_chain.c.position <= end)
            .order_by(signed_chain.c.position)
        ).mappings()
    )
    events = recorder.select_notifications(
        start=start, limit=len(rows) + 1, stop=end, inclusive_of_start=False
    )
    if [int(r["position"]) for r in rows] != [e.id for e in events]:
        raise broken
    previous, found = rows[0]["previous"], None
    for row, event in zip(rows, events, strict=True):
        computed = chain_hash(
            previous,
            canonical_event(
                event.originator_id, event.originator_version, event.topic, event.state
            ),
        )
        if row["previous"] != previous or row["hash"] != computed:
            raise broken
        previous = computed
        if event.id == position:
            found = computed
    last = rows[-1]
    message = save_message(str(last["kind"]), [int(r["position"]) for r in rows], last["hash"])
    if last["key_id"] != public.key_id:
        # a save signed before a rotation: by the key the store recorded for it
        public = trusted_keys(conn).get(str(last["key_id"]), public)
    if found is None or not public.verifies(last["signature"], message):
        raise broken
    return found
