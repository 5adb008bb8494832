"""Bank accounts on the in-memory store, through the runner: Scenario C's 调节表 to the fen with
two 未达账项 carried over October's end, matches as events undone by events, 结账 warned or
refused by the township's setting, and every refused statement (a duplicate, an overlap, a gap,
another account, another township, a mis-chained balance) with nothing written."""

from __future__ import annotations

import datetime

import pytest

from domain.bank.commands import (
    ImportStatement,
    MatchLines,
    ReconcileMonth,
    RegisterBankAccount,
    UndoMatch,
)
from domain.bank.reconciliation import Reconciliation
from domain.bank.service import BankNotReconciledError
from domain.books.commands import CloseMonth, PostEntry, ReverseEntry
from domain.errors import ConflictError, ForbiddenTownshipError, InvalidRequestError
from domain.runner import Caller
from domain.township.commands import ChooseSettings
from tests.application.scenario_c import ACCOUNT, TOWNSHIP, VILLAGE, Story, statement

D = datetime.date


def events(story: Story) -> int:
    return int(story.app.recorder.max_notification_id() or 0)


def confirm_proposals(story: Story) -> tuple[str, ...]:
    proposals = story.app.bank.proposals(VILLAGE, ACCOUNT)
    groups = tuple((p.bank, p.book) for p in proposals)
    made: tuple[str, ...] = story.run(
        MatchLines(entity=VILLAGE, account=ACCOUNT, groups=groups, kind="proposed")
    )
    return made


def figures(table: Reconciliation) -> tuple[int, ...]:
    totals = table.totals
    return (
        table.book_balance,
        totals["bank_in"],
        totals["bank_out"],
        table.adjusted_book,
        table.bank_balance,
        totals["book_in"],
        totals["book_out"],
        table.adjusted_bank,
    )


@pytest.fixture
def story() -> Story:
    told = Story()
    told.village()
    told.post("2026-09")
    told.import_month("2026-09")
    confirm_proposals(told)
    told.run(ReconcileMonth(entity=VILLAGE, account=ACCOUNT, month="2026-09"))
    return told


def test_scenario_c_reconciles_october_to_the_fen_and_november_from_its_two_items(
    story: Story,
) -> None:
    story.post("2026-10")
    assert story.import_month("2026-10") == 2
    proposals = story.app.bank.proposals(VILLAGE, ACCOUNT)
    assert [(p.amount, p.days) for p in proposals] == [(1200000, 0), (-86050, 1)]
    assert len(confirm_proposals(story)) == 2
    october = story.run(ReconcileMonth(entity=VILLAGE, account=ACCOUNT, month="2026-10"))
    # books 256,139.50 + 23.45 − 0.00 = 256,162.95; bank 261,162.95 + 0.00 − 5,000.00
    assert figures(october) == (25613950, 2345, 0, 25616295, 26116295, 0, 500000, 25616295)
    assert [(i.kind_label, i.amount, i.line.date) for i in october.items] == [
        ("单位已付银行未付", 500000, D(2026, 10, 30)),
        ("银行已收单位未收", 2345, D(2026, 10, 31)),
    ]
    story.run(CloseMonth(entity=VILLAGE, month="2026-10"))
    assert story.app.get_books(VILLAGE).closed_through == "2026-10"

    story.post("2026-11")
    story.import_month("2026-11")
    proposals = story.app.bank.proposals(VILLAGE, ACCOUNT)
    # the cheque by its number first, then the interest (5 days), the rent (same day)
    assert [(p.amount, p.days) for p in proposals] == [(-500000, 4), (800000, 0), (2345, 5)]
    assert "参考号相符" in proposals[0].reason
    confirm_proposals(story)
    november = story.run(ReconcileMonth(entity=VILLAGE, account=ACCOUNT, month="2026-11"))
    # the two October items cleared in November; the bank's fee of 11-30 is November's own
    assert figures(november) == (26416295, 0, 1500, 26414795, 26414795, 0, 0, 26414795)
    again = story.app.bank.reconciliation(VILLAGE, ACCOUNT, "2026-10")
    assert figures(again) == figures(october)  # October's items stay October's
    assert [i.settled_on for i in again.items] == [D(2026, 11, 3), D(2026, 11, 5)]
    story.run(CloseMonth(entity=VILLAGE, month="2026-11"))


def test_a_refused_statement_writes_nothing(story: Story) -> None:
    story.post("2026-10")
    story.import_month("2026-10")
    before = events(story)
    refusals = [
        (statement("2026-10", digest="another-file"), "已经导入过"),
        (statement("2026-11", start=D(2026, 10, 20), lines=()), "重叠"),
        (statement("2026-11", account_number="6228480012345678"), "不是 10201"),
        (statement("2026-11", opening="261000.00"), "接不上"),
        (
            statement("2026-11", start=D(2026, 11, 2), lines=statement("2026-11").lines[1:]),
            "不连续",
        ),
        (statement("2026-11", closing="1.00"), "期末余额"),
    ]
    for refused, words in refusals:
        with pytest.raises((ConflictError, InvalidRequestError)) as error:
            story.run(ImportStatement(entity=VILLAGE, account=ACCOUNT, statement=refused))
        assert words in error.value.zh, error.value.zh
    # a line whose stated balance does not follow from the one before (a row left out)
    lines = statement("2026-11").lines
    with pytest.raises(ConflictError, match="余额") as error:
        story.run(
            ImportStatement(
                entity=VILLAGE,
                account=ACCOUNT,
                statement=statement("2026-11", lines=(lines[0], lines[2])),
            )
        )
    assert "第6行" not in error.value.zh and "余额 264,147.95" in error.value.zh
    # another township's clerk, on this township's account
    with pytest.raises(ForbiddenTownshipError):
        story.run(
            ImportStatement(entity=VILLAGE, account=ACCOUNT, statement=statement("2026-11")),
            Caller("clerk-2", frozenset({"花沟镇"})),
        )
    assert events(story) == before
    assert story.import_month("2026-11") == 3  # the right one still goes in


def test_matches_are_events_undone_by_events(story: Story) -> None:
    app = story.app
    story.post("2026-10")
    story.import_month("2026-10")
    bank, book = app.bank.unmatched(VILLAGE, ACCOUNT)
    rent = next(line.id for line in bank if line.amount == 1200000)
    power = next(line.id for line in book if line.amount == -86050)
    with pytest.raises(ConflictError) as error:
        story.run(MatchLines(VILLAGE, ACCOUNT, (((rent,), (power,)),)))
    assert "金额不等" in error.value.zh
    # one statement line against two postings (the rent paid in two vouchers)
    part = story.run(
        PostEntry(
            entity=VILLAGE,
            date=D(2026, 10, 9),
            memo="冲减多记租金",
            postings=(
                {"account": "501", "side": "debit", "amount": "2000.00"},
                {"account": ACCOUNT, "side": "credit", "amount": "2000.00"},
            ),
        )
    )
    extra = story.run(
        PostEntry(
            entity=VILLAGE,
            date=D(2026, 10, 9),
            memo="补记租金",
            postings=(
                {"account": ACCOUNT, "side": "debit", "amount": "2000.00"},
                {"account": "501", "side": "credit", "amount": "2000.00"},
            ),
        )
    )
    rent_book = next(line.id for line in book if line.amount == 1200000)
    group = ((rent,), (rent_book, f"{part.number}#2", f"{extra.number}#1"))
    (made,) = story.run(MatchLines(VILLAGE, ACCOUNT, (group,), note="一笔到账对三张凭证"))
    assert app.bank.get_account(VILLAGE, ACCOUNT).matches[made]["kind"] == "manual"
    with pytest.raises(ConflictError) as error:
        story.run(MatchLines(VILLAGE, ACCOUNT, (((rent,), (rent_book,)),)))
    assert "已经勾对" in error.value.zh
    before = events(story)
    with pytest.raises(InvalidRequestError):
        story.run(UndoMatch(VILLAGE, ACCOUNT, made, reason=" "))
    assert events(story) == before
    story.run(UndoMatch(VILLAGE, ACCOUNT, made, reason="勾错了"))
    with pytest.raises(ConflictError):
        story.run(UndoMatch(VILLAGE, ACCOUNT, made, reason="再撤"))
    bank_after, _ = app.bank.unmatched(VILLAGE, ACCOUNT)
    assert rent in {line.id for line in bank_after}
    kinds = [type(e).__name__ for e in app.events_of_topic("domain.bank:BankAccount.MatchUndone")]
    assert kinds == ["MatchUndone"]


def test_a_red_ink_reversal_is_proposed_with_its_original(story: Story) -> None:
    wrong = story.run(
        PostEntry(
            entity=VILLAGE,
            date=D(2026, 10, 12),
            memo="误记收款",
            postings=(
                {"account": ACCOUNT, "side": "debit", "amount": "99.00"},
                {"account": "504", "side": "credit", "amount": "99.00"},
            ),
        )
    )
    story.run(
        ReverseEntry(entity=VILLAGE, number=wrong.number, date=D(2026, 10, 13), reason="误记")
    )
    (proposal,) = story.app.bank.proposals(VILLAGE, ACCOUNT)
    assert proposal.bank == () and proposal.book[0] == f"{wrong.number}#1"
    assert "红字冲销" in proposal.reason


def test_closing_warns_and_refuses_as_the_township_chose(story: Story) -> None:
    app = story.app
    story.post("2026-10")
    story.import_month("2026-10")
    books = app.get_books(VILLAGE)
    problems = app.bank.closing_problems(books, "2026-10")
    assert problems == [
        "10201 高青农商银行（****3021） 2026-10 尚未对账（未确认银行存款余额调节表）"
    ]
    numbering = app.township.choices(TOWNSHIP).numbering
    chosen = story.run(ChooseSettings(TOWNSHIP, numbering, False, bank_reconciled_to_close=True))
    assert chosen.bank_reconciled_to_close and "不能结账" in chosen.bank_label
    before = events(story)
    with pytest.raises(BankNotReconciledError) as error:
        story.run(CloseMonth(entity=VILLAGE, month="2026-10"))
    assert "银行存款未对账" in error.value.zh and "2026-10" in error.value.zh
    assert events(story) == before and app.get_books(VILLAGE).closed_through is None
    with pytest.raises(ConflictError) as refused:  # the statement does not reach 11-30
        story.run(ReconcileMonth(entity=VILLAGE, account=ACCOUNT, month="2026-11"))
    assert "只导入到 2026-10-31" in refused.value.zh
    confirm_proposals(story)
    story.run(ReconcileMonth(entity=VILLAGE, account=ACCOUNT, month="2026-10"))
    story.run(CloseMonth(entity=VILLAGE, month="2026-10"))
    assert app.get_books(VILLAGE).closed_through == "2026-10"


def test_a_warning_only_township_closes_and_a_later_posting_unconfirms(story: Story) -> None:
    app = story.app
    story.post("2026-10")
    story.import_month("2026-10")
    story.run(ReconcileMonth(entity=VILLAGE, account=ACCOUNT, month="2026-10"))
    story.run(
        PostEntry(
            entity=VILLAGE,
            date=D(2026, 10, 31),
            memo="补记手续费",
            postings=(
                {"account": "513", "side": "debit", "amount": "5.00"},
                {"account": ACCOUNT, "side": "credit", "amount": "5.00"},
            ),
        )
    )
    (problem,) = app.bank.closing_problems(app.get_books(VILLAGE), "2026-10")
    assert "账簿余额有变动" in problem
    story.run(CloseMonth(entity=VILLAGE, month="2026-10"))  # the default: a warning only
    assert app.get_books(VILLAGE).closed_through == "2026-10"


def test_an_account_whose_opening_disagrees_shows_the_difference() -> None:
    told = Story()
    told.village()
    told.run(
        RegisterBankAccount(
            entity=VILLAGE,
            account="10202",
            name="农行唐坊分理处",
            bank="中国农业银行",
            number="1537 0101 0400 0888",
            start=D(2026, 9, 1),
            opening="100.00",
        )
    )
    table = told.app.bank.reconciliation(VILLAGE, "10202", "2026-09")
    assert (table.book_balance, table.bank_balance, table.difference) == (0, 10000, -10000)
    with pytest.raises(ConflictError):  # no statement yet: refused before the arithmetic
        told.run(ReconcileMonth(entity=VILLAGE, account="10202", month="2026-09"))
    with pytest.raises(ConflictError) as error:  # the same number twice
        told.run(
            RegisterBankAccount(
                entity=VILLAGE,
                account="10203",
                bank="中国农业银行",
                number="1537010104000888",
                start=D(2026, 9, 1),
                opening="0",
            )
        )
    assert "已登记" in error.value.zh


def test_the_columns_a_clerk_mapped_are_remembered_for_the_bank(story: Story) -> None:
    columns = (("date", "交易日期"), ("amount_in", "贷方发生额"), ("amount_out", "借方发生额"))
    story.post("2026-10")
    story.run(
        ImportStatement(VILLAGE, ACCOUNT, statement("2026-10"), columns=columns),
    )
    assert story.app.bank.format_of(TOWNSHIP, "高青农商银行") == dict(columns)
