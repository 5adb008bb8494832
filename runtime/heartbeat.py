"""The workers' heartbeats: one row per running ``lianzhang worker`` (table
``lz_worker_heartbeats``: its host, pid, when it started, when it was last seen, the read models
it finds stuck), written by the worker every ``BEAT_SECONDS`` and when it finishes a page of a
long catch-up, deleted when it stops cleanly. ``/readyz`` in worker mode reads the youngest: a
worker killed without a word stops beating, and the server says it is not ready once the
youngest heartbeat is older than ``LIANZHANG_WORKER_SILENCE_SECONDS``.

Times are milliseconds since the epoch on the worker's clock, compared with the server's
(hosts kept in time by NTP differ by far less than the budget). The table is the primary's
(created when first needed, never on a replica) and is not a read model: ``rebuild`` leaves it.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

BEAT_SECONDS = 2.0
FORGET_AFTER_SECONDS = 86400.0  # rows of workers silent this long are deleted by a new worker

heartbeat_metadata = MetaData()

heartbeats = Table(
    "lz_worker_heartbeats",
    heartbeat_metadata,
    Column("worker", String(200), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_ms", BigInteger, nullable=False),
    Column("seen_ms", BigInteger, nullable=False),
    Column("stuck", Text, nullable=False, default="[]"),
)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Beat:
    """The youngest heartbeat: which worker, and how long ago it was seen."""

    worker: str
    host: str
    pid: int
    seen_ms: int
    stuck: list[dict[str, Any]]

    def silence_seconds(self, at_ms: int | None = None) -> float:
        return max(((now_ms() if at_ms is None else at_ms) - self.seen_ms) / 1000, 0.0)


class Heartbeats:
    """The heartbeat table of one database (created if missing)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        heartbeat_metadata.create_all(engine)

    def beat(self, worker: str, started_ms: int, stuck: list[dict[str, Any]]) -> None:
        """The worker ``worker`` is alive now (and finds these read models stuck)."""
        host, _, pid = worker.rpartition(":")[0].rpartition(":")
        values = {"seen_ms": now_ms(), "stuck": json.dumps(stuck, ensure_ascii=False)}
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(heartbeats).where(heartbeats.c.worker == worker).values(**values)
            ).rowcount
            if changed == 0:
                conn.execute(
                    insert(heartbeats).values(
                        worker=worker, host=host, pid=int(pid), started_ms=started_ms, **values
                    )
                )

    def forget(self, worker: str) -> None:
        """The worker stopped cleanly: its row goes."""
        with self.engine.begin() as conn:
            conn.execute(delete(heartbeats).where(heartbeats.c.worker == worker))

    def prune(self) -> None:
        """Rows of workers silent for a day (killed without a word) go."""
        oldest = now_ms() - int(FORGET_AFTER_SECONDS * 1000)
        with self.engine.begin() as conn:
            conn.execute(delete(heartbeats).where(heartbeats.c.seen_ms < oldest))

    def youngest(self) -> Beat | None:
        """The most recent heartbeat of any worker; None when no worker is running or has run."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(heartbeats).order_by(heartbeats.c.seen_ms.desc()).limit(1)
            ).first()
        if row is None:
            return None
        return Beat(row.worker, row.host, int(row.pid), int(row.seen_ms), json.loads(row.stuck))


def worker_name(started_ms: int) -> str:
    """``host:pid:started``: unique to one run of one worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{started_ms}"
