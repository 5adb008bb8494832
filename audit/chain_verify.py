"""Checking a log against its signed chain, across key rotations (``verify_log``): used by
``lianzhang verify``, by ``lianzhang import`` on an export, and by a store adopting its key.
It verifies the signature of every save: it never reads the chain gate's checkpoints
(``audit.gate_checkpoints``), which only spare the gate's own re-checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from audit.chain import GENESIS, canonical_event, chain_hash
from audit.key_ring import KeyRing
from audit.keys import PublicKey
from audit.messages import (
    RESTORE,
    ROTATION,
    ROTATION_TOPIC,
    SAVE,
    UPGRADE,
    check_checkpoint,
    rotation_state,
    save_message,
)

SEALS = (SAVE, UPGRADE, ROTATION, RESTORE)


def verify_log(
    notifications: Iterable[Any],
    rows: Iterable[Any],
    public: PublicKey | KeyRing,
    checkpoints: Sequence[dict[str, Any]] = (),
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Recompute the chain from the stored events and check it against the signed chain.

    Args:
        notifications: the stored events in position order (``id``, originator, topic, state).
        rows: the rows of ``lz_signed_chain`` in position order (mappings).
        public: the server's public key (the chain must be signed by it, or lead to it through
            rotations recorded in the chain), or a ``KeyRing`` (``audit.key_ring``) of
            the keys that may sign and the ones trusted.
        checkpoints: signed checkpoints kept outside the database, each signed by a key the
            chain trusts.

    Returns:
        The first problem found (an empty list when none) and a summary: ``events`` (how many),
        ``position`` and ``hash`` of the last, ``sealed_at_upgrade`` (how many events were chained
        at the upgrade, not when written), ``keys`` (each signing key with the positions it
        signed: ``[key_id, first, last]``).
    """
    ring = public if isinstance(public, KeyRing) else KeyRing.of(public)
    problems: list[dict[str, Any]] = []
    summary: dict[str, Any] = {
        "events": 0,
        "position": 0,
        "hash": GENESIS,
        "sealed_at_upgrade": 0,
        "keys": [],
    }
    hashes: dict[int, str] = {}

    def problem(
        position: int, detail: str, **extra: Any
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return [{"check": "chain", "position": position, "detail": detail, **extra}], summary

    wanted: set[int] = set()
    for document in checkpoints:
        at = document.get("position") if isinstance(document, dict) else None
        if not isinstance(at, int) or isinstance(at, bool):
            return problem(0, "checkpoint: it is not a Lianzhang checkpoint")
        wanted.add(at)
    previous = save_start = GENESIS
    pending: list[int] = []
    rotation: dict[str, Any] | None = None
    events, chain = _peekable(notifications), _peekable(rows)
    while events.head is not None or chain.head is not None:
        event, row = events.head, chain.head
        if row is None or (event is not None and event.id < row["position"]):
            assert event is not None
            return problem(
                event.id,
                f"event at position {event.id} is not in the signed chain: it was written into "
                "the database without the server's key (inserted or appended)",
            )
        position = int(row["position"])
        if event is None or event.id > position:
            return problem(
                position,
                f"the signed chain has position {position} but the log has no event there: "
                "it was deleted",
            )
        events.next()
        chain.next()
        try:
            canonical = canonical_event(
                event.originator_id, event.originator_version, event.topic, event.state
            )
        except (ValueError, UnicodeDecodeError) as error:
            return problem(
                position, f"the stored event at position {position} is not valid JSON: {error}"
            )
        if (canonical["originator_id"], canonical["originator_version"]) != (
            str(row["originator_id"]),
            int(row["originator_version"]),
        ):
            return problem(
                position,
                f"event at position {position} is not the event signed there: events were "
                "moved or replaced",
            )
        computed = chain_hash(previous, canonical)
        if row["previous"] != previous or row["hash"] != computed:
            return problem(
                position,
                f"event at position {position} does not hash to the signed chain: it was "
                "altered, or events before it were moved",
                expected=row["hash"],
                computed=computed,
            )
        if not pending:
            save_start = previous
        previous = computed
        pending.append(position)
        if canonical["topic"] == ROTATION_TOPIC:
            rotation = rotation_state(canonical["state"])
        if position in wanted:
            hashes[position] = computed
        if row["signature"] is not None:
            kind = row["kind"]
            wrong = (
                f"the signature over positions {pending[0]}–{position} has an unknown kind"
                if kind not in SEALS
                else ring.check_save(
                    kind,
                    str(row["key_id"]),
                    row["signature"],
                    save_message(kind, pending, computed),
                    pending,
                    rotation if kind in (ROTATION, RESTORE) else None,
                    save_start,
                )
            )
            if wrong is None and kind in (SAVE, UPGRADE) and rotation is not None:
                wrong = (
                    f"a key rotation at positions {pending[0]}–{position} was not signed as "
                    "one: it was written without the keys"
                )
            if wrong is not None:
                return problem(pending[0], wrong)
            if kind == UPGRADE:
                summary["sealed_at_upgrade"] += len(pending)
            pending, rotation = [], None
        summary["events"] += 1
        summary["position"], summary["hash"] = position, computed
    if pending:
        return problem(
            pending[0],
            f"positions {pending[0]}–{pending[-1]} at the end of the chain carry no signature: "
            "they were appended without the server's key",
        )
    wrong_keys = ring.finish()
    summary["keys"] = [list(span) for span in ring.spans()]
    if wrong_keys is not None:
        return problem(ring.segments[-1].first if ring.segments else 0, wrong_keys)
    trusted = ring.trusted()
    for document in sorted(checkpoints, key=lambda c: int(c["position"])):
        named = str(document.get("key_id"))
        key = ring.keys.get(named) if named in trusted else None
        if key is None and not ring.segments and ring.final is not None:
            key = ring.keys.get(ring.final)
        at = int(document["position"])
        wrong = (
            check_checkpoint(document, key)
            if key is not None
            else f"it was signed by key {document.get('key_id')}, which is not a key of this chain"
        )
        if wrong is not None:
            return problem(at, f"checkpoint: {wrong}")
        made = document.get("made_at", "?")
        if at > summary["position"]:
            return problem(
                at,
                f"the log ends at position {summary['position']} but a checkpoint made at "
                f"{made} vouches for position {at}: events were cut off the end",
            )
        if at and hashes.get(at) != document["hash"]:
            return problem(
                at,
                f"the log at position {at} does not give the hash of the checkpoint made at "
                f"{made}: the history up to there was rewritten",
            )
    return problems, summary


class _peekable:
    def __init__(self, items: Iterable[Any]) -> None:
        self._items: Iterator[Any] = iter(items)
        self.head: Any = next(self._items, None)

    def next(self) -> None:
        self.head = next(self._items, None)
