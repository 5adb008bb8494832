"""The aggregate cache under threads: a server answers requests on many threads, and every one of
them loads aggregates through the same cache, which fast-forwards the cached copy with newer
events and hands out a deep copy. Copying while another thread fast-forwards the same cached
object used to fail with "dictionary changed size during iteration" (issue 12)."""

from __future__ import annotations

import datetime
import sys
import threading
from collections.abc import Iterator

import pytest

from runtime.bootstrap import Runtime
from tests.builders import receipt, village

READERS = 4
ENTRIES = 120


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads far more often than the default 5 ms, so a race shows within seconds."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_loading_the_same_books_from_threads_while_they_grow(
    runtime: Runtime, fast_switching: None
) -> None:
    app = runtime.app
    code = village(app)
    for n in range(60):  # a bigger aggregate takes longer to copy: a wider window for the race
        app.books.post_entry(
            entity=code,
            date=datetime.date(2025, 2, 1),
            memo=f"预存 {n}",
            postings=receipt("1.00"),
            actor="tester",
        )
    failures: list[BaseException] = []
    versions: list[list[int]] = [[] for _ in range(READERS)]
    done = threading.Event()

    def writer() -> None:
        try:
            for n in range(ENTRIES):
                app.books.post_entry(
                    entity=code,
                    date=datetime.date(2025, 3, 1),
                    memo=f"并发 {n}",
                    postings=receipt("2.00"),
                    actor="tester",
                )
        except BaseException as error:  # every failure is the finding
            failures.append(error)
        finally:
            done.set()

    def reader(index: int) -> None:
        try:
            while not done.is_set():
                books = app.get_books(code)
                versions[index].append(books.version)
                n = books.sequences.get("2025", 0)  # a copy taken whole: balances match count
                assert -books.balances.get("504", 0) == min(n, 60) * 100 + max(n - 60, 0) * 200
        except BaseException as error:  # every failure is the finding
            failures.append(error)

    threads = [threading.Thread(target=writer)]
    threads += [threading.Thread(target=reader, args=(i,)) for i in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert failures == [], f"{len(failures)} loads failed, first: {failures[0]!r}"
    for seen in versions:
        assert seen == sorted(seen), "a thread saw the books go back to an older version"
    final = app.get_books(code)
    assert final.sequences["2025"] == 60 + ENTRIES
    assert final.balance("504").amount == -(60 + 2 * ENTRIES)


# -- commands borrow the cached books instead of copying them (issue 13) ----------------------


def _post(app: object, code: str, day: datetime.date, amount: str = "1.00") -> object:
    return app.books.post_entry(  # type: ignore[attr-defined]
        entity=code, date=day, memo="收款", postings=receipt(amount), actor="tester"
    )


def test_a_command_refused_after_changing_the_books_leaves_the_cache_as_stored(
    runtime: Runtime,
) -> None:
    """The books record an entry in memory before the save refuses it (dated after today): the
    borrowed object is evicted, so the next voucher gets the number the refused one had and the
    balances are what is stored."""
    from domain.errors import DomainError

    app = runtime.app
    code = village(app)
    today = app.today()
    before = app.get_books(code).balance("102").amount
    first = _post(app, code, today)
    assert first.number.endswith("-0001")  # type: ignore[attr-defined]
    with pytest.raises(DomainError):
        _post(app, code, today + datetime.timedelta(days=1), "5.00")
    second = _post(app, code, today)
    assert second.number.endswith("-0002")  # type: ignore[attr-defined]
    books = app.get_books(code)
    assert books.balance("102").amount == before + 2
    assert books.version == app.repository.get(books.id, version=books.version).version


def test_loads_outside_a_command_are_copies(runtime: Runtime) -> None:
    """A read path that changes what it loaded cannot change the cached books."""
    app = runtime.app
    code = village(app)
    before = app.get_books(code).balance("102").amount
    _post(app, code, app.today())
    outside = app.get_books(code)
    outside.balances["102"] = 10**9
    assert app.get_books(code).balance("102").amount == before + 1
    assert _post(app, code, app.today()).number.endswith("-0002")  # type: ignore[attr-defined]
    assert app.get_books(code).balance("102").amount == before + 2


def test_books_snapshots_do_not_grow_and_old_snapshots_still_load(database: object) -> None:
    """Books snapshots (version 3) hold no per-entry index; a version-1 snapshot (with
    ``entry_dates``, as written before issue 13, and without the monthly counters of version 3)
    still loads and the books go on numbering, yearly for the year they have entries in."""
    from domain.books import Books
    from domain.books.rules import summaries as _summaries

    url, schema = database  # type: ignore[misc]
    first = Runtime(url, schema=schema, today=lambda: datetime.date(2026, 6, 30))
    app = first.app
    code = village(app)
    day = datetime.date(2026, 3, 1)
    for _ in range(3):
        _post(app, code, day)
    books = app.get_books(code)
    snapshot_class = type(books).Snapshot
    current = snapshot_class.take(books)
    assert "entry_dates" not in current.state and current.state["class_version"] == 3
    old_state = {
        k: v
        for k, v in current.state.items()
        if k
        not in (
            "class_version",
            "totals",
            "sub_accounts",
            "account_names",
            "month_sequences",
            "year_schemes",
        )
    }  # a version-1 snapshot as the oldest stores wrote it (no opened sub-accounts either)
    old_state["entry_dates"] = {f"2026-{n:04d}": day for n in (1, 2, 3)}
    old = snapshot_class(
        originator_id=books.id,
        originator_version=books.version,
        timestamp=snapshot_class.create_timestamp(),
        topic=current.topic,
        state=old_state,
    )
    app.snapshots.put([old])  # type: ignore[union-attr]
    first.close()

    again = Runtime(url, schema=schema, today=lambda: datetime.date(2026, 6, 30))
    try:
        loaded = again.app.get_books(code)
        assert isinstance(loaded, Books)
        assert not hasattr(loaded, "entry_dates")
        assert (loaded.totals, loaded.sub_accounts) == _summaries(
            loaded.balances, loaded.account_names
        )
        assert loaded.balance("102") == books.balance("102")
        assert loaded.has_entry("2026-0003") and not loaded.has_entry("2026-0004")
        assert loaded.year_schemes == {"2026": "yearly"} and loaded.month_sequences == {}
        assert not loaded.has_entry("2026-03") and not loaded.has_entry("期初")
        assert _post(again.app, code, day).number == "2026-0004"  # type: ignore[attr-defined]
        reversal = again.app.books.reverse_entry(
            entity=code, number="2026-0002", date=day, reason="重复", actor="tester"
        )
        assert reversal.number == "2026-0005"
    finally:
        again.close()
