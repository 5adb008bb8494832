"""The 结账 page of the workbench (``workbench.periods``), through the test client: a
bookkeeper closes a month once its vouchers are posted (the refusal lists and links them),
reopens the latest closed month with a reason, closes the twelve months and the year, and
reopens the year; the log names the person; others see the page without its forms."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from documents import publishing
from tests.builders import TOWNSHIP, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

# a page and its forms, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

LINES = [{"account": "102", "debit": "80.00"}, {"account": "504", "credit": "80.00"}]


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, a fresh Idempotency-Key) of the form posting to
    ``action``."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form for {action}"
    return dict(re.findall(r'name="(csrf_token|idempotency_key|month|year)" value="([^"]*)"',
                           form.group(0)))  # fmt: skip


def post(c: TestClient, page: str, action: str, **extra: str) -> Any:
    html = c.get(page).text
    return c.post(action, data={**fields(html, action), **extra}, follow_redirects=False)


def test_a_bookkeeper_closes_and_reopens_months_and_the_year(client: Any, runtime: Any) -> None:
    c, app = client
    domain = runtime.app
    v = village(domain, name="仉家村")
    domain.books.post_entry(
        entity=v,
        date=datetime.date(2025, 3, 5),
        memo="收到土地流转费",
        postings=[
            {"account": "102", "side": "debit", "amount": "12000.00"},
            {"account": "501", "side": "credit", "amount": "12000.00"},
        ],
        actor="tester",
    )
    draft = domain.vouchers.draft_voucher(
        entity=v, date=datetime.date(2025, 2, 10), summary="二月电费", lines=LINES, actor="zhang"
    ).draft
    person_session(c, app, "wangfang", "bookkeeper", [TOWNSHIP])
    page = f"/periods/{v}?year=2025"

    # the home page's warning leads here
    home = c.get("/")
    assert f'href="/periods/{v}"' in home.text

    shown = c.get(page)
    assert shown.status_code == 200, shown.text
    assert "尚未结账" in shown.text and f'href="/vouchers/{draft}"' in shown.text
    refused = post(c, page, f"/periods/{v}/close", month="2025-02")
    assert refused.status_code == 422
    assert "还有 1 张凭证没有记账" in refused.text
    assert re.search(
        rf'id="blocking">\s*<li><a href="/vouchers/{draft}">2025-02-10 二月电费', refused.text
    )
    assert domain.get_books(v).closed_through is None

    # reviewed, it still holds February (已审核 is not in the books: issue 20)
    domain.vouchers.submit_voucher(draft=draft, actor="zhang")
    domain.vouchers.approve_voucher(draft=draft, actor="li")
    waiting = post(c, page, f"/periods/{v}/close", month="2025-02")
    assert waiting.status_code == 422 and "二月电费（已审核）" in waiting.text
    # posted by its preparer, the voucher no longer holds February
    domain.vouchers.post_voucher(draft=draft, actor="zhang")
    closed = post(c, page, f"/periods/{v}/close", month="2025-02")
    assert closed.status_code == 303 and closed.headers["location"] == page
    assert domain.get_books(v).closed_through == "2025-02"

    # 反结账: the latest closed month, with a reason
    no_reason = post(c, page, f"/periods/{v}/reopen", month="2025-02", reason=" ")
    assert no_reason.status_code == 422 and "反结账须写明原因" in no_reason.text
    reopened = post(c, page, f"/periods/{v}/reopen", month="2025-02", reason="漏记二月水费")
    assert reopened.status_code == 303
    assert domain.get_books(v).closed_through == "2025-01"
    log = c.get(page).text
    assert re.search(r"<td>反结账</td><td>2025-02</td><td>王芳</td><td>漏记二月水费</td>", log)
    assert re.search(r"<td>结账</td><td>2025-02</td><td>王芳</td>", log)

    # the twelve months, then 年终结转, then the year reopened with its reason
    assert 'id="close-year"' not in c.get(page).text
    through = post(c, page, f"/periods/{v}/close", month="2025-12")
    assert through.status_code == 303
    year_end = post(c, page, f"/periods/{v}/close-year", year="2025")
    assert year_end.status_code == 303, year_end.text
    text = c.get(page).text
    assert "2025 年度已年终结转" in text and 'id="reopen"' not in text  # the year first
    again = post(c, page, f"/periods/{v}/reopen-year", year="2025", reason="补记")
    assert again.status_code == 303
    text = c.get(page).text
    assert re.search(r"<td>重新打开年度</td><td>2025</td><td>王芳</td><td>补记</td>", text)
    assert 'id="reopen"' in text


def test_a_published_sheet_asks_for_a_new_version(client: Any, runtime: Any) -> None:
    c, app = client
    domain = runtime.app
    v = village(domain, name="仉家村")
    domain.books.close_month(entity=v, month="2025-03", actor="tester")
    publishing.publish_sheet(
        runtime,
        v,
        "2025-Q1",
        checked_by=["王五"],
        checked_on=datetime.date(2025, 4, 2),
        opinion="无异议",
        reason="",
        actor="tester",
    )
    person_session(c, app, "wangfang", "bookkeeper", [TOWNSHIP])
    page = f"/periods/{v}?year=2025"
    assert "2025-Q1 的三公开表已发布" in c.get(page).text
    refused = post(c, page, f"/periods/{v}/reopen", month="2025-03", reason="更正")
    assert refused.status_code == 422 and "请确认将发布新版本" in refused.text
    confirmed = post(
        c, page, f"/periods/{v}/reopen", month="2025-03", reason="更正", new_version_follows="1"
    )
    assert confirmed.status_code == 303
    assert domain.get_books(v).closed_through == "2025-02"


def test_others_see_the_months_without_the_forms(client: Any, runtime: Any) -> None:
    c, app = client
    v = village(runtime.app, name="仉家村")
    other = village(runtime.app, name="外镇村", township="花沟镇")
    person_session(c, app, "zhang", "preparer", [TOWNSHIP])
    page = c.get(f"/periods/{v}?year=2025")
    assert page.status_code == 200 and "记账/主管办理" in page.text
    assert '<form method="post" action="/periods/' not in page.text
    assert c.get(f"/periods/{other}").status_code == 404
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    forbidden = c.post(
        f"/periods/{v}/close",
        data={"csrf_token": csrf.group(1), "idempotency_key": "k1", "month": "2025-01"},
        follow_redirects=False,
    )
    assert forbidden.status_code == 403 and "不能结账" in forbidden.text
    assert runtime.app.get_books(v).closed_through is None
