"""SQLite's write gate (adapters/sqlite_gate.py): reads take no lock, writers queue.

SQLite only: the gate is how one process shares one file between its threads.
"""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

from sqlalchemy import insert, select

from projections.tables import tracking
from runtime.bootstrap import Runtime
from tests.builders import receipt, village

WAIT = 60  # seconds: only a guard against hanging, never reached when the code is right


def test_a_read_does_not_wait_for_an_open_write(tmp_path: Path) -> None:
    rt = Runtime(f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    try:
        read_done = threading.Event()
        outcome: list[object] = []

        def reader() -> None:
            try:
                with rt.engine.connect() as conn:
                    outcome.append(conn.execute(select(tracking.c.projection)).all())
            except Exception as error:  # the finding, reported below
                outcome.append(error)
            finally:
                read_done.set()

        with rt.engine.begin() as conn:
            conn.execute(insert(tracking).values(projection="gate-test", position=1))
            thread = threading.Thread(target=reader)
            thread.start()
            # The writer holds SQLite's write lock and the gate until this block ends; a read
            # that needed either would still be waiting here (it used to: BEGIN IMMEDIATE).
            finished_while_writing = read_done.wait(WAIT)
        thread.join()
        assert finished_while_writing, "the read waited for the writer to commit"
        assert outcome and not isinstance(outcome[0], Exception), outcome
        assert ("gate-test",) not in outcome[0]  # its own snapshot: the write was not committed
    finally:
        rt.close()


def test_event_and_read_model_writers_from_many_threads_all_land(tmp_path: Path) -> None:
    """Commands (eventsourcing's connection) and catch-ups (SQLAlchemy's) from eight threads
    at once on one file: none fails with "database is locked", every entry is numbered once."""
    rt = Runtime(f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    try:
        code = village(rt.app)
        failures: list[BaseException] = []

        def clerk(n: int) -> None:
            try:
                for i in range(10):
                    rt.app.books.post_entry(
                        entity=code,
                        date=datetime.date(2025, 3, 1),
                        memo=f"线程 {n} 第 {i} 笔",
                        postings=receipt("1.00"),
                        actor="tester",
                    )
                    rt.views.catch_up()
            except BaseException as error:  # the finding, reported below
                failures.append(error)

        threads = [threading.Thread(target=clerk, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        books = rt.app.get_books(code)
        assert books.sequences["2025"] == 80
        rt.views.catch_up()
        assert rt.views.head() == rt.app.recorder.max_notification_id()
    finally:
        rt.close()
