"""``lianzhang rebuild`` on a live service (projections/online.py, projections/shadow.py): the
read models are replayed into shadow tables while entries are posted and read, then switched in.

A writer thread posts entries through the application and reads each back after its catch-up (a
request's read-your-writes); a reader thread polls the read models in one statement each time.
Neither may see an entry missing that was committed before it looked, fewer rows than before,
or a read model with fewer rows than its tracking position says; the rebuild counts every event
up to the position it switched at; and the tables it leaves equal a fresh offline rebuild's,
row by row."""

from __future__ import annotations

import datetime
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

from projections import online, shadow
from projections.online import rebuild_online
from projections.replay import rebuild
from runtime.bootstrap import Runtime
from scripts.cli import main
from scripts.demo import load_demo
from tests.builders import receipt
from tests.conftest import TODAY
from tests.integration.test_replay import every_table

MEMO = "在线重建"

# one statement, one snapshot: the entries posted here, their lines, and the chain read model's
# rows against its tracking position (a read model complete up to its position has as many)
LOOK = text(
    "SELECT (SELECT count(*) FROM lz_entries WHERE memo = :memo),"
    " (SELECT count(*) FROM lz_entry_lines l JOIN lz_entries e"
    "   ON e.entity_code = l.entity_code AND e.number = l.number WHERE e.memo = :memo),"
    " (SELECT count(*) FROM lz_chain),"
    " (SELECT position FROM lz_tracking WHERE projection = 'chain')"
)


@pytest.fixture
def service(database: tuple[str, str | None]) -> Iterator[Runtime]:
    """The store as a server process has it: the demo's books, its read models up."""
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        load_demo(runtime.app, say=lambda _: None)
        runtime.views.catch_up()
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def umask_back() -> Iterator[None]:
    """``scripts.cli.main`` sets the process's umask (0077): set back for the next tests."""
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        yield
    finally:
        os.umask(mask)


class Traffic:
    """A writer posting entries (each read back after its save and catch-up) and a reader
    polling the read models, in threads, until ``stop``; every problem is kept."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.confirmed = 0  # entries saved and read back
        self.saves: list[float] = []  # seconds from the save to the entry read back
        self.reads = 0
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._guard(f)) for f in (self.write, self.read)]

    def _guard(self, work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except Exception as error:  # the test fails on it, with what it was
                self.problems.append(f"{work.__name__}: {type(error).__name__}: {error}")

        return run

    def write(self) -> None:
        app, engine = self.runtime.app, self.runtime.engine
        day = 0
        while not self._stop.is_set():
            day += 1
            began = time.perf_counter()
            posted = app.books.post_entry(
                entity="V01",
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=day % 300),
                memo=MEMO,
                postings=receipt(f"{day}.00"),
                actor="tester",
            )
            self.runtime.views.catch_up()  # as a request does before it answers
            with engine.connect() as conn:
                found = conn.execute(
                    text(
                        "SELECT count(*) FROM lz_entries WHERE entity_code = 'V01' AND number = :n"
                    ),
                    {"n": posted.number},
                ).scalar_one()
            self.saves.append(time.perf_counter() - began)
            if found != 1:
                self.problems.append(f"entry {posted.number} committed, then not found")
            self.confirmed += 1
            time.sleep(0.005)

    def read(self) -> None:
        seen = 0
        while not self._stop.is_set():
            committed = self.confirmed
            with self.runtime.engine.connect() as conn:
                posted, lines, chain, position = conn.execute(LOOK, {"memo": MEMO}).one()
            self.reads += 1
            if posted < committed or posted < seen:
                self.problems.append(
                    f"read {posted} entries after {committed} confirmed, {seen} seen"
                )
            if lines != 2 * posted or chain != position:
                self.problems.append(
                    f"partial: {posted} entries {lines} lines, chain {chain}/{position}"
                )
            seen = max(seen, posted)
            time.sleep(0.002)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def wait_for(self, confirmed: int) -> None:
        deadline = time.monotonic() + 60
        while self.confirmed < confirmed and not self.problems and time.monotonic() < deadline:
            time.sleep(0.01)


def no_shadow_left(runtime: Runtime, schema: str | None) -> list[str]:
    with runtime.engine.connect() as conn:
        if schema is not None:
            query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE :s"
            return list(conn.execute(text(query), {"s": f"{schema}_lz_%"}).scalars())
        query = (
            "SELECT name FROM sqlite_master"
            " WHERE name GLOB 'lz_rebuild__*' OR name GLOB 'lz_replaced__*'"
        )
        return list(conn.execute(text(query)).scalars())


def test_a_rebuild_under_writes_and_reads_switches_complete_read_models(
    service: Runtime, database: tuple[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, schema = database
    # SQLite: tables over 50 rows are renamed in the switch, smaller ones copied (both ways)
    monkeypatch.setattr(shadow, "SQLITE_COPY_ROWS", 50)
    command = Runtime(url, schema=schema, today=lambda: TODAY)  # the rebuild's own process
    try:
        with Traffic(service) as traffic:
            traffic.wait_for(5)
            before = traffic.confirmed
            head = service.views.head()
            # small pages: the replay takes long enough for writes to land in every phase
            stats = rebuild_online(command, page=40)
            during = traffic.confirmed - before
            traffic.wait_for(traffic.confirmed + 3)  # and writes go on after the switch
        assert traffic.problems == []
        assert during > 0 and traffic.reads > 10
        # every event counted, up to the head of the log when it switched
        assert stats["events"] == stats["position"] > head
        assert stats["stuck"] == [] and no_shadow_left(service, schema) == []
        normal = statistics.median(traffic.saves[:5])
        print(  # the figures for the README (pytest -s)
            f"\n{database[1] or 'sqlite'}: {stats['events']} events, switch "
            f"{stats['switch_seconds'] * 1000:.0f} ms ({stats['switch_events']} events in it), "
            f"longest save+read {max(traffic.saves) * 1000:.0f} ms vs median before "
            f"{normal * 1000:.0f} ms, {during} entries posted during the rebuild"
        )
        service.views.catch_up()
        if schema is None:  # SQLite: the shadow's indexes take the other name, and back
            assert rebuild_online(command)["events"] == service.views.head()
        online_tables = every_table(service)
        rebuild(command)  # offline, from nothing
        assert every_table(command) == online_tables
    finally:
        command.close()


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_reader_in_the_way_makes_the_switch_try_again_never_deadlock(
    service: Runtime,
    database: tuple[str, str | None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    umask_back: None,
) -> None:
    url, schema = database
    assert schema is not None
    before = every_table(service)
    # a reader holds a table late in the switch's order, in an open transaction
    reader = service.engine.connect()
    reader.execute(text("SELECT count(*) FROM lz_vouchers")).scalar_one()

    # the command gives up after one attempt: one line, no traceback, nothing switched
    monkeypatch.setattr(online, "SWITCH_ATTEMPTS", 1)
    assert main(["rebuild", "--database-url", url, "--schema", schema]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("lianzhang rebuild: the database stopped it (LockNotAvailable: ")
    assert line.endswith("; the read models in use are as they were")
    assert no_shadow_left(service, schema) == []

    # with its attempts, the switch waits for a lock the reader holds while the reader asks
    # for one the switch holds: the switch gives up (its lock_timeout is below the server's
    # deadlock_timeout) and the reader's statement goes through; the next attempt switches
    monkeypatch.setattr(online, "SWITCH_ATTEMPTS", 20)
    command = Runtime(url, schema=schema, today=lambda: TODAY)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["stats"] = rebuild_online(command)
        except Exception as error:
            outcome["error"] = error

    rebuilding = threading.Thread(target=run)
    rebuilding.start()
    try:
        with service.engine.connect() as watch:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the switch waits on the reader's table
                waiting = watch.execute(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                        " WHERE NOT l.granted AND c.relname = 'lz_vouchers'"
                    )
                ).scalar_one()
                watch.rollback()
                if waiting:
                    break
                time.sleep(0.01)
            assert waiting
        reader.execute(text("SELECT count(*) FROM lz_alliances")).scalar_one()
        reader.commit()
    finally:
        reader.close()
        rebuilding.join(timeout=120)
        command.close()
    assert "error" not in outcome, outcome
    assert outcome["stats"]["switch_attempts"] >= 2
    assert every_table(service) == before and no_shadow_left(service, schema) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_command_rebuilds_online_by_default_and_in_place_with_offline(
    service: Runtime,
    database: tuple[str, str | None],
    capsys: pytest.CaptureFixture[str],
    umask_back: None,
) -> None:
    url, _ = database
    head = service.views.head()
    before = every_table(service)
    assert main(["rebuild", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert f"rebuilt the read models from {head} events in " in out
    assert f"; switched in at position {head} in " in out
    assert main(["rebuild", "--offline", "--database-url", url]) == 0
    captured = capsys.readouterr()
    assert f"rebuilt the read models from {head} events in " in captured.out
    assert "switched" not in captured.out and "another process" not in captured.err
    assert every_table(service) == before


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_process_started_between_two_rebuilds_adds_no_index_in_the_way(
    service: Runtime, database: tuple[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: a table renamed in the switch keeps its shadow index's second name; a process
    starting after it (which adds to an older store's tables the indexes they lack) must take
    that index for the one it names, or the next rebuild finds both names taken."""
    url, schema = database
    monkeypatch.setattr(shadow, "SQLITE_COPY_ROWS", 0)  # every table renamed in the switch
    for _ in range(3):
        command = Runtime(url, schema=schema, today=lambda: TODAY)  # a new process each time
        try:
            assert rebuild_online(command)["events"] == service.views.head()
        finally:
            command.close()
    with service.engine.connect() as conn:
        names = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lz_entries'")
        ).scalars()
        bases = [n.removesuffix(shadow.SQLITE_SECOND_INDEX) for n in names if n.startswith("ix_")]
    assert len(bases) == len(set(bases)) > 0  # one of each, under one of its two names
    # a store an earlier start gave both names (the defect): the next start drops the copy
    with service.engine.begin() as conn:
        taken = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
        missing = next(n for n in ("ix_lz_entries_date", "ix_lz_entries_date__b") if n not in taken)
        conn.exec_driver_sql(f"CREATE INDEX {missing} ON lz_entries (date)")
    command = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        assert rebuild_online(command)["events"] == service.views.head()
    finally:
        command.close()
