"""Benchmark of the bulk path: vouchers per second through ``import_vouchers`` (every check of a
single posting) against the raw library saving the same number of trivial events in batches of
the same size, interleaved in one run on one store.

    .venv/bin/python -m scripts.bench_bulk [--entries 5000] [--villages 1] [--database-url URL]

``bulk_rate(runtime, vouchers)`` is what ``scripts/bench.py`` calls; ``year_of_vouchers`` makes a
plausible year of vouchers (receipts, payments, transfers) for registered villages.
"""

from __future__ import annotations

import argparse
import datetime
import random
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from domain.bulk import BATCH_VOUCHERS, Voucher
from projections.bootstrap import Runtime
from scripts.bench_books import Counter

OPENING = datetime.date(2025, 1, 1)


def register_villages(runtime: Runtime, count: int, *, township: str = "基准镇") -> list[str]:
    """``count`` villages with opening balances (¥100,000 in the bank, ¥2,000 cash)."""
    codes = []
    for _ in range(count):
        code = "B" + uuid.uuid4().hex[:8]
        runtime.app.register_village(
            code=code,
            name="基准村",
            township=township,
            county="基准县",
            population=1000,
            households=300,
            actor="bench",
        )
        runtime.app.set_opening_balances(
            entity=code,
            as_of=OPENING,
            balances=[
                {"account": "102", "side": "debit", "amount": "100000.00"},
                {"account": "101", "side": "debit", "amount": "2000.00"},
                {"account": "311", "side": "credit", "amount": "102000.00"},
            ],
            actor="bench",
        )
        codes.append(code)
    return codes


def year_of_vouchers(
    villages: Sequence[str], entries: int, *, year: int = 2025, seed: int = 13
) -> list[Voucher]:
    """``entries`` vouchers over ``villages`` through one year, in date order: receipts of
    income, payments of expenses (never more than the bank holds), cash drawn and deposited."""
    rng = random.Random(seed)
    start = datetime.date(year, 1, 1)
    bank = {v: 100_000_00 for v in villages}
    found = []
    for i in range(entries):
        village = villages[i % len(villages)]
        day = start + datetime.timedelta(days=i * 365 // max(entries, 1))
        fen = rng.randrange(1_00, 5_000_00)
        kind = rng.random()
        if kind < 0.45 or bank[village] < fen:
            memo, postings = "收到土地承包费", [("102", "debit"), ("504", "credit")]
            bank[village] += fen
        elif kind < 0.9:
            memo, postings = "支付管理费用", [("513", "debit"), ("102", "credit")]
            bank[village] -= fen
        else:
            memo, postings = "提取备用金", [("101", "debit"), ("102", "credit")]
            bank[village] -= fen
        amount = f"{fen // 100}.{fen % 100:02d}"
        found.append(
            Voucher(
                entity=village,
                date=day,
                memo=memo,
                postings=tuple(
                    {"account": a, "side": s, "amount": amount, "memo": ""} for a, s in postings
                ),
            )
        )
    return found


def raw_batched_saves(runtime: Runtime, events: int, batch: int) -> float:
    """Seconds to save ``events`` trivial events through the library, ``batch`` per save."""
    counter = Counter()
    runtime.app.save(counter)
    start = time.perf_counter()
    left = events
    while left:
        n = min(batch, left)
        for _ in range(n):
            counter.increment(by=1)
        runtime.app.save(counter)
        left -= n
    return time.perf_counter() - start


def bulk_rate(
    runtime: Runtime, vouchers: Sequence[Voucher], *, batch: int = BATCH_VOUCHERS
) -> dict[str, Any]:
    """Import ``vouchers`` (their books registered already) through the bulk path, with the raw
    library's batched save of as many events timed half before and half after it.

    Returns entries/s of both and the ratio (bulk / raw; the goal is ≥ 1)."""
    n = len(vouchers)
    raw_s = raw_batched_saves(runtime, n // 2, batch)
    start = time.perf_counter()
    result = runtime.app.import_vouchers(vouchers, actor="bench", batch_size=batch)
    bulk_s = time.perf_counter() - start
    raw_s += raw_batched_saves(runtime, n - n // 2, batch)
    assert len(result.posted) == n
    return {
        "entries": n,
        "batch": batch,
        "bulk_s": round(bulk_s, 3),
        "bulk_entries_per_s": round(n / bulk_s),
        "raw_events_per_s": round(n / raw_s),
        "ratio": round(raw_s / bulk_s, 2),
    }


def run(database_url: str, schema: str | None, entries: int, villages: int) -> dict[str, Any]:
    runtime = Runtime(database_url, schema=schema)
    try:
        codes = register_villages(runtime, villages)
        found = bulk_rate(runtime, year_of_vouchers(codes, entries))
    finally:
        runtime.close()
    print(
        f"store: {database_url}{' schema ' + schema if schema else ''}\n"
        f"raw batched save:  {found['raw_events_per_s']:8d} events/s (batches of "
        f"{found['batch']})\n"
        f"bulk import:       {found['bulk_entries_per_s']:8d} entries/s "
        f"= {found['ratio']:.2f} × raw ({found['entries']} entries, {villages} villages)"
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--villages", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        schema = "lz_bench_" + uuid.uuid4().hex[:8] if "postgresql" in args.database_url else None
        try:
            run(args.database_url, schema, args.entries, args.villages)
        finally:
            if schema:
                import psycopg

                with psycopg.connect(args.database_url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", None, args.entries, args.villages)


if __name__ == "__main__":
    main()
