"""Which request wrote which events: table ``lz_save_requests``, one row per save made by a
request that had an id (the API's ``X-Request-Id``, ``web.observability``).

A row names the save's positions (``first_position`` to ``position``, the notification ids of its
events) and the request id (indexed). The event recorders of ``audit.signing`` write it in the same
transaction as the events and their chain rows, so a row exists exactly when its events
committed. It sits beside the log, not in it: the stored events and the signed chain are not
changed (an event's state is a schema and the chain hashes it), so ``verify`` and the exports
neither need nor carry it; ``lianzhang backup`` keeps it with the record (``audit.backups``). It
is what an operator reads to go from a log line to the events a request wrote, and back.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, Engine, MetaData, Table, Text, select

TABLE = "lz_save_requests"

save_requests_metadata = MetaData()
save_requests = Table(
    TABLE,
    save_requests_metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),  # the save's last
    Column("first_position", BigInteger, nullable=False),
    Column("request_id", Text, nullable=False),
)

COLUMNS = "position, first_position, request_id"
SQLITE_DDL = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (position INTEGER PRIMARY KEY, "
    "first_position INTEGER NOT NULL, request_id TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_request_id ON {TABLE} (request_id)",
]
POSTGRES_DDL = [  # {schema}, {table}, {index}
    "CREATE TABLE IF NOT EXISTS {schema}.{table} (position bigint PRIMARY KEY, "
    "first_position bigint NOT NULL, request_id text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {index} ON {schema}.{table} (request_id)",
]


def row(ids: Sequence[int], request_id: object) -> tuple[int, int, str] | None:
    """The row of a save of the events at ``ids`` for ``request_id`` (None: no id, no row)."""
    if not ids or not isinstance(request_id, str) or not request_id:
        return None
    return (int(max(ids)), int(min(ids)), request_id)


def request_of(engine: Engine, position: int) -> str | None:
    """The id of the request whose save wrote the event at ``position``, if one was recorded."""
    with engine.connect() as conn:
        found = conn.execute(
            select(save_requests.c.request_id, save_requests.c.first_position)
            .where(save_requests.c.position >= position)
            .order_by(save_requests.c.position)
            .limit(1)
        ).first()
    if found is None or int(found.first_position) > position:
        return None
    return str(found.request_id)


def positions_of(engine: Engine, request_id: str) -> list[tuple[int, int]]:
    """``(first, last)`` positions of every save the request ``request_id`` made."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(save_requests.c.first_position, save_requests.c.position)
            .where(save_requests.c.request_id == request_id)
            .order_by(save_requests.c.position)
        ).all()
    return [(int(r.first_position), int(r.position)) for r in rows]
