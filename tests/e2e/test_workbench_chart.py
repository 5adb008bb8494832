"""The 科目 page of the workbench: a 记账/主管 sees the chart with balances, opens a 明细科目
under 141 (and 141 then takes no postings of its own), renames it, retires one never posted
to; a refusal is shown in Chinese beside the form; a 制单 sees the chart without the forms and
a forged POST is 403; a voucher refused for a parent with sub-accounts names them and links
here. The account picker answers a parent's sub-accounts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store  # pages, not storage


@pytest.fixture
def books(runtime: Any) -> str:
    return village(runtime.app, name="仉家村")


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def fields(html: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form to {action}"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def row(html: str, code: str) -> str:
    found = re.search(rf'<tr id="a-{code}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row {code}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def submit(c: TestClient, books: str, action: str, **data: str) -> Any:
    page = c.get(f"/chart/{books}")
    return c.post(action, data={**fields(page.text, action), **data}, follow_redirects=False)


def test_a_bookkeeper_opens_renames_and_retires_sub_accounts(client: Any, books: str) -> None:
    c, app = client
    person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    assert c.get("/chart", follow_redirects=False).headers["location"] == f"/chart/{books}"
    page = c.get(f"/chart/{books}?parent=141")
    assert page.status_code == 200
    assert row(page.text, "102") == "102 银行存款 借 ¥500,000.00"
    assert '<option value="141" selected>' in page.text
    assert '<option value="321"' not in page.text  # 321 takes no sub-accounts

    opened = submit(
        c,
        books,
        f"/chart/{books}/open",
        parent="141",
        suffix="J01",
        name="长期投资-联合社",
        kind="unit",
    )
    assert opened.status_code == 303 and opened.headers["location"] == f"/chart/{books}"
    page = c.get(f"/chart/{books}").text
    assert (
        row(page, "141J01")
        == "141J01 长期投资-联合社 单位 借 ¥0.00 张三 开设 改名 / 停用 改名 停用"
    )
    assert "有明细科目" in row(page, "141")

    # the same code again: refused in Chinese beside the form, nothing written
    again = submit(
        c,
        books,
        f"/chart/{books}/open",
        parent="141",
        suffix="J01",
        name="长期投资-又一个",
        kind="unit",
    )
    assert again.status_code == 422
    assert "已开设明细科目 141J01 长期投资-联合社" in again.text
    assert 'value="长期投资-又一个"' in again.text  # what was typed stays
    missing = submit(
        c, books, f"/chart/{books}/open", parent="141", suffix="", name="x", kind="unit"
    )
    assert missing.status_code == 422 and "编码的后缀" in missing.text

    renamed = submit(c, books, f"/chart/{books}/141J01/rename", name="长期投资-联村公司")
    assert renamed.status_code == 303
    assert "长期投资-联村公司" in row(c.get(f"/chart/{books}").text, "141J01")
    same = submit(c, books, f"/chart/{books}/141J01/rename", name="长期投资-联村公司")
    assert same.status_code == 422 and "现在就叫" in same.text

    # the picker answers 141's sub-accounts, and no longer 141 itself
    picked = c.get(f"/accounts/{books}?format=json&q=141").json()
    assert [a["code"] for a in picked] == ["141J01"]

    retired = submit(c, books, f"/chart/{books}/141J01/retire")
    assert retired.status_code == 303
    page = c.get(f"/chart/{books}").text
    assert 'id="a-141J01"' not in page and "有明细科目" not in row(page, "141")
    assert [a["code"] for a in c.get(f"/accounts/{books}?format=json&q=141").json()] == ["141"]
    # an account that holds a balance has no 停用 (and the page refuses a forged one)
    token = fields(page, f"/chart/{books}/open")
    forged = c.post(f"/chart/{books}/102/retire", data={**token, "idempotency_key": "f-102"})
    assert forged.status_code == 422 and "不能停用" in forged.text


def test_a_voucher_to_a_parent_names_its_sub_accounts_and_links_the_chart_page(
    client: Any, books: str, runtime: Any
) -> None:
    c, app = client
    runtime.app.books.open_account(
        entity=books, code="141J01", name="长期投资-联合社", parent="141", actor="t", kind="unit"
    )
    person_session(c, app, "lihua", "preparer", [TOWNSHIP])
    page = c.get(f"/chart/{books}")
    assert page.status_code == 200 and "记账/主管" in page.text
    assert "141J01 长期投资-联合社 单位" in row(page.text, "141J01")
    assert f'action="/chart/{books}/open"' not in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    forged = c.post(
        f"/chart/{books}/open",
        data={
            "csrf_token": token.group(1),
            "idempotency_key": "forged-open",
            "parent": "141",
            "suffix": "J02",
            "name": "x",
            "kind": "unit",
        },
    )
    assert forged.status_code == 403
    assert "141J02" not in runtime.app.get_books(books).open_accounts

    new = c.get(f"/vouchers/new?entity={books}")
    answer = c.post(
        "/vouchers/new",
        data={
            **fields(new.text, "/vouchers/new"),
            "entity": books,
            "date": "2026-11-20",
            "summary": "投资联合社",
            "action": "submit",
            "account": ["141", "102"],
            "debit": ["1000", ""],
            "credit": ["", "1000"],
        },
    )
    assert answer.status_code == 200
    text = answer.text
    assert "141J01 长期投资-联合社" in text and "工作台的「科目」页" in text
    assert f'href="/chart/{books}?parent=141"' in text
    assert "POST" not in text and "/v1/" not in text
