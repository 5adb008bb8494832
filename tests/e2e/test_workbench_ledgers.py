"""The account books in the workbench: 总账, 明细账 (对方科目, 借/贷, 本月合计, 本年累计), 日记账 of
101 and 102, 科目余额表 with first-level rows and 本年累计, each printable (A4) and as XLSX;
and every figure reconciled to the fen with the trial balance on the demo's books."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, posting, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store


@pytest.fixture
def books(runtime: Any) -> str:
    """A village (opening: 102 ¥500,000, 101 ¥2,000) with entries in January, March and July
    2025, a sub-account of 211 used and cleared in July, and one entry reversed in red ink."""
    app = runtime.app
    v = village(app, name="仉家村")

    def post(day: datetime.date, memo: str, *lines: dict[str, str]) -> Any:
        return app.books.post_entry(
            entity=v, date=day, memo=memo, postings=list(lines), actor="tester"
        )

    post(
        datetime.date(2025, 1, 10),
        "提取备用金",
        posting("101", "debit", "1000.00"),
        posting("102", "credit", "1000.00"),
    )
    post(
        datetime.date(2025, 3, 5),
        "收到土地流转费",
        posting("102", "debit", "12000.00"),
        posting("501", "credit", "12000.00"),
    )
    post(
        datetime.date(2025, 3, 5),
        "支付办公用品",
        posting("513", "debit", "350.50"),
        posting("101", "credit", "350.50"),
    )
    post(
        datetime.date(2025, 3, 5),
        "=购买茶叶",  # a memo that looks like a formula stays text in the workbook
        posting("513", "debit", "100.00"),
        posting("101", "credit", "100.00"),
    )
    post(
        datetime.date(2025, 3, 20),
        "支付水电和维修",
        posting("513", "debit", "200.00"),
        posting("514", "debit", "300.00"),
        posting("102", "credit", "500.00"),
    )
    dividend = post(
        datetime.date(2025, 7, 1),
        "收到分红",
        posting("102", "debit", "8000.00"),
        posting("502", "credit", "8000.00"),
    )
    app.books.reverse_entry(
        entity=v,
        number=dividend.number,
        date=datetime.date(2025, 7, 5),
        reason="重复记账",
        actor="t",
    )
    app.books.open_account(entity=v, code="211X01", name="张三", parent="211", actor="tester")
    post(
        datetime.date(2025, 7, 2),
        "张三垫付材料款",
        posting("513", "debit", "600.00"),
        posting("211X01", "credit", "600.00"),
    )
    post(
        datetime.date(2025, 7, 3),
        "还张三垫款",
        posting("211X01", "debit", "600.00"),
        posting("102", "credit", "600.00"),
    )
    return v


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        person_session(c, app, "zhang", "preparer", [TOWNSHIP])
        yield c, app


def rows_of(html: str, table: str) -> list[dict[str, Any]]:
    """The rows of table ``#table``: kind and the cells' text."""
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    found = []
    for attrs, cells in re.findall(r"<tr([^>]*)>(.*?)</tr>", body, re.S):
        kind = re.search(r'data-kind="(\w+)"', attrs)
        texts = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
        if kind:
            found.append({"kind": kind.group(1), "cells": texts})
    return found


def test_account_book_has_counter_accounts_direction_and_totals(client: Any, books: str) -> None:
    c, _ = client
    page = c.get(f"/ledgers/{books}/accounts/102?period=2025")
    assert page.status_code == 200, page.text
    rows = rows_of(page.text, "account-detail")
    # 日期, 凭证号, 摘要, 对方科目, 借方, 贷方, 借或贷, 余额
    assert rows[0]["kind"] == "opening" and rows[0]["cells"][2] == "上年结转"
    assert rows[0]["cells"][6:] == ["借", "¥500,000.00"]
    land = next(r for r in rows if r["cells"][2] == "收到土地流转费")["cells"]
    assert land[3] == "501 经营收入"  # the other account of the entry, not 102 itself
    assert land[4:] == ["¥12,000.00", "", "借", "¥511,000.00"]
    repairs = next(r for r in rows if r["cells"][2] == "支付水电和维修")["cells"]
    assert repairs[3] == "513 管理费用、514 其他支出" or repairs[3].startswith("513 ")
    assert "514" in repairs[3]
    march = [
        r["cells"] for r in rows if r["kind"] in ("month", "year") and r["cells"][0] == "2025-03-31"
    ]
    assert march[0][2:] == ["本月合计", "", "¥12,000.00", "¥500.00", "借", "¥510,500.00"]
    assert march[1][2:] == ["本年累计", "", "¥12,000.00", "¥1,500.00", "借", "¥510,500.00"]
    # red ink stays in the column it reduces
    red = next(r for r in rows if r["cells"][4].startswith("-"))
    assert red["cells"][4] == "-¥8,000.00"
    july_year = [r["cells"] for r in rows if r["kind"] == "year"][-1]
    assert july_year[4:] == ["¥12,000.00", "¥2,100.00", "借", "¥509,900.00"]
    # a month: 期初余额 carries January, 本年累计 adds it
    march_only = rows_of(
        c.get(f"/ledgers/{books}/accounts/102?period=2025-03").text, "account-detail"
    )
    assert march_only[0]["cells"][2] == "期初余额" and march_only[0]["cells"][7] == "¥499,000.00"
    assert march_only[-1]["cells"][2:6] == ["本年累计", "", "¥12,000.00", "¥1,500.00"]
    # a chart account with sub-accounts shows each line's sub-account; a flat balance is 平
    payable = c.get(f"/ledgers/{books}/accounts/211?period=2025-07").text
    assert "明细科目" in payable and "211X01 张三" in payable
    assert rows_of(payable, "account-detail")[-1]["cells"][-2:] == ["平", "¥0.00"]
    assert c.get(f"/ledgers/{books}/accounts/999?period=2025").status_code == 404


def test_general_ledger_per_first_level_account(client: Any, books: str) -> None:
    c, _ = client
    page = c.get(f"/ledgers/{books}/general?period=2025-Q1")
    assert page.status_code == 200, page.text
    bank = rows_of(page.text, "general-102")
    # 日期, 摘要, 借方, 贷方, 借或贷, 余额
    assert bank[0]["cells"] == ["2025-01-01", "上年结转", "", "", "借", "¥500,000.00"]
    assert [r["cells"][1] for r in bank[1:]] == ["本月合计", "本年累计"] * 3
    assert bank[3]["cells"] == ["2025-02-28", "本月合计", "¥0.00", "¥0.00", "借", "¥499,000.00"]
    assert bank[-1]["cells"] == [
        "2025-03-31",
        "本年累计",
        "¥12,000.00",
        "¥1,500.00",
        "借",
        "¥510,500.00",
    ]
    income = rows_of(page.text, "general-501")
    assert income[-1]["cells"][-2:] == ["贷", "¥12,000.00"]
    # 211 sums its sub-account; in Q3 it nets to nothing but has 本年累计
    q3 = c.get(f"/ledgers/{books}/general?period=2025-Q3&account=211").text
    payable = rows_of(q3, "general-211")
    assert 'id="general-102"' not in q3
    assert payable[-1]["cells"] == ["2025-09-30", "本年累计", "¥600.00", "¥600.00", "平", "¥0.00"]
    assert c.get(f"/ledgers/{books}/general?period=2025&account=21").status_code == 404


def test_cash_journals_with_day_totals(client: Any, books: str) -> None:
    c, _ = client
    page = c.get(f"/ledgers/{books}/cash/101?period=2025&daily=1")
    assert page.status_code == 200, page.text
    assert "现金日记账" in page.text
    rows = rows_of(page.text, "account-detail")
    march = [r["cells"] for r in rows if r["cells"][0] == "2025-03-05"]
    assert [x[2] for x in march] == ["支付办公用品", "=购买茶叶", "本日合计"]
    assert march[0][-1] == "¥2,649.50" and march[1][-1] == "¥2,549.50"  # a balance on each line
    assert march[2][4:] == ["¥0.00", "¥450.50", "借", "¥2,549.50"]
    assert march[0][3] == "513 管理费用"
    without = c.get(f"/ledgers/{books}/cash/101?period=2025").text
    kinds = {r["kind"] for r in rows_of(without, "account-detail")}
    assert "day" not in kinds and "month" in kinds
    bank = c.get(f"/ledgers/{books}/cash/102?period=2025-01").text
    assert "银行存款日记账" in bank and "101 库存现金" in bank
    refused = c.get(f"/ledgers/{books}/cash/513?period=2025")
    assert refused.status_code == 404 and "日记账只有库存现金（101）和银行存款（102" in refused.text


def test_trial_balance_first_level_rows_and_year_to_date(client: Any, books: str) -> None:
    c, _ = client
    page = c.get(f"/ledgers/{books}?period=2025-10")
    assert page.status_code == 200, page.text
    assert "本年累计发生额" in page.text

    def cells(account: str) -> dict[str, str]:
        row = page.text.split(f'data-account="{account}"')[1].split("</tr>")[0]
        return dict(re.findall(r'data-column="(\w+)">([^<]*)<', row))

    # October has no movement; 211X01 was used and cleared in July: it is listed for 本年累计
    assert 'data-account="211" class="level-1"' in page.text
    assert 'data-account="211X01" class="level-2"' in page.text
    assert cells("211")["year_debit"] == cells("211X01")["year_debit"] == "¥600.00"
    assert cells("102")["debit"] == "" and cells("102")["year_debit"] == "¥12,000.00"
    assert cells("102")["closing_debit"] == "¥509,900.00"
    footer = dict(re.findall(r'data-column="(\w+)">([^<]*)<', page.text.split("<tfoot>")[1]))
    assert footer["year_debit"] == footer["year_credit"] == "¥15,150.50"


def test_print_and_xlsx_of_every_book(client: Any, books: str) -> None:
    from openpyxl import load_workbook

    c, _ = client
    for path in (
        f"/ledgers/{books}?period=2025",
        f"/ledgers/{books}/general?period=2025",
        f"/ledgers/{books}/accounts/102?period=2025",
        f"/ledgers/{books}/cash/101?period=2025&daily=1",
    ):
        page = c.get(path)
        assert 'format=print"' in page.text.replace("&amp;", "&"), path
        printed = c.get(f"{path}&format=print")
        assert printed.status_code == 200, printed.text
        assert 'class="main"' not in printed.text and "/static/ledger_print.css" in printed.text
        assert "编制单位：仉家村" in printed.text
        answer = c.get(f"{path}&format=xlsx")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("application/vnd.openxml")
        sheet = load_workbook(io.BytesIO(answer.content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
        assert not any(cell.data_type == "f" for cell in cells), path  # no formula anywhere
        assert sheet["A2"].value == f"编制单位：仉家村（{books}）"
        numbers = [cell.value for cell in cells if isinstance(cell.value, (int, float))]
        texts = [cell.value for cell in cells if isinstance(cell.value, str)]
        assert numbers and not [t for t in texts if re.fullmatch(r"-?[\d,]+\.\d\d", t)], path
    journal = load_workbook(
        io.BytesIO(c.get(f"/ledgers/{books}/cash/101?period=2025&daily=1&format=xlsx").content)
    ).active
    memo = next(cell for row in journal.iter_rows() for cell in row if cell.value == "=购买茶叶")
    assert memo.data_type == "s"
    values = [[cell.value for cell in row] for row in journal.iter_rows()]
    day = next(v for v in values if v[2] == "本日合计" and v[0].month == 3)
    assert round(day[5] * 100) == 45050 and day[6] == "借"
    tb = load_workbook(
        io.BytesIO(c.get(f"/ledgers/{books}?period=2025&format=xlsx").content)
    ).active
    total = next([cell.value for cell in row] for row in tb.iter_rows() if row[0].value == "合计")
    assert Decimal(str(total[4])) == Decimal(str(total[5]))  # 本期借 = 本期贷, numbers


def test_reconciles_with_trial_balance_on_the_demo(runtime: Any) -> None:
    """On the demo's four sets of books, for a year, a quarter and a month: the 科目余额表's
    totals are the trial balance's, each first-level row the sum of its sub-accounts, the 总账
    and 明细账 close where the trial balance does, 本年累计 is the year's movements so far, and
    the 日记账 of 101 and 102 close on their balances; to the fen."""
    from documents.ledgers import account_book, general_ledger_book, trial_balance_sheet
    from domain.periods import parse_period
    from ledger.account_books import MONTH, YEAR
    from ledger.accounts import ChartOfAccounts
    from ledger.money import ZERO
    from projections.queries import trial_balance_between
    from scripts.demo import load_demo

    load_demo(runtime.app, say=lambda _: None)
    runtime.views.catch_up()
    chart = ChartOfAccounts.standard()
    checked = 0
    with runtime.engine.connect() as conn:
        for entity in ("V01", "V02", "V03", "J01"):
            for text in ("2025", "2025-Q4", "2025-07", "2026"):
                period = parse_period(text)
                tb = trial_balance_between(conn, entity, period.first_month, period.last_month)
                ytd = trial_balance_between(conn, entity, f"{text[:4]}-01", period.last_month)
                sheet = trial_balance_sheet(conn, entity, period)
                assert sheet["balanced"], (entity, text, sheet["checks"])
                totals = sheet["totals"]
                assert totals["opening_debit"] == tb.opening_debit_total
                assert totals["debit"] == tb.debit_total and totals["credit"] == tb.credit_total
                assert totals["closing_credit"] == tb.closing_credit_total
                assert totals["year_debit"] == ytd.debit_total
                first = {x["account"]: x for x in sheet["lines"] if x["level"] == 1}
                general = general_ledger_book(
                    conn, entity, period, today=datetime.date(2026, 11, 23)
                )
                assert all(check["holds"] for check in general["checks"]), general["checks"]
                for book in general["accounts"]:
                    base = book["account"]
                    lines = [x for x in tb.lines if chart.parent_of(x.account.code) == base]
                    closing = sum((x.closing for x in lines), ZERO)
                    assert book["closing"] == closing, (entity, text, base)
                    row = first[base]
                    assert row["closing_debit"] - row["closing_credit"] == closing
                    months = [r for r in book["rows"] if r.kind == MONTH]
                    assert sum((r.debit for r in months), ZERO) == row["debit"]
                    assert sum((r.credit for r in months), ZERO) == row["credit"]
                    year_rows = [r for r in book["rows"] if r.kind == YEAR]
                    year_lines = [x for x in ytd.lines if chart.parent_of(x.account.code) == base]
                    assert year_rows[-1].debit == sum((x.debit for x in year_lines), ZERO)
                    assert year_rows[-1].credit == sum((x.credit for x in year_lines), ZERO)
                    detail = account_book(conn, entity, base, period)
                    assert detail["closing"] == closing and detail["checks"][0]["holds"]
                    checked += 1
                for cash in ("101", "102"):
                    journal = account_book(conn, entity, cash, period, daily=True)
                    assert journal["checks"][0]["holds"], (entity, text, cash)
    assert checked > 50


def test_voucher_search(client: Any, runtime: Any) -> None:
    """The voucher list finds vouchers by 摘要, amount, 凭证号, account and dates, in the
    database; what cannot be read is said in Chinese."""
    c, _ = client
    app = runtime.app
    v = village(app, name="仉家村")
    other = village(app, name="外镇村", township="花沟镇")

    def voucher(entity: str, day: str, summary: str, account: str, amount: str, post: bool) -> Any:
        made = app.vouchers.draft_voucher(
            entity=entity,
            date=datetime.date.fromisoformat(day),
            summary=summary,
            lines=[
                {"account": "102", "debit": amount, "credit": "", "memo": ""},
                {"account": account, "debit": "", "credit": amount, "memo": "按户收取"},
            ],
            actor="lihua",
        )
        if post:
            app.vouchers.submit_voucher(draft=made.draft, actor="lihua")
            app.vouchers.approve_voucher(draft=made.draft, actor="wangfang")
            app.vouchers.post_voucher(draft=made.draft, actor="lihua")
        return made

    voucher(v, "2025-03-05", "收到土地流转费", "501", "12000.00", True)
    voucher(v, "2025-04-10", "收到水费", "211", "350.50", True)
    voucher(v, "2025-06-01", "收到土地流转费（二期）", "501", "8000.00", False)
    voucher(other, "2025-03-05", "收到土地流转费", "501", "12000.00", False)

    def found(**query: str) -> list[str]:
        page = c.get("/vouchers", params=query)
        assert page.status_code == 200, page.text
        return re.findall(r'<td><a href="/vouchers/\w+">([^<]+)</a></td>', page.text)

    assert sorted(found(q="土地流转")) == ["收到土地流转费", "收到土地流转费（二期）"]  # 花沟镇 not
    assert len(found(q="按户")) == 3  # the lines' memos too
    assert found(amount="350.5") == ["收到水费"]
    assert found(amount="12,000") == ["收到土地流转费"]
    numbers = re.findall(
        r"/entries/\w+/([\d-]+)/print", c.get("/vouchers", params={"q": "水费"}).text
    )
    assert found(number=numbers[0][-4:]) == ["收到水费"]
    assert found(account="211") == ["收到水费"] and found(account="21") == ["收到水费"]
    assert sorted(found(account="50")) == ["收到土地流转费", "收到土地流转费（二期）"]
    assert found(date_from="2025-04-01", date_to="2025-05-31") == ["收到水费"]
    assert found(q="流转", status="posted") == ["收到土地流转费"]
    assert found(q="100%") == []  # LIKE wildcards are text
    page = c.get("/vouchers", params={"amount": "12.345", "date_from": "2025-13-01"})
    assert "金额“12.345”无法识别" in page.text and "起始日期“2025-13-01”无法识别" in page.text
    assert 'value="12.345"' in page.text
