"""Canonical bytes of a JSON-shaped value, and their SHA-256: the form digests are taken of.

Fixed key order (sorted), no insignificant whitespace, UTF-8 without escapes, decimals and
amounts already written as strings by their producers. The same value always gives the same
bytes, so anyone can recompute a digest with any JSON library that sorts keys.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(value: Any) -> bytes:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical bytes of ``value``."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
