"""Benchmark: what posting an entry and projecting it cost, as ratios to bare eventsourcing.

    .venv/bin/python -m scripts.bench_books [--entries 500] [--database-url URL]

Runs in one process on a fresh store (a temporary SQLite file by default; a new schema when a
PostgreSQL URL is given) and prints, for the same store and the same number of events:

- post_entry (load books, check, build a balanced entry, save) against a bare save of a
  trivial aggregate event: the cost of the domain on the write path;
- catching the read models up against reading and decoding the same notifications: the cost
  of the SQL view updates.
"""

from __future__ import annotations

import argparse
import datetime
import tempfile
import time
import uuid
from pathlib import Path

from eventsourcing.domain import Aggregate, event

from projections.bootstrap import Runtime


class Counter(Aggregate):
    """The baseline: an aggregate whose event carries one number."""

    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self, by: int) -> None:
        self.count += by


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def run(database_url: str, schema: str | None, entries: int) -> None:
    runtime = Runtime(database_url, schema=schema)
    app = runtime.app
    try:
        counter = Counter()
        app.save(counter)

        def baseline() -> None:
            for _ in range(entries):
                counter.increment(by=1)
                app.save(counter)

        code = "B" + uuid.uuid4().hex[:8]
        app.register_village(
            code=code,
            name="基准村",
            township="镇",
            county="县",
            population=1,
            households=1,
            actor="bench",
        )

        def posting() -> None:
            for _ in range(entries):
                app.post_entry(
                    entity=code,
                    date=datetime.date(2025, 1, 2),
                    memo="基准",
                    postings=[
                        {"account": "102", "side": "debit", "amount": "1.00"},
                        {"account": "504", "side": "credit", "amount": "1.00"},
                    ],
                    actor="bench",
                )

        base_s = _timed(baseline)
        post_s = _timed(posting)

        def read_decode() -> None:
            start = 0
            while batch := app.recorder.select_notifications(
                start=start, limit=1000, inclusive_of_start=False
            ):
                for n in batch:
                    app.mapper.to_domain_event(n)
                start = batch[-1].id

        read_s = _timed(read_decode)
        project_s = _timed(runtime.views.catch_up)
        total = runtime.views.head()
        print(f"store: {database_url}{' schema ' + schema if schema else ''}")
        print(
            f"bare save, 1 event each:   {entries / base_s:8.0f} saves/s  (baseline)\n"
            f"post_entry, 1 entry each:  {entries / post_s:8.0f} entries/s "
            f"= {base_s / post_s:.2f} × baseline"
        )
        print(
            f"read + decode log:         {total / read_s:8.0f} events/s  (baseline)\n"
            f"catch up read models:      {total / project_s:8.0f} events/s "
            f"= {read_s / project_s:.2f} × baseline"
        )
    finally:
        runtime.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        schema = "lz_bench_" + uuid.uuid4().hex[:8] if "postgresql" in args.database_url else None
        run(args.database_url, schema, args.entries)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", None, args.entries)


if __name__ == "__main__":
    main()
