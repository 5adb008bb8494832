"""Correcting a posted voucher (``domain.vouchers.corrections``) through the one runner on the
in-memory store: a red-ink voucher goes through review and posts the books' red-ink reversal,
an original is reversed once, only a draft or returned voucher is voided (and never posts), a
correcting voucher cites its original."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.application import LianzhangApplication
from domain.books.closing import UnpostedVouchersError
from domain.errors import AlreadyReversedError, ClosedPeriodError, InvalidRequestError
from domain.runner import Caller, Runner
from domain.vouchers import NotPreparerError, VoucherStateError
from domain.vouchers.commands import (
    ApproveVoucher,
    DraftCorrection,
    DraftReversal,
    DraftVoucher,
    EditVoucher,
    ReturnVoucher,
    SaveAndSubmit,
    SubmitVoucher,
    VoidVoucher,
)
from ledger.money import ZERO, money
from tests import builders

D = datetime.date
NOVEMBER = D(2026, 11, 5)
TODAY = D(2026, 11, 23)
ZHANG, LI = Caller(actor="zhang"), Caller(actor="li")


@pytest.fixture
def app() -> LianzhangApplication:
    found = LianzhangApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)
    builders.review_posts(found)  # corrections are the subject: the approval posts (审核即记账)
    return found


def lines(amount: str = "1200.00") -> tuple[dict[str, Any], ...]:
    return (
        {"account": "102", "debit": amount, "credit": None, "memo": "存入银行"},
        {"account": "504", "debit": None, "credit": amount, "memo": ""},
    )


def posted(app: LianzhangApplication, code: str, day: datetime.date = NOVEMBER) -> str:
    """A voucher prepared by zhang and approved by li; its id."""
    run = Runner(app).run
    draft = run(DraftVoucher(code, day, "收到土地流转费", lines()), ZHANG).result
    run(SubmitVoucher(draft=draft), ZHANG)
    run(ApproveVoucher(draft=draft), LI)
    return draft


def test_a_red_ink_voucher_is_reviewed_then_reverses_the_original_once(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    run = Runner(app).run
    original = posted(app, code)
    number = app.vouchers.get_voucher(original).posted_number
    bank = app.get_books(code).balance("102")

    red = run(DraftReversal(original=original, date=TODAY, reason="金额记错"), ZHANG).result
    voucher = app.vouchers.get_voucher(red)
    assert voucher.status == "draft" and voucher.summary == f"冲销 {number} 号凭证: 金额记错"
    assert [(line["account"], line["debit"], line["credit"]) for line in voucher.lines] == [
        ("102", money("-1200.00", allow_negative=True), ZERO),
        ("504", ZERO, money("-1200.00", allow_negative=True)),
    ]
    assert voucher.cites == {
        "kind": "reversal",
        "original": original,
        "number": number,
        "reason": "金额记错",
    }
    assert app.vouchers.get_voucher(original).reversal == red
    assert app.get_books(code).balance("102") == bank  # a draft is not in the books

    with pytest.raises(AlreadyReversedError, match="reversed once") as second:
        run(DraftReversal(original=original, date=TODAY, reason="再冲一次"), LI)
    assert "只能冲销一次" in (second.value.zh or "")
    with pytest.raises(VoucherStateError):  # not edited: voided and reversed again instead
        run(EditVoucher(draft=red, date=TODAY, summary="改", lines=lines()), ZHANG)

    run(SubmitVoucher(draft=red), ZHANG)
    with pytest.raises(Exception, match="separation of duties"):
        run(ApproveVoucher(draft=red), ZHANG)
    run(ApproveVoucher(draft=red), LI)

    voucher = app.vouchers.get_voucher(red)
    books = app.get_books(code)
    assert voucher.status == "posted" and books.reversed_by[number] == voucher.posted_number
    assert books.balance("102") == bank - money("1200.00")
    entry = list(app.stream(books.id))[-1].entry
    assert entry.reverses == number and entry.memo == f"冲销 {number} 号凭证: 金额记错"
    assert entry.date == TODAY and entry.postings[0].amount == -money("1200.00")
    with pytest.raises(AlreadyReversedError):  # reversed: refused for good
        run(DraftReversal(original=original, date=TODAY, reason="再冲一次"), ZHANG)
    with pytest.raises(VoucherStateError, match="itself a red-ink"):
        run(DraftReversal(original=red, date=TODAY, reason="冲红字"), ZHANG)


def test_a_voided_red_ink_voucher_frees_the_original_and_the_dates_are_checked(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    run = Runner(app).run
    original = posted(app, code, D(2026, 10, 5))
    october = D(2026, 10, 20)

    with pytest.raises(InvalidRequestError, match="before the original"):
        run(DraftReversal(original=original, date=D(2026, 10, 1), reason="错"), ZHANG)
    with pytest.raises(InvalidRequestError) as no_reason:
        run(DraftReversal(original=original, date=TODAY, reason="  "), ZHANG)
    assert no_reason.value.field == "reason"
    with pytest.raises(VoucherStateError):  # a draft is not reversed
        draft = run(DraftVoucher(code, NOVEMBER, "收到", lines()), ZHANG).result
        run(DraftReversal(original=draft, date=TODAY, reason="错"), ZHANG)

    red = run(DraftReversal(original=original, date=TODAY, reason="错"), ZHANG).result
    run(VoidVoucher(draft=red, reason="日期要改到十月"), ZHANG)
    again = run(DraftReversal(original=original, date=october, reason="金额错"), LI).result
    assert app.vouchers.get_voucher(original).reversal == again

    # a red-ink draft dated in October holds October open (结账 waits for it); voided, it
    # does not, and once October is closed a red-ink voucher cannot be dated in it
    with pytest.raises(UnpostedVouchersError):
        app.books.close_month(entity=code, month="2026-10", actor="tester")
    run(VoidVoucher(draft=again, reason="改到十一月"), LI)
    app.books.close_month(entity=code, month="2026-10", actor="tester")
    with pytest.raises(ClosedPeriodError):
        run(DraftReversal(original=original, date=october, reason="x"), ZHANG)
    run(DraftReversal(original=original, date=TODAY, reason="金额错"), ZHANG)  # in November


def test_a_reversal_outside_the_workbench_counts(app: LianzhangApplication) -> None:
    code = builders.village(app)
    original = posted(app, code)
    number = app.vouchers.get_voucher(original).posted_number
    app.books.reverse_entry(entity=code, number=number, date=TODAY, reason="接口冲销", actor="t")
    with pytest.raises(AlreadyReversedError) as refused:
        Runner(app).run(DraftReversal(original=original, date=TODAY, reason="错"), ZHANG)
    assert "已被" in (refused.value.zh or "")


def test_only_its_preparer_voids_a_draft_or_returned_voucher_and_it_never_posts(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    run = Runner(app).run
    draft = run(DraftVoucher(code, NOVEMBER, "收到", lines()), ZHANG).result

    with pytest.raises(NotPreparerError):
        run(VoidVoucher(draft=draft, reason="重复录入"), LI)
    with pytest.raises(InvalidRequestError):
        run(VoidVoucher(draft=draft, reason=""), ZHANG)
    run(SubmitVoucher(draft=draft), ZHANG)
    with pytest.raises(VoucherStateError):  # submitted: withdrawn or returned first
        run(VoidVoucher(draft=draft, reason="重复录入"), ZHANG)
    run(ReturnVoucher(draft=draft, reason="重复了"), LI)
    run(VoidVoucher(draft=draft, reason="重复录入"), ZHANG)

    voucher = app.vouchers.get_voucher(draft)
    assert voucher.status == "voided" and voucher.void_reason == "重复录入"
    entries = app.get_books(code).entry_numbers()
    for step in (SubmitVoucher(draft=draft), VoidVoucher(draft=draft, reason="再作废")):
        with pytest.raises(VoucherStateError):
            run(step, ZHANG)
    with pytest.raises(VoucherStateError):
        run(ApproveVoucher(draft=draft), LI)
    assert app.get_books(code).entry_numbers() == entries
    with pytest.raises(VoucherStateError):  # a posted voucher is reversed, not voided
        run(VoidVoucher(draft=posted(app, code), reason="错"), ZHANG)


def test_a_correcting_voucher_cites_its_original_and_is_reviewed(
    app: LianzhangApplication,
) -> None:
    code = builders.village(app)
    run = Runner(app).run
    original = posted(app, code)
    number = app.vouchers.get_voucher(original).posted_number
    command = DraftCorrection(
        entity=code,
        date=TODAY,
        summary=f"更正 {number} 号凭证",
        lines=lines("1000.00"),
        original=original,
    )
    saved = run(SaveAndSubmit(command), ZHANG).result
    assert saved.submitted is True
    voucher = app.vouchers.get_voucher(saved.draft)
    assert voucher.cites is not None and voucher.cites["kind"] == "correction"
    assert voucher.cites["number"] == number and voucher.status == "submitted"
    run(ApproveVoucher(draft=saved.draft), LI)
    assert app.vouchers.get_voucher(saved.draft).status == "posted"
    with pytest.raises(VoucherStateError):  # elsewhere than the original's books
        other = builders.village(app)
        run(DraftCorrection(other, TODAY, "更正", lines(), original=original), ZHANG)
