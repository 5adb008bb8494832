"""Vouchers (记账凭证) with a workflow: 制单 → 提交 → 审核 → 记账, then in the books.

A voucher is drafted by its preparer (制单) and is not in the books: it can be edited, and
source documents (原始凭证: a photo or a PDF, stored content-addressed, ``adapters.attachments``)
are attached to it. The preparer submits it (提交): the application first checks that it would
post (balanced, accounts open, month and year open, cash never below zero … the very checks of a
posting, ``Books.prepare_entry``), so a clerk learns of a problem before review. A reviewer (审核)
who is not the preparer then approves it or returns it with a reason; a returned voucher is
edited and submitted again. The preparer may withdraw a submitted voucher back to draft.

What the approval does is the township's choice (``domain.township``, ``review_posts``):

- **two steps** (the default): the approval marks the voucher 已审核 (``Reviewed``), still
  outside the books; a person with the 记账 duty who is not its reviewer then posts it (记账,
  ``Posted``: the books give it its number in the same save). Before it is posted, its reviewer
  may take the approval back (取消审核, ``Unreviewed``: 待审核 again), and whoever may review
  may return it to its preparer (退回). The preparer may post it: the two people of 审核 and
  记账 are the reviewer and someone else (``domain.roles``);
- **审核即记账**: the approval posts it at once (``Approved``: approved and posted, the event
  every voucher approved before the setting existed carries), and its print says so.

A file of vouchers imported for review (``domain.vouchers.imports``) makes vouchers that are
submitted by the importer at once (``Imported``: 待审核, naming the import), reviewed and posted
like any.

Separation of duties is a rule of the voucher itself: nobody approves or returns a voucher they
prepared (:class:`OwnVoucherError`), and nobody posts a voucher they reviewed
(:class:`OwnReviewError`), whatever their role — neither in the workbench nor through their own
integration token (``login@token`` is the person ``login``, :func:`same_person`).

The voucher's lines are as a clerk writes them: account, 借方 or 贷方 (one side per line), memo
(the line's own 摘要; a line without one reads the voucher's). Its status history records who
did what and when. Its 凭证字 is chosen from its lines when it posts (``domain/books/
numbering.py``); the preparer may choose another where the township's words and the lines
allow one (``WordChosen``, ``word``: 收 or 付 for a voucher that both receives and pays).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.bounds import MAX_TEXT, check_text
from domain.errors import ConflictError, InvalidRequestError
from domain.owned import Townships
from domain.vouchers.lines import lines_total, postings_of, voucher_lines
from domain.vouchers.vocabulary import (  # re-exported: pages and services import them here
    _DOING_EN as _DOING_EN,
)
from domain.vouchers.vocabulary import (
    _SHA256 as _SHA256,
)
from domain.vouchers.vocabulary import (
    ATTACHMENT_TYPES as ATTACHMENT_TYPES,
)
from domain.vouchers.vocabulary import (
    EDITABLE as EDITABLE,
)
from domain.vouchers.vocabulary import (
    MAX_ATTACHMENT_BYTES as MAX_ATTACHMENT_BYTES,
)
from domain.vouchers.vocabulary import (
    MAX_ATTACHMENTS as MAX_ATTACHMENTS,
)
from domain.vouchers.vocabulary import (
    STATUS_LABELS as STATUS_LABELS,
)
from domain.vouchers.vocabulary import (
    STEP_LABELS as STEP_LABELS,
)
from domain.vouchers.vocabulary import (
    VOUCHER_WORDS as VOUCHER_WORDS,
)
from domain.vouchers.vocabulary import (
    AttachmentError as AttachmentError,
)
from domain.vouchers.vocabulary import (
    NotPreparerError as NotPreparerError,
)
from domain.vouchers.vocabulary import (
    NotReviewerError as NotReviewerError,
)
from domain.vouchers.vocabulary import (
    OwnReviewError as OwnReviewError,
)
from domain.vouchers.vocabulary import (
    OwnVoucherError as OwnVoucherError,
)
from domain.vouchers.vocabulary import (
    VoucherNotFoundError as VoucherNotFoundError,
)
from domain.vouchers.vocabulary import (
    VoucherStateError as VoucherStateError,
)
from domain.vouchers.vocabulary import (
    person_of as person_of,
)
from domain.vouchers.vocabulary import (
    same_person as same_person,
)


def voucher_uuid(draft: str | UUID) -> UUID:
    """The voucher's id from its ``draft`` (the hex of its uuid in URLs, dashes allowed)."""
    if isinstance(draft, UUID):
        return draft
    try:
        return UUID(hex=str(draft).strip())
    except ValueError:
        raise VoucherNotFoundError(
            f"there is no voucher {str(draft)[:40]!r}: a voucher's id is 32 hex digits",
            field="draft",
            zh=f"凭证 {str(draft)[:40]!r} 不存在：凭证编号是 32 位十六进制数",
        ) from None


def _summary(summary: object) -> str:
    text = check_text(summary, field="summary", max_length=MAX_TEXT)
    if not text.strip():
        raise InvalidRequestError(
            "a voucher needs a summary (摘要)", field="summary", zh="凭证需要填写摘要"
        )
    return text.strip()


class Voucher(Aggregate):
    """One voucher from its draft to the books (id uuid4; ``draft`` is its hex in URLs)."""

    # Set by later events (class defaults, so a voucher drafted before them reads the same):
    poster: str | None = None  # who posted it (记账); with 审核即记账 its reviewer
    review_posted: bool = False  # posted by its approval (审核即记账, ``Approved``)
    import_id: str | None = None  # the import that made it (``Imported``)

    def township_in(self, townships: Townships) -> str | None:
        """The township of the books the voucher is for (``domain.tenancy``)."""
        township: str = self.township
        return township

    def described(self) -> str:
        return f"voucher {self.draft} of the books of {self.entity}"

    class Event(Aggregate.Event):
        def mutate(self, aggregate: Any) -> Any:
            """Every step's moment is its event's timestamp (the history says when)."""
            found = super().mutate(aggregate)
            for step in getattr(found, "history", ()):
                if step[2] is None:
                    step[2] = self.timestamp
            return found

    @event("Drafted")
    def __init__(
        self,
        *,
        entity: str,
        township: str,
        date: datetime.date,
        summary: str,
        lines: list[dict[str, Any]],
        actor: str,
    ) -> None:
        self.entity = entity
        self.township = township
        self.date = date
        self.summary = summary
        self.lines = [dict(line) for line in lines]
        self.attachments: list[dict[str, Any]] = []
        self.preparer = actor
        self.reviewer: str | None = None
        self.posted_number: str | None = None
        self.returned_reason: str | None = None
        self.status = "draft"
        self.history: list[list[Any]] = [["drafted", actor, self.created_on]]
        self.void_reason: str | None = None
        # a red-ink or correcting voucher: what it cites (kind, original, number, reason)
        self.cites: dict[str, str] | None = None
        self.reversal: str | None = None  # a posted voucher: the id of its red-ink voucher

    @staticmethod
    def new(
        *,
        entity: str,
        township: str,
        date: datetime.date,
        summary: object,
        lines: Iterable[Mapping[str, Any]],
        actor: str,
    ) -> Voucher:
        """Draft a voucher, its summary and lines checked (not yet whether it would post)."""
        return Voucher(
            entity=entity,
            township=township,
            date=date,
            summary=_summary(summary),
            lines=voucher_lines(lines),
            actor=actor,
        )

    # -- reading -----------------------------------------------------------------------------

    @property
    def draft(self) -> str:
        return self.id.hex

    @property
    def total(self) -> Money:
        return lines_total(self.lines)[0]

    def postings(self) -> list[dict[str, Any]]:
        return postings_of(self.lines)

    @property
    def is_reversal(self) -> bool:
        """Whether this is a red-ink voucher (红字冲销) of another voucher."""
        return self.cites is not None and self.cites["kind"] == "reversal"

    def _what(self) -> str:
        return f"凭证 {self.draft}（{self.entity} {self.date} {self.summary}）"

    def label(self) -> str:
        """The voucher as a Chinese sentence names it (its id, books, date and 摘要)."""
        return self._what()

    def _english(self) -> str:
        return f"voucher {self.draft} ({self.entity} {self.date})"

    def _require_status(self, allowed: tuple[str, ...], doing: str) -> None:
        if self.status not in allowed:
            wanted = "、".join(STATUS_LABELS[s] for s in allowed)
            raise VoucherStateError(
                f"{self._english()} is {self.status}; only a voucher that is "
                f"{' or '.join(allowed)} can be {_DOING_EN.get(doing, doing)}",
                field="status",
                zh=f"{self._what()}现在是{STATUS_LABELS[self.status]}，只有{wanted}的凭证才能{doing}",
            )

    def _require_preparer(self, actor: str, doing: str) -> None:
        if not same_person(actor, self.preparer):
            raise NotPreparerError(
                f"{self._english()} was prepared by {self.preparer!r}; only its preparer may "
                f"have it {_DOING_EN.get(doing, doing)}, not {actor!r}",
                field="actor",
                zh=f"{self._what()}由 {self.preparer} 制单，只有制单人才能{doing}",
            )

    def _require_other_than_preparer(self, actor: str, doing: str) -> None:
        if same_person(actor, self.preparer):
            self.refuse_own(actor, doing)

    def refuse_own(self, actor: str, doing: str, *, also: str | None = None) -> None:
        """Raise :class:`OwnVoucherError`: ``actor`` is the preparer (``also``: the preparer's
        other login, the same natural person)."""
        by = f"{actor!r}" if also is None else f"{also!r}, the same person as {actor!r}"
        mine = f"您（{actor}）" if also is None else f"您的另一个登录名（{also}）"
        raise OwnVoucherError(
            f"{self._english()} was prepared by {by}, who may not review it "
            "(separation of duties): another reviewer approves or returns it",
            field="actor",
            zh=f"不能{doing}自己制单的凭证：{self._what()}由{mine}制单，请由另一位审核人员审核",
        )

    # -- commands ----------------------------------------------------------------------------

    def edit(
        self,
        *,
        date: datetime.date,
        summary: object,
        lines: Iterable[Mapping[str, Any]],
        actor: str,
    ) -> None:
        self._require_preparer(actor, "修改")
        self._require_status(EDITABLE, "修改")
        if self.is_reversal:
            raise VoucherStateError(
                f"{self._english()} reverses its original in full and is not edited; void it "
                "and reverse the original again to change its date or reason",
                field="lines",
                zh=f"{self._what()}是红字冲销凭证，按原凭证全额冲销，不能修改；"
                "如需改日期或原因，请作废后重新冲销",
            )
        self._edited(date=date, summary=_summary(summary), lines=voucher_lines(lines), actor=actor)

    @event("Edited")
    def _edited(
        self, *, date: datetime.date, summary: str, lines: list[dict[str, Any]], actor: str
    ) -> None:
        self.date = date
        self.summary = summary
        self.lines = [dict(line) for line in lines]
        self.history.append(["edited", actor, None])

    def check_submittable(self, actor: str) -> None:
        """The preparer submits a draft or returned voucher with lines."""
        self._require_preparer(actor, "提交")
        self._require_status(EDITABLE, "提交")
        if not self.lines:
            raise InvalidRequestError(
                f"{self._english()} has no lines yet; fill in its debits and credits first",
                field="lines",
                zh=f"{self._what()}还没有分录行，请先填写借方和贷方",
            )

    def submit(self, *, actor: str) -> None:
        """Submit for review; the application has checked that it would post."""
        self.check_submittable(actor)
        self._submitted(actor=actor)

    @event("Submitted")
    def _submitted(self, *, actor: str) -> None:
        self.status = "submitted"
        self.returned_reason = None
        self.history.append(["submitted", actor, None])

    def withdraw(self, *, actor: str) -> None:
        self._require_preparer(actor, "撤回")
        self._require_status(("submitted",), "撤回")
        self._withdrawn(actor=actor)

    @event("Withdrawn")
    def _withdrawn(self, *, actor: str) -> None:
        self.status = "draft"
        self.history.append(["withdrawn", actor, None])

    def check_reviewable(
        self, actor: str, doing: str, statuses: tuple[str, ...] = ("submitted",)
    ) -> None:
        self._require_status(statuses, doing)
        self._require_other_than_preparer(actor, doing)

    def return_(self, *, reason: object, actor: str) -> None:
        """Return to the preparer with a reason (退回): a submitted voucher, or a reviewed one
        not yet posted (its 记账 found a problem)."""
        self.check_reviewable(actor, "退回", ("submitted", "reviewed"))
        text = check_text(reason, field="reason", max_length=MAX_TEXT)
        if not text.strip():
            raise InvalidRequestError(
                "a voucher is returned with its reason: what the preparer should change",
                field="reason",
                zh="退回凭证需要写明原因，让制单人知道要改什么",
            )
        self._returned(reason=text.strip(), actor=actor)

    @event("Returned")
    def _returned(self, *, reason: str, actor: str) -> None:
        self.status = "returned"
        self.returned_reason = reason
        self.reviewer = actor
        self.history.append(["returned", actor, None])

    def approve(self, *, number: str, actor: str) -> None:
        """Approved, and posted into the books as entry ``number`` (in the same save)."""
        self.check_reviewable(actor, "审核")
        self._approved(number=number, actor=actor)

    @event("Approved")
    def _approved(self, *, number: str, actor: str) -> None:
        self.status = "posted"
        self.reviewer = actor
        self.poster = actor
        self.review_posted = True
        self.posted_number = number
        self.history.append(["approved", actor, None])

    # -- 凭证字 (the preparer's choice; vouchers drafted before it existed have none) -----------

    @property
    def word(self) -> str | None:
        """The 凭证字 the preparer chose, or None: chosen from the lines when it posts."""
        found = self.__dict__.get("chosen_word")
        return str(found) if found else None

    def choose_word(self, *, word: object, actor: str) -> None:
        """The preparer chooses the 凭证字 (``""``: from the lines), while the voucher is a
        draft or returned; whether it fits the lines is checked when it is submitted and
        posted, as every rule of a posting is."""
        self._require_preparer(actor, "修改")
        self._require_status(EDITABLE, "修改")
        text = "" if word is None else str(word).strip()
        if text not in ("", *VOUCHER_WORDS):
            raise InvalidRequestError(
                f"a voucher word is one of {', '.join(VOUCHER_WORDS)}, not {text[:20]!r}",
                field="word",
                zh=f"凭证字只能是记、收、付、转之一，不是“{text[:20]}”",
            )
        if text != (self.word or ""):
            self._word_chosen(word=text, actor=actor)

    @event("WordChosen")
    def _word_chosen(self, *, word: str, actor: str) -> None:
        self.chosen_word = word or None

    # -- 审核 and 记账 as two steps (the township's default) ------------------------------------

    def review(self, *, actor: str) -> None:
        """审核: approved by someone other than its preparer; not yet in the books."""
        self.check_reviewable(actor, "审核")
        self._reviewed(actor=actor)

    @event("Reviewed")
    def _reviewed(self, *, actor: str) -> None:
        self.status = "reviewed"
        self.reviewer = actor
        self.history.append(["reviewed", actor, None])

    def unreview(self, *, actor: str) -> None:
        """取消审核: its reviewer takes the approval back before it is posted (待审核 again)."""
        self._require_status(("reviewed",), "取消审核")
        if not same_person(actor, self.reviewer):
            raise NotReviewerError(
                f"{self._english()} was reviewed by {self.reviewer!r}; only its reviewer takes "
                f"the approval back, not {actor!r} (return it to its preparer instead)",
                field="actor",
                zh=f"{self._what()}由 {self.reviewer} 审核，只有审核人才能取消审核；"
                "如发现问题，请退回制单人",
            )
        self._unreviewed(actor=actor)

    @event("Unreviewed")
    def _unreviewed(self, *, actor: str) -> None:
        self.status = "submitted"
        self.reviewer = None
        self.history.append(["unreviewed", actor, None])

    def check_postable(self, actor: str) -> None:
        """记账: a reviewed voucher, by someone other than its reviewer."""
        self._require_status(("reviewed",), "记账")
        if same_person(actor, self.reviewer):
            self.refuse_own_review(actor)

    def refuse_own_review(self, actor: str, *, also: str | None = None) -> None:
        """Raise :class:`OwnReviewError`: ``actor`` reviewed it (``also``: the reviewer's other
        login, the same natural person)."""
        by = f"{actor!r}" if also is None else f"{also!r}, the same person as {actor!r}"
        mine = f"您（{actor}）" if also is None else f"您的另一个登录名（{also}）"
        raise OwnReviewError(
            f"{self._english()} was reviewed by {by}, who may not post it (separation of "
            "duties): another person with the bookkeeping duty posts it",
            field="actor",
            zh=f"不能记账自己审核的凭证：{self._what()}由{mine}审核，请由另一位记账人员记账",
        )

    def post(self, *, number: str, actor: str) -> None:
        """记账: posted into the books as entry ``number`` (in the same save)."""
        self.check_postable(actor)
        self._posted(number=number, actor=actor)

    @event("Posted")
    def _posted(self, *, number: str, actor: str) -> None:
        self.status = "posted"
        self.poster = actor
        self.posted_number = number
        self.history.append(["posted", actor, None])

    def imported(self, *, import_id: str, actor: str) -> None:
        """A voucher of a file imported for review: submitted by its importer (待审核)."""
        self._require_status(("draft",), "提交")
        self._imported(import_id=import_id, actor=actor)

    @event("Imported")
    def _imported(self, *, import_id: str, actor: str) -> None:
        self.status = "submitted"
        self.import_id = import_id
        self.history.append(["imported", actor, None])

    def check_attachable(self, actor: str) -> None:
        """Documents are attached by the preparer while the voucher is a draft or returned."""
        self._require_preparer(actor, "添加附件")
        self._require_status(EDITABLE, "添加附件")

    def attach(self, *, sha256: str, name: object, media_type: str, size: int, actor: str) -> None:
        """Attach a source document (原始凭证) stored as ``sha256``."""
        self.check_attachable(actor)
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise AttachmentError(
                f"sha256 {str(sha256)[:80]!r} is not 64 lowercase hex digits",
                field="sha256",
                zh=f"附件的 SHA-256 {str(sha256)[:80]!r} 不对：应为 64 位小写十六进制数",
            )
        if media_type not in ATTACHMENT_TYPES:
            raise AttachmentError(
                f"a source document is a PDF, JPEG or PNG, not {media_type!r}",
                field="media_type",
                zh=f"附件类型 {media_type!r} 不能作为原始凭证，只接受 PDF、JPEG、PNG",
            )
        if (
            isinstance(size, bool)
            or not isinstance(size, int)
            or not 0 < size <= MAX_ATTACHMENT_BYTES
        ):
            raise AttachmentError(
                f"a source document has 1 byte to 10 MB, not {size!r} bytes",
                field="size",
                zh=f"附件大小 {size!r} 字节不行：不能为空，最大 10 MB",
            )
        label = check_text(name, field="name", max_length=MAX_TEXT).strip() or sha256[:12]
        if any(a["sha256"] == sha256 for a in self.attachments):
            raise ConflictError(
                f"{self._english()} already has this document ({label})",
                field="file",
                zh=f"{self._what()}已经附有这个文件（{label}）",
            )
        if len(self.attachments) >= MAX_ATTACHMENTS:
            raise ConflictError(
                f"{self._english()} has {MAX_ATTACHMENTS} documents, the most a voucher has",
                field="file",
                zh=f"{self._what()}已有 {MAX_ATTACHMENTS} 个附件，不能再加",
            )
        self._attached(sha256=sha256, name=label, media_type=media_type, size=size, actor=actor)

    @event("DocumentAttached")
    def _attached(self, *, sha256: str, name: str, media_type: str, size: int, actor: str) -> None:
        self.attachments.append(
            {"sha256": sha256, "name": name, "media_type": media_type, "size": size}
        )
        self.history.append(["attached", actor, None])

    # -- corrections (domain/vouchers/corrections.py) ------------------------------------------

    def void(self, *, reason: object, actor: str) -> None:
        """作废: its preparer voids a draft or returned voucher, with the reason; it stays in the
        list as 作废 and never posts."""
        self._require_preparer(actor, "作废")
        self._require_status(EDITABLE, "作废")
        text = check_text(reason, field="reason", max_length=MAX_TEXT).strip()
        if not text:
            raise InvalidRequestError(
                "a voucher is voided with its reason", field="reason", zh="作废凭证需要写明原因"
            )
        self._voided(reason=text, actor=actor)

    @event("Voided")
    def _voided(self, *, reason: str, actor: str) -> None:
        self.status = "voided"
        self.void_reason = reason
        self.history.append(["voided", actor, None])

    def check_correctable(self, doing: str) -> str:
        """A posted voucher that is not itself a red-ink voucher is what a red-ink or correcting
        voucher cites; answers its entry's number."""
        self._require_status(("posted",), doing)
        if self.is_reversal:
            raise VoucherStateError(
                f"{self._english()} is itself a red-ink reversal; post a new voucher instead",
                field="draft",
                zh=f"{self._what()}本身是红字冲销凭证，不能再{doing}；如有需要请另录新凭证",
            )
        assert self.posted_number is not None
        return self.posted_number

    @event("Cited")
    def _cited(self, *, kind: str, original: str, number: str, reason: str, actor: str) -> None:
        self.cites = {"kind": kind, "original": original, "number": number, "reason": reason}
        self.history.append(["reverses" if kind == "reversal" else "corrects", actor, None])

    @event("ReversalDrafted")
    def _reversal_drafted(self, *, reversal: str, actor: str) -> None:
        self.reversal = reversal
        self.history.append(["reversal", actor, None])
