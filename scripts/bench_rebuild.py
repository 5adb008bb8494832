"""Reading the log back, against the floor and against ledger-cli:

- ``rebuild vs floor``: every read model rebuilt by the replay path
  (``projections.replay.rebuild``, in this process) vs the physical floor: the raw event rows
  fetched with the driver in pages of 5,000 and each state decoded with orjson, on one core
  (what any rebuild must at least do); alternately;
- ``lianzhang rebuild`` vs ``ledger bal``, process against process: the command as an operator
  runs it (start-up included) and ``ledger`` reading ONE file that ``include``\\ s every
  entity's journal (one ``-f`` per journal makes ledger 2.3× slower: not that);
- the trial balance of every entity (cumulative, this month) from the read models vs the same
  ``ledger bal`` process;
- ``hledger bal`` on the same file, reported beside (no goal).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from scripts.bench_common import Context, Row, median, ms, timed
from scripts.load_server import ROOT

FLOOR_GOAL = 0.5
PAGE = 5000


def floor(runtime: Any) -> int:
    """Fetch every raw event row in pages and decode its state with orjson: the floor."""
    engine = runtime.engine
    table = runtime.app.recorder.events_table_name
    position = "notification_id" if engine.dialect.name == "postgresql" else "rowid"
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    query = (
        f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE {position} > {mark} ORDER BY {position} LIMIT {mark}"
    )
    count, start = 0, 0
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        cursor = driver.cursor()
        try:
            while True:
                cursor.execute(query, (start, PAGE))
                rows = cursor.fetchall()
                if not rows:
                    break
                for row in rows:
                    orjson.loads(row[4])
                count += len(rows)
                start = rows[-1][0]
        finally:
            cursor.close()
    return count


def rebuild(runtime: Any) -> None:
    """Every read model rebuilt the way ``lianzhang rebuild`` does."""
    from projections.replay import rebuild as replay

    replay(runtime)


def ledger_file(runtime: Any, directory: Path) -> tuple[Path, int]:
    """Every entity's journal, and one file including them all; (that file, transactions)."""
    from audit.exports import export_journals

    files = export_journals(runtime, directory / "journals", "hledger")
    main = directory / "all.journal"
    main.write_text("".join(f"include {p.resolve()}\n" for p in files), encoding="utf-8")
    transactions = sum(
        sum(1 for line in p.open(encoding="utf-8") if line[:1].isdigit()) for p in files
    )
    return main, transactions


def tool(name: str, journal: Path) -> Any:
    def run() -> None:
        subprocess.run(
            [name, "-f", str(journal), "bal"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    return run


def rebuild_command(runtime: Any) -> Any:
    """``lianzhang rebuild`` as a process on the benchmark's store (and keys)."""
    command = [sys.executable, "-m", "scripts.cli", "--database-url", runtime.database_url]
    if runtime.schema:
        command += ["--schema", runtime.schema]
    path = os.environ.get("PYTHONPATH")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        # as installed (pip compiles the bytecode): here compiled once into a cache of its own
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "lianzhang-bench-pycache")

    class Run:
        def __call__(self) -> None:
            done = subprocess.run(
                [*command, "rebuild"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
            )
            if done.returncode:
                raise RuntimeError(f"lianzhang rebuild: {done.stderr.decode(errors='replace')}")

        def warm(self) -> None:
            what = "import runtime.bootstrap, projections.replay, scripts.cli"
            subprocess.run([sys.executable, "-c", what], check=True, env=env)

    return Run()


def every_trial_balance(runtime: Any) -> int:
    """The cumulative trial balance of every entity this month, from the read models."""
    from projections.queries import list_entities, trial_balance_for

    month = runtime.app.today().strftime("%Y-%m")
    with runtime.engine.connect() as conn:
        codes = [e["code"] for e in list_entities(conn)]
        for code in codes:
            trial_balance_for(conn, code, month, cumulative=True)
    return len(codes)


def measure(ctx: Context) -> dict[str, Any]:
    runtime, rounds = ctx.runtime, ctx.args.rounds
    runtime.views.catch_up()
    events = runtime.views.head()
    ours, base = [], []
    for _ in range(rounds):
        ours.append(timed(lambda: rebuild(runtime)))
        base.append(timed(lambda: floor(runtime)))
    out: dict[str, Any] = {
        "events": events,
        "rebuild_s": median(ours),
        "floor_s": median(base),
        "floor_ratio": median(base) / median(ours),
    }
    journal, out["transactions"] = ledger_file(runtime, ctx.scratch)
    command = rebuild_command(runtime)
    command.warm()  # the bytecode compiled, as an installed package's is
    for name in ("ledger", "hledger"):
        if shutil.which(name) is None:
            out[name] = None
            continue
        run = tool(name, journal)
        if name == "hledger":
            out[name] = {"tool_s": median([timed(run) for _ in range(rounds)])}
            continue
        process, tools, balances = [], [], []
        for _ in range(rounds):
            process.append(timed(command))
            tools.append(timed(run))
            balances.append(timed(lambda: every_trial_balance(runtime)))
        out[name] = {
            "tool_s": median(tools),
            "process_s": median(process),
            "ratio": median(tools) / median(process),
            "balances_s": median(balances),
            "balances_ratio": median(tools) / median(balances),
        }
    return out


def rows(r: dict[str, Any]) -> list[Row]:
    out = [
        Row(
            f"rebuild ({r['events']:,} events) vs floor (raw rows + orjson, one core)",
            ms(r["rebuild_s"]),
            ms(r["floor_s"]),
            r["floor_ratio"],
            f"≥ {FLOOR_GOAL}",
            r["floor_ratio"] >= FLOOR_GOAL,
        )
    ]
    led = r.get("ledger")
    if led:
        out.append(
            Row(
                f"`lianzhang rebuild` vs `ledger bal`, processes ({r['transactions']:,} txns)",
                ms(led["process_s"]),
                ms(led["tool_s"]),
                led["ratio"],
                "> 1",
                led["ratio"] > 1,
            )
        )
        out.append(
            Row(
                "trial balance of every entity (read models) vs `ledger bal`",
                ms(led["balances_s"]),
                ms(led["tool_s"]),
                led["balances_ratio"],
                "> 1",
                led["balances_ratio"] > 1,
            )
        )
        if r.get("hledger"):
            ratio = r["hledger"]["tool_s"] / led["process_s"]
            out.append(
                Row(
                    "`lianzhang rebuild` vs `hledger bal`, processes",
                    ms(led["process_s"]),
                    ms(r["hledger"]["tool_s"]),
                    ratio,
                )
            )
    return out
