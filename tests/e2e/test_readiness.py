"""Alive and ready (``/healthz``, ``/readyz``), and a replica that fails soft.

Real components throughout: a worker running in a thread on its own runtime (its heartbeat in
the store), a replica that does not answer (``LIANZHANG_READ_URL`` at a port nothing listens
on), a replica that lags (a second schema holding a copy of the store taken before the last
writes: its tracking positions are behind the primary's), a primary that stops answering (a
TCP relay to PostgreSQL, closed mid-test), and ``lianzhang serve --worker`` as a process."""

from __future__ import annotations

import dataclasses
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from audit.store_keys import KeyLocations
from projections.reads import Replica, read_engine
from runtime.bootstrap import Runtime
from runtime.heartbeat import Heartbeats, now_ms
from runtime.worker import Worker
from tests.apps import app_for
from tests.builders import OPENING_BALANCES, code, receipt
from tests.conftest import POSTGRES_URL, TODAY
from web.deps import Reads
from web.settings import Settings
from web.tokens import TokenStore

READ_FROM = "Lianzhang-Read-From"
COMMAND = [sys.executable, "-m", "scripts.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def failing(answer: Any) -> list[str]:
    return list(answer.json()["failing"])


def books(client: TestClient, runtime: Runtime) -> tuple[dict[str, str], str, str]:
    """A village with opening balances, an entry of 4321.09 and its 2025 sheet published:
    (admin headers, village, the sheet's public page)."""
    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('admin-1', 'admin')}"}
    village = code("V")
    body = {
        "code": village,
        "name": "仉家村",
        "township": "唐坊镇",
        "county": "高青县",
        "population": 1200,
        "households": 400,
    }
    assert client.post("/v1/villages", json=body, headers=admin).status_code == 201
    opened = client.post(
        f"/v1/entities/{village}/opening-balances",
        json={"as_of": "2025-01-01", "balances": OPENING_BALANCES},
        headers=admin,
    )
    assert opened.status_code == 200, opened.text
    entry = {"date": "2025-03-01", "memo": "租金", "postings": receipt("4321.09")}
    assert client.post(f"/v1/entities/{village}/entries", json=entry, headers=admin).is_success
    published = client.post(
        f"/v1/villages/{village}/disclosures",
        json={"period": "2025", "checked_by": ["王会计"], "checked_on": "2026-01-10"},
        headers=admin,
    )
    assert published.status_code == 201, published.text
    return admin, village, published.json()["urls"]["html"]


def with_replica(app: FastAPI, replica: Replica) -> None:
    """The app's reads go to ``replica`` (what ``LIANZHANG_READ_URL`` makes, on any engine)."""
    app.state.reads = Reads(replica=replica)


@pytest.mark.one_store
def test_alive_and_ready_on_a_healthy_store(runtime: Runtime) -> None:
    with TestClient(app_for(runtime)) as client:
        alive = client.get("/healthz")
        assert alive.status_code == 200 and alive.json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ok" and body["failing"] == [] and body["mode"] == "request"
        names = [c["name"] for c in body["checks"]]
        assert names == ["database", "chain", "read-models-stuck", "read-models-lag"]


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_ready_in_worker_mode_only_while_a_worker_beats(
    runtime: Runtime, database: tuple[str, str | None]
) -> None:
    url, schema = database
    settings = Settings(
        database_url=url, database_schema=schema, projections="worker", ready_lag_events=0
    )
    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('admin-1', 'admin')}"}
    village = {"code": code("V"), "name": "仉家村", "township": "唐坊镇", "county": "高青县"}
    village |= {"population": 10, "households": 4}
    with TestClient(app_for(runtime, dataclasses.replace(settings, wait_seconds=0))) as c:
        assert c.post("/v1/villages", json=village, headers=admin).status_code == 503  # no worker
        stopped = c.get("/readyz")
        assert stopped.status_code == 503, stopped.text
        assert set(failing(stopped)) == {"worker", "read-models-lag"}
        worker_check = next(x for x in stopped.json()["checks"] if x["name"] == "worker")
        assert worker_check["zh"] == "后台更新进程（lianzhang worker）没有运行"
        assert stopped.json()["read_models"]["ledger"] < stopped.json()["events"]

        other = Runtime(url, schema=schema, today=lambda: TODAY)
        worker = Worker(other, log=lambda line: None)
        thread = threading.Thread(target=worker.run)
        thread.start()
        try:
            eventually(lambda: c.get("/readyz").status_code == 200)
            ready = c.get("/readyz").json()
            assert ready["worker"]["pid"] == os.getpid() and ready["failing"] == []
        finally:
            worker.stop()
            thread.join(timeout=30)
            other.close()
        gone = c.get("/readyz")  # a worker that stops cleanly deletes its heartbeat
        assert gone.status_code == 503 and failing(gone) == ["worker"]

    # a worker killed without a word: its last heartbeat grows old past the budget
    Heartbeats(runtime.engine).beat(f"elsewhere:4242:{now_ms()}", now_ms(), [])
    quiet = dataclasses.replace(settings, worker_silence_seconds=0.3)
    with TestClient(app_for(runtime, quiet)) as client:
        assert client.get("/readyz").status_code == 200
        time.sleep(0.4)
        silent = client.get("/readyz")
        assert silent.status_code == 503 and failing(silent) == ["worker"]
        assert silent.json()["worker"]["host"] == "elsewhere"


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_with_the_replica_down_pages_and_statements_come_from_the_primary(
    runtime: Runtime, database: tuple[str, str | None]
) -> None:
    url, schema = database
    down = f"postgresql://postgres@127.0.0.1:{_free_port()}/test"  # nothing listens there
    settings = Settings(database_url=url, database_schema=schema, read_url=down)
    with TestClient(app_for(runtime, settings)) as client:
        admin, village, page = books(client, runtime)
        shown = client.get(page)
        assert shown.status_code == 200, shown.text
        assert shown.headers[READ_FROM].startswith("primary; reason=replica-unreachable;")
        assert "仉家村" in shown.text
        position = int(shown.headers[READ_FROM].rpartition("position=")[2])
        assert '<p class="meta as-of">本页数据截至 ' in shown.text
        assert f"第 {position} 号事件</p>" in shown.text
        statement = client.get(
            f"/v1/entities/{village}/statements/trial-balance?period=2025", headers=admin
        )
        assert statement.status_code == 200, statement.text
        assert "4321.09" in statement.text
        assert statement.headers[READ_FROM].startswith("primary; reason=replica-unreachable")
        index = client.get("/public")
        assert index.status_code == 200 and village in index.text

        ready = client.get("/readyz")
        assert ready.status_code == 503, ready.text
        assert failing(ready) == ["replica"]
        assert ready.json()["replica"]["reason"] == "replica-unreachable"
        assert "只读副本连不上" in ready.json()["zh"]


def _copy_schema(source: str, target: str) -> None:
    """Every table of ``source`` copied, rows included, into a new schema ``target``."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (source,)
            )
        ]
        conn.execute(f'CREATE SCHEMA "{target}"')
        for table in tables:
            conn.execute(
                f'CREATE TABLE "{target}"."{table}" (LIKE "{source}"."{table}" INCLUDING DEFAULTS)'
            )
            conn.execute(f'INSERT INTO "{target}"."{table}" SELECT * FROM "{source}"."{table}"')


@pytest.fixture
def lagging_copy() -> Iterator[str]:
    name = "lz_test_copy_" + uuid.uuid4().hex[:10]
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_replica_past_its_lag_budget_is_left_for_the_primary(
    runtime: Runtime, database: tuple[str, str | None], lagging_copy: str
) -> None:
    url, schema = database
    assert schema is not None
    settings = Settings(database_url=url, database_schema=schema)
    with TestClient(app_for(runtime, settings)) as client:
        admin, village, _page = books(client, runtime)
        _copy_schema(schema, lagging_copy)  # the "replica": the store as it is now
        more = {"date": "2025-03-02", "memo": "租金", "postings": receipt("17.00")}
        posted = client.post(f"/v1/entities/{village}/entries", json=more, headers=admin)
        assert posted.status_code == 201
        written = int(posted.headers["Lianzhang-Position"])
        statement = f"/v1/entities/{village}/statements/trial-balance?period=2025"

        # within its budget: read there, and it shows the books before the last entry
        patient = Replica(read_engine(url, lagging_copy), lag_events=1000, lag_seconds=30)
        with_replica(client.app, patient)  # type: ignore[arg-type]
        there = client.get(statement, headers=admin)
        assert there.headers[READ_FROM].startswith("replica; position=")
        assert int(there.headers[READ_FROM].rpartition("=")[2]) < written
        assert "4321.09" in there.text and "4338.09" not in there.text
        # a read naming the write's position: the replica has not reached it, the primary has
        asked = client.get(statement, headers={**admin, "Lianzhang-Position": str(written)})
        assert asked.status_code == 200
        assert (
            asked.headers[READ_FROM]
            == f"primary; reason=replica-behind-position; position={written}"
        )
        assert "4338.09" in asked.text
        assert client.get("/readyz").status_code == 200

        # past its budget (no event behind allowed): the primary answers, and says why
        strict = Replica(read_engine(url, lagging_copy), lag_events=0, lag_seconds=30)
        with_replica(client.app, strict)  # type: ignore[arg-type]
        here = client.get(statement, headers=admin)
        assert here.headers[READ_FROM] == f"primary; reason=replica-lagging; position={written}"
        assert "4338.09" in here.text
        page = client.get("/public")
        assert page.headers[READ_FROM].startswith("primary; reason=replica-lagging")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and failing(ready) == ["replica"]
        assert ready.json()["replica"]["lag_events"] >= 1
        patient.dispose()
        strict.dispose()


class Relay:
    """A TCP relay from a local port to PostgreSQL, in a thread; ``close`` stops it and cuts
    every connection through it (the database as a server behind it sees: gone)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[socket.socket] = [self.listener]
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        pairs: dict[socket.socket, socket.socket] = {}
        while not self.closed.is_set():
            ready, _, _ = select.select([self.listener, *pairs], [], [], 0.05)
            for sock in ready:
                if sock is self.listener:
                    if self.closed.is_set():
                        return
                    client, _ = self.listener.accept()
                    server = socket.create_connection(self.target)
                    pairs[client], pairs[server] = server, client
                    self.sockets += [client, server]
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    other = pairs.pop(sock, None)
                    if other is not None:
                        pairs.pop(other, None)
                        other.close()
                    sock.close()
                    continue
                pairs[sock].sendall(data)

    def close(self) -> None:
        self.closed.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_with_neither_database_answering_a_villager_gets_a_chinese_page(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    _, schema = database
    relay = Relay(("127.0.0.1", 5432))
    url = f"postgresql://postgres@127.0.0.1:{relay.port}/test"
    keys = KeyLocations.resolve(url, schema, key_dir=str(tmp_path / "keys"))
    runtime = Runtime(url, schema=schema, today=lambda: TODAY, keys=keys)
    down = f"postgresql://postgres@127.0.0.1:{_free_port()}/test"
    # worker mode: the first read reaches the primary through SQLAlchemy, refused at once (in
    # request mode its catch-up asks the event store's pool first, which retries some 20 s)
    settings = Settings(
        database_url=url, database_schema=schema, read_url=down, projections="worker"
    )
    try:
        with TestClient(app_for(runtime, settings)) as client:
            assert client.get("/public").status_code == 200
            relay.close()
            page = client.get("/public")
            assert page.status_code == 503, page.text
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["Retry-After"] == "5"
            assert "数据库暂时连不上，请稍后再试" in page.text
            assert "联账 · 三公开" in page.text  # the public pages' layout
            assert "Error" not in page.text and "Traceback" not in page.text
            program = client.get("/public", headers={"Accept": "application/json"})
            assert program.status_code == 503
            assert program.json()["type"] == "urn:lianzhang:problem:database-unavailable"
            ready = client.get("/readyz")
            assert ready.status_code == 503 and failing(ready) == ["database"]
            assert client.get("/healthz").status_code == 200  # alive all the same
    finally:
        relay.close()
        runtime.close()


@pytest.mark.one_store
def test_serve_worker_starts_a_worker_and_stops_it_with_the_server(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    url, _ = database
    port = _free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [*COMMAND, "--database-url", url, "serve", "--worker", "--port", str(port)],
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    readyz = f"http://127.0.0.1:{port}/readyz"
    try:

        def ready() -> bool:
            try:
                with urllib.request.urlopen(readyz, timeout=2) as answer:
                    return bool(answer.status == 200)
            except OSError:  # not listening yet, or 503 (urllib's HTTPError)
                assert server.poll() is None, log.read_text()
                return False

        eventually(ready, 60)
        with urllib.request.urlopen(readyz, timeout=5) as answer:
            body = json.loads(answer.read())
        assert body["mode"] == "worker" and body["worker"]["pid"] == server.pid
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0, log.read_text()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    text = log.read_text()
    assert "worker: polling every" in text and "worker: stopped after applying" in text, text
