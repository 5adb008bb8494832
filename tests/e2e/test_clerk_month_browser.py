"""Issue 20's "done when", on the demo in real Chromium, in the workbench only: a clerk's year
and month.

The year: the 记账/主管 closes 2025 through December (结账至本月), carries it forward (年终结转),
and the balance sheet of 2026 opens with 2025's closing figures as its 年初数.

The month (October 2026): the 主管 opens a 明细科目; the 制单 enters a voucher on it; the 审核
approves it and the 记账 (another person) posts it; the 制单 reverses it in red ink (红字冲销),
reviewed and posted the same way; the 主管 closes October (结账: refused at first for a June
voucher the demo left waiting, which the refusal links, and which is reviewed and posted),
reopens it with a reason (反结账), closes it again; the statements are printed and exported
to XLSX; the 三公开 sheet of October is published. Nothing is loaded from another host.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from scripts.demo import demo_people, load_demo
from tests.apps import app_for
from tests.e2e.browser import served

# pages in a browser, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def _rows(page: Any, table: str) -> dict[str, list[str]]:
    """A statement table's rows by their first cell: the cells' texts."""
    found: dict[str, list[str]] = {}
    for row in page.locator(f"{table} tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        if cells:
            found.setdefault(cells[0], cells)
    return found


def test_a_clerks_year_and_month_in_the_workbench_only(
    runtime: Any, tmp_path: Path, browser: Any
) -> None:
    load_demo(runtime.app, say=lambda _: None)
    people = {login: password for login, _, _, password in demo_people(runtime, tmp_path / "p")}
    runtime.views.catch_up()
    app = app_for(runtime)
    with served(app) as base:
        requested: list[str] = []

        def log_in(login: str) -> Any:
            context = browser.new_context(
                viewport={"width": 1366, "height": 768}, accept_downloads=True
            )
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{base}/login")
            page.fill("#login", login)
            page.fill("#password", str(people[login]))
            page.press("#password", "Enter")
            page.wait_for_url(f"{base}/")
            return page

        zhuguan = log_in("zhuguan")  # 记账/主管

        # -- the year: 2025 closed month by month, carried forward --------------------------
        zhuguan.goto(f"{base}/periods/V01?year=2025")
        zhuguan.click("#close-2025-12")
        zhuguan.wait_for_selector("#closed-through:has-text('2025-12')")
        zhuguan.click("#close-year")
        zhuguan.wait_for_load_state()
        assert "2025" in runtime.app.get_books("V01").closed_years
        assert "年终结转" in zhuguan.inner_text("#log")

        zhuguan.goto(f"{base}/statements/V01?period=2025")
        closing_2025 = _rows(zhuguan, "#balance-sheet")
        zhuguan.goto(f"{base}/statements/V01?period=2026-10")
        opening_2026 = _rows(zhuguan, "#balance-sheet")
        for line in ("资产总计", "负债和所有者权益总计", "未分配收益"):
            found = [k for k in closing_2025 if k.strip().startswith(line)]
            assert found, (line, list(closing_2025))
            # 年初数 of 2026 (the fourth cell) is 2025's 期末数 (the fifth)
            assert opening_2026[found[0]][3] == closing_2025[found[0]][4], line
        assert opening_2026[found[0]][3] not in ("", "0.00")

        # -- the month: a 明细科目 opened --------------------------------------------------
        zhuguan.goto(f"{base}/chart/V01")
        zhuguan.select_option("#parent", "112")
        zhuguan.fill("#suffix", "L01")
        zhuguan.fill("#name", "应收款-李明")
        zhuguan.click("#open-submit")
        zhuguan.wait_for_selector("#a-112L01")

        # a voucher by the 制单 on it, reviewed by the 审核, posted by the 记账
        zhidan = log_in("zhidan")
        zhidan.goto(f"{base}/vouchers/new")
        zhidan.select_option("#entity", "V01")
        zhidan.fill("#date", "2026-10-15")
        zhidan.fill("#summary", "应收李明十月承包费")
        first = "#lines tr.line:nth-child(1)"
        second = "#lines tr.line:nth-child(2)"
        zhidan.type(f"{first} input.account", "112L01")
        zhidan.press(f"{first} input.account", "Enter")
        zhidan.fill(f"{first} input.debit", "500")
        zhidan.type(f"{second} input.account", "501")
        zhidan.press(f"{second} input.account", "Enter")
        zhidan.fill(f"{second} input.credit", "500")
        assert zhidan.inner_text("#capitals") == "伍佰元整"
        zhidan.click("button[value='submit']")
        zhidan.wait_for_selector("#voucher-status:has-text('待审核')")
        draft = zhidan.url.removeprefix(f"{base}/vouchers/")

        shenhe = log_in("shenhe")

        def review_and_post(voucher: str) -> str:
            shenhe.goto(f"{base}/vouchers/{voucher}")
            shenhe.click("#approve")
            shenhe.wait_for_selector("#voucher-status:has-text('已审核')")
            zhuguan.goto(f"{base}/vouchers/{voucher}")
            zhuguan.click("#post-voucher")
            zhuguan.wait_for_selector("#posted-number")
            return str(zhuguan.get_attribute("#posted-number", "data-number"))

        number = review_and_post(draft)
        assert runtime.app.vouchers.get_voucher(draft).status == "posted"

        # 红字冲销 by its preparer, through the same review
        zhidan.goto(f"{base}/vouchers/{draft}")
        zhidan.fill("#reverse-date", "2026-10-20")
        zhidan.fill("#reverse-reason", "李明十月承包费已在九月收取，重复挂账")
        zhidan.click("#reverse")
        zhidan.wait_for_selector("#voucher-status:has-text('待审核')")
        red = zhidan.url.removeprefix(f"{base}/vouchers/")
        assert red != draft and "红字冲销" in zhidan.inner_text("#cites")
        red_number = review_and_post(red)
        assert red_number != number
        books = runtime.app.get_books("V01")
        assert books.reversed_by[number] == red_number

        # 结账, 反结账 with a reason, 结账 again; the time a close takes is measured
        # (the demo left a June voucher waiting for review: 结账 is refused and links it)
        zhuguan.goto(f"{base}/periods/V01?year=2026")
        zhuguan.click("#close-2026-10")
        zhuguan.wait_for_selector("#refusal")
        assert "2026-06-10 支付保洁员工资（待审核）" in zhuguan.inner_text("#blocking")
        zhuguan.click("#blocking a")
        zhuguan.wait_for_selector("#voucher-status")
        review_and_post(zhuguan.url.removeprefix(f"{base}/vouchers/"))
        zhuguan.goto(f"{base}/periods/V01?year=2026")
        started = time.perf_counter()
        zhuguan.click("#close-2026-10")
        zhuguan.wait_for_selector("#closed-through:has-text('2026-10')")
        closing_seconds = time.perf_counter() - started
        zhuguan.fill("#reopen-reason", "补录十月村集体水费凭证")
        zhuguan.click("#reopen")
        zhuguan.wait_for_selector("#closed-through:has-text('2026-09')")
        assert "补录十月村集体水费凭证" in zhuguan.inner_text("#log")
        zhuguan.click("#close-2026-10")
        zhuguan.wait_for_selector("#closed-through:has-text('2026-10')")
        assert runtime.app.get_books("V01").closed_through == "2026-10"
        print(f"结账 of 2026-10 in the browser: {closing_seconds * 1000:.0f} ms")

        # statements printed and exported
        zhuguan.goto(f"{base}/statements/V01?period=2026-10")
        zhuguan.click("a[href='/statements/V01/print?period=2026-10']")
        zhuguan.wait_for_selector("#balance-sheet")
        printed = zhuguan.inner_text("body")
        assert "资产负债表" in printed and "收益及收益分配表" in printed and "单位负责人" in printed
        zhuguan.go_back()
        with zhuguan.expect_download() as download:
            zhuguan.click("a[href='/statements/V01/balance-sheet.xlsx?period=2026-10']")
        workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c]
        assert "资产负债表" in "".join(cells)

        # the 三公开 sheet of October published
        zhuguan.goto(f"{base}/disclosure?village=V01&period=2026-10")
        zhuguan.fill("#publish-checked_by", "赵民、孙理财")
        zhuguan.fill("#publish-opinion", "经民主理财小组审核，账实相符")
        zhuguan.click("#publish-form button[type=submit]")
        zhuguan.wait_for_selector("text=已发布第 1 版")

        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside
