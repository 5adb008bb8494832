"""Aggregate id → code, for events that carry only their originator id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Table, select


class CodeLookup:
    """Reads a code once from the read model's ``aggregate_id`` column and remembers it (ids
    are uuid5 of codes, so the mapping never changes, also across a rebuild)."""

    def __init__(self) -> None:
        self._codes: dict[Any, str] = {}

    def __call__(self, conn: Connection, table: Table, column: Column[Any], event: Any) -> str:
        code = self._codes.get(event.originator_id)
        if code is None:
            code = str(
                conn.execute(
                    select(column).where(table.c.aggregate_id == str(event.originator_id))
                ).scalar_one()
            )
            self._codes[event.originator_id] = code
        return code
