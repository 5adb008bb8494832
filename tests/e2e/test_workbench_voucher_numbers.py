"""凭证号 at entry and a 摘要 per line in the workbench, in a township that numbers monthly and
keeps 收/付/转 apart: the voucher form shows the number the voucher would take (and, once
posted, the number it has, as a clerk reads it); the 凭证字 is chosen from the lines, with a
choice where they allow two; each line's own 摘要 (or the voucher's) is what the 明细账, the
序时账 and the print show; a voucher is found by its number as read. Then the same in real
Chromium, the number following what is typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.runner import Caller, Runner
from domain.township.commands import ChooseSettings
from tests.builders import TOWNSHIP, village
from tests.e2e.browser import served
from tests.e2e.test_workbench_books_support import (
    browser_log_in,
    person_session,
    register,
    signed_in_app,
)
from tests.e2e.test_workbench_books_vouchers import draft_of, fields

pytestmark = pytest.mark.one_store  # pages, not storage

DAY = "2026-11-20"  # tests' today is 2026-11-23


@pytest.fixture
def books(runtime: Any) -> str:
    Runner(runtime.app).run(
        ChooseSettings(TOWNSHIP, "monthly", False, words="split"),
        Caller("zhuguan", frozenset({TOWNSHIP})),
    )
    return village(runtime.app, name="仉家村")


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def number_shown(html: str) -> str:
    found = re.search(r'<output id="voucher-number"[^>]*>([^<]*)</output>', html)
    assert found, "no 凭证号 on the page"
    return found.group(1)


def test_the_form_shows_the_number_and_each_line_keeps_its_own_summary(
    client: Any, books: str
) -> None:
    c, app = client
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    blank = c.get(f"/vouchers/new?entity={books}").text
    assert number_shown(blank) == "预计 2026年11月（凭证字按分录确定）"
    assert "记账时给号" in blank  # what 预计 means
    assert 'name="line_memo"' in blank
    saved = c.post(
        "/vouchers/new",
        follow_redirects=False,
        data={
            **fields(blank, "/vouchers/new"),
            "entity": books,
            "date": DAY,
            "summary": "提取备用金",
            "action": "submit",
            "line_memo": ["备用金（出纳李华）", ""],
            "account": ["101", "102"],
            "debit": ["300", ""],
            "credit": ["", "300"],
            "word": "收",  # 提现 may be filed as 收 as well as 付
        },
    )
    assert saved.status_code == 303, saved.text
    draft = draft_of(saved.headers["location"])
    page = c.get(f"/vouchers/{draft}").text
    assert number_shown(page) == "预计 2026年11月 收字第1号"
    assert "收款凭证" in page
    answer = c.get(
        f"/numbers/{books}",
        params={"date": DAY, "debit": "101", "credit": "102", "word": "付"},
    ).json()
    assert (answer["text"], answer["words"], answer["choose"]) == (
        "预计 2026年11月 付字第1号",
        ["付", "收"],
        True,
    )
    answer = c.get(f"/numbers/{books}", params={"date": DAY, "debit": "511", "credit": "102"})
    assert answer.json()["text"] == "预计 2026年11月 付字第1号" and not answer.json()["choose"]

    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    approved = c.post(
        f"/vouchers/{draft}/approve",
        data=fields(page, f"/vouchers/{draft}/approve"),
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    person_session(c, app, "zhangjz", "bookkeeper", [TOWNSHIP])  # 记账, not the reviewer
    page = c.get(f"/vouchers/{draft}").text
    booked = c.post(
        f"/vouchers/{draft}/post",
        data=fields(page, f"/vouchers/{draft}/post"),
        follow_redirects=False,
    )
    assert booked.status_code == 303, booked.text
    page = c.get(f"/vouchers/{draft}").text
    posted = re.search(r'id="posted-number" data-number="([^"]+)">([^<]+)<', page)
    assert posted and posted.groups() == ("2026-11-S-0001", "2026年11月 收字第1号")
    assert number_shown(page) == "2026年11月 收字第1号"
    assert "备用金（出纳李华）" in page  # the line's own 摘要 beside its account

    cash = c.get(f"/ledgers/{books}/accounts/101?period=2026-11").text
    row = re.search(r'<tr class="posting"[^>]*data-number="2026-11-S-0001">(.*?)</tr>', cash, re.S)
    assert row and "备用金（出纳李华）" in row.group(1) and "2026年11月 收字第1号" in row.group(1)
    bank = c.get(f"/ledgers/{books}/accounts/102?period=2026-11").text
    row = re.search(r'<tr class="posting"[^>]*data-number="2026-11-S-0001">(.*?)</tr>', bank, re.S)
    assert row and "提取备用金" in row.group(1)  # no 摘要 of its own: the voucher's
    journal = c.get(f"/ledgers/{books}/journal?period=2026-11").text
    assert "备用金（出纳李华）" in journal and "2026年11月 收字第1号" in journal
    printed = c.get(f"/entries/{books}/2026-11-S-0001/print").text
    assert "<span>收款凭证</span>" in printed and "2026年11月 收字第1号" in printed
    assert printed.count("备用金（出纳李华）") == 1 and "提取备用金" in printed
    found = c.get("/vouchers", params={"number": "收字第1号"}).text
    assert f"/vouchers/{draft}" in found
    assert f"/vouchers/{draft}" not in c.get("/vouchers", params={"number": "付字第1号"}).text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_number_follows_what_is_typed_in_chromium(
    runtime: Any, books: str, browser: Any
) -> None:
    app = signed_in_app(runtime)
    register(app, "lihua", "preparer", [TOWNSHIP])
    with served(app) as base:
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        browser_log_in(page, base, "lihua")
        page.goto(f"{base}/vouchers/new?entity={books}")
        page.fill("#date", DAY)
        page.fill("#summary", "提取备用金")
        # a line's 摘要 shows the voucher's until it has its own
        assert page.get_attribute("#lines tr.line:nth-child(2) input.memo", "placeholder") == (
            "提取备用金"
        )
        page.fill("#lines tr.line:nth-child(1) input.memo", "备用金（出纳李华）")
        page.focus("#lines tr.line:nth-child(1) input.memo")
        page.keyboard.press("Enter")  # not the form's submit: on to the line's account
        assert page.evaluate("document.activeElement.classList.contains('account')")
        page.fill("#lines tr.line:nth-child(1) input.account", "101")
        page.fill("#lines tr.line:nth-child(1) input.debit", "300")
        page.fill("#lines tr.line:nth-child(2) input.account", "102")
        page.fill("#lines tr.line:nth-child(2) input.credit", "300")
        # (waited for by selectors: the page's CSP allows no script evaluated from a string)
        page.wait_for_selector("#voucher-number:has-text('付字第1号')")
        assert page.is_visible("#word")  # 收 or 付: the clerk may choose
        page.select_option("#word", "收")
        page.wait_for_selector("#voucher-number:has-text('收字第1号')")
        page.fill("#lines tr.line:nth-child(1) input.account", "511")  # now only 付
        page.wait_for_selector("#word-choice", state="hidden")
        assert "付字第1号" in page.inner_text("#voucher-number")
        page.fill("#lines tr.line:nth-child(1) input.account", "101")
        page.wait_for_selector("#word-choice", state="visible")
        page.select_option("#word", "收")
        page.click("#submit-voucher")
        page.wait_for_selector("#voucher-status")
        assert page.inner_text("#voucher-status") == "待审核"
        assert page.inner_text("#voucher-number") == "预计 2026年11月 收字第1号"
        assert "备用金（出纳李华）" in page.inner_text("#lines")
