"""The voucher workflow on both stores: 制单 → 提交 → 审核 posts one entry in one save, the rules
of a direct posting apply, separation of duties holds, and the read model follows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.books.closing import UnpostedVouchersError
from domain.errors import CashOverdraftError, ClosedPeriodError, ForbiddenError
from domain.vouchers import (
    NotPreparerError,
    OwnVoucherError,
    Voucher,
    VoucherStateError,
)
from ledger.errors import UnbalancedEntryError
from ledger.money import money
from projections.queries import entry, trial_balance_for
from projections.voucher_view import voucher_detail, voucher_for_entry, voucher_list
from runtime.bootstrap import Runtime
from tests.builders import TOWNSHIP, review_posts, village

DAY = datetime.date(2026, 3, 5)


def lines(amount: str = "1200.00", income: str = "504") -> list[dict[str, Any]]:
    return [
        {"account": "102", "debit": amount, "credit": None, "memo": "存入银行"},
        {"account": income, "debit": None, "credit": amount, "memo": ""},
    ]


def drafted(runtime: Runtime, code: str, **overrides: Any) -> Voucher:
    return runtime.app.vouchers.draft_voucher(
        entity=code,
        date=overrides.get("date", DAY),
        summary=overrides.get("summary", "收到土地流转费"),
        lines=overrides.get("lines", lines()),
        actor=overrides.get("actor", "zhang"),
    )


def events_of_books(runtime: Runtime, code: str) -> int:
    return runtime.app.get_books(code).version


def test_draft_submit_approve_then_post_one_entry_in_one_save(runtime: Runtime) -> None:
    """审核 and 记账 are two steps by two people (issue 20): the approval writes nothing to the
    books; another person's 记账 posts the entry in the voucher's save."""
    app = runtime.app
    code = village(app)
    voucher = drafted(runtime, code)
    assert voucher.status == "draft" and voucher.township == TOWNSHIP
    before = events_of_books(runtime, code)
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    assert events_of_books(runtime, code) == before  # submitting writes nothing to the books
    approved, entry_now = app.vouchers.approve_voucher(draft=voucher.draft, actor="li")
    assert approved.status == "reviewed" and entry_now is None
    assert events_of_books(runtime, code) == before  # nor does the approval
    runtime.views.catch_up()
    assert voucher_list(runtime.engine, townships=[TOWNSHIP], status="reviewed")[0]["draft"] == (
        voucher.draft
    )
    with pytest.raises(ForbiddenError):  # nobody posts what they reviewed
        app.vouchers.post_voucher(draft=voucher.draft, actor="li")
    done, posted = app.vouchers.post_voucher(draft=voucher.draft, actor="wang")
    assert done.status == "posted" and done.posted_number == posted.number
    assert posted.memo == "收到土地流转费" and posted.number.startswith("2026-")
    assert events_of_books(runtime, code) == before + 1
    # one save: the voucher's Posted and the books' EntryPosted share one moment
    assert app.vouchers.get_voucher(voucher.draft).modified_on == app.get_books(code).modified_on
    assert [h[0] for h in app.vouchers.get_voucher(voucher.draft).history] == [
        "drafted",
        "submitted",
        "reviewed",
        "posted",
    ]
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        view = entry(conn, code, posted.number)
        assert view is not None and view.actor == "wang" and view.memo == "收到土地流转费"
        balance = trial_balance_for(conn, code, "2026-03")
    assert any(
        line.account.code == "504" and line.credit == money("1200.00") for line in balance.lines
    )
    detail = voucher_detail(runtime.engine, voucher.draft)
    assert detail is not None
    assert detail["status"] == "posted" and detail["posted_number"] == posted.number
    assert (detail["preparer"], detail["reviewer"], detail["poster"]) == ("zhang", "li", "wang")
    assert detail["review_posted"] is False
    assert detail["total"] == "1200.00" and detail["total_capitals"] == "壹仟贰佰元整"
    assert [line["account_name"] for line in detail["lines"]] == ["银行存款", "其他收入"]
    assert [h["what"] for h in detail["history"]] == ["drafted", "submitted", "reviewed", "posted"]
    linked = voucher_for_entry(runtime.engine, code, posted.number)
    assert linked is not None and linked["draft"] == voucher.draft


def test_a_township_with_review_posts_posts_at_the_approval(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    review_posts(app)
    voucher = drafted(runtime, code)
    before = events_of_books(runtime, code)
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    approved, posted = app.vouchers.approve_voucher(draft=voucher.draft, actor="li")
    assert posted is not None
    assert approved.status == "posted" and approved.posted_number == posted.number
    assert events_of_books(runtime, code) == before + 1
    assert app.vouchers.get_voucher(voucher.draft).modified_on == app.get_books(code).modified_on
    runtime.views.catch_up()
    detail = voucher_detail(runtime.engine, voucher.draft)
    assert detail is not None and detail["review_posted"] is True
    assert (detail["reviewer"], detail["poster"]) == ("li", "li")
    assert [h["what"] for h in detail["history"]] == ["drafted", "submitted", "approved"]


def test_return_edit_resubmit_approve(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    voucher = drafted(runtime, code)
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    returned = app.vouchers.return_voucher(draft=voucher.draft, reason="金额与收据不符", actor="li")
    assert returned.status == "returned" and returned.returned_reason == "金额与收据不符"
    runtime.views.catch_up()
    row = voucher_list(runtime.engine, townships=[TOWNSHIP], status="returned")
    assert [r["draft"] for r in row] == [voucher.draft]
    assert row[0]["returned_reason"] == "金额与收据不符"
    app.vouchers.edit_voucher(
        draft=voucher.draft, date=DAY, summary="收到土地流转费（更正）", lines=lines("1300.00"),
        actor="zhang",
    )  # fmt: skip
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    app.vouchers.approve_voucher(draft=voucher.draft, actor="li")
    _, posted = app.vouchers.post_voucher(draft=voucher.draft, actor="zhang")
    assert posted.postings[0].amount == money("1300.00")
    runtime.views.catch_up()
    detail = voucher_detail(runtime.engine, voucher.draft)
    assert detail is not None and detail["returned_reason"] is None
    assert [h["what"] for h in detail["history"]] == [
        "drafted", "submitted", "returned", "edited", "submitted", "reviewed", "posted",
    ]  # fmt: skip
    assert detail["history"][2]["reason"] == "金额与收据不符"


def test_the_preparer_may_not_review_their_own_voucher(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    voucher = drafted(runtime, code)
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    before = events_of_books(runtime, code)
    with pytest.raises(OwnVoucherError) as refused:
        app.vouchers.approve_voucher(draft=voucher.draft, actor="zhang")
    assert isinstance(refused.value, ForbiddenError) and refused.value.kind == "own-voucher"
    assert (
        "自己制单" in (refused.value.zh or "") and "separation of duties" in refused.value.message
    )
    with pytest.raises(OwnVoucherError):
        app.vouchers.return_voucher(draft=voucher.draft, reason="x", actor="zhang")
    with pytest.raises(OwnVoucherError):  # the same person through their integration token
        app.vouchers.approve_voucher(draft=voucher.draft, actor="zhang@zhang-token")
    assert events_of_books(runtime, code) == before
    assert app.vouchers.get_voucher(voucher.draft).status == "submitted"
    app.vouchers.withdraw_voucher(
        draft=voucher.draft, actor="zhang@zhang-token"
    )  # still the preparer


def test_only_the_preparer_edits_submits_and_withdraws(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    voucher = drafted(runtime, code)
    with pytest.raises(NotPreparerError):
        app.vouchers.edit_voucher(
            draft=voucher.draft, date=DAY, summary="x", lines=lines(), actor="li"
        )
    with pytest.raises(NotPreparerError):
        app.vouchers.submit_voucher(draft=voucher.draft, actor="li")
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    with pytest.raises(VoucherStateError):  # submitted: not editable until withdrawn
        app.vouchers.edit_voucher(
            draft=voucher.draft, date=DAY, summary="x", lines=lines(), actor="zhang"
        )
    with pytest.raises(NotPreparerError):
        app.vouchers.withdraw_voucher(draft=voucher.draft, actor="li")
    assert app.vouchers.withdraw_voucher(draft=voucher.draft, actor="zhang").status == "draft"
    with pytest.raises(VoucherStateError):  # a draft is not reviewed
        app.vouchers.approve_voucher(draft=voucher.draft, actor="li")


def test_submit_checks_it_would_post_and_writes_nothing(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    unbalanced = drafted(
        runtime,
        code,
        lines=[
            {"account": "102", "debit": "100.00"},
            {"account": "504", "credit": "90.00"},
        ],
    )
    with pytest.raises(UnbalancedEntryError):
        app.vouchers.submit_voucher(draft=unbalanced.draft, actor="zhang")
    assert app.vouchers.get_voucher(unbalanced.draft).status == "draft"
    app.books.post_entry(
        entity=code,
        date=datetime.date(2026, 2, 1),
        memo="二月",
        postings=[
            {"account": "102", "side": "debit", "amount": "1.00"},
            {"account": "504", "side": "credit", "amount": "1.00"},
        ],
        actor="tester",
    )
    app.books.close_month(entity=code, month="2026-02", actor="tester")
    closed = drafted(runtime, code, date=datetime.date(2026, 2, 10))
    with pytest.raises(ClosedPeriodError):
        app.vouchers.submit_voucher(draft=closed.draft, actor="zhang")
    overdraft = drafted(
        runtime,
        code,
        lines=[
            {"account": "513", "debit": "9000000.00"},
            {"account": "102", "credit": "9000000.00"},
        ],
    )
    with pytest.raises(CashOverdraftError):
        app.vouchers.submit_voucher(draft=overdraft.draft, actor="zhang")


def test_approve_checks_again_against_the_books_as_they_stand(runtime: Runtime) -> None:
    """Submitted while it would post; the bank spent meanwhile refuses the approval, and
    nothing is written. (A month is not closed while a voucher dated in it waits: 结账 is
    refused, domain.books.closing.)"""
    app = runtime.app
    code = village(app)  # 500,000.00 in the bank
    voucher = drafted(
        runtime,
        code,
        date=datetime.date(2026, 2, 10),
        lines=[
            {"account": "513", "debit": "400000.00"},
            {"account": "102", "credit": "400000.00"},
        ],
    )
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    with pytest.raises(UnpostedVouchersError):
        app.books.close_month(entity=code, month="2026-02", actor="tester")
    app.books.post_entry(
        entity=code,
        date=datetime.date(2026, 2, 11),
        memo="工程款",
        postings=[
            {"account": "513", "side": "debit", "amount": "200000.00"},
            {"account": "102", "side": "credit", "amount": "200000.00"},
        ],
        actor="tester",
    )
    before = events_of_books(runtime, code)
    with pytest.raises(CashOverdraftError):
        app.vouchers.approve_voucher(draft=voucher.draft, actor="li")
    assert events_of_books(runtime, code) == before
    assert app.vouchers.get_voucher(voucher.draft).status == "submitted"
    with pytest.raises(VoucherStateError):
        app.vouchers.approve_voucher(draft=drafted(runtime, code).draft, actor="li")


def test_lines_are_checked_when_drafted(runtime: Runtime) -> None:
    from domain.errors import InvalidRequestError

    code = village(runtime.app)
    with pytest.raises(InvalidRequestError) as refused:
        drafted(runtime, code, lines=[{"account": "102", "debit": "1.00", "credit": "1.00"}])
    assert refused.value.field == "lines[0].debit"
    with pytest.raises(InvalidRequestError) as refused:
        drafted(runtime, code, summary="  ")
    assert refused.value.field == "summary"


def test_attachments_are_recorded_on_the_voucher(runtime: Runtime) -> None:
    from domain.vouchers import AttachmentError

    app = runtime.app
    code = village(app)
    voucher = drafted(runtime, code)
    sha = "ab" * 32
    app.vouchers.attach_document(
        draft=voucher.draft, sha256=sha, name="收据.jpg", media_type="image/jpeg", size=1234,
        actor="zhang",
    )  # fmt: skip
    with pytest.raises(AttachmentError):
        app.vouchers.attach_document(
            draft=voucher.draft, sha256="cd" * 32, name="a.gif", media_type="image/gif", size=1,
            actor="zhang",
        )  # fmt: skip
    runtime.views.catch_up()
    detail = voucher_detail(runtime.engine, voucher.draft)
    assert detail is not None and detail["attachment_count"] == 1
    assert detail["attachments"] == [
        {"sha256": sha, "name": "收据.jpg", "media_type": "image/jpeg", "size": 1234}
    ]


def test_rebuild_gives_the_same_rows(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    voucher = drafted(runtime, code)
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    app.vouchers.approve_voucher(draft=voucher.draft, actor="li")
    app.vouchers.post_voucher(draft=voucher.draft, actor="wang")
    from domain.bulk import Voucher as FileVoucher

    imported = app.bulk.import_vouchers(
        [FileVoucher(code, DAY, "导入的收款", tuple(posting_lines()))], actor="zhang"
    )
    made = str(imported.posted[0].draft)
    runtime.views.catch_up()
    before = [voucher_detail(runtime.engine, d) for d in (voucher.draft, made)]
    assert before[0] is not None and before[0]["poster"] == "wang"
    assert before[1] is not None and before[1]["import_id"] == imported.import_id
    runtime.views.rebuild()
    assert [voucher_detail(runtime.engine, d) for d in (voucher.draft, made)] == before


def posting_lines() -> list[dict[str, str]]:
    return [
        {"account": "102", "side": "debit", "amount": "10.00", "memo": ""},
        {"account": "504", "side": "credit", "amount": "10.00", "memo": ""},
    ]
