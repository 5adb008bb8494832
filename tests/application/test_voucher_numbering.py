"""Voucher numbers (凭证号) by the township's setting (``domain.township``): per set of books,
month and 凭证字 under monthly numbering, per year under yearly; a set of books keeps yearly
numbers for a year it already has entries in and switches at its next year.

The defect of issue 20 item 5 first: under yearly numbering a July voucher posted after a
December one took the year's next number (2025-0002 dated July after 2025-0001 dated 31
December); under monthly numbering it takes July's own first number."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.books.numbering import CHOICE, upcast_v2_v3
from domain.errors import InvalidRequestError
from domain.ids import entity_id
from domain.runner import Caller, Runner
from domain.township.commands import ChooseSettings
from domain.vouchers.commands import (
    ApproveVoucher,
    DraftVoucher,
    EditVoucher,
    PostVoucher,
    SubmitVoucher,
)
from tests.builders import TOWNSHIP, receipt, village

D = datetime.date
CLERK = Caller("clerk-1", frozenset({TOWNSHIP}))


def new_app(numbering: str = "monthly") -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo", "LIANZHANG_NUMBERING": numbering},
        today=lambda: D(2026, 11, 23),
    )


@pytest.fixture
def app() -> LianzhangApplication:
    return new_app()


def test_a_july_voucher_posted_after_december_takes_julys_number(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    december = app.books.post_entry(
        entity=code, date=D(2025, 12, 31), memo="年末收租", postings=receipt("100.00"), actor="a"
    )
    july = app.books.post_entry(
        entity=code, date=D(2025, 7, 5), memo="补记七月租金", postings=receipt("50.00"), actor="a"
    )
    assert december.number == "2025-12-J-0001"
    assert july.number == "2025-07-J-0001"  # July's own first number, not 2025-0002


def split(app: LianzhangApplication, numbering: str = "monthly") -> None:
    """The township keeps 收款, 付款 and 转账凭证 apart."""
    Runner(app).run(ChooseSettings(TOWNSHIP, numbering, False, words="split"), CLERK)


def post(
    app: LianzhangApplication, code: str, day: D, rows: list[dict[str, str]], **kw: str
) -> str:
    entry = app.books.post_entry(entity=code, date=day, memo="记账", postings=rows, actor="a", **kw)
    return entry.number


def row(account: str, side: str, amount: str = "10.00") -> dict[str, str]:
    return {"account": account, "side": side, "amount": amount}


def test_numbers_count_per_month_and_word_and_never_leave_their_month(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    split(app)
    receipt_ = [row("102", "debit"), row("504", "credit")]
    payment = [row("511", "debit"), row("102", "credit")]
    transfer = [row("121", "debit"), row("211", "credit")]
    to_cash = [row("101", "debit"), row("102", "credit")]  # 提现: a 付款凭证
    assert post(app, code, D(2025, 3, 20), receipt_) == "2025-03-S-0001"
    assert post(app, code, D(2025, 3, 21), payment) == "2025-03-F-0001"
    assert post(app, code, D(2025, 3, 22), transfer) == "2025-03-Z-0001"
    assert post(app, code, D(2025, 3, 5), receipt_) == "2025-03-S-0002"  # posted later: next
    assert post(app, code, D(2025, 4, 1), receipt_) == "2025-04-S-0001"
    assert post(app, code, D(2025, 3, 25), to_cash) == "2025-03-F-0002"
    assert post(app, code, D(2025, 3, 26), to_cash, word="收") == "2025-03-S-0003"
    books = app.get_books(code)
    assert books.month_sequences == {"2025-03-S": 3, "2025-03-F": 2, "2025-03-Z": 1, "2025-04-S": 1}
    assert books.year_schemes == {"2025": "monthly"} and books.sequences == {}
    assert books.has_entry("2025-03-F-0002") and not books.has_entry("2025-03-F-0003")
    assert not books.has_entry("2025-0001")
    assert books.entry_numbers()[:3] == ["2025-03-F-0001", "2025-03-F-0002", "2025-03-S-0001"]


def test_a_word_that_does_not_fit_the_lines_is_refused_and_nothing_written(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    split(app)
    before = app.get_books(code).version
    with pytest.raises(InvalidRequestError) as refused:
        post(app, code, D(2025, 3, 20), [row("102", "debit"), row("504", "credit")], word="转")
    assert refused.value.field == "word" and "只能是“收”字" in refused.value.zh
    Runner(app).run(ChooseSettings(TOWNSHIP, "monthly", False, words="single"), CLERK)
    with pytest.raises(InvalidRequestError) as single:
        post(app, code, D(2025, 3, 20), [row("102", "debit"), row("504", "credit")], word="收")
    assert "只用记字" in single.value.zh
    assert app.get_books(code).version == before


def test_books_with_yearly_numbers_in_a_year_keep_them_and_switch_at_the_next_year() -> None:
    app = new_app("yearly")  # the township has not chosen: this deployment numbers yearly
    code = village(app)
    assert post(app, code, D(2025, 11, 3), [row("102", "debit"), row("504", "credit")]) == (
        "2025-0001"
    )
    Runner(app).run(ChooseSettings(TOWNSHIP, "monthly", False), CLERK)  # from now on: monthly
    # 2025 has entries under yearly numbering: it keeps them
    assert post(app, code, D(2025, 12, 31), [row("511", "debit"), row("102", "credit")]) == (
        "2025-0002"
    )
    # its next year is monthly, by month and 凭证字 (记 only: the township's words)
    assert post(app, code, D(2026, 1, 8), [row("102", "debit"), row("504", "credit")]) == (
        "2026-01-J-0001"
    )
    # an earlier open month of the yearly year still takes the year's next number
    assert post(app, code, D(2025, 12, 30), [row("102", "debit"), row("504", "credit")]) == (
        "2025-0003"
    )
    books = app.get_books(code)
    assert books.year_schemes == {"2025": "yearly", "2026": "monthly"}
    assert books.entry_numbers() == ["2025-0001", "2025-0002", "2025-0003", "2026-01-J-0001"]


def test_a_red_ink_reversal_keeps_its_originals_word_in_its_own_month(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    split(app)
    original = post(
        app, code, D(2025, 3, 25), [row("101", "debit"), row("102", "credit")], word="收"
    )
    reversal = app.books.reverse_entry(
        entity=code, number=original, date=D(2025, 4, 2), reason="重复记账", actor="a"
    )
    assert (original, reversal.number) == ("2025-03-S-0001", "2025-04-S-0001")
    assert reversal.memo == "冲销 2025年3月 收字第1号: 重复记账"


def test_the_year_end_closing_and_its_reopening_number_in_december(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    split(app)
    post(app, code, D(2025, 12, 5), [row("102", "debit"), row("504", "credit")])
    app.books.close_month(entity=code, month="2025-12", actor="a")
    entries, _ = app.books.close_year(entity=code, year=2025, actor="a")
    assert [e.number for e in entries] == ["2025-12-Z-0001", "2025-12-Z-0002"]
    reversals = app.books.reopen_year(entity=code, year=2025, reason="补记", actor="a")
    assert [r.number for r in reversals] == ["2025-12-Z-0003", "2025-12-Z-0004"]


def test_a_voucher_shows_the_number_it_would_take_and_posts_with_it(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    split(app)
    preparer = Caller("zhidan", frozenset({TOWNSHIP}))
    reviewer = Caller("shenhe", frozenset({TOWNSHIP}))
    runner = Runner(app)
    lines = (
        {"account": "101", "debit": "100.00", "credit": None, "memo": "提现备用"},
        {"account": "102", "debit": None, "credit": "100.00", "memo": ""},
    )
    draft = runner.run(
        DraftVoucher(entity=code, date=D(2025, 6, 9), summary="提取现金", lines=lines), preparer
    ).result
    voucher = app.vouchers.get_voucher(draft)
    assert voucher.word is None
    assert app.vouchers.expected_number(voucher) == "2025-06-F-0001"
    runner.run(
        EditVoucher(draft=draft, date=D(2025, 6, 9), summary="提取现金", lines=lines, word="收"),
        preparer,
    )
    voucher = app.vouchers.get_voucher(draft)
    assert voucher.word == "收" and app.vouchers.expected_number(voucher) == "2025-06-S-0001"
    assert app.books.next_number(entity=code, date=D(2025, 6, 30)) == "2025-06-Z-0001"
    runner.run(SubmitVoucher(draft=draft), preparer)
    runner.run(ApproveVoucher(draft=draft), reviewer)
    assert app.vouchers.get_voucher(draft).posted_number is None  # 审核 and 记账 apart
    runner.run(PostVoucher(draft=draft), Caller("jizhang", frozenset({TOWNSHIP})))
    voucher = app.vouchers.get_voucher(draft)
    assert voucher.posted_number == "2025-06-S-0001"
    assert app.vouchers.expected_number(voucher) == "2025-06-S-0001"


def test_a_chosen_word_that_does_not_fit_stops_the_submission(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    split(app)
    preparer = Caller("zhidan", frozenset({TOWNSHIP}))
    lines = (
        {"account": "102", "debit": "100.00", "credit": None, "memo": ""},
        {"account": "504", "debit": None, "credit": "100.00", "memo": ""},
    )
    runner = Runner(app)
    draft = runner.run(
        DraftVoucher(entity=code, date=D(2025, 6, 9), summary="收租", lines=lines, word="付"),
        preparer,
    ).result
    with pytest.raises(InvalidRequestError) as refused:
        runner.run(SubmitVoucher(draft=draft), preparer)
    assert "只能是“收”字" in refused.value.zh
    assert app.vouchers.get_voucher(draft).status == "draft"
    with pytest.raises(InvalidRequestError):
        runner.run(
            EditVoucher(draft=draft, date=D(2025, 6, 9), summary="收租", lines=lines, word="甲"),
            preparer,
        )


def test_a_snapshot_keeps_the_counters_and_leaves_the_townships_choice_out(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    for day in range(1, 61):  # a snapshot every 50 events of the books
        post(app, code, D(2025, 3, 1 + day % 28), [row("102", "debit"), row("504", "credit")])
    snapshot = list(app.snapshots.get(entity_id(code)))[-1]  # type: ignore[union-attr]
    assert CHOICE not in snapshot.state and snapshot.state["class_version"] == 3
    assert snapshot.state["month_sequences"] == {"2025-03-J": 48}
    app.repository.cache = None  # type: ignore[assignment]  # load from the snapshot
    books = app.get_books(code)
    assert books.month_sequences == {"2025-03-J": 60} and books.year_schemes == {"2025": "monthly"}
    assert post(app, code, D(2025, 3, 31), [row("102", "debit"), row("504", "credit")]) == (
        "2025-03-J-0061"
    )


def test_a_version_2_snapshot_counts_its_years_as_yearly() -> None:
    state = {"sequences": {"2025": 14}, "balances": {}}
    upcast_v2_v3(state)
    assert state["year_schemes"] == {"2025": "yearly"} and state["month_sequences"] == {}
