"""The workbench's 审核 and 记账 (issue 20) in the test client: a voucher's 记账 and 取消审核
buttons for the right people only, the batch review page (a chosen subset reviewed in one
action, a batch with one voucher that cannot refused whole and that voucher named, posting in
date order), the settings page naming the 会计主管 and 出纳 printed on the voucher, and the
township's 审核即记账 shown on the buttons and the print."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app
from tests.e2e.test_workbench_books_vouchers import fields

# pages, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def submitted(runtime: Any, books: str, summary: str, day: datetime.date = DAY) -> str:
    """A voucher prepared and submitted by 李华 (lihua); its id."""
    vouchers = runtime.app.vouchers
    voucher = vouchers.draft_voucher(
        entity=books,
        date=day,
        summary=summary,
        lines=[{"account": "102", "debit": "100.00"}, {"account": "504", "credit": "100.00"}],
        actor="lihua",
    )
    vouchers.submit_voucher(draft=voucher.draft, actor="lihua")
    return str(voucher.draft)


def post_form(c: TestClient, page_url: str, target: str, **data: Any) -> Any:
    page = c.get(page_url)
    assert page.status_code == 200, page.text
    hidden = review_fields(page.text) if target == "/review" else fields(page.text, target)
    return c.post(target, data={**hidden, **data}, follow_redirects=False)


def review_fields(html: str) -> dict[str, str]:
    """The hidden fields of the batch page's form (not its filter, a GET form to the same
    address)."""
    form = re.search(
        r'<form method="post" action="/review" id="review-form">(.*?)</form>', html, re.S
    )
    assert form, "no review form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def test_the_voucher_page_offers_each_step_to_its_people(client: Any, runtime: Any) -> None:
    c, app = client
    books = village(runtime.app, name="仉家村")
    draft = submitted(runtime, books, "收到水费")
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])  # registered: 李华
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    assert ">审核通过</button>" in page and "审核通过并记账" not in page
    assert post_form(c, f"/vouchers/{draft}", f"/vouchers/{draft}/approve").status_code == 303
    page = c.get(f"/vouchers/{draft}").text
    assert "已审核" in page and 'id="unreview"' in page and 'id="post-voucher"' not in page
    forged = c.post(
        f"/vouchers/{draft}/post", data=fields(page, f"/vouchers/{draft}/unreview")
    )  # the reviewer's role has no 记账, and the voucher is theirs
    assert forged.status_code == 403
    assert runtime.app.get_books(books).sequences == {}

    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    assert 'id="post-voucher"' in page and 'id="unreview"' not in page
    assert "待我记账（1）" in c.get("/").text
    assert post_form(c, f"/vouchers/{draft}", f"/vouchers/{draft}/post").status_code == 303
    page = c.get(f"/vouchers/{draft}").text
    assert "已记账" in page and "记账：赵六" in page and "审核：王芳" in page
    printed = c.get(f"/vouchers/{draft}/print").text
    assert "赵六" in printed and "王芳" in printed and "审核即记账" not in printed


def test_a_chosen_subset_is_reviewed_in_one_action_and_a_bad_batch_is_refused_whole(
    client: Any, runtime: Any
) -> None:
    c, app = client
    books = village(runtime.app, name="仉家村")
    first = submitted(runtime, books, "一号", DAY - datetime.timedelta(days=3))
    second = submitted(runtime, books, "二号", DAY - datetime.timedelta(days=2))
    third = submitted(runtime, books, "三号", DAY - datetime.timedelta(days=1))
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get("/review").text
    assert re.search(r'id="total-count">3<', page)
    assert re.search(r'id="total-debit">¥300\.00<', page)
    assert re.search(r'id="total-credit">¥300\.00<', page)
    chosen = post_form(c, "/review", "/review", draft=[first, third])  # 二号 unticked
    assert chosen.status_code == 303
    assert "done=2" in chosen.headers["location"]
    status = {d: runtime.app.vouchers.get_voucher(d).status for d in (first, second, third)}
    assert status == {first: "reviewed", second: "submitted", third: "reviewed"}

    # a batch in which one voucher cannot be reviewed (already reviewed): nothing is written
    before = runtime.app.recorder.max_notification_id()
    refused = post_form(c, "/review", "/review", draft=[second, first])
    assert refused.status_code == 422
    assert 'id="problems"' in refused.text and f'href="/vouchers/{first}"' in refused.text
    assert "一号" in refused.text and "已审核" in refused.text
    assert runtime.app.recorder.max_notification_id() == before

    # the bookkeeper posts what was reviewed, in date order
    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    page = c.get("/review?step=post").text
    assert re.search(r'id="total-count">2<', page)
    posted = post_form(c, "/review?step=post", "/review", draft=[third, first])
    assert posted.status_code == 303
    numbers = [runtime.app.vouchers.get_voucher(d).posted_number for d in (first, third)]
    assert numbers[0] is not None and numbers[1] is not None and numbers[0] < numbers[1]
    shown = c.get(posted.headers["location"]).text
    assert "已记账 2 张凭证" in shown


def test_the_reviewer_cannot_tick_their_own_on_the_post_tab(client: Any, runtime: Any) -> None:
    c, app = client
    books = village(runtime.app, name="仉家村")
    draft = submitted(runtime, books, "自审")
    runtime.app.vouchers.approve_voucher(draft=draft, actor="zhao")
    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    page = c.get("/review?step=post").text
    assert f'value="{draft}"' not in page and "您自己审核的凭证" in page
    forged = post_form(c, "/review?step=post", "/review", step="post", draft=[draft])
    assert forged.status_code == 422 and "不能记账自己审核的凭证" in forged.text
    assert runtime.app.vouchers.get_voucher(draft).status == "reviewed"


def test_the_settings_name_the_signers_and_review_posts_shows_everywhere(
    client: Any, runtime: Any
) -> None:
    c, app = client
    books = village(runtime.app, name="仉家村")
    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    named = post_form(
        c,
        "/settings",
        f"/settings/{TOWNSHIP}/signers",
        supervisor="赵国庆",
        **{f"cashier:{books}": "仉春燕"},
    )
    assert named.status_code == 303
    chose = post_form(c, "/settings", f"/settings/{TOWNSHIP}", numbering="yearly", review_posts="1")
    assert chose.status_code == 303
    assert "会计主管" in c.get("/settings").text and "赵国庆" in c.get("/settings").text
    draft = submitted(runtime, books, "收到租金")
    person_session(c, app, "wangfang", "reviewer", [TOWNSHIP])
    page = c.get(f"/vouchers/{draft}").text
    assert "审核通过并记账" in page
    assert "审核即记账" in c.get("/review").text
    assert post_form(c, f"/vouchers/{draft}", f"/vouchers/{draft}/approve").status_code == 303
    assert runtime.app.vouchers.get_voucher(draft).status == "posted"
    printed = c.get(f"/vouchers/{draft}/print").text
    assert "王芳（审核即记账）" in printed and "本凭证审核即记账" in printed
    assert "赵国庆" in printed and "仉春燕" in printed
