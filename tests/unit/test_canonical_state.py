"""The chain's canonical bytes of a stored state are ``ledger.canonical.canonical_bytes`` of it,
whichever encoder makes them (orjson when installed, the standard library otherwise)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from audit import chain
from audit.chain import canonical_state, notification_event, stored_canonical_bytes
from ledger.canonical import canonical_bytes
from projections.pages import Stored

EVERY_CHARACTER = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)


def stored(state: Any) -> Stored:
    data = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Stored(7, "0f0e0d0c-0b0a-0908-0706-050403020100", 3, "domain.books:Books.X", data, None)


@pytest.mark.parametrize(
    "state",
    [
        {"b": EVERY_CHARACTER, "a": {EVERY_CHARACTER[:5000]: [1, -2, 0, True, False, None]}},
        {"z": {"_type_": "cny", "_data_": "-800.00"}, "a": [{"y": 1, "x": 2}], "中": "\u2028\x7f"},
        {"big": 2**64, "small": -(2**63)},  # past 64 bits: the standard library's
        {"rate": 1.5, "tiny": 1e-7, "huge": 1e16},  # floats: the standard library's
        {"odd": float("nan")},
    ],
    ids=["every-character", "nested", "big-integer", "floats", "nan"],
)
def test_the_same_bytes_as_the_standard_library(state: dict[str, Any]) -> None:
    event = stored(state)
    if "odd" in state:  # NaN: refused by both, as when it was written
        with pytest.raises(ValueError):
            canonical_bytes(event.state)
        with pytest.raises(ValueError):
            canonical_state(event)
        return
    assert canonical_state(event) == canonical_bytes(event.state)
    assert event.floats == ("rate" in state)


def test_stored_canonical_bytes_are_the_canonical_event() -> None:
    event = stored({"timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-02T03:04:05+00:00"}})

    class Notification:
        originator_id = event.originator_id
        originator_version = event.originator_version
        topic = event.topic
        state = event.data

    assert stored_canonical_bytes(event) == canonical_bytes(notification_event(Notification))


def test_orjson_is_installed() -> None:
    """It is a dependency (pyproject.toml): the rebuild's chain is several times faster."""
    assert chain._orjson is not None


@pytest.mark.parametrize(
    "data",
    [
        b'{"x":1.5,"a":"\\u4e2d\\n"}',  # escaped as an older writer may have: same values
        b'{"b":[1e16,-0.0],"a":1E-7}',
        b'{"a" : 1 , "b":"x"}',  # whitespace
    ],
)
def test_stored_bytes_in_other_forms_give_the_same_state_and_bytes(data: bytes) -> None:
    event = Stored(1, "0f0e0d0c-0b0a-0908-0706-050403020100", 1, "m:C.E", data, None)
    assert event.state == json.loads(data)
    assert canonical_state(event) == canonical_bytes(json.loads(data))
