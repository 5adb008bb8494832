"""The write side: one eventsourcing Application, which owns the store and composes one service
per capability.

The application alone does what needs the store: the repository and its cache, the mapper
(every event passes ``domain.bounds``), snapshots, and the save, which refuses anything dated
after today and, inside a command context, checks tenancy and records the request's
idempotency key with the command's events (``domain.tenancy``). It implements the port
(``domain.port``) the services receive; each service (``domain/<capability>/service.py``) loads
the aggregates a command needs, runs their guards, and saves all of them in one transaction
(``port.save(*aggregates)``), so a command that touches two books writes both or neither.
Commands retry when another writer saved first (optimistic concurrency), so two clerks posting
at once both land.

The capabilities: ``app.people``, ``app.books``, ``app.alliances``, ``app.pooling``,
``app.agreements``, ``app.members``, ``app.assets``, ``app.projects``, ``app.plans``,
``app.disclosure``, ``app.vouchers``, ``app.township``, ``app.bulk``, ``app.resources`` (the 资源
register), ``app.contracts`` (the 经济合同 register), ``app.budgets`` (财务计划), ``app.bank``
(bank accounts, statements, matches, the monthly 调节表; 结账 asks it first) and ``app.cash``
(现金盘点).

``LIANZHANG_NUMBERING`` (``monthly`` unless set; or ``yearly``) is the voucher numbering of a
township that never chose its own (``domain.township``); the books follow the township's
choice from the moment they are loaded (:meth:`LianzhangApplication.get_books`).
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    ProcessingEvent,
    Repository,
)
from eventsourcing.persistence import (
    IntegrityError,
    RecordConflictError,
    Recording,
)

from domain.agreement.service import AgreementService
from domain.alliance import Alliance
from domain.alliance.service import AllianceService
from domain.assets.service import AssetService
from domain.bank import BankAccount
from domain.bank.service import BankService
from domain.books import Books, JointEntity, VillageCollective
from domain.books.numbering import ChoiceSource, NumberingChoice
from domain.books.service import BooksService
from domain.budget.service import BudgetService
from domain.cash import CashCounts
from domain.cash.service import CashService
from domain.context import current
from domain.contracts.service import ContractService
from domain.disclosure.service import DisclosureService
from domain.errors import (
    AllianceNotFoundError,
    AlreadyExistsError,
    ConcurrencyError,
    DomainError,
    EntityNotFoundError,
    InvalidRequestError,
)
from domain.ids import alliance_id, entity_id
from domain.members import MemberRegister, VillageRegister
from domain.members.service import MembersService
from domain.people.service import PeopleService
from domain.periods import dated_facts, require_not_after
from domain.plan.service import PlanService
from domain.pooling.service import PoolingService
from domain.privacy import PersonalDataVault
from domain.projects.service import ProjectService
from domain.repository import ThreadSafeRepository
from domain.resources.service import ResourceService
from domain.saves import one_moment
from domain.store import StoreApplication
from domain.tenancy import save_in_context
from domain.township import DEFAULTS, NUMBERINGS, Choices, settings_id
from domain.township.service import TownshipService
from domain.vouchers import same_person
from domain.vouchers.imports import VoucherImportService, library_snapshots_paused
from domain.vouchers.service import VoucherService

T = TypeVar("T")
A = TypeVar("A")

# How often a command is retried when another writer saved the same aggregate first.
CONFLICT_RETRIES = 20

NUMBERING_ENV = "LIANZHANG_NUMBERING"

# Called after every save of every application of this process, with the events it saved: a
# cache outside the domain drops what they change (``web.tokens``: the callers of a person).
SAVE_LISTENERS: list[Callable[[list[Any]], None]] = []


def deployment_defaults(numbering: str | None) -> Choices:
    """The settings of a township that never chose: ``DEFAULTS`` with the deployment's
    numbering (``LIANZHANG_NUMBERING``) when it gives one."""
    if not numbering:
        return DEFAULTS
    if numbering.strip().lower() not in NUMBERINGS:
        raise ValueError(
            f"{NUMBERING_ENV}={numbering!r} is not one of {', '.join(NUMBERINGS)} "
            "(the voucher numbering of a township that never chose its own)"
        )
    return dataclasses.replace(DEFAULTS, numbering=numbering.strip().lower())


class LianzhangApplication(StoreApplication):
    """The only way into the write side (reads go through ``projections``): the store, the
    port (``domain.port``) and the services that hold the commands.

    Every command that touches several books saves them together, so money never appears in
    one set of books without the other.

    The store itself (its name, transcodings and mapper) is ``domain.store.StoreApplication``.
    """

    # the library names a subclass after itself unless it says: the same stored name
    name = StoreApplication.name

    # Books are loaded for every posting; a snapshot every 50 events keeps that from replaying
    # a whole year of entries (the snapshot holds the state, transcoded like the events).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        VillageCollective: 50,
        JointEntity: 50,
        MemberRegister: 50,
        VillageRegister: 50,
        BankAccount: 50,
        CashCounts: 50,
    }

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        today: Callable[[], datetime.date] = datetime.date.today,
        vault: PersonalDataVault | None = None,
    ) -> None:
        self._command_lock = threading.RLock()  # see retrying
        super().__init__(env)
        self.today = today
        # entity code → its township and kind (neither ever changes)
        self._townships: dict[str, tuple[str, type[Books]]] = {}
        # Per-person keys for sealed personal data (ID numbers), kept outside the event table.
        self.vault = vault or PersonalDataVault.in_memory()
        # the capabilities, each a service on this application's port
        self.people = PeopleService(self)
        self.township = TownshipService(self, deployment_defaults(self.env.get(NUMBERING_ENV)))
        self.books = BooksService(self)
        self.alliances = AllianceService(self)
        self.pooling = PoolingService(self, self.books)
        self.agreements = AgreementService(self, self.books)
        self.members = MembersService(self)
        self.assets = AssetService(self)
        self.projects = ProjectService(self, self.assets)
        self.plans = PlanService(
            self,
            self.books,
            self.members,
            same_person=lambda one, other: (
                same_person(one, other) or self.vouchers.same_natural_person(one, other) is not None
            ),
            projects=self.projects,
        )
        self.disclosure = DisclosureService(self)
        self.vouchers = VoucherService(
            self,
            people=self.people.person_or_none,
            review_posts=lambda township: self.township.choices(township).review_posts,
        )
        self.bulk = VoucherImportService(self, self.snapshotting_intervals)
        self.resources = ResourceService(self)
        self.contracts = ContractService(self, self.resources)
        self.budgets = BudgetService(self)
        self.bank = BankService(self, self.books, self.township)
        self.cash = CashService(self, self.books, self.township)
        self.books.closing_checks.append(self.bank.check_closing)  # 结账 after 对账

    # -- the store -----------------------------------------------------------------------------

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository, configured the same way, with cached loads made safe for
        a server's threads (``domain/repository.py``)."""
        plain = super().construct_repository()
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return ThreadSafeRepository(
            event_store=plain.event_store,
            snapshot_store=plain.snapshot_store,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=plain.fastforward,
            fastforward_skipping=plain.fastforward_skipping,
            deepcopy_from_cache=plain.deepcopy_from_cache,
            command_lock=self._command_lock,
        )

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot an aggregate from the object just saved, not by loading it again: the
        library reloads the previous snapshot and replays up to the version (a decode of
        every event twice). Falls back to the library when the snapshot falls on an event in
        the middle of a save. A voucher import saving its batches takes its own snapshots
        (``domain/vouchers/imports.py``)."""
        if not (self.snapshots and self.snapshotting_intervals) or library_snapshots_paused():
            return
        for event in processing_event.events:
            aggregate: Any = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate))
            if aggregate is None or interval is None or event.originator_version % interval:
                continue
            if aggregate.version == event.originator_version:
                self.snapshot_in_memory(aggregate)
            else:
                self.take_snapshot(event.originator_id, version=event.originator_version)

    def snapshot_in_memory(self, aggregate: Any) -> None:
        """Put a snapshot of ``aggregate`` as it is in memory (it must be exactly what is
        stored: just saved, no pending events); nothing when snapshotting is off."""
        if self.snapshots is None:
            return
        assert not aggregate.pending_events
        snapshot_class: Any = getattr(type(aggregate), "Snapshot", self.snapshot_class)
        self.snapshots.put([snapshot_class.take(aggregate)])

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        one_moment(processing_event)  # a save's events share one timestamp (domain/saves.py)
        return super()._record(processing_event)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if SAVE_LISTENERS:
            events = [recording.domain_event for recording in recordings]
            for listener in SAVE_LISTENERS:
                listener(events)

    # -- the port (domain/port.py) -------------------------------------------------------------

    def load(self, aggregate_id: UUID, kind: type[A], missing: DomainError) -> A:
        """Load an aggregate, or raise ``missing`` (our error, not the library's)."""
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        assert isinstance(found, kind)
        return found

    def find(self, aggregate_id: UUID) -> object | None:
        """The aggregate, or None. What is looked for is often absent (a township that never
        chose its settings, a request's idempotency key): one look at its first event says so,
        where the repository would read the snapshots and then the events. An aggregate in the
        repository's cache is loaded as usual (one query for its newer events)."""
        repository = self.repository
        if (
            isinstance(repository, ThreadSafeRepository)
            and repository.cache is not None
            and not repository.cached(aggregate_id)
            and not self.exists(aggregate_id)
        ):
            return None
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def stream(
        self,
        aggregate_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        for stored in self.recorder.select_events(
            aggregate_id, gt=gt, lte=lte, desc=desc, limit=limit
        ):
            yield self.mapper.to_domain_event(stored)

    def events_of_topic(self, topic: str) -> Iterator[Any]:
        start = 0
        while True:
            page = self.recorder.select_notifications(
                start=start, limit=1000, topics=[topic], inclusive_of_start=False
            )
            if not page:
                return
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            start = page[-1].id

    def get_alliance(self, code: str) -> Alliance:
        return self.load(
            alliance_id(code),
            Alliance,
            AllianceNotFoundError(
                f"alliance {code} does not exist; form it first", field="alliance"
            ),
        )

    def get_books(self, code: str) -> Books:
        """The books of a village collective or joint entity, by its code, numbering as their
        township chose (``domain/books/numbering.py``)."""
        self._prefetch_books(code)
        books = self.load(
            entity_id(code),
            Books,
            EntityNotFoundError(
                f"accounting entity {code} does not exist; register the village or joint "
                "entity first",
                field="entity",
            ),
        )
        township = books.township

        def choice() -> NumberingChoice:
            choices = self.township.choices(township)
            return NumberingChoice(numbering=choices.numbering, words=choices.words)

        books.follow(ChoiceSource(choice))  # asked only when a number needs it
        return books

    def _prefetch_books(self, code: str) -> None:
        """Inside a command, on a store that can (``prefetch``: PostgreSQL), ask for the newer
        events of the cached books and of their township's settings in one round trip, where
        loading them would take one each (the books' fast-forward now, the settings' when a
        number is chosen)."""
        prefetch = getattr(self.recorder, "prefetch", None)
        repository = self.repository
        if (
            prefetch is None
            or not isinstance(repository, ThreadSafeRepository)
            or not repository.attempting()
        ):
            return
        books = repository.peek(entity_id(code))
        if not isinstance(books, Books):  # not cached (or not books: the load refuses)
            return
        settings_key = settings_id(books.township)
        settings = repository.peek(settings_key)
        prefetch(
            [
                (books.id, books.version, None),
                # as find: the settings' newer events, or one look at whether they exist
                (settings_key, settings.version, None) if settings else (settings_key, None, 1),
            ]
        )

    def get_joint(self, code: str) -> JointEntity:
        books = self.get_books(code)
        if not isinstance(books, JointEntity):
            raise InvalidRequestError(f"{code} is a village, not a joint entity", field="joint")
        return books

    def get_village(self, code: str) -> VillageCollective:
        books = self.get_books(code)
        if not isinstance(books, VillageCollective):
            raise InvalidRequestError(f"{code} is a joint entity, not a village", field="village")
        return books

    def entity_township(self, code: str) -> str:
        """The township of a village or joint entity (fixed when it is registered)."""
        return self._registered(code)[0]

    def _registered(self, code: str) -> tuple[str, type[Books]]:
        """The township and kind of the books of ``code``, both fixed when they are registered:
        loaded once per process (a refusal, when there are none, is not kept)."""
        found = self._townships.get(code)
        if found is None:
            books = self.get_books(code)
            found = self._townships[code] = (books.township, type(books))
        return found

    def require_books(self, code: str, kind: type[Books] = Books) -> None:
        """Refuse as :meth:`get_books` (or :meth:`get_village` / :meth:`get_joint` for that
        ``kind``) would, without loading the books once they are known."""
        if issubclass(self._registered(code)[1], kind):
            return
        (self.get_village if kind is VillageCollective else self.get_joint)(code)  # refuses

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save in one transaction, after refusing anything dated after today (one
        policy on every write path, so an entry, reversal, step, execution or check dated
        tomorrow is a 422 ``future-date`` whichever command made it, and nothing is written).
        Inside a command context (``domain.context``) every aggregate written must be in the
        actor's townships, and the request's idempotency key is saved with the command's events
        (``domain.tenancy``)."""
        today = self.today()
        for obj in objs:
            for event in getattr(obj, "pending_events", ()):
                for what, day, field in dated_facts(event):
                    require_not_after(day, today, what=what, field=field)
        context = current()
        if context is None:
            return super().save(*objs, **kwargs)
        return save_in_context(self, context, super().save, objs, kwargs)

    def save_new(self, *aggregates: Any, what: str) -> None:
        try:
            self.save(*aggregates)
        except (IntegrityError, RecordConflictError):
            raise AlreadyExistsError(f"{what} already exists", field="code") from None

    def _forget_prefetched(self) -> None:
        forget = getattr(self.recorder, "forget_prefetched", None)
        if forget is not None:
            forget()

    def _lending(self) -> AbstractContextManager[None]:
        repository = self.repository
        assert isinstance(repository, ThreadSafeRepository)
        return repository.lending()

    def retrying(self, command: Callable[[], T]) -> T:
        """Run a load-decide-save command again when a concurrent save got there first.

        Commands of this process run one at a time: twenty clerks posting into one village
        would otherwise load the same version, all but one lose the save and load again, each
        round paying a deep copy of the books; queued, each loads once and saves once. Another
        process's save can still get there first, which the retry handles.

        A command run inside another's attempt (a service called by a command the runner
        retries, ``domain.runner``) runs once: the outermost attempt retries the whole, with
        what the failed attempt borrowed evicted (``domain.repository``)."""
        repository = self.repository
        if isinstance(repository, ThreadSafeRepository) and repository.attempting():
            return command()
        with self._command_lock:
            for _ in range(CONFLICT_RETRIES):
                try:
                    with self._lending():  # borrow, not copy (domain/repository.py)
                        return command()
                except (IntegrityError, RecordConflictError):
                    continue
                finally:
                    self._forget_prefetched()
        raise ConcurrencyError(
            "the books kept changing while this request was being saved; try again"
        )
