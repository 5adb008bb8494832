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
import datetime
import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from domain.books import Books
from domain.books.batch import Compact, VoucherChecks, restore, state_of
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
    texts_plainly_clean,
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

        with _old_objects_left_alone():
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
        # The vouchers are checked on the books as loaded (borrowed from the cache; copies for a
        # dry run) and the books are put back as they were (domain/books/batch.py); an attempt
        # that raises has every books it borrowed evicted (domain/repository.py).
        books, stored, problems = self._apply(vouchers, batches, todo, posted)
        if problems:
            raise VouchersRefusedError(problems, saved_batches=len(done))
        if for_review:  # numbers are given when they are posted, not now
            for position in [p for index in todo for p in batches[index]]:
                posted[position] = dataclasses.replace(posted[position], number="")
        result.posted = [posted[i] for i in range(len(vouchers))]
        if dry_run or not todo:
            return result
        if for_review:
            # the books were only checked (and put back as they were loaded)
            self._save_for_review(vouchers, books, batches, todo, import_id, posted, actor=actor)
            result.posted = [posted[i] for i in range(len(vouchers))]
        else:
            self._save_batches(books, stored, batches, todo, import_id, posted, actor=actor)
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
    ) -> tuple[dict[str, Books], dict[int, Compact], list[VoucherProblem]]:
        """Check the vouchers of the batches ``todo`` against the books, in order, each as the
        books stand after the ones before it (``domain/books/batch.py``); collect every
        problem. The books are put back as they were loaded afterwards: the batch events
        record the vouchers when they are saved. Returns the books, each voucher in the batch
        event's shape, and the problems."""
        books: dict[str, Books] = {}
        checks: dict[str, VoucherChecks] = {}
        before: dict[str, dict[str, Any]] = {}
        stored: dict[int, Compact] = {}
        try:
            problems = self._check_all(
                vouchers, batches, todo, posted, books, checks, before, stored
            )
        finally:
            for code, state in before.items():
                restore(books[code], state)
        return books, stored, problems

    def _check_all(
        self,
        vouchers: list[Voucher],
        batches: list[list[int]],
        todo: list[int],
        posted: dict[int, PostedVoucher],
        books: dict[str, Books],
        checks: dict[str, VoucherChecks],
        before: dict[str, dict[str, Any]],
        stored: dict[int, Compact],
    ) -> list[VoucherProblem]:
        today = self.port.today()
        context = current()
        missing: dict[str, VoucherProblem] = {}
        problems: list[VoucherProblem] = []
        positions = sorted(p for index in todo for p in batches[index])
        # the usual case, every text plainly fine: one search over them all
        texts_clean = texts_plainly_clean([vouchers[p] for p in positions])
        for position in positions:
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
                    before[v.entity] = state_of(found)
                    checks[v.entity] = VoucherChecks(found)
            if v.entity in missing:
                problems.append(dataclasses.replace(missing[v.entity], voucher=position))
                continue
            found_problems = [] if texts_clean else check_voucher_text(position, v)
            if type(v.date) is not datetime.date or v.date > today:
                try:
                    require_not_after(v.date, today, what=f"voucher {position + 1}")
                except DomainError as error:
                    found_problems += problems_of(position, error)
            if found_problems:
                problems.extend(found_problems)
                continue
            try:
                checked = checks[v.entity].post(date=v.date, memo=v.memo, postings=v.postings)
            except (DomainError, LedgerError) as error:
                problems.extend(problems_of(position, error))
                continue
            stored[position] = checked
            posted[position] = PostedVoucher(v.entity, checked[0], v.date, checked[2])
        problems.sort(key=lambda p: p.voucher)
        return problems

    def _save_batches(
        self,
        books: dict[str, Books],
        stored: dict[int, Compact],
        batches: list[list[int]],
        todo: list[int],
        import_id: str,
        posted: dict[int, PostedVoucher],
        *,
        actor: str,
    ) -> None:
        """Save batch after batch, each as one ``VouchersPosted`` event of every books it
        touches with its import key; the request's idempotency key (if any) with the last.
        Snapshots and the cache as the module docstring says."""
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
                grouped: dict[str, list[Compact]] = {}
                for position in batches[index]:
                    grouped.setdefault(posted[position].entity, []).append(stored[position])
                for code, chunk in grouped.items():
                    books[code].record_vouchers(vouchers=chunk, actor=actor)
                touched = [books[code] for code in grouped]
                last = n == len(todo) - 1
                if context is not None and context.claim is not None and not last:
                    with acting(dataclasses.replace(context, claim=None)):
                        self.port.save(*touched, key)
                else:
                    self.port.save(*touched, key)
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
def _old_objects_left_alone() -> Iterator[None]:
    """The garbage collector's full passes skip the objects that were there before the import
    (``gc.freeze``): an import makes tens of thousands of small objects (the vouchers given,
    their checked form, the answer), which would otherwise set off passes over the whole
    process (its caches and modules), each costing more than the import's checks. Objects
    the import makes are still collected; the rest are handed back when it ends. Nothing is
    frozen by a second import running beside one that is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _no_library_snapshots() -> Iterator[None]:
    token = _bulk_saving.set(True)
    try:
        yield
    finally:
        _bulk_saving.reset(token)
