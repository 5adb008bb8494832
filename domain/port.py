"""What a capability's service needs from the application, and nothing more: the port.

Each service (``domain/<capability>/service.py``) receives a :class:`Port` instead of being
mixed into the application: it loads aggregates, runs their guards, and saves what it changed
through the port, in one save. ``LianzhangApplication`` implements the port (the store, the
mapper, snapshots, and the save with tenancy and idempotency are its alone) and composes the
services; ``domain.tenancy`` depends on the port too, not on the application class.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar
from uuid import UUID

from domain.alliance import Alliance
from domain.books import Books, JointEntity, VillageCollective
from domain.errors import DomainError
from domain.privacy import PersonalDataVault

T = TypeVar("T")
A = TypeVar("A")


class Port(Protocol):
    """Loading, saving and reading the store, as the services use them."""

    vault: PersonalDataVault
    """Per-person keys for sealed personal data (ID numbers), kept outside the event table."""

    def today(self) -> datetime.date:
        """Today, as the application's clock says (tests set it)."""
        ...

    def load(self, aggregate_id: UUID, kind: type[A], missing: DomainError) -> A:
        """The aggregate, or ``missing`` raised (our error, not the library's)."""
        ...

    def find(self, aggregate_id: UUID) -> object | None:
        """The aggregate with ``aggregate_id``, or None when there is none."""
        ...

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether the store holds any event of ``aggregate_id`` (without loading it)."""
        ...

    def save(self, *aggregates: Any) -> Any:
        """Save every aggregate in one transaction (dates, tenancy, idempotency checked)."""
        ...

    def save_new(self, *aggregates: Any, what: str) -> None:
        """:meth:`save` for new aggregates: an id taken is ``AlreadyExistsError`` on ``what``."""
        ...

    def retrying(self, command: Callable[[], T]) -> T:
        """Run a load-decide-save command again when a concurrent save got there first."""
        ...

    def stream(
        self,
        aggregate_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """The domain events of one aggregate's stream, read from the store (not the cache)."""
        ...

    def events_of_topic(self, topic: str) -> Iterator[Any]:
        """Every stored domain event with ``topic``, in the order they were recorded."""
        ...

    def snapshot_in_memory(self, aggregate: Any) -> None:
        """Snapshot ``aggregate`` as it is in memory (just saved, no pending events)."""
        ...

    def get_books(self, code: str) -> Books:
        """The books of a village collective or joint entity, by its code."""
        ...

    def get_village(self, code: str) -> VillageCollective:
        """The books of a village (refused for a joint entity)."""
        ...

    def get_joint(self, code: str) -> JointEntity:
        """The books of a joint entity (refused for a village)."""
        ...

    def get_alliance(self, code: str) -> Alliance:
        """The alliance with ``code``."""
        ...

    def entity_township(self, code: str) -> str:
        """The township of a village or joint entity (fixed when it is registered)."""
        ...
