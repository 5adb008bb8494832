"""Issue 10's "done when", on the demo alliance in real Chromium: the demo's 制单 logs in at `/`,
finds the voucher entry from the 工作台, enters a voucher, submits it; the demo's 审核 finds it
waiting on their 工作台 and approves it; the demo's 记账/主管 finds it waiting to be posted and
posts it (issue 20); it is in 账簿 (trial balance → account → entry) and prints with its five
signatures — by clicking what the pages show, with the people `make demo` prints, and nothing
loaded from outside the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apps import app_for
from tests.e2e.browser import served
from tests.e2e.public_demo import demo_store


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    """The demo as ``make demo`` loads it (a copy of the store this process loaded once, on
    SQLite: pages in a browser, not storage) and its people's passwords."""
    with demo_store(tmp_path / "demo") as loaded:
        yield loaded


DAY = "2026-11-20"  # the tests' today is 2026-11-23; the demo's books are open in November


def test_the_demo_clerk_enters_a_voucher_that_is_approved_found_and_printed(
    demo: tuple[Any, dict[str, str]], browser: Any
) -> None:
    runtime, people = demo
    app = app_for(runtime)
    with served(app) as base:
        requested: list[str] = []

        def log_in(login: str) -> Any:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{base}/")  # the workbench sends a visitor to its login page
            page.wait_for_url(f"{base}/login*")
            page.fill("#login", login)
            page.fill("#password", str(people[login]))
            page.press("#password", "Enter")
            page.wait_for_url(f"{base}/")
            return page

        clerk = log_in("zhidan")
        assert "李晓红" in clerk.inner_text("header")
        clerk.click("main a.button[href='/vouchers/new']")
        clerk.select_option("#entity", "V01")
        clerk.fill("#date", DAY)
        clerk.fill("#summary", "收到村民交来水费")
        first = "#lines tr.line:nth-child(1)"
        second = "#lines tr.line:nth-child(2)"
        clerk.type(f"{first} input.account", "kcxj")  # 库存现金 by its pinyin initials
        clerk.wait_for_selector("ul.picker li[data-code='101']")
        clerk.press(f"{first} input.account", "Enter")
        clerk.fill(f"{first} input.debit", "360")
        clerk.type(f"{second} input.account", "其他收入")  # 504 by its name
        clerk.wait_for_selector("ul.picker li[data-code='504']")
        clerk.press(f"{second} input.account", "Enter")
        clerk.fill(f"{second} input.credit", "360")
        assert clerk.inner_text("#capitals") == "叁佰陆拾元整"
        clerk.click("button[value='submit']")
        clerk.wait_for_selector("#voucher-status")
        assert clerk.inner_text("#voucher-status") == "待审核"
        draft = clerk.url.removeprefix(f"{base}/vouchers/")

        reviewer = log_in("shenhe")
        reviewer.click(f"#waiting a[href='/vouchers/{draft}']")
        reviewer.click("#approve")
        reviewer.wait_for_selector("#unreview")
        assert reviewer.inner_text("#voucher-status") == "已审核"

        # the demo's 记账/主管 posts it (审核 and 记账: two people, issue 20)
        bookkeeper = log_in("zhuguan")
        bookkeeper.click(f"#waiting a[href='/vouchers/{draft}']")
        bookkeeper.click("#post-voucher")
        bookkeeper.wait_for_selector("#posted-number")
        number = bookkeeper.inner_text("#posted-number")

        reviewer.click("nav.main a[href='/ledgers']")
        reviewer.select_option("select[name=entity]", "V01")
        reviewer.fill("input[name=period]", "2026-11")
        reviewer.click("main form button[type=submit]")
        reviewer.wait_for_selector("#trial-balance")
        assert "360.00" in reviewer.inner_text("#trial-balance tr[data-account='504']")
        reviewer.click("#trial-balance tr[data-account='101'] td:nth-child(2) a")
        reviewer.wait_for_selector("#account-detail")
        reviewer.click(f"#account-detail tr[data-number='{number}'] a")
        reviewer.wait_for_load_state()
        printed = reviewer.content()
        assert "记账凭证" in printed and "叁佰陆拾元整" in printed
        assert "李晓红" in printed and "王建国" in printed  # 制单 and 审核 by name
        assert "张淑芬" in printed  # 记账: the bookkeeper who posted it, not the reviewer
        assert "赵国庆" in printed and "仉春燕" in printed  # the demo's 会计主管 and V01's 出纳
        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside


def test_the_member_register_filters_as_you_type(
    demo: tuple[Any, dict[str, str]], browser: Any
) -> None:
    """htmx (vendored): typing in the register's search swaps the households table alone — the
    page is not reloaded (a mark set in the page survives) and the address follows the query."""
    runtime, people = demo
    app = app_for(runtime)
    with served(app) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{base}/login")
        page.fill("#login", "zhuguan")
        page.fill("#password", str(people["zhuguan"]))
        page.press("#password", "Enter")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/registers/villages/V03")
        every = page.locator("#households tbody tr").count()
        first = page.inner_text("#households tbody tr:first-child td:first-child")
        page.evaluate("window.stillHere = true")
        page.type("#q", first)
        page.wait_for_function(
            "n => document.querySelectorAll('#households tbody tr').length < n", arg=every
        )
        assert page.evaluate("window.stillHere") is True
        assert f"q={first}" in page.url
        assert first in page.inner_text("#households tbody")
