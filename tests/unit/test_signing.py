"""The signed chain as pure functions: whatever the saves, the untouched log verifies, and any
change a key-less writer can make to an event, a position or a signature is found where it is;
the stand-alone verifier's pure-Python Ed25519 agrees with ``cryptography``."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.chain_table import chain_rows
from audit.chain_verify import verify_log
from audit.keys import Signer
from audit.messages import SAVE
from scripts.verify_export.chain import ed25519_verify


@dataclass(frozen=True)
class Note:
    id: int
    originator_id: uuid.UUID
    originator_version: int
    topic: str
    state: bytes


KEY = Signer(Ed25519PrivateKey.generate())


def log(sizes: list[int]) -> list[Note]:
    notes, position = [], 0
    for size in sizes:
        for _ in range(size):
            position += 1 + position % 3  # positions with gaps, as on PostgreSQL
            state = json.dumps({"amount": {"_type_": "cny", "_data_": f"{position}.00"}})
            notes.append(
                Note(position, uuid.uuid4(), 1, "domain.books:Books.EntryPosted", state.encode())
            )
    return notes


def signed(notes: list[Note], sizes: list[int], key: Signer) -> list[dict[str, Any]]:
    columns = (
        "position",
        "originator_id",
        "originator_version",
        "previous",
        "hash",
        "kind",
        "key_id",
        "signature",
    )
    rows: list[dict[str, Any]] = []
    start = 0
    for size in sizes:
        save = notes[start : start + size]
        previous = rows[-1]["hash"] if rows else "0" * 64
        made = chain_rows(
            previous,
            ((n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in save),
            key,
            SAVE,
        )
        rows += [dict(zip(columns, r, strict=True)) for r in made]
        start += size
    return rows


saves = st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(sizes=saves, data=st.data())
def test_any_change_to_an_event_is_found_at_its_position(
    sizes: list[int], data: st.DataObject
) -> None:
    key = KEY
    notes = log(sizes)
    rows = signed(notes, sizes, key)
    assert verify_log(notes, rows, key.public)[0] == []
    victim = data.draw(st.integers(min_value=0, max_value=len(notes) - 1))
    changed = list(notes)
    changed[victim] = replace(notes[victim], state=notes[victim].state.replace(b".00", b".01"))
    problems = verify_log(changed, rows, key.public)[0]
    assert [p["position"] for p in problems] == [notes[victim].id]
    # recomputing every hash after it does not help: the save's signature fails
    fixed = signed(changed, sizes, key)
    for row, honest in zip(fixed, rows, strict=True):
        row["signature"] = honest["signature"]
    problems = verify_log(changed, fixed, key.public)[0]
    assert problems and problems[0]["position"] <= notes[victim].id


@settings(max_examples=12, deadline=None)
@given(message=st.binary(max_size=200), flip=st.integers(min_value=0, max_value=63))
def test_pure_python_ed25519_agrees_with_cryptography(message: bytes, flip: int) -> None:
    key = KEY
    signature = bytes.fromhex(key.sign(message))
    assert ed25519_verify(key.public.raw, message, signature)
    bad = bytearray(signature)
    bad[flip] ^= 1
    assert not ed25519_verify(key.public.raw, message, bytes(bad))
    assert not ed25519_verify(key.public.raw, message + b"x", signature)
