"""The pull loop that keeps read models up to date, on SQLite and PostgreSQL alike.

For each projection: read its tracking position, select the next page of notifications from the
event store, apply them, and write the rows together with the new position in one transaction.
The position is written only if it is still the one the page started from (compare and set), so
two processes catching up at once never apply an event twice, and a crash in the middle of a
page leaves nothing half-applied: the page is simply applied again. A page is applied
set-based (``apply_page``, ``projections.pages``): every projection computes its rows in memory
and the page's writer writes them with one executemany (or COPY) per table; ``rebuild`` resets
the tables and replays the raw event rows in larger pages (``projections.replay``).

A projection that fails on an event does not take the others down (one bad
event must not stop every view): the page is
applied again one projection at a time and event by event (a savepoint each), the failing
projection stops just before the event it cannot apply and is *stuck* (``PullLoop.stuck``:
which projection, at which event, why), and the others go on. The views that read a stuck
projection answer 503 (``ProjectionStuckError``; ``web.views`` says which routes need which
projection); ``/healthz`` reports it; ``lianzhang verify`` and ``rebuild`` name it and exit 2.
A stuck projection is tried again at most every ``STUCK_RETRY_SECONDS`` (a fix deployed, a
transient error gone) and on every ``rebuild``. Errors of the database itself (connection lost,
locked) are not a projection's fault and are raised as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.application import Application
from sqlalchemy import Engine, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from projections.pages import PageWriter, Stored
from projections.positions import (
    STORE_ERRORS,
    Projection,
    TrackingConflict,
    apply_page,
    has_tracking_row,
    lock_positions,
    move_positions,
    read_position,
)
from projections.replay import replay
from projections.tables import SQLITE_SECOND_INDEX, metadata, secondary_indexes, tracking

__all__ = ["STORE_ERRORS", "Projection", "ProjectionStuckError", "PullLoop", "Stuck", "apply_page"]

PAGE_SIZE = 1000
STUCK_RETRY_SECONDS = 30.0
# Whether a rebuild builds the secondary indexes after the replay rather than keeping them up:
# measured no faster (30,150 events, three rebuilds of each kind interleaved, medians: SQLite
# 6.6 s kept up against 7.7 s after, PostgreSQL 11.2 s against 10.9 s), so kept up on both.
INDEXES_AFTER = {"sqlite": False, "postgresql": False}


class Gate(Protocol):
    """What the pull loop asks of the chain gate (``audit.chain_gate.ChainGate``)."""

    def advance(self, stop: int | None = None) -> int: ...

    def reset(self) -> None: ...

    def require(self) -> None: ...


@dataclass(frozen=True)
class Stuck:
    """A projection that cannot apply the event at ``position``; it holds every event before."""

    projection: str
    position: int
    error: str

    def sentence(self) -> str:
        return (
            f"read model {self.projection!r} is stuck at event {self.position} ({self.error}); "
            "the event log is intact, the views built from this read model are unavailable "
            "until the cause is fixed and `lianzhang rebuild` is run"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"projection": self.projection, "position": self.position, "error": self.error}


class ProjectionStuckError(Exception):
    """A view was asked of a read model that is stuck."""

    def __init__(self, stuck: Sequence[Stuck]) -> None:
        self.stuck = tuple(stuck)
        super().__init__("; ".join(s.sentence() for s in self.stuck))


def describe(error: BaseException) -> str:
    """One line: the error's class and the first line of its message, shortened."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else ""
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(original).__name__}: {text}" if text else type(original).__name__


class PullLoop:
    """Applies new events to every projection; ``catch_up`` is cheap when nothing is new."""

    def __init__(
        self,
        app: Application[Any],
        engine: Engine,
        projections: Sequence[Projection],
        *,
        page_size: int = PAGE_SIZE,
        gate: Gate | None = None,
    ) -> None:
        self.app = app
        self.gate = gate
        self.engine = engine
        self.projections = tuple(projections)
        self.page_size = page_size
        self._lock = threading.Lock()
        self._tracked: set[str] = set()  # projections whose tracking row this process has seen
        self.stuck: dict[str, Stuck] = {}
        self._stuck_at: dict[str, float] = {}

    def require(self, names: Iterable[str]) -> None:
        """Raise ProjectionStuckError when any of the named projections is stuck, and its
        ``ChainBrokenError`` (every view) when the gate stopped before an event the signed
        chain does not cover."""
        if self.gate is not None:
            self.gate.require()
        found = [self.stuck[name] for name in names if name in self.stuck]
        if found:
            raise ProjectionStuckError(found)

    def _active(self) -> list[Projection]:
        """The projections to apply events to: not stuck, or stuck long enough to try again."""
        now = time.monotonic()
        active = []
        for projection in self.projections:
            since = self._stuck_at.get(projection.name)
            if since is None or now - since >= STUCK_RETRY_SECONDS:
                active.append(projection)
        return active

    def create_tables(self) -> None:
        """The read models' tables, and on a store made before an index was added to a table,
        that index (``create_all`` makes a table's indexes only with the table)."""
        # one look at the catalogue for the tables and one for their indexes (not one query
        # per table: some 70 round trips at every start on PostgreSQL)
        with self.engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
        missing = [t for t in metadata.sorted_tables if t.name not in existing]
        if missing:
            metadata.create_all(self.engine, tables=missing)
        tables = [t for t in metadata.sorted_tables if t.name in existing and t.indexes]
        if not tables:
            return
        with self.engine.begin() as conn:
            found = inspect(conn).get_multi_indexes(filter_names=[t.name for t in tables])
            for table in tables:
                # an index under its second name (a table the online rebuild renamed on
                # SQLite) is that index, not one lacking; where an earlier start made the
                # index again under its first name beside it, that copy goes (it left the
                # next rebuild no free name for its shadow's index)
                present = {str(i["name"]) for i in found.get((None, table.name), [])}
                for index in table.indexes:
                    second = f"{index.name}{SQLITE_SECOND_INDEX}"
                    if second in present and index.name in present:
                        conn.exec_driver_sql(f'DROP INDEX "{index.name}"')
                    elif second not in present and index.name not in present:
                        index.create(conn)

    def head(self) -> int:
        """The id of the last notification in the event store (0 when empty)."""
        return self.app.recorder.max_notification_id() or 0

    def catch_up(
        self,
        progress: Callable[[int], None] | None = None,
        *,
        stop: int | None = None,
        only: Collection[str] | None = None,
    ) -> int:
        """Apply every event not yet applied (up to notification ``stop`` when given, for a
        read model as of a past position); returns how many events were read and applied.
        ``only``: the projections of these names (the others stay where they are, for the next
        catch-up); a projection that reads another's rows as it applies names it too (the
        economy reads the ledger's entities: ``web.views.answer_reads`` always adds it)."""
        if self.stuck:
            self._forget_passed()
        if stop is None and not self._behind(only=only):
            return 0
        if self.gate is not None:  # only what the signed chain covers (audit.chain_gate)
            stop = self.gate.advance(stop)
            if not self._behind(stop, only=only):
                return 0
        applied = 0
        with self._lock:
            for projection in self.projections:
                if projection.name not in self._tracked:
                    self._ensure_tracking_row(projection)
                    self._tracked.add(projection.name)
            active = self._active()
            if only is not None:
                active = [p for p in active if p.name in only]
            while active:
                try:
                    count = self._apply_page(stop, active)
                except TrackingConflict:
                    # another process got there first, or rebuilt (its tracking rows are new)
                    for projection in self.projections:
                        self._ensure_tracking_row(projection)
                    continue
                except STORE_ERRORS:
                    raise
                except Exception:  # one projection failed on an event: find it, let others on
                    count = self._apply_each(stop, active)
                    active = [p for p in active if p.name not in self._stuck_at]
                if count == 0:
                    break
                applied += count
                if progress is not None:
                    progress(count)
                if count < self.page_size:
                    break  # a short page: the log's end (as of this page) is applied
        return applied

    def _apply_each(self, stop: int | None, active: Sequence[Projection]) -> int:
        """Apply the next page to each projection alone, event by event; a projection that
        fails on an event stops before it and is marked stuck. Returns the most applied."""
        most = 0
        for projection in active:
            while True:
                try:
                    count = self._apply_alone(projection, stop)
                except TrackingConflict:
                    continue
                break
            most = max(most, count)
        return most

    def _apply_alone(self, projection: Projection, stop: int | None) -> int:
        with self.engine.begin() as conn:
            start = read_position(conn, projection.name, for_update=True)
            notifications = self.app.recorder.select_notifications(
                start=start, limit=self.page_size, stop=stop, inclusive_of_start=False
            )
            reached = start
            applied = 0
            for notification in notifications:
                try:
                    with conn.begin_nested():
                        writer = PageWriter(conn)
                        begin = getattr(projection, "begin_page", None)
                        if begin is not None:
                            begin(writer)
                        projection.apply(
                            writer, Stored.of(notification, self.app.mapper), notification.id
                        )
                        finish = getattr(projection, "end_page", None)
                        if finish is not None:
                            finish(writer)
                        writer.flush()  # a row the database refuses is this event's fault
                except STORE_ERRORS:
                    raise
                except Exception as error:
                    self.stuck[projection.name] = Stuck(
                        projection.name, notification.id, describe(error)
                    )
                    self._stuck_at[projection.name] = time.monotonic()
                    break
                reached = notification.id
                applied += 1
            else:
                self.stuck.pop(projection.name, None)
                self._stuck_at.pop(projection.name, None)
            if reached > start:
                result = conn.execute(
                    update(tracking)
                    .where(tracking.c.projection == projection.name)
                    .where(tracking.c.position == start)
                    .values(position=reached)
                )
                if result.rowcount != 1:
                    raise TrackingConflict(projection.name)
            return applied

    def _forget_passed(self) -> None:
        """A stuck read model whose tracking row is past the event it failed on (another
        process applied it: a rebuild with the fix, switched in) is no longer stuck here."""
        with self.engine.connect() as conn:
            positions = dict(conn.execute(select(tracking.c.projection, tracking.c.position)).all())
        for name, stuck in list(self.stuck.items()):
            if int(positions.get(name) or 0) >= stuck.position:
                del self.stuck[name]
                self._stuck_at.pop(name, None)

    def _behind(self, upto: int | None = None, *, only: Collection[str] | None = None) -> bool:
        """Whether any projection has events left to apply (up to ``upto``, else the head):
        two short reads that take no lock, so the many requests that find the views up to date
        wait for nobody (on SQLite a locked catch-up per request serialised every request of
        the server)."""
        head = self.head() if upto is None else upto
        with self.engine.connect() as conn:
            positions = dict(conn.execute(select(tracking.c.projection, tracking.c.position)).all())
        return any(
            int(positions.get(p.name, -1)) < head
            for p in self.projections
            if only is None or p.name in only
        )

    def _ensure_tracking_row(self, projection: Projection) -> None:
        with self.engine.begin() as conn:
            if not has_tracking_row(conn, projection.name):
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(tracking).values(projection=projection.name, position=0)
                        )
                except IntegrityError:
                    pass  # another process created it first

    def _apply_page(
        self, stop: int | None = None, active: Sequence[Projection] | None = None
    ) -> int:
        """Read one page after the furthest-behind projection, decode each event once, and give
        it to every projection that has not seen it; all positions move in the same
        transaction as the rows."""
        projections = tuple(self.projections if active is None else active)
        with self.engine.begin() as conn:
            # Lock the tracking rows, always in the same order (PostgreSQL): a second process
            # waits here and then sees the positions the first one wrote. SQLite transactions
            # begin IMMEDIATE, which serialises them the same way.
            starts = lock_positions(conn, [p.name for p in projections])
            notifications = self.app.recorder.select_notifications(
                start=min(starts.values()),
                limit=self.page_size,
                stop=stop,
                inclusive_of_start=False,
            )
            if not notifications:
                return 0
            mapper = self.app.mapper
            apply_page(
                PageWriter(conn),
                projections,
                [Stored.of(n, mapper) for n in notifications],
                starts,
            )
            end = notifications[-1].id
            for projection in projections:
                stuck = self.stuck.get(projection.name)
                if stuck is not None and end >= stuck.position:  # tried again, and it went
                    del self.stuck[projection.name]
                    self._stuck_at.pop(projection.name, None)
            move_positions(conn, starts, end)
            return len(notifications)

    def reset(self, *, indexes: bool = True) -> None:
        """Drop every projection's tables and tracking and create them again, empty (every
        projection is tried again, stuck or not); ``indexes=False``: without their secondary
        indexes (``create_indexes`` builds them)."""
        self.stuck.clear()
        self._stuck_at.clear()
        self._tracked.clear()
        if self.gate is not None:
            self.gate.reset()
        with self._lock, self.engine.begin() as conn:
            # one look at the catalogue, not one per table; the statements then compiled
            # here and sent as one batch on PostgreSQL (some 140: one round trip)
            existing = set(inspect(conn).get_table_names())
            ddl: list[Any] = [
                DropTable(table)
                for projection in self.projections
                for table in reversed(projection.tables)
                if table.name in existing
            ]
            for projection in self.projections:
                for table in projection.tables:
                    ddl.append(CreateTable(table))
                    left_out = () if indexes else secondary_indexes(table)
                    ddl.extend(CreateIndex(i) for i in table.indexes if i not in left_out)
            statements = [str(d.compile(dialect=conn.dialect)) for d in ddl]
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(";\n".join(statements))
            else:
                for statement in statements:
                    conn.exec_driver_sql(statement)
            names = [projection.name for projection in self.projections]
            conn.execute(tracking.delete().where(tracking.c.projection.in_(names)))

    def create_indexes(self) -> None:
        """Build the secondary indexes ``reset(indexes=False)`` left out."""
        with self._lock, self.engine.begin() as conn:
            for projection in self.projections:
                for table in projection.tables:
                    for index in secondary_indexes(table):
                        index.create(conn)

    def rebuild(
        self,
        progress: Callable[[int], None] | None = None,
        *,
        source: Engine | None = None,
        indexes_after: bool | None = None,
    ) -> int:
        """Drop every projection's tables and tracking, recreate them, and replay the log
        with the rebuild's replay path (``projections.replay``: raw rows, large pages); what
        it leaves (a projection failing on an event, events written meanwhile) the pull loop
        applies, with its isolation of a stuck projection. ``source``: an engine on the event
        store when the read models are elsewhere (a scratch database). ``indexes_after``: the
        secondary indexes built after the replay rather than kept up during it (by default
        where that was measured faster: ``INDEXES_AFTER``)."""
        if indexes_after is None:
            indexes_after = INDEXES_AFTER[self.engine.dialect.name]
        self.reset(indexes=not indexes_after)
        # the signed chain checked first, the whole log (the gate was reset): the replay stops
        # before the first event it does not cover
        stop = None if self.gate is None else self.gate.advance()
        applied = replay(self, source or self.engine, stop=stop, progress=progress)
        if indexes_after:
            self.create_indexes()
        return applied + self.catch_up(progress)
