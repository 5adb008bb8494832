"""The rebuild's replay path: the read models rebuilt from the raw event rows.

``lianzhang rebuild`` (into shadow tables: ``projections.online``; ``--offline``: in place,
``PullLoop.rebuild``) and ``verify``'s scratch replays come here instead
of the pull loop's pages of 1,000 notifications. What differs from the pull loop:

- the stored events are read straight from the events table with SQL (position, originator,
  version, topic, state bytes), ``REPLAY_PAGE`` at a time, not through the library's recorder
  and mapper; a view parses the state once as plain JSON and reads the few fields it needs
  (amounts as whole fen from their stored two-place strings, ``projections.pages``); only the
  rare events with rich payloads (plans, sheets, agreements) are decoded by the library;
- each page is written set-based: one executemany per table (``PageWriter``), monthly
  movements summed in memory in integer fen and written once per page, the chain hashed from
  the stored state (``audit.stored_canonical_bytes``);
- the next page is read while the current one is applied (a reader thread);
- no savepoint per event: a page that fails is rolled back and the replay stops there; the pull
  loop then goes on from the positions reached, with its per-event fallback that leaves a
  failing projection stuck just before its event and lets the others go on.

The projections are the same objects and the same code as the pull loop's, so a replay and the
pull loop give the same rows (``tests/integration/test_replay.py`` compares every table on both
stores). Tracking positions move with every page, compare-and-set, as in the pull loop: a
rebuild stopped half-way is resumed by the next catch-up.

Not parallel: SQLite has one writer, the chain is sequential by definition, and the machine
this was measured on has two cores shared with other work; decoding is already the smaller
part of a page (see ``/work/wt/notes/replay.md`` for the numbers).

``rebuild(runtime)`` and ``read_and_decode(runtime)`` are the benchmark's entry points
(``scripts/bench.py``): a full rebuild with its statistics, and the baseline it is compared
with, reading and decoding every notification through the library.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, Protocol

from eventsourcing.application import Application
from sqlalchemy import Engine

from projections.pages import PageWriter, Stored, dashed
from projections.positions import (
    STORE_ERRORS,
    Projection,
    apply_page,
    lock_positions,
    move_positions,
    read_position,
)


class Loop(Protocol):
    """What the replay needs of the pull loop (``projections.runner.PullLoop``): its
    application, read-model engine, projections, and lock (one applier per process)."""

    @property
    def app(self) -> Application[Any]: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def projections(self) -> Sequence[Projection]: ...

    @property
    def _lock(self) -> AbstractContextManager[Any]: ...

    def _ensure_tracking_row(self, projection: Projection) -> None: ...


class Views(Protocol):
    """What ``rebuild`` needs of the runtime's views (the pull loop)."""

    @property
    def stuck(self) -> Mapping[str, Any]: ...

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int: ...


class Rebuilt(Protocol):
    """What the benchmark's entry points need of a runtime (the composition root's is one):
    its application and its views; the replay does not import the composition root."""

    @property
    def app(self) -> Application[Any]: ...

    @property
    def views(self) -> Views: ...


REPLAY_PAGE = 5000


def read_stored(
    source: Engine, table: str, mapper: Any, start: int, limit: int, stop: int | None = None
) -> list[Stored]:
    """The stored events after position ``start`` (up to ``stop``), straight from the table."""
    position = "notification_id" if source.dialect.name == "postgresql" else "rowid"
    mark = "?" if source.dialect.paramstyle == "qmark" else "%s"
    query = (
        f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE {position} > {mark}"
        + ("" if stop is None else f" AND {position} <= {mark}")
        + f" ORDER BY {position} LIMIT {mark}"
    )
    params = (start, limit) if stop is None else (start, stop, limit)
    with source.connect() as conn:
        # the driver's own cursor: plain tuples, nothing converted (SQLite gives the id as
        # 32 hex digits, PostgreSQL as a uuid; ``dashed`` makes both the same text)
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(query, params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
    return [Stored(p, dashed(o), v, t, s, mapper) for p, o, v, t, s in rows]


def replay(
    loop: Loop,
    source: Engine,
    *,
    stop: int | None = None,
    progress: Callable[[int], None] | None = None,
    page: int = REPLAY_PAGE,
) -> int:
    """Apply the log (up to ``stop``) to ``loop``'s projections from where they are, in large
    set-based pages; returns how many events were applied. Stops early, leaving the rest to
    the pull loop, when a page fails or another process moved a position."""
    app = loop.app
    table = app.recorder.events_table_name  # type: ignore[attr-defined]
    projections = loop.projections
    for projection in projections:
        loop._ensure_tracking_row(projection)
    applied = 0
    # the next page is read while this one is computed and written (the drivers let go of the
    # interpreter while they wait for the database)
    ahead: tuple[int, Future[list[Stored]]] | None = None
    with loop._lock, ThreadPoolExecutor(max_workers=1) as reader:
        while True:
            with loop.engine.connect() as conn:
                starts = {p.name: read_position(conn, p.name) for p in projections}
            reached = min(starts.values())
            if ahead is not None and ahead[0] == reached:
                events = ahead[1].result()
            else:
                events = read_stored(source, table, app.mapper, reached, page, stop)
            ahead = None
            if not events:
                return applied
            end = events[-1].position
            if len(events) == page and (stop is None or end < stop):
                following = reader.submit(read_stored, source, table, app.mapper, end, page, stop)
                ahead = (end, following)
            try:
                with loop.engine.begin() as conn:
                    if lock_positions(conn, starts) != starts:
                        return applied  # another process is applying: the pull loop goes on
                    apply_page(PageWriter(conn), projections, events, starts)
                    move_positions(conn, starts, end)
            except STORE_ERRORS:
                raise
            except Exception:  # a projection failed on an event of this page, or a position
                return applied  # moved: the pull loop applies the rest, one by one if need be
            applied += len(events)
            if progress is not None:
                progress(len(events))


# -- the benchmark's entry points ------------------------------------------------------------


def rebuild(runtime: Rebuilt, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """``lianzhang rebuild --offline``: every read model dropped and rebuilt in place; returns
    its statistics."""
    began = time.perf_counter()
    applied = runtime.views.rebuild(progress)
    seconds = time.perf_counter() - began
    return {
        "events": applied,
        "seconds": seconds,
        "events_per_second": applied / seconds if seconds else 0.0,
        "stuck": sorted(runtime.views.stuck),
    }


def read_and_decode(runtime: Rebuilt, page: int = 1000) -> int:
    """The baseline: read every notification through the library and decode it into its
    domain event (what any consumer of the log pays at least); returns the count."""
    app = runtime.app
    count = start = 0
    while batch := app.recorder.select_notifications(
        start=start, limit=page, inclusive_of_start=False
    ):
        for notification in batch:
            app.mapper.to_domain_event(notification)
        count += len(batch)
        start = batch[-1].id
    return count
