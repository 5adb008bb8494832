"""The bulk path's command: many vouchers (one village's year, a township's month) checked by
exactly the rules of a single posting and saved in batches. How and why is ``domain/bulk.py``'s
docstring; that module also keeps what is stored (``VoucherImportBatch``) and what an import
answers.

Decision: **an imported voucher is reviewed like any** (审核 and 记账 apart). By
default an import makes vouchers (``domain.vouchers.Voucher``), each submitted for review by the
importer (``Imported``: 待审核, naming the import), not entries: another person reviews them on
the batch review page and a person with the 记账 duty posts them (or the reviewer's approval
posts them, where the township chose 审核即记账); the books number them then. Each is checked as
a posting now (in file order, against the books as they stand after the rows before it), so a
file that would not post is refused whole, as before; what is checked is not written to the
books. ``post_directly`` keeps the old path for what was reviewed elsewhere — a township's
vouchers so far from the system it leaves, a benchmark —: entries posted at once, printed as
not reviewed (直接记账，未经审核); a front end asks the 直接记账 duty (``books.write``) for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from domain.books import Books
from domain.bounds import check_text
from domain.bulk import (
    BATCH_VOUCHERS,
    MAX_VOUCHERS,
    ImportResult,
    PostedVoucher,
    Voucher,
    VoucherImportBatch,
    VoucherProblem,
    VouchersRefusedError,
    batch_id,
    check_voucher_text,
    import_identity,
    problems_of,
)
from domain.context import acting, current
from domain.errors import DomainError, ForbiddenTownshipError, InvalidRequestError
from domain.periods import require_not_after
from domain.port import Port
from domain.vouchers import Voucher as DraftedVoucher
from ledger.errors import LedgerError

_bulk_saving: ContextVar[bool] = ContextVar("lianzhang_bulk_saving", default=False)


def library_snapshots_paused() -> bool:
    """Whether an import is saving its batches now: the application then takes no snapshot
    of the books per save (the import takes one per books, after its last batch)."""
    return _bulk_saving.get()


class VoucherImportService:
    """Import many vouchers at once; ``app.bulk``. Loads and saves through the application's
    port (``domain.port``)."""

    def __init__(self, port: Port, snapshotting_intervals: Mapping[type[Any], int]) -> None:
        self.port = port
        self.snapshotting_intervals = snapshotting_intervals

    def import_vouchers(
        self,
        vouchers: Sequence[Voucher],
        *,
        actor: str,
        dry_run: bool = False,
        batch_size: int = BATCH_VOUCHERS,
        post_directly: bool = False,
    ) -> ImportResult:
        """Check every voucher as a single posting would, then save them all as vouchers
        submitted for review (or, ``post_directly``, post them), in batches of ``batch_size``
        (one transaction each), or nothing.

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
        import_id = import_identity(vouchers, batch_size, for_review=not post_directly)
        # the order of saving: grouped by entity (first appearance), each entity's vouchers in
        # the order given; batches are fixed slices of it, so a re-run cuts them the same way
        first_seen: dict[str, int] = {}
        for i, v in enumerate(vouchers):
            first_seen.setdefault(v.entity, i)
        order = sorted(range(len(vouchers)), key=lambda i: (first_seen[vouchers[i].entity], i))
        batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]

        def command() -> ImportResult:
            return self._import(
                vouchers,
                batches,
                import_id,
                actor=actor,
                dry_run=dry_run,
                for_review=not post_directly,
            )

        if dry_run:
            return command()
        return self.port.retrying(command)

    def _import(
        self,
        vouchers: list[Voucher],
        batches: list[list[int]],
        import_id: str,
        *,
        actor: str,
        dry_run: bool,
        for_review: bool,
    ) -> ImportResult:
        result = ImportResult(
            import_id=import_id,
            posted=[],
            batches=len(batches),
            dry_run=dry_run,
            entities=list(dict.fromkeys(v.entity for v in vouchers)),
            for_review=for_review,
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
                if saved.for_review:  # [entity, the voucher's id]: numbered when posted
                    posted[position] = PostedVoucher(entity, "", v.date, v.memo, draft=number)
                else:
                    posted[position] = PostedVoucher(entity, number, v.date, v.memo)
        todo = [i for i in range(len(batches)) if i not in done]
        result.skipped_batches = len(done)
        # Books holding vouchers that are never saved leave the cache by the repository's rule
        # (domain/repository.py): a dry run loads copies; an import attempt (``retrying``) that
        # raises, or returns with events unsaved, has every books it borrowed evicted.
        books, events, problems = self._apply(vouchers, batches, todo, posted, actor=actor)
        if problems:
            raise VouchersRefusedError(problems, saved_batches=len(done))
        if for_review:  # numbers are given when they are posted, not now
            for position in [p for index in todo for p in batches[index]]:
                posted[position] = dataclasses.replace(posted[position], number="")
        result.posted = [posted[i] for i in range(len(vouchers))]
        if dry_run or not todo:
            return result
        if for_review:
            # the books were only checked: their entries stay unsaved, so the books leave the
            # cache when the attempt ends (domain/repository.py)
            self._save_for_review(vouchers, books, batches, todo, import_id, posted, actor=actor)
            result.posted = [posted[i] for i in range(len(vouchers))]
        else:
            self._save_batches(books, events, batches, todo, import_id, posted, actor=actor)
        result.saved_batches = len(todo)
        return result

    def _save_for_review(
        self,
        vouchers: list[Voucher],
        books: dict[str, Books],
        batches: list[list[int]],
        todo: list[int],
        import_id: str,
        posted: dict[int, PostedVoucher],
        *,
        actor: str,
    ) -> None:
        """Save each batch's vouchers, submitted for review by ``actor``, with its import key;
        the request's idempotency key (if any) with the last."""
        context = current()
        for n, index in enumerate(todo):
            made = []
            for position in batches[index]:
                v = vouchers[position]
                voucher = DraftedVoucher.new(
                    entity=v.entity,
                    township=books[v.entity].township,
                    date=v.date,
                    summary=v.memo,
                    lines=[line_of(p) for p in v.postings],
                    actor=actor,
                )
                voucher.imported(import_id=import_id, actor=actor)
                made.append(voucher)
                posted[position] = dataclasses.replace(posted[position], draft=voucher.draft)
            key = VoucherImportBatch(
                import_id=import_id,
                index=index,
                batches=len(batches),
                entries=[[posted[p].entity, str(posted[p].draft)] for p in batches[index]],
                actor=actor,
                run=len(todo),
                for_review=True,
            )
            last = n == len(todo) - 1
            if context is not None and context.claim is not None and not last:
                with acting(dataclasses.replace(context, claim=None)):
                    self.port.save(*made, key)
            else:
                self.port.save(*made, key)

    def _saved_batch(self, import_id: str, index: int) -> VoucherImportBatch | None:
        if not self.port.exists(batch_id(import_id, index)):
            return None
        found = self.port.find(batch_id(import_id, index))
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
        today = self.port.today()
        context = current()
        books: dict[str, Books] = {}
        missing: dict[str, VoucherProblem] = {}
        events: dict[int, Any] = {}
        problems: list[VoucherProblem] = []
        for position in sorted(p for index in todo for p in batches[index]):
            v = vouchers[position]
            if v.entity not in books and v.entity not in missing:
                try:
                    found = self.port.get_books(v.entity)
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
            found_problems = check_voucher_text(position, v)
            try:
                require_not_after(v.date, today, what=f"voucher {position + 1}")
            except DomainError as error:
                found_problems += problems_of(position, error)
            if found_problems:
                problems.extend(found_problems)
                continue
            try:
                entry = target.post_entry(
                    date=v.date, memo=v.memo, postings=list(v.postings), actor=actor
                )
                new_event = target.pending_events[-1]
            except (DomainError, LedgerError) as error:
                problems.extend(problems_of(position, error))
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
                    for_review=False,
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
                        self.port.save(*touched.values(), key)
                else:
                    self.port.save(*touched.values(), key)
        for target in books.values():  # one snapshot per books, after its last batch
            if type(target) in self.snapshotting_intervals:
                self.port.snapshot_in_memory(target)


def line_of(posting: Mapping[str, Any]) -> dict[str, Any]:
    """A voucher's line (借方 or 贷方) from a posting of a file (``side``, ``amount``)."""
    side = str(posting.get("side"))
    amount = posting.get("amount")
    return {
        "account": posting.get("account"),
        "debit": amount if side == "debit" else None,
        "credit": amount if side == "credit" else None,
        "memo": posting.get("memo") or "",
    }


@contextmanager
def _no_library_snapshots() -> Iterator[None]:
    token = _bulk_saving.set(True)
    try:
        yield
    finally:
        _bulk_saving.reset(token)
