"""What the server key signs: the kinds of signed chain rows and the canonical bytes of each
signed message (a save, a checkpoint, a key rotation), and the check of a checkpoint.

The kinds a save's last chain row carries: ``SAVE`` (written with the events), ``UPGRADE``
(sealed once at the first start of a store written before the signed chain), ``ROTATION`` and
``RESTORE`` (a key handed over: ``audit.key_ring``). Their messages:

    canonical({"kind": kind, "positions": [p1, …, pn], "hash": hn})             a save
    canonical({"kind", "position", "hash", "made_at", "key_id"})                a checkpoint
    canonical({"kind": ROTATION, "old_key", "new_key", "previous"})             a rotation
                                                                          (by the old key)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from audit.keys import ChainError, PublicKey
from ledger.canonical import canonical_bytes

SAVE = "lianzhang-chain-save"
UPGRADE = "lianzhang-chain-upgrade"
CHECKPOINT = "lianzhang-checkpoint"
ROTATION = "lianzhang-key-rotation"
RESTORE = "lianzhang-key-restore"
ROTATION_TOPIC = "projections.key_rotation:SigningKeyRotation.Rotated"


def save_message(kind: str, positions: Sequence[int], head: str) -> bytes:
    return canonical_bytes({"kind": kind, "positions": list(positions), "hash": head})


def checkpoint_message(document: dict[str, Any]) -> bytes:
    return canonical_bytes(
        {k: document[k] for k in ("kind", "position", "hash", "made_at", "key_id")}
    )


def rotation_message(old_key: str, new_key: str, previous: str) -> bytes:
    """What the old key signs when it hands over to the new one."""
    return canonical_bytes(
        {"kind": ROTATION, "old_key": old_key, "new_key": new_key, "previous": previous}
    )


def rotation_state(state: Any) -> dict[str, Any] | None:
    """The fields of a rotation event's stored state (bytes or decoded), or None."""
    try:
        data = json.loads(state) if isinstance(state, (bytes, str)) else state
        found = {k: data[k] for k in ("kind", "old_key", "new_key", "previous")}
        found["old_signature"] = data.get("old_signature")
        found["restored"] = data.get("restored")
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(found[k], str) for k in ("kind", "old_key", "new_key", "previous")):
        return None
    return found


def check_checkpoint(document: Any, public: PublicKey, *, foreign: bool = False) -> str | None:
    """None when ``document`` is a checkpoint signed by ``public``; else what is wrong.

    With ``foreign``, a checkpoint signed by another key is checked against the public key it
    carries (a sheet published by the server a log was exported from, then restored here):
    it is then whole, and whether that key is trusted is the auditor's question."""
    try:
        if document.get("kind") != CHECKPOINT:
            return "it is not a Lianzhang checkpoint"
        if foreign and document.get("key_id") != public.key_id:
            carried = PublicKey.from_hex(str(document.get("public_key")))
            if carried.key_id == document.get("key_id"):
                public = carried
        if document.get("key_id") != public.key_id:
            return (
                f"it was signed by key {document.get('key_id')}, not by this server's key "
                f"{public.key_id}"
            )
        if not public.verifies(document.get("signature"), checkpoint_message(document)):
            return "its signature does not verify: it was changed after it was signed"
    except (AttributeError, KeyError, TypeError, ValueError, ChainError):
        return "it is not a Lianzhang checkpoint"
    return None
