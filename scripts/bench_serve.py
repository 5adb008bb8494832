"""Posting an entry over HTTP to a real ``lianzhang serve`` process vs the application layer
in the benchmark's process, one request and one posting alternately (lower is better)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from scripts import load_server
from scripts.bench_common import ACTOR, Context, Row, alternate, median, ms, register

GOAL = 1.5


def measure(ctx: Context) -> dict[str, Any]:
    import httpx2 as httpx

    runtime = ctx.runtime
    app = runtime.app
    local, remote = "A" + uuid.uuid4().hex[:6].upper(), "W" + uuid.uuid4().hex[:6].upper()
    register(app, local)
    register(app, remote)
    day = datetime.date.today() - datetime.timedelta(days=1)
    postings = [
        {"account": "102", "side": "debit", "amount": "1.00"},
        {"account": "504", "side": "credit", "amount": "1.00"},
    ]
    log = ctx.scratch / "serve.log"
    with load_server.serve(runtime.database_url, runtime.schema, log) as server:
        client = httpx.Client(
            base_url=f"http://{server.base}", headers={"Authorization": f"Bearer {server.token}"}
        )

        def direct() -> None:
            app.books.post_entry(
                entity=local, date=day, memo="基准", postings=postings, actor=ACTOR
            )

        def over_http() -> None:
            answer = client.post(
                f"/v1/entities/{remote}/entries",
                json={"date": day.isoformat(), "memo": "基准", "postings": postings},
            )
            answer.raise_for_status()

        over_http()  # warm-up
        ours, base = alternate(over_http, direct, ctx.args.samples // 2 or 1)
        client.close()
    return {
        "app_s": median(base),
        "http_s": median(ours),
        "ratio": median(ours) / median(base),
    }


def rows(r: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "post over HTTP (`lianzhang serve`) vs in the application (lower is better)",
            ms(r["http_s"]),
            ms(r["app_s"]),
            r["ratio"],
            f"≤ {GOAL}",
            r["ratio"] <= GOAL,
        )
    ]
