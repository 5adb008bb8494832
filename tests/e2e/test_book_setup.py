"""建账 end to end (``/setup`` in the workbench, ``POST /v1/entities/{code}/setup``,
``lianzhang setup-books``): a village's 科目余额表 as of 2026-07-01 (``tests/setup_files.py``)
uploaded, previewed, confirmed; then the 资产负债表's 年初数 and 期末数, the 收益及收益分配表's
本年累计 and the 科目余额表's 本年累计 are what the file says, to the fen. A file that does not
balance, a parent that is not the sum of its sub-accounts, an unknown code, a formula, an
oversized upload: a Chinese error and nothing written; books with entries are refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from documents.disclosure import disclosure_content
from documents.ledgers import account_book, trial_balance_sheet
from domain.periods import parse_period
from runtime.bootstrap import Runtime
from tests import builders
from tests.apps import app_for
from tests.conftest import TODAY
from tests.e2e.conftest import Api
from tests.e2e.test_cli import lianzhang
from tests.e2e.test_upload_safety import BAD_FILES as UNSAFE_FILES
from tests.e2e.test_workbench_registers_forms import XLSX, sign_in
from tests.setup_files import balance_file, rows_with, with_formula


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    app = app_for(runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def upload(client: TestClient, csrf: str, village: str, data: bytes, month: str = "2026-07") -> Any:
    return client.post(
        f"/setup/{village}",
        data={"csrf_token": csrf, "month": month},
        files={"file": ("科目余额表.xlsx", data, XLSX)},
    )


def confirm(client: TestClient, csrf: str, village: str, preview: str) -> Any:
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', preview)
    assert digest and key, preview[-1500:]
    return client.post(
        f"/setup/{village}/confirm",
        data={
            "csrf_token": csrf,
            "idempotency_key": key.group(1),
            "month": "2026-07",
            "digest": digest.group(1),
        },
    )


def statement(api: Api, village: str, kind: str, period: str) -> dict[str, Any]:
    answer = api.client.get(
        f"/v1/entities/{village}/statements/{kind}", params={"period": period}, headers=api.auditor
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def form_figures(sheet: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Every line of the 2023 balance sheet: (年初数, 期末数)."""
    rows = sheet["form"]["assets"] + sheet["form"]["liabilities_and_equity"]
    return {r["line"]: (r["year_start"]["amount"], r["amount"]) for r in rows if "amount" in r}


def test_a_mid_year_setup_gives_the_year_s_statements_to_the_fen(
    runtime: Runtime, client: TestClient, api: Api
) -> None:
    csrf = sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    village = builders.village(runtime.app, opening=None)
    form = client.get(f"/setup/{village}")
    assert form.status_code == 200 and 'id="setup-upload"' in form.text
    preview = upload(client, csrf, village, balance_file())
    assert preview.status_code == 200, preview.text[-2000:]
    assert "14 个科目全部检查通过，还没有写入；将开设 2 个明细科目" in preview.text
    assert "开设明细科目" in preview.text and "下级合计（核对）" in preview.text
    assert runtime.app.get_books(village).opening_date is None  # the preview wrote nothing

    done = confirm(client, csrf, village, preview.text)
    assert done.status_code == 303, done.text[-1500:]
    assert done.headers["location"] == f"/setup/{village}?done=1&opened=2"
    page = client.get(done.headers["location"])
    assert "建账完成：期初余额从 2026-07-01 起，开设了 2 个明细科目" in page.text
    assert f'href="/imports?entity={village}"' in page.text
    assert f'<option value="{village}" selected' in client.get(f"/imports?entity={village}").text

    # the year's statements, as the file says (no voucher since)
    sheet = statement(api, village, "balance-sheet", "2026")
    assert all(c["holds"] for c in sheet["checks"]), sheet["checks"]
    figures = form_figures(sheet)
    assert figures["货币资金"] == ("302000.00", "343000.00")
    assert figures["内部往来（借方）"] == ("8000.00", "5000.00")
    assert figures["固定资产原值"] == ("50000.00", "50000.00")
    assert figures["减：累计折旧"] == ("10000.00", "12000.00")
    assert figures["资产总计"] == ("350000.00", "386000.00")
    assert figures["资本"] == ("250000.00", "250000.00")
    assert figures["未分配收益"] == ("40000.00", "76000.00")
    assert figures["负债和所有者权益总计"] == ("350000.00", "386000.00")
    income = {r["line"]: r["amount"] for r in statement(api, village, "income", "2026")["lines"]}
    assert income["经营收入"] == "40000.00"
    assert income["其他收入"] == "20000.00"
    assert income["管理费用"] == "14000.00"
    assert income["本年收益"] == "46000.00"
    assert income["年初未分配收益"] == "40000.00"
    assert income["其他分配"] == "10000.00"
    assert income["年末未分配收益"] == "76000.00"

    # a voucher of July on top: 本年累计 = the file's + July's
    runtime.app.books.post_entry(
        entity=village,
        date=builders.OPENING.replace(year=2026, month=7, day=15),
        memo="七月承包费",
        postings=builders.receipt("5000.00", income="501"),
        actor="zhuguan",
    )
    income_now = statement(api, village, "income", "2026")
    assert {r["line"]: r["amount"] for r in income_now["lines"]}["经营收入"] == "45000.00"
    assert all(c["holds"] for c in income_now["checks"]), income_now["checks"]
    july = statement(api, village, "income", "2026-07")
    assert {r["line"]: r["amount"] for r in july["lines"]}["经营收入"] == "5000.00"
    assert form_figures(statement(api, village, "balance-sheet", "2026-07"))["货币资金"] == (
        "302000.00",
        "348000.00",
    )
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        tb = trial_balance_sheet(conn, village, parse_period("2026-07"))
        bank = account_book(conn, village, "102", parse_period("2026"))
        sheet_2026 = disclosure_content(
            conn, village, parse_period("2026"), checked_by=[], checked_on=TODAY, opinion="",
            made_on=TODAY,
        )  # fmt: skip
    # the year's 三公开 sheet lists what came in before the books as one item per account
    assert sheet_2026["income"]["total"]["amount"] == "65000.00"
    assert [(i["item"], i["account"], i["amount"]) for i in sheet_2026["income"]["items"]] == [
        ("建账前本年累计", "501 经营收入", "40000.00"),
        ("建账前本年累计", "504 其他收入", "20000.00"),
        ("七月承包费", "501 经营收入", "5000.00"),
    ]
    assert sheet_2026["expense"]["total"]["amount"] == "14000.00"
    lines = {line["account"]: line for line in tb["lines"]}
    assert (str(lines["501"]["opening_credit"].amount), str(lines["501"]["credit"].amount)) == (
        "40000.00",
        "5000.00",
    )
    assert str(lines["501"]["year_credit"].amount) == "45000.00"
    assert str(lines["102"]["year_debit"].amount) == "68000.00"
    assert tb["balanced"], tb["checks"]
    assert [(r.label, str(r.debit.amount), str(r.credit.amount)) for r in bank["rows"][:3]] == [
        ("上年结转", "0.00", "0.00"),
        ("建账前本年累计", "63000.00", "0.00"),
        ("建账前本年累计", "0.00", "22500.00"),
    ]
    assert str(bank["closing"].amount) == "345500.00"
    assert all(c["holds"] for c in bank["checks"]), bank["checks"]

    # set up once: the books now have opening balances and an entry
    again = upload(client, csrf, village, balance_file())
    assert again.status_code == 422 and "不能再建账" in again.text


BAD_FILES = {
    "unbalanced": (
        balance_file(rows_with({"501": {5: "40000.01", 7: "40000.01"}})),
        "期初余额不平衡：借方合计 ¥422,000.00，贷方合计 ¥422,000.01，相差 ¥0.01",
    ),
    "parent": (
        balance_file(rows_with({"113": {2: "8000.50"}})),
        "113 内部往来 的年初余额 借 ¥8,000.50 与其下级科目合计 借 ¥8,000.00 不符",
    ),
    "unknown-code": (
        balance_file(rows_with({"513": {0: "999"}})),
        "科目编码 999 不认识：999 不是《农村集体经济组织会计制度》（2023）的一级科目",
    ),
    "formula": (with_formula("G3", "=C3+E3-F3"), "这个单元格是公式（=C3+E3-F3）"),
}


@pytest.mark.one_store
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_written(
    runtime: Runtime, client: TestClient, name: str
) -> None:
    csrf = sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    village = builders.village(runtime.app, opening=None)
    before = runtime.views.head()
    data, words = BAD_FILES[name]
    answer = upload(client, csrf, village, data)
    assert answer.status_code == 422, answer.text[-1500:]
    assert "什么也没有写入" in answer.text and words in answer.text, answer.text[-3000:]
    assert 'id="confirm-form"' not in answer.text
    assert runtime.views.head() == before


@pytest.mark.one_store
def test_an_oversized_upload_and_a_bad_month_are_refused(
    runtime: Runtime, client: TestClient
) -> None:
    csrf = sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    village = builders.village(runtime.app, opening=None)
    before = runtime.views.head()
    big = upload(client, csrf, village, b"PK" + b"\0" * (10 * 1024 * 1024))
    assert big.status_code == 422 and "文件太大：科目余额表最多 10 MB" in big.text
    month = upload(client, csrf, village, balance_file(), month="2026-7")
    assert month.status_code == 422 and "建账月份“2026-7”写法有误" in month.text
    gone = client.post(
        f"/setup/{village}/confirm",
        data={"csrf_token": csrf, "month": "2026-07", "digest": "0" * 64},
    )
    assert gone.status_code == 422 and "请重新上传" in gone.text
    assert runtime.views.head() == before


@pytest.mark.one_store
def test_books_with_entries_are_refused_and_a_preparer_may_not_set_up(
    runtime: Runtime, client: TestClient
) -> None:
    village = builders.village(runtime.app)  # opening balances of 2025-01-01
    runtime.app.books.post_entry(
        entity=village,
        date=builders.OPENING,
        memo="租金",
        postings=builders.receipt("10.00"),
        actor="t",
    )
    csrf = sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    before = runtime.views.head()
    answer = upload(client, csrf, village, balance_file())
    assert answer.status_code == 422 and 'id="setup-upload"' not in answer.text
    assert f"{village} 的账簿已有期初余额（2025-01-01 起），不能再建账" in answer.text
    assert runtime.views.head() == before
    fresh = builders.village(runtime.app, opening=None)
    client.post("/logout", data={"csrf_token": csrf})
    csrf = sign_in(runtime, client, "zhidan", "preparer", "唐坊镇")
    refused = upload(client, csrf, fresh, balance_file())
    assert refused.status_code == 403 and "不能直接记账" in refused.text


@pytest.mark.one_store
def test_the_api_sets_up_books_and_refuses_a_second_time(api: Api) -> None:
    village = builders.village(api.runtime.app, opening=None)
    rows = [
        {
            "code": "102",
            "year_start_debit": "100.00",
            "year_debit": "50.00",
            "opening_debit": "150.00",
        },
        {"code": "11301", "name": "张三", "year_start_debit": "20.00", "opening_debit": "20.00"},
        {"code": "301", "year_start_credit": "120.00", "opening_credit": "120.00"},
        {"code": "501", "year_credit": "50.00", "opening_credit": "50.00"},
    ]
    path = f"/v1/entities/{village}/setup"
    body = {"as_of": "2026-07-01", "accounts": rows}
    dry = api.client.post(path, json={**body, "dry_run": True}, headers=api.clerk)
    assert dry.status_code == 200 and dry.json()["opened"] == ["11301"], dry.text
    assert api.runtime.app.get_books(village).opening_date is None
    done = api.client.post(path, json=body, headers=api.clerk)
    assert done.status_code == 201, done.text
    answer = done.json()
    assert answer["mid_year"] and answer["totals"]["opening_debit"] == "170.00"
    assert [(a["code"], a["opening"]) for a in answer["accounts"]] == [
        ("102", "150.00"),
        ("11301", "20.00"),
        ("301", "-120.00"),
        ("501", "-50.00"),
    ]
    again = api.client.post(path, json=body, headers={**api.clerk, "Accept-Language": "zh"})
    assert again.status_code == 409
    assert "不能再建账" in again.json()["detail"]
    other = api.client.post(path, json=body, headers=api.other_clerk)
    assert other.status_code == 403


@pytest.mark.one_store
def test_the_command_line_sets_up_books_all_or_nothing(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    runtime = Runtime(database[0], schema=database[1])
    try:
        village = builders.village(runtime.app, opening=None)
    finally:
        runtime.close()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(balance_file(rows_with({"113": {2: "8000.50"}})))
    refused = lianzhang(database, tmp_path, "setup-books", str(bad), "--entity", village,
                        "--month", "2026-07", check=False)  # fmt: skip
    assert refused.returncode == 2
    assert "row 5, 年初余额借方 (C)/年初余额贷方 (D): 113 内部往来 的年初余额" in refused.stderr
    assert "nothing was written" in refused.stderr
    good = tmp_path / "good.xlsx"
    good.write_bytes(balance_file())
    dry = lianzhang(database, tmp_path, "setup-books", str(good), "--entity", village,
                    "--month", "2026-07", "--dry-run")  # fmt: skip
    assert "checked (nothing written)" in dry.stdout
    done = lianzhang(database, tmp_path, "setup-books", str(good), "--entity", village,
                     "--month", "2026-07")  # fmt: skip
    assert f"{village}: set up as of 2026-07-01: 14 accounts, 2 sub-accounts opened" in done.stdout
    assert "期初余额 借 422000.00 = 贷 422000.00" in done.stdout
    again = lianzhang(database, tmp_path, "setup-books", str(good), "--entity", village,
                      "--month", "2026-07", check=False)  # fmt: skip
    assert again.returncode == 2 and "不能再建账" in again.stderr


@pytest.mark.one_store
@pytest.mark.parametrize("name", sorted(UNSAFE_FILES))
def test_an_unsafe_workbook_is_refused_before_it_is_parsed(
    runtime: Runtime, client: TestClient, name: str
) -> None:
    """The files of ``test_upload_safety`` (inflating, billion laughs, not a zip, truncated,
    bad XML, a chart first): 422 with one Chinese sentence, nothing written."""
    csrf = sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    village = builders.village(runtime.app, opening=None)
    before = runtime.views.head()
    answer = upload(client, csrf, village, UNSAFE_FILES[name])
    assert answer.status_code == 422, answer.text[-800:]
    error = re.search(r'class="error[^"]*"[^>]*>([^<]+)<', answer.text)
    assert error and re.search(r"[\u4e00-\u9fff]", error.group(1)), answer.text[-800:]
    assert runtime.views.head() == before
