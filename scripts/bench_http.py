"""The floor of an HTTP write: a POST of an entry to a real ``lianzhang serve`` vs a POST to a
bare Starlette route on uvicorn that saves one plain eventsourcing event, in the same run.

    .venv/bin/python -m scripts.bench_http [--store sqlite|postgresql|both] [--requests 300]
    .venv/bin/python -m scripts.bench_http floor --database-url URL [--schema S] --port P

``scripts.bench`` calls :func:`floor_cost` in its ``http`` part; run alone, this module makes a
fresh store per kind (as the benchmark does), registers one village and measures only this.

Both servers run as their own processes on loopback, started the same way (``uvicorn.run``,
log level ``info``, so both write an access log line per request). The floor (``floor``) is a
Starlette app with one route that parses the JSON body and, in the thread pool (as FastAPI runs
a sync route), increments a one-number aggregate kept in memory and saves its one event
through the library's own recorder (``eventsourcing.sqlite`` on a SQLite file beside the
store's; ``eventsourcing.postgres`` in the store's schema), then answers 201 with JSON. Single
requests alternate, one to each server, over one keep-alive connection each; the figures are
medians. ``/healthz`` of ``lianzhang serve`` is measured the same way against a bare GET.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import http.client
import json
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from scripts import load_server

ACTOR = "bench"
FLOOR_TABLE = "floor"  # the library names the table after the application: floor_events


FLOOR_GOAL = 2.0  # the goal: a POST within twice the floor of an HTTP write


def floor_env(url: str, schema: str | None, directory: Path) -> dict[str, str]:
    """The library's plain recorder on the same kind of store: a SQLite file in ``directory``
    (the store's own file is the server's), or the store's PostgreSQL schema."""
    from adapters.database import event_store_env, is_postgres

    env = event_store_env(url, schema)
    if is_postgres(url):
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
    else:
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        env["SQLITE_DBNAME"] = str(directory / "floor.sqlite3")
    for name in ("AGGREGATE_CACHE_MAXSIZE", "AGGREGATE_CACHE_FASTFORWARD"):
        env.pop(name, None)
    return env


def floor_app(env: dict[str, str]) -> Any:
    """A Starlette app whose ``POST /counter`` saves one event (and ``GET /healthz`` answers)."""
    import threading

    from eventsourcing.application import Application
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from scripts.bench_common import Counter  # the plain library's one-number aggregate

    class Floor(Application[UUID]):
        pass

    library = Floor(env=env)
    counter = Counter()
    library.save(counter)
    lock = threading.Lock()

    def save(by: int) -> int:
        with lock:
            counter.increment(by=by)
            library.save(counter)
            return int(counter.count)

    async def post(request: Request) -> JSONResponse:
        body = await request.json()
        # the save in the thread pool, as FastAPI runs a sync route
        count = await run_in_threadpool(save, int(body.get("by", 1)))
        return JSONResponse({"count": count}, status_code=201)

    def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/counter", post, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


@contextlib.contextmanager
def serve_floor(url: str, schema: str | None, directory: Path) -> Iterator[str]:
    """The floor server on a free loopback port; yields ``host:port``."""
    port = load_server.free_port()
    command = [sys.executable, "-m", "scripts.bench_http", "floor", "--database-url", url]
    command += ["--schema", schema] if schema else []
    command += ["--port", str(port), "--directory", str(directory)]
    log = directory / "floor.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=load_server.ROOT,
            env=load_server._env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection(base, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise load_server.LoadError(f"the floor server did not come up; see {log}")
            time.sleep(0.2)
        yield base
    finally:
        load_server.stop(process)


def _timed(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    want: int,
) -> float:
    data = json.dumps(body).encode() if body is not None else None
    sent = {**headers, **({"Content-Type": "application/json"} if data is not None else {})}
    start = time.perf_counter()
    connection.request(method, path, body=data, headers=sent)
    response = connection.getresponse()
    raw = response.read()
    took = time.perf_counter() - start
    if response.status != want:
        raise load_server.LoadError(f"{method} {path} answered {response.status}: {raw[:300]!r}")
    return took


def floor_cost(runtime: Any, scratch: Path, requests: int = 200, warm: int = 20) -> dict[str, Any]:
    """POST an entry to ``lianzhang serve`` vs POST to the floor, single requests alternating
    (``requests`` of each after ``warm`` of each); ``/healthz`` vs a bare GET likewise."""
    code = "H" + uuid.uuid4().hex[:6].upper()
    runtime.app.books.register_village(
        code=code,
        name=f"{code}村",
        township="基准镇",
        county="基准县",
        population=300,
        households=100,
        actor=ACTOR,
    )
    day = datetime.date.today() - datetime.timedelta(days=1)
    entry = {
        "date": day.isoformat(),
        "memo": "基准",
        "postings": [
            {"account": "102", "side": "debit", "amount": "1.00"},
            {"account": "504", "side": "credit", "amount": "1.00"},
        ],
    }
    floor_dir = scratch / "floor"
    floor_dir.mkdir(exist_ok=True)
    url, schema = runtime.database_url, runtime.schema
    with (
        load_server.serve(url, schema, scratch / "serve-floor.log") as server,
        serve_floor(url, schema, floor_dir) as floor,
    ):
        ours = http.client.HTTPConnection(server.base, timeout=load_server.REQUEST_TIMEOUT)
        bare = http.client.HTTPConnection(floor, timeout=load_server.REQUEST_TIMEOUT)
        auth = {"Authorization": f"Bearer {server.token}"}
        path = f"/v1/entities/{code}/entries"
        posts: tuple[list[float], list[float]] = ([], [])
        reads: tuple[list[float], list[float]] = ([], [])
        try:
            for i in range(warm + requests):
                keep = i >= warm
                took = _timed(ours, "POST", path, entry, auth, 201)
                floor_took = _timed(bare, "POST", "/counter", {"by": 1}, {}, 201)
                if keep:
                    posts[0].append(took)
                    posts[1].append(floor_took)
            for i in range(warm + requests):
                took = _timed(ours, "GET", "/healthz", None, {}, 200)
                floor_took = _timed(bare, "GET", "/healthz", None, {}, 200)
                if i >= warm:
                    reads[0].append(took)
                    reads[1].append(floor_took)
        finally:
            ours.close()
            bare.close()
    post_ms, floor_ms = (1000 * statistics.median(p) for p in posts)
    health_ms, bare_get_ms = (1000 * statistics.median(r) for r in reads)
    return {
        "requests": requests,
        "post_ms": post_ms,
        "floor_ms": floor_ms,
        "ratio": post_ms / floor_ms,
        "post_p95_ms": 1000 * statistics.quantiles(posts[0], n=20)[-1],
        "floor_p95_ms": 1000 * statistics.quantiles(posts[1], n=20)[-1],
        "healthz_ms": health_ms,
        "bare_get_ms": bare_get_ms,
    }


def measure(ctx: Any) -> dict[str, Any]:
    """The benchmark's ``http_floor`` measurement (``scripts.bench``): :func:`floor_cost` on the
        city's store, as many single requests of each as the posting rows take samples (after as
    many warm-up requests, 20 at most)."""
    requests = max(3, int(getattr(ctx.args, "samples", 200)))
    return floor_cost(ctx.runtime, ctx.scratch, requests, warm=min(20, requests))


def rows(result: dict[str, Any]) -> list[Any]:
    """The table's rows (``scripts.bench_common.Row``): the POST against the floor (goal ≤ 2),
    ``/healthz`` against a bare GET (no goal)."""
    from scripts.bench_common import Row, ms

    return [
        Row(
            "post over HTTP (`lianzhang serve`) vs a bare Starlette route saving one event, "
            "single requests alternating (lower is better)",
            ms(result["post_ms"] / 1000),
            ms(result["floor_ms"] / 1000),
            result["ratio"],
            f"≤ {FLOOR_GOAL:g}",
            result["ratio"] <= FLOOR_GOAL,
        ),
        Row(
            "`/healthz` vs a bare GET (lower is better)",
            ms(result["healthz_ms"] / 1000),
            ms(result["bare_get_ms"] / 1000),
            result["healthz_ms"] / result["bare_get_ms"],
        ),
    ]


def table_cell(result: dict[str, Any]) -> str:
    """The benchmark table's cell for one store's ``http_floor`` result."""
    return (
        f"{result['ratio']:.2f}× ({result['post_ms']:.1f} vs {result['floor_ms']:.1f} ms; "
        f"/healthz {result['healthz_ms']:.1f} vs {result['bare_get_ms']:.1f} ms)"
    )


def _measure(kind: str, requests: int) -> dict[str, Any]:
    from runtime.bootstrap import Runtime
    from web.settings import Settings

    where = None if kind == "sqlite" else "postgresql://postgres@127.0.0.1:5432/test"
    with load_server.fresh_store(where, None, keep=False) as (url, schema, scratch):
        settings = dataclasses.replace(
            Settings.from_env(), database_url=url, database_schema=schema
        )
        runtime = Runtime(url, schema=schema, keys=settings.key_locations())
        try:
            return {"store": kind, **floor_cost(runtime, scratch, requests)}
        finally:
            runtime.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    floor = sub.add_parser("floor", help="run the floor server (the benchmark starts it)")
    floor.add_argument("--database-url", required=True)
    floor.add_argument("--schema")
    floor.add_argument("--port", type=int, required=True)
    floor.add_argument("--directory", type=Path, required=True)
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.command == "floor":
        import uvicorn

        app = floor_app(floor_env(args.database_url, args.schema, args.directory))
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info")
        return
    kinds = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    results = [_measure(kind, args.requests) for kind in kinds]
    for r in results:
        print(f"| {r['store']} | {table_cell(r)} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
