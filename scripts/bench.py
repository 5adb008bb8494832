"""The benchmark of scale: a city of villages and years, and what each part costs, as ratios.

    .venv/bin/python -m scripts.bench [--villages 50] [--years 1] [--vouchers 500]
        [--store sqlite|postgresql|both] [--sizes 100,1000,5000] [--households 5000]
        [--json bench.json] [--skip http,households,...]

Builds, on a fresh store per kind (a temporary SQLite file; a new schema of the PostgreSQL
database ``test``), a city of N villages × Y years of vouchers (``--vouchers`` per village and
year) through the bulk path, then measures in the same run, each figure against a baseline
measured in the same process and interleaved with it (blocks of one, then blocks of the other):

- ``post``: posting one entry through the application (load books, every check, save) vs a bare
  eventsourcing save of a one-number aggregate, at several sizes of the book, and how the cost at
  the largest size compares with the smallest (goal ≥ 0.5×, and flat: within 1.2×);
- ``bulk``: vouchers through the bulk path vs saving as many one-number events in the same
  batches with the library directly (goal ≥ 1×): posted directly (``post_directly``, what the
  city is built with), and imported for review (the default: each voucher's two
  events; reported beside it, no goal);
- ``rebuild``: rebuilding every read model (the replay path) vs reading and decoding the log
  through the library (goal ≥ 0.5×), and vs ``ledger`` and ``hledger`` reading the same books
  exported as journals (goal: faster);
- ``households``: registering households one command each, the rate at the first and the last
  hundred (goal flat, ≥ 300 commands/s), and the disclosure draft of that village (p50/p95,
  goal < 100 ms p95);
- ``http``: posting an entry over HTTP to a real ``lianzhang serve`` process vs the application
  layer in this process (goal ≤ 1.5×); and vs a POST to a bare Starlette route on uvicorn that
  saves one plain eventsourcing event, single requests alternating (``scripts.bench_http``,
  goal ≤ 2×), with ``/healthz`` vs a bare GET;
- peak RSS of this process.

It prints one table and writes JSON. Timings are never asserted: CI runs a tiny city
(``--villages 2 --vouchers 20 --sizes 10,30 --households 30``) only to keep the script working.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.bulk import BATCH_VOUCHERS, Voucher
from runtime.bootstrap import Runtime
from scripts import bench_http, load_server
from web.settings import Settings

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
ACTOR = "bench"


class Counter(Aggregate):
    """The baseline: an aggregate whose event carries one number."""

    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self, by: int) -> None:
        self.count += by


# -- the city ---------------------------------------------------------------------------------


def village_code(index: int) -> str:
    return f"C{index:04d}"


def vouchers(year: int, count: int, seed: int) -> list[dict[str, Any]]:
    """A year of one village's vouchers: income received (借 102 / 贷 501|503|504) and expenses
    paid (借 511|513|514 / 贷 102), spread over the year, never spending money not yet in."""
    out = []
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year, 12, 31) - start).days
    for i in range(count):
        day = start + datetime.timedelta(days=days * i // max(count, 1))
        fen = 10_000 + (seed * 7919 + i * 104_729) % 900_000
        if i % 3 == 2:  # an expense, smaller than the income just before it
            debit, credit, fen, memo = ("511", "513", "514")[i % 9 // 3], "102", fen // 3, "支出"
        else:
            debit, credit, memo = "102", ("501", "503", "504")[i % 3], "收入"
        amount = f"{fen // 100}.{fen % 100:02d}"
        out.append(
            {
                "date": day,
                "memo": f"{memo} {i + 1}",
                "postings": [
                    {"account": debit, "side": "debit", "amount": amount},
                    {"account": credit, "side": "credit", "amount": amount},
                ],
            }
        )
    return out


def register(app: Any, code: str, households: int = 100) -> None:
    app.books.register_village(
        code=code,
        name=f"{code}村",
        township="基准镇",
        county="基准县",
        population=households * 3,
        households=households,
        actor=ACTOR,
    )


def load(app: Any, code: str, rows: list[dict[str, Any]], *, post_directly: bool = True) -> None:
    """Post ``rows`` into ``code``'s books through the bulk path (``domain/bulk.py``: every
    check of a single posting, saved 1,000 vouchers a transaction); ``post_directly=False``:
    imported for review (vouchers waiting for 审核, nothing in the books)."""
    if rows:
        app.bulk.import_vouchers(
            [as_voucher(code, row) for row in rows], actor=ACTOR, post_directly=post_directly
        )


def as_voucher(code: str, row: dict[str, Any]) -> Voucher:
    return Voucher(entity=code, date=row["date"], memo=row["memo"], postings=tuple(row["postings"]))


def build_city(app: Any, villages: int, years: int, per_year: int) -> int:
    """Register the villages and load their years; returns the number of vouchers."""
    first = datetime.date.today().year - years
    for v in range(villages):
        register(app, village_code(v))
    for y in range(years):
        for v in range(villages):
            load(app, village_code(v), vouchers(first + y, per_year, v))
    return villages * years * per_year


# -- measuring --------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    baseline: Callable[[], Any], measured: Callable[[], Any], rounds: int
) -> tuple[float, float]:
    """Median seconds of each, run alternately ``rounds`` times."""
    base, meas = [], []
    for _ in range(rounds):
        base.append(timed(baseline))
        meas.append(timed(measured))
    return statistics.median(base), statistics.median(meas)


def post_cost(app: Any, sizes: list[int], block: int, rounds: int) -> list[dict[str, Any]]:
    """Per-entry cost of posting into one book as it grows, against bare saves."""
    counter = Counter()
    app.save(counter)
    code = "P" + uuid.uuid4().hex[:6].upper()
    register(app, code)
    year = datetime.date.today().year - 1
    rows = vouchers(year, max(sizes) + block * rounds * len(sizes), 1)
    filled = 0
    day = datetime.date(year, 12, 31)
    entry = {
        "date": day,
        "memo": "基准",
        "postings": [
            {"account": "102", "side": "debit", "amount": "1.00"},
            {"account": "504", "side": "credit", "amount": "1.00"},
        ],
    }

    def bare() -> None:
        for _ in range(block):
            counter.increment(by=1)
            app.save(counter)

    def post() -> None:
        for _ in range(block):
            app.books.post_entry(entity=code, actor=ACTOR, **entry)

    out = []
    for size in sizes:
        if size > filled:
            load(app, code, rows[filled:size])
            filled = size
        base_s, post_s = interleaved(bare, post, rounds)
        filled += block * rounds
        out.append(
            {
                "entries_in_book": size,
                "bare_ms": 1000 * base_s / block,
                "post_ms": 1000 * post_s / block,
                "ratio": base_s / post_s,
            }
        )
    return out


def read_and_decode(app: Any) -> int:
    """Read every notification through the library and decode it: the rebuild's baseline."""
    count, start = 0, 0
    while batch := app.recorder.select_notifications(
        start=start, limit=1000, inclusive_of_start=False
    ):
        for notification in batch:
            app.mapper.to_domain_event(notification)
        count += len(batch)
        start = batch[-1].id
    return count


def rebuild(runtime: Runtime) -> None:
    """Rebuild every read model the way ``lianzhang rebuild`` does."""
    try:
        from projections import replay
    except ImportError:
        runtime.views.rebuild()
    else:
        replay.rebuild(runtime)


def journals(runtime: Runtime, directory: Path) -> dict[str, list[Path]]:
    from audit.exports import export_journals

    return {
        "hledger": export_journals(runtime, directory / "hledger", "hledger"),
        "ledger": export_journals(runtime, directory / "ledger", "hledger"),
    }


def tool_run(tool: str, files: list[Path]) -> Callable[[], None]:
    args = [tool]
    for path in files:
        args += ["-f", str(path)]
    args.append("balance")

    def run() -> None:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    return run


def rebuild_cost(runtime: Runtime, rounds: int, scratch: Path) -> dict[str, Any]:
    events = runtime.views.head()
    base_s, rebuild_s = interleaved(
        lambda: read_and_decode(runtime.app), lambda: rebuild(runtime), rounds
    )
    out: dict[str, Any] = {
        "events": events,
        "read_decode_s": base_s,
        "rebuild_s": rebuild_s,
        "events_per_s": events / rebuild_s,
        "ratio": base_s / rebuild_s,
    }
    files = journals(runtime, scratch)
    transactions = sum(p.read_text(encoding="utf-8").count("\n\n") for p in files["hledger"])
    out["transactions"] = transactions
    for tool in ("ledger", "hledger"):
        if shutil.which(tool) is None:
            out[tool] = None
            continue
        tool_s, again_s = interleaved(tool_run(tool, files[tool]), lambda: rebuild(runtime), rounds)
        out[tool] = {"tool_s": tool_s, "rebuild_s": again_s, "ratio": tool_s / again_s}
    return out


def household_cost(runtime: Runtime, households: int, samples: int = 20) -> dict[str, Any]:
    """A village of ``households`` households registered one command each (a household and its
    member: two commands), with an executed household plan; then its disclosure draft, through
    the HTTP API and the function alone (``scripts/bench_households.py``)."""
    from scripts import bench_households as hh

    block = max(min(500, households // 4), 1)
    built = hh.household_village(runtime, households, block=block)
    rates = built["register_rates"]
    http, _, headers = hh.api_client(runtime)
    with http:
        over_http = hh.sheet_latency(
            runtime, built["village"], samples=samples, client=(http, headers)
        )
    direct = hh.sheet_latency(runtime, built["village"], samples=samples)
    return {
        "households": households,
        "first_per_s": rates[0],
        "last_per_s": rates[-1],
        "sheet_p50_ms": over_http["p50_ms"],
        "sheet_p95_ms": over_http["p95_ms"],
        "function_p50_ms": direct["p50_ms"],
        "function_p95_ms": direct["p95_ms"],
    }


def http_cost(runtime: Runtime, block: int, rounds: int, scratch: Path) -> dict[str, Any]:
    import httpx2 as httpx

    app = runtime.app
    local, remote = "A" + uuid.uuid4().hex[:6].upper(), "W" + uuid.uuid4().hex[:6].upper()
    register(app, local)
    register(app, remote)
    day = datetime.date.today() - datetime.timedelta(days=1)
    postings = [
        {"account": "102", "side": "debit", "amount": "1.00"},
        {"account": "504", "side": "credit", "amount": "1.00"},
    ]
    with load_server.serve(runtime.database_url, runtime.schema, scratch / "serve.log") as server:
        client = httpx.Client(
            base_url=f"http://{server.base}", headers={"Authorization": f"Bearer {server.token}"}
        )

        def direct() -> None:
            for _ in range(block):
                app.books.post_entry(
                    entity=local, date=day, memo="基准", postings=postings, actor=ACTOR
                )

        def over_http() -> None:
            for _ in range(block):
                answer = client.post(
                    f"/v1/entities/{remote}/entries",
                    json={"date": day.isoformat(), "memo": "基准", "postings": postings},
                )
                answer.raise_for_status()

        direct_s, http_s = interleaved(direct, over_http, rounds)
        client.close()
    return {
        "app_ms": 1000 * direct_s / block,
        "http_ms": 1000 * http_s / block,
        "ratio": http_s / direct_s,
    }


# -- one store --------------------------------------------------------------------------------


def run_store(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"store": kind}
    skip = set(args.skip.split(",")) if args.skip else set()
    where = None if kind == "sqlite" else POSTGRES  # a new file, or a new schema dropped after
    with load_server.fresh_store(where, None, keep=False) as (url, schema, scratch):
        # the keys where `lianzhang serve` (the http bench) finds them: through the settings
        settings = dataclasses.replace(
            Settings.from_env(), database_url=url, database_schema=schema
        )
        runtime = Runtime(url, schema=schema, keys=settings.key_locations())
        try:
            start = time.perf_counter()
            count = build_city(runtime.app, args.villages, args.years, args.vouchers)
            load_s = time.perf_counter() - start
            result["city"] = {
                "villages": args.villages,
                "years": args.years,
                "vouchers": count,
                "load_s": load_s,
                "vouchers_per_s": count / load_s,
            }
            sizes = [int(s) for s in args.sizes.split(",")]
            if "post" not in skip:
                result["post"] = post_cost(runtime.app, sizes, args.block, args.rounds)
            if "bulk" not in skip:
                result["bulk"] = bulk_cost(runtime, args.bulk, args.rounds)
            if "rebuild" not in skip:
                result["rebuild"] = rebuild_cost(runtime, args.rounds, scratch)
            if "households" not in skip:
                result["households"] = household_cost(runtime, args.households)
            if "http" not in skip:
                result["http"] = http_cost(runtime, args.block, args.rounds, scratch)
                requests = max(20, 2 * args.block * args.rounds)  # scripts/bench_http.py
                result["http_floor"] = bench_http.floor_cost(runtime, scratch, requests)
        finally:
            runtime.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def bulk_cost(runtime: Runtime, vouchers_: int, rounds: int) -> dict[str, Any]:
    """The bulk path vs the library saving as many one-number events in the same batches
    (``BATCH_VOUCHERS`` events a save), interleaved."""
    app = runtime.app
    year = datetime.date.today().year - 1
    codes: list[str] = []

    def raw() -> None:
        counter = Counter()
        app.save(counter)
        left = vouchers_
        while left:
            for _ in range(min(BATCH_VOUCHERS, left)):
                counter.increment(by=1)
            app.save(counter)
            left -= min(BATCH_VOUCHERS, left)

    def bulk() -> None:
        load(app, codes[-1], vouchers(year, vouchers_, len(codes)))

    def for_review() -> None:
        load(app, codes[-1], vouchers(year, vouchers_, len(codes)), post_directly=False)

    base, meas, review = [], [], []
    for _ in range(rounds):
        codes.append("K" + uuid.uuid4().hex[:6].upper())
        register(app, codes[-1])
        base.append(timed(raw))
        meas.append(timed(bulk))
        codes.append("K" + uuid.uuid4().hex[:6].upper())
        register(app, codes[-1])
        review.append(timed(for_review))
    raw_s, bulk_s = statistics.median(base), statistics.median(meas)
    review_s = statistics.median(review)
    return {
        "vouchers": vouchers_,
        "raw_per_s": vouchers_ / raw_s,
        "bulk_per_s": vouchers_ / bulk_s,
        "ratio": raw_s / bulk_s,
        "review_per_s": vouchers_ / review_s,
        "review_ratio": raw_s / review_s,
    }


# -- the table --------------------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| what | " + " | ".join(r["store"] for r in results) + " | goal |", "|---|"]
    lines[1] += "---|" * len(results) + "---|"

    def row(what: str, goal: str, cell: Callable[[dict[str, Any]], str]) -> None:
        cells = []
        for r in results:
            try:
                cells.append(cell(r))
            except (KeyError, TypeError, IndexError):
                cells.append("–")
        lines.append(f"| {what} | " + " | ".join(cells) + f" | {goal} |")

    row(
        "city loaded",
        "",
        lambda r: (
            f"{r['city']['villages']} villages × {r['city']['years']} y, "
            f"{r['city']['vouchers']:,} vouchers in {r['city']['load_s']:.1f} s "
            f"({r['city']['vouchers_per_s']:,.0f}/s)"
        ),
    )
    row(
        "post one entry vs bare save",
        "≥ 0.5×",
        lambda r: ", ".join(
            f"{p['ratio']:.2f}× at {p['entries_in_book']:,} ({p['post_ms']:.2f} ms)"
            for p in r["post"]
        ),
    )
    row(
        "post cost, largest book / smallest (each vs its bare saves)",
        "≤ 1.2×",
        lambda r: f"{r['post'][0]['ratio'] / r['post'][-1]['ratio']:.2f}×",
    )
    row(
        "bulk path vs raw batched save",
        "≥ 1×",
        lambda r: (
            f"{r['bulk']['ratio']:.2f}× ({r['bulk']['bulk_per_s']:,.0f} vs "
            f"{r['bulk']['raw_per_s']:,.0f} /s)"
        ),
    )
    row(
        "bulk path for review (待审核) vs raw batched save",
        "–",
        lambda r: (
            f"{r['bulk']['review_ratio']:.2f}× ({r['bulk']['review_per_s']:,.0f} vs "
            f"{r['bulk']['raw_per_s']:,.0f} /s)"
        ),
    )
    row(
        "rebuild vs read + decode",
        "≥ 0.5×",
        lambda r: (
            f"{r['rebuild']['ratio']:.2f}× ({r['rebuild']['events_per_s']:,.0f} "
            f"events/s, {r['rebuild']['events']:,} events)"
        ),
    )
    for tool in ("ledger", "hledger"):
        row(
            f"rebuild vs {tool} (same books)",
            "> 1×",
            lambda r, tool=tool: (
                f"{r['rebuild'][tool]['ratio']:.2f}× "
                f"({tool} {r['rebuild'][tool]['tool_s']:.2f} s, rebuild "
                f"{r['rebuild'][tool]['rebuild_s']:.2f} s, {r['rebuild']['transactions']:,} txns)"
            ),
        )
    row(
        "register households (first → last block of commands)",
        "flat, ≥ 300/s",
        lambda r: (
            f"{r['households']['first_per_s']:,.0f} → "
            f"{r['households']['last_per_s']:,.0f} /s ({r['households']['households']:,})"
        ),
    )
    row(
        "disclosure draft p50 / p95 (HTTP; function alone)",
        "< 100 ms p95",
        lambda r: (
            f"{r['households']['sheet_p50_ms']:.0f} / {r['households']['sheet_p95_ms']:.0f} ms; "
            f"{r['households']['function_p50_ms']:.0f} / "
            f"{r['households']['function_p95_ms']:.0f} ms"
        ),
    )
    row(
        "HTTP vs application, per entry",
        "≤ 1.5×",
        lambda r: (
            f"{r['http']['ratio']:.2f}× ({r['http']['http_ms']:.1f} vs "
            f"{r['http']['app_ms']:.1f} ms)"
        ),
    )
    row(
        "HTTP post vs a bare Starlette route saving one event (single requests)",
        "≤ 2×",
        lambda r: bench_http.table_cell(r["http_floor"]),
    )
    row("peak RSS", "< 500 MB", lambda r: f"{r['peak_rss_mb']:.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=50)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--vouchers", type=int, default=500, help="per village and year")
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="100,1000,5000", help="book sizes for post cost")
    parser.add_argument("--block", type=int, default=50, help="operations per timed block")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--bulk", type=int, default=5000, help="vouchers per bulk import")
    parser.add_argument("--skip", default="", help="comma-separated: post,bulk,rebuild,…")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    results = []
    for kind in kinds:
        results.append(run_store(kind, args))
        print(f"{kind}: done", file=sys.stderr, flush=True)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
