"""Aggregate id → code, for events that carry only their originator id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table, select


class CodeLookup:
    """Remembers the code of every aggregate a view saw created (``remember``), and reads the
    others once from the read model's ``aggregate_id`` column (ids are uuid5 of codes, so the
    mapping never changes, also across a rebuild)."""

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def remember(self, aggregate_id: Any, code: str) -> None:
        self._codes[str(aggregate_id)] = code

    def __call__(self, writer: Any, table: Table, column: Column[Any], event: Any) -> str:
        key = str(event.originator_id)
        code = self._codes.get(key)
        if code is None:
            code = str(
                writer.execute(select(column).where(table.c.aggregate_id == key)).scalar_one()
            )
            self._codes[key] = code
        return code
