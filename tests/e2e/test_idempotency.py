"""Exactly-once retries: an Idempotency-Key resolves to the committed answer or to nothing
written, whatever happened between the save and the answer (an exception, a kill -9)."""

from __future__ import annotations

import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from tests.builders import OPENING_BALANCES, code, receipt
from tests.e2e.conftest import Api
from web.deps import Writer
from web.tokens import TokenStore

ROOT = Path(__file__).resolve().parents[2]


def new_village(api: Api) -> str:
    village = code("V")
    created = api.client.post(
        "/v1/villages",
        json={
            "code": village,
            "name": "仉家村",
            "township": "唐坊镇",
            "county": "高青县",
            "population": 1200,
            "households": 400,
        },
        headers=api.admin,
    )
    assert created.status_code == 201, created.text
    opened = api.client.post(
        f"/v1/entities/{village}/opening-balances",
        json={"as_of": "2025-01-01", "balances": OPENING_BALANCES},
        headers=api.admin,
    )
    assert opened.status_code == 200, opened.text
    return village


def entry_body(amount: str = "10.00") -> dict[str, Any]:
    return {"date": "2025-03-01", "memo": "租金", "postings": receipt(amount)}


def entries(api: Api, village: str) -> int:
    listed = api.client.get(f"/v1/entities/{village}/entries", headers=api.auditor).json()
    return int(listed["total"])


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_the_same_json_spaced_differently_is_the_same_request(api: Api) -> None:
    village = new_village(api)
    headers = {**api.admin, **key(), "Content-Type": "application/json"}
    body = entry_body()
    first = api.client.post(
        f"/v1/entities/{village}/entries", content=json.dumps(body), headers=headers
    )
    assert first.status_code == 201, first.text
    spaced = json.dumps(dict(reversed(list(body.items()))), indent=3, ensure_ascii=False)
    second = api.client.post(
        f"/v1/entities/{village}/entries", content=spaced.encode(), headers=headers
    )
    assert second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert entries(api, village) == 1


def test_a_failure_after_the_save_still_resolves_to_the_committed_answer(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write commits, then the request fails before answering (500): the retry with the
    same key answers what was committed, and nothing is written twice."""
    village = new_village(api)
    headers = {**api.admin, **key()}
    real_remember = Writer._remember
    calls = {"n": 0}

    def failing_once(self: Writer, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1  # the answer is built (from the command's result) after the save
        if calls["n"] == 1:
            raise RuntimeError("the process died after the save")
        return real_remember(self, *args, **kwargs)

    client = TestClient(api.client.app, raise_server_exceptions=False)
    path = f"/v1/entities/{village}/entries"
    monkeypatch.setattr(Writer, "_remember", failing_once)
    failed = client.post(path, json=entry_body(), headers={**headers, "X-Request-Id": "die-1"})
    monkeypatch.setattr(Writer, "_remember", real_remember)
    assert failed.status_code == 500
    # even an unforeseen failure answers as a problem, with the request id to look it up by
    assert failed.headers["x-request-id"] == "die-1"
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["type"] == "urn:lianzhang:problem:internal-error"
    assert "die-1" in failed.json()["detail"]
    retried = client.post(path, json=entry_body(), headers=headers)
    assert retried.status_code == 201, retried.text
    assert retried.headers["idempotent-replayed"] == "true"
    assert retried.json()["number"] == "2025-0001"
    assert retried.headers["location"] == f"{path}/2025-0001"
    assert entries(api, village) == 1
    again = client.post(path, json=entry_body(), headers=headers)
    assert again.json() == retried.json()
    assert entries(api, village) == 1


def test_a_refused_command_leaves_no_key(api: Api) -> None:
    village = new_village(api)
    headers = {**api.admin, **key()}
    path = f"/v1/entities/{village}/entries"
    refused = api.client.post(path, json={**entry_body(), "date": "2024-01-01"}, headers=headers)
    assert refused.status_code == 422
    before = api.runtime.views.head()
    accepted = api.client.post(path, json=entry_body(), headers=headers)
    assert accepted.status_code == 201, accepted.text
    assert "idempotent-replayed" not in accepted.headers
    assert api.runtime.views.head() > before


def test_identical_requests_racing_each_other_write_once(api: Api) -> None:
    """The key aggregate's id is unique: of several identical requests in flight at once, one
    saves; the others' saves fail on the key and are answered as replays of it."""
    village = new_village(api)
    headers = {**api.admin, **key()}
    answers: list[Any] = []

    def send() -> None:
        answers.append(
            api.client.post(f"/v1/entities/{village}/entries", json=entry_body(), headers=headers)
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert {a.json()["number"] for a in answers} == {"2025-0001"}
    assert sum(1 for a in answers if "idempotent-replayed" not in a.headers) == 1
    assert entries(api, village) == 1


def test_a_key_older_than_24_hours_is_a_new_request(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    village = new_village(api)
    headers = {**api.admin, **key()}
    path = f"/v1/entities/{village}/entries"
    first = api.client.post(path, json=entry_body("1.00"), headers=headers)
    assert first.status_code == 201
    reused = api.client.post(path, json=entry_body("2.00"), headers=headers)
    assert reused.status_code == 409
    assert reused.json()["type"] == "urn:lianzhang:problem:idempotency-key-reused"
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=24, seconds=1)
    monkeypatch.setattr("domain.requests.utcnow", lambda: later)
    monkeypatch.setattr("domain.tenancy.utcnow", lambda: later)
    second = api.client.post(path, json=entry_body("2.00"), headers=headers)
    assert second.status_code == 201, second.text
    assert "idempotent-replayed" not in second.headers
    assert second.json()["number"] == "2025-0002"
    replayed = api.client.post(path, json=entry_body("2.00"), headers=headers)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == second.json()
    assert entries(api, village) == 2


# -- a real kill -9 between the save and the answer --------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(
    database: tuple[str, str | None], port: int, *, doomed: bool = False
) -> subprocess.Popen[bytes]:
    """``lianzhang serve`` on ``port``; ``doomed``: the app of ``tests.e2e.doomed_server``
    instead, which dies (SIGKILL) right after a command's save."""
    url, schema = database
    env = {**os.environ, "LIANZHANG_DATABASE_URL": url}
    if schema:
        env["LIANZHANG_DATABASE_SCHEMA"] = schema
    command = (
        ["-m", "tests.e2e.doomed_server", str(port)]
        if doomed
        else [
            "-c",
            "import sys; from scripts.cli import main; sys.exit(main(sys.argv[1:]))",
            "serve",
            "--port",
            str(port),
        ]
    )
    return subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("the server did not come up")


@pytest.fixture
def server_processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_kill_9_after_the_save_then_the_retry_answers_what_was_committed(
    api: Api, database: tuple[str, str | None], server_processes: list[subprocess.Popen[bytes]]
) -> None:
    village = new_village(api)
    token = TokenStore(api.runtime.engine).create(code("crash-"), "clerk", ["唐坊镇"])
    headers = {"Authorization": f"Bearer {token}", **key()}
    path = f"/v1/entities/{village}/entries"

    port = _free_port()
    doomed = _serve(database, port, doomed=True)
    server_processes.append(doomed)
    _wait_until_up(port, doomed)
    with pytest.raises(httpx.HTTPError):
        httpx.post(f"http://127.0.0.1:{port}{path}", json=entry_body(), headers=headers, timeout=60)
    assert doomed.wait(timeout=60) == -signal.SIGKILL

    port = _free_port()
    server = _serve(database, port)
    server_processes.append(server)
    _wait_until_up(port, server)
    retried = httpx.post(
        f"http://127.0.0.1:{port}{path}", json=entry_body(), headers=headers, timeout=60
    )
    assert retried.status_code == 201, retried.text
    assert retried.headers["idempotent-replayed"] == "true"
    assert retried.json()["number"] == "2025-0001"
    assert entries(api, village) == 1
