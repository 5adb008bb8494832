"""Where a save ends: a position inside one atomic save reads as the end of that save.

Every event of one save carries the same timestamp (``domain.saves``) and the save's events sit
next to each other in the log (a save holds the table lock, or the SQLite write lock, while it
inserts them), so the save that holds position N runs on while the next event in the log carries
the same timestamp (PostgreSQL may leave gaps between positions; they do not matter here).
Statements and read models asked for "as of N" are built as of that end, never half a save.
"""

from __future__ import annotations

from typing import Any

PAGE = 200


def save_end(app: Any, position: int) -> int:
    """The last position of the save that wrote ``position`` (``position`` itself when it is
    the last, or when the log has nothing there)."""
    if position <= 0:
        return position
    moment = None
    last = position
    start = position
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE)
        for notification in page:
            if notification.id < position:
                continue
            stamp = app.mapper.to_domain_event(notification).timestamp
            if moment is None:
                if notification.id != position:
                    return position
                moment = stamp
            elif stamp != moment:
                return last
            last = notification.id
        if len(page) < PAGE:
            return last
        start = page[-1].id + 1
