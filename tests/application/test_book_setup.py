"""建账 (``books.SetUpBooks``, ``domain/books/setup.py``) through the runner on the in-memory
store: the sub-accounts, the 期初余额 and the year's figures in one save; a retry answered from
what it recorded; every refusal in Chinese, with nothing written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from adapters.balance_files import parse_balances
from domain.application import LianzhangApplication
from domain.books.commands import SetUpBooks
from domain.errors import ConflictError, DomainError, InvalidRequestError
from domain.ids import entity_id
from domain.runner import Caller, Runner
from tests import builders
from tests.application.small import application, events
from tests.application.test_books_commands import claim
from tests.setup_files import balance_file

D = datetime.date
JULY = D(2026, 7, 1)


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def accounts() -> list[dict[str, str]]:
    return parse_balances(balance_file()).accounts()


def changed(code: str, **values: str) -> list[dict[str, str]]:
    return [{**a, **values} if a["code"] == code else a for a in accounts()]


def stream(app: LianzhangApplication, village: str) -> list[Any]:
    """The events of ``village``'s books, oldest first."""
    return list(app.events.get(entity_id(village)))


def run(app: LianzhangApplication, command: SetUpBooks, key: str | None = None) -> Any:
    return Runner(app).run(command, Caller("clerk", None, claim(key) if key else None))


def test_a_mid_year_setup_records_everything_in_one_save(app: LianzhangApplication) -> None:
    village = builders.village(app, opening=None)
    before = events(app)
    done = run(app, SetUpBooks(entity=village, as_of=JULY, accounts=tuple(accounts())), "s-1")
    plan = done.result
    assert plan.opened == {"11301": "张三", "11302": "李四"}
    assert plan.mid_year and plan.previous_month == "2026-06"
    recorded = stream(app, village)[-4:]
    assert [type(e).__name__ for e in recorded] == [
        "AccountOpened",
        "AccountOpened",
        "OpeningBalancesSet",
        "YearFiguresRecorded",
    ]
    saved = app.recorder.select_notifications(start=before + 1, limit=10)
    assert [n.topic.rsplit(".", 1)[-1] for n in saved] == [
        "AccountOpened",
        "AccountOpened",
        "OpeningBalancesSet",
        "YearFiguresRecorded",
        "KeyRecorded",  # the Idempotency-Key, saved with them
    ], [n.topic for n in saved]
    figures = recorded[-1]
    assert figures.year_start["102"] == 30000000 and figures.year_start["152"] == -1000000
    assert figures.debits["32201"] == 1000000 and figures.credits["501"] == 4000000
    books = app.get_books(village)
    assert books.opening_date == JULY
    assert books.balances["102"] == 34050000 and books.balances["501"] == -4000000
    assert books.open_accounts["11301"] == "张三"

    again = run(app, SetUpBooks(entity=village, as_of=JULY, accounts=tuple(accounts())), "s-1")
    assert again.replayed and events(app) == before + len(saved)
    assert [a.code for a in again.result.accounts] == [a.code for a in plan.accounts]
    assert again.result.opened == plan.opened and again.result.totals() == plan.totals()


def test_books_set_up_on_1_january_record_no_year_figures(app: LianzhangApplication) -> None:
    village = builders.village(app, opening=None)
    rows = [
        {"code": "102", "year_start_debit": "100.00", "opening_debit": "100.00"},
        {"code": "301", "year_start_credit": "100.00", "opening_credit": "100.00"},
    ]
    run(app, SetUpBooks(entity=village, as_of=D(2026, 1, 1), accounts=tuple(rows)))
    assert type(stream(app, village)[-1]).__name__ == "OpeningBalancesSet"


def refused(
    app: LianzhangApplication, village: str, rows: list[dict[str, str]], **kw: Any
) -> DomainError:
    before = events(app)
    with pytest.raises(DomainError) as error:
        run(app, SetUpBooks(entity=village, as_of=kw.get("as_of", JULY), accounts=tuple(rows)))
    assert events(app) == before, "nothing is written"
    assert error.value.zh and not error.value.zh.isascii()
    return error.value


def test_books_with_entries_or_opening_balances_are_not_set_up(app: LianzhangApplication) -> None:
    opened = builders.village(app)  # opening balances of 2025-01-01
    error = refused(app, opened, accounts())
    assert isinstance(error, ConflictError)
    assert error.zh == (
        f"{opened} 的账簿已有期初余额（2025-01-01 起），不能再建账：建账只用于还没有期初余额和"
        "凭证的新账簿；已有的账请用凭证调整"
    )
    app.books.post_entry(
        entity=opened, date=D(2025, 3, 1), memo="租金", postings=builders.receipt("1.00"),
        actor="t",
    )  # fmt: skip
    assert "不能再建账" in (refused(app, opened, accounts()).zh or "")


@pytest.mark.parametrize(
    ("rows", "as_of", "field", "words"),
    [
        (accounts(), D(2026, 7, 2), "as_of", "建账日期应是某月的1日"),
        (changed("513", year_debit="14000.01"), JULY, "accounts[13].opening_debit", "不符"),
        (
            [*accounts(), {"code": "321", "year_credit": "1.00", "opening_credit": "1.00"}],
            JULY,
            "accounts[14].year_credit",
            "321 本年收益 有本年累计发生额",
        ),
        (accounts(), D(2026, 1, 1), "accounts[0].year_debit", "1月1日建账，本年还没有发生额"),
        (
            [*accounts(), {"code": "1001", "name": "现金"}],
            JULY,
            "accounts[14].code",
            "前三位 100 不是 2023 年科目表的一级科目",
        ),
        (
            [*accounts(), {"code": "11303", "name": "张三"}],
            JULY,
            "accounts[14].name",
            "明细科目 11301 和 11303 都叫“张三”",
        ),
        (
            [*accounts(), {"code": "113", "year_start_debit": "1.00", "opening_debit": "1.00"}],
            JULY,
            "accounts[14].code",
            "科目 113 内部往来 有明细科目",
        ),
        (
            [*accounts(), {"code": "11301", "name": "张三"}],
            JULY,
            "accounts[14].code",
            "科目 11301 出现了两次",
        ),
        (
            changed("101", year_credit="7000.00", opening_debit="0.00", opening_credit="0.00"),
            JULY,
            "accounts.year_debit",
            "本年累计发生额不平衡",
        ),
        (
            [*accounts(), {"code": "32203", "name": "其他"}],
            JULY,
            "accounts[14].code",
            "322 收益分配 下不能开明细科目 32203",
        ),
    ],
)
def test_every_rule_is_refused_in_chinese_and_writes_nothing(
    app: LianzhangApplication,
    rows: list[dict[str, str]],
    as_of: D,
    field: str,
    words: str,
) -> None:
    village = builders.village(app, opening=None)
    error = refused(app, village, rows, as_of=as_of)
    assert isinstance(error, InvalidRequestError)
    assert error.field == field, error.zh
    assert words in (error.zh or ""), error.zh


def test_a_credit_balance_of_cash_is_refused(app: LianzhangApplication) -> None:
    village = builders.village(app, opening=None)
    rows = [
        {"code": "101", "year_start_credit": "5.00", "opening_credit": "5.00"},
        {"code": "201", "year_start_debit": "5.00", "opening_debit": "5.00"},
    ]
    error = refused(app, village, rows)
    assert error.field == "accounts[0].opening_credit"
    assert "库存现金和银行存款不能为负数" in (error.zh or "")


def test_a_sub_account_opened_before_is_kept_and_given_the_file_s_name(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app, opening=None)
    app.books.open_account(entity=village, code="11301", name="张三户", parent="113", actor="t")
    plan = run(app, SetUpBooks(entity=village, as_of=JULY, accounts=tuple(accounts()))).result
    assert plan.opened == {"11302": "李四"} and plan.renamed == {"11301": "张三"}
    assert app.get_books(village).open_accounts["11301"] == "张三"


def test_a_dry_run_checks_on_a_copy_and_writes_nothing(app: LianzhangApplication) -> None:
    village = builders.village(app, opening=None)
    before = events(app)
    plan = app.books.set_up_books(
        entity=village, as_of=JULY, accounts=accounts(), actor="preview", dry_run=True
    )
    assert plan.totals()["opening_debit"] == 42200000
    assert events(app) == before
    assert app.get_books(village).opening_date is None
    assert "11301" not in app.get_books(village).open_accounts
