"""What the 工作台 (the township's dashboard, ``workbench.home`` and ``documents.dashboard``) costs
as books are added: the page over HTTP as a logged-in 记账/主管 asks for it, and the dashboard's
facts alone, p50 / p95, with the number of SQL statements the facts take.

    .venv/bin/python -m scripts.bench_dashboard [--store sqlite|postgresql] [--villages 30]
        [--vouchers 500] [--requests 20] [--demo]

A township of ``--villages`` villages (opening balances, then last year's ``--vouchers`` and
this year's up to today through the bulk path, as ``scripts/bench.py`` writes them), or with
``--demo`` the demo alliance (``scripts/demo.py``). Speed is printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime
import re
import statistics
import time
from typing import Any

from sqlalchemy import event

from runtime.bootstrap import Runtime
from scripts import bench_common as bench
from scripts import load_server

TOWNSHIP = "基准镇"
LOGIN, PASSWORD = "bench-zhuguan", "bench password 1"


def build_township(app: Any, villages: int, per_year: int, today: datetime.date) -> int:
    """``villages`` villages of :data:`TOWNSHIP` with opening balances, last year's vouchers
    and this year's up to ``today``; returns how many vouchers."""
    count = 0
    opening = [
        {"account": "101", "side": "debit", "amount": "5000.00"},
        {"account": "102", "side": "debit", "amount": "200000.00"},
        {"account": "301", "side": "credit", "amount": "205000.00"},
    ]
    for v in range(villages):
        code = bench.village_code(v)
        app.books.register_village(
            code=code,
            name=f"{code}村",
            township=TOWNSHIP,
            county="基准县",
            population=300,
            households=100,
            actor=bench.ACTOR,
        )
        app.books.set_opening_balances(
            entity=code,
            as_of=datetime.date(today.year - 1, 1, 1),
            balances=opening,
            actor=bench.ACTOR,
        )
    for year in (today.year - 1, today.year):
        for v in range(villages):
            rows = [r for r in bench.vouchers(year, per_year, v) if r["date"] <= today]
            bench.load(app, bench.village_code(v), rows)
            count += len(rows)
    return count


def log_in(client: Any) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login",
        data={"login": LOGIN, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def percentiles(samples: list[float], cpu: list[float]) -> dict[str, float]:
    """p50 and p95 of the wall time, and p50 of the process's CPU time (the server answers in
    this process: on a busy machine the CPU time tells what a request costs, the wall time
    what it waited for as well; PostgreSQL's own work is in its server, not counted)."""
    ordered = sorted(samples)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "cpu_p50_ms": 1000 * statistics.median(cpu),
    }


def timed(fn: Any, walls: list[float], cpus: list[float]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    walls.append(time.perf_counter() - wall)
    cpus.append(time.process_time() - cpu)
    return result


def measure(runtime: Runtime, township: str, requests: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from documents.dashboard import dashboard
    from projections.queries import list_entities
    from server.main import create_app
    from web.settings import Settings
    from web.users import UserStore

    runtime.app.people.register_person(
        LOGIN, "基准主管", "bookkeeper", [township], None, bench.ACTOR
    )
    UserStore(runtime.engine).set_password(LOGIN, PASSWORD)
    runtime.views.catch_up()
    today = runtime.app.today()
    app = create_app(Settings(database_url=runtime.database_url), runtime=runtime)
    with TestClient(app) as client:
        log_in(client)
        client.get("/")  # warm: templates compiled, read models caught up
        pages: list[float] = []
        pages_cpu: list[float] = []
        size = 0
        for _ in range(requests):
            answer = timed(lambda: client.get("/"), pages, pages_cpu)
            assert answer.status_code == 200, answer.text[-500:]
            size = len(answer.content)
    alone: list[float] = []
    alone_cpu: list[float] = []
    statements = 0
    with runtime.engine.connect() as conn:
        entities = [e for e in list_entities(conn) if e["township"] == township]

        def counted(*_: Any) -> None:
            nonlocal statements
            statements += 1

        for index in range(requests):
            if index == 0:
                event.listen(conn, "before_cursor_execute", counted)
            board = timed(lambda: dashboard(conn, entities, today, [township]), alone, alone_cpu)
            if index == 0:
                event.remove(conn, "before_cursor_execute", counted)
    return {
        "books": len(board.books),
        "page": percentiles(pages, pages_cpu),
        "page_kb": size / 1024,
        "facts": percentiles(alone, alone_cpu),
        "statements": statements,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--villages", type=int, default=30)
    parser.add_argument("--vouchers", type=int, default=500, help="per village and year")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--demo", action="store_true", help="the demo alliance instead")
    args = parser.parse_args(argv)
    where = None if args.store == "sqlite" else bench.POSTGRES
    with load_server.fresh_store(where, None, keep=False) as (url, schema, _):
        runtime = Runtime(url, schema=schema)
        try:
            start = time.perf_counter()
            if args.demo:
                from scripts.demo import TOWNSHIP as DEMO_TOWNSHIP
                from scripts.demo import load_demo

                load_demo(runtime.app, say=lambda _: None)
                township, vouchers = DEMO_TOWNSHIP, 0
            else:
                township = TOWNSHIP
                vouchers = build_township(
                    runtime.app, args.villages, args.vouchers, runtime.app.today()
                )
            loaded = time.perf_counter() - start
            result = {
                "store": args.store,
                "what": "demo" if args.demo else f"{args.villages} villages",
                "vouchers": vouchers,
                "load_s": loaded,
                **measure(runtime, township, args.requests),
            }
        finally:
            runtime.close()
    print(
        f"{result['store']}, {result['what']} ({result['books']} books, {vouchers} vouchers): "
        f"page p50 {result['page']['p50_ms']:.0f} ms, p95 {result['page']['p95_ms']:.0f} ms, "
        f"CPU p50 {result['page']['cpu_p50_ms']:.0f} ms ({result['page_kb']:.0f} KB); facts "
        f"alone p50 {result['facts']['p50_ms']:.0f} ms, p95 {result['facts']['p95_ms']:.0f} ms, "
        f"CPU p50 {result['facts']['cpu_p50_ms']:.0f} ms, {result['statements']} SQL statements"
    )
    return result


if __name__ == "__main__":
    main()
