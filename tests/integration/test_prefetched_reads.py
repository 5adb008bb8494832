"""A post on PostgreSQL reads its books' newer events and its township's settings in one round
trip (``SigningPostgresRecorder.prefetch``, asked by ``LianzhangApplication.get_books``), and
what it read that way is never older than a read of its own would be: settings chosen by
another process, before or after the first choice, number the next post; a save drops what was
fetched before it. On both stores (SQLite has no prefetch: the same outcomes)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from domain.books.commands import PostEntry
from domain.runner import Caller, Runner
from domain.township import settings_id
from runtime.bootstrap import Runtime
from tests.builders import TOWNSHIP, receipt, village

DAY = datetime.date(2026, 11, 2)
CLERK = Caller("clerk-1", frozenset({TOWNSHIP}))


def _post(runtime: Runtime, code: str, day: datetime.date = DAY) -> str:
    command = PostEntry(entity=code, date=day, memo="租金", postings=tuple(receipt("10.00")))
    return str(Runner(runtime.app).run(command, CLERK).result.number)


@pytest.fixture
def other(runtime: Runtime, database: tuple[str, str | None]) -> Iterator[Runtime]:
    """A second process on the same store."""
    url, schema = database
    rt = Runtime(url, schema=schema, today=lambda: DAY)
    try:
        yield rt
    finally:
        rt.close()


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite reads in process
def test_a_post_on_postgresql_takes_one_round_trip_before_its_save(runtime: Runtime) -> None:
    app: Any = runtime.app
    code = village(app)
    _post(runtime, code)  # the books cached
    datastore = app.recorder.datastore
    checkouts = 0
    get_connection = datastore.get_connection

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal checkouts
        checkouts += 1
        return get_connection(*args, **kwargs)

    datastore.get_connection = counting
    try:
        _post(runtime, code)
    finally:
        del datastore.get_connection
    assert checkouts == 2  # the books and the settings in one; the signed save


def test_settings_another_process_chooses_number_the_next_post(
    runtime: Runtime, other: Runtime
) -> None:
    code = village(runtime.app)
    assert [_post(runtime, code) for _ in range(2)] == ["2026-0001", "2026-0002"]
    # the settings did not exist when the books were cached: their first event is seen
    other.app.township.choose(TOWNSHIP, numbering="monthly", review_posts=False, actor="t")
    assert _post(runtime, code, datetime.date(2025, 11, 3)) == "2025-11-J-0001"
    assert runtime.app.repository.cached(settings_id(TOWNSHIP))
    # cached settings: their newer event is seen
    other.app.township.choose(
        TOWNSHIP, numbering="monthly", review_posts=False, actor="t", words="split"
    )
    assert _post(runtime, code, datetime.date(2025, 11, 4)) == "2025-11-S-0001"  # 收 apart


@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # only PostgreSQL prefetches
def test_a_save_drops_what_was_fetched_before_it(runtime: Runtime) -> None:
    app: Any = runtime.app
    key = settings_id("花沟镇")

    def command() -> int:  # one attempt: a read, a save, the read again
        app.recorder.prefetch([(key, None, None)])  # no events yet, as fetched
        app.township.choose("花沟镇", numbering="monthly", review_posts=False, actor="t")
        return len(app.recorder.select_events(key))

    stored = app.retrying(command)
    assert stored
    app.recorder.prefetch([(key, None, None)])
    app.recorder.forget_prefetched()  # the command attempt ended
    app.township.choose("花沟镇", numbering="yearly", review_posts=False, actor="t")
    assert len(app.recorder.select_events(key)) > stored
