"""结账, 反结账 and 年终结转 on the in-memory store (``domain.books.closing``): a month is closed
only once every voucher dated in it is posted and its trial balance balances; only the latest
closed month is reopened, with a reason, and not under a published 三公开 sheet unless a new
version is to follow; a year is closed only after its twelve months."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.books import Books
from domain.books.closing import UnpostedVouchersError, check_trial_balance
from domain.books.commands import CloseMonth, CloseYear, ReopenMonth
from domain.errors import ClosedPeriodError, ConflictError, InvalidRequestError
from domain.runner import Caller, Runner
from tests import builders
from tests.application.small import application, events
from tests.builders import receipt

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return application()  # today is 2026-11-23


def draft(app: LianzhangApplication, entity: str, day: datetime.date, summary: str) -> str:
    voucher = app.vouchers.draft_voucher(
        entity=entity,
        date=day,
        summary=summary,
        lines=[{"account": "102", "debit": "10.00"}, {"account": "504", "credit": "10.00"}],
        actor="zhang",
    )
    return voucher.draft


def test_a_year_is_closed_only_after_its_twelve_months(app: LianzhangApplication) -> None:
    village = builders.village(app)
    app.books.post_entry(
        entity=village, date=D(2025, 3, 1), memo="租金", postings=receipt("100.00"), actor="t"
    )
    app.books.close_month(entity=village, month="2025-11", actor="t")
    before = events(app)
    with pytest.raises(ConflictError) as refused:
        app.books.close_year(entity=village, year=2025, actor="t")
    assert refused.value.field == "year"
    assert "2025-12" in refused.value.message
    assert refused.value.zh is not None and "12 月" in refused.value.zh
    assert events(app) == before
    app.books.close_month(entity=village, month="2025-12", actor="t")
    entries, _ = app.books.close_year(entity=village, year=2025, actor="t")
    assert entries[0].memo == "结转本年收益"


def test_a_month_with_vouchers_not_posted_is_not_closed(app: LianzhangApplication) -> None:
    village = builders.village(app)
    other = builders.village(app)
    drafted = draft(app, village, D(2025, 2, 10), "二月草稿")
    submitted = draft(app, village, D(2025, 3, 5), "三月待审")
    app.vouchers.submit_voucher(draft=submitted, actor="zhang")
    returned = draft(app, village, D(2025, 3, 20), "三月退回")
    app.vouchers.submit_voucher(draft=returned, actor="zhang")
    app.vouchers.return_voucher(draft=returned, reason="附件不全", actor="li")
    reviewed = draft(app, village, D(2025, 3, 22), "三月已审核")  # 已审核, not posted
    app.vouchers.submit_voucher(draft=reviewed, actor="zhang")
    app.vouchers.approve_voucher(draft=reviewed, actor="li")
    posted = draft(app, village, D(2025, 3, 25), "三月已记账")
    app.vouchers.submit_voucher(draft=posted, actor="zhang")
    app.vouchers.approve_voucher(draft=posted, actor="li")
    app.vouchers.post_voucher(draft=posted, actor="zhang")
    draft(app, village, D(2025, 4, 1), "四月草稿")  # after the months closed
    draft(app, other, D(2025, 3, 1), "别村草稿")  # other books
    before = events(app)

    with pytest.raises(UnpostedVouchersError) as refused:
        app.books.close_month(entity=village, month="2025-03", actor="t")
    found = refused.value.vouchers
    assert [(v.draft, v.status, v.summary) for v in found] == [
        (drafted, "draft", "二月草稿"),
        (submitted, "submitted", "三月待审"),
        (returned, "returned", "三月退回"),
        (reviewed, "reviewed", "三月已审核"),
    ]
    assert refused.value.details == {"vouchers": f"{drafted},{submitted},{returned},{reviewed}"}
    assert f"/v1/vouchers/{drafted}" in refused.value.message
    assert refused.value.zh is not None
    assert "2025-02-10 二月草稿（草稿）" in refused.value.zh
    assert "三月退回（已退回）" in refused.value.zh
    assert "三月已审核（已审核）" in refused.value.zh
    assert events(app) == before
    assert app.get_books(village).closed_through is None

    # January has none of them: it closes; March still waits for its vouchers
    app.books.close_month(entity=village, month="2025-01", actor="t")
    app.vouchers.submit_voucher(draft=drafted, actor="zhang")
    app.vouchers.approve_voucher(draft=drafted, actor="li")
    app.vouchers.post_voucher(draft=drafted, actor="zhang")
    with pytest.raises(UnpostedVouchersError) as refused:
        app.books.close_month(entity=village, month="2025-03", actor="t")
    assert [v.draft for v in refused.value.vouchers] == [submitted, returned, reviewed]
    app.books.close_month(entity=village, month="2025-02", actor="t")
    # the voucher moved to April by its preparer no longer holds March; the others posted
    app.vouchers.approve_voucher(draft=submitted, actor="li")
    app.vouchers.post_voucher(draft=submitted, actor="zhang")
    app.vouchers.post_voucher(draft=reviewed, actor="zhang")
    app.vouchers.edit_voucher(
        draft=returned,
        date=D(2025, 4, 2),
        summary="四月补",
        lines=[{"account": "102", "debit": "10.00"}, {"account": "504", "credit": "10.00"}],
        actor="zhang",
    )
    app.books.close_month(entity=village, month="2025-03", actor="t")
    assert app.get_books(village).closed_through == "2025-03"


def test_a_voided_voucher_does_not_hold_its_month_open(app: LianzhangApplication) -> None:
    village = builders.village(app)
    voided = draft(app, village, D(2025, 5, 10), "录错作废")
    with pytest.raises(UnpostedVouchersError):
        app.books.close_month(entity=village, month="2025-05", actor="t")
    app.vouchers.void_voucher(draft=voided, reason="金额录错，重新录入", actor="zhang")
    app.books.close_month(entity=village, month="2025-05", actor="t")
    assert app.get_books(village).closed_through == "2025-05"


def test_a_month_whose_trial_balance_does_not_balance_is_not_closed() -> None:
    """Every entry is balanced when posted, so this guards against stored books that are not
    (an import of old data, a store mended by hand): checked on the balances it is given."""
    check_trial_balance("V01", "2025-03", {"102": 100000, "504": -100000})
    with pytest.raises(ConflictError) as refused:
        check_trial_balance("V01", "2025-03", {"102": 100000, "504": -90000})
    assert "借方合计 ¥1,000.00" in (refused.value.zh or "")
    assert "贷方合计 ¥900.00" in (refused.value.zh or "")


def test_the_latest_closed_month_is_reopened_with_a_reason(app: LianzhangApplication) -> None:
    village = builders.village(app)
    app.books.close_month(entity=village, month="2025-04", actor="t")
    runner = Runner(app)
    caller = Caller("wangfang")
    before = events(app)
    for command, error, field in (
        (ReopenMonth(entity=village, month="2025-03", reason="错"), ConflictError, "month"),
        (ReopenMonth(entity=village, month="2025-04", reason="  "), InvalidRequestError, "reason"),
        (ReopenMonth(entity=village, month="2025-4", reason="错"), InvalidRequestError, "month"),
    ):
        with pytest.raises(error) as refused:
            runner.run(command, caller)
        assert refused.value.field == field
        assert refused.value.zh
    assert events(app) == before

    outcome = runner.run(ReopenMonth(entity=village, month="2025-04", reason="漏记电费"), caller)
    assert outcome.result == village
    books = app.get_books(village)
    assert books.closed_through == "2025-03"
    (event,) = [e for e in app.stream(books.id) if type(e).__name__ == "MonthReopened"]
    assert (event.month, event.closed_through, event.reason, event.actor) == (
        "2025-04",
        "2025-03",
        "漏记电费",
        "wangfang",
    )
    # the month takes entries again, March does not
    app.books.post_entry(
        entity=village, date=D(2025, 4, 9), memo="电费", postings=receipt("5.00"), actor="t"
    )
    with pytest.raises(ClosedPeriodError):
        app.books.post_entry(
            entity=village, date=D(2025, 3, 9), memo="电费", postings=receipt("5.00"), actor="t"
        )
    # replayed from its events alone (no snapshot, no cache), the books say the same
    replayed = None
    for stored in app.stream(books.id):
        replayed = stored.mutate(replayed)
    assert isinstance(replayed, Books) and replayed.closed_through == "2025-03"
    runner.run(ReopenMonth(entity=village, month="2025-03", reason="再查"), caller)
    runner.run(ReopenMonth(entity=village, month="2025-02", reason="再查"), caller)
    runner.run(ReopenMonth(entity=village, month="2025-01", reason="再查"), caller)
    # before the opening balances nothing is closed: the books are as before any closing
    assert app.get_books(village).closed_through is None
    runner.run(CloseMonth(entity=village, month="2025-02"), caller)
    assert app.get_books(village).closed_through == "2025-02"


def test_a_month_of_a_closed_year_is_reopened_after_the_year(app: LianzhangApplication) -> None:
    village = builders.village(app)
    app.books.close_month(entity=village, month="2025-12", actor="t")
    Runner(app).run(CloseYear(entity=village, year=2025), Caller("t"))
    with pytest.raises(ConflictError) as refused:
        app.books.reopen_month(entity=village, month="2025-12", reason="错", actor="t")
    assert "重新打开 2025 年度" in (refused.value.zh or "")
    app.books.reopen_year(entity=village, year=2025, reason="补记", actor="t")
    app.books.reopen_month(entity=village, month="2025-12", reason="补记", actor="t")
    assert app.get_books(village).closed_through == "2025-11"


def test_a_month_under_a_published_sheet_is_reopened_only_for_a_new_version(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    app.books.close_month(entity=village, month="2025-06", actor="t")
    app.disclosure.publish_sheet(
        village=village,
        period="2025-Q2",
        content={"income": {"total": "1.00"}},
        checked_by=["王五"],
        checked_on=D(2025, 7, 3),
        reason="",
        actor="t",
    )
    before = events(app)
    with pytest.raises(ConflictError) as refused:
        app.books.reopen_month(entity=village, month="2025-06", reason="错", actor="t")
    assert refused.value.field == "new_version_follows"
    assert "2025-Q2" in (refused.value.zh or "")
    assert events(app) == before
    app.books.reopen_month(
        entity=village, month="2025-06", reason="错", new_version_follows=True, actor="t"
    )
    (event,) = [
        e for e in app.stream(app.get_books(village).id) if type(e).__name__ == "MonthReopened"
    ]
    assert event.sheets == ["2025-Q2"]
    # May and April are under the same sheet; March is under none
    with pytest.raises(ConflictError):
        app.books.reopen_month(entity=village, month="2025-05", reason="错", actor="t")
    for month in ("2025-05", "2025-04"):
        app.books.reopen_month(
            entity=village, month=month, reason="错", new_version_follows=True, actor="t"
        )
    app.books.reopen_month(entity=village, month="2025-03", reason="错", actor="t")
    assert app.get_books(village).closed_through == "2025-02"
