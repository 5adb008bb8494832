"""The voucher commands (``domain.vouchers.commands``) through the one runner on the in-memory
store: the workflow's path, a township refused before anything is written, and a repeated
request answered from what the first one recorded."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.application import LianzhangApplication
from domain.bulk import Voucher as ImportedVoucher
from domain.context import RequestClaim
from domain.runner import Caller, Runner
from domain.vouchers import OwnReviewError
from domain.vouchers.commands import (
    ApproveVoucher,
    DraftVoucher,
    EditVoucher,
    ImportVouchers,
    PostVoucher,
    Prepared,
    ReturnVoucher,
    SaveAndSubmit,
    SubmitVoucher,
)
from tests import builders
from tests.builders import TOWNSHIP

D = datetime.date
DAY = D(2026, 3, 5)


@pytest.fixture
def app() -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: D(2026, 11, 23)
    )


def count(app: LianzhangApplication) -> int:
    return app.recorder.max_notification_id() or 0


def lines(amount: str = "1200.00") -> tuple[dict[str, Any], ...]:
    return (
        {"account": "102", "debit": amount, "credit": None, "memo": "存入银行"},
        {"account": "504", "debit": None, "credit": amount, "memo": ""},
    )


def draft_of(entity: str, **overrides: Any) -> DraftVoucher:
    return DraftVoucher(
        entity=entity,
        date=overrides.get("date", DAY),
        summary=overrides.get("summary", "收到土地流转费"),
        lines=overrides.get("lines", lines()),
    )


def claim(key: str, body: str = "the same body") -> RequestClaim:
    return RequestClaim(token="clerk-token", key=key, request="POST /v1/x", body_hash=body)


class Refused(Exception):
    pass


def refusing(township: str, what: str) -> None:
    raise Refused(township, what)


def test_draft_submit_return_edit_approve_then_another_person_posts(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    run = Runner(app).run
    zhang, li = Caller(actor="zhang"), Caller(actor="li")

    draft = run(draft_of(code), zhang).result
    assert app.vouchers.get_voucher(draft).status == "draft"
    assert run(SubmitVoucher(draft=draft), zhang).result == draft
    assert run(ReturnVoucher(draft=draft, reason="附件不全"), li).result == draft
    voucher = app.vouchers.get_voucher(draft)
    assert voucher.status == "returned" and voucher.returned_reason == "附件不全"
    edit = EditVoucher(draft=draft, date=DAY, summary="收到土地流转费（三月）", lines=lines())
    assert run(edit, zhang).result == draft
    run(SubmitVoucher(draft=draft), zhang)
    before = app.get_books(code).version

    assert run(ApproveVoucher(draft=draft), li).result == draft

    # issue 20: by default the approval does not post (审核 and 记账 are two steps)
    voucher = app.vouchers.get_voucher(draft)
    assert voucher.status == "reviewed" and voucher.reviewer == "li"
    assert voucher.posted_number is None
    assert app.get_books(code).version == before
    with pytest.raises(OwnReviewError):  # nobody posts what they reviewed
        run(PostVoucher(draft=draft), li)
    assert app.get_books(code).version == before

    assert run(PostVoucher(draft=draft), zhang).result == draft  # the preparer may post
    voucher = app.vouchers.get_voucher(draft)
    assert voucher.status == "posted" and voucher.reviewer == "li" and voucher.poster == "zhang"
    books = app.get_books(code)
    assert books.version == before + 1
    assert books.entry_numbers()[-1] == voucher.posted_number
    posted = list(app.stream(books.id))[-1]
    assert posted.entry.number == voucher.posted_number and posted.actor == "zhang"
    assert posted.entry.memo == "收到土地流转费（三月）"


def test_a_township_that_chose_review_posts_posts_at_the_approval(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    builders.review_posts(app)
    run = Runner(app).run
    zhang, li = Caller(actor="zhang"), Caller(actor="li")
    draft = run(draft_of(code), zhang).result
    run(SubmitVoucher(draft=draft), zhang)
    before = app.get_books(code).version

    run(ApproveVoucher(draft=draft), li)

    voucher = app.vouchers.get_voucher(draft)
    assert voucher.status == "posted" and voucher.review_posted
    assert voucher.reviewer == voucher.poster == "li"
    assert app.get_books(code).version == before + 1
    assert list(app.stream(app.get_books(code).id))[-1].actor == "li"


def test_save_and_submit_keeps_a_draft_the_books_refuse(app: LianzhangApplication) -> None:
    code = builders.village(app)
    run = Runner(app).run
    zhang = Caller(actor="zhang")

    saved = run(SaveAndSubmit(draft_of(code)), zhang).result
    assert saved.submitted is True
    assert app.vouchers.get_voucher(saved.draft).status == "submitted"

    too_late = draft_of(code, date=D(2026, 12, 1))  # after today: the books refuse it
    kept = run(SaveAndSubmit(too_late), zhang).result
    assert kept.submitted is False
    assert app.vouchers.get_voucher(kept.draft).status == "draft"


def test_a_township_outside_the_callers_is_refused_before_anything_is_written(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)  # 唐坊镇
    draft = app.vouchers.draft_voucher(
        entity=code, date=DAY, summary="收到", lines=list(lines()), actor="zhang"
    ).draft
    elsewhere = Caller(actor="wang", townships=frozenset({"田镇"}), check=refusing)
    before = count(app)

    with pytest.raises(Refused) as drafting:
        Runner(app).run(draft_of(code), elsewhere)
    assert drafting.value.args == (TOWNSHIP, f"books of {code}")
    with pytest.raises(Refused) as submitting:
        Runner(app).run(SubmitVoucher(draft=draft), elsewhere)
    assert submitting.value.args == (TOWNSHIP, f"voucher {draft} of {code}")
    importing = ImportVouchers(
        (ImportedVoucher(code, DAY, "收到", tuple(builders.receipt("10.00"))),)
    )
    with pytest.raises(Refused) as imported:
        Runner(app).run(importing, elsewhere)
    assert imported.value.args == (TOWNSHIP, f"单位 {code}")

    assert count(app) == before
    assert app.vouchers.get_voucher(draft).status == "draft"


def test_the_same_claim_again_answers_without_writing_twice(app: LianzhangApplication) -> None:
    code = builders.village(app)
    runner = Runner(app)
    caller = Caller(actor="zhang", claim=claim("draft-once"))

    first = runner.run(draft_of(code), caller)
    after = count(app)
    again = runner.run(draft_of(code), caller)

    assert not first.replayed and again.replayed
    assert again.result == first.result  # the voucher's id, from its recorded Drafted event
    assert count(app) == after

    saving = SaveAndSubmit(draft_of(code, summary="收到分红款"))
    saved = runner.run(saving, Caller(actor="zhang", claim=claim("save-once"))).result
    after = count(app)
    replayed = runner.run(saving, Caller(actor="zhang", claim=claim("save-once")))
    assert replayed.replayed and replayed.result == Prepared(saved.draft, None)
    assert count(app) == after


def test_an_import_answered_again_gives_the_first_answers_numbers(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    vouchers = tuple(
        ImportedVoucher(code, D(2026, 3, day), f"收到 {day}", tuple(builders.receipt("10.00")))
        for day in range(1, 6)
    )
    command = ImportVouchers(vouchers, books=code, batch_size=2, post_directly=True)
    caller = Caller(actor="clerk", claim=claim("import-once"))

    first = Runner(app).run(command, caller).result
    after = count(app)
    again = Runner(app).run(command, caller)

    assert again.replayed and count(app) == after
    assert [p.number for p in again.result.posted] == [p.number for p in first.posted]
    assert (again.result.saved_batches, again.result.skipped_batches) == (3, 0)
    assert (first.saved_batches, first.batches) == (3, 3)
    numbers = app.get_books(code).entry_numbers()
    assert [p.number for p in first.posted] == numbers[-5:] and len(set(numbers)) == len(numbers)


def test_an_import_for_review_answered_again_gives_the_same_vouchers(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    vouchers = tuple(
        ImportedVoucher(code, D(2026, 3, day), f"收到 {day}", tuple(builders.receipt("10.00")))
        for day in range(1, 6)
    )
    command = ImportVouchers(vouchers, books=code, batch_size=2)
    caller = Caller(actor="clerk", claim=claim("import-for-review"))
    before = app.get_books(code).version

    first = Runner(app).run(command, caller).result
    after = count(app)
    again = Runner(app).run(command, caller)

    assert again.replayed and count(app) == after
    assert first.for_review and again.result.for_review
    drafts = [p.draft for p in first.posted]
    assert [p.draft for p in again.result.posted] == drafts and None not in drafts
    assert all(p.number == "" for p in first.posted)
    assert app.get_books(code).version == before  # nothing in the books
    statuses = {app.vouchers.get_voucher(d).status for d in drafts}
    assert statuses == {"submitted"}
