"""The bulk path: many vouchers (one village's year, a township's month) into the books at once,
checked by exactly the rules of a single posting and saved in batches.

Decision (issue 13 item 2; the Excel import of issue 10 uses it):

1. **Same rules, same order.** Each entity's books are loaded once. The vouchers are applied, in
   the order given, to those in-memory books through ``Books.post_entry`` — the method a single
   posting uses — so every check (balanced, chart, sub-accounts open, closed months and years,
   cash never below zero, earmarks, sense) runs, and each voucher is checked against the books
   as they stand after the vouchers before it (a payment in row 40 may spend the receipt of row
   12). Dates after today, text the store cannot hold and tenancy are checked here per voucher
   as well; the application's ``save`` checks them again as the guarantee.
2. **All or nothing per file.** Every problem is collected (voucher, field, what, its problem
   type); if there is any, nothing is written and :class:`VouchersRefusedError` lists them all,
   so a clerk fixes the file and tries again. A refused voucher leaves the books as they were,
   so the vouchers after it are still checked (a later overdraft that only follows from a
   refused receipt is reported too: fix the first problem first).
3. **Saved in batches.** Valid vouchers are saved :data:`BATCH_VOUCHERS` at a time (one
   ``EntryPosted`` event each), one transaction per batch, several entities' books in one batch
   when a township's month is imported. A file that fits one batch is atomic as a whole.
4. **A re-run is safe.** Each batch is saved with a :class:`VoucherImportBatch` aggregate whose
   id is ``uuid5`` of the import's identity (the SHA-256 of the vouchers, canonical) and the
   batch's index, in the same transaction as the batch's entries (the way ``domain.requests``
   keeps idempotency keys). Running the same file again after a crash skips the batches
   already saved, checks the rest against the books as they now stand, and saves them; running
   it after it completed writes nothing and answers with the entries of the first run. A
   concurrent writer that changes the same books between two batches makes the next batch's
   save conflict; the import then starts over (the saved batches skipped), like any command.
5. **An HTTP request's idempotency key** is saved with the *last* batch, so a request that died
   halfway is not answered as done: its retry finishes the import.

Cost: the library takes a snapshot every 50 events of the books; a bulk save would rebuild the
books from the store for each of them (20 rebuilds per batch of 1,000). The bulk path skips
those and snapshots each entity once, after its last batch, from the in-memory books (which are
exactly the stored state); the books stay in the repository's cache (the import borrowed the
cached objects, ``domain/repository.py``), so the next command does not replay the whole import
from the store.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID, uuid5

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate, event

from domain.bounds import MAX_TEXT, check_text
from domain.context import acting, current
from domain.errors import DomainError, ForbiddenTownshipError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.periods import require_not_after
from ledger.canonical import digest
from ledger.errors import LedgerError

if TYPE_CHECKING:
    from domain.books import Books

T = TypeVar("T")

BATCH_VOUCHERS = 1000
"""Vouchers (events of the books) per save: one transaction each."""

MAX_VOUCHERS = 100_000
"""Vouchers per import: a township's year is some tens of thousands."""

# The problem type of a ledger error, as the API names it (``api.problems``).
_LEDGER_KINDS = {
    "UnbalancedEntryError": "unbalanced-entry",
    "UnknownAccountError": "unknown-account",
    "InvalidAmountError": "invalid-amount",
}

_bulk_saving: ContextVar[bool] = ContextVar("lianzhang_bulk_saving", default=False)


@dataclass(frozen=True)
class Voucher:
    """One voucher (记账凭证) to post: the entity whose books take it, its date and 摘要, and its
    postings as a single posting takes them (``account``, ``side``, ``amount``, ``memo``)."""

    entity: str
    date: datetime.date
    memo: str
    postings: tuple[Mapping[str, Any], ...]

    def canonical(self) -> list[Any]:
        return [
            self.entity,
            self.date.isoformat(),
            self.memo,
            [
                [str(p.get("account")), str(p.get("side")), str(p.get("amount")), p.get("memo")]
                for p in self.postings
            ],
        ]


@dataclass(frozen=True)
class VoucherProblem:
    """What is wrong with one voucher: its index in the list given, the field at fault
    (``date``, ``memo``, ``postings[1].amount``, ``entity``; None for the whole voucher), a
    sentence, and the problem type a single posting would have got."""

    voucher: int
    field: str | None
    message: str
    kind: str


class VouchersRefusedError(InvalidRequestError):
    """One or more vouchers break a rule; nothing was written. ``problems`` lists every one."""

    kind = "invalid-vouchers"

    def __init__(self, problems: Sequence[VoucherProblem], *, saved_batches: int = 0) -> None:
        count = len({p.voucher for p in problems})
        first = problems[0]
        message = (
            f"{count} voucher{'s' if count != 1 else ''} cannot be posted and nothing was "
            f"written; the first: voucher {first.voucher + 1}"
            + (f" ({first.field})" if first.field else "")
            + f": {first.message}"
        )
        if saved_batches:
            message += (
                f" ({saved_batches} batch(es) of this import had been saved before; fix the "
                "file and run it again to post the rest)"
            )
        super().__init__(message, field=first.field)
        self.problems = list(problems)
        self.saved_batches = saved_batches


@dataclass(frozen=True)
class PostedVoucher:
    """Where a voucher went: the entity and the number its books gave it."""

    entity: str
    number: str
    date: datetime.date
    memo: str


@dataclass
class ImportResult:
    """What an import did.

    ``posted`` has one item per voucher given, in that order (with ``dry_run`` the numbers the
    books would give). ``saved_batches`` were written now, ``skipped_batches`` had been written
    by an earlier run of the same vouchers.
    """

    import_id: str
    posted: list[PostedVoucher]
    batches: int
    saved_batches: int = 0
    skipped_batches: int = 0
    dry_run: bool = False
    entities: list[str] = field(default_factory=list)


def import_identity(vouchers: Sequence[Voucher], batch_size: int) -> str:
    """The SHA-256 that names an import: the same vouchers in the same order, batched the same
    way, are the same import."""
    return digest({"batch": batch_size, "vouchers": [v.canonical() for v in vouchers]})


def batch_id(import_id: str, index: int) -> UUID:
    return uuid5(NAMESPACE, f"voucher-import:{import_id}:{index}")


class VoucherImportBatch(Aggregate):
    """One saved batch of a voucher import: recorded in the same transaction as its entries, so
    it exists exactly when they do (a re-run skips it)."""

    @staticmethod
    def create_id(import_id: str, index: int) -> UUID:
        return batch_id(import_id, index)

    @event("Saved")
    def __init__(
        self,
        *,
        import_id: str,
        index: int,
        batches: int,
        entries: list[list[str]],
        actor: str,
        run: int = 1,
    ) -> None:
        self.import_id = import_id
        self.index = index
        self.batches = batches
        self.run = run  # how many batches the run that saved this one saved (its answer)
        self.entries = [list(pair) for pair in entries]  # [entity, number] per voucher


def _problems_of(index: int, error: DomainError | LedgerError) -> list[VoucherProblem]:
    if isinstance(error, DomainError):
        return [VoucherProblem(index, error.field, error.message, error.kind)]
    kind = _LEDGER_KINDS.get(type(error).__name__, "invalid-entry")
    if error.errors:
        return [VoucherProblem(index, f, message, kind) for f, message in error.errors]
    return [VoucherProblem(index, error.field, str(error), kind)]


def _check_text(index: int, voucher: Voucher) -> list[VoucherProblem]:
    """What the API's schema checks of a single posting's text, for vouchers from a file."""
    found: list[VoucherProblem] = []
    texts: list[tuple[object, str, bool]] = [(voucher.memo, "memo", True)]
    texts += [
        (p.get("memo", ""), f"postings[{i}].memo", False) for i, p in enumerate(voucher.postings)
    ]
    for value, name, required in texts:
        try:
            check_text(value, field=name, max_length=MAX_TEXT, required=required)
        except InvalidRequestError as error:
            found.append(VoucherProblem(index, name, error.message, "validation"))
    return found


class BulkCommands(Application[UUID]):
    """Import many vouchers at once. Mixed into the application: uses its ``get_books``,
    ``_retrying``, ``today`` and ``save``."""

    if TYPE_CHECKING:
        today: Callable[[], datetime.date]

        def get_books(self, code: str) -> Books: ...
        def _snapshot_in_memory(self, aggregate: Any) -> None: ...
        def _retrying(self, command: Callable[[], T]) -> T: ...

    def import_vouchers(
        self,
        vouchers: Sequence[Voucher],
        *,
        actor: str,
        dry_run: bool = False,
        batch_size: int = BATCH_VOUCHERS,
    ) -> ImportResult:
        """Check every voucher as a single posting would, then post them all, in batches of
        ``batch_size`` (one transaction each), or nothing.

        Raises:
            VouchersRefusedError: every problem of every voucher; nothing was written.
            ForbiddenTownshipError: a voucher's books are outside the actor's townships.
        """
        vouchers = list(vouchers)
        if not vouchers:
            raise InvalidRequestError("there are no vouchers to import", field="vouchers")
        if len(vouchers) > MAX_VOUCHERS:
            raise InvalidRequestError(
                f"{len(vouchers):,} vouchers in one import; at most {MAX_VOUCHERS:,}, split the "
                "file",
                field="vouchers",
            )
        if not 1 <= batch_size <= BATCH_VOUCHERS:
            raise InvalidRequestError(f"batch size 1 … {BATCH_VOUCHERS}", field="batch_size")
        check_text(actor, field="actor", required=True)
        import_id = import_identity(vouchers, batch_size)
        # the order of saving: grouped by entity (first appearance), each entity's vouchers in
        # the order given; batches are fixed slices of it, so a re-run cuts them the same way
        first_seen: dict[str, int] = {}
        for i, v in enumerate(vouchers):
            first_seen.setdefault(v.entity, i)
        order = sorted(range(len(vouchers)), key=lambda i: (first_seen[vouchers[i].entity], i))
        batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]

        def command() -> ImportResult:
            return self._import(vouchers, batches, import_id, actor=actor, dry_run=dry_run)

        if dry_run:
            return command()
        return self._retrying(command)

    def _import(
        self,
        vouchers: list[Voucher],
        batches: list[list[int]],
        import_id: str,
        *,
        actor: str,
        dry_run: bool,
    ) -> ImportResult:
        result = ImportResult(
            import_id=import_id,
            posted=[],
            batches=len(batches),
            dry_run=dry_run,
            entities=list(dict.fromkeys(v.entity for v in vouchers)),
        )
        done: dict[int, VoucherImportBatch] = {}
        for index in range(len(batches)):
            found = self._saved_batch(import_id, index)
            if found is not None:
                done[index] = found
        posted: dict[int, PostedVoucher] = {}
        for index, saved in done.items():
            for position, (entity, number) in zip(batches[index], saved.entries, strict=True):
                v = vouchers[position]
                posted[position] = PostedVoucher(entity, number, v.date, v.memo)
        todo = [i for i in range(len(batches)) if i not in done]
        result.skipped_batches = len(done)
        # Books holding vouchers that are never saved leave the cache by the repository's rule
        # (domain/repository.py): a dry run loads copies; an import attempt (``_retrying``) that
        # raises, or returns with events unsaved, has every books it borrowed evicted.
        books, events, problems = self._apply(vouchers, batches, todo, posted, actor=actor)
        if problems:
            raise VouchersRefusedError(problems, saved_batches=len(done))
        result.posted = [posted[i] for i in range(len(vouchers))]
        if dry_run or not todo:
            return result
        self._save_batches(books, events, batches, todo, import_id, posted, actor=actor)
        result.saved_batches = len(todo)
        return result

    def _saved_batch(self, import_id: str, index: int) -> VoucherImportBatch | None:
        if not self.recorder.select_events(batch_id(import_id, index), limit=1):
            return None
        found: Any = self.repository.get(batch_id(import_id, index))
        assert isinstance(found, VoucherImportBatch)
        return found

    def _apply(
        self,
        vouchers: list[Voucher],
        batches: list[list[int]],
        todo: list[int],
        posted: dict[int, PostedVoucher],
        *,
        actor: str,
    ) -> tuple[dict[str, Books], dict[int, Any], list[VoucherProblem]]:
        """Post the vouchers of the batches ``todo`` into the in-memory books, in order;
        collect every problem. Returns the books, each voucher's event, and the problems."""
        today = self.today()
        context = current()
        books: dict[str, Books] = {}
        missing: dict[str, VoucherProblem] = {}
        events: dict[int, Any] = {}
        problems: list[VoucherProblem] = []
        for position in sorted(p for index in todo for p in batches[index]):
            v = vouchers[position]
            if v.entity not in books and v.entity not in missing:
                try:
                    found = self.get_books(v.entity)
                except DomainError as error:
                    missing[v.entity] = VoucherProblem(
                        position, "entity", error.message, error.kind
                    )
                else:
                    if context is not None and not context.may_write_in(found.township):
                        raise ForbiddenTownshipError(
                            f"token {context.actor!r} may not write in {found.township}: voucher "
                            f"{position + 1} is for the books of {v.entity}, which belong to "
                            f"{found.township}; it may write in: "
                            f"{', '.join(sorted(context.townships or ())) or 'none'}"
                        )
                    books[v.entity] = found
            if v.entity in missing:
                problems.append(dataclasses.replace(missing[v.entity], voucher=position))
                continue
            target = books[v.entity]
            found_problems = _check_text(position, v)
            try:
                require_not_after(v.date, today, what=f"voucher {position + 1}")
            except DomainError as error:
                found_problems += _problems_of(position, error)
            if found_problems:
                problems.extend(found_problems)
                continue
            try:
                entry = target.post_entry(
                    date=v.date, memo=v.memo, postings=list(v.postings), actor=actor
                )
                new_event = target.pending_events[-1]
            except (DomainError, LedgerError) as error:
                problems.extend(_problems_of(position, error))
                continue
            events[position] = new_event
            posted[position] = PostedVoucher(v.entity, entry.number, entry.date, entry.memo)
        problems.sort(key=lambda p: p.voucher)
        return books, events, problems

    def _save_batches(
        self,
        books: dict[str, Books],
        events: dict[int, Any],
        batches: list[list[int]],
        todo: list[int],
        import_id: str,
        posted: dict[int, PostedVoucher],
        *,
        actor: str,
    ) -> None:
        """Save batch after batch, each with its import key; the request's idempotency key (if
        any) with the last. Snapshots and the cache as the module docstring says."""
        for target in books.values():
            target.collect_events()  # taken out here, put back batch by batch
        context = current()
        with _no_library_snapshots():
            for n, index in enumerate(todo):
                key = VoucherImportBatch(
                    import_id=import_id,
                    index=index,
                    batches=len(batches),
                    entries=[[posted[p].entity, posted[p].number] for p in batches[index]],
                    actor=actor,
                    run=len(todo),
                )
                touched: dict[str, Books] = {}
                moment = max([events[p].timestamp for p in batches[index]] + [key.modified_on])
                for position in batches[index]:
                    target = books[posted[position].entity]
                    # one save, one moment (domain/saves.py), set here on events nobody else
                    # holds yet, instead of a dataclass copy of each of them in the save
                    object.__setattr__(events[position], "timestamp", moment)
                    target._pending_events.append(events[position])
                    touched[target.code] = target
                last = n == len(todo) - 1
                if context is not None and context.claim is not None and not last:
                    with acting(dataclasses.replace(context, claim=None)):
                        self.save(*touched.values(), key)
                else:
                    self.save(*touched.values(), key)
        if self.snapshots is not None:  # one snapshot per books, after its last batch
            for target in books.values():
                if type(target) in self.snapshotting_intervals:
                    self._snapshot_in_memory(target)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        if _bulk_saving.get():
            return
        super()._take_snapshots(processing_event)


@contextmanager
def _no_library_snapshots() -> Iterator[None]:
    token = _bulk_saving.set(True)
    try:
        yield
    finally:
        _bulk_saving.reset(token)
