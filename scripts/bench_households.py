"""A village of many households, for the benchmark (``scripts/bench.py``, its households row):
registering them, and reading its disclosure draft.

- ``register_households``: households one command each (a household and its member: two
  commands), commands/s per block, at the start and at the end: flat means the register does not
  grow per command;
- ``household_village``: such a village with income and an executed household plan;
- ``sheet_latency``: the disclosure draft of the period the plan was executed in, p50 / p95,
  through the HTTP API as a clerk asks for it (``api_client``) or the application function alone.

Run it with ``python -m scripts.bench --only households [--households N]``. Speed is
printed, never asserted.
"""

from __future__ import annotations

import datetime
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from documents import publishing
from domain.privacy import with_check_digit
from runtime.bootstrap import Runtime

D = datetime.date
ACTOR = "bench"
REGISTERED_ON = D(2025, 1, 1)
AS_OF = D(2026, 1, 15)
EXECUTED_ON = D(2026, 1, 28)
PERIOD = "2026-01"
STEPS: list[dict[str, Any]] = [
    {"step": "提议", "date": D(2026, 1, 18), "body": "村党支部"},
    {"step": "商议", "date": D(2026, 1, 19), "body": "村两委联席会议", "expected": 7,
     "present": 7, "votes_for": 7, "votes_against": 0, "abstentions": 0},
    {"step": "审议", "date": D(2026, 1, 20), "body": "村党员大会", "expected": 32,
     "present": 28, "votes_for": 27, "votes_against": 0, "abstentions": 1},
    {"step": "决议", "date": D(2026, 1, 22), "body": "村民代表会议",
     "assembly": "representatives", "expected": 25, "present": 23, "votes_for": 22,
     "votes_against": 1, "abstentions": 0},
    {"step": "决议公开", "date": D(2026, 1, 23), "body": "村两委", "place": "村务公开栏"},
]  # fmt: skip


def id_number(i: int) -> str:
    """A valid, distinct ID number per household index (born 1950-01-01 + i // 900 days)."""
    born = D(1950, 1, 1) + datetime.timedelta(days=i // 900)
    return with_check_digit(f"370321{born:%Y%m%d}{100 + i % 900:03d}")


def household_number(i: int) -> str:
    return f"H{i:05d}"


def register_households(
    app: Any,
    village: str,
    n: int,
    *,
    start: int = 0,
    block: int = 500,
    plain: Callable[[], None] | None = None,
) -> list[dict[str, float]]:
    """Register households ``start`` … ``start + n - 1`` of ``village`` (a register must be
    open), one member each, through the application; with ``plain`` (a save through the plain
    library), one plain save after each command, timed apart, so each block has its own
    baseline. Returns per block: commands/s, and our seconds and the plain seconds."""
    blocks = []
    for first in range(start, start + n, block):
        last = min(first + block, start + n)
        ours = base = 0.0
        for i in range(first, last):
            number = household_number(i)
            began = time.perf_counter()
            app.members.register_household(
                village=village,
                number=number,
                head=f"户主{i}",
                registered_on=REGISTERED_ON,
                actor=ACTOR,
            )
            ours += time.perf_counter() - began
            if plain is not None:
                base += timed(plain)
            began = time.perf_counter()
            app.members.register_member(
                village=village,
                number=f"{number}-1",
                household=number,
                name=f"户主{i}",
                id_number=id_number(i),
                joined_on=REGISTERED_ON,
                shares={"人口股": Decimal(1), "劳龄股": Decimal(i % 3)},
                actor=ACTOR,
            )
            ours += time.perf_counter() - began
            if plain is not None:
                base += timed(plain)
        blocks.append({"per_s": 2 * (last - first) / ours, "ours_s": ours, "plain_s": base})
    return blocks


def timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def household_village(
    runtime: Runtime,
    households: int,
    *,
    code: str | None = None,
    block: int = 500,
    plain: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """A village with ``households`` households, income, and an executed household plan paid in
    ``PERIOD``. Returns its code and the timings of building it."""
    app = runtime.app
    code = code or "B" + uuid.uuid4().hex[:8]
    app.books.register_village(
        code=code, name="基准村", township="基准镇", county="基准县", population=households * 3,
        households=households, actor=ACTOR,
    )  # fmt: skip
    app.books.set_opening_balances(
        entity=code,
        as_of=D(2025, 1, 1),
        balances=[
            {"account": "102", "side": "debit", "amount": "500000.00"},
            {"account": "301", "side": "credit", "amount": "500000.00"},
        ],
        actor=ACTOR,
    )
    app.books.post_entry(
        entity=code,
        date=D(2025, 6, 30),
        memo="租金收入",
        postings=[
            {"account": "102", "side": "debit", "amount": "2000000.00"},
            {"account": "504", "side": "credit", "amount": "2000000.00"},
        ],
        actor=ACTOR,
    )
    app.members.open_register(village=code, share_kinds=["人口股", "劳龄股"], actor=ACTOR)
    blocks = register_households(app, code, households, block=block, plain=plain)
    began = time.perf_counter()
    plan = f"P{code}"
    app.plans.draft_plan(
        code=plan,
        title="基准村成员分配方案",
        scope="village",
        target=code,
        period="2025",
        as_of=AS_OF,
        amount="1000000.00",
        rule={
            "deductions": [{"name": "公积公益金", "percent": "10"}],
            "tiers": [{"name": "按股分配", "kind": "proportional", "basis": "shares"}],
        },
        actor=ACTOR,
    )
    drafted = time.perf_counter() - began
    for step in STEPS:
        app.plans.record_plan_step(code=plan, actor=ACTOR, **step)
    app.plans.request_execution(code=plan, date=EXECUTED_ON, actor=f"{ACTOR}-asker")
    began = time.perf_counter()
    app.plans.execute_plan(code=plan, date=EXECUTED_ON, actor=ACTOR)
    executed = time.perf_counter() - began
    began = time.perf_counter()
    runtime.views.catch_up()
    caught_up = time.perf_counter() - began
    return {
        "village": code,
        "plan": plan,
        "register_rates": [b["per_s"] for b in blocks],
        "blocks": blocks,
        "draft_plan_s": drafted,
        "execute_plan_s": executed,
        "catch_up_s": caught_up,
    }


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


def sheet_latency(
    runtime: Runtime, village: str, period: str = PERIOD, samples: int = 20, *, client: Any = None
) -> dict[str, float]:
    """p50 / p95 of the disclosure draft of ``village`` for ``period``: through ``client`` (a
    ``fastapi.testclient.TestClient`` plus headers, as ``(client, headers)``) when given, else
    the application function ``publishing.draft_sheet``. The first request is a warm-up."""
    times = []
    for i in range(samples + 1):
        began = time.perf_counter()
        if client is not None:
            http, headers = client
            response = http.get(
                f"/v1/villages/{village}/disclosures/{period}/draft", headers=headers
            )
            assert response.status_code == 200, response.text
        else:
            publishing.draft_sheet(
                runtime, village, period, checked_by=[], checked_on=runtime.app.today(), opinion=""
            )
        if i:
            times.append(time.perf_counter() - began)
    return _percentiles(times)


def api_client(runtime: Runtime) -> tuple[Any, Any, dict[str, str]]:
    """An in-process HTTP client on ``runtime`` with an auditor's token (enter it first)."""
    from fastapi.testclient import TestClient

    from server.main import create_app
    from web.settings import Settings
    from web.tokens import TokenStore

    app = create_app(Settings(database_url=runtime.database_url), runtime=runtime)
    token = TokenStore(runtime.engine).create(f"bench-auditor-{uuid.uuid4().hex[:8]}", "auditor")
    return TestClient(app), app, {"Authorization": f"Bearer {token}"}


# -- the benchmark's rows (scripts/bench.py) ----------------------------------------------------

ORDINARY = 100  # households of an ordinary village
FLAT_GOAL = 0.8
SHEET_GOAL = 1.5


def measure(ctx: Any) -> dict[str, Any]:
    """Registering ``--households`` households, each command followed by a plain library save
    (``scripts.bench_common``), the last block against the first; then the disclosure draft of
    that village vs an ordinary village's (``ORDINARY`` households, the same plan), over HTTP,
    one request of each alternately."""
    from scripts.bench_common import Saver

    runtime, households = ctx.runtime, ctx.args.households
    block = max(min(500, households // 5), 1)
    plain = Saver(ctx.plain)
    big = household_village(runtime, households, block=block, plain=plain)
    small = household_village(runtime, min(ORDINARY, households))
    first, last = big["blocks"][0], big["blocks"][-1]
    http, _, headers = api_client(runtime)
    large_s: list[float] = []
    ordinary_s: list[float] = []

    def draft(village: str) -> Callable[[], None]:
        def get() -> None:
            answer = http.get(f"/v1/villages/{village}/disclosures/{PERIOD}/draft", headers=headers)
            assert answer.status_code == 200, answer.text

        return get

    with http:
        draft(big["village"])()  # warm-up: read models caught up, templates compiled
        draft(small["village"])()
        for _ in range(ctx.args.samples // 4 or 1):
            large_s.append(timed(draft(big["village"])))
            ordinary_s.append(timed(draft(small["village"])))
    first_ratio = first["plain_s"] / first["ours_s"]
    last_ratio = last["plain_s"] / last["ours_s"]
    return {
        "households": households,
        "first_per_s": first["per_s"],
        "last_per_s": last["per_s"],
        "first_ratio": first_ratio,
        "last_ratio": last_ratio,
        "flat": last_ratio / first_ratio,
        "sheet_s": statistics.median(large_s),
        "ordinary_sheet_s": statistics.median(ordinary_s),
        "sheet_ratio": statistics.median(large_s) / statistics.median(ordinary_s),
        "ordinary": min(ORDINARY, households),
    }


def rows(r: dict[str, Any]) -> list[Any]:
    from scripts.bench_common import Row, ms

    return [
        Row(
            f"register {r['households']:,} households, last block vs first (each vs plain saves "
            "in the same block)",
            f"{r['last_ratio']:.2f} ({r['last_per_s']:,.0f} commands/s)",
            f"{r['first_ratio']:.2f} ({r['first_per_s']:,.0f} commands/s)",
            r["flat"],
            f"≥ {FLAT_GOAL} (flat)",
            r["flat"] >= FLAT_GOAL,
        ),
        Row(
            f"disclosure draft over HTTP, {r['households']:,} households vs "
            f"{r['ordinary']} (lower is better)",
            ms(r["sheet_s"]),
            ms(r["ordinary_sheet_s"]),
            r["sheet_ratio"],
            f"≤ {SHEET_GOAL}",
            r["sheet_ratio"] <= SHEET_GOAL,
        ),
    ]
