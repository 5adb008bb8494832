"""The commands on vouchers, as data (``domain.commands``): the workflow's steps (制单,
修改, 提交, 撤回, 审核 (which posts where the township chose 审核即记账), 取消审核, 记账,
退回, 附单据), many vouchers reviewed or posted at once (the batch review page), the
corrections (作废, 红字冲销, 更正凭证) on ``app.vouchers`` (``domain.vouchers.service``) and
the bulk import of many vouchers on ``app.bulk`` (``domain.vouchers.imports``).

The API's routes, the workbench's forms and the command line build these same commands and
hand them to the runner (``domain.runner``). Who may prepare, review or post (the role) is each
front end's question, asked before it builds one; the townships a command writes in are its
``places``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from domain.bulk import BATCH_VOUCHERS, ImportResult
from domain.bulk import Voucher as ImportedVoucher
from domain.commands import Command, Place, Recorded, books_place, known_entity_place
from domain.errors import DomainError
from domain.vouchers import Voucher
from domain.vouchers.batches import BatchOutcome
from ledger.errors import LedgerError


def voucher_place(app: Any, draft: str) -> Place:
    """The township of voucher ``draft`` (404 when there is none)."""
    voucher = app.vouchers.get_voucher(draft)
    return voucher.township, f"voucher {voucher.draft} of {voucher.entity}"


def drafted(recorded: Recorded) -> str:
    """The id (hex) of the voucher a command drafted, from the events it recorded."""
    for event in recorded.events:
        if isinstance(event, Voucher.Drafted):  # type: ignore[attr-defined]  # made by @event
            return str(event.originator_id.hex)
    raise LookupError("no voucher drafted among the recorded events")


# -- the workflow ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftVoucher(Command[str]):
    """制单: a new voucher in the books of ``entity``, not yet in the books; answers its id."""

    entity: str
    date: datetime.date
    summary: str
    lines: tuple[Mapping[str, Any], ...]
    # 凭证字 the preparer chose (None: from the lines); keyword-only, so a subclass's fields
    # without a default may follow
    word: str | None = field(default=None, kw_only=True)

    def places(self, app: Any) -> Iterable[Place]:
        return ((app.entity_township(self.entity), f"books of {self.entity}"),)

    def execute(self, app: Any, actor: str) -> str:
        voucher = app.vouchers.draft_voucher(
            entity=self.entity,
            date=self.date,
            summary=self.summary,
            lines=list(self.lines),
            actor=actor,
            word=self.word,
        )
        return str(voucher.draft)

    def replayed(self, recorded: Recorded) -> str:
        return drafted(recorded)


@dataclass(frozen=True)
class VoucherCommand(Command[str]):
    """A step on an existing voucher (its id, hex); answers that id."""

    draft: str

    def places(self, app: Any) -> Iterable[Place]:
        return (voucher_place(app, self.draft),)

    def replayed(self, recorded: Recorded) -> str:
        return self.draft


@dataclass(frozen=True)
class EditVoucher(VoucherCommand):
    """修改: by its preparer, while it is a draft or returned."""

    date: datetime.date
    summary: str
    lines: tuple[Mapping[str, Any], ...]
    word: str | None = field(default=None, kw_only=True)  # 凭证字 ("": lines'; None: as was)

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.edit_voucher(
            draft=self.draft,
            date=self.date,
            summary=self.summary,
            lines=list(self.lines),
            actor=actor,
            word=self.word,
        )
        return self.draft


@dataclass(frozen=True)
class SubmitVoucher(VoucherCommand):
    """提交: by its preparer, once it would post as it stands (nothing written to the books)."""

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.submit_voucher(draft=self.draft, actor=actor)
        return self.draft


@dataclass(frozen=True)
class WithdrawVoucher(VoucherCommand):
    """撤回: a submitted voucher back to draft, by its preparer."""

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.withdraw_voucher(draft=self.draft, actor=actor)
        return self.draft


@dataclass(frozen=True)
class ApproveVoucher(VoucherCommand):
    """审核: approved by someone other than its preparer: 已审核, or posted at once where the
    township chose 审核即记账."""

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.approve_voucher(draft=self.draft, actor=actor)
        return self.draft


@dataclass(frozen=True)
class PostVoucher(VoucherCommand):
    """记账: a reviewed voucher posted into the books by someone other than its reviewer."""

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.post_voucher(draft=self.draft, actor=actor)
        return self.draft


@dataclass(frozen=True)
class UnreviewVoucher(VoucherCommand):
    """取消审核: its reviewer takes the approval back before it is posted."""

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.unreview_voucher(draft=self.draft, actor=actor)
        return self.draft


@dataclass(frozen=True)
class VoucherBatchCommand(Command[BatchOutcome]):
    """Many vouchers (their ids, hex) at once, in one save; answers what was done."""

    drafts: tuple[str, ...]

    def places(self, app: Any) -> Iterable[Place]:
        found: dict[Place, None] = {}
        for draft in dict.fromkeys(self.drafts):
            township, entity = app.vouchers.place_of(draft)
            found.setdefault((township, f"vouchers of {entity}"), None)
        return tuple(found)

    def replayed(self, recorded: Recorded) -> BatchOutcome:
        chosen = list(dict.fromkeys(self.drafts))
        found = [recorded.app.vouchers.get_voucher(draft) for draft in chosen]
        taken = [found[i] for i in sorted(range(len(found)), key=lambda i: (found[i].date, i))]
        posted = {  # each voucher's number, from its Posted (or Approved) event
            event.originator_id.hex: str(getattr(event, "number", ""))
            for event in recorded.events
            if isinstance(event, Voucher.Event) and isinstance(getattr(event, "number", None), str)
        }
        numbers = tuple(f"{v.entity} {posted[v.draft]}" for v in taken if v.draft in posted)
        return BatchOutcome(tuple(v.draft for v in taken), numbers)


@dataclass(frozen=True)
class ReviewVouchers(VoucherBatchCommand):
    """审核 of every voucher named, all or none (``domain.vouchers.batches``)."""

    def execute(self, app: Any, actor: str) -> BatchOutcome:
        outcome: BatchOutcome = app.vouchers.review_vouchers(drafts=self.drafts, actor=actor)
        return outcome


@dataclass(frozen=True)
class PostVouchers(VoucherBatchCommand):
    """记账 of every reviewed voucher named, in date order, all or none."""

    def execute(self, app: Any, actor: str) -> BatchOutcome:
        outcome: BatchOutcome = app.vouchers.post_vouchers(drafts=self.drafts, actor=actor)
        return outcome


@dataclass(frozen=True)
class ReturnVoucher(VoucherCommand):
    """退回: returned to its preparer by someone else, with the reason."""

    reason: str

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.return_voucher(draft=self.draft, reason=self.reason, actor=actor)
        return self.draft


@dataclass(frozen=True)
class AttachDocument(VoucherCommand):
    """附单据: a source document whose bytes the front end has stored as ``sha256``
    (``adapters.attachments.put``)."""

    sha256: str
    name: str
    media_type: str
    size: int

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.attach_document(
            draft=self.draft,
            sha256=self.sha256,
            name=self.name,
            media_type=self.media_type,
            size=self.size,
            actor=actor,
        )
        return self.draft


# -- corrections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoidVoucher(VoucherCommand):
    """作废: a draft or returned voucher, by its preparer, with the reason; it never posts."""

    reason: str

    def execute(self, app: Any, actor: str) -> str:
        app.vouchers.void_voucher(draft=self.draft, reason=self.reason, actor=actor)
        return self.draft


@dataclass(frozen=True)
class DraftReversal(Command[str]):
    """红字冲销: a draft red-ink voucher reversing the posted voucher ``original`` in full,
    dated ``date`` in an open month, reviewed like any voucher; answers the new voucher's id.
    Refused when the original is reversed already (or has a red-ink voucher not voided)."""

    original: str
    date: datetime.date
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        return (voucher_place(app, self.original),)

    def execute(self, app: Any, actor: str) -> str:
        voucher = app.vouchers.draft_reversal(
            original=self.original, date=self.date, reason=self.reason, actor=actor
        )
        return str(voucher.draft)

    def replayed(self, recorded: Recorded) -> str:
        return drafted(recorded)


@dataclass(frozen=True)
class DraftCorrection(DraftVoucher):
    """更正凭证: a new draft in the books of the posted voucher ``original``, citing it, its
    lines as the clerk changed them from the original's; answers its id."""

    original: str

    def places(self, app: Any) -> Iterable[Place]:
        return (*super().places(app), voucher_place(app, self.original))

    def execute(self, app: Any, actor: str) -> str:
        voucher = app.vouchers.draft_correction(
            original=self.original,
            entity=self.entity,
            date=self.date,
            summary=self.summary,
            lines=list(self.lines),
            actor=actor,
            word=self.word,
        )
        return str(voucher.draft)


@dataclass(frozen=True)
class Prepared:
    """What saving and then submitting answers: the voucher's id, and whether it was submitted
    (False: the books refused it, it stays a draft and its page says why; None: answered again
    for a repeated request, read the voucher to know)."""

    draft: str
    submitted: bool | None


@dataclass(frozen=True)
class SaveAndSubmit(Command[Prepared]):
    """Save a voucher (draft or edit it), then submit it. When the books refuse the submission
    the voucher stays saved as a draft (``submitted`` False), nothing else is undone."""

    save: DraftVoucher | EditVoucher | DraftReversal
    # two saves, each its service's own retry: a retry of the whole would draft twice
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        return self.save.places(app)

    def execute(self, app: Any, actor: str) -> Prepared:
        draft = self.save.execute(app, actor)
        try:
            app.vouchers.submit_voucher(draft=draft, actor=actor)
        except (DomainError, LedgerError):
            return Prepared(draft, False)
        return Prepared(draft, True)

    def replayed(self, recorded: Recorded) -> Prepared:
        return Prepared(self.save.replayed(recorded), None)


# -- the bulk import ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportVouchers(Command[ImportResult]):
    """Many vouchers at once (``app.bulk.import_vouchers``): every one checked as a single
    posting is, all or nothing, saved in batches as vouchers submitted for review by the
    importer (待审核), or, ``post_directly``, posted into the books (for vouchers reviewed
    elsewhere; the front end asks the 直接记账 duty). ``books``: the one entity a request is
    about (the API's path), refused when there are no such books; the books each voucher names
    are checked where they exist (the import names an unknown one itself)."""

    vouchers: tuple[ImportedVoucher, ...]
    dry_run: bool = False
    books: str | None = None
    batch_size: int = field(default=BATCH_VOUCHERS)
    post_directly: bool = False
    # it saves in batches, one transaction each, and retries each itself
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        if self.books is not None:
            yield books_place(app, self.books)
        for entity in dict.fromkeys(v.entity for v in self.vouchers):
            if entity != self.books:
                yield from known_entity_place(app, entity, f"单位 {entity}")

    def execute(self, app: Any, actor: str) -> ImportResult:
        result: ImportResult = app.bulk.import_vouchers(
            list(self.vouchers),
            actor=actor,
            dry_run=self.dry_run,
            batch_size=self.batch_size,
            post_directly=self.post_directly,
        )
        return result

    def replayed(self, recorded: Recorded) -> ImportResult:
        # the key is saved with the last batch: every batch is saved, so this writes nothing;
        # the first answer's counts are those of the run that saved it
        result: ImportResult = recorded.app.bulk.import_vouchers(
            list(self.vouchers),
            actor=str(recorded.value("actor")),
            batch_size=self.batch_size,
            post_directly=self.post_directly,
        )
        result.saved_batches = int(recorded.value("run"))
        result.skipped_batches = result.batches - result.saved_batches
        return result
