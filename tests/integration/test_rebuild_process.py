"""``lianzhang rebuild`` as a process opens the store alone (``domain.store``), not the write
side: it does not import the services and every aggregate's module before the replay (half a
second of the command's start), nor psycopg on a SQLite store; the read models it leaves are
the write side's, decoded through the same mapper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from runtime.bootstrap import Runtime
from scripts.bench_common import build_city

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from runtime.bootstrap import Runtime
from projections.online import rebuild_online
rt = Runtime(sys.argv[1], commands=False)
try:
    stats = rebuild_online(rt)
    print(json.dumps({
        "events": stats["events"],
        "name": rt.app.name,
        "table": rt.app.recorder.events_table_name,
        "snapshots": rt.app.snapshots is not None,
        "imported": sorted(m for m in ("domain.application", "psycopg") if m in sys.modules),
    }))
finally:
    rt.close()
"""


def test_a_rebuild_opens_the_store_alone_and_rebuilds_the_same_read_models(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'lianzhang.sqlite3'}"
    written = Runtime(url)
    try:
        build_city(written.app, 1, 1, 1)
        written.views.catch_up()
        head = written.views.head()
        table = written.app.recorder.events_table_name  # type: ignore[attr-defined]
    finally:
        written.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {
        "events": head,
        "name": "lianzhang",
        "table": table,
        "snapshots": True,
        "imported": [],
    }
