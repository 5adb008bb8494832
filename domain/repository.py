"""The aggregate repository, made safe for a server's threads.

eventsourcing's repository keeps recently used aggregates in an LRU cache and, before handing
one out, fast-forwards the cached object with any newer stored events (so writes by other
processes are seen) and returns a deep copy. The fast-forward is done under a per-aggregate lock,
but the deep copy is not: one thread copying the cached object while another fast-forwards it
(adding an entry to its dictionaries) fails with "dictionary changed size during iteration"
(issue 12: 13 of 1,536 requests with two server processes on one database).

Here the whole cached load (look-up, fast-forward, copy) runs under a lock per aggregate, taken
from a fixed set of stripes so the locks never need cleaning up. Loads of different aggregates
in different stripes still run side by side; loads of a past version bypass the cache and need
no lock.
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository

STRIPES = 64


class ThreadSafeRepository(Repository[UUID]):
    """A repository whose cached loads are atomic with respect to each other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stripes = tuple(threading.Lock() for _ in range(STRIPES))

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        if self.cache is None or version is not None:
            return super().get(aggregate_id, version=version, **kwargs)
        with self._stripes[hash(aggregate_id) % STRIPES]:
            return super().get(aggregate_id, version=version, **kwargs)
