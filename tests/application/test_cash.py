"""现金盘点 on the in-memory store, through the runner: a count by denomination, a shortage and a
surplus booked to 181 in the same save, their settling by later vouchers, and the refusals with
nothing written."""

from __future__ import annotations

import datetime

import pytest

from domain.books.commands import CloseMonth
from domain.cash.commands import CountCash, ResolveCashDifference
from domain.errors import ConflictError, InvalidRequestError
from domain.township.commands import NameSigners
from tests.application.scenario_c import TOWNSHIP, VILLAGE, Story

D = datetime.date


def lines(entry: object) -> set[tuple[str, str, str]]:
    return {(p.account, p.side.value, str(p.amount.amount)) for p in entry.postings}  # type: ignore[attr-defined]


@pytest.fixture
def story() -> Story:
    told = Story()
    told.village()  # 101 holds 3,000.00 from 2026-01-01
    return told


def events(story: Story) -> int:
    return int(story.app.recorder.max_notification_id() or 0)


def test_a_shortage_goes_to_181_and_is_settled_in_two_vouchers(story: Story) -> None:
    app = story.app
    story.run(NameSigners(TOWNSHIP, supervisor="赵国庆", cashiers=((VILLAGE, "仉春燕"),)))
    # 2,965.40: 29 × 100, 1 × 50, 1 × 10, 1 × 5, 4 × 0.1 (短款 34.60)
    pieces = (("100", "29"), ("50", "1"), ("10", "1"), ("5", "1"), ("0.1", "4"), ("1", ""))
    number = story.run(CountCash(entity=VILLAGE, date=D(2026, 10, 31), pieces=pieces))
    assert number == "PD20261031"
    counts = app.cash.find(VILLAGE)
    assert counts is not None
    count = counts.counts[number]
    assert (count["counted"], count["book"], count["difference"]) == (296540, 300000, -3460)
    assert (count["cashier"], count["supervisor"]) == ("仉春燕", "赵国庆")  # the township's
    assert count["pieces"] == {"100": 29, "50": 1, "10": 1, "5": 1, "0.1": 4}
    assert lines(app.books.find_entry(VILLAGE, count["entry"])) == {
        ("181", "debit", "34.60"),
        ("101", "credit", "34.60"),
    }
    paid = story.run(
        ResolveCashDifference(VILLAGE, number, D(2026, 11, 2), account="112", amount="30.00")
    )
    assert lines(paid) == {("112", "debit", "30.00"), ("181", "credit", "30.00")}
    before = events(story)
    with pytest.raises(ConflictError) as error:
        story.run(ResolveCashDifference(VILLAGE, number, D(2026, 11, 2), "515", "5.00"))
    assert "超过尚未处理的差额 ¥4.60" in error.value.zh
    with pytest.raises(InvalidRequestError) as refused:
        story.run(ResolveCashDifference(VILLAGE, number, D(2026, 11, 2), account="504"))
    assert "短款可转入" in refused.value.zh
    assert events(story) == before
    rest = story.run(ResolveCashDifference(VILLAGE, number, D(2026, 11, 3), account="515"))
    assert lines(rest) == {("515", "debit", "4.60"), ("181", "credit", "4.60")}
    assert app.get_village(VILLAGE).fen("181") == 0
    with pytest.raises(ConflictError):
        story.run(ResolveCashDifference(VILLAGE, number, D(2026, 11, 3), account="515"))


def test_a_surplus_and_an_exact_count(story: Story) -> None:
    app = story.app
    exact = story.run(CountCash(VILLAGE, D(2026, 10, 30), (("100", "30"),), cashier="张三"))
    counts = app.cash.find(VILLAGE)
    assert counts is not None and counts.counts[exact]["entry"] is None
    surplus = story.run(
        CountCash(VILLAGE, D(2026, 10, 30), (("100", "30"), ("0.5", "3")), supervisor="李四")
    )
    assert surplus == "PD20261030-2"
    counts = app.cash.find(VILLAGE)
    assert counts is not None
    entry = app.books.find_entry(VILLAGE, counts.counts[surplus]["entry"])
    assert lines(entry) == {("101", "debit", "1.50"), ("181", "credit", "1.50")}
    settled = story.run(ResolveCashDifference(VILLAGE, surplus, D(2026, 10, 31), "504"))
    assert lines(settled) == {("181", "debit", "1.50"), ("504", "credit", "1.50")}


def test_refused_counts_write_nothing(story: Story) -> None:
    story.run(CloseMonth(entity=VILLAGE, month="2026-09"))
    before = events(story)
    for pieces, day, words in [
        ((("3", "1"),), D(2026, 10, 1), "不是人民币的面额"),
        ((("100", "-1"),), D(2026, 10, 1), "整数"),
        ((("100", "1"),), D(2026, 9, 30), "结账"),  # a difference in a closed month
        ((("100", "30"),), D(2026, 12, 8), "晚于今天"),
    ]:
        with pytest.raises((InvalidRequestError, ConflictError)) as error:
            story.run(CountCash(VILLAGE, day, pieces))
        assert words in error.value.zh, error.value.zh
    assert events(story) == before
