"""Vouchers in the workbench (issue 10 items 2 and 3), in real Chromium: a 制单 logs in, enters a
voucher with the keyboard only, submits it; a different 审核 approves it from the 工作台; it is
in the trial balance and the account's detail, and prints; the preparer has no approve button
and a forged approve is refused; an 审计 sees no write button and a forged POST is 403; every
request stays on the app's origin. Refusals (unbalanced, returned, wrong person) through the
test client, on both stores."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, village
from tests.e2e.browser import served
from tests.e2e.test_workbench_books_support import (
    browser_log_in,
    person_session,
    register,
    signed_in_app,
)

# pages, prints and problem texts, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

DAY = "2026-11-20"  # tests' today is 2026-11-23


@pytest.fixture
def books(runtime: Any) -> str:
    return village(runtime.app, name="仉家村")


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, Idempotency-Key) of the form posting to ``action``."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def draft_of(location: str) -> str:
    found = re.match(r"^/vouchers/([0-9a-f]{32})", location)
    assert found, location
    return found.group(1)


def enter(
    c: TestClient,
    entity: str,
    lines: list[tuple[str, str, str]],
    action: str,
    summary: str = "收到土地流转费",
) -> Any:
    page = c.get(f"/vouchers/new?entity={entity}")
    assert page.status_code == 200, page.text
    data: dict[str, Any] = {
        **fields(page.text, "/vouchers/new"),
        "entity": entity,
        "date": DAY,
        "summary": summary,
        "action": action,
        "account": [a for a, _, _ in lines],
        "debit": [d for _, d, _ in lines],
        "credit": [k for _, _, k in lines],
    }
    return c.post("/vouchers/new", data=data, follow_redirects=False)


def test_unbalanced_is_refused_then_returned_and_fixed(client: Any, books: str) -> None:
    c, app = client
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    refused = enter(c, books, [("102", "1200", ""), ("501", "", "1000")], "submit")
    assert refused.status_code == 422
    assert "借贷不平衡" in refused.text and "1,200.00" in refused.text
    assert 'value="1000.00"' in refused.text  # the form comes back as typed
    saved = enter(c, books, [("102", "1200", ""), ("501", "", "1200")], "submit")
    assert saved.status_code == 303, saved.text
    draft = draft_of(saved.headers["location"])
    mine = c.get(f"/vouchers/{draft}").text
    assert "待审核" in mine and 'id="approve"' not in mine
    # the reviewer returns it with a reason; the preparer sees it on the 工作台 and fixes it
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    no_reason = c.post(
        f"/vouchers/{draft}/return",
        data={**fields(page, f"/vouchers/{draft}/return"), "reason": ""},
    )
    assert no_reason.status_code == 422 and "退回的原因" in no_reason.text
    page = c.get(f"/vouchers/{draft}").text
    back = c.post(
        f"/vouchers/{draft}/return",
        follow_redirects=False,
        data={**fields(page, f"/vouchers/{draft}/return"), "reason": "金额与收据不符"},
    )
    assert back.status_code == 303
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    home = c.get("/").text
    assert f"/vouchers/{draft}" in home and "金额与收据不符" in home
    page = c.get(f"/vouchers/{draft}").text
    assert "已退回" in page and "金额与收据不符" in page
    edited = c.post(
        f"/vouchers/{draft}",
        follow_redirects=False,
        data={
            **fields(page, f"/vouchers/{draft}"),
            "date": DAY,
            "summary": "收到土地流转费（改）",
            "action": "submit",
            "account": ["102", "501"],
            "debit": ["1300", ""],
            "credit": ["", "1300"],
        },
    )
    assert edited.status_code == 303, edited.text
    assert "待审核" in c.get(f"/vouchers/{draft}").text
    listed = c.get("/vouchers?status=submitted").text
    assert "收到土地流转费（改）" in listed


def test_books_refusal_keeps_the_draft_and_says_why(client: Any, books: str) -> None:
    c, app = client
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    saved = enter(c, books, [("999", "50", ""), ("501", "", "50")], "submit")
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("?check=1")
    page = c.get(saved.headers["location"])
    assert "未能提交" in page.text and "草稿" in page.text


def test_attachments_beside_the_voucher(client: Any, books: str) -> None:
    c, app = client
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    draft = draft_of(
        enter(c, books, [("102", "80", ""), ("501", "", "80")], "draft").headers["location"]
    )
    page = c.get(f"/vouchers/{draft}").text
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
        b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe"
        b"\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    answer = c.post(
        f"/vouchers/{draft}/attachments",
        follow_redirects=False,
        data=fields(page, f"/vouchers/{draft}/attachments"),
        files={"file": ("收据.png", png, "image/png")},
    )
    assert answer.status_code == 303, answer.text
    page = c.get(f"/vouchers/{draft}").text
    image = re.search(r'<img src="([^"]+)"', page)
    assert image and "收据.png" in page
    served_back = c.get(image.group(1))
    assert served_back.status_code == 200 and served_back.content == png
    page = c.get(f"/vouchers/{draft}").text
    bad = c.post(
        f"/vouchers/{draft}/attachments",
        data=fields(page, f"/vouchers/{draft}/attachments"),
        files={"file": ("a.txt", b"hello", "text/plain")},
    )
    assert bad.status_code == 422


def test_other_township_and_auditor_cannot_write(client: Any, books: str) -> None:
    c, app = client
    person_session(c, app, "zhao", "preparer", ["花沟镇"])
    assert c.get(f"/vouchers/new?entity={books}").status_code == 200
    refused = enter(c, books, [("102", "1", ""), ("501", "", "1")], "draft")
    assert refused.status_code == 422 and "请选择单位" in refused.text
    person_session(c, app, "shen", "auditor", [])
    page = c.get(f"/vouchers/new?entity={books}")
    assert page.status_code == 403 and "存草稿" not in page.text
    voucher = app.state.runtime.app.vouchers.draft_voucher(
        entity=books,
        date=datetime.date(2026, 11, 20),
        summary="待审",
        lines=[
            {"account": "102", "debit": "5", "credit": "", "memo": ""},
            {"account": "501", "debit": "", "credit": "5", "memo": ""},
        ],
        actor="lihua",
    )
    app.state.runtime.app.vouchers.submit_voucher(draft=voucher.draft, actor="lihua")
    page = c.get(f"/vouchers/{voucher.draft}").text
    assert '<form method="post" action="/vouchers/' not in page  # no write button
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    for action in ("approve", "return", "withdraw", "submit"):
        forged = c.post(
            f"/vouchers/{voucher.draft}/{action}",
            data={"csrf_token": token.group(1), "idempotency_key": f"k-{action}", "reason": "x"},
        )
        assert forged.status_code == 403, action
    assert "待审核" in c.get(f"/vouchers/{voucher.draft}").text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_keyboard_entry_review_and_ledger_in_chromium(
    runtime: Any, books: str, browser: Any
) -> None:
    runtime.app.books.open_account(
        entity=books, code="141J01", name="长期投资-联合社", parent="141", actor="t", kind="unit"
    )
    app = signed_in_app(runtime)
    register(app, "lihua", "preparer", [TOWNSHIP])
    register(app, "wangfang", "reviewer", [TOWNSHIP])
    register(app, "zhao", "bookkeeper", [TOWNSHIP])
    register(app, "shen", "auditor", [])
    with served(app) as base:
        requested: list[str] = []

        def person(login: str) -> Any:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            browser_log_in(page, base, login)
            return page

        # 制单: the keyboard only, from the date to the submit
        preparer = person("lihua")
        preparer.goto(f"{base}/vouchers/new?entity={books}")
        preparer.focus("#date")
        keys = preparer.keyboard
        keys.press("Control+A")
        keys.type(DAY)
        keys.press("Enter")
        keys.press("Control+A")
        keys.type("收到二组土地流转费")
        keys.press("Enter")
        # a code typed is never replaced: 141 has a sub-account, so Enter stays and lists it
        keys.type("141")
        preparer.wait_for_selector("ul.picker li[data-code='141J01']")
        keys.press("Enter")
        preparer.wait_for_selector(".picker-refusal")
        assert "已有明细科目" in preparer.inner_text(".picker-refusal")
        assert preparer.input_value("#lines tr.line:nth-child(1) input.account") == "141"
        assert preparer.evaluate("document.activeElement.classList.contains('account')")
        keys.press("Control+A")
        keys.type("141J09")  # not open: stays, with the 科目 page to open it
        keys.press("Enter")
        preparer.wait_for_selector(f".account-name a[href='/chart/{books}?parent=141']")
        assert preparer.input_value("#lines tr.line:nth-child(1) input.account") == "141J09"
        keys.press("Control+A")
        keys.type("yhck")  # 银行存款 by its pinyin initials
        preparer.wait_for_selector("ul.picker li[data-code='102']")
        keys.press("Enter")
        keys.type("1,200.5")
        keys.press("Enter")
        keys.press("Enter")  # no credit on this line
        keys.type("50")  # 501, 502, 503, 504: ↓ to 502, ↑ back to 501, Enter
        preparer.wait_for_selector("ul.picker li[data-code='501'].active")
        keys.press("ArrowDown")
        assert preparer.get_attribute("ul.picker li.active", "data-code") == "502"
        keys.press("ArrowUp")
        keys.press("Tab")  # Tab takes the highlighted account as Enter does
        keys.press("Enter")  # no debit
        assert "不平衡" in preparer.inner_text("#balance")
        keys.type("1200.50")
        assert preparer.input_value("#lines tr.line:nth-child(1) input.account") == "102"
        assert preparer.input_value("#lines tr.line:nth-child(2) input.account") == "501"
        assert preparer.inner_text("#debit-total") == "¥1,200.50"
        assert preparer.inner_text("#credit-total") == "¥1,200.50"
        assert preparer.inner_text("#capitals") == "壹仟贰佰元伍角"
        # Enter in the last cell adds a line
        rows = preparer.locator("#lines tr.line").count()
        preparer.focus("#lines tr.line:last-child input.credit")
        keys.press("Enter")
        assert preparer.locator("#lines tr.line").count() == rows + 1
        assert preparer.evaluate("document.activeElement.classList.contains('account')")
        keys.type("101")  # an exact code and Enter: kept as typed (not 1011 or the like)
        preparer.wait_for_selector("ul.picker li[data-code='101']")
        keys.press("Enter")
        preparer.wait_for_function("document.activeElement.classList.contains('debit')")
        assert preparer.input_value("#lines tr.line:last-child input.account") == "101"
        assert preparer.inner_text("#lines tr.line:last-child .account-name") == "库存现金"
        preparer.fill("#lines tr.line:last-child input.account", "")  # the line left blank
        keys.press("Control+Enter")  # submit
        preparer.wait_for_selector("#voucher-status")
        assert preparer.inner_text("#voucher-status") == "待审核"
        assert preparer.locator("#approve").count() == 0
        draft = draft_of(preparer.url.removeprefix(base))
        # a forged approve by the preparer is refused by the server
        token = preparer.get_attribute("input[name=csrf_token]", "value")
        forged = preparer.request.post(
            f"{base}/vouchers/{draft}/approve",
            form={"csrf_token": token, "idempotency_key": "forged-1"},
        )
        assert forged.status == 403
        preparer.reload()
        assert preparer.inner_text("#voucher-status") == "待审核"

        # 审核: another person approves it from the 工作台
        reviewer = person("wangfang")
        reviewer.click(f"#waiting a[href='/vouchers/{draft}']")
        reviewer.wait_for_selector("#approve")
        assert reviewer.inner_text("#approve") == "审核通过"  # the township's default: two steps
        reviewer.click("#approve")
        reviewer.wait_for_selector("#unreview")
        assert reviewer.inner_text("#voucher-status") == "已审核"
        assert reviewer.locator("#post-voucher").count() == 0  # nobody posts what they reviewed

        # 记账: a third person, the bookkeeper, posts it from the 工作台
        bookkeeper = person("zhao")
        assert "待我记账（1）" in bookkeeper.inner_text("#waiting")
        bookkeeper.click(f"#waiting a[href='/vouchers/{draft}']")
        bookkeeper.click("#post-voucher")
        bookkeeper.wait_for_selector("#posted-number")
        assert bookkeeper.inner_text("#voucher-status") == "已记账"
        assert "记账：赵六" in bookkeeper.inner_text("#signers")
        number = bookkeeper.inner_text("#posted-number")

        # in the trial balance and the account's detail, then the voucher itself
        reviewer.goto(f"{base}/ledgers/{books}?period=2026-11")
        row = reviewer.inner_text("#trial-balance tr[data-account='501']")
        assert "1,200.50" in row
        reviewer.click("#trial-balance tr[data-account='102'] td:nth-child(2) a")
        reviewer.wait_for_selector("#account-detail")
        assert "收到二组土地流转费" in reviewer.inner_text("#account-detail")
        reviewer.click(f"#account-detail tr[data-number='{number}'] a")
        reviewer.wait_for_load_state()
        printed = reviewer.content()
        assert "收到二组土地流转费" in printed and "壹仟贰佰元伍角" in printed
        assert "李华" in printed and "王芳" in printed and "赵六" in printed

        # 审计: reads it, no write button, and a forged POST is 403
        auditor = person("shen")
        auditor.goto(f"{base}/vouchers/{draft}")
        assert auditor.locator("main form[method=post]").count() == 0
        assert auditor.locator("#approve").count() == 0
        auditor.goto(f"{base}/")
        assert auditor.locator("main a[href^='/vouchers/new']").count() == 0
        token = auditor.get_attribute("input[name=csrf_token]", "value")
        forged = auditor.request.post(
            f"{base}/vouchers/new",
            form={
                "csrf_token": token,
                "idempotency_key": "forged-2",
                "entity": books,
                "date": DAY,
                "summary": "x",
                "account": "102",
                "debit": "1",
                "credit": "",
                "action": "draft",
            },
        )
        assert forged.status == 403
        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside


def test_print_of_an_entry_posted_directly(client: Any, books: str, runtime: Any) -> None:
    runtime.app.books.post_entry(
        entity=books,
        date=datetime.date(2026, 11, 2),
        memo="直接记账",
        postings=[
            {"account": "102", "side": "debit", "amount": "10.00"},
            {"account": "504", "side": "credit", "amount": "10.00"},
        ],
        actor="tester",
    )
    c, app = client
    person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    detail = c.get(f"/ledgers/{books}/accounts/504?period=2026-11").text
    link = re.search(rf'href="(/entries/{books}/[^"]+/print)"', detail)
    assert link
    page = c.get(link.group(1))
    assert page.status_code == 200 and "直接记账" in page.text
    assert c.get(link.group(1) + ".pdf").content.startswith(b"%PDF")


def test_double_click_writes_once_and_withdraw(client: Any, books: str, runtime: Any) -> None:
    c, app = client
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    page = c.get(f"/vouchers/new?entity={books}")
    data: dict[str, Any] = {
        **fields(page.text, "/vouchers/new"),
        "entity": books,
        "date": DAY,
        "summary": "收到租金",
        "action": "submit",
        "account": ["102", "501"],
        "debit": ["60", ""],
        "credit": ["", "60"],
    }
    first = c.post("/vouchers/new", data=data, follow_redirects=False)
    second = c.post("/vouchers/new", data=data, follow_redirects=False)  # the same form again
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    listed = c.get(f"/vouchers?entity={books}").text
    assert listed.count("收到租金") == 1
    draft = draft_of(first.headers["location"])
    # a reviewer may not edit it; the preparer withdraws it back to draft
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    assert f'action="/vouchers/{draft}/withdraw"' not in page
    edit = c.post(
        f"/vouchers/{draft}",
        data={
            **fields(page, f"/vouchers/{draft}/approve"),
            "date": DAY,
            "summary": "改",
            "account": ["102"],
            "debit": ["1"],
            "credit": [""],
            "action": "draft",
        },
    )
    assert edit.status_code == 403
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    back = c.post(
        f"/vouchers/{draft}/withdraw",
        data=fields(page, f"/vouchers/{draft}/withdraw"),
        follow_redirects=False,
    )
    assert back.status_code == 303
    page = c.get(f"/vouchers/{draft}").text
    assert "草稿" in page and "撤回" in page  # in its history
    assert c.get(f"/vouchers/{draft}/print").status_code == 200
    assert c.get(f"/vouchers/{draft}/print.pdf").content.startswith(b"%PDF")
    assert c.get(f"/vouchers/{'0' * 32}").status_code == 404
    assert c.get("/vouchers/not-a-voucher").status_code == 404


def test_templates_fill_the_form(client: Any, books: str) -> None:
    c, app = client
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    for template, summary, accounts in (
        ("收款", "收到", ["102", ""]),
        ("付款", "支付", ["", "102"]),
        ("土地流转费", "收到土地流转费", ["102", "501"]),
        ("分红到账", "收到分红款", ["102", "502"]),
    ):
        page = c.get(f"/vouchers/new?entity={books}&template={template}").text
        assert f'name="summary" value="{summary}"' in page
        found = re.findall(r'<input name="account" value="([^"]*)"', page)
        assert found[:2] == accounts, (template, found)
