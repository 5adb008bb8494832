"""``GET /metrics``: the Prometheus text exposition of this process (``prometheus_client``).

Two kinds of figures. **Counters and histograms** of this process, kept as requests and
commands go by (``web.observability`` feeds them): requests by route template, method and
status; their duration; problems by status and kind (``urn:lianzhang:problem:<kind>``); command
runs and their retries by command; idempotent replays; events applied by ``lianzhang worker``
(in the worker's own process, ``--metrics-port``). **Gauges read at scrape time** from the
store (:class:`StoreCollector`): the log head, each read model's position and lag (in events,
and in seconds: the age of the oldest event it has not applied), the read models that are stuck
and whether the signed chain stopped them, the connection pools in use, and the streaming
replica's lag when ``LIANZHANG_READ_URL`` is set. A scrape costs a few small reads: the head,
``lz_tracking``, one event per distinct lagging position, and one query on the replica.

Labels are bounded by the code, never by the data: route templates (``/v1/entities/{code}``,
not the path), methods, statuses, problem kinds, command class names, read-model and pool
names. No township, entity code, token, person or amount appears, so the page holds no
tenant's data. It is still for the operator only: ``LIANZHANG_METRICS`` (``web.settings``)
turns it off, and ``LIANZHANG_METRICS_TOKEN`` makes it answer only to ``Authorization: Bearer
<that token>`` (Prometheus' ``authorization: credentials_file``); the proxy in front of the
API should not forward it. It is left out of the OpenAPI document: it is not part of the API a
client programs against, and its format is Prometheus', not JSON.

Several processes (several ``lianzhang serve`` behind a proxy, one or more workers) are scraped
one by one, each at its own address (``instance`` tells them apart; sum over it). The counters
are per process; the gauges read from the store are the same whichever process answers, except
the pools, which are the answering process's.
"""

from __future__ import annotations

import datetime
import hmac
import json
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import text

from domain.runner import Ran
from projections.reads import REPLAY_LAG_SQL, positions
from web.problems import Problem

disable_created_metrics()  # no ``*_created`` series: Prometheus does not need them

REQUESTS = Counter(
    "lianzhang_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
DURATION = Histogram(
    "lianzhang_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PROBLEMS = Counter(
    "lianzhang_http_problems",
    "Refusals answered as problem details, by status and kind (503: read-models-behind, "
    "chain-broken, projection-stuck …)",
    ["status", "kind"],
)
COMMANDS = Counter(
    "lianzhang_commands",
    "Commands run through the runner, by command and result (written, replayed, failed)",
    ["command", "result"],
)
RETRIES = Counter(
    "lianzhang_command_retries",
    "Times a command was run again because a concurrent save got there first",
    ["command"],
)
REPLAYS = Counter(
    "lianzhang_idempotent_replays",
    "Writes answered from their Idempotency-Key, by where the answer came from (stored, or "
    "rebuilt from the recorded events)",
    ["answer"],
)
EVENTS_APPLIED = Counter(
    "lianzhang_events_applied",
    "Events applied to the read models by this process's lianzhang worker",
)


def request_done(
    method: str, route: str, status: int, seconds: float, problem: object = None
) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    DURATION.labels(route, method).observe(seconds)
    if isinstance(problem, str):
        PROBLEMS.labels(str(status), problem).inc()


def command_done(ran: Ran) -> None:
    result = "failed" if ran.failed else "replayed" if ran.replayed else "written"
    COMMANDS.labels(ran.command, result).inc()
    if ran.retries:
        RETRIES.labels(ran.command).inc(ran.retries)


def replayed(stored: bool) -> None:
    REPLAYS.labels("stored" if stored else "rebuilt").inc()


# -- read at scrape time ---------------------------------------------------------------------------


def _moment(state: bytes) -> datetime.datetime | None:
    """When an event was recorded, from its stored state (``timestamp``)."""
    try:
        stamp = json.loads(state).get("timestamp", {})
        return datetime.datetime.fromisoformat(stamp["_data_"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class StoreCollector(Collector):
    """The gauges of one running store, read when scraped: ``runtime`` is the API's or the
    worker's (``runtime.bootstrap.Runtime``), ``replica`` the engine of ``LIANZHANG_READ_URL``."""

    def __init__(self, runtime: Any, replica: Any = None) -> None:
        self.runtime = runtime
        self.replica = replica

    def collect(self) -> Iterator[Metric]:
        rt = self.runtime
        names = [p.name for p in rt.views.projections]
        head = int(rt.views.head())
        at = positions(rt.engine, names)
        yield _gauge("lianzhang_log_head", "The last position (notification id) of the log", head)
        position = GaugeMetricFamily(
            "lianzhang_read_model_position",
            "The last log position a read model has applied (its rate: events applied per "
            "second, whichever process applies them)",
            labels=["read_model"],
        )
        lag = GaugeMetricFamily(
            "lianzhang_read_model_lag_events",
            "Events of the log a read model has not applied yet",
            labels=["read_model"],
        )
        age = GaugeMetricFamily(
            "lianzhang_read_model_lag_seconds",
            "Age of the oldest event a read model has not applied yet (0 when it is current)",
            labels=["read_model"],
        )
        ages = self._ages({p for p in at.values() if p < head})
        for name in names:
            position.add_metric([name], at[name])
            lag.add_metric([name], max(head - at[name], 0))
            age.add_metric([name], ages.get(at[name], 0.0) if at[name] < head else 0.0)
        yield from (position, lag, age)
        stuck = GaugeMetricFamily(
            "lianzhang_read_model_stuck",
            "1 when a read model cannot apply an event (its pages answer 503 projection-stuck)",
            labels=["read_model"],
        )
        for name in names:
            stuck.add_metric([name], 1.0 if name in rt.views.stuck else 0.0)
        yield stuck
        yield _gauge(
            "lianzhang_chain_broken",
            "1 when the read models stop before an event the signed chain does not cover "
            "(every page answers 503 chain-broken)",
            1.0 if rt.gate.broken is not None else 0.0,
        )
        yield from self._pools()
        if self.replica is not None:
            yield from self._replica(names, at)

    def _ages(self, lagging: Iterable[int]) -> dict[int, float]:
        """For each position a read model stands at, the age in seconds of the event after it."""
        now = datetime.datetime.now(datetime.UTC)
        ages: dict[int, float] = {}
        for at in sorted(lagging)[:20]:  # a handful of distinct positions at most
            found = self.runtime.app.recorder.select_notifications(
                start=at, limit=1, inclusive_of_start=False
            )
            moment = _moment(found[0].state) if found else None
            if moment is not None:
                ages[at] = max((now - moment).total_seconds(), 0.0)
        return ages

    def _pools(self) -> Iterator[Metric]:
        used = GaugeMetricFamily(
            "lianzhang_db_pool_in_use",
            "Connections of this process's pool handed out now (read models: SQLAlchemy; "
            "events: the event store's psycopg pool; replica)",
            labels=["pool"],
        )
        size = GaugeMetricFamily(
            "lianzhang_db_pool_size",
            "Connections a pool keeps (more may be opened as overflow)",
            labels=["pool"],
        )
        engines = [("read_models", self.runtime.engine)]
        if self.replica is not None:
            engines.append(("replica", self.replica))
        for name, engine in engines:
            pool = engine.pool
            if hasattr(pool, "checkedout") and hasattr(pool, "size"):
                used.add_metric([name], float(pool.checkedout()))
                size.add_metric([name], float(pool.size()))
        datastore = getattr(self.runtime.app.recorder, "datastore", None)
        stats = getattr(getattr(datastore, "pool", None), "get_stats", None)
        if callable(stats):
            found = stats()
            used.add_metric(
                ["events"], float(found.get("pool_size", 0) - found.get("pool_available", 0))
            )
            size.add_metric(["events"], float(found.get("pool_min", 0)))
        yield from (used, size)

    def _replica(self, names: list[str], primary: dict[str, int]) -> Iterator[Metric]:
        replica = positions(self.replica, names)
        behind = max((primary[n] - replica[n] for n in names), default=0)
        yield _gauge(
            "lianzhang_replica_lag_events",
            "Most log positions a read model on the replica is behind the same on the primary",
            max(behind, 0),
        )
        with self.replica.connect() as conn:  # the query the fail-soft replica measures with
            seconds = conn.execute(text(REPLAY_LAG_SQL)).scalar()  # NULL when not a standby
        yield _gauge(
            "lianzhang_replica_lag_seconds",
            "How long the replica's replay is behind what it has received (0 when caught up)",
            float(seconds or 0.0),
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def exposition(runtime: Any, replica: Any = None) -> bytes:
    """This process's counters and the store's gauges, in Prometheus' text format."""
    store = CollectorRegistry(auto_describe=False)
    store.register(StoreCollector(runtime, replica))
    return generate_latest(REGISTRY) + generate_latest(store)


def install(app: FastAPI) -> None:
    """``GET /metrics``, answering as ``app.state.metrics`` says (``web.settings``: on or off,
    with or without a token)."""

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        state = request.app.state
        if not getattr(state, "metrics_on", True):
            raise Problem(404, "not-found", "metrics are turned off (LIANZHANG_METRICS=off)")
        token = getattr(state, "metrics_token", None)
        if token:
            sent = request.headers.get("authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                raise Problem(
                    401,
                    "unauthenticated",
                    "/metrics needs 'Authorization: Bearer <LIANZHANG_METRICS_TOKEN>'",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        replica = state.reads.replica  # a Replica (projections.reads): its engine is read
        body = exposition(state.runtime, None if replica is None else replica.engine)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


def serve(runtime: Any, host: str, port: int) -> None:
    """This process's counters and the store's gauges on ``http://host:port/metrics``, from a
    thread of its own (``lianzhang worker --metrics-port``)."""
    REGISTRY.register(StoreCollector(runtime))
    start_http_server(port, addr=host)
