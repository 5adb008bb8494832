"""The write side: one eventsourcing Application with a command method per thing a clerk does.

Every command loads the aggregates it needs, runs their guards, and saves all of them in one
transaction (``save(*aggregates)``), so a command that touches two books writes both or
neither. Commands on one set of books retry when another writer saved first (optimistic
concurrency), so two clerks posting at once both land.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, RecordConflictError

from domain.alliance import Alliance
from domain.books import Books, JointEntity, VillageCollective
from domain.errors import (
    AllianceNotFoundError,
    AlreadyExistsError,
    ConcurrencyError,
    EntityNotFoundError,
    EntryNotFoundError,
    InvalidRequestError,
)
from domain.ids import alliance_id, entity_id
from domain.transcodings import register_all
from ledger.entries import JournalEntry

T = TypeVar("T")

# How often a command is retried when another writer saved the same aggregate first.
CONFLICT_RETRIES = 20


class LianzhangApplication(Application[UUID]):
    """The only way into the write side. Reads go through ``projections``."""

    name = "lianzhang"
    # Books are loaded for every posting; a snapshot every 50 events keeps that from replaying
    # a whole year of entries (the snapshot holds the state, transcoded like the events).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        VillageCollective: 50,
        JointEntity: 50,
    }

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        today: Callable[[], datetime.date] = datetime.date.today,
    ) -> None:
        super().__init__(env)
        self.today = today

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_all(transcoder)

    # -- loading -------------------------------------------------------------------------------

    def get_alliance(self, code: str) -> Alliance:
        try:
            alliance: object = self.repository.get(alliance_id(code))
        except AggregateNotFoundError:
            raise AllianceNotFoundError(
                f"alliance {code} does not exist; form it first", field="alliance"
            ) from None
        assert isinstance(alliance, Alliance)
        return alliance

    def get_books(self, code: str) -> Books:
        """The books of a village collective or joint entity, by its code."""
        try:
            books: object = self.repository.get(entity_id(code))
        except AggregateNotFoundError:
            raise EntityNotFoundError(
                f"accounting entity {code} does not exist; register the village or joint "
                "entity first",
                field="entity",
            ) from None
        assert isinstance(books, Books)
        return books

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _save_new(self, *aggregates: Any, what: str) -> None:
        try:
            self.save(*aggregates)
        except (IntegrityError, RecordConflictError):
            raise AlreadyExistsError(f"{what} already exists", field="code") from None

    def _retrying(self, command: Callable[[], T]) -> T:
        """Run a load-decide-save command again when a concurrent save got there first."""
        for _ in range(CONFLICT_RETRIES):
            try:
                return command()
            except (IntegrityError, RecordConflictError):
                continue
        raise ConcurrencyError(
            "the books kept changing while this request was being saved; try again"
        )

    # -- alliances -----------------------------------------------------------------------------

    def form_alliance(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        model: str,
        formed_on: datetime.date,
        actor: str,
    ) -> Alliance:
        _require_code(code)
        alliance = Alliance.form(
            code=code,
            name=name,
            township=township,
            county=county,
            model=model,
            formed_on=formed_on,
            actor=actor,
        )
        self._save_new(alliance, what=f"alliance {code}")
        return alliance

    def join_village(
        self, *, alliance: str, village: str, joined_on: datetime.date, actor: str
    ) -> Alliance:
        def command() -> Alliance:
            target = self.get_alliance(alliance)
            books = self.get_books(village)
            if not isinstance(books, VillageCollective):
                raise InvalidRequestError(
                    f"{village} is a joint entity, not a village; only villages join an alliance",
                    field="village",
                )
            target.join_village(village_code=village, joined_on=joined_on, actor=actor)
            self.save(target)
            return target

        return self._retrying(command)

    def leave_village(
        self, *, alliance: str, village: str, left_on: datetime.date, reason: str, actor: str
    ) -> Alliance:
        def command() -> Alliance:
            target = self.get_alliance(alliance)
            target.leave_village(village_code=village, left_on=left_on, reason=reason, actor=actor)
            self.save(target)
            return target

        return self._retrying(command)

    def join_enterprise(
        self, *, alliance: str, code: str, name: str, joined_on: datetime.date, actor: str
    ) -> Alliance:
        _require_code(code)

        def command() -> Alliance:
            target = self.get_alliance(alliance)
            target.join_enterprise(
                enterprise_code=code, name=name, joined_on=joined_on, actor=actor
            )
            self.save(target)
            return target

        return self._retrying(command)

    def register_joint_entity(
        self, *, alliance: str, code: str, name: str, actor: str
    ) -> JointEntity:
        """Register the alliance's joint entity: the alliance and the new books in one save."""
        _require_code(code)
        target = self.get_alliance(alliance)
        if self.exists(entity_id(code)):
            raise AlreadyExistsError(f"accounting entity {code} already exists", field="code")
        target.register_joint_entity(entity_code=code, actor=actor)
        joint = JointEntity(
            code=code,
            name=name,
            alliance_code=alliance,
            township=target.township,
            county=target.county,
            actor=actor,
        )
        self._save_new(target, joint, what=f"joint entity {code} or a change to {alliance}")
        return joint

    # -- villages and books --------------------------------------------------------------------

    def register_village(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        population: int,
        households: int,
        flags: Iterable[str] = (),
        actor: str,
    ) -> VillageCollective:
        _require_code(code)
        for field, value in (("population", population), ("households", households)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidRequestError(
                    f"{field} of village {code} must be a whole number ≥ 0, not {value!r}",
                    field=field,
                )
        village = VillageCollective(
            code=code,
            name=name,
            township=township,
            county=county,
            population=population,
            households=households,
            flags=sorted(set(flags)),
            actor=actor,
        )
        self._save_new(village, what=f"accounting entity {code}")
        return village

    def set_opening_balances(
        self,
        *,
        entity: str,
        as_of: datetime.date,
        balances: Iterable[Mapping[str, object]],
        actor: str,
    ) -> Books:
        rows = list(balances)

        def command() -> Books:
            books = self.get_books(entity)
            books.set_opening_balances(as_of=as_of, balances=rows, actor=actor)
            self.save(books)
            return books

        return self._retrying(command)

    def post_entry(
        self,
        *,
        entity: str,
        date: datetime.date,
        memo: str,
        postings: Iterable[Mapping[str, object]],
        actor: str,
    ) -> JournalEntry:
        rows = list(postings)

        def command() -> JournalEntry:
            books = self.get_books(entity)
            entry = books.post_entry(date=date, memo=memo, postings=rows, actor=actor)
            self.save(books)
            return entry

        return self._retrying(command)

    def find_entry(self, entity: str, number: str) -> JournalEntry:
        """An entry as posted, read from the books' own event stream (newest first)."""
        books = self.get_books(entity)
        books.require_entry(number)
        for stored in self.recorder.select_events(books.id, desc=True):
            event = self.mapper.to_domain_event(stored)
            entry = getattr(event, "entry", None)
            if isinstance(entry, JournalEntry) and entry.number == number:
                return entry
        raise EntryNotFoundError(  # pragma: no cover - the index said it is there
            f"entry {number} is not in the books of {entity}", field="number"
        )

    def reverse_entry(
        self, *, entity: str, number: str, date: datetime.date, reason: str, actor: str
    ) -> JournalEntry:
        def command() -> JournalEntry:
            original = self.find_entry(entity, number)
            books = self.get_books(entity)
            entry = books.reverse_entry(original=original, date=date, reason=reason, actor=actor)
            self.save(books)
            return entry

        return self._retrying(command)

    def close_month(self, *, entity: str, month: str, actor: str) -> Books:
        def command() -> Books:
            books = self.get_books(entity)
            books.close_month(month=month, today=self.today(), actor=actor)
            self.save(books)
            return books

        return self._retrying(command)


def _require_code(code: str) -> None:
    """Codes name aggregates in URLs and ids: ASCII letters, digits, ``-`` and ``_``."""
    if (
        not isinstance(code, str)
        or not 1 <= len(code) <= 32
        or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code)
    ):
        raise InvalidRequestError(
            f"code {code!r} is not allowed; use 1 to 32 ASCII letters, digits, '-' or '_' "
            "(for example an official 区划代码 or V01)",
            field="code",
        )
