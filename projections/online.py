"""``lianzhang rebuild`` on a live service: replay into shadow tables, switch, go on.

The order of operations (``rebuild_online``):

1. One rebuild of a store at a time (``Shadow.exclusive``); what a killed run left is dropped.
2. The shadow tables are created (``projections.shadow``) with their indexes and their own
   tracking rows (building the secondary indexes after the rows was measured no faster).
3. The signed chain is checked from the start (the chain gate, reset) and the log replayed into
   the shadow up to its frontier with the rebuild's replay path (``projections.replay``), by
   fresh projections that no other process shares; what a projection fails on is isolated by
   the pull loop's own catch-up, as in any rebuild.
4. Rounds of catch-up bring the shadow near the head of the log (events written meanwhile),
   until fewer than ``SWITCH_TAIL`` are left.
5. The switch, one transaction (``_switch``): the tracking rows in use locked in name order
   (every pull loop waits there, readers do not), the last events applied to the shadow, the
   tables swapped, the tracking rows in use given the shadow's position. A lock that does not
   come within its short wait (PostgreSQL) rolls it all back, and it is tried again
   (``SWITCH_ATTEMPTS``), after another round of catch-up.
6. The tables replaced are dropped. Pull loops everywhere go on from the new positions.

Nothing is switched when a read model of the shadow is stuck or the signed chain is broken: the
tables in use stay as they were, and the error says what stopped it (``--offline`` rebuilds in
place up to there, as before). Every event applied is counted: the statistics' ``events``
equals the position switched at, the head of the log (as far as the chain covers it) at that
moment.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)

from domain.privacy import PersonalDataVault
from projections.pages import PageWriter
from projections.positions import (
    Projection,
    apply_page,
    lock_positions,
    lock_rows,
    move_positions,
    read_position,
)
from projections.registry import read_model_tables, read_models
from projections.replay import REPLAY_PAGE, read_stored, replay
from projections.runner import PAGE_SIZE, Gate, ProjectionStuckError, PullLoop
from projections.shadow import (
    TABLE_WAIT_MS,
    TRACKING_WAIT_MS,
    RebuildError,
    Shadow,
    give_positions,
    open_shadow,
)

SWITCH_TAIL = 1000  # at most this many events are left for the switch to apply
CATCH_UP_ROUNDS = 20  # rounds before the switch when writers keep the shadow behind
SWITCH_ATTEMPTS = 20
SQLITE_PAGE = 1000  # SQLite: a page holds the file's one write lock (writers wait for it)

# PostgreSQL's answers that mean "try again": lock_timeout, deadlock, serialization
_RETRY_STATES = {"55P03", "40P01", "40001"}


class ChainGate(Gate, Protocol):
    """What the online rebuild needs of the chain gate (``audit.chain_gate.ChainGate``)."""

    @property
    def broken(self) -> Any: ...


class Live(Protocol):
    """What the online rebuild needs of a runtime (the composition root's is one)."""

    @property
    def app(self) -> Application[Any]: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def vault(self) -> PersonalDataVault: ...

    @property
    def gate(self) -> ChainGate: ...


class Progress(Protocol):
    """Where progress goes (a ``tqdm`` bar is one): events applied, and the log's head."""

    total: Any

    def update(self, n: int) -> Any: ...


class NotSwitched(ProjectionStuckError):
    """The shadow stopped before the head (a stuck read model, a broken chain): the tables in
    use are left as they were."""

    def __init__(self, cause: ProjectionStuckError) -> None:
        super().__init__(cause.stuck)
        self.cause = cause
        self.args = (f"{cause}; nothing was switched: the read models in use are as they were",)

    def __str__(self) -> str:
        return str(self.args[0])


def retryable(error: BaseException) -> bool:
    """Whether a database error is a lock not had in time (the switch gives up and tries
    again): PostgreSQL's lock_timeout or deadlock, SQLite's locked file."""
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None)
    if state in _RETRY_STATES:
        return True
    return isinstance(error, OperationalError) and "locked" in str(error.orig).lower()


def rebuild_online(
    live: Live,
    progress: Progress | None = None,
    *,
    page: int | None = None,
    note: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Rebuild every read model beside the ones in use and switch them in (see the module
    docstring); returns the statistics (events, seconds, the switch's position and time)."""
    began = time.perf_counter()
    say = note or (lambda _: None)
    shadow = open_shadow(live.engine)
    if page is None:
        page = REPLAY_PAGE if live.engine.dialect.name == "postgresql" else SQLITE_PAGE
    try:
        with shadow.exclusive():
            try:
                stats = _rebuild(live, shadow, progress, page, say)
            finally:
                left = shadow.drop()
                if left:
                    say(f"left {', '.join(left)} (still read); the next rebuild drops them")
    finally:
        shadow.dispose()
    seconds = time.perf_counter() - began
    stats.update(seconds=seconds, events_per_second=stats["events"] / seconds if seconds else 0.0)
    return stats


def _rebuild(
    live: Live, shadow: Shadow, progress: Progress | None, page: int, note: Callable[[str], None]
) -> dict[str, Any]:
    projections = read_models(live.vault)
    tables = read_model_tables(projections)
    shadow.create(tables)
    loop = PullLoop(live.app, shadow.engine, projections, page_size=PAGE_SIZE)
    gate = live.gate
    gate.reset()  # the whole signed chain checked again

    def advanced(count: int) -> None:
        if progress is not None:
            progress.update(count)

    def to_head() -> int:
        """The shadow brought up to the chain's frontier; returns the events applied."""
        stop = gate.advance()
        if progress is not None:
            progress.total = stop
        done = replay(loop, live.engine, stop=stop, progress=advanced, page=page)
        return done + loop.catch_up(advanced, stop=stop)

    began = time.perf_counter()
    applied = to_head()
    replayed = time.perf_counter() - began
    note(f"replayed {applied} events into the {shadow.where} in {replayed:.1f} s")
    for _ in range(CATCH_UP_ROUNDS):  # writers may keep adding: bounded
        _refuse_incomplete(loop, gate)
        if (live.app.recorder.max_notification_id() or 0) - _position(loop) <= SWITCH_TAIL:
            break
        applied += to_head()
    for attempt in range(1, SWITCH_ATTEMPTS + 1):
        if attempt > 1:
            time.sleep(random.uniform(0.02, 0.05 * attempt))  # readers in the way finish
        applied += to_head()  # the switch then applies only what comes meanwhile
        _refuse_incomplete(loop, gate)
        try:
            tail, position, seconds, swap = _switch(shadow, loop, live, tables, page)
        except (RebuildError, ProjectionStuckError):
            raise
        except Exception as error:
            if attempt == SWITCH_ATTEMPTS:
                raise
            if retryable(error):
                note(f"the switch did not get its locks in time (attempt {attempt}); again")
                continue
            if isinstance(error, SQLAlchemyError) and not isinstance(
                error, (IntegrityError, DataError)
            ):
                raise  # the database's own failure, not a read model's
            # a read model failed on an event of the tail: the next round's catch-up (the
            # pull loop's, event by event) isolates it, and nothing is switched
            continue
        if progress is not None:
            progress.total = position
        advanced(tail)
        return {
            "events": applied + tail,
            "position": position,
            "switch_events": tail,
            "switch_seconds": seconds,
            "swap_seconds": swap,
            "switch_attempts": attempt,
            "replay_seconds": replayed,
            "stuck": [],
        }
    raise RebuildError("the switch never got its locks")  # not reached: the last attempt raises


def _position(loop: PullLoop) -> int:
    """How far the shadow is (its least advanced read model)."""
    with loop.engine.connect() as conn:
        return min(read_position(conn, p.name) for p in loop.projections)


def _refuse_incomplete(loop: PullLoop, gate: ChainGate) -> None:
    """Nothing is switched in that stops before the head (see the module docstring)."""
    try:
        gate.require()
        loop.require(loop.stuck)
    except ProjectionStuckError as error:
        raise NotSwitched(error) from None


def _switch(
    shadow: Shadow, loop: PullLoop, live: Live, tables: Sequence[Table], page: int
) -> tuple[int, int, float, float]:
    """The one transaction of the switch; returns the events it applied to the shadow, the
    position switched at, the seconds the tracking rows in use were held and the seconds of
    the swap (from its first lock to its commit)."""
    names = [p.name for p in loop.projections]
    with shadow.engine.connect() as conn, conn.begin():
        shadow.limit_waits(conn, TRACKING_WAIT_MS)
        found = lock_rows(conn, shadow.live_tracking, names)
        held = time.perf_counter()
        stop = live.gate.advance()
        _refuse_incomplete(loop, live.gate)
        if found and max(found.values()) > stop:
            raise RebuildError(
                f"the read models in use are at position {max(found.values())}, past the "
                f"signed chain's {stop} as this process checked it; nothing was switched"
            )
        tail = _tail(conn, loop, live, stop, page)
        applied = time.perf_counter()  # the swap and its commit from here
        shadow.limit_waits(conn, TABLE_WAIT_MS)
        shadow.swap(conn, tables)
        give_positions(conn, shadow.live_tracking, found, dict.fromkeys(names, stop))
    done = time.perf_counter()
    return tail, stop, done - held, done - applied


def _tail(conn: Connection, loop: PullLoop, live: Live, stop: int, page: int) -> int:
    """The shadow brought up to ``stop`` in the switch's transaction (a few events)."""
    projections: Sequence[Projection] = loop.projections
    table = live.app.recorder.events_table_name  # type: ignore[attr-defined]
    applied = 0
    while True:
        starts = lock_positions(conn, [p.name for p in projections])
        reached = min(starts.values())
        if reached >= stop:
            return applied
        events = read_stored(live.engine, table, live.app.mapper, reached, page, stop)
        if not events:
            return applied
        apply_page(PageWriter(conn), projections, events, starts)
        move_positions(conn, starts, events[-1].position)
        applied += len(events)
