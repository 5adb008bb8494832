"""``verify`` while clerks post: no false alarm, and a real tamper is still named.

A second runtime on the same store posts entries in a thread and catches its read models up
after each, as a server does, while the auditor's runtime verifies again and again. Before
verify read one snapshot, the read models it compared had moved on past the log head it had
replayed to (``lz_entries row … has a row the log does not give``, exit 2).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from audit.verify import verify
from runtime.bootstrap import Runtime
from tests import builders
from tests.conftest import TODAY


class Clerk:
    """Posts receipts into one village from a thread, catching the read models up after each."""

    def __init__(self, runtime: Runtime, village: str) -> None:
        self.runtime, self.village = runtime, village
        self.stop = threading.Event()
        self.posted = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                self.runtime.app.books.post_entry(
                    entity=self.village,
                    date=datetime.date(2025, 1, 2 + self.posted % 27),
                    memo=f"废品变卖收入{self.posted}",
                    postings=builders.receipt("10.00"),
                    actor="tester",
                )
                self.posted += 1
                self.runtime.views.catch_up()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error

    def __enter__(self) -> Clerk:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)


@pytest.fixture
def stores(database: tuple[str, str | None], tmp_path: Path) -> Iterator[tuple[Runtime, Runtime]]:
    """The auditor's runtime and the clerk's (a server), on one store."""
    url, schema = database
    key = tmp_path / "key.pem"
    auditor = Runtime(url, schema=schema, today=lambda: TODAY, signing_key=key)
    clerk = Runtime(url, schema=schema, today=lambda: TODAY, signing_key=key)
    try:
        yield auditor, clerk
    finally:
        clerk.close()
        auditor.close()


def test_verify_while_entries_are_posted(stores: tuple[Runtime, Runtime]) -> None:
    auditor, server = stores
    village = builders.village(server.app)
    server.views.catch_up()
    reports = []
    with Clerk(server, village) as clerk:
        # enough runs that the clerk's catch-ups land inside several of them
        while len(reports) < 6 or (clerk.posted < 12 and len(reports) < 40):
            reports.append(verify(auditor))
            assert clerk.error is None
        during = clerk.posted
    assert clerk.error is None
    assert during >= 3, "the clerk posted while verify ran"
    wrong = [r["problems"][0]["detail"] for r in reports if not r["ok"]]
    assert wrong == []
    assert all(r["events"] > 0 for r in reports)

    # a real tamper, made while the clerk goes on posting, is still found and named
    with Clerk(server, village) as clerk:
        with auditor.engine.begin() as conn:
            conn.execute(
                text("UPDATE lz_entry_lines SET amount_fen = amount_fen + 1 WHERE line = 1")
            )
        report = verify(auditor)
    assert clerk.error is None
    assert not report["ok"]
    assert report["problems"][0]["check"] == "read-model"
    assert report["problems"][0]["table"] == "lz_entry_lines"
