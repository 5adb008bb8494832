"""The chart of one set of books through the runner: a clerk opens a 明细科目 saying what it is
kept for, renames it, retires one never posted to; a chart account that has sub-accounts takes
no new postings, and the refusal names the sub-accounts in Chinese and sends the clerk to the
workbench's 科目 page, not to the API."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.books.chart import AccountNotOpenError
from domain.books.commands import OpenAccount, PostEntry, RenameAccount, RetireAccount
from domain.errors import AlreadyExistsError, ConflictError, InvalidRequestError, NotFoundError
from domain.runner import Caller, Runner
from tests import builders
from tests.application.small import application, events
from tests.builders import posting

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def run(app: LianzhangApplication, command: object) -> object:
    caller = Caller("clerk", frozenset({builders.TOWNSHIP}), None, lambda township, what: None)
    return Runner(app).run(command, caller).result  # type: ignore[arg-type]


def invest(village: str, account: str, amount: str = "1000.00") -> PostEntry:
    return PostEntry(
        entity=village,
        date=D(2025, 3, 1),
        memo="投资",
        postings=(posting(account, "debit", amount), posting("102", "credit", amount)),
    )


def test_open_rename_retire_and_open_again(app: LianzhangApplication) -> None:
    village = builders.village(app)
    assert (
        run(app, OpenAccount(village, "141J01", "长期投资-联合社", "141", kind="unit")) == "141J01"
    )
    run(app, OpenAccount(village, "141P01", "长期投资-光伏项目", "141", kind="project"))
    books = app.get_books(village)
    assert books.open_accounts["141J01"] == "长期投资-联合社"
    assert books.account_kinds == {"141J01": "unit", "141P01": "project"}
    assert books.has_sub_accounts("141")

    run(app, RenameAccount(village, "141P01", "长期投资-村光伏电站"))
    assert app.get_books(village).open_accounts["141P01"] == "长期投资-村光伏电站"

    run(app, RetireAccount(village, "141P01"))
    books = app.get_books(village)
    assert "141P01" not in books.open_accounts
    assert books.account_kinds == {"141J01": "unit"}
    with pytest.raises(AccountNotOpenError) as refused:
        run(app, invest(village, "141P01"))
    assert "工作台的「科目」页" in (refused.value.zh or "")
    assert "/v1/" not in (refused.value.zh or "")

    run(app, RetireAccount(village, "141J01"))  # the last one: 141 takes postings again
    assert not app.get_books(village).has_sub_accounts("141")
    run(app, invest(village, "141"))
    # a retired code may be opened again
    run(app, OpenAccount(village, "141J01", "长期投资-联合社", "141", kind="unit"))
    assert app.get_books(village).open_accounts["141J01"] == "长期投资-联合社"


def test_a_parent_with_sub_accounts_is_refused_naming_them_in_chinese(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    for n in range(1, 9):
        run(app, OpenAccount(village, f"141J0{n}", f"长期投资-{n}号", "141", kind="unit"))
    before = events(app)
    with pytest.raises(AccountNotOpenError) as refused:
        run(app, invest(village, "141"))
    zh = refused.value.zh or ""
    assert refused.value.field == "postings[0].account"
    assert "141J01 长期投资-1号、141J02 长期投资-2号" in zh and "等 8 个" in zh
    assert "工作台的「科目」页" in zh
    assert "或到工作台的「科目」页在 141 下新开一个" in zh
    assert " and " not in zh and "more" not in zh and "POST" not in zh, zh
    assert events(app) == before


def test_what_may_not_be_opened_renamed_or_retired(app: LianzhangApplication) -> None:
    village = builders.village(app)
    run(app, OpenAccount(village, "211H01", "应付款-张三", "211", kind="household"))
    refusals: list[tuple[object, type[Exception], str]] = [
        (
            OpenAccount(village, "211H02", "应付款-李四", "211", kind="pet"),
            InvalidRequestError,
            "类别",
        ),
        (OpenAccount(village, "211H01", "应付款-李四", "211"), AlreadyExistsError, "已开设"),
        (OpenAccount(village, "211H02", "应付款-张三", "211"), AlreadyExistsError, "另起"),
        (OpenAccount(village, "21H02", "应付款-李四", "211"), InvalidRequestError, "开头"),
        (OpenAccount(village, "321A", "本年收益-A", "321"), InvalidRequestError, "不能另开"),
        (RenameAccount(village, "211", "往来"), InvalidRequestError, "会计制度规定"),
        (RenameAccount(village, "32201", "分配"), InvalidRequestError, "会计制度规定"),
        (RenameAccount(village, "211H09", "应付款-王五"), NotFoundError, "没有开设"),
        (RenameAccount(village, "211H01", "应付款-张三"), InvalidRequestError, "现在就叫"),
        (RenameAccount(village, "211H01", " "), InvalidRequestError, "名称"),
        (RetireAccount(village, "102"), InvalidRequestError, "不能停用"),
    ]
    for command, error, words in refusals:
        before = events(app)
        with pytest.raises(error) as refused:
            run(app, command)
        assert words in (refused.value.zh or ""), (command, refused.value.zh)  # type: ignore[attr-defined]
        assert events(app) == before


def test_only_a_sub_account_never_posted_to_may_be_retired(app: LianzhangApplication) -> None:
    village = builders.village(app)
    run(app, OpenAccount(village, "141J01", "长期投资-联合社", "141", kind="unit"))
    entry = run(app, invest(village, "141J01"))
    app.books.reverse_entry(
        entity=village,
        number=entry.number,
        date=D(2025, 3, 2),
        reason="记错",
        actor="t",  # type: ignore[attr-defined]
    )
    assert app.get_books(village).balances["141J01"] == 0
    with pytest.raises(ConflictError) as refused:
        run(app, RetireAccount(village, "141J01"))  # zero balance, but it has postings
    assert "已有记账（余额为零）" in (refused.value.zh or "")
    assert "141J01" in app.get_books(village).open_accounts
