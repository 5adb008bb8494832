"""Which signing key was valid where: the keys of a chain followed across rotations (pure).

A store signs its chain with one key at a time. ``lianzhang keys rotate`` changes it by
writing one event of its own (topic ``ROTATION_TOPIC`` of ``audit.messages``, where the signed
messages are) in a save of its own, whose chain row has the kind ``lianzhang-key-rotation``
and is signed by the **new** key over the usual save message; the event's state carries
``old_key`` and ``new_key`` (64 hex digits each), ``previous`` (the chain hash just before the
event) and ``old_signature``, the **old** key's signature over ``canonical({"kind":
"lianzhang-key-rotation", "old_key", "new_key", "previous"})``. So both keys sign a rotation:
the old one names its successor at that place of the chain, and the new one signs a save whose
hash covers every event before.

A restore (``lianzhang import``) cannot sign with the old key, which it does not hold: its
event has ``kind`` ``restore``, no ``old_signature`` and a ``restored`` block (the position,
hash and event count of the export it verified, and the ids of the keys it was verified
with); its chain row has the kind ``lianzhang-key-restore`` and is signed by the new key only.

Trust follows the links: whoever trusts key K trusts every key K's chain leads to by a
rotation (old → new: the old key signed it) and every key before K (K, or a key after it,
signed a save covering that history). Past a restore, trust in the old key does not reach the
new one: the restored store's key vouches for the restore, the source server's does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.keys import ChainError, PublicKey
from audit.messages import RESTORE, ROTATION, rotation_message


@dataclass
class Segment:
    """Positions ``first``–``last`` of the chain are signed by ``key_id``; ``link`` is how the
    chain came to this key: None (the first), ``ROTATION`` or ``RESTORE``."""

    key_id: str
    first: int
    last: int
    link: str | None = None


@dataclass
class KeyRing:
    """The keys to check a chain with.

    ``keys``: every public key that may appear, by key id (objects with ``key_id``, ``hex`` and
    ``verifies(signature, message)``: ``audit.keys.PublicKey``); a rotation adds the
    key it names. ``anchors``: the key ids trusted from outside (the server's key file; the key
    an auditor was given). ``final``: when set, the chain must end signed by this key (a store
    checks that it writes on with the key its chain leads to)."""

    keys: dict[str, Any]
    anchors: set[str]
    final: str | None = None
    segments: list[Segment] = field(default_factory=list)

    @classmethod
    def of(cls, public: Any, others: Iterable[Any] = ()) -> KeyRing:
        """Anchored at ``public``, which must also be the chain's last key."""
        keys = {k.key_id: k for k in others}
        keys[public.key_id] = public
        return cls(keys, {public.key_id}, public.key_id)

    @property
    def current(self) -> Any:
        return self.keys.get(self.segments[-1].key_id) if self.segments else None

    def check_save(
        self,
        kind: str,
        key_id: str,
        signature: str | None,
        message: bytes,
        positions: list[int],
        rotation: dict[str, Any] | None,
        previous: str,
        *,
        verify: bool = True,
    ) -> str | None:
        """Check one save's signature (``message`` as ``save_message`` makes it) with the key
        valid there, following a rotation; None when it holds, else what is wrong.
        ``rotation`` is the state of the save's event when it is a rotation, ``previous`` the
        chain hash before the save. Without ``verify`` (below a chain gate's checkpoint,
        ``audit.gate_checkpoints``) everything but the Ed25519 verifications is done."""
        first, last = positions[0], positions[-1]
        if kind in (ROTATION, RESTORE):
            return self._rotate(
                kind, key_id, signature, message, positions, rotation, previous, verify
            )
        key = self.current or self.keys.get(key_id)
        if key is None:
            return (
                f"the save at positions {first}–{last} is signed by key {key_id}, which is no "
                "key of this chain"
            )
        if key.key_id != key_id or (verify and not key.verifies(signature, message)):
            return (
                f"the signature over positions {first}–{last} does not verify with key "
                f"{key.key_id}: the chain rows were written or changed without the server's key"
            )
        if not self.segments:
            self.segments.append(Segment(key_id, first, last))
        self.segments[-1].last = last
        return None

    def _rotate(
        self,
        kind: str,
        key_id: str,
        signature: str | None,
        message: bytes,
        positions: list[int],
        rotation: dict[str, Any] | None,
        previous: str,
        verify: bool = True,
    ) -> str | None:
        where = f"the key rotation at position {positions[-1]}"
        expected = "rotation" if kind == ROTATION else "restore"
        if len(positions) != 1 or rotation is None or rotation["kind"] != expected:
            return f"{where} is not a rotation event in a save of its own"
        try:
            old, new = (
                PublicKey.from_hex(rotation["old_key"]),
                PublicKey.from_hex(rotation["new_key"]),
            )
        except ChainError:
            return f"{where} names a key that is not an Ed25519 public key"
        if rotation["previous"] != previous:
            return f"{where} was signed for another place in the chain (moved)"
        current = self.current
        if current is not None and current.key_id != old.key_id:
            return (
                f"{where} hands over from key {old.key_id}, but the chain was signed by "
                f"{current.key_id}"
            )
        if current is None:
            self.keys.setdefault(old.key_id, old)
        if new.key_id != key_id or (verify and not new.verifies(signature, message)):
            return f"{where} is not signed by the new key {new.key_id} it names"
        if (
            kind == ROTATION
            and verify
            and not old.verifies(
                rotation["old_signature"], rotation_message(old.hex, new.hex, previous)
            )
        ):
            return f"{where} is not signed by the old key {old.key_id}: it was forged"
        if any(s.key_id == new.key_id for s in self.segments) or new.key_id == old.key_id:
            return f"{where} goes back to key {new.key_id}, which signed before"
        self.keys[new.key_id] = new
        if not self.segments:
            self.segments.append(Segment(old.key_id, positions[0], positions[0] - 1))
        self.segments.append(Segment(new.key_id, positions[0], positions[-1], kind))
        return None

    def trusted(self) -> set[str]:
        """The key ids the anchors lead to along the chain's links."""
        ids = [s.key_id for s in self.segments]
        trusted = set(self.anchors)
        changed = True
        while changed:
            changed = False
            for i in range(len(ids) - 1):
                link = self.segments[i + 1].link
                forward = ids[i] in trusted and link == ROTATION and ids[i + 1] not in trusted
                backward = ids[i + 1] in trusted and ids[i] not in trusted
                if forward:
                    trusted.add(ids[i + 1])
                if backward:
                    trusted.add(ids[i])
                changed = changed or forward or backward
        return trusted

    def finish(self) -> str | None:
        """After the last row: every key of the chain reached from an anchor, and the chain
        ending with ``final``; None when so, else what is wrong."""
        if not self.segments:
            return None
        trusted = self.trusted()
        for segment in self.segments:
            if segment.key_id not in trusted:
                given = ", ".join(sorted(self.anchors)) or "none"
                return (
                    f"positions {segment.first}–{segment.last} are signed by key "
                    f"{segment.key_id}, which the trusted key ({given}) does not lead to"
                )
        last = self.segments[-1].key_id
        if self.final is not None and last != self.final:
            return (
                f"the chain was last signed by key {last}, but this server's key is "
                f"{self.final}: the signing key was replaced without `lianzhang keys rotate`"
            )
        return None

    def spans(self) -> list[tuple[str, int, int]]:
        """(key id, first position, last position) of each key, in chain order."""
        return [(s.key_id, s.first, s.last) for s in self.segments]


def trusted_checkpoint_key(document: Mapping[str, Any], ring: KeyRing) -> Any:
    """The key of the ring (trusted after ``finish``) that a checkpoint names, or None."""
    key_id = document.get("key_id")
    if not isinstance(key_id, str) or key_id not in ring.trusted():
        return None
    return ring.keys.get(key_id)
