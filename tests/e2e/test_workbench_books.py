"""The workbench's books pages (issue 10 item 3): trial balance → account → entries → voucher,
with a period switch; statements with XLSX and print; the account picker. Real Chromium for
the click-through, and every request stays on the app's origin."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, village
from tests.e2e.browser import served
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

# pages, prints and problem texts, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

# ---------------------------------------------------------------------------------------------


@pytest.fixture
def books(runtime: Any) -> dict[str, str]:
    """A village of 唐坊镇 with opening balances and three entries in 2025, and one of another
    township."""
    app = runtime.app
    code = village(app, name="仉家村")
    other = village(app, name="外镇村", township="花沟镇")
    app.books.post_entry(
        entity=code,
        date=datetime.date(2025, 3, 5),
        memo="收到土地流转费",
        postings=[
            {"account": "102", "side": "debit", "amount": "12000.00"},
            {"account": "501", "side": "credit", "amount": "12000.00"},
        ],
        actor="tester",
    )
    app.books.post_entry(
        entity=code,
        date=datetime.date(2025, 3, 9),
        memo="支付办公用品",
        postings=[
            {"account": "513", "side": "debit", "amount": "350.50"},
            {"account": "101", "side": "credit", "amount": "350.50"},
        ],
        actor="tester",
    )
    app.books.post_entry(
        entity=code,
        date=datetime.date(2025, 7, 1),
        memo="收到分红",
        postings=[
            {"account": "102", "side": "debit", "amount": "8000.00"},
            {"account": "502", "side": "credit", "amount": "8000.00"},
        ],
        actor="tester",
    )
    return {"village": code, "other": other}


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def test_trial_balance_account_and_journal(client: Any, books: dict[str, str]) -> None:
    c, app = client
    person_session(c, app, "zhang", "preparer", [TOWNSHIP])
    v = books["village"]
    page = c.get(f"/ledgers/{v}?period=2025")
    assert page.status_code == 200, page.text
    text = page.text
    assert "科目余额表" in text and "2025年度" in text
    assert f'href="/ledgers/{v}/accounts/102?period=2025"' in text
    assert "¥20,000.00" in text  # 102 debits of the year
    q1 = c.get(f"/ledgers/{v}?period=2025-Q1").text
    assert "¥12,000.00" in q1 and "¥8,000.00" not in q1
    detail = c.get(f"/ledgers/{v}/accounts/102?period=2025").text
    assert "收到土地流转费" in detail and "收到分红" in detail
    assert f'href="/entries/{v}/' in detail
    assert "¥520,000.00" in detail  # 500,000 + 12,000 + 8,000
    journal = c.get(f"/ledgers/{v}/journal?period=2025-03").text
    assert "支付办公用品" in journal and "收到分红" not in journal
    # another township's books are not shown; a bad period says how to write one
    assert c.get(f"/ledgers/{books['other']}?period=2025").status_code == 404
    bad = c.get(f"/ledgers/{v}?period=2025Q1")
    assert bad.status_code == 422 and "2025-Q1" in bad.text
    assert c.get(f"/ledgers/{v}/accounts/999?period=2025").status_code == 404
    index = c.get("/ledgers").text
    assert v in index and books["other"] not in index


def test_auditor_sees_every_township(client: Any, books: dict[str, str]) -> None:
    c, app = client
    person_session(c, app, "shen", "auditor", [])
    index = c.get("/ledgers").text
    assert books["village"] in index and books["other"] in index


def test_statements_xlsx_and_print(client: Any, books: dict[str, str]) -> None:
    from openpyxl import load_workbook

    c, app = client
    person_session(c, app, "zhang", "preparer", [TOWNSHIP])
    v = books["village"]
    page = c.get(f"/statements/{v}?period=2025")
    assert page.status_code == 200, page.text
    assert "资产负债表" in page.text and "收益及收益分配表" in page.text
    assert "¥19,649.50" in page.text  # 本年收益: 12,000 + 8,000 − 350.50
    for kind, title in (("balance-sheet", "资产负债表"), ("income", "收益及收益分配表")):
        answer = c.get(f"/statements/{v}/{kind}.xlsx?period=2025")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/vnd.openxml")
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet["A1"].value == title
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        if kind == "income":
            assert any(isinstance(x, (int, float)) and round(x * 100) == 1964950 for x in values)
    printed = c.get(f"/statements/{v}/print?period=2025")
    assert printed.status_code == 200 and 'class="main"' not in printed.text
    assert c.get(f"/statements/{v}/cash.xlsx?period=2025").status_code == 404


def test_account_picker_code_name_and_pinyin(client: Any, books: dict[str, str]) -> None:
    c, app = client
    person_session(c, app, "zhang", "preparer", [TOWNSHIP])
    v = books["village"]

    def codes(q: str) -> list[str]:
        answer = c.get(f"/accounts/{v}", params={"q": q, "format": "json"})
        assert answer.status_code == 200, answer.text
        return [a["code"] for a in answer.json()]

    assert codes("10")[:2] == ["101", "102"]
    assert codes("银行") == ["102"]
    assert codes("yhck")[0] == "102"
    assert "501" in codes("jysr")
    assert "32201" in codes("322") and "322" not in codes("322")  # only postable accounts
    fragment = c.get(f"/accounts/{v}", params={"q": "xj"}).text
    assert 'data-code="101"' in fragment
    assert c.get(f"/accounts/{books['other']}?q=1&format=json").status_code == 404


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_click_through_in_chromium(runtime: Any, books: dict[str, str], browser: Any) -> None:
    app = signed_in_app(runtime)
    v = books["village"]
    with TestClient(app) as c:
        cookies = person_session(c, app, "zhang", "preparer", [TOWNSHIP])
    with served(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_cookies([{**cookie, "url": base} for cookie in cookies])
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/ledgers")
        page.select_option("#entity", v)
        page.fill("#period", "2025")
        page.click("text=查看科目余额表")
        page.wait_for_selector("#trial-balance")
        page.click("#trial-balance tr[data-account='102'] td:nth-child(2) a")
        page.wait_for_selector("#account-detail")
        assert "收到分红" in page.inner_text("#account-detail")
        page.click("text=3季度")
        page.wait_for_selector("#account-detail")
        body = page.inner_text("#account-detail")
        assert "收到分红" in body and "收到土地流转费" not in body
        page.goto(f"{base}/statements/{v}?period=2025")
        assert "收益及收益分配表" in page.inner_text("main")
        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside
        context.close()


def test_home_lists_entities_waiting_vouchers_and_warnings(
    client: Any, books: dict[str, str], runtime: Any
) -> None:
    c, app = client
    v = books["village"]
    voucher = runtime.app.vouchers.draft_voucher(
        entity=v,
        date=datetime.date(2026, 11, 2),
        summary="收到会议补助",
        lines=[
            {"account": "102", "debit": "100.00", "credit": "", "memo": ""},
            {"account": "503", "debit": "", "credit": "100.00", "memo": ""},
        ],
        actor="lihua",
    )
    runtime.app.vouchers.submit_voucher(draft=voucher.draft, actor="lihua")
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get("/")
    assert page.status_code == 200, page.text
    text = page.text
    assert "仉家村" in text and "外镇村" not in text  # their township's books only
    assert f"/vouchers/{voucher.draft}" in text and "收到会议补助" in text  # to review
    # every month since the opening balances (2025-01-01) is still open, last year's too
    assert "2025-01 至 2026-10 尚未结账" in text
    assert "2026-Q3 公开表未发布" in text
    assert "现金为负" not in text  # the books refuse cash below zero (older books may have it)
    # the preparer does not review their own: nothing waits for them but their drafts
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    mine = c.get("/").text
    assert "待我审核" not in mine and "我的草稿（0）" in mine


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_demo_alliance_pages(client: Any, runtime: Any) -> None:
    """The demo's books read through the pages: 工作台 with its warnings, each entity's trial
    balance, statements and journal, balanced."""
    from scripts import scenario_a as A
    from scripts.demo import load_demo

    load_demo(runtime.app, say=lambda _: None)
    runtime.app.agreements.sign_agreement(  # a second agreement whose 2026 payment is overdue
        code="AGR-2026",
        alliance="HNHM",
        enterprise="NLD",
        signed_on=datetime.date(2026, 1, 10),
        start_year=2026,
        years=3,
        invested_capital="100000.00",
        guarantee_kind="amount",
        guarantee_value=Decimal("5000.00"),
        profit_share_percent=Decimal("10"),
        payment_due="06-30",
        actor="tester",
    )
    runtime.app.books.post_entry(
        entity="V03",
        date=datetime.date(2026, 11, 2),
        memo="其他收入",
        postings=[
            {"account": "102", "side": "debit", "amount": "500.00"},
            {"account": "504", "side": "credit", "amount": "500.00"},
        ],
        actor="tester",
    )
    body = A.HOUSEHOLD_PLAN_BODY  # the same plan again, drafted only: it waits for 提议
    runtime.app.plans.draft_plan(
        code="P2026-V03",
        title="2026年李孟德村收益分配（草案）",
        scope=body["scope"]["kind"],
        target=body["scope"]["code"],
        period="2026",
        as_of=datetime.date(2026, 11, 20),
        amount="100.00",
        rule=body["rule"],
        actor="tester",
    )
    c, app = client
    person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    home = c.get("/")
    assert home.status_code == 200, home.text
    for name in ("仉家村", "和店村", "李孟德村", "黑牛养殖联合社"):
        assert name in home.text
    for code in ("V01", "V02", "V03", "J01"):
        for path in (
            f"/ledgers/{code}?period=2025",
            f"/ledgers/{code}/journal?period=2025",
            f"/statements/{code}?period=2025",
            f"/statements/{code}/print?period=2025-Q4",
        ):
            page = c.get(path)
            assert page.status_code == 200, (path, page.text[-500:])
            assert "不平衡" not in page.text and "≠" not in page.text, path
    warnings = re.sub(r"<[^>]+>", "", home.text.split('id="warnings"')[1].split("</section>")[0])
    # the demo closes no month: its four books are one line
    assert (
        "未结账：黑牛养殖联合社、仉家村、和店村、李孟德村 2025-01 至 2026-10 尚未结账" in warnings
    )
    assert (
        "2026-Q3 公开表未发布" in warnings and "黑牛养殖联合社" not in warnings.split("三公开")[1]
    )
    # 纽澜地 paid the first agreement's 2025; the second one's 2026 payment is overdue
    assert "分配方案待办：P2026-V03 2026年李孟德村收益分配（草案） 下一步：提议" in warnings
    assert "P2025" not in warnings  # the demo's plans went through every step
    assert "协议欠款：AGR-2026（NLD）2026 年应于 2026-06-30 付款，欠 ¥5,000.00" in warnings
    section = home.text.split('id="warnings"')[1].split("</section>")[0]
    for href in set(re.findall(r'href="([^"]+)"', section)):
        assert c.get(href.replace("&amp;", "&")).status_code == 200, href
    tb = c.get("/ledgers/J01?period=2025").text
    levels = dict(re.findall(r'data-account="([^"]+)" class="level-(\d)"', tb))
    assert levels["301"] == "1" and levels["301V01"] == levels["301V03"] == "2"  # 资本 summed
    detail = c.get("/ledgers/J01/accounts/102?period=2025").text
    assert "/entries/J01/" in detail
