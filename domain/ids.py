"""Stable aggregate ids: uuid5 of a kind and a code, so loading the demo twice finds the same
aggregates instead of creating new ones, and any tool can derive an id from a code."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c2a4e-5b0d-5c7e-9a43-1d2e3f405061")


def alliance_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"alliance:{code}")


def entity_id(code: str) -> UUID:
    """Id of an accounting entity (a village collective or a joint entity) by its code."""
    return uuid5(NAMESPACE, f"entity:{code}")
