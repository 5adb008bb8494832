"""The write side: one eventsourcing Application with a command method per thing a clerk does.

Every command loads the aggregates it needs, runs their guards, and saves all of them in one
transaction (``save(*aggregates)``), so a command that touches two books writes both or
neither. Commands on one set of books retry when another writer saved first (optimistic
concurrency), so two clerks posting at once both land.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    RecordConflictError,
    Recording,
)
from moneyed import Money

from domain import corrections
from domain.agreement import EnterpriseAgreement, agreement_id
from domain.alliance import Alliance, VillageMembership, membership_id
from domain.books import Books, JointEntity, VillageCollective
from domain.bounds import (
    MAX_MU,
    MAX_PERCENT,
    BoundedMapper,
    check_count,
    check_decimal,
    check_people,
    check_shares,
)
from domain.bulk import BulkCommands
from domain.chart import AccountNotOpenError
from domain.chart_commands import ChartCommands, operation_accounts, plan_account_names
from domain.context import current
from domain.disclosure import DisclosureSheet, sheet_id
from domain.distribution import (
    DEFAULT_DEDUCTION_ACCOUNTS,
    alliance_parties,
    declarations,
    household_parties,
    payout_entries,
    receipt_postings,
)
from domain.errors import (
    AgreementNotFoundError,
    AllianceNotFoundError,
    AlreadyExistsError,
    ConcurrencyError,
    ConflictError,
    DomainError,
    EntityNotFoundError,
    EntryNotFoundError,
    InvalidRequestError,
    NotFoundError,
    OverDistributionError,
    PlanNotFoundError,
    RegisterNotFoundError,
)
from domain.ids import alliance_id, entity_id
from domain.members import (
    AnyRegister,
    Household,
    MemberNumber,
    MemberRegister,
    RegisterView,
    VillageRegister,
    household_id,
    member_number_id,
    register_id,
)
from domain.people_commands import PeopleCommands
from domain.periods import dated_facts, parse_period, period_bounds, require_not_after
from domain.plan import DistributionPlan, plan_id
from domain.plan_corrections import correction_entries, require_free_cash, reverse_declaration
from domain.privacy import PersonalDataVault, member_subject
from domain.programmes import programme_name
from domain.register_import import RegisterImportCommands
from domain.repository import ThreadSafeRepository
from domain.saves import one_moment
from domain.sources import source_of_event
from domain.tenancy import save_in_context
from domain.transcodings import register_all
from domain.voucher_workflow import VoucherCommands
from ledger.accounts import ChartOfAccounts
from ledger.canonical import digest
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, amount_str, format_yuan, money
from ledger.rules import allocate_document

T = TypeVar("T")
A = TypeVar("A")

# The stored topic of a village joining an alliance (scanned once per village in old stores).
VILLAGE_JOINED_TOPIC = "domain.alliance:Alliance.VillageJoined"

# How often a command is retried when another writer saved the same aggregate first.
CONFLICT_RETRIES = 20


class BooksApplication(Application[UUID]):
    """Alliances, villages and their books: the foundation the rest of the application adds to."""

    name = "lianzhang"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        today: Callable[[], datetime.date] = datetime.date.today,
        vault: PersonalDataVault | None = None,
    ) -> None:
        self._command_lock = threading.RLock()  # see _retrying
        super().__init__(env)
        self.today = today
        self._townships: dict[str, str] = {}  # entity code → township (never changes)
        # Per-person keys for sealed personal data (ID numbers), kept outside the event table.
        self.vault = vault or PersonalDataVault.in_memory()

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

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_all(transcoder)

    def construct_mapper(self) -> Mapper[UUID]:
        """Every event passes the store's bounds (``domain.bounds``) before it is stored."""
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=BoundedMapper
        )

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot an aggregate from the object just saved, not by loading it again: the
        library reloads the previous snapshot and replays up to the version (issue 13: a decode
        of every event twice). Falls back to the library when the snapshot falls on an event in
        the middle of a save."""
        if not (self.snapshots and self.snapshotting_intervals):
            return
        for event in processing_event.events:
            aggregate: Any = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate))
            if aggregate is None or interval is None or event.originator_version % interval:
                continue
            if aggregate.version == event.originator_version:
                self._snapshot_in_memory(aggregate)
            else:
                self.take_snapshot(event.originator_id, version=event.originator_version)

    def _snapshot_in_memory(self, aggregate: Any) -> None:
        """Put a snapshot of ``aggregate`` as it is in memory (it must be exactly what is
        stored: just saved, no pending events)."""
        assert self.snapshots is not None and not aggregate.pending_events
        snapshot_class: Any = getattr(type(aggregate), "Snapshot", self.snapshot_class)
        self.snapshots.put([snapshot_class.take(aggregate)])

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        one_moment(processing_event)  # a save's events share one timestamp (domain/saves.py)
        return super()._record(processing_event)

    # -- loading -------------------------------------------------------------------------------

    def _load(self, aggregate_id: UUID, kind: type[A], missing: DomainError) -> A:
        """Load an aggregate, or raise ``missing`` (our error, not the library's)."""
        try:
            found: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        assert isinstance(found, kind)
        return found

    def get_alliance(self, code: str) -> Alliance:
        return self._load(
            alliance_id(code),
            Alliance,
            AllianceNotFoundError(
                f"alliance {code} does not exist; form it first", field="alliance"
            ),
        )

    def get_books(self, code: str) -> Books:
        """The books of a village collective or joint entity, by its code."""
        return self._load(
            entity_id(code),
            Books,
            EntityNotFoundError(
                f"accounting entity {code} does not exist; register the village or joint "
                "entity first",
                field="entity",
            ),
        )

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save in one transaction, after refusing anything dated after today (issue 9: one
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

    def entity_township(self, code: str) -> str:
        """The township of a village or joint entity (fixed when it is registered)."""
        if code not in self._townships:
            self._townships[code] = self.get_books(code).township
        return self._townships[code]

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _lending(self) -> AbstractContextManager[None]:
        repository = self.repository
        assert isinstance(repository, ThreadSafeRepository)
        return repository.lending()

    def _save_new(self, *aggregates: Any, what: str) -> None:
        try:
            self.save(*aggregates)
        except (IntegrityError, RecordConflictError):
            raise AlreadyExistsError(f"{what} already exists", field="code") from None

    def _retrying(self, command: Callable[[], T]) -> T:
        """Run a load-decide-save command again when a concurrent save got there first.

        Commands of this process run one at a time: twenty clerks posting into one village
        would otherwise load the same version, all but one lose the save and load again, each
        round paying a deep copy of the books; queued, each loads once and saves once. Another
        process's save can still get there first, which the retry handles."""
        with self._command_lock:
            for _ in range(CONFLICT_RETRIES):
                try:
                    with self._lending():  # borrow, not copy (domain/repository.py)
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
            membership = self._membership(books, actor)
            membership.join(alliance=alliance, joined_on=joined_on, actor=actor)
            self.save(target, membership)
            return target

        return self._retrying(command)

    def leave_village(
        self, *, alliance: str, village: str, left_on: datetime.date, reason: str, actor: str
    ) -> Alliance:
        def command() -> Alliance:
            target = self.get_alliance(alliance)
            target.leave_village(village_code=village, left_on=left_on, reason=reason, actor=actor)
            membership = self._membership(self.get_village_books(village), actor)
            membership.leave(alliance=alliance, left_on=left_on, actor=actor)
            self.save(target, membership)
            return target

        return self._retrying(command)

    def get_village_books(self, code: str) -> VillageCollective:
        books = self.get_books(code)
        if not isinstance(books, VillageCollective):
            raise InvalidRequestError(f"{code} is a joint entity, not a village", field="village")
        return books

    def _membership(self, village: VillageCollective, actor: str) -> VillageMembership:
        """The village's alliance membership; in a store older than that record, opened from
        every alliance's own spells of the village (one scan of the joins, once per village)."""
        try:
            found: object = self.repository.get(membership_id(village.code))
        except AggregateNotFoundError:
            pass
        else:
            assert isinstance(found, VillageMembership)
            return found
        spells: list[dict[str, Any]] = []
        for alliance in self._alliances_joined_by(village.code):
            spells.extend(
                {
                    "alliance": alliance.code,
                    "joined": s.joined.isoformat(),
                    "left": s.left.isoformat() if s.left else None,
                }
                for s in alliance.memberships
                if s.village == village.code
            )
        spells.sort(key=lambda s: (s["joined"], s["alliance"]))
        return VillageMembership(
            village=village.code, township=village.township, spells=spells, actor=actor
        )

    def _alliances_joined_by(self, village: str) -> list[Alliance]:
        ids: set[UUID] = set()
        start = 0
        while True:
            page = self.recorder.select_notifications(
                start=start, limit=1000, topics=[VILLAGE_JOINED_TOPIC], inclusive_of_start=False
            )
            if not page:
                break
            for notification in page:
                event = self.mapper.to_domain_event(notification)
                if getattr(event, "village_code", None) == village:
                    ids.add(UUID(str(notification.originator_id)))
            start = page[-1].id
        found: list[Alliance] = []
        for aggregate_id in sorted(ids):
            alliance: object = self.repository.get(aggregate_id)
            assert isinstance(alliance, Alliance)
            found.append(alliance)
        return found

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
        check_count(population, field="population")
        check_count(households, field="households")
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
        # its alliance membership is opened with it, so no join ever scans the log for it
        membership = VillageMembership(village=code, township=township, spells=[], actor=actor)
        self._save_new(village, membership, what=f"accounting entity {code}")
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
        return self.find_posted(entity, number)[0]

    def find_posted(self, entity: str, number: str) -> tuple[JournalEntry, str | None]:
        """An entry as posted and its ``source`` (``domain.sources``), from the books' stream."""
        books = self.get_books(entity)
        books.require_entry(number)
        for stored in self.recorder.select_events(books.id, desc=True):
            event = self.mapper.to_domain_event(stored)
            entry = getattr(event, "entry", None)
            if isinstance(entry, JournalEntry) and entry.number == number:
                return entry, source_of_event(event)
        raise EntryNotFoundError(  # pragma: no cover - the index said it is there
            f"entry {number} is not in the books of {entity}", field="number"
        )

    def reverse_entry(
        self, *, entity: str, number: str, date: datetime.date, reason: str, actor: str
    ) -> JournalEntry:
        def command() -> JournalEntry:
            original, source = self.find_posted(entity, number)
            books = self.get_books(entity)
            entry = books.reverse_entry(
                original=original, date=date, reason=reason, actor=actor, source=source
            )
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


class LianzhangApplication(
    PeopleCommands,
    VoucherCommands,
    RegisterImportCommands,
    BulkCommands,
    ChartCommands,
    BooksApplication,
):
    """The only way into the write side (reads go through ``projections``): the books, and
    pooling, land shares, enterprise agreements, member registers and distribution plans.

    Every command that touches several books saves them together, so money never appears in
    one set of books without the other.
    """

    name = "lianzhang"  # the stored name: table lianzhang_events on PostgreSQL
    # Books are loaded for every posting; a snapshot every 50 events keeps that from replaying
    # a whole year of entries (the snapshot holds the state, transcoded like the events).
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        VillageCollective: 50,
        JointEntity: 50,
        MemberRegister: 50,
        VillageRegister: 50,
    }

    # -- loading -------------------------------------------------------------------------------

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

    def get_agreement(self, code: str) -> EnterpriseAgreement:
        return self._load(
            agreement_id(code),
            EnterpriseAgreement,
            AgreementNotFoundError(
                f"agreement {code} does not exist; sign it first", field="agreement"
            ),
        )

    def get_register(self, village: str) -> MemberRegister | VillageRegister:
        """The register's head: the whole legacy ``MemberRegister`` of a village whose register
        was opened before issue 13, else the bounded shape's ``VillageRegister`` (share kinds
        and a count; ``register_view`` reads the households)."""
        found: MemberRegister | VillageRegister = self._load(
            register_id(village),
            MemberRegister | VillageRegister,  # type: ignore[arg-type]
            RegisterNotFoundError(
                f"village {village} has no member register yet; open it first", field="village"
            ),
        )
        return found

    def get_plan(self, code: str) -> DistributionPlan:
        return self._load(
            plan_id(code),
            DistributionPlan,
            PlanNotFoundError(
                f"distribution plan {code} does not exist; draft it first", field="plan"
            ),
        )

    def _member_village(
        self, joint: JointEntity, village: str, day: datetime.date
    ) -> VillageCollective:
        books = self.get_village(village)
        alliance = self.get_alliance(joint.alliance_code)
        if village not in alliance.members_on(day):
            raise InvalidRequestError(
                f"village {village} is not a member of alliance {alliance.code} on {day}; only "
                "member villages deal with its joint entity",
                field="village",
            )
        return books

    @staticmethod
    def _require_cash(books: Books, amount: Money, what: str) -> None:
        bank = books.balance("102")
        if amount > bank:
            raise OverDistributionError(
                f"{books.code} has {format_yuan(bank)} in the bank (102 银行存款), less than the "
                f"{format_yuan(amount)} {what}",
                field="amount",
                details={"available": amount_str(bank), "requested": amount_str(amount)},
            )

    # -- contributions to the joint entity -----------------------------------------------------

    def contribute_capital(
        self,
        *,
        joint: str,
        village: str,
        programme: str,
        amount: object,
        date: datetime.date,
        actor: str,
    ) -> tuple[JournalEntry, JournalEntry]:
        """A village pays capital into the joint entity: 借 141 长期投资-joint / 贷 102 in the
        village's books, 借 102 / 贷 301 资本-village in the joint entity's, in one save."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> tuple[JournalEntry, JournalEntry]:
            pool = self.get_joint(joint)
            books = self._member_village(pool, village, date)
            self._require_cash(books, value, f"to pay into {joint}")
            name = programme_name(programme)
            books.ensure_account(
                f"141{joint}", f"长期投资-{pool.name}", actor=actor, source=f"capital:{joint}"
            )
            paid = books.post_entry(
                date=date,
                memo=f"向{pool.name}投入资本（{name}）",
                postings=[
                    {"account": f"141{joint}", "side": "debit", "amount": value},
                    {"account": "102", "side": "credit", "amount": value},
                ],
                actor=actor,
                source=f"capital:{joint}",
            )
            received = pool.contribute_capital(
                village=village,
                programme=programme,
                amount=value,
                date=date,
                actor=actor,
                village_name=books.name,
            )
            self.save(books, pool)
            return paid, received

        return self._retrying(command)

    def contribute_land(
        self,
        *,
        joint: str,
        village: str,
        mu: Decimal,
        grade: Decimal,
        value_per_mu: object,
        term_years: int,
        date: datetime.date,
        actor: str,
    ) -> JointEntity:
        value = money(value_per_mu, field="value_per_mu", maximum=MAX_AMOUNT)
        check_decimal(mu, field="mu", maximum=MAX_MU, positive=True)
        check_decimal(grade, field="grade", maximum=MAX_PERCENT)

        def command() -> JointEntity:
            pool = self.get_joint(joint)
            self._member_village(pool, village, date)
            pool.contribute_land(
                village=village,
                mu=mu,
                grade=grade,
                value_per_mu=value,
                term_years=term_years,
                date=date,
                actor=actor,
            )
            self.save(pool)
            return pool

        return self._retrying(command)

    def pay_land_rent(
        self,
        *,
        joint: str,
        village: str,
        mu: Decimal,
        rate_per_mu: object,
        year: int,
        date: datetime.date,
        actor: str,
    ) -> tuple[JournalEntry, JournalEntry]:
        """Land rent (土地流转费) paid in cash by the joint entity to a village: 借 511 经营支出 /
        贷 102 in the joint entity's books, 借 102 / 贷 501 经营收入 in the village's."""
        rate = money(rate_per_mu, allow_zero=False, field="rate_per_mu", maximum=MAX_AMOUNT)
        check_decimal(mu, field="mu", maximum=MAX_MU, positive=True)
        amount = money(
            (mu * rate.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            field="rate_per_mu",
            maximum=MAX_AMOUNT,
        )

        def command() -> tuple[JournalEntry, JournalEntry]:
            pool = self.get_joint(joint)
            books = self._member_village(pool, village, date)
            self._require_cash(pool, amount, f"of land rent to {village}")
            paid, received = corrections.post_rent(
                pool, books, mu=mu, rate=rate, year=year, date=date, actor=actor
            )
            self.save(pool, books)
            return paid, received

        return self._retrying(command)

    def receive_grant(
        self,
        *,
        joint: str,
        programme: str,
        amount: object,
        date: datetime.date,
        memo: str,
        actor: str,
    ) -> JournalEntry:
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> JournalEntry:
            pool = self.get_joint(joint)
            entry = pool.receive_grant(
                programme=programme, amount=value, date=date, memo=memo, actor=actor
            )
            self.save(pool)
            return entry

        return self._retrying(command)

    def record_cash(
        self,
        *,
        entity: str,
        direction: str,
        account: str,
        amount: object,
        date: datetime.date,
        memo: str,
        actor: str,
    ) -> JournalEntry:
        """An ordinary receipt (借 102 / 贷 ``account``) or payment (借 ``account`` / 贷 102)."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)
        if direction not in ("receipt", "payment"):
            raise InvalidRequestError("direction is 'receipt' or 'payment'", field="direction")

        def command() -> JournalEntry:
            books = self.get_books(entity)
            if direction == "payment":
                self._require_cash(books, value, "to pay")
            bank = {"account": "102", "amount": value}
            other = {"account": account, "amount": value}
            postings = (
                [{**bank, "side": "debit"}, {**other, "side": "credit"}]
                if direction == "receipt"
                else [{**other, "side": "debit"}, {**bank, "side": "credit"}]
            )
            try:
                entry = books.post_entry(
                    date=date, memo=memo, postings=postings, actor=actor, source=direction
                )
            except AccountNotOpenError as refused:
                # the request names one account: the field at fault is that one
                refused.field = "account"
                raise
            self.save(books)
            return entry

        return self._retrying(command)

    # -- enterprise agreements -----------------------------------------------------------------

    def sign_agreement(
        self,
        *,
        code: str,
        alliance: str,
        enterprise: str,
        signed_on: datetime.date,
        start_year: int,
        years: int,
        invested_capital: object,
        guarantee_kind: str,
        guarantee_value: Decimal,
        profit_share_percent: Decimal,
        payment_due: str,
        actor: str,
    ) -> EnterpriseAgreement:
        _require_code(code)
        if guarantee_kind == "amount":
            money(guarantee_value, field="guarantee.value", maximum=MAX_AMOUNT)
        check_decimal(profit_share_percent, field="profit_share_percent", maximum=MAX_PERCENT)
        target = self.get_alliance(alliance)
        if enterprise not in target.enterprises:
            raise InvalidRequestError(
                f"enterprise {enterprise} has not joined alliance {alliance}; partners: "
                f"{', '.join(target.enterprises) or 'none yet'}",
                field="enterprise",
            )
        if target.joint_entity_code is None:
            raise ConflictError(
                f"alliance {alliance} has no joint entity to receive the dividends; register "
                "it first",
                field="alliance",
            )
        agreement = EnterpriseAgreement.sign(
            code=code,
            alliance_code=alliance,
            joint_entity_code=target.joint_entity_code,
            enterprise_code=enterprise,
            signed_on=signed_on,
            start_year=start_year,
            years=years,
            invested_capital=money(invested_capital, field="invested_capital", maximum=MAX_AMOUNT),
            guarantee_kind=guarantee_kind,
            guarantee_value=guarantee_value,
            profit_share_percent=profit_share_percent,
            payment_due=payment_due,
            actor=actor,
        )
        self._save_new(agreement, what=f"agreement {code}")
        return agreement

    def declare_dividend(
        self, *, agreement: str, year: int, amount: object, date: datetime.date, actor: str
    ) -> JournalEntry:
        """The enterprise declares a dividend: 借 112 应收款-enterprise / 贷 502 投资收益."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> JournalEntry:
            terms = self.get_agreement(agreement)
            pool = self.get_joint(terms.joint_entity_code)
            # once a 保底 shortfall is booked, a later declaration adds only what goes above it
            booked = terms.receivable_after(year, value) - terms.receivable_for(year)
            if booked == ZERO:
                raise ConflictError(
                    f"agreement {agreement}: the guarantee shortfall booked for {year} already "
                    f"makes {format_yuan(terms.receivable_for(year))} receivable; a declaration "
                    f"of {format_yuan(value)} more adds nothing above it",
                    field="amount",
                )
            memo = f"{terms.enterprise_code}宣告{year}年度分红（协议{agreement}）"
            if booked != value:
                memo += f"，其中{format_yuan(value - booked)}已作保底差额入账"
            entry = self._book_receivable(terms, pool, booked, date=date, memo=memo, actor=actor)
            terms.declare_dividend(
                year=year, amount=value, date=date, entry_number=entry.number, actor=actor
            )
            self.save(terms, pool)
            return entry

        return self._retrying(command)

    def _book_receivable(
        self,
        terms: EnterpriseAgreement,
        pool: JointEntity,
        amount: Money,
        *,
        date: datetime.date,
        memo: str,
        actor: str,
    ) -> JournalEntry:
        """借 112{enterprise} 应收款 / 贷 502 投资收益 in the joint entity's books, opening the
        receivable (named after the enterprise) the first time: what a declared dividend and a
        booked 保底 shortfall both post."""
        source = f"agreement:{terms.code}"
        enterprise = self.get_alliance(terms.alliance_code).enterprises.get(
            terms.enterprise_code, terms.enterprise_code
        )
        pool.ensure_account(
            terms.receivable_account, f"应收款-{enterprise}", actor=actor, source=source
        )
        return pool.post_entry(
            date=date,
            memo=memo,
            postings=[
                {"account": terms.receivable_account, "side": "debit", "amount": amount},
                {"account": "502", "side": "credit", "amount": amount},
            ],
            actor=actor,
            source=source,
        )

    def book_guarantee_shortfall(
        self, *, agreement: str, year: int, date: datetime.date, actor: str
    ) -> JournalEntry:
        """Book what the enterprise owes under its guarantee (保底) beyond what it declared for
        ``year``: 借 112 应收款-enterprise / 贷 502 投资收益 in the joint entity's books, so the
        arrears are on the balance sheet (the guarantee is income the contract entitles the
        joint entity to, receivable like a declared dividend). On or after the year's payment
        day; once per shortfall."""

        def command() -> JournalEntry:
            terms = self.get_agreement(agreement)
            pool = self.get_joint(terms.joint_entity_code)
            shortfall = terms.guarantee_shortfall(year, date)
            memo = (
                f"{terms.enterprise_code}{year}年度保底差额（协议{agreement}）：保底"
                f"{format_yuan(terms.guaranteed_for(year))}，已宣告"
                f"{format_yuan(terms.declared_for(year))}"
            )
            entry = self._book_receivable(terms, pool, shortfall, date=date, memo=memo, actor=actor)
            terms.book_guarantee_shortfall(
                year=year, amount=shortfall, date=date, entry_number=entry.number, actor=actor
            )
            self.save(terms, pool)
            return entry

        return self._retrying(command)

    def receive_dividend(
        self, *, agreement: str, year: int, amount: object, date: datetime.date, actor: str
    ) -> JournalEntry:
        """The declared dividend arrives: 借 102 银行存款 / 贷 112 应收款-enterprise."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> JournalEntry:
            terms = self.get_agreement(agreement)
            pool = self.get_joint(terms.joint_entity_code)
            entry = pool.post_entry(
                date=date,
                memo=f"收到{terms.enterprise_code}{year}年度分红（协议{agreement}）",
                postings=[
                    {"account": "102", "side": "debit", "amount": value},
                    {"account": terms.receivable_account, "side": "credit", "amount": value},
                ],
                actor=actor,
                source=f"agreement:{agreement}",
            )
            terms.receive_dividend(  # checked before anything is saved; names its voucher
                year=year, amount=value, date=date, entry_number=entry.number, actor=actor
            )
            self.save(terms, pool)
            return entry

        return self._retrying(command)

    # -- corrections of cross-book operations (domain/corrections.py) -------------------------

    refund_capital = corrections.refund_capital
    correct_land_rent = corrections.correct_land_rent
    correct_dividend = corrections.correct_dividend

    # -- member registers ----------------------------------------------------------------------
    #
    # A register opened now has the bounded shape (domain/members.py): each command loads the
    # register's head (constant size), one household and member-number claims, never the whole
    # register. A village whose register was opened before keeps its legacy MemberRegister, and
    # its commands go to it as they always did.

    def open_register(self, *, village: str, share_kinds: list[str], actor: str) -> VillageRegister:
        self.get_village(village)
        register = VillageRegister.open(village=village, share_kinds=share_kinds, actor=actor)
        self._save_new(register, what=f"the member register of {village}")
        return register

    def _with_register(
        self, village: str, change: Callable[[MemberRegister], None]
    ) -> MemberRegister:
        def command() -> MemberRegister:
            register = self.get_register(village)
            assert isinstance(register, MemberRegister)
            change(register)
            self.save(register)
            return register

        return self._retrying(command)

    def _is_legacy(self, village: str) -> bool:
        return isinstance(self.get_register(village), MemberRegister)

    def _household(self, village: str, number: str) -> Household:
        return self._load(
            household_id(village, number),
            Household,
            NotFoundError(
                f"household {number} is not in the register of {village}; register "
                "the household first",
                field="household",
            ),
        )

    def _household_of(self, village: str, member: str) -> Household:
        """The household holding ``member``'s record (bounded shape), by the member's number."""
        try:
            claim: object = self.repository.get(member_number_id(village, member))
        except AggregateNotFoundError:
            raise NotFoundError(
                f"member {member} is not in the register of {village}", field="member"
            ) from None
        assert isinstance(claim, MemberNumber)
        return self._household(village, claim.household)

    def _with_household_of(
        self, village: str, member: str, change: Callable[[Household], None]
    ) -> Household:
        def command() -> Household:
            household = self._household_of(village, member)
            change(household)
            self.save(household)
            return household

        return self._retrying(command)

    def register_household(
        self, *, village: str, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> MemberRegister | Household:
        _require_code(number)
        if self._is_legacy(village):
            return self._with_register(
                village,
                lambda r: r.register_household(
                    number=number, head=head, registered_on=registered_on, actor=actor
                ),
            )

        def command() -> Household:
            register = self.get_register(village)
            assert isinstance(register, VillageRegister)
            if self.exists(household_id(village, number)):
                raise ConflictError(
                    f"household {number} is already in the register of {village}",
                    field="number",
                )
            household = Household.register(
                village=village, number=number, head=head, registered_on=registered_on, actor=actor
            )
            register.add_household(number=number, actor=actor)
            self.save(register, household)
            return household

        return self._retrying(command)

    def register_member(
        self,
        *,
        village: str,
        number: str,
        household: str,
        name: str,
        id_number: str,
        joined_on: datetime.date,
        shares: dict[str, Decimal],
        actor: str,
    ) -> MemberRegister | Household:
        _require_code(number)
        check_shares(shares)
        if self._is_legacy(village):
            return self._with_register(
                village,
                lambda r: r.register_member(
                    number=number,
                    household=household,
                    name=name,
                    id_number=id_number,
                    joined_on=joined_on,
                    shares=shares,
                    actor=actor,
                    vault=self.vault,
                ),
            )

        def is_current(other: str) -> bool:
            try:
                return self._household_of(village, other).member(other)["left"] is None
            except NotFoundError:
                return False

        def command() -> Household:
            register = self.get_register(village)
            assert isinstance(register, VillageRegister)
            found = self._household(village, household)
            if self.exists(member_number_id(village, number)):
                raise ConflictError(
                    f"member {number} is already in the register of {village}", field="number"
                )
            claim = found.register_member(
                number=number,
                name=name,
                id_number=id_number,
                joined_on=joined_on,
                shares=shares,
                share_kinds=register.share_kinds,
                actor=actor,
                vault=self.vault,
                is_current=is_current,
            )
            self.save(found, claim)
            return found

        return self._retrying(command)

    def member_record(self, village: str, member: str) -> dict[str, Any] | None:
        """A member's record (household, name, sealed ID number, joined, left, shares), either
        shape; None when the register has no such member."""
        register = self.get_register(village)
        if isinstance(register, MemberRegister):
            found: dict[str, Any] | None = register.members.get(member)
            return found
        try:
            return self._household_of(village, member).member(member)
        except NotFoundError:
            return None

    def forget_member(
        self, *, village: str, member: str, reason: str, actor: str
    ) -> MemberRegister | Household:
        """Forget a member's personal data: record it, then delete the member's key (again, if
        an earlier attempt recorded it but stopped before the key was gone)."""
        subject = member_subject(village, member)
        if (self.member_record(village, member) or {}).get("forgotten"):
            self.vault.forget(subject)
        changed: MemberRegister | Household
        if self._is_legacy(village):
            changed = self._with_register(
                village, lambda r: r.forget_member(member=member, reason=reason, actor=actor)
            )
        else:
            changed = self._with_household_of(
                village,
                member,
                lambda h: h.forget_member(member=member, reason=reason, actor=actor),
            )
        self.vault.forget(subject)
        return changed

    def adjust_shares(
        self,
        *,
        village: str,
        member: str,
        shares: dict[str, Decimal],
        effective: datetime.date,
        reason: str,
        actor: str,
    ) -> MemberRegister | Household:
        check_shares(shares)
        register = self.get_register(village)
        if isinstance(register, MemberRegister):
            return self._with_register(
                village,
                lambda r: r.adjust_shares(
                    member=member, shares=shares, effective=effective, reason=reason, actor=actor
                ),
            )
        kinds = register.share_kinds  # fixed when the register was opened
        return self._with_household_of(
            village,
            member,
            lambda h: h.adjust_shares(
                member=member,
                shares=shares,
                effective=effective,
                reason=reason,
                share_kinds=kinds,
                actor=actor,
            ),
        )

    def member_leaves(
        self, *, village: str, member: str, left_on: datetime.date, reason: str, actor: str
    ) -> MemberRegister | Household:
        if self._is_legacy(village):
            return self._with_register(
                village,
                lambda r: r.member_leaves(
                    member=member, left_on=left_on, reason=reason, actor=actor
                ),
            )
        return self._with_household_of(
            village,
            member,
            lambda h: h.member_leaves(member=member, left_on=left_on, reason=reason, actor=actor),
        )

    def register_view(self, village: str) -> AnyRegister:
        """The whole register of ``village`` as a plan reads it: the legacy aggregate as it is,
        or, in the bounded shape, every household listed by the register's stream, each read
        from its own events (not through the aggregate cache, which it would only churn)."""
        register = self.get_register(village)
        if isinstance(register, MemberRegister):
            return register
        store = self.repository.event_store
        numbers = [
            e.number
            for e in store.get(register.id)
            if isinstance(e, VillageRegister.HouseholdAdded)  # type: ignore[attr-defined]
        ]
        households = []
        for number in numbers:
            aggregate: Any = None
            for e in store.get(household_id(village, number)):
                aggregate = e.mutate(aggregate)  # type: ignore[attr-defined]
            households.append(aggregate)
        return RegisterView(register, households)

    # -- distribution plans --------------------------------------------------------------------

    def plan_document(
        self,
        *,
        scope: str,
        target: str,
        as_of: datetime.date,
        amount: str,
        rule: Mapping[str, Any],
        period: str = "",
    ) -> tuple[str, str | None, dict[str, Any], dict[str, Any]]:
        """Build a plan's full rule document from the registers as of ``as_of``.

        Returns (payer, alliance code, document, sources) where ``sources`` keeps each party's
        capital by fund programme (alliance plans) so every yuan stays traceable to where it
        came from, and the part of the period each late joiner was a member.
        """
        for key in ("parties", "amount"):
            if key in rule:
                raise InvalidRequestError(
                    f"rule.{key} is filled in by the plan from its registers and amount; leave "
                    "it out",
                    field=f"rule.{key}",
                )
        sources: dict[str, Any] = {}
        if scope == "alliance":
            alliance = self.get_alliance(target)
            if alliance.joint_entity_code is None:
                raise ConflictError(
                    f"alliance {target} has no joint entity to distribute from", field="alliance"
                )
            pool = self.get_joint(alliance.joint_entity_code)
            membership: dict[str, Fraction] = {}
            last_days: dict[str, datetime.date] = {}
            member_days: dict[str, list[int]] = {}
            bounds = period_bounds(period)
            codes = alliance.members_on(as_of)
            if bounds is not None and bounds[0] <= as_of:
                # every village that was a member on some day of the period up to the record
                # date, those that left during it included: each counts its days (RULES.md)
                first, last = bounds[0], min(bounds[1], as_of)
                days = (last - first).days + 1
                spells = [s for s in alliance.memberships if s.joined <= last]
                counted = {s.village: alliance.member_days(s.village, first, last) for s in spells}
                codes = sorted(c for c, n in counted.items() if n > 0)
                membership = {c: Fraction(counted[c], days) for c in codes}
                member_days = {c: [counted[c], days] for c in codes if counted[c] != days}
                for c in codes:
                    if c not in alliance.members_on(as_of):
                        left = max(s.left for s in spells if s.village == c and s.left)
                        last_days[c] = min(as_of, left - datetime.timedelta(days=1))
            villages = [self.get_village(c) for c in codes]
            if not villages:
                raise ConflictError(
                    f"alliance {target} has no member villages on {as_of}", field="as_of"
                )
            parties = alliance_parties(pool, villages, as_of, membership, last_days)
            late = {
                code: f"{part.numerator}/{part.denominator}"
                for code, part in membership.items()
                if part != 1
            }
            sources = {
                **({"membership": late, "member_days": member_days} if late else {}),
                "capital_by_programme": {
                    v.code: {
                        p: amount_str(m)
                        for p, m in pool.capital_by_programme(
                            v.code, last_days.get(v.code, as_of)
                        ).items()
                    }
                    for v in villages
                },
            }
            payer, alliance_code = pool.code, alliance.code
        elif scope == "village":
            village = self.get_village(target)
            register = self.register_view(target)
            bounds = period_bounds(period)
            window = None
            if bounds is not None and bounds[0] <= as_of:
                window = (bounds[0], min(bounds[1], as_of))
            parties, partial = household_parties(register, as_of, window)
            if partial:
                sources = {"member_days": partial}
            if not parties:
                raise ConflictError(
                    f"the register of {target} has no members on {as_of}", field="as_of"
                )
            payer, alliance_code = village.code, None
        else:
            raise InvalidRequestError(
                f"scope {scope!r} is not known; use 'alliance' (joint entity → villages) or "
                "'village' (village → households)",
                field="scope",
            )
        document = {"amount": amount, **rule, "parties": parties}
        return payer, alliance_code, document, sources

    def draft_plan(
        self,
        *,
        code: str,
        title: str,
        scope: str,
        target: str,
        period: str,
        as_of: datetime.date,
        amount: str,
        rule: Mapping[str, Any],
        deduction_accounts: Mapping[str, str | None] | None = None,
        supersedes: str | None = None,
        actor: str,
    ) -> DistributionPlan:
        """Draft a plan: compute its lines from the registers and the rule, and record both."""
        _require_code(code)
        if not title.strip():
            raise InvalidRequestError("a plan needs a title", field="title")
        parse_period(period)  # 2025, 2025-Q1 or 2025-03; anything else would lose pro-rating
        require_not_after(
            as_of, self.today(), what=f"the record date of plan {code}", field="as_of"
        )
        money(amount, field="amount", maximum=MAX_AMOUNT)
        payer_code, alliance_code, document, sources = self.plan_document(
            scope=scope, target=target, as_of=as_of, amount=amount, rule=rule, period=period
        )
        result = allocate_document(document)
        accounts = {**DEFAULT_DEDUCTION_ACCOUNTS, **dict(deduction_accounts or {})}
        for name, account in accounts.items():
            if account is not None and account not in ChartOfAccounts.standard():
                raise InvalidRequestError(
                    f"deduction {name}: account {account!r} is not in the chart of accounts",
                    field=f"deduction_accounts.{name}",
                )
        payer = self.get_books(payer_code)
        if supersedes is not None:
            old = self.get_plan(supersedes)
            if old.state != "executed" or old.payer != payer_code:
                raise ConflictError(
                    f"plan {supersedes} is {old.state} and paid by {old.payer}; a plan can only "
                    "correct an executed plan of the same payer",
                    field="supersedes",
                )
        else:
            self._require_income(payer, money(result["amount"]))
        plan = DistributionPlan(
            code=code,
            title=title.strip(),
            scope=scope,
            payer=payer_code,
            alliance_code=alliance_code,
            period=period,
            as_of=as_of,
            rule={**document, "sources": sources} if sources else document,
            result=result,
            deduction_accounts=accounts,
            supersedes=supersedes,
            township=payer.township,
            actor=actor,
        )
        self._save_new(plan, what=f"distribution plan {code}")
        return plan

    @staticmethod
    def _require_income(payer: Books, amount: Money) -> None:
        available = payer.available_income()
        if amount > available:
            raise OverDistributionError(
                f"{payer.code} has {format_yuan(available)} of undistributed income; a plan "
                f"cannot distribute {format_yuan(amount)}",
                field="amount",
                details={"available": amount_str(available), "requested": amount_str(amount)},
            )

    def record_plan_step(
        self, *, code: str, step: str, date: datetime.date, actor: str, **details: Any
    ) -> DistributionPlan:
        check_people(details)

        def command() -> DistributionPlan:
            plan = self.get_plan(code)
            plan.record_step(step=step, date=date, actor=actor, **details)
            self.save(plan)
            return plan

        return self._retrying(command)

    def execute_plan(
        self,
        *,
        code: str,
        date: datetime.date,
        actor: str,
        acknowledge_paid_villages: bool = False,
        paid_villages: Sequence[str] = (),
    ) -> DistributionPlan:
        """Pay the plan out: every payout into the payer's and each payee's books, one save.

        A correction (``supersedes``) does not touch cash already paid: it reverses the old
        plan's declaration and posts its own (``domain.plan_corrections``); each payee's difference
        stays owed (211) or becomes a claim to recover (112 / 113). ``paid_villages`` are the
        payees of a superseded alliance plan that have since paid their own households (the
        caller reads them from the plans' read model); superseding it then needs
        ``acknowledge_paid_villages``.
        """

        def command() -> DistributionPlan:
            plan = self.get_plan(code)
            plan.check_executable(date)
            books: dict[str, Books] = {plan.payer: self.get_books(plan.payer)}
            payer = books[plan.payer]
            old: DistributionPlan | None = None
            posted: list[list[str]] = []
            if plan.supersedes is not None:
                old = self.get_plan(plan.supersedes)
                if paid_villages and not acknowledge_paid_villages:
                    raise ConflictError(
                        f"plan {old.code} was paid on to households by "
                        f"{', '.join(sorted(paid_villages))} after {old.executed_on}; their own "
                        f"plans are not changed by correcting {old.code}. Execute {code} with "
                        "acknowledge_paid_villages: true to correct it all the same",
                        field="acknowledge_paid_villages",
                    )
                reversals = [
                    [payer.code, reversal.number]
                    for reversal in reverse_declaration(
                        payer,
                        old,
                        [self.find_entry(e, n) for e, n in old.entries if e == payer.code],
                        date=date,
                        reason=f"方案{code}更正{old.code}",
                        actor=actor,
                    )
                ]
                old.supersede(by=code, entries=reversals, actor=actor)
            self._require_income(payer, money(plan.result["amount"]))
            entries, paid = payout_entries(
                plan_code=code,
                title=plan.title,
                result=plan.result,
                deduction_accounts=plan.deduction_accounts,
            )
            if old is None:
                self._require_cash(payer, sum(paid.values(), ZERO), f"that plan {code} pays out")
                require_free_cash(payer, sum(paid.values(), ZERO), code)
            else:
                entries = declarations(entries)  # the differences are not paid here
            names = plan_account_names(plan.result, plan.deduction_accounts)
            for _, postings in entries:
                operation_accounts(postings, names, payer, actor=actor, source=f"plan:{code}")
            for memo, postings in entries:
                entry = payer.post_entry(
                    date=date, memo=memo, postings=postings, actor=actor, source=f"plan:{code}"
                )
                posted.append([payer.code, entry.number])
            if old is not None:
                for entity, memo, postings in correction_entries(
                    payer=payer, old=old, new_result=plan.result, title=plan.title, code=code
                ):
                    target = books.setdefault(entity, self.get_books(entity))
                    operation_accounts(postings, names, target, actor=actor, source=f"plan:{code}")
                    entry = target.post_entry(
                        date=date, memo=memo, postings=postings, actor=actor, source=f"plan:{code}"
                    )
                    posted.append([entity, entry.number])
            elif plan.scope == "alliance":
                # a village that left after the record date still receives its days' share
                # (RULES.md period_share): the plan counted only the days it was a member
                for village, amount in sorted(paid.items()):
                    target = books.setdefault(village, self.get_books(village))
                    entry = target.post_entry(
                        date=date,
                        memo=f"收到{payer.name}分配 {code} {plan.title}",
                        postings=receipt_postings(amount, payer.name),
                        actor=actor,
                        source=f"plan:{code}",
                    )
                    posted.append([village, entry.number])
            plan.execute(on=date, entries=posted, actor=actor)
            self.save(plan, *books.values(), *([old] if old is not None else []))
            return plan

        return self._retrying(command)

    def attach_comparison(
        self, *, code: str, for_step: str, comparison: dict[str, Any], actor: str
    ) -> int:
        """Record a comparison of alternative rules on a plan, before the vote it informs."""

        def command() -> int:
            plan = self.get_plan(code)
            number = plan.attach_comparison(
                for_step=for_step, comparison=comparison, digest=digest(comparison), actor=actor
            )
            self.save(plan)
            return number

        return self._retrying(command)

    # -- disclosure sheets ---------------------------------------------------------------------

    def publish_sheet(
        self,
        *,
        village: str,
        period: str,
        content: dict[str, Any],
        checked_by: list[str],
        checked_on: datetime.date,
        reason: str,
        actor: str,
    ) -> dict[str, Any]:
        """Publish a sheet's content as its next version (the first, or a correction).
        ``village`` is the code of a village or of a joint entity (联合社, which has its own
        sheet: issue 11 item 3); the field keeps its name (stored events are a schema)."""
        self.get_books(village)

        def command() -> dict[str, Any]:
            if self.exists(sheet_id(village, period)):
                sheet = self._load(
                    sheet_id(village, period), DisclosureSheet, ConflictError("sheet vanished")
                )
            else:
                sheet = DisclosureSheet(village=village, period=period, actor=actor)
            version = sheet.publish(
                content=content,
                checked_by=checked_by,
                checked_on=checked_on,
                reason=reason,
                actor=actor,
            )
            self.save(sheet)
            return version

        return self._retrying(command)
