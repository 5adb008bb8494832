"""What every measurement of the benchmark (``scripts/bench.py``) shares: the city of vouchers it
builds, the plain library it is measured against, timing helpers and the table's rows.

**The baseline is the plain library**: ``plain_library`` opens eventsourcing's own application
with eventsourcing's own recorder (``eventsourcing.sqlite`` / ``eventsourcing.postgres``) on the
same store (the same SQLite file, the same PostgreSQL schema; its own events table), with no
signing, no chain, no tenancy and no bounds checks. Lianzhang's own save of the same one-number
aggregate (the signing recorder) is measured beside it, not instead of it: it would flatter every
ratio by 0.15–0.2.

**Single operations interleaved**: ``alternate`` times one of ours, then one of the baseline,
and so on, and compares medians; blocks of each (fsync noise on SQLite moves a block ±3×) are
not used where an operation can be timed alone.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLiteApplicationRecorder

from adapters.database import event_store_env

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
ACTOR = "bench"
PLAIN_TABLE = "bench_plain_events"


class Counter(Aggregate):
    """The baseline's aggregate: an event carrying one number."""

    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self, by: int) -> None:
        self.count += by


class PlainSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, on its own table of the benchmark's SQLite file."""

    def __init__(self, datastore: Any, events_table_name: str = PLAIN_TABLE) -> None:
        super().__init__(datastore, events_table_name=events_table_name)


class PlainLibrary(Application[Any]):
    """eventsourcing's own application (its PostgreSQL table: ``plainlibrary_events``)."""


def plain_library(url: str, schema: str | None) -> PlainLibrary:
    """The plain library on the store at ``url`` (and ``schema``): what every save is
    measured against."""
    env = {
        k: v for k, v in event_store_env(url, schema).items() if not k.startswith("AGGREGATE_CACHE")
    }
    if url.startswith("sqlite"):
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        env["APPLICATION_RECORDER_TOPIC"] = f"{__name__}:PlainSQLiteRecorder"
    else:
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
    return PlainLibrary(env)


class Saver:
    """One ``Counter`` saved one event at a time through ``app`` (the plain library or ours)."""

    def __init__(self, app: Application[Any]) -> None:
        self.app = app
        self.counter = Counter()
        app.save(self.counter)

    def __call__(self) -> None:
        self.counter.increment(by=1)
        self.app.save(self.counter)


# -- timing -----------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(
    ours: Callable[[], Any], baseline: Callable[[], Any], times: int
) -> tuple[list[float], list[float]]:
    """Seconds of each call, one of ours then one of the baseline, ``times`` times."""
    mine, base = [], []
    for _ in range(times):
        mine.append(timed(ours))
        base.append(timed(baseline))
    return mine, base


def median(samples: list[float]) -> float:
    return statistics.median(samples)


# -- the table --------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: ours, the baseline, ``ratio`` (higher is better unless the goal
    says ≤), the goal, and whether it is met (``None``: no goal)."""

    what: str
    ours: str
    baseline: str
    ratio: float | None
    goal: str = ""
    met: bool | None = None
    store: str = ""
    notes: dict[str, Any] = field(default_factory=dict)


def at_least(ratio: float, goal: float) -> bool:
    return ratio >= goal


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.2f} ms" if seconds < 0.1 else f"{seconds:.2f} s"


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


def register(app: Any, code: str, households: int = 100, township: str = "基准镇") -> None:
    app.books.register_village(
        code=code,
        name=f"{code}村",
        township=township,
        county="基准县",
        population=households * 3,
        households=households,
        actor=ACTOR,
    )


def load(app: Any, code: str, rows: list[dict[str, Any]], *, post_directly: bool = True) -> None:
    """Post ``rows`` into ``code``'s books through the bulk path (``domain/bulk.py``: every
    check of a single posting, saved 1,000 vouchers a transaction); ``post_directly=False``:
    imported for review (vouchers waiting for 审核, nothing in the books)."""
    from domain.bulk import Voucher

    if rows:
        app.bulk.import_vouchers(
            [
                Voucher(entity=code, date=r["date"], memo=r["memo"], postings=tuple(r["postings"]))
                for r in rows
            ],
            actor=ACTOR,
            post_directly=post_directly,
        )


def build_city(app: Any, villages: int, years: int, per_year: int, *, townships: int = 1) -> int:
    """Register the villages (spread over ``townships``) and load their years; returns the
    number of vouchers."""
    first = datetime.date.today().year - years
    for v in range(villages):
        register(
            app, village_code(v), township="基准镇" if townships == 1 else f"基准{v % townships}镇"
        )
    for y in range(years):
        for v in range(villages):
            load(app, village_code(v), vouchers(first + y, per_year, v))
    return villages * years * per_year


@dataclass
class Context:
    """What a measurement gets: the store's kind, the runtime, the plain library on the same
    store, the command line's arguments and a scratch directory."""

    kind: str
    runtime: Any
    plain: PlainLibrary
    args: Any
    scratch: Path
    city: dict[str, Any] = field(default_factory=dict)
