"""Separation of duties as a property (issue 20): whatever people try, in whatever order —
approve, post, take an approval back, return, many at once, through a person's login or their
integration token — no voucher is posted by the person who reviewed it, none is reviewed by the
person who prepared it, and exactly the posted vouchers are in the books, each by the person
who posted it. In a township that chose 审核即记账 the reviewer's approval is the posting.

On the in-memory store, through the one runner, as every front end writes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.application import LianzhangApplication
from domain.errors import DomainError
from domain.runner import Caller, Runner
from domain.vouchers import person_of
from domain.vouchers.commands import (
    ApproveVoucher,
    DraftVoucher,
    PostVoucher,
    PostVouchers,
    ReturnVoucher,
    ReviewVouchers,
    SubmitVoucher,
    UnreviewVoucher,
)
from ledger.errors import LedgerError
from tests import builders

D = datetime.date
TODAY = D(2026, 11, 23)
# three people and one of them again through their integration token
ACTORS = ("zhang", "li", "wang", "li@li-token")
LINES = (
    {"account": "102", "debit": "10.00", "credit": None, "memo": ""},
    {"account": "504", "debit": None, "credit": "10.00", "memo": ""},
)

# approving and posting are tried most (a path to the books needs both, in that order)
WHAT = ("approve", "approve", "post", "post", "post", "unreview", "return", "review-all")
steps = st.lists(
    st.tuples(
        st.sampled_from((*WHAT, "post-all")),
        st.sampled_from(ACTORS),
        st.integers(min_value=0, max_value=2),
    ),
    min_size=1,
    max_size=40,
)


def command(what: str, draft: str, drafts: tuple[str, ...]) -> Any:
    return {
        "approve": lambda: ApproveVoucher(draft=draft),
        "post": lambda: PostVoucher(draft=draft),
        "unreview": lambda: UnreviewVoucher(draft=draft),
        "return": lambda: ReturnVoucher(draft=draft, reason="请补附件"),
        "review-all": lambda: ReviewVouchers(drafts),
        "post-all": lambda: PostVouchers(drafts),
    }[what]()


@pytest.mark.parametrize("review_posts", [False, True], ids=["two-steps", "审核即记账"])
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tried=steps, preparers=st.lists(st.sampled_from(ACTORS), min_size=3, max_size=3))
@example(  # a path to the books: the reviewer and their token refused, a third person posts
    tried=[
        ("approve", "li", 0),
        ("post", "li", 0),
        ("post", "li@li-token", 0),
        ("post", "wang", 0),
        ("review-all", "wang", 1),
        ("post-all", "li", 1),
        ("approve", "zhang", 2),
        ("unreview", "zhang", 2),
        ("return", "wang", 2),
    ],
    preparers=["zhang", "zhang", "li"],
)
def test_nobody_posts_what_they_reviewed_nor_reviews_what_they_prepared(
    review_posts: bool, tried: list[tuple[str, str, int]], preparers: list[str]
) -> None:
    app = LianzhangApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)
    code = builders.village(app)
    if review_posts:
        builders.review_posts(app)
    run = Runner(app).run
    drafts = []
    for preparer in preparers:
        draft = run(DraftVoucher(code, D(2026, 3, 5), "收款", LINES), Caller(preparer)).result
        run(SubmitVoucher(draft=draft), Caller(preparer))
        drafts.append(draft)
    for what, actor, index in tried:
        try:
            run(command(what, drafts[index], tuple(drafts)), Caller(actor))
        except (DomainError, LedgerError):
            pass  # refused: nothing written (the runner's save is all or nothing)

    books = app.get_books(code)
    posted = [app.vouchers.get_voucher(d) for d in drafts]
    posted = [v for v in posted if v.status == "posted"]
    assert sorted(books.entry_numbers()) == sorted(str(v.posted_number) for v in posted)
    entries = {
        event.entry.number: event.actor
        for event in app.stream(books.id)
        if getattr(event, "entry", None) is not None
    }
    for voucher in (app.vouchers.get_voucher(d) for d in drafts):
        if voucher.reviewer is not None and voucher.status in ("reviewed", "posted"):
            assert person_of(voucher.reviewer) != person_of(voucher.preparer)
        if voucher.status != "posted":
            assert voucher.posted_number is None
            continue
        assert entries[str(voucher.posted_number)] == voucher.poster
        if review_posts:  # 审核即记账: the approval is the posting
            assert voucher.review_posted and voucher.poster == voucher.reviewer
        else:
            assert not voucher.review_posted
            assert person_of(str(voucher.poster)) != person_of(str(voucher.reviewer))
