"""Correcting in the workbench (``workbench.corrections``) through the test client: a November
mistake found later is reversed in red ink from the voucher's page and reviewed by another
person, a second reversal is refused in Chinese, a correcting voucher starts from the
original's lines, a draft is voided and stays visible, and the cross-book corrections (capital
refund, land rent, dividend) are forms for the 记账/主管."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.money import money
from tests.application.small import agreement, small_alliance
from tests.builders import TOWNSHIP, review_posts, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app
from tests.e2e.test_workbench_books_vouchers import draft_of, enter, fields

# pages and forms, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

D = datetime.date
TODAY = "2026-11-23"  # the tests' today


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    review_posts(runtime.app)  # corrections are the subject: the approval posts (审核即记账)
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def post(c: TestClient, page_url: str, target: str, **data: Any) -> Any:
    """Post the form of ``page_url`` that posts to ``target``, with ``data``."""
    page = c.get(page_url)
    assert page.status_code == 200, page.text
    return c.post(target, data={**fields(page.text, target), **data}, follow_redirects=False)


def posted_voucher(c: TestClient, app: Any, books: str) -> str:
    """A voucher entered by 李华 (制单) and approved by 王芳 (审核); its id."""
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    saved = enter(c, books, [("102", "1200", ""), ("501", "", "1200")], "submit")
    draft = draft_of(saved.headers["location"])
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    assert post(c, f"/vouchers/{draft}", f"/vouchers/{draft}/approve").status_code == 303
    return draft


def test_a_red_ink_voucher_from_the_voucher_page_through_review(client: Any, runtime: Any) -> None:
    c, app = client
    books = village(runtime.app, name="仉家村")
    original = posted_voucher(c, app, books)
    number = runtime.app.vouchers.get_voucher(original).posted_number

    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    page = c.get(f"/vouchers/{original}").text
    assert 'id="reverse-form"' in page and f'value="{TODAY}"' in page  # today by default
    no_reason = post(c, f"/vouchers/{original}", f"/vouchers/{original}/reverse", date=TODAY)
    assert no_reason.status_code == 422 and "冲销的原因" in no_reason.text
    made = post(
        c,
        f"/vouchers/{original}",
        f"/vouchers/{original}/reverse",
        date=TODAY,
        reason="金额应为 1000 元",
        action="submit",
    )
    assert made.status_code == 303, made.text
    red = draft_of(made.headers["location"])
    page = c.get(f"/vouchers/{red}").text
    assert f"冲销 {number} 号凭证: 金额应为 1000 元" in page and "待审核" in page
    assert "-¥1,200.00" in page and 'class="voucher-lines red-ink"' in page
    assert f'href="/vouchers/{original}"' in page  # it cites the original
    assert 'id="approve"' not in page  # its preparer does not review it

    assert 'id="reverse-form"' not in c.get(f"/vouchers/{original}").text  # one pending
    hidden = fields(c.get(f"/vouchers/{red}").text, f"/vouchers/{red}/withdraw")
    again = c.post(
        f"/vouchers/{original}/reverse", data={**hidden, "date": TODAY, "reason": "再冲"}
    )  # a forged second reversal
    assert again.status_code == 422 and "只能冲销一次" in again.text

    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    assert post(c, f"/vouchers/{red}", f"/vouchers/{red}/approve").status_code == 303
    reversal_number = runtime.app.vouchers.get_voucher(red).posted_number
    assert runtime.app.get_books(books).reversed_by[number] == reversal_number
    assert runtime.app.get_books(books).balance("102") == money("500000.00")
    shown = c.get(f"/vouchers/{original}").text
    assert 'id="reversal"' in shown and f"{reversal_number} 号凭证" in shown
    assert 'id="reverse-form"' not in shown  # reversed: no second red-ink button


def test_a_correcting_voucher_and_voiding_a_draft(client: Any, runtime: Any) -> None:
    c, app = client
    books = village(runtime.app, name="仉家村")
    original = posted_voucher(c, app, books)

    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    form = c.get(f"/vouchers/{original}/correct")
    assert form.status_code == 200
    assert 'value="102"' in form.text and 'value="1200.00"' in form.text  # prefilled
    saved = post(
        c,
        f"/vouchers/{original}/correct",
        f"/vouchers/{original}/correct",
        date=TODAY,
        summary="更正：应记 502",
        action="draft",
        account=["102", "502"],
        debit=["1200", ""],
        credit=["", "1200"],
    )
    assert saved.status_code == 303, saved.text
    draft = draft_of(saved.headers["location"])
    page = c.get(f"/vouchers/{draft}").text
    assert "更正" in page and f'href="/vouchers/{original}"' in page and "草稿" in page

    no_reason = post(c, f"/vouchers/{draft}", f"/vouchers/{draft}/void", reason="")
    assert no_reason.status_code == 422 and "作废的原因" in no_reason.text
    voided = post(c, f"/vouchers/{draft}", f"/vouchers/{draft}/void", reason="重复录入")
    assert voided.status_code == 303
    page = c.get(f"/vouchers/{draft}").text
    assert "已作废" in page and "重复录入" in page and 'id="submit-voucher"' not in page
    assert f'data-draft="{draft}"' in c.get("/vouchers?status=voided").text
    assert runtime.app.vouchers.get_voucher(draft).status == "voided"


def test_the_cross_book_corrections_are_forms_for_the_bookkeeper(client: Any, runtime: Any) -> None:
    c, app = client
    domain = runtime.app
    alliance, joint, v1, _ = small_alliance(domain)
    paid, _ = domain.pooling.pay_land_rent(
        joint=joint,
        village=v1,
        mu=Decimal("10"),
        rate_per_mu="300.00",
        year=2025,
        date=D(2025, 3, 1),
        actor="t",
    )
    _, deal = agreement(domain, alliance)
    declared = domain.agreements.declare_dividend(
        agreement=deal, year=2025, amount="10000.00", date=D(2025, 11, 1), actor="t"
    )

    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    refused = post(
        c,
        "/corrections",
        "/corrections/capital-refund",
        joint=joint,
        village=v1,
        programme="CZFC",
        amount="30000",
        date=TODAY,
        reason="项目调整",
    )
    assert refused.status_code == 403 and "不能" in refused.text

    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    page = c.get("/corrections").text
    assert f'value="{joint}"' in page and f'value="{deal}"' in page
    too_much = post(
        c,
        "/corrections",
        "/corrections/capital-refund",
        joint=joint,
        village=v1,
        programme="CZFC",
        amount="300000",
        date=TODAY,
        reason="项目调整",
    )
    assert too_much.status_code == 422 and "300000" in too_much.text  # typed values kept
    refund = post(
        c,
        "/corrections",
        "/corrections/capital-refund",
        joint=joint,
        village=v1,
        programme="CZFC",
        amount="30000",
        date=TODAY,
        reason="项目调整",
    )
    assert refund.status_code == 303 and refund.headers["location"] == f"/ledgers/{joint}/journal"
    assert domain.get_joint(joint).refundable_capital(v1, "CZFC", D(2026, 11, 23)) == money(
        "70000.00"
    )

    rent = post(
        c,
        "/corrections",
        "/corrections/land-rent",
        joint=joint,
        entry=paid.number,
        date=TODAY,
        reason="亩数录错",
        mu="12",
        rate_per_mu="300",
        year="2025",
    )
    assert rent.status_code == 303, rent.text
    assert paid.number in domain.get_joint(joint).reversed_by

    dividend = post(
        c,
        "/corrections",
        "/corrections/dividend",
        agreement=deal,
        entry=declared.number,
        year="2025",
        amount="12000",
        date=TODAY,
        reason="企业更正宣告金额",
    )
    assert dividend.status_code == 303 and dividend.headers["location"].endswith("/journal")
    assert domain.agreements.get_agreement(deal).declared_for(2025) == money("12000.00")
    twice = post(
        c,
        "/corrections",
        "/corrections/dividend",
        agreement=deal,
        entry=declared.number,
        year="2025",
        amount="12000",
        date=TODAY,
        reason="再改",
    )
    assert twice.status_code == 422 and re.search(r"冲销", twice.text)
