"""Writing, against the plain library's save (``scripts/bench_common.py``):

- ``post``: one entry posted through the application (books loaded, every check, saved by the
  signing recorder) vs one plain library save of a one-number event, single operations
  interleaved, at each book size of ``--sizes``; and how the cost at the largest book compares
  with the smallest, each against its own plain saves (flat);
- ``signing save``: the same one-number event saved through Lianzhang's application and
  recorder (chain row, signature, tenancy, bounds) vs the plain library: what the signing
  recorder alone costs, reported beside the rows above (no goal);
- ``bulk``: a batch of vouchers through the bulk path (``domain/bulk.py``) vs the library
  saving as many one-number events in one save, one batch of each alternately.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from scripts.bench_common import (
    ACTOR,
    Context,
    Counter,
    Row,
    Saver,
    alternate,
    load,
    median,
    ms,
    register,
    timed,
    vouchers,
)

POST_GOAL = 0.7
FLAT_GOAL = 1.2
ENTRY = {
    "memo": "基准",
    "postings": [
        {"account": "102", "side": "debit", "amount": "1.00"},
        {"account": "504", "side": "credit", "amount": "1.00"},
    ],
}


def measure_post(ctx: Context) -> dict[str, Any]:
    """Per-entry cost of posting into one book as it grows, against plain saves."""
    app = ctx.runtime.app
    sizes = [int(s) for s in ctx.args.sizes.split(",")]
    samples = ctx.args.samples
    plain, signed = Saver(ctx.plain), Saver(app)
    code = "P" + uuid.uuid4().hex[:6].upper()
    register(app, code)
    year = datetime.date.today().year - 1
    rows = vouchers(year, max(sizes), 1)
    filled = 0
    day = datetime.date(year, 12, 31)

    def post() -> None:
        app.books.post_entry(entity=code, actor=ACTOR, date=day, **ENTRY)

    out = []
    for size in sizes:
        if size > filled:
            load(app, code, rows[filled:size])
            filled = size
        post()  # the books loaded and cached, as in a running server
        ours, base = alternate(post, plain, samples)
        out.append(
            {
                "entries_in_book": size,
                "post_s": median(ours),
                "plain_s": median(base),
                "ratio": median(base) / median(ours),
            }
        )
    ours, base = alternate(signed, plain, samples)
    return {
        "sizes": out,
        "signing_save_s": median(ours),
        "plain_save_s": median(base),
        "signing_ratio": median(base) / median(ours),
    }


def post_rows(r: dict[str, Any]) -> list[Row]:
    rows = [
        Row(
            f"post one entry, book of {p['entries_in_book']:,}, vs plain save",
            ms(p["post_s"]),
            ms(p["plain_s"]),
            p["ratio"],
            f"≥ {POST_GOAL}",
            p["ratio"] >= POST_GOAL,
        )
        for p in r["sizes"]
    ]
    if len(r["sizes"]) > 1:
        small, large = r["sizes"][0], r["sizes"][-1]
        growth = small["ratio"] / large["ratio"]
        rows.append(
            Row(
                f"posting at {large['entries_in_book']:,} / at {small['entries_in_book']:,} "
                "(each against its plain saves)",
                ms(large["post_s"]),
                ms(small["post_s"]),
                growth,
                f"≤ {FLAT_GOAL} (flat)",
                growth <= FLAT_GOAL,
            )
        )
    rows.append(
        Row(
            "our save of the same one-number event (signing recorder) vs plain save",
            ms(r["signing_save_s"]),
            ms(r["plain_save_s"]),
            r["signing_ratio"],
        )
    )
    return rows


def measure_bulk(ctx: Context) -> dict[str, Any]:
    """A batch through the bulk path (posted directly; and imported for review, reported
    beside) vs the library saving as many one-number events in one save, alternately."""
    from domain.bulk import BATCH_VOUCHERS

    app, plain = ctx.runtime.app, ctx.plain
    size = min(ctx.args.bulk, BATCH_VOUCHERS)
    batches = max(1, ctx.args.bulk // size)
    year = datetime.date.today().year - 1
    counter = Counter()
    plain.save(counter)
    code = "K" + uuid.uuid4().hex[:6].upper()
    register(app, code)
    rows = vouchers(year, size * batches, 3)

    def raw() -> None:
        for _ in range(size):
            counter.increment(by=1)
        plain.save(counter)

    base, ours, reviewed = [], [], []
    for b in range(batches):
        part = rows[b * size : (b + 1) * size]
        ours.append(timed(lambda: load(app, code, part)))  # noqa: B023
        base.append(timed(raw))
        # the same vouchers for review, into the same books (checked against them as they
        # stand: the money they spend is there)
        reviewed.append(timed(lambda: load(app, code, part, post_directly=False)))  # noqa: B023
    return {
        "vouchers": size * batches,
        "batch": size,
        "bulk_per_s": size / median(ours),
        "plain_per_s": size / median(base),
        "review_per_s": size / median(reviewed),
        "ratio": median(base) / median(ours),
        "review_ratio": median(base) / median(reviewed),
    }


def bulk_rows(r: dict[str, Any]) -> list[Row]:
    return [
        Row(
            f"bulk path, batches of {r['batch']:,} vouchers, vs the library's batched save",
            f"{r['bulk_per_s']:,.0f}/s",
            f"{r['plain_per_s']:,.0f}/s",
            r["ratio"],
            "≥ 1",
            r["ratio"] >= 1,
        ),
        Row(
            "bulk path for review (待审核) vs the library's batched save",
            f"{r['review_per_s']:,.0f}/s",
            f"{r['plain_per_s']:,.0f}/s",
            r["review_ratio"],
        ),
    ]
