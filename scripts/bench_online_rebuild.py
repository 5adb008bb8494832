"""The rebuild's figures: online (shadow tables, switch) against offline (drop and replay in
place), and the longest stall a writer sees during an online rebuild against its normal save.

``python -m scripts.bench_online_rebuild [--villages 40] [--vouchers 600] [--store
sqlite|postgresql]`` builds a city through the bulk path (``scripts.bench_common.build_city``)
on a fresh store, then, in order: an offline rebuild with the indexes kept up during the
replay, one with the secondary indexes built after it, an online rebuild alone, and an online
rebuild while a writer thread posts entries one by one (each saved, caught up and read back, as
a request does) and a reader polls. Prints one JSON document; speed is printed, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import statistics
import threading
import time
from typing import Any

from sqlalchemy import text

from projections.online import rebuild_online
from runtime.bootstrap import Runtime
from scripts import load_server
from scripts.bench_common import POSTGRES, build_city, village_code
from web.settings import Settings


def offline(runtime: Runtime, *, indexes_after: bool) -> dict[str, Any]:
    """``lianzhang rebuild --offline``, the secondary indexes kept up during the replay or
    built after it."""
    began = time.perf_counter()
    applied = runtime.views.rebuild(indexes_after=indexes_after)
    seconds = time.perf_counter() - began
    return {"events": applied, "seconds": seconds, "events_per_second": applied / seconds}


class Writer:
    """Posts entries one at a time through the application, each caught up and read back."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.saves: list[tuple[float, float]] = []  # (when it began, seconds)
        self.reads: list[float] = []
        self.problems: list[str] = []
        self.stop = threading.Event()

    def write(self) -> None:
        day = len(self.saves)
        while True:
            day += 1
            began = time.perf_counter()
            posted = self.runtime.app.books.post_entry(
                entity=village_code(0),
                date=datetime.date.today() - datetime.timedelta(days=day % 300),
                memo="bench-rebuild",
                postings=[
                    {"account": "101", "side": "debit", "amount": f"{day}.00"},
                    {"account": "504", "side": "credit", "amount": f"{day}.00"},
                ],
                actor="bench",
            )
            self.runtime.views.catch_up()
            with self.runtime.engine.connect() as conn:
                found = conn.execute(
                    text("SELECT count(*) FROM lz_entries WHERE entity_code = :e AND number = :n"),
                    {"e": village_code(0), "n": posted.number},
                ).scalar_one()
            if found != 1:
                self.problems.append(f"entry {posted.number} not found after its save")
            self.saves.append((began, time.perf_counter() - began))
            if self.stop.is_set():
                return
            time.sleep(0.01)

    def read(self) -> None:
        while not self.stop.is_set():
            began = time.perf_counter()
            with self.runtime.engine.connect() as conn:
                conn.execute(text("SELECT count(*) FROM lz_entries WHERE memo = 'bench-rebuild'"))
            self.reads.append(time.perf_counter() - began)
            time.sleep(0.01)


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    return {
        "n": len(ordered),
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def under_traffic(url: str, schema: str | None, settings: Settings) -> dict[str, Any]:
    service = Runtime(url, schema=schema, keys=settings.key_locations())
    command = Runtime(url, schema=schema, keys=settings.key_locations())
    writer = Writer(service)
    threads = [threading.Thread(target=writer.write), threading.Thread(target=writer.read)]
    try:
        service.views.catch_up()  # a running server's: the chain checked, the cache warm
        writer.stop.set()
        writer.write()  # one save: the village's books in the aggregate cache
        writer.stop.clear()
        writer.saves.clear()
        for thread in threads:
            thread.start()
        time.sleep(5)  # the normal save, before
        began = time.perf_counter()
        stats = rebuild_online(command)
        ended = time.perf_counter()
        time.sleep(1)
    finally:
        writer.stop.set()
        for thread in threads:
            thread.join()
        command.close()
        service.close()
    before = [s for t, s in writer.saves if t + s < began]
    during = [s for t, s in writer.saves if t < ended and t + s > began]
    return {
        "rebuild": stats,
        "save_before": _ms(before),
        "save_during": _ms(during),
        "stall_ratio": max(during) / statistics.median(before) if before and during else None,
        "reads_ms": _ms(writer.reads),
        "problems": writer.problems,
    }


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    where = None if kind == "sqlite" else POSTGRES
    result: dict[str, Any] = {"store": kind}
    with load_server.fresh_store(where, None, keep=False) as (url, schema, _scratch):
        settings = dataclasses.replace(
            Settings.from_env(), database_url=url, database_schema=schema
        )
        runtime = Runtime(url, schema=schema, keys=settings.key_locations())
        try:
            build_city(runtime.app, args.villages, 1, args.vouchers)
            runtime.views.catch_up()
            result["events"] = runtime.views.head()
            result["offline"] = offline(runtime, indexes_after=False)
            result["offline_indexes_after"] = offline(runtime, indexes_after=True)
            result["online"] = rebuild_online(runtime)
        finally:
            runtime.close()
        result["online_under_traffic"] = under_traffic(url, schema, settings)
    result["online_vs_offline"] = result["online"]["seconds"] / result["offline"]["seconds"]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=40)
    parser.add_argument("--vouchers", type=int, default=600, help="per village")
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    kinds = ("sqlite", "postgresql") if args.store == "both" else (args.store,)
    print(json.dumps([run(kind, args) for kind in kinds], indent=2, default=str))


if __name__ == "__main__":
    main()
