"""The bulk path: many vouchers (one village's year, a township's month) into the books at once,
checked by exactly the rules of a single posting and saved in batches. This module keeps what
is stored (``VoucherImportBatch``, by this module path) and what an import takes and answers;
the command is ``domain/vouchers/imports.py`` (``app.bulk.import_vouchers``).

Decision (the workbench's Excel import uses it too): an import makes **vouchers submitted for
review** by the importer (待审核, ``domain.vouchers.imports``), which another person reviews and
a person with the 记账 duty posts, as any voucher; ``post_directly`` posts entries at once, for
vouchers reviewed elsewhere (a 直接记账 duty). Either way:

1. **Same rules, same order.** Each entity's books are loaded once. The vouchers are applied, in
   the order given, to those in-memory books by ``domain.books.batch.VoucherChecks`` — the
   single posting's rules in fen, its own path (``Books.prepare_entry``) for anything unusual —
   so every check (balanced, chart, sub-accounts open, closed months and years,
   cash never below zero, earmarks, sense) runs, and each voucher is checked against the books
   as they stand after the vouchers before it (a payment in row 40 may spend the receipt of row
   12). Dates after today, text the store cannot hold and tenancy are checked here per voucher
   as well; the application's ``save`` checks them again as the guarantee.
2. **All or nothing per file.** Every problem is collected (voucher, field, what, its problem
   type); if there is any, nothing is written and :class:`VouchersRefusedError` lists them all,
   so a clerk fixes the file and tries again. A refused voucher leaves the books as they were,
   so the vouchers after it are still checked (a later overdraft that only follows from a
   refused receipt is reported too: fix the first problem first).
3. **Saved in batches.** Valid vouchers are saved :data:`BATCH_VOUCHERS` at a time, one
   transaction per batch, several entities' books in one batch when a township's month is
   imported; posted directly, a batch is one ``VouchersPosted`` event of each books it touches
   (``domain/books/batch.py``: compact, in fen, checked over the batch), for review a voucher's
   ``Drafted`` and ``Imported``. A file that fits one batch is atomic as a whole.
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

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.bounds import MAX_TEXT, bad_character, check_text
from domain.errors import DomainError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships
from ledger.canonical import digest
from ledger.errors import LedgerError

BATCH_VOUCHERS = 1000
"""Vouchers (events of the books) per save: one transaction each."""

MAX_VOUCHERS = 100_000
"""Vouchers per import: a township's year is some tens of thousands."""

# The problem type of a ledger error, as the API names it (``web.problems``).
_LEDGER_KINDS = {
    "UnbalancedEntryError": "unbalanced-entry",
    "UnknownAccountError": "unknown-account",
    "InvalidAmountError": "invalid-amount",
}


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


@dataclass(frozen=True, slots=True)
class PostedVoucher:
    """Where a voucher went: the entity and the number its books gave it; imported for review,
    the voucher made (``draft``, its id) and no number yet."""

    entity: str
    number: str
    date: datetime.date
    memo: str
    draft: str | None = None


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
    for_review: bool = False  # vouchers submitted for review, not entries posted


def import_identity(
    vouchers: Sequence[Voucher], batch_size: int, *, for_review: bool = False
) -> str:
    """The SHA-256 that names an import: the same vouchers in the same order, batched the same
    way, for review or posted directly, are the same import."""
    named: dict[str, Any] = {"batch": batch_size, "vouchers": [v.canonical() for v in vouchers]}
    if for_review:
        named["review"] = True
    return digest(named)


def batch_id(import_id: str, index: int) -> UUID:
    return uuid5(NAMESPACE, f"voucher-import:{import_id}:{index}")


class VoucherImportBatch(Aggregate):
    """One saved batch of a voucher import: recorded in the same transaction as its entries (or,
    ``for_review``, its vouchers), so it exists exactly when they do (a re-run skips it)."""

    def township_in(self, townships: Townships) -> str | None:
        """None: the record of an import; the books saved with it are checked themselves
        (``domain.tenancy``)."""
        return None

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
        for_review: bool = False,
    ) -> None:
        self.import_id = import_id
        self.index = index
        self.batches = batches
        self.run = run  # how many batches the run that saved this one saved (its answer)
        # [entity, number] per voucher posted; for review, [entity, the voucher's id]
        self.entries = [list(pair) for pair in entries]
        self.for_review = for_review


def problems_of(index: int, error: DomainError | LedgerError) -> list[VoucherProblem]:
    if isinstance(error, DomainError):
        return [VoucherProblem(index, error.field, error.message, error.kind)]
    kind = _LEDGER_KINDS.get(type(error).__name__, "invalid-entry")
    if error.errors:
        return [VoucherProblem(index, f, message, kind) for f, message in error.errors]
    return [VoucherProblem(index, error.field, str(error), kind)]


def check_voucher_text(index: int, voucher: Voucher) -> list[VoucherProblem]:
    """What the API's schema checks of a single posting's text, for vouchers from a file."""
    memo, lines = voucher.memo, [p.get("memo", "") for p in voucher.postings]
    if (
        type(memo) is str
        and memo.strip()
        and all(type(t) is str and len(t) <= MAX_TEXT for t in (memo, *lines))
        and bad_character(" ".join((memo, *lines))) is None
    ):
        return []  # the usual case: one search over every text
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


def texts_plainly_clean(vouchers: Sequence[Voucher]) -> bool:
    """Whether :func:`check_voucher_text` finds nothing in any of ``vouchers`` by its usual
    case (every text one short line, the memo not blank), with one search over every text of
    them; False sends each voucher through it, to be refused in its own words."""
    texts: list[str] = []
    for voucher in vouchers:
        memo = voucher.memo
        if type(memo) is not str or len(memo) > MAX_TEXT or not memo.strip():
            return False
        texts.append(memo)
        for posting in voucher.postings:
            text = posting.get("memo", "")
            if type(text) is not str or len(text) > MAX_TEXT:
                return False
            texts.append(text)
    return bad_character(" ".join(texts)) is None
