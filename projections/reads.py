"""Where reads go and how long they wait: read-your-writes by log position.

A read model's *tracking position* (table ``lz_tracking``) is the last notification id it has
applied; it is written in the same transaction as the rows (``projections.runner``). A request
that wrote up to position P therefore sees its own write in a read model once that read model's
position is at least P, whichever process applied it (the request itself, ``lianzhang worker``,
another API process) and on whichever copy of the database it reads (the primary, or a streaming
replica, which replays the tracking rows with the read models' rows in the same WAL).

``wait_for`` polls those positions (one small SELECT, from 2 ms apart up to 20 ms apart) until
they reach P or a deadline passes; the API turns the deadline into a 503 with ``Retry-After``
(``web.deps``), never a hang. ``read_engine`` opens a database that is only read (a hot standby
refuses DDL, so nothing is created there).

A replica fails soft (:class:`Replica`): before a read goes there, its state is known — it
answers, its read models are at most ``lag_events`` behind the primary's (``lz_tracking`` on
both), and on a hot standby its replay is at most ``lag_seconds`` behind (nothing received that
is not replayed, or the last transaction replayed that recently) — else the read goes to the
primary and says why (``Lianzhang-Read-From: primary; reason=…``, ``web.deps``). The state is
measured at most once a second (every ``DOWN_RECHECK_SECONDS`` while the replica does not
answer, so a replica that is down costs the requests nothing but the first attempt), by one
request at a time; the others use the last one measured.
"""

from __future__ import annotations

import datetime
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from adapters.database import DatabaseConfigError, _check_schema, is_postgres
from projections.tables import tracking

FIRST_PAUSE_SECONDS = 0.002
LONGEST_PAUSE_SECONDS = 0.02
RECHECK_SECONDS = 1.0  # how old a measured state of the replica may be
DOWN_RECHECK_SECONDS = 5.0  # the same while it does not answer
CONNECT_TIMEOUT_SECONDS = 3  # a replica that does not accept the connection in this is down

UNREACHABLE = "replica-unreachable"
LAGGING = "replica-lagging"
BEHIND_POSITION = "replica-behind-position"

# On a hot standby: how far its replay is behind, in seconds (0 when it has replayed all it has
# received; NULL on a database that is not a standby).
REPLAY_LAG_SQL = """
SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
"""


def positions(engine: Engine, names: Iterable[str]) -> dict[str, int]:
    """The tracking position of each named read model in the database behind ``engine`` (0 for
    one that has no row yet)."""
    wanted = tuple(names)
    with engine.connect() as conn:
        found = dict(
            conn.execute(
                select(tracking.c.projection, tracking.c.position).where(
                    tracking.c.projection.in_(wanted)
                )
            ).all()
        )
    return {name: int(found.get(name) or 0) for name in wanted}


def all_positions(engine: Engine) -> dict[str, int]:
    """Every tracking position in the database behind ``engine``."""
    with engine.connect() as conn:
        rows = conn.execute(select(tracking.c.projection, tracking.c.position)).all()
    return {str(name): int(at) for name, at in rows}


@dataclass(frozen=True)
class ReplicaState:
    """What the last look at the replica found: ``reason`` is None when reads may go there,
    else why they go to the primary (``replica-unreachable``, ``replica-lagging``)."""

    reason: str | None
    lag_events: int | None = None
    lag_seconds: float | None = None
    error: str | None = None
    measured_at: float = 0.0  # time.monotonic()

    @property
    def usable(self) -> bool:
        return self.reason is None

    def sentence(self) -> str:
        """What it found, in English (the operator's words)."""
        if self.reason == UNREACHABLE:
            return f"the replica does not answer ({self.error})"
        lag = f"{self.lag_events} events" + (
            f", {self.lag_seconds:.1f} s" if self.lag_seconds is not None else ""
        )
        if self.reason == LAGGING:
            return f"the replica is past its lag budget ({lag} behind)"
        return f"the replica answers, {lag} behind"

    def sentence_zh(self) -> str:
        if self.reason == UNREACHABLE:
            return "只读副本连不上，查询改由主库回答"
        if self.reason == LAGGING:
            seconds = f"、{self.lag_seconds:.0f} 秒" if self.lag_seconds is not None else ""
            return (
                f"只读副本落后主库 {self.lag_events} 个事件{seconds}，超出允许范围，"
                "查询改由主库回答"
            )
        return "只读副本正常"

    def as_dict(self) -> dict[str, object]:
        return {
            "reason": self.reason,
            "lag_events": self.lag_events,
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 3),
            "error": self.error,
        }


class Replica:
    """The replica of ``LIANZHANG_READ_URL``: its engine, its lag budget, and its state as last
    measured (see the module)."""

    def __init__(self, engine: Engine, *, lag_events: int, lag_seconds: float) -> None:
        self.engine = engine
        self.lag_events = lag_events
        self.lag_seconds = lag_seconds
        self._state: ReplicaState | None = None
        self._lock = threading.Lock()
        self._measuring = False

    def state(self, primary: Engine, *, fresh: bool = False) -> ReplicaState:
        """The replica's state, measured at most ``RECHECK_SECONDS`` ago (``DOWN_RECHECK_SECONDS``
        while it does not answer); ``fresh``: measured now."""
        with self._lock:
            known = self._state
            if known is not None and not fresh:
                age = time.monotonic() - known.measured_at
                due = age >= (RECHECK_SECONDS if known.usable else DOWN_RECHECK_SECONDS)
                if not due or self._measuring:  # another request is measuring it
                    return known
            self._measuring = True
        try:
            found = self.measure(primary)
        finally:
            with self._lock:
                self._measuring = False
        with self._lock:
            self._state = found
        return found

    def unreachable(self, error: BaseException) -> ReplicaState:
        """Remember that a read on the replica failed: reads go to the primary until the next
        look finds it answering."""
        found = ReplicaState(UNREACHABLE, error=_first_line(error), measured_at=time.monotonic())
        with self._lock:
            self._state = found
        return found

    def measure(self, primary: Engine) -> ReplicaState:
        """Look at the replica now: does it answer, how far behind the primary is it."""
        now = time.monotonic()
        try:
            with self.engine.connect() as conn:
                found = conn.execute(select(tracking.c.projection, tracking.c.position)).all()
                seconds = (
                    conn.execute(text(REPLAY_LAG_SQL)).scalar()
                    if self.engine.dialect.name == "postgresql"
                    else None
                )
        except SQLAlchemyError as error:
            return ReplicaState(UNREACHABLE, error=_first_line(error), measured_at=now)
        there = {str(name): int(at) for name, at in found}
        here = all_positions(primary)
        behind = max((at - there.get(name, 0) for name, at in here.items()), default=0)
        lag_events = max(behind, 0)
        lag_seconds = None if seconds is None else max(float(seconds), 0.0)
        lagging = lag_events > self.lag_events or (
            lag_seconds is not None and lag_seconds > self.lag_seconds
        )
        return ReplicaState(
            LAGGING if lagging else None,
            lag_events=lag_events,
            lag_seconds=lag_seconds,
            measured_at=now,
        )

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0]}" if lines else type(original).__name__


_times: weakref.WeakKeyDictionary[Any, dict[int, datetime.datetime]] = weakref.WeakKeyDictionary()
_times_lock = threading.Lock()
KEPT_TIMES = 4096


def event_time(app: Any, position: int) -> datetime.datetime | None:
    """When the event at ``position`` of ``app``'s log was recorded (kept per application: an
    event never changes); None when there is none or it cannot be read."""
    with _times_lock:
        known = _times.setdefault(app, {})
        if position in known:
            return known[position]
    moment: datetime.datetime | None = None
    try:
        found = app.recorder.select_notifications(start=position, limit=1)
        if found and found[0].id == position:
            moment = app.mapper.to_domain_event(found[0]).timestamp
    except Exception:  # an event that does not decode: the caller says less
        moment = None
    if moment is not None:
        with _times_lock:
            if len(known) >= KEPT_TIMES:
                known.clear()
            known[position] = moment
    return moment


def wait_for(
    engine: Engine, position: int, names: Iterable[str], timeout: float
) -> dict[str, int] | None:
    """Wait until every named read model has applied the log up to ``position``.

    Returns None once they have; on timeout, the positions of those still behind (so the
    caller can say which). ``timeout`` 0 checks once."""
    wanted = tuple(names)
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE_SECONDS
    while True:
        found = positions(engine, wanted)
        behind = {name: at for name, at in found.items() if at < position}
        if not behind:
            return None
        left = deadline - time.monotonic()
        if left <= 0:
            return behind
        time.sleep(min(pause, left))
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


def read_engine(url: str, schema: str | None = None) -> Engine:
    """An engine on a PostgreSQL database that is only read (a streaming replica): the same
    schema as the primary, and no DDL (a hot standby refuses even ``CREATE SCHEMA IF NOT
    EXISTS``)."""
    if not is_postgres(url):
        raise DatabaseConfigError(
            f"read URL {url!r} is not postgresql://; a separate read database is a PostgreSQL "
            "streaming replica of the primary"
        )
    connect_args: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    if schema:
        connect_args["options"] = f"-csearch_path={_check_schema(schema)}"
    return create_engine(
        make_url(url).set(drivername="postgresql+psycopg"),
        connect_args=connect_args,
        pool_pre_ping=True,
    )
