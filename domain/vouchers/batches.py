"""Many vouchers reviewed (审核) or posted (记账) in one command: the batch review page of the
workbench (``/review``: a file's imported vouchers, or every voucher waiting) and the
API's ``POST /v1/voucher-reviews`` and ``POST /v1/voucher-postings``.

Every voucher is checked as one alone would be (``VoucherService``: reviewed by someone other
than its preparer, posted by someone other than its reviewer, natural persons compared), and
against the books as they stand after the vouchers before it in date order (a payment may spend
the receipt reviewed with it): each voucher's entry is recorded in the in-memory books in that
order. All or nothing: every problem is collected and, if there is one, nothing is written
(:class:`VouchersNotReviewedError` lists them); otherwise the vouchers (and, where they post,
their books) are saved in ONE save. At most :data:`MAX_BATCH` vouchers at once: what a person
can be said to have looked at, and one transaction.

Reviewing (two steps, the default) writes nothing to the books: the entries were recorded in
memory only to check them, and the books that hold them unsaved leave the cache
(``domain/repository.py``). In a township that chose 审核即记账, reviewing posts them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from domain.books import Books
from domain.errors import DomainError, InvalidRequestError
from domain.periods import require_not_after
from domain.port import Port
from domain.vouchers import Voucher
from ledger.entries import JournalEntry
from ledger.errors import LedgerError


class VoucherSteps(Protocol):
    """What a batch asks of the voucher service (``domain.vouchers.service.VoucherService``,
    which hands itself in): the one check and entry of each voucher, as one alone has them."""

    port: Port
    review_posts: Callable[[str], bool]

    def get_voucher(self, draft: str | UUID) -> Voucher: ...

    def _check_reviewer(
        self,
        voucher: Voucher,
        actor: str,
        doing: str,
        statuses: tuple[str, ...] = ("submitted",),
    ) -> None: ...

    def check_poster(self, voucher: Voucher, actor: str) -> None: ...

    def enter(self, voucher: Voucher, books: Books, actor: str) -> JournalEntry: ...


MAX_BATCH = 1000
"""Vouchers reviewed or posted in one action (one save)."""


@dataclass(frozen=True)
class BatchProblem:
    """Why one voucher of a batch cannot be reviewed or posted: its id, the problem's type and
    its sentence in English and in Chinese."""

    draft: str
    kind: str
    message: str
    zh: str


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch did: the vouchers (ids, in the order they were taken) and the entries their
    books gave the ones that were posted (``entity number``), in order."""

    drafts: tuple[str, ...]
    numbers: tuple[str, ...] = ()


class VouchersNotReviewedError(InvalidRequestError):
    """One or more vouchers of a batch cannot be reviewed or posted; nothing was written.
    ``problems`` lists every one (``details["vouchers"]``: their ids, comma-separated)."""

    kind = "batch-refused"

    def __init__(self, problems: Sequence[BatchProblem], doing: str) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        count = len(self.problems)
        super().__init__(
            f"{count} voucher(s) cannot be {'posted' if doing == '记账' else 'reviewed'} and "
            f"nothing was written; the first, {first.draft}: {first.message}",
            field="drafts",
            details={"vouchers": ",".join(p.draft for p in self.problems)},
            zh=f"有 {count} 张凭证不能{doing}，全部没有{doing}；第一张：{first.zh}",
        )


def _drafts(drafts: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(drafts))
    if not chosen:
        raise InvalidRequestError(
            "choose the vouchers first", field="drafts", zh="请先选择要处理的凭证"
        )
    if len(chosen) > MAX_BATCH:
        raise InvalidRequestError(
            f"{len(chosen)} vouchers at once; at most {MAX_BATCH}",
            field="drafts",
            zh=f"一次选了 {len(chosen)} 张凭证，一次最多 {MAX_BATCH} 张，请分几次处理",
        )
    return chosen


_KINDS = {  # the problem type of a ledger error, as the API names it (``web.problems``)
    "UnbalancedEntryError": "unbalanced-entry",
    "UnknownAccountError": "unknown-account",
    "InvalidAmountError": "invalid-amount",
}


def _problem(voucher: Voucher | str, error: DomainError | LedgerError) -> BatchProblem:
    draft = voucher if isinstance(voucher, str) else voucher.draft
    what = f"凭证 {draft}" if isinstance(voucher, str) else voucher.label()
    if isinstance(error, DomainError):
        return BatchProblem(draft, error.kind, error.message, error.zh or f"{what}不能处理")
    kind = _KINDS.get(type(error).__name__, "invalid-entry")
    zh = error.zh or "分录有误（借贷、科目或金额），请退回制单人修改"
    return BatchProblem(draft, kind, str(error), f"{what}：{zh}")


class _Batch:
    """The vouchers of one batch loaded, in date order, and the books they post into."""

    def __init__(self, service: VoucherSteps, drafts: Sequence[str]) -> None:
        self.service = service
        self.problems: list[BatchProblem] = []
        found: list[tuple[int, Voucher]] = []
        for index, draft in enumerate(_drafts(drafts)):
            try:
                found.append((index, service.get_voucher(draft)))
            except DomainError as error:
                self.problems.append(_problem(str(draft), error))
        found.sort(key=lambda pair: (pair[1].date, pair[0]))
        self.vouchers = [voucher for _, voucher in found]
        self.books: dict[str, Books] = {}

    def books_of(self, voucher: Voucher) -> Books:
        if voucher.entity not in self.books:
            self.books[voucher.entity] = self.service.port.get_books(voucher.entity)
        return self.books[voucher.entity]

    def refuse(self, doing: str) -> None:
        if self.problems:
            raise VouchersNotReviewedError(self.problems, doing)


def review_vouchers(service: VoucherSteps, drafts: Sequence[str], actor: str) -> BatchOutcome:
    """审核 of every voucher in ``drafts`` (submitted, prepared by others), in one save: 已审核,
    or posted where the township chose 审核即记账."""
    batch = _Batch(service, drafts)
    numbers: list[str] = []
    posting: list[tuple[Voucher, str]] = []
    posts_at_once: dict[str, bool] = {}
    for voucher in batch.vouchers:
        try:
            service._check_reviewer(voucher, actor, "审核")
            require_not_after(voucher.date, service.port.today(), what=f"voucher {voucher.draft}")
            entry = service.enter(voucher, batch.books_of(voucher), actor)
        except (DomainError, LedgerError) as error:
            batch.problems.append(_problem(voucher, error))
            continue
        if voucher.township not in posts_at_once:  # the township's setting, read once
            posts_at_once[voucher.township] = service.review_posts(voucher.township)
        if posts_at_once[voucher.township]:
            posting.append((voucher, entry.number))
    batch.refuse("审核")
    posts = {id(voucher) for voucher, _ in posting}
    for voucher, number in posting:
        voucher.approve(number=number, actor=actor)
        numbers.append(f"{voucher.entity} {number}")
    for voucher in batch.vouchers:
        if id(voucher) not in posts:
            voucher.review(actor=actor)
    touched = [b for b in batch.books.values() if any(v.entity == b.code for v, _ in posting)]
    service.port.save(*batch.vouchers, *touched)
    return BatchOutcome(tuple(v.draft for v in batch.vouchers), tuple(numbers))


def post_vouchers(service: VoucherSteps, drafts: Sequence[str], actor: str) -> BatchOutcome:
    """记账 of every voucher in ``drafts`` (reviewed, by others), in date order, in one save."""
    batch = _Batch(service, drafts)
    numbers: list[str] = []
    for voucher in batch.vouchers:
        try:
            service.check_poster(voucher, actor)
            entry = service.enter(voucher, batch.books_of(voucher), actor)
        except (DomainError, LedgerError) as error:
            batch.problems.append(_problem(voucher, error))
            continue
        voucher.post(number=entry.number, actor=actor)
        numbers.append(f"{voucher.entity} {entry.number}")
    batch.refuse("记账")
    service.port.save(*batch.vouchers, *batch.books.values())
    return BatchOutcome(tuple(v.draft for v in batch.vouchers), tuple(numbers))
