"""The pull loop that keeps read models up to date, on SQLite and PostgreSQL alike.

For each projection: read its tracking position, select the next page of notifications from the
event store, apply them, and write the rows together with the new position in one transaction.
The position is written only if it is still the one the page started from (compare and set), so
two processes catching up at once never apply an event twice, and a crash in the middle of a
page leaves nothing half-applied: the page is simply applied again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from projections.tables import metadata, tracking

PAGE_SIZE = 1000


class Projection(Protocol):
    """A read model: its tables and how one event changes them."""

    name: str
    tables: Sequence[Table]

    def apply(self, conn: Connection, event: Any, position: int) -> None: ...


class TrackingConflict(Exception):
    """Another process applied the same page first; the page is read again."""


class PullLoop:
    """Applies new events to every projection; ``catch_up`` is cheap when nothing is new."""

    def __init__(
        self,
        app: Application[Any],
        engine: Engine,
        projections: Sequence[Projection],
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.app = app
        self.engine = engine
        self.projections = tuple(projections)
        self.page_size = page_size
        self._lock = threading.Lock()

    def create_tables(self) -> None:
        metadata.create_all(self.engine)

    def head(self) -> int:
        """The id of the last notification in the event store (0 when empty)."""
        return self.app.recorder.max_notification_id() or 0

    def catch_up(
        self, progress: Callable[[int], None] | None = None, *, stop: int | None = None
    ) -> int:
        """Apply every event not yet applied (up to notification ``stop`` when given, for a
        read model as of a past position); returns how many events were read and applied."""
        if stop is None and not self._behind():
            return 0
        applied = 0
        with self._lock:
            for projection in self.projections:
                self._ensure_tracking_row(projection)
            while True:
                try:
                    count = self._apply_page(stop)
                except TrackingConflict:
                    continue
                if count == 0:
                    break
                applied += count
                if progress is not None:
                    progress(count)
        return applied

    def _behind(self) -> bool:
        """Whether any projection has events left to apply: two short reads that take no lock,
        so the many requests that find the views up to date wait for nobody (on SQLite a locked
        catch-up per request serialised every request of the server)."""
        head = self.head()
        with self.engine.connect() as conn:
            positions = dict(conn.execute(select(tracking.c.projection, tracking.c.position)).all())
        return any(int(positions.get(p.name, -1)) < head for p in self.projections)

    def _ensure_tracking_row(self, projection: Projection) -> None:
        with self.engine.begin() as conn:
            if not _has_tracking_row(conn, projection.name):
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(tracking).values(projection=projection.name, position=0)
                        )
                except IntegrityError:
                    pass  # another process created it first

    def _apply_page(self, stop: int | None = None) -> int:
        """Read one page after the furthest-behind projection, decode each event once, and give
        it to every projection that has not seen it; all positions move in the same
        transaction as the rows."""
        with self.engine.begin() as conn:
            # Lock the tracking rows, always in the same order (PostgreSQL): a second process
            # waits here and then sees the positions the first one wrote. SQLite transactions
            # begin IMMEDIATE, which serialises them the same way.
            starts = {
                p.name: _read_position(conn, p.name, for_update=True)
                for p in sorted(self.projections, key=lambda p: p.name)
            }
            notifications = self.app.recorder.select_notifications(
                start=min(starts.values()),
                limit=self.page_size,
                stop=stop,
                inclusive_of_start=False,
            )
            if not notifications:
                return 0
            for projection in self.projections:
                begin = getattr(projection, "begin_page", None)
                if begin is not None:
                    begin(conn)
            for notification in notifications:
                event = self.app.mapper.to_domain_event(notification)
                for projection in self.projections:
                    if notification.id > starts[projection.name]:
                        # a projection that hashes the log itself asks for the stored bytes
                        given = notification if getattr(projection, "raw", False) else event
                        projection.apply(conn, given, notification.id)
            for projection in self.projections:
                finish = getattr(projection, "end_page", None)
                if finish is not None:
                    finish(conn)
            end = notifications[-1].id
            for projection in self.projections:
                start = starts[projection.name]
                if end <= start:
                    continue
                result = conn.execute(
                    update(tracking)
                    .where(tracking.c.projection == projection.name)
                    .where(tracking.c.position == start)
                    .values(position=end)
                )
                if result.rowcount != 1:
                    raise TrackingConflict(projection.name)
            return len(notifications)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop every projection's tables and tracking, recreate them, and replay the log."""
        with self._lock, self.engine.begin() as conn:
            for projection in self.projections:
                for table in reversed(projection.tables):
                    table.drop(conn, checkfirst=True)
                conn.execute(tracking.delete().where(tracking.c.projection == projection.name))
            for projection in self.projections:
                for table in projection.tables:
                    table.create(conn)
        return self.catch_up(progress)


def _read_position(conn: Connection, name: str, *, for_update: bool = False) -> int:
    query = select(tracking.c.position).where(tracking.c.projection == name)
    if for_update:
        query = query.with_for_update()
    value = conn.execute(query).scalar_one_or_none()
    return int(value or 0)


def _has_tracking_row(conn: Connection, name: str) -> bool:
    return (
        # FOR UPDATE: the insert that may follow must not find its SQLite snapshot stale
        conn.execute(
            select(tracking.c.projection).where(tracking.c.projection == name).with_for_update()
        ).first()
        is not None
    )
