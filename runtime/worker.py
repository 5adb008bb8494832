"""``lianzhang worker``: keeps the read models up to date outside the API's requests.

It runs the same pull loop as everything else (``PullLoop.catch_up``: compare-and-set tracking,
so any number of workers and API processes may catch up at once and no event is applied
twice), and only decides *when*:

- **PostgreSQL**: woken by ``LISTEN``. eventsourcing's PostgreSQL recorder issues ``NOTIFY
  lianzhang_events`` (the events table's name) inside the transaction that inserts the events,
  right after taking the table lock (``PostgresApplicationRecorder._notify_channel``; our
  signing recorder keeps it). That is the robust place, rather than a ``pg_notify`` sent by the
  application after its save: PostgreSQL delivers a notification only when that transaction
  commits, and only after it is visible, so a listener is never woken before the rows can be
  read, never woken by a save that rolled back, and never misses a save because its process died
  between COMMIT and the NOTIFY; and every writer (API, ``lianzhang`` commands, imports, a bulk
  load, another server) goes through the recorder, so none can forget it. The channel is per
  database, not per schema: a write in another schema of the same database wakes the worker for
  a catch-up that finds nothing new (two small reads).
- **Fallback**: a catch-up every ``poll`` seconds anyway (5 s on PostgreSQL), so a notification
  lost with a dropped connection costs at most that long; while the listening connection is
  down the worker polls every second and connects again.
- **SQLite** has no notifications: the worker polls (every 0.05 s by default; a catch-up that
  finds nothing new is two small reads without a lock).

It says it is alive in the database (``runtime.heartbeat``: its row in ``lz_worker_heartbeats``,
written every ``BEAT_SECONDS`` whether or not anything is new, and after each page of a long
catch-up, with the read models it finds stuck), so ``/readyz`` of the servers in worker mode can
tell a worker that runs from one that died.

It stops cleanly on SIGTERM or SIGINT (``stop``): the page being applied is committed (each page
is one transaction), its heartbeat row is deleted, nothing else is started, and the command
exits 0. A database that does not
answer is waited out (logged, tried again) rather than ending the worker; a projection that
cannot apply an event is *stuck* as in the API (logged once; the others go on).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from psycopg import sql
from sqlalchemy.exc import SQLAlchemyError

from adapters.database import connect_postgres
from projections.runner import STORE_ERRORS
from runtime.bootstrap import Runtime
from runtime.heartbeat import BEAT_SECONDS, Heartbeats, now_ms, worker_name

POSTGRES_POLL_SECONDS = 5.0
SQLITE_POLL_SECONDS = 0.05
# Longest a wait lasts before the worker looks at its stop flag again.
SLICE_SECONDS = 0.5
RETRY_SECONDS = 1.0
LISTENER_NAME = "lianzhang-worker"  # application_name of the listening connection

DATABASE_DOWN = (
    *STORE_ERRORS,
    StoreOperationalError,
    StoreInterfaceError,
    psycopg.OperationalError,
)


class _Stopping(Exception):
    """Raised from the progress callback to end a long catch-up between two pages."""


class Worker:
    """Catches up every read model whenever the log grows, until ``stop`` is called."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        poll_seconds: float | None = None,
        log: Callable[[str], None] = print,
        applied: Callable[[int], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.postgres = runtime.engine.dialect.name == "postgresql"
        default = POSTGRES_POLL_SECONDS if self.postgres else SQLITE_POLL_SECONDS
        self.poll_seconds = default if poll_seconds is None else poll_seconds
        self.log = log
        self.on_applied = applied  # told how many events each page applied (a counter)
        self.applied = 0
        self.wakeups = 0  # catch-ups started by a notification (PostgreSQL)
        self._stopping = threading.Event()
        self._listener: psycopg.Connection[Any] | None = None
        self._stuck_seen: dict[str, int] = {}
        self.started_ms = now_ms()
        self.name = worker_name(self.started_ms)  # host:pid:started, its heartbeat row
        self._heartbeats: Heartbeats | None = None
        self._beaten_at = float("-inf")

    @property
    def channel(self) -> str:
        return str(getattr(self.runtime.app.recorder, "channel_name", ""))

    def stop(self) -> None:
        """Finish the page being applied, then return from ``run`` (safe from a signal
        handler)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self) -> int:
        """Keep the read models up until ``stop``; returns how many events were applied."""
        if self.postgres:
            self.log(
                f"worker: listening on channel {self.channel}, polling every "
                f"{self.poll_seconds:g} s as a fallback"
            )
        else:
            self.log(f"worker: polling every {self.poll_seconds:g} s (SQLite)")
        try:
            self._beat()
            while not self.stopping:
                if self.postgres and self._listener is None:
                    self._listen()
                if not self._catch_up():
                    self._pause(RETRY_SECONDS)
                    continue
                self._beat()
                self._wait()
        finally:
            self._close_listener()
            self._forget()
        self.log(f"worker: stopped after applying {self.applied} events")
        return self.applied

    # -- catching up ----------------------------------------------------------------------------

    def _catch_up(self) -> bool:
        """One catch-up of every read model; False when the database did not answer."""

        def progress(count: int) -> None:
            self.applied += count
            if self.on_applied is not None:
                self.on_applied(count)
            self._beat()  # a long catch-up is no silence
            if self.stopping:
                raise _Stopping

        try:
            self.runtime.views.catch_up(progress)
        except _Stopping:
            return True
        except DATABASE_DOWN as error:
            self.log(f"worker: the database did not answer ({_first_line(error)}); retrying")
            self._close_listener()
            return False
        self._report_stuck()
        return True

    def _report_stuck(self) -> None:
        stuck = self.runtime.views.stuck
        for name, found in stuck.items():
            if self._stuck_seen.get(name) != found.position:
                self.log(f"worker: {found.sentence()}")
                self._stuck_seen[name] = found.position
        for name in [n for n in self._stuck_seen if n not in stuck]:
            self.log(f"worker: read model {name!r} is no longer stuck")
            del self._stuck_seen[name]

    # -- waiting ----------------------------------------------------------------------------------

    def _wait(self) -> None:
        """Until a notification, the poll interval, or ``stop`` (at most ``RETRY_SECONDS``
        while the listening connection is down, before it is tried again)."""
        poll = self.poll_seconds
        if self.postgres and self._listener is None:
            poll = min(poll, RETRY_SECONDS)
        deadline = time.monotonic() + poll
        while not self.stopping:
            self._beat()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self._listener is None:
                self._pause(min(left, SLICE_SECONDS))
                continue
            try:
                notified = any(
                    True
                    for _ in self._listener.notifies(timeout=min(left, SLICE_SECONDS), stop_after=1)
                )
            except psycopg.Error as error:
                self.log(f"worker: lost the listening connection ({_first_line(error)}); polling")
                self._close_listener()
                return
            if notified:
                self.wakeups += 1
                return

    # -- the heartbeat --------------------------------------------------------------------------

    def _beat(self) -> None:
        """Write the heartbeat when ``BEAT_SECONDS`` have passed since the last; a database that
        does not answer is logged by the catch-up, not here."""
        if time.monotonic() - self._beaten_at < BEAT_SECONDS:
            return
        stuck = [s.as_dict() for s in self.runtime.views.stuck.values()]
        try:
            if self._heartbeats is None:
                self._heartbeats = Heartbeats(self.runtime.engine)
                self._heartbeats.prune()
            self._heartbeats.beat(self.name, self.started_ms, stuck)
        except (*DATABASE_DOWN, SQLAlchemyError):
            return
        self._beaten_at = time.monotonic()

    def _forget(self) -> None:
        if self._heartbeats is None:
            return
        try:
            self._heartbeats.forget(self.name)
        except (*DATABASE_DOWN, SQLAlchemyError) as error:
            self.log(f"worker: could not delete its heartbeat ({_first_line(error)})")

    def _pause(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _listen(self) -> None:
        try:
            conn = connect_postgres(self.runtime.database_url, application_name=LISTENER_NAME)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except psycopg.Error as error:
            self.log(f"worker: cannot LISTEN ({_first_line(error)}); polling meanwhile")
            return
        self._listener = conn

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except psycopg.Error:  # pragma: no cover - closing a broken connection
                pass
            self._listener = None


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0]}" if text else type(original).__name__
