"""The benchmark: a city of villages and years, and what each part costs, as ratios against a
baseline measured in the same run.

    .venv/bin/python -m scripts.bench [--villages 50] [--years 1] [--vouchers 500]
        [--store sqlite|postgresql|both] [--sizes 100,5000] [--households 5000]
        [--samples 200] [--rounds 3] [--bulk 5000] [--json bench.json]
        [--only post,bulk,...] [--skip http,households,...]

On a fresh store per kind (a temporary SQLite file; a new schema of the PostgreSQL database
``test``, dropped after), it builds a city of N villages × Y years of vouchers (``--vouchers``
per village and year) through the bulk path, then runs each measurement of ``MEASUREMENTS``.
A measurement is a module with ``measure(ctx) -> dict`` and ``rows(result) -> list[Row]``
(``scripts/bench_common.py``): ``bench_scale`` (bytes per voucher), ``bench_post`` (posting
and the bulk path against the plain library's save), ``bench_rebuild`` (the rebuild against
the floor and against ``ledger``), ``bench_households`` (a 5,000-household village), and the
HTTP measurements: ``bench_serve`` (a POST to ``lianzhang serve`` against the application's own
post) and ``bench_http`` (the same POST against a bare Starlette route on uvicorn saving one
plain library event, the floor of an HTTP write; ``/healthz`` against a bare GET). A module
that is not there is left out; a new one is one line in ``MEASUREMENTS``.

It prints one table, a row per measurement and store: ours, the baseline, the ratio, the goal
and whether it is met; and writes JSON. Timings are never asserted: CI runs a tiny city
(``tests/e2e/test_bench.py``) only to keep the script working.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from scripts import load_server
from scripts.bench_common import POSTGRES, Context, Row, build_city, plain_library

# (name for --skip/--only, module, function, rows function); the first module found is used
MEASUREMENTS: list[tuple[str, tuple[str, ...], str, str]] = [
    ("scale", ("scripts.bench_scale",), "measure", "rows"),
    ("post", ("scripts.bench_post",), "measure_post", "post_rows"),
    ("bulk", ("scripts.bench_post",), "measure_bulk", "bulk_rows"),
    ("rebuild", ("scripts.bench_rebuild",), "measure", "rows"),
    ("households", ("scripts.bench_households",), "measure", "rows"),
    ("http", ("scripts.bench_serve",), "measure", "rows"),
    ("http_floor", ("scripts.bench_http",), "measure", "rows"),
]


def _module(names: tuple[str, ...], function: str) -> Any:
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
            continue
        if hasattr(module, function):
            return module
    return None


def run_store(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every chosen measurement on a fresh store of ``kind``."""
    from runtime.bootstrap import Runtime
    from web.settings import Settings

    result: dict[str, Any] = {"store": kind}
    where = None if kind == "sqlite" else POSTGRES  # a new file, or a new schema dropped after
    with load_server.fresh_store(where, None, keep=False) as (url, schema, scratch):
        # the keys where `lianzhang serve` and `lianzhang rebuild` find them: the settings'
        settings = dataclasses.replace(
            Settings.from_env(), database_url=url, database_schema=schema
        )
        runtime = Runtime(url, schema=schema, keys=settings.key_locations())
        plain = plain_library(url, schema)
        try:
            start = time.perf_counter()
            count = build_city(
                runtime.app, args.villages, args.years, args.vouchers, townships=args.townships
            )
            load_s = time.perf_counter() - start
            result["city"] = {
                "villages": args.villages,
                "years": args.years,
                "vouchers": count,
                "load_s": load_s,
                "vouchers_per_s": count / load_s,
            }
            ctx = Context(kind, runtime, plain, args, scratch, result["city"])
            for name, modules, function, _ in MEASUREMENTS:
                if not chosen(name, args):
                    continue
                module = _module(modules, function)
                if module is None:
                    continue
                print(f"{kind}: {name}…", file=sys.stderr, flush=True)
                result[name] = getattr(module, function)(ctx)
        finally:
            plain.close()
            runtime.close()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def chosen(name: str, args: argparse.Namespace) -> bool:
    only = set(filter(None, args.only.split(",")))
    skip = set(filter(None, args.skip.split(",")))
    return (not only or name in only) and name not in skip


def rows(result: dict[str, Any]) -> list[Row]:
    """The table's rows of one store's result, in ``MEASUREMENTS`` order."""
    city = result["city"]
    out = [
        Row(
            f"city loaded through the bulk path ({city['villages']} villages × "
            f"{city['years']} y, {city['vouchers']:,} vouchers)",
            f"{city['vouchers_per_s']:,.0f}/s",
            "",
            None,
            notes={"load_s": city["load_s"]},
        )
    ]
    for name, modules, function, rows_of in MEASUREMENTS:
        if name not in result:
            continue
        module = _module(modules, function)
        if module is not None:
            out += getattr(module, rows_of)(result[name])
    out.append(
        Row("peak RSS of the benchmark's process", f"{result['peak_rss_mb']:.0f} MB", "", None)
    )
    for row in out:
        row.store = result["store"]
    return out


def table(results: list[dict[str, Any]]) -> str:
    """One Markdown table: every row of every store, the stores side by side row by row."""
    lines = [
        "| what | store | ours | baseline | ratio | goal | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    per_store = [rows(r) for r in results]
    order: list[str] = []
    for store_rows in per_store:
        order += [row.what for row in store_rows if row.what not in order]
    for what in order:
        for store_rows in per_store:
            for row in store_rows:
                if row.what != what:
                    continue
                ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
                met = "" if row.met is None else ("yes" if row.met else "**no**")
                lines.append(
                    f"| {row.what} | {row.store} | {row.ours} | {row.baseline} | {ratio} "
                    f"| {row.goal} | {met} |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=50)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--vouchers", type=int, default=500, help="per village and year")
    parser.add_argument("--townships", type=int, default=1, help="the villages spread over")
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="100,5000", help="book sizes for the posting rows")
    parser.add_argument(
        "--samples", type=int, default=200, help="single operations of each, interleaved"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the long operations")
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--bulk", type=int, default=5000, help="vouchers through the bulk path")
    parser.add_argument("--only", default="", help="comma-separated: scale,post,bulk,…")
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
    return results


if __name__ == "__main__":
    main()
