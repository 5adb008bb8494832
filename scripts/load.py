"""A bounded loopback load test: a real ``lianzhang serve`` process, N client threads posting
entries for S seconds, then a check that nothing was lost or duplicated.

    python -m scripts.load                              # fresh SQLite file, 1, 4, 20 clients
    python -m scripts.load --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m scripts.load --clients 1,10 --seconds 5 --rounds 2 --json
    python -m scripts.load --database-url postgresql://… --clients 8 --servers 1,2 [--worker]

What it does, in order:

1. starts ``lianzhang serve`` on a free loopback port against a fresh store: a new SQLite file
   in a temporary directory, or a new PostgreSQL schema (dropped at the end unless ``--keep``);
   as many processes as the largest of ``--servers``, each on its own port (with ``--worker``:
   ``serve --worker`` and one ``lianzhang worker`` keeping the read models up);
2. creates an admin token (``lianzhang token create``) and registers villages with opening
   balances: one shared village and one of their own for every other client;
3. runs the phases interleaved: for every round, every client count in turn (1, 4, 20, 1, 4,
   20 …), each with every server count in turn, so the machine's other load falls on all of
   them alike; in a phase, N threads post entries for S seconds, each on its own keep-alive
   connection with a fresh Idempotency-Key, client ``i`` to server ``i mod K``. Even-numbered
   clients post into the shared village, odd-numbered ones into their own;
4. reports, per server and client count: requests, 201s, 5xx, other refusals, transport errors,
   throughput (acknowledged entries per second), p50 and p95 latency, the ratio of its
   throughput to the one-client throughput with as many servers, and (``×1 srv``) to the
   throughput of one server with as many clients, of the same run;
5. checks the books: every 201 has its entry (same number, memo and amount), no memo was booked
   twice, and the voucher numbers of every entity and sequence (a year, or a month and 凭证字)
   run 0001, 0002, … without a gap.

It exits 0 when there was no 5xx, no transport error and every check held, else 1. The figures
go into the README (Benchmarks); the CI test ``tests/e2e/test_concurrency.py`` calls
:func:`run` with tiny parameters. The server process and the fresh store are
``scripts.load_server``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.load_server import (
    REQUEST_TIMEOUT,
    LoadError,
    Server,
    expect,
    fresh_store,
    read_model_worker,
    request,
    serve,
)

YEAR = 2025
TOWNSHIP = "唐坊镇"
OPENING_BALANCES = [
    {"account": "102", "side": "debit", "amount": "500000.00"},
    {"account": "101", "side": "debit", "amount": "2000.00"},
    {"account": "301", "side": "credit", "amount": "400000.00"},
    {"account": "311", "side": "credit", "amount": "102000.00"},
]


def setup_village(server: Server, code: str) -> None:
    """Register a village in 唐坊镇 with the opening balances as of 1 January."""
    expect(
        server,
        "POST",
        "/v1/villages",
        {
            "code": code,
            "name": f"负载村{code}",
            "township": TOWNSHIP,
            "county": "高青县",
            "population": 1000,
            "households": 300,
        },
        201,
    )
    expect(
        server,
        "POST",
        f"/v1/entities/{code}/opening-balances",
        {"as_of": f"{YEAR}-01-01", "balances": OPENING_BALANCES},
        200,
    )


# -- the clients ----------------------------------------------------------------------------------


@dataclass
class Sent:
    """One entry posted: where, what, and what came back."""

    entity: str
    memo: str
    amount: str
    status: int  # 0 when the request failed in transport (timeout, reset)
    seconds: float
    number: str | None = None
    detail: str = ""


@dataclass
class Phase:
    clients: int
    seconds: float
    servers: int = 1
    sent: list[Sent] = field(default_factory=list)


def village_of(client: int, run_tag: str) -> str:
    """Even clients share village S (one set of books under contention), odd ones own theirs."""
    return f"S{run_tag}" if client % 2 == 0 else f"C{run_tag}{client:03d}"


def run_phase(
    servers: Sequence[Server], clients: int, seconds: float, run_tag: str, label: str
) -> Phase:
    """``clients`` threads post entries for ``seconds``; each keeps one keep-alive connection,
    client ``i`` to server ``i mod len(servers)``."""
    phase = Phase(clients, seconds, len(servers))
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def client(index: int) -> None:
        entity = village_of(index, run_tag)
        server = servers[index % len(servers)]
        conn = http.client.HTTPConnection(server.base, timeout=REQUEST_TIMEOUT)
        mine: list[Sent] = []
        start.wait()
        sequence = 0
        while time.monotonic() < deadline[0]:
            sequence += 1
            memo = f"负载 {label} c{index} #{sequence}"
            amount = f"{1 + (index * 7919 + sequence) % 99_999}.{sequence % 100:02d}"
            body = {
                "date": f"{YEAR}-03-01",
                "memo": memo,
                "postings": [
                    {"account": "102", "side": "debit", "amount": amount},
                    {"account": "504", "side": "credit", "amount": amount},
                ],
            }
            began = time.perf_counter()
            try:
                status, answer = request(
                    server,
                    "POST",
                    f"/v1/entities/{entity}/entries",
                    body,
                    connection=conn,
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
            except (OSError, http.client.HTTPException) as error:
                mine.append(
                    Sent(
                        entity,
                        memo,
                        amount,
                        0,
                        time.perf_counter() - began,
                        None,
                        f"{type(error).__name__}: {error}",
                    )
                )
                conn.close()
                conn = http.client.HTTPConnection(server.base, timeout=REQUEST_TIMEOUT)
                continue
            took = time.perf_counter() - began
            number = answer.get("number") if status == 201 and isinstance(answer, dict) else None
            detail = "" if status == 201 else json.dumps(answer, ensure_ascii=False)[:300]
            mine.append(Sent(entity, memo, amount, status, took, number, detail))
        conn.close()
        with lock:
            phase.sent.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline.append(time.monotonic() + seconds)
    start.wait()
    for t in threads:
        t.join()
    return phase


# -- figures and checks ---------------------------------------------------------------------------


@dataclass
class Figures:
    servers: int
    clients: int
    seconds: float
    requests: int
    created: int
    server_errors: int
    refused: int
    transport_errors: int
    throughput: float  # acknowledged entries per second
    p50: float
    p95: float
    ratio: float = 0.0  # throughput over the one-client throughput of the same run
    # throughput over one server's with as many clients, in the same run (0 without it)
    scale: float = 0.0


def figures(phases: Sequence[Phase]) -> list[Figures]:
    """Phases with the same server and client counts summed over the rounds."""
    by_clients: dict[tuple[int, int], list[Phase]] = {}
    for p in phases:
        by_clients.setdefault((p.servers, p.clients), []).append(p)
    result = []
    for (servers, clients), group in sorted(by_clients.items()):
        sent = [s for p in group for s in p.sent]
        seconds = sum(p.seconds for p in group)
        latencies = sorted(s.seconds for s in sent if s.status)
        created = sum(1 for s in sent if s.status == 201)
        result.append(
            Figures(
                servers=servers,
                clients=clients,
                seconds=seconds,
                requests=len(sent),
                created=created,
                server_errors=sum(1 for s in sent if s.status >= 500),
                refused=sum(1 for s in sent if 0 < s.status < 500 and s.status != 201),
                transport_errors=sum(1 for s in sent if s.status == 0),
                throughput=created / seconds if seconds else 0.0,
                p50=_quantile(latencies, 0.50),
                p95=_quantile(latencies, 0.95),
            )
        )
    for f in result:
        single = next((g.throughput for g in result if (g.servers, g.clients) == (f.servers, 1)), 0)
        f.ratio = f.throughput / single if single else 0.0
        one = next((g.throughput for g in result if (g.servers, g.clients) == (1, f.clients)), 0)
        f.scale = f.throughput / one if one and f.servers > 1 else 0.0
    return result


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


@dataclass
class Check:
    entities: int = 0
    entries: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.gaps or self.mismatched)


def list_entries(server: Server, entity: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        query = urllib.parse.urlencode({"limit": 1000, "offset": len(items)})
        page = expect(server, "GET", f"/v1/entities/{entity}/entries?{query}", None, 200)
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


def check(server: Server, phases: Sequence[Phase], entities: Sequence[str]) -> Check:
    """Every 201 has its entry, no memo is booked twice, numbers run without gaps per year."""
    result = Check(entities=len(entities))
    acknowledged = {(s.entity, s.memo): s for p in phases for s in p.sent if s.status == 201}
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entity in entities:
        items = list_entries(server, entity)
        result.entries += len(items)
        by_year: dict[str, list[int]] = {}
        for item in items:
            # 2025-0001 (yearly) or 2025-03-J-0001 (monthly, with the voucher's 凭证字): one
            # sequence per everything before the serial
            year, _, serial = str(item["number"]).rpartition("-")
            by_year.setdefault(year, []).append(int(serial))
            seen.setdefault((entity, item["memo"]), []).append(item)
        for year, serials in by_year.items():
            if sorted(serials) != list(range(1, len(serials) + 1)):
                missing = sorted(set(range(1, max(serials) + 1)) - set(serials))[:5]
                result.gaps.append(
                    f"{entity} {year}: {len(serials)} numbers up to {max(serials):04d}, "
                    f"missing {missing}, repeated {len(serials) - len(set(serials))}"
                )
    for key, items in seen.items():
        if len(items) > 1:
            result.duplicated.append(f"{key[0]} {key[1]!r} booked {len(items)} times")
    for key, sent in acknowledged.items():
        found = seen.get(key)
        if not found:
            result.lost.append(f"{key[0]} {sent.number} {key[1]!r} answered 201 but is missing")
            continue
        item = found[0]
        if item["number"] != sent.number or item["total"] != sent.amount:
            result.mismatched.append(
                f"{key[0]} {key[1]!r}: answered {sent.number} {sent.amount}, "
                f"booked {item['number']} {item['total']}"
            )
    return result


# -- the whole run --------------------------------------------------------------------------------


@dataclass
class Report:
    store: str
    figures: list[Figures]
    check: Check
    errors: list[str]  # the first few 5xx and transport errors, for the reader

    @property
    def ok(self) -> bool:
        return self.check.ok and all(
            f.server_errors == 0 and f.transport_errors == 0 for f in self.figures
        )


def run(
    url: str | None = None,
    *,
    schema: str | None = None,
    clients: Sequence[int] = (1, 4, 20),
    seconds: float = 10.0,
    rounds: int = 2,
    keep: bool = False,
    progress: Any = None,
    server_log: Path | None = None,
    servers: int | Sequence[int] = 1,
    worker: bool = False,
) -> Report:
    """Set up a fresh store and as many server processes on it as the largest of ``servers``,
    run the interleaved phases (every client count with every server count in turn: a phase
    with K servers sends its clients to the first K), check the books."""
    server_counts = [servers] if isinstance(servers, int) else list(servers)
    run_tag = uuid.uuid4().hex[:4].upper()
    most = max(clients)
    entities = sorted({village_of(i, run_tag) for i in range(most)})
    with (
        fresh_store(url, schema, keep) as (db_url, db_schema, workdir),
        contextlib.ExitStack() as stack,
    ):
        log = server_log or workdir / "server.log"
        running = [
            stack.enter_context(
                serve(
                    db_url,
                    db_schema,
                    log if n == 0 else log.with_suffix(f".{n}.log"),
                    worker=worker,
                )
            )
            for n in range(max(server_counts))
        ]
        if worker:  # once the first server has made the store
            stack.enter_context(read_model_worker(db_url, db_schema, log.with_suffix(".w.log")))
        server = running[0]
        for entity in entities:
            setup_village(server, entity)
        phases = []
        for r in range(rounds):
            for n in clients:
                for k in server_counts:
                    phase = run_phase(running[:k], n, seconds, run_tag, f"r{r}n{n}k{k}")
                    phases.append(phase)
                    if progress is not None:
                        done = sum(1 for s in phase.sent if s.status == 201)
                        progress(
                            f"round {r + 1}/{rounds}, {k} server(s), {n:>3} clients: {done} entries"
                        )
        result = check(server, phases, entities)
        errors = [
            f"{s.status or 'transport'} {s.entity}: {s.detail}"
            for p in phases
            for s in p.sent
            if s.status == 0 or s.status >= 500
        ][:5]
        store = "PostgreSQL" if db_schema else "SQLite"
        if server_counts != [1]:
            store += f", {'/'.join(map(str, server_counts))} server processes"
        if worker:
            store += ", serve --worker and lianzhang worker"
        return Report(store, figures(phases), result, errors)


def render(report: Report) -> str:
    lines = [
        f"store: {report.store}",
        f"{'servers':>7} {'clients':>7} {'requests':>8} {'201':>6} {'5xx':>4} {'4xx':>4} "
        f"{'errors':>6} {'entries/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'ratio':>6} {'×1 srv':>6}",
    ]
    for f in report.figures:
        lines.append(
            f"{f.servers:>7} {f.clients:>7} {f.requests:>8} {f.created:>6} {f.server_errors:>4} "
            f"{f.refused:>4} {f.transport_errors:>6} {f.throughput:>9.1f} {f.p50 * 1000:>7.0f} "
            f"{f.p95 * 1000:>7.0f} {f.ratio:>6.2f} "
            + (f"{f.scale:>6.2f}" if f.scale else f"{'':>6}")
        )
    c = report.check
    lines.append(
        f"checked {c.entries} entries in {c.entities} books: lost {len(c.lost)}, "
        f"duplicated {len(c.duplicated)}, number gaps {len(c.gaps)}, "
        f"mismatched {len(c.mismatched)}"
    )
    for problem in (c.lost + c.duplicated + c.gaps + c.mismatched)[:10]:
        lines.append(f"  {problem}")
    for error in report.errors:
        lines.append(f"  error: {error}")
    lines.append("OK" if report.ok else "FAILED")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        help="postgresql://… (a fresh schema) or sqlite:///FILE; default a temporary SQLite file",
    )
    parser.add_argument(
        "--clients", default="1,4,20", help="client counts, comma-separated (default 1,4,20)"
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="seconds per phase (default 10)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="times every client count runs, interleaved (default 2)",
    )
    parser.add_argument("--schema", help="PostgreSQL schema to use as it is (default: a new one)")
    parser.add_argument(
        "--servers",
        default="1",
        help="server counts on the one store, comma-separated (default 1); with several (1,2) "
        "every client count runs with each in turn and ×1 srv is the throughput over one "
        "server's with as many clients",
    )
    parser.add_argument(
        "--worker",
        action="store_true",
        help="servers run `serve --worker` and one `lianzhang worker` keeps the read models up "
        "(the scale-out set-up); default: every server catches up inside its requests",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--server-log", type=Path, help="write the server's output to this file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        counts = [int(c) for c in args.clients.split(",") if c.strip()]
        servers = [int(c) for c in args.servers.split(",") if c.strip()]
    except ValueError:
        parser.error("--clients and --servers: give whole numbers like 1,4,20")
    if not (counts and servers) or min(*counts, *servers, args.rounds) < 1 or args.seconds <= 0:
        parser.error("client counts, --seconds, --rounds and --servers must be positive")
    if 1 not in counts:
        counts.insert(0, 1)  # the ratio needs the one-client figure of the same run
    if len(servers) > 1 and 1 not in servers:
        servers.insert(0, 1)  # ×1 srv needs the one-server figures of the same run
    try:
        report = run(
            args.database_url,
            schema=args.schema,
            clients=counts,
            seconds=args.seconds,
            rounds=args.rounds,
            keep=args.keep,
            server_log=args.server_log,
            servers=servers,
            worker=args.worker,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except LoadError as error:
        print(f"load: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "store": report.store,
                    "ok": report.ok,
                    "figures": [f.__dict__ for f in report.figures],
                    "check": report.check.__dict__,
                    "errors": report.errors,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
