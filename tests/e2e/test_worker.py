"""Scale-out: the read models kept up by a separate ``lianzhang worker`` process, the API in
worker mode (no catch-up in the request), read-your-writes by log position.

On PostgreSQL the worker runs with a fallback poll of an hour, so a write that becomes visible
within the request's wait was applied because the recorder's NOTIFY woke the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.bootstrap import Runtime
from tests.apps import app_for
from tests.builders import OPENING_BALANCES, code, receipt
from tests.conftest import TODAY
from web.settings import Settings
from web.tokens import TokenStore

ROOT = Path(__file__).resolve().parents[2]
POSITION = "Lianzhang-Position"


class Workers:
    """``lianzhang worker`` processes on the test's store, stopped (SIGTERM) at the end."""

    def __init__(self, runtime: Runtime, database: tuple[str, str | None], logs: Path) -> None:
        self.runtime = runtime
        self.database = database
        self.logs = logs
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self) -> subprocess.Popen[bytes]:
        url, schema = self.database
        env = {
            **os.environ,
            "LIANZHANG_DATABASE_URL": url,
            "LIANZHANG_SIGNING_KEY": str(self.runtime.key_path),
            "LIANZHANG_DATA_KEY": str(self.runtime.keys.data),
        }
        if schema:
            env["LIANZHANG_DATABASE_SCHEMA"] = schema
        # an hour between polls on PostgreSQL: only a notification can wake it in time
        poll = "3600" if url.startswith("postgresql") else "0.1"
        log = self.logs / f"worker-{len(self.started)}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from scripts.cli import main; sys.exit(main(sys.argv[1:]))",
                "worker",
                "--poll",
                poll,
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.started.append((process, log))
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> int:
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=30)

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return next(log for p, log in self.started if p is process).read_text()

    def close(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def workers(
    runtime: Runtime, database: tuple[str, str | None], tmp_path: Path
) -> Iterator[Workers]:
    found = Workers(runtime, database, tmp_path)
    yield found
    found.close()


def no_catch_up(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The API process must never apply events itself in worker mode."""

    def refused(*args: Any, **kwargs: Any) -> int:
        raise AssertionError("the API caught up inside a request in worker mode")

    monkeypatch.setattr(runtime.views, "catch_up", refused)


def worker_app(
    runtime: Runtime, database: tuple[str, str | None], wait_seconds: float
) -> TestClient:
    url, schema = database
    settings = Settings(
        database_url=url, database_schema=schema, projections="worker", wait_seconds=wait_seconds
    )
    return TestClient(app_for(runtime, settings))


def village_body(village: str) -> dict[str, Any]:
    return {
        "code": village,
        "name": "仉家村",
        "township": "唐坊镇",
        "county": "高青县",
        "population": 1200,
        "households": 400,
    }


def entry_body(amount: str = "10.00") -> dict[str, Any]:
    return {"date": "2025-03-01", "memo": "租金", "postings": receipt(amount)}


def eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_with_a_worker_a_write_answers_with_itself_and_a_read_by_position_sees_it(
    runtime: Runtime,
    database: tuple[str, str | None],
    workers: Workers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('admin-1', 'admin')}"}
    worker = workers.start()
    no_catch_up(runtime, monkeypatch)
    # a second API process: its own runtime (own aggregate cache), the same database
    url, schema = database
    other = Runtime(url, schema=schema, today=lambda: TODAY)
    no_catch_up(other, monkeypatch)
    try:
        with (
            worker_app(runtime, database, 30) as client,
            worker_app(other, database, 30) as second,
        ):
            village = code("V")
            created = client.post("/v1/villages", json=village_body(village), headers=admin)
            assert created.status_code == 201, created.text
            assert created.json()["code"] == village
            opened = client.post(
                f"/v1/entities/{village}/opening-balances",
                json={"as_of": "2025-01-01", "balances": OPENING_BALANCES},
                headers=admin,
            )
            assert opened.status_code == 200, opened.text
            posted = client.post(
                f"/v1/entities/{village}/entries", json=entry_body("12.34"), headers=admin
            )
            assert posted.status_code == 201, posted.text
            assert posted.json()["number"] == "2025-0001"
            position = int(posted.headers[POSITION])
            assert position > int(opened.headers[POSITION]) > int(created.headers[POSITION])
            # answered from its own result, the write still waited for the worker: a read right
            # after it, without the position, sees it as the write answered
            again = client.get(posted.headers["Location"], headers=admin)
            assert again.status_code == 200 and again.json() == posted.json()

            # the other process reads its write, by the position the POST answered
            listed = second.get(
                f"/v1/entities/{village}/entries",
                headers={**admin, POSITION: str(position)},
            )
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] == 1
            assert listed.json()["items"][0]["number"] == "2025-0001"
            by_query = second.get(
                f"/v1/entities/{village}/entries?min_position={position}", headers=admin
            )
            assert by_query.json()["total"] == 1

            health = client.get("/readyz").json()
            assert health["status"] == "ok"
            assert min(health["read_models"].values()) >= position
    finally:
        other.close()
    assert workers.stop(worker) == 0
    log = workers.log(worker)
    assert "worker: stopped after applying" in log, log


def test_without_a_worker_the_write_is_kept_and_answers_503_until_one_runs(
    runtime: Runtime,
    database: tuple[str, str | None],
    workers: Workers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('admin-1', 'admin')}"}
    no_catch_up(runtime, monkeypatch)
    with worker_app(runtime, database, 0.3) as client:
        village = code("V")
        keyed = {**admin, "Idempotency-Key": "k-" + village}
        first = client.post("/v1/villages", json=village_body(village), headers=keyed)
        assert first.status_code == 503, first.text
        assert first.json()["type"] == "urn:lianzhang:problem:read-models-behind"
        assert first.headers["Retry-After"] == "1"
        position = int(first.headers[POSITION])
        assert first.json()["position"] == position
        assert runtime.app.get_books(village).township == "唐坊镇"  # committed

        asked = {**admin, POSITION: str(position)}
        behind = client.get("/v1/entities", headers=asked)
        assert behind.status_code == 503, behind.text
        assert behind.headers["Retry-After"] == "1"
        unwritten = client.get("/v1/entities", headers={**admin, POSITION: str(position + 99)})
        assert unwritten.status_code == 422, unwritten.text
        assert unwritten.json()["type"] == "urn:lianzhang:problem:invalid-position"
        nonsense = client.get("/v1/entities?min_position=-1", headers=admin)
        assert nonsense.status_code == 422, nonsense.text

        worker = workers.start()
        eventually(lambda: client.get("/v1/entities", headers=asked).status_code == 200)
        listed = client.get("/v1/entities", headers=asked).json()
        assert village in [v["code"] for v in listed]
        retried = client.post("/v1/villages", json=village_body(village), headers=keyed)
        assert retried.status_code == 201, retried.text
        assert retried.headers["Idempotent-Replayed"] == "true"
        assert int(retried.headers[POSITION]) >= position
    assert workers.stop(worker) == 0


def test_the_worker_exits_cleanly_on_sigint_too(
    runtime: Runtime, database: tuple[str, str | None], workers: Workers
) -> None:
    worker = workers.start()
    eventually(lambda: "worker: " in workers.log(worker))
    worker.send_signal(signal.SIGINT)
    assert worker.wait(timeout=30) == 0
    assert "stopped" in workers.log(worker)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_worker_whose_listening_connection_is_killed_listens_again(
    runtime: Runtime,
    database: tuple[str, str | None],
    workers: Workers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pg_terminate_backend on the worker's LISTEN connection: it reconnects, and a write made
    afterwards is still applied within the request's wait (its fallback poll is an hour)."""
    from runtime.worker import LISTENER_NAME

    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('admin-1', 'admin')}"}
    worker = workers.start()
    no_catch_up(runtime, monkeypatch)

    def listeners() -> list[int]:
        with runtime.engine.connect() as conn:
            return [
                int(row[0])
                for row in conn.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %(name)s "
                    "AND query LIKE 'LISTEN%%'",
                    {"name": LISTENER_NAME},
                )
            ]

    def ours() -> list[int]:  # other sessions' workers may listen in the same database
        return [p for p in listeners() if p not in before]

    before: list[int] = []
    with worker_app(runtime, database, 30) as client:
        first = client.post("/v1/villages", json=village_body(code("V")), headers=admin)
        assert first.status_code == 201, first.text
        eventually(lambda: bool(listeners()))
        killed = listeners()
        with runtime.engine.connect() as conn:
            for backend in killed:
                conn.exec_driver_sql("SELECT pg_terminate_backend(%(p)s)", {"p": backend})
        before = killed
        eventually(lambda: bool(ours()))
        second = client.post("/v1/villages", json=village_body(code("V")), headers=admin)
        assert second.status_code == 201, second.text
    assert workers.stop(worker) == 0
    assert "lost the listening connection" in workers.log(worker)
