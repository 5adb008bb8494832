"""Where reads go and how long they wait: read-your-writes by log position.

A read model's *tracking position* (table ``lz_tracking``) is the last notification id it has
applied; it is written in the same transaction as the rows (``projections.runner``). A request
that wrote up to position P therefore sees its own write in a read model once that read model's
position is at least P, whichever process applied it (the request itself, ``lianzhang worker``,
another API process) and on whichever copy of the database it reads (the primary, or a streaming
replica, which replays the tracking rows with the read models' rows in the same WAL).

``wait_for`` polls those positions (one small SELECT, from 2 ms apart up to 20 ms apart) until
they reach P or a deadline passes; the API turns the deadline into a 503 with ``Retry-After``
(``web.deps``), never a hang. ``read_engine`` opens a database that is only read (a hot standby
refuses DDL, so nothing is created there).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.engine import make_url

from adapters.database import DatabaseConfigError, _check_schema, is_postgres
from projections.tables import tracking

FIRST_PAUSE_SECONDS = 0.002
LONGEST_PAUSE_SECONDS = 0.02


def positions(engine: Engine, names: Iterable[str]) -> dict[str, int]:
    """The tracking position of each named read model in the database behind ``engine`` (0 for
    one that has no row yet)."""
    wanted = tuple(names)
    with engine.connect() as conn:
        found = dict(
            conn.execute(
                select(tracking.c.projection, tracking.c.position).where(
                    tracking.c.projection.in_(wanted)
                )
            ).all()
        )
    return {name: int(found.get(name) or 0) for name in wanted}


def wait_for(
    engine: Engine, position: int, names: Iterable[str], timeout: float
) -> dict[str, int] | None:
    """Wait until every named read model has applied the log up to ``position``.

    Returns None once they have; on timeout, the positions of those still behind (so the
    caller can say which). ``timeout`` 0 checks once."""
    wanted = tuple(names)
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE_SECONDS
    while True:
        found = positions(engine, wanted)
        behind = {name: at for name, at in found.items() if at < position}
        if not behind:
            return None
        left = deadline - time.monotonic()
        if left <= 0:
            return behind
        time.sleep(min(pause, left))
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


def read_engine(url: str, schema: str | None = None) -> Engine:
    """An engine on a PostgreSQL database that is only read (a streaming replica): the same
    schema as the primary, and no DDL (a hot standby refuses even ``CREATE SCHEMA IF NOT
    EXISTS``)."""
    if not is_postgres(url):
        raise DatabaseConfigError(
            f"read URL {url!r} is not postgresql://; a separate read database is a PostgreSQL "
            "streaming replica of the primary"
        )
    connect_args: dict[str, object] = {"connect_timeout": 5}
    if schema:
        connect_args["options"] = f"-csearch_path={_check_schema(schema)}"
    return create_engine(
        make_url(url).set(drivername="postgresql+psycopg"),
        connect_args=connect_args,
        pool_pre_ping=True,
    )
