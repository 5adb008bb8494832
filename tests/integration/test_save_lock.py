"""The save under the event table's write lock (``audit.signing``): what is computed before the
lock never depends on the chain head, a save that fails under the lock writes nothing, and
saves queued behind the lock chain on one another."""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import func, select, text

from adapters.database import connect_postgres
from audit.chain_table import signed_chain
from audit.keys import ChainError
from audit.messages import ROTATION_TOPIC
from audit.verify import verify
from runtime.bootstrap import Runtime
from tests.builders import receipt, village
from tests.conftest import TODAY

WAIT = 30  # seconds: only a guard against hanging, never reached when the code is right


@pytest.fixture
def store(database: tuple[str, str | None], tmp_path: Path) -> Iterator[Runtime]:
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY, signing_key=tmp_path / "key.pem")
    try:
        yield runtime
    finally:
        runtime.close()


def counts(runtime: Runtime) -> tuple[int, int]:
    """(events, chain rows) in the store."""
    table = runtime.app.recorder.events_table_name  # type: ignore[attr-defined]
    with runtime.engine.connect() as conn:
        events = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        rows = conn.execute(select(func.count()).select_from(signed_chain)).scalar_one()
    return int(events), int(rows)


def post(runtime: Runtime, code: str, day: int) -> None:
    runtime.app.books.post_entry(
        entity=code,
        date=datetime.date(2025, 1, day),
        memo=f"废品变卖收入{day}",
        postings=receipt("10.00"),
        actor="tester",
    )


def test_a_save_refused_under_the_lock_writes_neither_events_nor_chain_rows(
    store: Runtime,
) -> None:
    """Two failures after the events are sent: a version already stored (the database refuses
    the insert) and a key rotation made for another chain head (refused once the head is read,
    after the events were inserted). Both roll the whole save back; the next save chains on."""
    code = village(store.app)
    before = counts(store)
    recorder = store.app.recorder
    taken = recorder.select_events(store.app.get_books(code).id, limit=1)[0]
    with pytest.raises(IntegrityError):
        recorder.insert_events([taken])
    assert counts(store) == before
    rotation = StoredEvent(
        originator_id=uuid.uuid4(),
        originator_version=1,
        topic=ROTATION_TOPIC,
        state=json.dumps(
            {
                "kind": "rotation",
                "old_key": store.signer.public.hex,
                "new_key": store.signer.public.hex,
                "previous": "f" * 64,  # not the head
            }
        ).encode(),
    )
    with pytest.raises(ChainError, match="the chain moved on"):
        recorder.insert_events([rotation])
    assert counts(store) == before
    post(store, code, 2)
    report = verify(store)
    assert report["ok"] is True, report["problems"]
    assert counts(store) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_saves_queued_behind_the_lock_chain_on_one_another(
    store: Runtime, database: tuple[str, str | None], tmp_path: Path
) -> None:
    """Two writers (separate runtimes, as two server processes) prepare their saves, then both
    wait for the event table's lock, held here; released, each must read the chain head the
    other left: a head read before the lock would fork the chain."""
    url, schema = database
    other = Runtime(url, schema=schema, today=lambda: TODAY, signing_key=tmp_path / "key.pem")
    table = store.app.recorder.events_table_name  # type: ignore[attr-defined]
    errors: list[BaseException] = []
    try:
        codes = [village(store.app), village(other.app)]
        before = counts(store)

        def write(runtime: Runtime, code: str) -> None:
            try:
                post(runtime, code, 3)
            except BaseException as error:  # reported below
                errors.append(error)

        writers = zip((store, other), codes, strict=True)
        threads = [threading.Thread(target=write, args=pair) for pair in writers]
        with connect_postgres(url) as holder:
            with holder.transaction():
                holder.execute(f'LOCK TABLE "{schema}"."{table}" IN EXCLUSIVE MODE')
                for thread in threads:
                    thread.start()
                waiting_for(holder, schema, table, 2)
        for thread in threads:
            thread.join(WAIT)
    finally:
        other.close()
    assert errors == []
    assert counts(store) == (before[0] + 2, before[1] + 2)
    report = verify(store)
    assert report["ok"] is True, report["problems"]


def waiting_for(conn: psycopg.Connection[object], schema: str | None, table: str, n: int) -> None:
    """Until ``n`` sessions wait for a lock on the table."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
            (f'"{schema}"."{table}"',),
        ).fetchone()
        if row is not None and row[0] >= n:
            return
        time.sleep(0.01)
    raise AssertionError(f"{n} writers never queued for the lock on {table}")


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_server_that_refuses_the_flush_apart_gets_saves_flushed_under_the_lock(
    store: Runtime,
) -> None:
    """Where the transaction that flushes after the commit cannot run, a save commits with its
    flush under the lock, as the library's: written, chained, verified."""
    recorder = store.app.recorder
    assert recorder._flush_apart is not False  # type: ignore[attr-defined]
    recorder._flush_apart = False  # type: ignore[attr-defined]
    code = village(store.app)
    before = counts(store)
    post(store, code, 4)
    assert counts(store) == (before[0] + 1, before[1] + 1)
    report = verify(store)
    assert report["ok"] is True, report["problems"]
