"""The voucher workflow's commands (制单 → 提交 → 审核): ``VoucherService``, on the port.

Approval posts through exactly the path of a direct posting: the voucher's books are loaded,
``Books.post_entry`` builds and checks the entry (balanced, chart, sub-accounts open, closed
months and years, cash never below zero, earmarks, sense) and records ``EntryPosted``; the
voucher records ``Approved`` with the number the books gave; both are saved in ONE save (one
transaction), so a voucher is posted exactly when its entry is in the books. Submitting runs
the same checks on the books as they stand (``Books.prepare_entry``, what ``post_entry`` runs)
and writes nothing to them.

The entry's memo is the voucher's 摘要 and its actor the reviewer whose approval posted it.
``JournalEntry`` has no field for a reference, and its stored shape is not changed for one: the
voucher's ``Approved`` event names the entry (``number``), and the vouchers read model
(``projections.voucher_view``) links the two both ways.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.books import Books
from domain.books.numbering import NumberAtEntry
from domain.books.rules import check_open
from domain.books.service import BooksService
from domain.people import same_natural_person
from domain.periods import require_not_after
from domain.port import Port
from domain.vouchers import Voucher, VoucherNotFoundError, batches, person_of, voucher_uuid
from domain.vouchers.batches import BatchOutcome
from domain.vouchers.corrections import cite_original, red_ink_voucher
from ledger.entries import JournalEntry
from ledger.voucher_numbers import number_word

if TYPE_CHECKING:
    from domain.people import Person


class VoucherService:
    """Draft, edit, submit, withdraw, approve (post) and return vouchers; attach documents.
    ``app.vouchers``: loads and saves through the application's port (``domain.port``)."""

    def __init__(
        self,
        port: Port,
        people: Callable[[str], Person | None],
        review_posts: Callable[[str], bool] = lambda township: False,
    ) -> None:
        self.port = port
        # a login's person (姓名, 手机号) for the own-voucher rule: natural persons compared
        self.person_or_none = people
        # whether a township's approval posts at once (审核即记账; ``domain.township``)
        self.review_posts = review_posts
        self.people_memo: dict[str, Person | None] | None = None  # set during a batch

    def place_of(self, draft: str | UUID) -> tuple[str, str]:
        """(township, entity) of voucher ``draft``, from its first event alone (a batch names
        many: cheaper than loading each)."""
        voucher_id = voucher_uuid(draft)
        for first in self.port.stream(voucher_id, limit=1):
            if isinstance(first, Voucher.Drafted):  # type: ignore[attr-defined]  # @event
                return str(first.township), str(first.entity)
        raise VoucherNotFoundError(
            f"there is no voucher {voucher_id.hex}",
            field="draft",
            zh=f"凭证 {voucher_id.hex} 不存在",
        )

    def get_voucher(self, draft: str | UUID) -> Voucher:
        """The voucher whose id is ``draft`` (hex, as in URLs)."""
        voucher_id = voucher_uuid(draft)
        found = self.port.find(voucher_id)
        if not isinstance(found, Voucher):
            raise VoucherNotFoundError(
                f"there is no voucher {voucher_id.hex}",
                field="draft",
                zh=f"凭证 {voucher_id.hex} 不存在",
            )
        return found

    def draft_voucher(
        self,
        *,
        entity: str,
        date: datetime.date,
        summary: str,
        lines: Iterable[Mapping[str, Any]],
        actor: str,
        word: str | None = None,
    ) -> Voucher:
        """制单: a new voucher in the books of ``entity``, not yet in the books (``word``: its
        凭证字, when the preparer chooses one)."""
        rows = list(lines)
        township = self.port.entity_township(entity)  # refused when there are no such books
        voucher = Voucher.new(
            entity=entity,
            township=township,
            date=date,
            summary=summary,
            lines=rows,
            actor=actor,
        )
        if word:
            voucher.choose_word(word=word, actor=actor)
        self.port.save(voucher)
        return voucher

    def edit_voucher(
        self,
        *,
        draft: str | UUID,
        date: datetime.date,
        summary: str,
        lines: Iterable[Mapping[str, Any]],
        actor: str,
        word: str | None = None,
    ) -> Voucher:
        """修改: by its preparer, while it is a draft or returned (``word``: its 凭证字, ``""``
        from the lines; None leaves it as it was)."""
        rows = list(lines)

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            voucher.edit(date=date, summary=summary, lines=rows, actor=actor)
            if word is not None:
                voucher.choose_word(word=word, actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    def check_voucher(self, voucher: Voucher) -> JournalEntry:
        """The entry ``voucher`` would post now, checked as a posting is (a red-ink voucher: as
        its reversal is); nothing is written (refused with the posting's own error otherwise)."""
        books = self.port.get_books(voucher.entity)
        require_not_after(voucher.date, self.port.today(), what=f"voucher {voucher.draft}")
        if voucher.cites is not None and voucher.is_reversal:
            original, source = BooksService(self.port).find_posted(
                voucher.entity, voucher.cites["number"]
            )
            return books.prepare_reversal(
                original=original, date=voucher.date, reason=voucher.cites["reason"], source=source
            )
        return books.prepare_entry(
            date=voucher.date, memo=voucher.summary, postings=voucher.postings(), word=voucher.word
        )

    def expected_number(self, voucher: Voucher) -> str | None:
        """The number ``voucher`` has (posted) or would take if it posted now: the next of its
        date's year, or of its month and 凭证字 (its own, or its lines'; a red-ink voucher
        keeps its original's); None for a voided one. Nothing is checked or written."""
        return self.number_at_entry(voucher).number

    def number_at_entry(self, voucher: Voucher) -> NumberAtEntry:
        """:meth:`expected_number` as the voucher form and the API show it."""
        if voucher.posted_number is not None:
            return NumberAtEntry.of_posted(voucher.entity, voucher.posted_number)
        books = self.port.get_books(voucher.entity)
        word = voucher.word
        if voucher.cites is not None and voucher.is_reversal:
            word = number_word(voucher.cites["number"])
        found = books.number_at_entry(voucher.date, voucher.postings(), word)
        if voucher.status == "voided":
            return dataclasses.replace(found, number=None, words=())
        return found

    def submit_voucher(self, *, draft: str | UUID, actor: str) -> Voucher:
        """提交: by its preparer, once it would post as it stands."""

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            voucher.check_submittable(actor)
            self.check_voucher(voucher)
            voucher.submit(actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    def withdraw_voucher(self, *, draft: str | UUID, actor: str) -> Voucher:
        """撤回: a submitted voucher back to draft, by its preparer."""

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            voucher.withdraw(actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    def same_natural_person(self, first: str | None, second: str | None) -> str | None:
        """The login of ``first``'s person when ``first`` and ``second`` are one natural person
        under two logins (the same 姓名 and 手机号, ``domain.people``); None otherwise (the same
        login, or the same person's token, is :func:`domain.vouchers.same_person`)."""
        if first is None or second is None:
            return None
        one = self._person(person_of(first))
        other = self._person(person_of(second))
        if (
            one is not None
            and other is not None
            and same_natural_person(one.name, one.phone, other.name, other.phone)
        ):
            return one.login
        return None

    def _person(self, login: str) -> Person | None:
        """A login's person; within a batch (``people_memo`` set) each is read once."""
        memo = self.people_memo
        if memo is None:
            return self.person_or_none(login)
        if login not in memo:
            memo[login] = self.person_or_none(login)
        return memo[login]

    def _check_reviewer(
        self,
        voucher: Voucher,
        actor: str,
        doing: str,
        statuses: tuple[str, ...] = ("submitted",),
    ) -> None:
        """The voucher may be reviewed now by ``actor``: in ``statuses``, and ``actor`` is
        another natural person than its preparer — not the same login, not the same person's
        token, not another login of the same 姓名 and 手机号 (``domain.people``)."""
        voucher.check_reviewable(actor, doing, statuses)
        also = self.same_natural_person(voucher.preparer, actor)
        if also is not None:
            voucher.refuse_own(actor, doing, also=also)

    def check_poster(self, voucher: Voucher, actor: str) -> None:
        """The voucher may be posted now by ``actor``: reviewed, and ``actor`` is another
        natural person than its reviewer."""
        voucher.check_postable(actor)
        also = self.same_natural_person(voucher.reviewer, actor)
        if also is not None:
            voucher.refuse_own_review(actor, also=also)

    def enter(self, voucher: Voucher, books: Books, actor: str) -> JournalEntry:
        """Record ``voucher``'s entry in ``books`` (in memory; the caller saves both): its
        lines, or the books' red-ink reversal of the original it cites."""
        if voucher.cites is not None and voucher.is_reversal:
            original, source = BooksService(self.port).find_posted(
                voucher.entity, voucher.cites["number"]
            )
            return books.reverse_entry(
                original=original,
                date=voucher.date,
                reason=voucher.cites["reason"],
                actor=actor,
                source=source,
                memo=voucher.summary,
            )
        return books.post_entry(
            date=voucher.date,
            memo=voucher.summary,
            postings=voucher.postings(),
            actor=actor,
            word=voucher.word,
        )

    def approve_voucher(
        self, *, draft: str | UUID, actor: str
    ) -> tuple[Voucher, JournalEntry | None]:
        """审核: someone other than its preparer approves a submitted voucher. In a township that
        chose 审核即记账 that posts it into the books in the same save (the entry answered);
        otherwise it is 已审核, checked against the books as they stand, not posted (None)."""

        def command() -> tuple[Voucher, JournalEntry | None]:
            voucher = self.get_voucher(draft)
            self._check_reviewer(voucher, actor, "审核")
            if not self.review_posts(voucher.township):
                self.check_voucher(voucher)  # it would post as it stands
                voucher.review(actor=actor)
                self.port.save(voucher)
                return voucher, None
            books = self.port.get_books(voucher.entity)
            entry = self.enter(voucher, books, actor)
            voucher.approve(number=entry.number, actor=actor)
            self.port.save(voucher, books)
            return voucher, entry

        return self.port.retrying(command)

    def post_voucher(self, *, draft: str | UUID, actor: str) -> tuple[Voucher, JournalEntry]:
        """记账: a reviewed voucher posted into the books, by someone other than its reviewer,
        in one save with its entry."""

        def command() -> tuple[Voucher, JournalEntry]:
            voucher = self.get_voucher(draft)
            self.check_poster(voucher, actor)
            books = self.port.get_books(voucher.entity)
            entry = self.enter(voucher, books, actor)
            voucher.post(number=entry.number, actor=actor)
            self.port.save(voucher, books)
            return voucher, entry

        return self.port.retrying(command)

    def unreview_voucher(self, *, draft: str | UUID, actor: str) -> Voucher:
        """取消审核: its reviewer takes the approval back before it is posted."""

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            voucher.unreview(actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    def review_vouchers(self, *, drafts: Sequence[str], actor: str) -> BatchOutcome:
        """审核 of many vouchers in one save (``domain.vouchers.batches``)."""
        return self._batch(lambda: batches.review_vouchers(self, drafts, actor))

    def post_vouchers(self, *, drafts: Sequence[str], actor: str) -> BatchOutcome:
        """记账 of many reviewed vouchers in one save (``domain.vouchers.batches``)."""
        return self._batch(lambda: batches.post_vouchers(self, drafts, actor))

    def _batch(self, command: Callable[[], BatchOutcome]) -> BatchOutcome:
        """``command`` retried, each person it compares read once per attempt."""

        def attempt() -> BatchOutcome:
            self.people_memo = {}
            try:
                return command()
            finally:
                self.people_memo = None

        return self.port.retrying(attempt)

    def return_voucher(self, *, draft: str | UUID, reason: str, actor: str) -> Voucher:
        """退回: someone other than its preparer returns a submitted or reviewed (not yet
        posted) voucher, with a reason."""

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            self._check_reviewer(voucher, actor, "退回", ("submitted", "reviewed"))
            voucher.return_(reason=reason, actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    def attach_document(
        self,
        *,
        draft: str | UUID,
        sha256: str,
        name: str,
        media_type: str,
        size: int,
        actor: str,
    ) -> Voucher:
        """附单据: a source document, its bytes already stored as ``sha256``
        (``adapters.attachments.put``)."""

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            voucher.attach(sha256=sha256, name=name, media_type=media_type, size=size, actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    # -- corrections (domain/vouchers/corrections.py) ------------------------------------------

    def void_voucher(self, *, draft: str | UUID, reason: str, actor: str) -> Voucher:
        """作废: a draft or returned voucher, by its preparer, with the reason."""

        def command() -> Voucher:
            voucher = self.get_voucher(draft)
            voucher.void(reason=reason, actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)

    def draft_reversal(
        self, *, original: str | UUID, date: datetime.date, reason: str, actor: str
    ) -> Voucher:
        """红字冲销: a draft red-ink voucher of the posted voucher ``original``, dated in an open
        month; refused when the original is reversed already or has a red-ink voucher that is
        not voided."""

        def command() -> Voucher:
            cited = self.get_voucher(original)
            pending = self.get_voucher(cited.reversal) if cited.reversal else None
            books = self.port.get_books(cited.entity)
            require_not_after(date, self.port.today(), what="a red-ink voucher")
            voucher = red_ink_voucher(
                cited,
                pending,
                reversed_by=books.reversed_by.get(cited.posted_number or ""),
                date=date,
                reason=reason,
                actor=actor,
            )
            check_open(books, date)
            self.port.save(voucher, cited)
            return voucher

        return self.port.retrying(command)

    def draft_correction(
        self,
        *,
        original: str | UUID,
        entity: str,
        date: datetime.date,
        summary: str,
        lines: Iterable[Mapping[str, Any]],
        actor: str,
        word: str | None = None,
    ) -> Voucher:
        """更正凭证: a new draft citing the posted voucher ``original``, its lines as given (the
        form starts from the original's); ``word``: its 凭证字, when the preparer chooses one."""
        rows = list(lines)

        def command() -> Voucher:
            cited = self.get_voucher(original)
            voucher = Voucher.new(
                entity=entity,
                township=self.port.entity_township(entity),
                date=date,
                summary=summary,
                lines=rows,
                actor=actor,
            )
            cite_original(voucher, cited, actor=actor)
            if word:
                voucher.choose_word(word=word, actor=actor)
            self.port.save(voucher)
            return voucher

        return self.port.retrying(command)
