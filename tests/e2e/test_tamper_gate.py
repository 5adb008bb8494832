"""The tamper matrix, continued (issue "trust an attacker cannot turn", item 3): the read models
never show what the signed chain does not sign (``audit.chain_gate``), on SQLite and
PostgreSQL. Before the gate, a well-formed entry appended to the event table was refused by
``verify`` but ``lianzhang rebuild`` exited 0 and the trial balance showed it; and a tampering
that made a read model fail (the first event deleted, an amount made unreadable) was explained
as a stuck read model over "an event log [that] is intact"."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from audit.chain import canonical_event, chain_hash
from audit.messages import SAVE, save_message
from audit.signing import KEY_ENV
from audit.store_keys import load_or_create_key
from ledger.money import Money
from projections import queries
from runtime.bootstrap import Runtime
from tests.apps import app_for
from tests.conftest import TODAY
from tests.e2e.command import lianzhang
from tests.e2e.test_tamper import (
    chain_head,
    insert_event,
    positions,
    sql,
    state_at,
    write_books,
)


def forged_entry(runtime: Runtime) -> dict[str, Any]:
    """A receipt of ¥9,999.00 no clerk posted: the last entry copied as the books' next event."""
    last = positions(runtime)[-1]
    state = (
        state_at(runtime, last).replace(b"75.50", b"9999.00").replace(b"2025-0003", b"2025-0004")
    )
    row = runtime.app.recorder.select_notifications(start=last, limit=1)[0]
    originator = row.originator_id
    stored = originator.hex if runtime.engine.dialect.name == "sqlite" else str(originator)
    return {
        "i": stored,
        "uuid": str(originator),
        "v": row.originator_version + 1,
        "t": row.topic,
        "s": state,
    }


def entry_chain_row(runtime: Runtime, previous: str, event: dict[str, Any], at: int) -> str:
    current = chain_hash(
        previous, canonical_event(event["uuid"], event["v"], event["t"], event["s"])
    )
    sql(
        runtime,
        "INSERT INTO lz_signed_chain (position, originator_id, originator_version, previous, "
        "hash) VALUES (:p, :i, :v, :prev, :h)",
        p=at,
        i=event["uuid"],
        v=event["v"],
        prev=previous,
        h=current,
    )
    return current


def debit_102(runtime: Runtime, village: str) -> Money:
    with runtime.engine.connect() as conn:
        return queries.trial_balance_for(conn, village, "2025-01").line("102").debit


@pytest.fixture
def books(
    database: tuple[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Runtime, str]:
    # one server key for this process and the commands it runs (in tmp_path)
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "server-key.pem"))
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY)
    village = write_books(runtime.app)
    runtime.views.catch_up()
    return runtime, village


def refused(database: tuple[str, str | None], cwd: Path, command: str) -> str:
    result = lianzhang(database, cwd, command, check=False)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]  # after rebuild's progress bar


def test_a_forged_entry_appended_is_refused_by_rebuild_and_never_shown(
    books: tuple[Runtime, str], database: tuple[str, str | None], tmp_path: Path
) -> None:
    runtime, village = books
    try:
        honest = debit_102(runtime, village)
        event = forged_entry(runtime)
        at = insert_event(runtime, event)
        runtime.views.catch_up()  # a request's catch-up: stops before it
        assert debit_102(runtime, village) == honest
        assert runtime.gate.broken is not None and runtime.gate.broken.position == at
    finally:
        runtime.close()
    line = refused(database, tmp_path, "rebuild")
    assert line.startswith(
        f"lianzhang rebuild: the event log does not match its signed chain at position {at}: "
    )
    assert f"event at position {at} is not in the signed chain" in line
    again = Runtime(database[0], schema=database[1], today=lambda: TODAY)
    try:
        assert debit_102(again, village) == honest  # the rebuilt trial balance does not show it
    finally:
        again.close()
    line = refused(database, tmp_path, "verify")
    assert f"event at position {at} is not in the signed chain" in line


def test_an_entry_appended_with_a_chain_row_signed_by_another_key_is_refused(
    books: tuple[Runtime, str], database: tuple[str, str | None], tmp_path: Path
) -> None:
    runtime, village = books
    try:
        honest = debit_102(runtime, village)
        event = forged_entry(runtime)
        at = insert_event(runtime, event)
        current = entry_chain_row(runtime, chain_head(runtime), event, at)
        other = load_or_create_key(tmp_path / "attacker.pem")
        sql(
            runtime,
            "UPDATE lz_signed_chain SET kind = :k, key_id = :i, signature = :s WHERE position = :p",
            k=SAVE,
            i=other.key_id,
            s=other.sign(save_message(SAVE, [at], current)),
            p=at,
        )
        server = runtime.signer.key_id
    finally:
        runtime.close()
    line = refused(database, tmp_path, "rebuild")
    assert (
        f"signed chain at position {at}: the save of positions {at}–{at} is signed by key " in line
    )
    assert f"{other.key_id}, which is not a key of this server ({server})" in line
    again = Runtime(database[0], schema=database[1], today=lambda: TODAY)
    try:
        assert debit_102(again, village) == honest
    finally:
        again.close()
    assert f"the signature over positions {at}–{at} does not verify" in refused(
        database, tmp_path, "verify"
    )


@pytest.mark.parametrize("tampering", ["first event deleted", "amount unreadable"])
def test_a_tampering_that_breaks_a_read_model_is_named_as_tampering(
    books: tuple[Runtime, str], database: tuple[str, str | None], tmp_path: Path, tampering: str
) -> None:
    runtime, _ = books
    try:
        if tampering == "first event deleted":
            at = positions(runtime)[0]
            sql(runtime, "DELETE FROM {events} WHERE {pos} = :p", p=at)
            what = f"the signed chain has position {at} but the log has no event there"
        else:
            at = positions(runtime)[4]
            state = state_at(runtime, at).replace(b"250.00", b"2x0.00")
            sql(runtime, "UPDATE {events} SET state = :s WHERE {pos} = :p", s=state, p=at)
            what = f"event at position {at} does not hash to the signed chain"
    finally:
        runtime.close()
    for command in ("rebuild", "verify"):
        line = refused(database, tmp_path, command)
        assert what in line, line
        assert "intact" not in line and "stuck" not in line


def test_the_api_answers_503_chain_broken_and_readyz_is_degraded(
    books: tuple[Runtime, str],
) -> None:
    runtime, village = books
    try:
        at = insert_event(runtime, forged_entry(runtime))
        app = app_for(runtime)
        admin = {"Authorization": f"Bearer {_admin(runtime)}"}
        with TestClient(app) as client:
            answer = client.get(
                f"/v1/entities/{village}/trial-balance?month=2025-01", headers=admin
            )
            assert answer.status_code == 503, answer.text
            body = answer.json()
            assert body["type"] == "urn:lianzhang:problem:chain-broken"
            assert body["position"] == at and body["chain"]["problem"] == "unchained"
            assert answer.headers["Content-Language"] == "zh-CN"
            assert f"第 {at} 号事件不在服务器签名的事件链中" in body["detail"]
            assert "9999" not in answer.text
            english = client.get(
                f"/v1/entities/{village}/entries", headers={**admin, "Accept-Language": "en"}
            ).json()
            assert f"signed chain at position {at}" in english["detail"]
            health = client.get("/readyz")
            assert health.status_code == 503
            assert health.json()["status"] == "degraded"
            assert health.json()["chain"]["position"] == at
    finally:
        runtime.close()


def _admin(runtime: Runtime) -> str:
    from web.tokens import TokenStore

    return TokenStore(runtime.engine).create("admin-gate", "admin")


def test_readers_catching_up_during_writes_raise_no_false_alarm(
    books: tuple[Runtime, str], database: tuple[str, str | None]
) -> None:
    """A reader checks events up to a head and then their chain rows: a save committed in
    between lies beyond the events read, and is checked next time."""
    runtime, _ = books
    url, schema = database
    writers = [Runtime(url, schema=schema, today=lambda: TODAY) for _ in range(2)]
    reader = Runtime(url, schema=schema, today=lambda: TODAY)
    done = threading.Event()
    errors: list[BaseException] = []

    def write(rt: Runtime) -> None:
        try:
            write_books(rt.app)
        except BaseException as error:  # reported below
            errors.append(error)

    def read() -> None:
        try:
            while not done.is_set():
                reader.views.catch_up()
                assert reader.gate.broken is None, reader.gate.broken
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    watcher = threading.Thread(target=read)
    try:
        watcher.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done.set()
        watcher.join()
        assert errors == []
        reader.views.catch_up()
        assert reader.gate.broken is None
        assert reader.gate.position == reader.views.head()
    finally:
        for rt in (*writers, reader, runtime):
            rt.close()


def test_a_chain_emptied_is_not_sealed_again_at_the_next_start(
    books: tuple[Runtime, str], database: tuple[str, str | None], tmp_path: Path
) -> None:
    """A store that recorded its key was signed from its first event: emptying its signed
    chain (and appending a forged entry) must not get the log re-signed "at upgrade"."""
    runtime, village = books
    try:
        honest = debit_102(runtime, village)
        at = insert_event(runtime, forged_entry(runtime))
        sql(runtime, "DELETE FROM lz_signed_chain")
    finally:
        runtime.close()
    again = Runtime(database[0], schema=database[1], today=lambda: TODAY)
    try:
        assert again.sealed_at_upgrade == 0
        again.views.catch_up()
        assert again.gate.broken is not None and again.gate.broken.position == 1
        assert debit_102(again, village) == honest
    finally:
        again.close()
    line = refused(database, tmp_path, "verify")
    assert "position 1 is not in the signed chain" in line, (line, at)
