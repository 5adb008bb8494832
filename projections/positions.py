"""The tracking positions of the read models and how a page of events moves them: shared by
the pull loop (``projections.runner``) and the rebuild's replay path (``projections.replay``),
so neither imports the other's module for them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from projections.pages import PageWriter, Stored
from projections.tables import tracking

# Failures of the database itself, not of a projection on an event: raised, never "stuck".
STORE_ERRORS = (OperationalError, InterfaceError, DisconnectionError)


class Projection(Protocol):
    """A read model: its tables and how one stored event changes them, through the page's
    writer (``projections.pages``); optional ``begin_page(writer)`` and ``end_page(writer)``
    bracket every page."""

    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> Sequence[Table]: ...

    def apply(self, w: PageWriter, event: Stored, position: int) -> None: ...


def apply_page(
    writer: PageWriter,
    projections: Sequence[Projection],
    events: Sequence[Stored],
    starts: dict[str, int] | None = None,
) -> None:
    """Give a page of stored events to every projection that has not seen them (``starts``:
    the position each has reached), then write the page's rows set-based (one executemany
    per table). The pull loop and the rebuild's replay (``projections.replay``) both use it."""
    for projection in projections:
        begin = getattr(projection, "begin_page", None)
        if begin is not None:
            begin(writer)
    for projection in projections:
        start = 0 if starts is None else starts[projection.name]
        apply = projection.apply
        for event in events:
            if event.position > start:
                apply(writer, event, event.position)
    for projection in projections:
        finish = getattr(projection, "end_page", None)
        if finish is not None:
            finish(writer)
    writer.flush()


class TrackingConflict(Exception):
    """Another process applied the same page first; the page is read again."""


def lock_rows(conn: Connection, table: Table, names: Iterable[str]) -> dict[str, int]:
    """The positions of the rows of ``names`` found in a tracking ``table``, locked in name
    order: the one order every locker of tracking rows takes them in, so two never deadlock."""
    wanted = sorted(names)
    return {
        str(name): int(position)
        for name, position in conn.execute(
            select(table.c.projection, table.c.position)
            .where(table.c.projection.in_(wanted))
            .order_by(table.c.projection)
            .with_for_update()
        ).all()
    }


def lock_positions(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """The tracking positions of ``names``, their rows locked in name order (PostgreSQL: a
    second process waits here and then sees the positions the first one wrote; SQLite
    transactions begin IMMEDIATE, which serialises them the same way); 0 without a row."""
    wanted = sorted(names)
    found = lock_rows(conn, tracking, wanted)
    return {name: found.get(name, 0) for name in wanted}


def move_positions(conn: Connection, starts: dict[str, int], end: int) -> None:
    """Move every tracking position of ``starts`` that is before ``end`` to ``end``, if it is
    still where it started (compare and set; projections level with each other move in one
    statement), else raise TrackingConflict."""
    moving: dict[int, list[str]] = {}  # start → the projections that were there
    for name, start in starts.items():
        if end > start:
            moving.setdefault(start, []).append(name)
    for start, moved in moving.items():
        result = conn.execute(
            update(tracking)
            .where(tracking.c.projection.in_(moved))
            .where(tracking.c.position == start)
            .values(position=end)
        )
        if result.rowcount != len(moved):
            raise TrackingConflict(", ".join(moved))


def read_position(conn: Connection, name: str, *, for_update: bool = False) -> int:
    query = select(tracking.c.position).where(tracking.c.projection == name)
    if for_update:
        query = query.with_for_update()
    value = conn.execute(query).scalar_one_or_none()
    return int(value or 0)


def has_tracking_row(conn: Connection, name: str) -> bool:
    return (
        # FOR UPDATE: the insert that may follow must not find its SQLite snapshot stale
        conn.execute(
            select(tracking.c.projection).where(tracking.c.projection == name).with_for_update()
        ).first()
        is not None
    )
