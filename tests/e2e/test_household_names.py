"""Issue 20 item 9: the clerk's own books name a household's head in full (应付款-李建国（H01）),
since the clerk must know whom to pay; the public pages and the files villagers get keep the
masked name (李*国). On the demo: 李孟德村 (V03) paid its households in 2026 through 211H01….

The stored account names stay as they were opened (masked, with the household number), so
the published sheets and their digests do not change; the clerk's read path (workbench pages,
the API a clerk's token reads) shows the head's name from the member register."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from scripts import scenario_a as A
from tests.e2e.public_demo import demo_client, text_of
from tests.e2e.test_workbench_books_support import log_in, register
from web.tokens import TokenStore

pytestmark = pytest.mark.one_store

HEAD = A.household_head("H01")  # 李建国
MASKED = HEAD[0] + "*" + HEAD[-1]  # 李*国
FULL = f"应付款-{HEAD}（H01）"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with demo_client(tmp_path_factory.mktemp("demo")) as (client, runtime):
        register(client.app, "names-auditor", "auditor", [])
        yield client, runtime


def clerk_page(client: Any, path: str) -> str:
    log_in(client, "names-auditor")
    response = client.get(path)
    assert response.status_code == 200, response.text
    return text_of(response.text)


def test_the_demo_pays_its_households_under_masked_account_names() -> None:
    assert HEAD == "李建国" and MASKED == "李*国"


@pytest.mark.parametrize(
    "path",
    [
        "/ledgers/V03?period=2026",  # 科目余额表
        "/ledgers/V03/accounts/211?period=2026",  # 明细账
        "/ledgers/V03/accounts/211H01?period=2026",
        "/ledgers/V03/general?period=2026",  # 总账 (first-level rows only: no household)
        "/ledgers/V03/journal?period=2026",  # 序时账
        "/chart/V03",  # 科目
        f"/distribution/{A.HOUSEHOLD_PLAN}",  # the plan page: whom it pays
    ],
)
def test_the_clerks_books_name_the_household_head_in_full(demo: Any, path: str) -> None:
    client, _ = demo
    text = clerk_page(client, path)
    assert MASKED not in text
    if path.startswith("/distribution"):
        assert HEAD in text
    elif not path.startswith("/ledgers/V03/general"):
        assert FULL in text


def test_the_account_picker_finds_the_household_by_its_heads_name(demo: Any) -> None:
    client, _ = demo
    log_in(client, "names-auditor")
    found = client.get("/accounts/V03", params={"q": HEAD, "format": "json"}).json()
    assert [(a["code"], a["name"]) for a in found] == [("211H01", FULL)]


def test_the_ledger_workbook_names_the_household_head_in_full(demo: Any) -> None:
    client, _ = demo
    log_in(client, "names-auditor")
    response = client.get("/ledgers/V03", params={"period": "2026", "format": "xlsx"})
    assert response.status_code == 200
    cells = [
        str(c).strip("\u3000")  # a sub-account's name is indented by a full-width space
        for ws in load_workbook(io.BytesIO(response.content)).worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert FULL in cells and not any(MASKED in c for c in cells)


def test_a_voucher_paying_the_household_shows_the_full_name(demo: Any) -> None:
    client, runtime = demo
    token = TokenStore(runtime.engine).create("names-admin", "admin")
    draft = client.post(
        "/v1/entities/V03/vouchers",
        json={
            "date": "2026-11-20",
            "summary": "补付分红",
            "lines": [
                {"account": "211H01", "debit": "10.00"},
                {"account": "102", "credit": "10.00"},
            ],
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert draft.status_code == 201, draft.text
    assert draft.json()["lines"][0]["account_name"] == FULL
    for path in (f"/vouchers/{draft.json()['draft']}", f"/vouchers/{draft.json()['draft']}/print"):
        text = clerk_page(client, path)
        assert FULL in text and MASKED not in text


def test_the_api_a_clerk_reads_names_the_household_head_in_full(demo: Any) -> None:
    client, runtime = demo
    token = TokenStore(runtime.engine).create("names-auditor-token", "auditor")
    headers = {"Authorization": f"Bearer {token}"}
    accounts = client.get("/v1/entities/V03/accounts", headers=headers).json()
    assert {a["code"]: a["name"] for a in accounts["accounts"]}["211H01"] == FULL
    entries = client.get("/v1/entities/V03/entries", params={"limit": 1000}, headers=headers)
    assert FULL in entries.text and MASKED not in entries.text
    tb = client.get(
        "/v1/entities/V03/statements/trial-balance", params={"period": "2026"}, headers=headers
    )
    assert FULL in tb.text and MASKED not in tb.text


def test_the_public_pages_and_files_keep_the_name_masked(demo: Any) -> None:
    client, _ = demo
    client.cookies.clear()
    sheet = client.get("/public/sheets/V03/2026-Q1/v1")
    assert sheet.status_code == 200
    assert MASKED in sheet.text and HEAD not in sheet.text
    workbook = client.get("/public/sheets/V03/2026-Q1/v1.xlsx")
    cells = " ".join(
        str(c)
        for ws in load_workbook(io.BytesIO(workbook.content)).worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    )
    assert MASKED in cells and HEAD not in cells
    plan = client.get(f"/public/plans/{A.HOUSEHOLD_PLAN}")
    assert MASKED in plan.text and HEAD not in plan.text
    for member in A.members():
        assert member["name"] not in sheet.text
        assert member["name"] not in cells
        assert member["name"] not in plan.text
