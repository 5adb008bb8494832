"""The store alone: the application's event store, configured as the write side configures it
(the stored name, the transcodings, the bounded mapper, snapshots on), without the services.

``LianzhangApplication`` (``domain.application``) is this plus the capabilities. A process that
only reads the log (``lianzhang rebuild``) opens this one: the same recorder and mapper, without
importing every aggregate's module first (about half a second of a rebuild's start, the library
building each event class); an event the mapper decodes imports its own module by its topic.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Mapper

from domain.bounds import BoundedMapper
from domain.transcodings import register_all


class StoreApplication(Application[UUID]):
    """The event store of the write side, read the way it writes (no commands, no saves)."""

    name = "lianzhang"  # the stored name: table lianzhang_events on PostgreSQL
    # the write side snapshots its books (``LianzhangApplication.snapshotting_intervals``): the
    # snapshot store is configured, its table made, here too
    is_snapshotting_enabled = True

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_all(transcoder)

    def construct_mapper(self) -> Mapper[UUID]:
        """Every event passes the store's bounds (``domain.bounds``) before it is stored."""
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=BoundedMapper
        )
