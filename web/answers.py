"""What a write needs to answer from its command's own result instead of reading the read
models back (``web.deps.Writer.commit`` with ``answer``): the events the command saved, and
their values as the read models would give them back, so the body is the one a read of the
same thing answers.

- :func:`saved_event`: the event of ``kind`` the command saved into an aggregate;
- :func:`as_read`: a saved event's timestamp as a ``DateTime`` column returns it (on SQLite the
  clock fields without offset, as SQLAlchemy stores them; on PostgreSQL in the session's time
  zone, read once per engine).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

_zones: dict[int, datetime.tzinfo | None] = {}
_zones_lock = threading.Lock()


def saved_event(saved: Iterable[Any], kind: str, originator: UUID | None = None) -> Any | None:
    """The first saved event whose class is named ``kind`` (of ``originator`` when given)."""
    for event in saved:
        if type(event).__name__ == kind and (
            originator is None or event.originator_id == originator
        ):
            return event
    return None


def _zone(engine: Engine) -> datetime.tzinfo | None:
    """The time zone a PostgreSQL session of ``engine`` returns timestamps in."""
    key = id(engine)
    if key not in _zones:
        with _zones_lock:
            if key not in _zones:
                with engine.connect() as conn:
                    raw = conn.connection.driver_connection
                    _zones[key] = getattr(getattr(raw, "info", None), "timezone", None)
    return _zones[key]


def as_read(engine: Engine, moment: datetime.datetime) -> datetime.datetime:
    """``moment`` (an event's timestamp, aware) as the read model's ``DateTime`` column gives it
    back on ``engine``'s database."""
    if engine.dialect.name == "sqlite":
        return moment.replace(tzinfo=None)
    zone = _zone(engine)
    return moment.astimezone(zone) if zone is not None else moment
