"""Changing a store's signing key: ``lianzhang keys rotate``, recorded in the chain. (The data
key is not rotated yet: the person keys' lookup digests are HMACs under a key derived from it,
and recomputing them needs every ID number opened; see the README.)

The signing key's rotation is one event, ``SigningKeyRotation.Rotated`` (semantics in
``audit.key_ring``), saved alone by the recorder, which signs its save with the new key as
``lianzhang-key-rotation`` and records the new key as present in ``lz_store_keys`` in the same
transaction. The new key file is written first as ``<key>.<new id>.new``; after the save the old
file is kept as ``<key>.<old id>.bak`` and the new one moved into place. A crash in between
leaves the store refusing to start with a line naming the ``.new`` file to put in place.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, event
from sqlalchemy import select

from audit.chain import GENESIS
from audit.chain_table import signed_chain
from audit.keys import ChainError, Signer
from audit.messages import ROTATION_TOPIC, rotation_message
from audit.store_keys import (
    _write_new,
    backup_name,
    new_signing_pem,
    signer_from_pem,
)


class SigningKeyRotation(Aggregate):
    """One change of the signing key (or a restore's hand-over), as an event in the log."""

    @event("Rotated")
    def __init__(
        self,
        kind: str,
        old_key: str,
        new_key: str,
        previous: str,
        old_signature: str | None,
        restored: dict[str, Any] | None,
        actor: str,
    ) -> None:
        self.kind = kind
        self.old_key = old_key
        self.new_key = new_key


assert f"{__name__}:SigningKeyRotation.Rotated" == ROTATION_TOPIC


def rotation_event(
    app: Any,
    *,
    kind: str,
    old_key: str,
    new: Signer,
    previous: str,
    old_signature: str | None,
    restored: dict[str, Any] | None,
    actor: str,
) -> Any:
    """The stored event of a rotation (not saved)."""
    aggregate = SigningKeyRotation(
        kind=kind,
        old_key=old_key,
        new_key=new.public.hex,
        previous=previous,
        old_signature=old_signature,
        restored=restored,
        actor=actor,
    )
    (domain_event,) = aggregate.collect_events()
    return app.mapper.to_stored_event(domain_event)


def chain_head(runtime: Any) -> str:
    with runtime.engine.connect() as conn:
        head = conn.execute(
            select(signed_chain.c.hash).order_by(signed_chain.c.position.desc()).limit(1)
        ).scalar_one_or_none()
    return str(head) if head else GENESIS


def rotate_signing_key(runtime: Any, actor: str = "lianzhang keys rotate") -> tuple[str, str]:
    """Rotate the store's signing key; returns (old key id, new key id). The chain is verified
    first: a new key never vouches for a chain that does not hold."""
    from audit.verify import verify_signed_chain

    problems, _ = verify_signed_chain(runtime)
    if problems:
        raise ChainError(
            f"the signed chain does not verify ({problems[0]['detail']}); the key was not rotated"
        )
    path: Path = runtime.key_path
    old: Signer = runtime.signer
    pem = new_signing_pem()
    new = signer_from_pem(pem, path)
    pending = path.with_name(f"{path.name}.{new.key_id}.new")
    _write_new(pending, pem)
    recorder = runtime.app.recorder
    try:
        for attempt in range(5):
            previous = chain_head(runtime)
            stored = rotation_event(
                runtime.app,
                kind="rotation",
                old_key=old.public.hex,
                new=new,
                previous=previous,
                old_signature=old.sign(rotation_message(old.public.hex, new.public.hex, previous)),
                restored=None,
                actor=actor,
            )
            recorder.signer = new
            try:
                recorder.insert_events([stored])
                break
            except ChainError:
                recorder.signer = old
                if attempt == 4:
                    raise
    except BaseException:
        recorder.signer = old
        pending.unlink(missing_ok=True)
        raise
    keep = backup_name(path, old.key_id)
    if not keep.exists():
        os.link(path, keep)
    os.replace(pending, path)
    runtime.signer = new
    return old.key_id, new.key_id
