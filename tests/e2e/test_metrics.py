"""What an operator watches: ``GET /metrics`` counts requests by route template and status,
problems by kind, commands and their retries, replays and the worker's events, and reads the
read models' lag from the store; every request has an id, echoed back, in its log line and
beside the events its command wrote (``web.metrics``, ``web.observability``,
``audit.save_requests``)."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from eventsourcing.persistence import RecordConflictError
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from audit.save_requests import positions_of, request_of
from domain.books.commands import RegisterVillage
from domain.commands import Command
from domain.runner import Caller, Ran, Runner
from runtime.bootstrap import Runtime
from runtime.worker import Worker
from tests.apps import app_for
from tests.builders import code
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Api, bearer
from web import metrics
from web.observability import JsonFormatter
from web.settings import Settings
from web.tokens import TokenStore

ONE_STORE = pytest.mark.one_store


def scrape(client: TestClient, **headers: str) -> dict[tuple[str, frozenset[Any]], float]:
    """Every sample of ``/metrics``: (name, labels) -> value."""
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(samples: dict[tuple[str, frozenset[Any]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def village_body(village: str) -> dict[str, Any]:
    return {
        "code": village,
        "name": "仉家村",
        "township": "唐坊镇",
        "county": "高青县",
        "population": 1200,
        "households": 400,
    }


def requests(samples: dict[tuple[str, frozenset[Any]], float], route: str, status: str) -> float:
    method = "GET" if "accounts" in route else "POST"
    return value(
        samples, "lianzhang_http_requests_total", route=route, method=method, status=status
    )


@ONE_STORE
def test_metrics_count_requests_problems_and_replays_by_route_template(api: Api) -> None:
    c = api.client
    before = scrape(c)
    village = code("V")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert c.post("/v1/villages", json=village_body(village), headers=api.admin | key).status_code
    replay = c.post("/v1/villages", json=village_body(village), headers=api.admin | key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert c.get("/v1/entities/NOPE/accounts", headers=api.admin).status_code == 404
    after = scrape(c)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert requests(after, "/v1/villages", "201") - requests(before, "/v1/villages", "201") == 2
    accounts = "/v1/entities/{code}/accounts"
    assert requests(after, accounts, "404") - requests(before, accounts, "404") == 1
    assert moved("lianzhang_http_problems_total", status="404", kind="entity-not-found") == 1
    assert moved("lianzhang_commands_total", command="RegisterVillage", result="written") == 1
    assert moved("lianzhang_commands_total", command="RegisterVillage", result="replayed") == 1
    assert moved("lianzhang_idempotent_replays_total", answer="stored") == 1
    duration = "lianzhang_http_request_duration_seconds_count"
    assert moved(duration, route="/v1/villages", method="POST") == 2
    # labels are templates, never a path, code, township or token
    text = c.get("/metrics").text
    assert village not in text and "NOPE" not in text and "唐坊镇" not in text
    assert "admin-1" not in text
    # the store's gauges: every read model current after a write answered in the request
    head = value(after, "lianzhang_log_head")
    assert head >= 2
    assert value(after, "lianzhang_read_model_position", read_model="ledger") == head
    assert value(after, "lianzhang_read_model_lag_events", read_model="ledger") == 0
    assert value(after, "lianzhang_chain_broken") == 0
    assert value(after, "lianzhang_db_pool_size", pool="read_models") >= 1


@ONE_STORE
def test_a_write_the_read_models_do_not_reach_is_a_503_counted_with_the_lag(
    runtime: Runtime,
) -> None:
    """Worker mode with no worker: the write commits, its answer is 503 read-models-behind, and
    the scrape shows the read models behind the log, in events and in seconds."""
    token = TokenStore(runtime.engine).create("admin-1", "admin")
    app = app_for(runtime, Settings(runtime.database_url, projections="worker", wait_seconds=0))
    with TestClient(app) as c:
        before = scrape(c)
        time.sleep(0.05)  # the event below is at least this old at the scrape
        answer = c.post("/v1/villages", json=village_body(code("V")), headers=bearer(token))
        assert answer.status_code == 503, answer.text
        assert answer.json()["type"] == "urn:lianzhang:problem:read-models-behind"
        time.sleep(0.05)
        after = scrape(c)
    kind = {"status": "503", "kind": "read-models-behind"}
    assert (
        value(after, "lianzhang_http_problems_total", **kind)
        - value(before, "lianzhang_http_problems_total", **kind)
        == 1
    )
    assert requests(after, "/v1/villages", "503") - requests(before, "/v1/villages", "503") == 1
    head = value(after, "lianzhang_log_head")
    assert head == int(answer.headers["Lianzhang-Position"])
    assert value(after, "lianzhang_read_model_lag_events", read_model="ledger") == head
    assert value(after, "lianzhang_read_model_lag_seconds", read_model="ledger") >= 0.05


def test_the_request_id_is_echoed_logged_and_recorded_beside_the_events(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    sent = "req-42.a:b_" + uuid.uuid4().hex[:8]
    with caplog.at_level(logging.INFO, logger="lianzhang"):
        answer = api.client.post(
            "/v1/villages",
            json=village_body(code("V")),
            headers=api.admin | {"X-Request-Id": sent},
        )
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Request-Id"] == sent
    position = int(answer.headers["Lianzhang-Position"])
    line = [r for r in caplog.records if r.name == "lianzhang.http"][-1]
    logged = json.loads(JsonFormatter().format(line))
    assert {k: logged[k] for k in ("request_id", "method", "route", "status", "caller")} == {
        "request_id": sent,
        "method": "POST",
        "route": "/v1/villages",
        "status": 201,
        "caller": "admin-1",
    }
    assert logged["level"] == "info" and logged["duration_ms"] > 0 and logged["time"]
    assert "Bearer" not in json.dumps(logged)
    command = [r for r in caplog.records if r.name == "lianzhang.command"][-1]
    ran = json.loads(JsonFormatter().format(command))
    assert (ran["command"], ran["request_id"], ran["position"], ran["retries"]) == (
        "RegisterVillage",
        sent,
        position,
        0,
    )
    # beside the events the save wrote, in its transaction: the log itself is untouched
    assert request_of(api.runtime.engine, position) == sent
    [(first, last)] = positions_of(api.runtime.engine, sent)
    assert first <= last == position
    assert request_of(api.runtime.engine, first) == sent
    assert request_of(api.runtime.engine, position + 1) is None
    if api.runtime.engine.dialect.name == "postgresql":  # the event store's own pool
        assert value(scrape(api.client), "lianzhang_db_pool_size", pool="events") >= 1


@ONE_STORE
@pytest.mark.parametrize("bad", ["bad id;<x>", "x" * 65, ""])
def test_an_unsafe_request_id_is_replaced_not_trusted(api: Api, bad: str) -> None:
    answer = api.client.get("/v1/entities/NOPE/accounts", headers=api.admin | {"X-Request-Id": bad})
    assert answer.status_code == 404
    given = answer.headers["X-Request-Id"]
    assert given != bad and len(given) == 32 and int(given, 16) >= 0


@ONE_STORE
def test_metrics_can_be_turned_off_or_need_a_token(runtime: Runtime) -> None:
    off = app_for(runtime, Settings(runtime.database_url, metrics=False))
    with TestClient(off) as c:
        assert c.get("/metrics").status_code == 404
    guarded = app_for(runtime, Settings(runtime.database_url, metrics_token="s3cret-token"))
    with TestClient(guarded) as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert c.get("/metrics", headers=bearer("wrong")).status_code == 401
        assert "lianzhang_log_head" in scrape(c, **bearer("s3cret-token")).__repr__()


def retries() -> float:
    found = REGISTRY.get_sample_value(
        "lianzhang_command_retries_total", {"command": "RacedRegistration"}
    )
    return found or 0.0


def applied() -> float:
    return REGISTRY.get_sample_value("lianzhang_events_applied_total") or 0.0


@dataclass(frozen=True)
class RacedRegistration(Command[str]):
    """Registers a village; its first attempt loses the save to a concurrent one (what the
    store raises then), so the runner's retry runs it again."""

    village: RegisterVillage
    lost: list[int]

    def execute(self, app: Any, actor: str) -> str:
        if not self.lost:
            self.lost.append(1)
            raise RecordConflictError("a concurrent save got there first")
        return self.village.execute(app, actor)


@ONE_STORE
def test_command_retries_are_reported_to_the_observer_and_counted(runtime: Runtime) -> None:
    reports: list[Ran] = []

    def observe(ran: Ran) -> None:
        reports.append(ran)
        metrics.command_done(ran)

    before = retries()
    village = RegisterVillage(code("V"), "仉家村", "唐坊镇", "高青县", 1200, 400)
    outcome = Runner(runtime.app, observe=observe).run(
        RacedRegistration(village, []), Caller("admin-1", request_id="retry-1")
    )
    assert outcome.position > 0
    assert reports == [Ran("RacedRegistration", 1, outcome.position, False, None, "retry-1")]
    assert retries() - before == 1
    assert request_of(runtime.engine, outcome.position) == "retry-1"


@ONE_STORE
def test_the_worker_counts_the_events_it_applies(runtime: Runtime) -> None:
    before = applied()
    worker = Worker(runtime, log=lambda line: None, applied=metrics.EVENTS_APPLIED.inc)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        Runner(runtime.app).run(
            RegisterVillage(code("V"), "仉家村", "唐坊镇", "高青县", 1200, 400), Caller("admin-1")
        )
        head = runtime.views.head()
        deadline = time.monotonic() + 10
        while applied() - before < head and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
        thread.join()
    assert applied() - before == head == worker.applied


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_replica_lag_is_read_when_a_read_url_is_set(runtime: Runtime) -> None:
    """The read URL here is the primary itself (not in recovery): no lag, and the replica's
    pool and read models are read like a standby's would be."""
    settings = Settings(runtime.database_url, runtime.schema, read_url=POSTGRES_URL)
    with TestClient(app_for(runtime, settings)) as c:
        samples = scrape(c)
    assert value(samples, "lianzhang_replica_lag_events") == 0
    assert value(samples, "lianzhang_replica_lag_seconds") == 0
    assert ("lianzhang_db_pool_size", frozenset({("pool", "replica")})) in samples
