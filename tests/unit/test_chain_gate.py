"""The chain gate's pure check (``audit.chain_gate.ChainCheck``), without a database:
pages of stored events and the chain rows ``audit.signing`` writes for them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from audit.chain_gate import ChainCheck
from audit.chain_table import chain_rows, signed_chain
from audit.key_ring import KeyRing
from audit.messages import ROTATION, ROTATION_TOPIC, SAVE, rotation_message
from audit.store_keys import load_or_create_key
from projections.pages import Stored

COLUMNS = [c.name for c in signed_chain.columns]


def event(position: int, amount: str = "1.00", version: int = 1) -> Stored:
    state = json.dumps({"amount": amount, "n": position}, separators=(",", ":")).encode()
    originator = str(uuid.UUID(int=position))
    return Stored(position, originator, version, "domain.books:Books.EntryPosted", state, None)


def signed(events: list[Stored], saves: list[int], signer: Any, previous: str = "0" * 64):
    """Chain rows for ``events`` in saves of the given sizes."""
    rows, at = [], 0
    for size in saves:
        chunk = events[at : at + size]
        made = chain_rows(
            previous,
            ((e.position, e.originator_id, e.originator_version, e.topic, e.data) for e in chunk),
            signer,
            SAVE,
        )
        rows += [dict(zip(COLUMNS, row, strict=True)) for row in made]
        previous, at = made[-1][4], at + size
    return rows


def test_a_signed_log_passes_save_by_save_across_pages(tmp_path: Path) -> None:
    signer = load_or_create_key(tmp_path / "k.pem")
    events = [event(p) for p in range(1, 8)]
    rows = signed(events, [1, 3, 3], signer)
    check = ChainCheck({signer.key_id: signer.public})
    # a page ends inside the second save: only the first save is shown so far
    assert check.feed(events[:3], rows[:3]) is None
    assert (check.position, check.pending) == (1, (2, 3))
    assert check.feed(events[3:], rows[3:]) is None
    assert check.finish() is None
    assert (check.position, check.hash) == (7, rows[-1]["hash"])
    # incremental: a check that starts at the frontier found before
    more = [event(p) for p in (8, 9)]
    more_rows = signed(more, [2], signer, previous=check.hash)
    again = ChainCheck({signer.key_id: signer.public}, check.position, check.hash)
    assert again.feed(more, more_rows) is None and again.position == 9


def test_every_uncovered_event_is_named(tmp_path: Path) -> None:
    signer = load_or_create_key(tmp_path / "k.pem")
    keys = {signer.key_id: signer.public}
    events = [event(p) for p in range(1, 5)]
    rows = signed(events, [2, 2], signer)

    def first(evs: list[Stored], rs: list[dict[str, Any]]) -> tuple[int, int, str]:
        check = ChainCheck(keys)
        problem = check.feed(evs, rs) or check.finish()
        assert problem is not None
        return problem.position, check.position, problem.kind

    # an event appended without a chain row: the signed saves before it are shown
    assert first([*events, event(5)], rows) == (5, 4, "unchained")
    # an event deleted (its chain row stays)
    assert first([e for e in events if e.position != 3], rows) == (3, 2, "deleted")
    # an event altered
    assert first([*events[:3], event(4, "999.00")], rows) == (4, 2, "altered")
    # another event at a signed position
    assert first([*events[:3], event(4, version=2)], rows) == (4, 2, "replaced")
    # chain rows appended without a signature
    extra = [event(5)]
    unsigned = [
        dict(r, kind=None, key_id=None, signature=None)
        for r in signed(extra, [1], signer, rows[-1]["hash"])
    ]
    assert first([*events, *extra], [*rows, *unsigned]) == (5, 4, "unsigned")
    # signed by another key, naming itself or claiming the server's
    other = load_or_create_key(tmp_path / "other.pem")
    forged = signed(extra, [1], other, rows[-1]["hash"])
    assert first([*events, *extra], [*rows, *forged]) == (5, 4, "unknown-key")
    claimed = [dict(r, key_id=signer.key_id) for r in forged]
    assert first([*events, *extra], [*rows, *claimed]) == (5, 4, "signature")


def test_a_change_of_key_without_a_rotation_is_refused(tmp_path: Path) -> None:
    old, new = load_or_create_key(tmp_path / "old.pem"), load_or_create_key(tmp_path / "new.pem")
    events = [event(p) for p in range(1, 5)]
    rows = signed(events[:2], [2], old)
    rows += signed(events[2:], [2], new, previous=rows[-1]["hash"])
    # both keys known: still refused, a key changes only through a rotation event
    both = ChainCheck({old.key_id: old.public, new.key_id: new.public})
    problem = both.feed(events, rows)
    assert problem is not None and (problem.position, problem.kind) == (3, "signature")
    only_new = ChainCheck({new.key_id: new.public})
    problem = only_new.feed(events, rows)
    assert problem is not None and (problem.position, problem.kind) == (1, "unknown-key")


def rotation(position: int, old: Any, new: Any, previous: str, forged: bool = False) -> Stored:
    signer = new if forged else old
    state = {
        "kind": "rotation",
        "old_key": old.public.hex,
        "new_key": new.public.hex,
        "previous": previous,
        "old_signature": signer.sign(rotation_message(old.public.hex, new.public.hex, previous)),
    }
    data = json.dumps(state, separators=(",", ":")).encode()
    return Stored(position, str(uuid.UUID(int=10_000 + position)), 1, ROTATION_TOPIC, data, None)


def rotated_row(e: Stored, new: Any, previous: str) -> dict[str, Any]:
    made = chain_rows(
        previous,
        [(e.position, e.originator_id, e.originator_version, e.topic, e.data)],
        new,
        ROTATION,
    )
    return dict(zip(COLUMNS, made[0], strict=True))


def test_a_rotation_signed_by_the_old_key_and_the_new_hands_the_chain_over(
    tmp_path: Path,
) -> None:
    old, new = load_or_create_key(tmp_path / "old.pem"), load_or_create_key(tmp_path / "new.pem")
    before = [event(p) for p in (1, 2)]
    rows = signed(before, [2], old)
    turn = rotation(3, old, new, rows[-1]["hash"])
    rows.append(rotated_row(turn, new, rows[-1]["hash"]))
    after = [event(p) for p in (4, 5)]
    rows += signed(after, [2], new, previous=rows[-1]["hash"])
    events = [*before, turn, *after]
    keys = {old.key_id: old.public, new.key_id: new.public}
    ring = KeyRing(dict(keys), {new.key_id}, new.key_id)
    check = ChainCheck(ring)
    assert check.feed(events, rows) is None and check.finish() is None
    assert check.position == 5
    # the server's key is still the old one: the chain does not end on it
    stale = ChainCheck(KeyRing(dict(keys), {old.key_id}, old.key_id))
    assert stale.feed(events, rows) is None
    broken = stale.finish()
    assert broken is not None and broken.kind == "key"
    # a rotation the old key did not sign (an attacker holding only a new key)
    forged = rotation(3, old, new, rows[1]["hash"], forged=True)
    forged_rows = [*rows[:2], rotated_row(forged, new, rows[1]["hash"])]
    problem = ChainCheck(KeyRing(dict(keys), {new.key_id}, new.key_id)).feed(
        [*before, forged], forged_rows
    )
    assert problem is not None and (problem.position, problem.kind) == (3, "signature")
