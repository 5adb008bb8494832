"""The registers, distribution, 三公开 and import pages in a real headless Chromium (issue 10):

- a member register XLSX with two bad rows is refused with both rows named on the page and
  nothing written; the fixed file imports; the same file again registers nothing twice;
- a year of one village's vouchers (500) imports through the page (the time is printed);
- a plan goes from draft through every step of 四议两公开 to execution, through the pages;
- an auditor sees no write button, and a forged POST is 403 with nothing written;
- no page asks anything of another host.
"""

from __future__ import annotations

import datetime
import decimal
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.register_files import HEADER, to_xlsx
from domain.members import register_id
from domain.privacy import with_check_digit
from projections import economy_queries
from runtime.bootstrap import Runtime
from tests import builders
from tests.apps import app_for
from tests.e2e.browser import served
from tests.e2e.passwords import CHEAP, cheap_users
from web.users import UserStore

PASSWORD = "correct horse 9"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IDS = [with_check_digit(f"3703221980010100{i}") for i in range(1, 6)]

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def person(runtime: Runtime, login: str, name: str, role: str) -> None:
    townships = [] if role in ("auditor", "admin") else ["唐坊镇"]
    runtime.app.people.register_person(login, name, role, townships, None, "cli")
    UserStore(runtime.engine, hasher=CHEAP).set_password(login, PASSWORD)


def register_rows(*, bad: bool) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["李孟德村成员名册（测试）"],
        [*HEADER, "人口股", "劳龄股"],
        ["H01", "李建国", "2025-01-01", "H01-1", "李建国", IDS[0], "2025-01-01", 1, 0.5],
        ["", "", "", "H01-2", "王秀英", IDS[1], "2025-01-01", 1, 0],
        ["H02", "张三明", "2025-01-01", "H02-1", "张三明", IDS[2], "2025-01-01", 1, 1],
        ["H03", "赵六", "2025-01-01", "H03-1", "赵六", IDS[3], "2025-01-01", 2, 0],
        ["", "", "", "H03-2", "欧阳小明", IDS[4], "2025-02-01", 1, 0],
    ]
    if bad:
        rows[3][5] = "3703221985"  # row 4: an ID number too short
        rows[5][6] = "2099-01-01"  # row 6: joined after today
    return rows


@pytest.fixture
def site(runtime: Runtime, browser: Any) -> Iterator[tuple[str, Any, list[str]]]:
    """The app served on loopback, a browser, and every URL the browser asked for."""
    app = app_for(runtime)
    cheap_users(app)  # Argon2id with the tests' cheap parameters (tests/e2e/passwords.py)
    requested: list[str] = []
    with served(app) as base:
        yield base, browser, requested
    outside = [url for url in requested if not url.startswith(base)]
    assert outside == [], outside


def signed_in(site: tuple[str, Any, list[str]], login: str, start: str) -> Any:
    base, browser, requested = site
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/login?next={start}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}{start}")
    return page


def upload(page: Any, form: str, name: str, data: bytes) -> None:
    page.set_input_files(
        f"{form} input[type=file]", files=[{"name": name, "mimeType": XLSX, "buffer": data}]
    )
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


@ON_SQLITE
def test_a_register_file_with_two_bad_rows_then_the_fixed_file(
    runtime: Runtime, site: tuple[str, Any, list[str]]
) -> None:
    village = builders.village(runtime.app, name="李孟德村")
    person(runtime, "wangfang", "王芳", "preparer")
    page = signed_in(site, "wangfang", f"/imports?village={village}")
    before = runtime.views.head()

    with page.expect_download() as template:
        page.click("#register-upload >> text=下载模板")
    assert template.value.suggested_filename.endswith(".xlsx")

    upload(page, "#register-upload", "名册.xlsx", to_xlsx(register_rows(bad=True)))
    problems = page.locator("#problems tbody tr").all_inner_texts()
    assert any("第4行" in p and "身份证号" in p for p in problems), problems
    assert any("第6行" in p and "入社日期" in p for p in problems), problems
    assert "什么也没有写入" in page.inner_text(".errors")
    assert page.locator("#confirm-form").count() == 0
    assert runtime.views.head() == before and not runtime.app.exists(register_id(village))

    page.goto(f"{site[0]}/imports?village={village}")
    upload(page, "#register-upload", "名册.xlsx", to_xlsx(register_rows(bad=False)))
    assert page.inner_text("#add-members") == "5"
    assert runtime.views.head() == before  # the preview writes nothing
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("#import-done")
    assert "已登记 3 户、5 名成员" in page.inner_text("#import-done")
    page.click("text=查看")
    page.wait_for_selector("table.register")
    text = page.inner_text("table.register")
    assert "欧阳小明" in text and IDS[4] not in text and IDS[4][-4:] in text  # masked
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        found = economy_queries.member_register(conn, village, runtime.app.today())
    assert found is not None and sum(len(h["members"]) for h in found["households"]) == 5
    after = runtime.views.head()

    page.goto(f"{site[0]}/imports?village={village}")
    upload(page, "#register-upload", "名册.xlsx", to_xlsx(register_rows(bad=False)))
    assert "都已登记" in page.inner_text("main")
    assert page.locator("#confirm-form").count() == 0
    assert runtime.views.head() == after


def year_of_vouchers(village: str, count: int = 500) -> bytes:
    rows: list[list[Any]] = [
        ["单位代码", "日期", "凭证号", "摘要", "科目代码", "科目名称", "借方", "贷方"]
    ]
    for i in range(count):
        day = (datetime.date(2025, 1, 1) + datetime.timedelta(days=i * 365 // count)).isoformat()
        if i % 2 == 0:
            rows += [
                [village, day, i + 1, "收到土地承包费", "102", "银行存款", "1200.00", ""],
                ["", "", "", "", "504", "发包及上交收入", "", "1200.00"],
            ]
        else:
            rows += [
                [village, day, i + 1, "支付生产用电费", "511", "经营支出", "300.00", ""],
                ["", "", "", "", "102", "银行存款", "", "300.00"],
            ]
    return to_xlsx(rows)


@pytest.mark.one_store  # the page's flow; 500 vouchers on both stores: test_bulk_vouchers.py
def test_a_year_of_vouchers_through_the_page(  # the time is printed
    runtime: Runtime, site: tuple[str, Any, list[str]]
) -> None:
    village = builders.village(runtime.app)
    person(runtime, "zhaoli", "赵丽", "bookkeeper")
    page = signed_in(site, "zhaoli", "/imports")
    data = year_of_vouchers(village)
    started = time.perf_counter()
    upload(page, "#vouchers-upload", "凭证2025.xlsx", data)
    page.wait_for_selector("#confirm-form")
    checked = time.perf_counter()
    page.click("#confirm-form button[type=submit]")
    page.wait_for_selector("#import-done")
    done = time.perf_counter()
    # issue 20: imported for review, nothing in the books until another person reviews them
    assert "已导入 500 张凭证" in page.inner_text("#import-done")
    assert "都已提交审核，还没有记账" in page.inner_text("#import-done")
    assert runtime.app.get_books(village).sequences == {}
    batch = page.get_attribute("#review-batch", "href")
    assert batch is not None and batch.startswith("/review?step=review&import=")
    page.goto(f"{site[0]}{batch}")
    assert page.inner_text("#total-count") == "500"
    assert page.locator("#review-chosen").count() == 0  # the importer does not review them
    debit, credit = page.inner_text("#total-debit"), page.inner_text("#total-credit")
    assert debit == credit and debit.startswith("¥")

    person(runtime, "sunhong", "孙红", "reviewer")
    reviewer = signed_in(site, "sunhong", "/")
    assert "待我审核（" in reviewer.inner_text("#waiting")
    reviewer.goto(f"{site[0]}{batch}")
    assert reviewer.locator("input[name=draft]:checked").count() == 500
    assert reviewer.inner_text("#total-debit") == debit
    reviewer.click("#review-chosen")
    reviewer.wait_for_selector("#done")
    reviewed = time.perf_counter()
    assert "已审核 500 张凭证" in reviewer.inner_text("#done")
    assert runtime.app.get_books(village).sequences == {}  # 已审核: still not in the books

    page.goto(f"{site[0]}{batch.replace('step=review', 'step=post')}")
    assert page.locator("input[name=draft]:checked").count() == 500
    page.click("#review-chosen")
    page.wait_for_selector("#done")
    posted = time.perf_counter()
    shown = page.inner_text("#done")
    assert "已记账 500 张凭证" in shown
    assert f"{village} 2025-0001 至 {village} 2025-0500" in shown
    print(
        f"\n500 vouchers through the page: preview {checked - started:.2f} s, "
        f"import {done - checked:.2f} s, total {done - started:.2f} s; "
        f"reviewed in one action {reviewed - done:.2f} s (with the pages), "
        f"posted in one action {posted - reviewed:.2f} s"
    )
    assert done - started < 30


def village_with_members(app: Any) -> str:
    """A village with ¥50,000 of income and three households of one member each."""
    village = builders.village(app, name="和店村")
    app.books.post_entry(
        entity=village,
        date=datetime.date(2025, 6, 1),
        memo="投资收益",
        postings=builders.receipt("50000.00", income="502"),
        actor="tester",
    )
    app.members.open_register(village=village, share_kinds=["人口股"], actor="tester")
    for n in range(3):
        app.members.register_household(
            village=village,
            number=f"H{n}",
            head=f"户主{n}",
            registered_on=datetime.date(2025, 1, 1),
            actor="tester",
        )
        app.members.register_member(
            village=village,
            number=f"H{n}-1",
            household=f"H{n}",
            name=f"成员{n}",
            id_number=IDS[n],
            joined_on=datetime.date(2025, 1, 1),
            shares={"人口股": decimal.Decimal(n + 1)},
            actor="tester",
        )
    return village


@ON_SQLITE
def test_a_plan_from_draft_through_every_step_to_execution(
    runtime: Runtime, site: tuple[str, Any, list[str]]
) -> None:
    app = runtime.app
    village = village_with_members(app)
    person(runtime, "wangfang", "王芳", "preparer")
    person(runtime, "zhaoli", "赵丽", "bookkeeper")

    page = signed_in(site, "wangfang", "/distribution")
    form = "#draft-plan"
    page.select_option(f"{form} [name=scope]", "village")
    page.select_option(f"{form} [name=target]", village)
    page.fill(f"{form} [name=code]", "P2025-T")
    page.fill(f"{form} [name=title]", "2025年度收益分配")
    page.fill(f"{form} [name=period]", "2025")
    page.fill(f"{form} [name=as_of]", "2025-12-31")
    page.fill(f"{form} [name=amount]", "30000")
    page.select_option(f"{form} [name=preset]", "village-shares")
    page.click(f"{form} button[type=submit]")
    page.wait_for_url(f"{site[0]}/distribution/P2025-T")
    assert "公平性比较" in page.inner_text("main")

    steps = [
        ("提议", {"body": "村党支部"}),
        (
            "商议",
            {
                "body": "村两委联席会议",
                "expected": "7",
                "present": "7",
                "votes_for": "6",
                "votes_against": "1",
            },
        ),
        ("审议", {"body": "党员大会", "expected": "30", "present": "26", "votes_for": "25"}),
        (
            "决议",
            {
                "body": "村民代表会议",
                "expected": "40",
                "present": "36",
                "votes_for": "33",
                "votes_against": "2",
                "abstentions": "1",
            },
        ),
        ("决议公开", {"body": "村委会"}),
    ]
    for index, (step, fields) in enumerate(steps):
        if step == "审议":  # the comparison goes on the table before the party members' vote
            page.select_option("#compare-for_step", "审议")
            page.click("#compare-form button[type=submit]")
            page.wait_for_load_state()
            assert "第1份（审议前）" in page.inner_text("main")
        assert page.inner_text("#step-form h2") == f"记录：{step}"
        page.fill("#step-form [name=date]", f"2026-01-{index + 5:02d}")
        for name, value in fields.items():
            page.fill(f"#step-form [name={name}]", value)
        page.click("#step-form button[type=submit]")
        page.wait_for_load_state()
        assert step in page.inner_text("table.steps")
    assert page.locator("#execute-form").count() == 0  # a preparer does not execute
    # issue 20: the preparer asks for the execution, another person executes it
    page.fill("#request-form [name=date]", "2026-01-12")
    page.click("#request-execution")
    page.wait_for_selector("#execution-request")
    assert "王芳 已提请于 2026-01-12 执行本方案" in page.inner_text("#execution-request")
    assert page.locator("#own-request").count() == 1
    assert page.locator("#execute-form").count() == 0
    assert app.get_books(village).sequences == {} or app.plans.get_plan("P2025-T").entries == []

    page = signed_in(site, "zhaoli", "/distribution/P2025-T")
    page.click("#execute")
    page.wait_for_selector("text=执行凭证")
    assert page.inner_text(".plan-state") == "已执行"
    page.fill("#step-form [name=date]", "2026-01-13")
    page.fill("#step-form [name=body]", "村委会")
    page.click("#step-form button[type=submit]")
    page.wait_for_load_state()
    assert "实施结果公开" in page.inner_text("table.steps")
    assert app.plans.get_plan("P2025-T").state == "executed"
    assert len(app.plans.get_plan("P2025-T").steps) == 6
    assert [c["for_step"] for c in app.plans.get_plan("P2025-T").comparisons] == ["审议"]
    page.click("text=分配明细表（打印）")
    page.wait_for_load_state()
    assert "P2025-T" in page.content()


@ON_SQLITE
def test_an_auditor_sees_no_write_button_and_a_forged_post_is_403(
    runtime: Runtime, site: tuple[str, Any, list[str]]
) -> None:
    app = runtime.app
    village = village_with_members(app)
    app.plans.draft_plan(
        code="P-AUDIT",
        title="分红",
        scope="village",
        target=village,
        period="2025",
        as_of=datetime.date(2025, 12, 31),
        amount="9000.00",
        rule={"tiers": [{"kind": "proportional", "basis": "shares"}]},
        actor="tester",
    )
    app.plans.record_plan_step(
        code="P-AUDIT", step="提议", date=datetime.date(2026, 1, 5), body="村党支部", actor="tester"
    )
    person(runtime, "sunjie", "孙洁", "auditor")
    page = signed_in(site, "sunjie", f"/registers/villages/{village}")
    base = site[0]
    for path in (
        "/distribution/P-AUDIT",
        f"/registers/villages/{village}",
        "/registers",
        "/distribution",
        f"/disclosure?village={village}&period=2025",
        "/imports",
    ):
        page.goto(f"{base}{path}")
        writes = page.locator("main form[method=post]").count()
        assert writes == 0, (path, writes)
    assert "户主1" in page.goto(f"{base}/registers/villages/{village}").text()  # reads everything
    csrf = json.loads(page.get_attribute("body", "hx-headers") or "{}").get("X-CSRF-Token")
    assert csrf
    before = runtime.views.head()
    forged = page.request.post(
        f"{base}/registers/villages/{village}/households",
        form={
            "csrf_token": csrf,
            "idempotency_key": "forged-1",
            "which": "household",
            "number": "H9",
            "head": "伪造",
            "registered_on": "2025-01-01",
        },
        max_redirects=0,
    )
    assert forged.status == 403
    no_token = page.request.post(
        f"{base}/distribution",
        form={"idempotency_key": "forged-2", "scope": "village", "target": village},
        max_redirects=0,
    )
    assert no_token.status == 403
    assert runtime.views.head() == before
