"""A bound on the server's Argon2 work (a flood of logins must not starve the server).

Checking a password costs about half a second of one core (Argon2id, pwdlib's recommended
parameters), by design. Unbounded, thirty guesses sent at once take every core for many seconds
and every other request waits. So a process checks at most :data:`CONCURRENT` passwords at once;
at most :data:`QUEUE` more attempts wait for a turn, each at most :data:`WAIT`; beyond that an
attempt is answered at once with 429 and ``Retry-After`` (``LoginBusy``, in Chinese), without
any hashing. Every check goes through a slot: a real password, the dummy hash of an unknown login
and of a refused (locked) attempt alike.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

CONCURRENT = max(1, min(2, os.cpu_count() or 1))
QUEUE = 8
WAIT = 10.0
RETRY_AFTER = 5


class Busy(Exception):
    """No slot for a password check now; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int = RETRY_AFTER) -> None:
        super().__init__(f"too many logins at once; retry after {retry_after} s")
        self.retry_after = retry_after


class HashSlots:
    def __init__(self, concurrent: int = CONCURRENT, queue: int = QUEUE, wait: float = WAIT):
        self._slots = threading.BoundedSemaphore(concurrent)
        self._lock = threading.Lock()
        self._waiting = 0
        self.queue = queue
        self.wait = wait

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the slots for a password check, or raise :class:`Busy`."""
        if self._slots.acquire(blocking=False):
            got = True
        else:
            with self._lock:
                if self._waiting >= self.queue:
                    raise Busy()
                self._waiting += 1
            try:
                got = self._slots.acquire(timeout=self.wait)
            finally:
                with self._lock:
                    self._waiting -= 1
        if not got:
            raise Busy()
        try:
            yield
        finally:
            self._slots.release()


# one per process: every UserStore of the process shares it
SLOTS = HashSlots()
