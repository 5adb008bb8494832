"""The bank's pages (``workbench.bank``, ``bank_matching``, ``cash``) as a clerk uses them each
month, on Scenario C's files: three statements imported through preview and confirm (CSV,
XLSX, a GBK CSV), one imported twice refused with nothing written, the proposals confirmed, a
match undone and made by hand, October's 调节表 on the page, printed (the number masked) and as
XLSX, confirmed; the 结账 page's warning; an export no template knows mapped; a cash count, its
sheet with the two signatures, its shortage settled."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.bootstrap import Runtime
from tests.application.scenario_c import FILES, TODAY, TOWNSHIP, Story
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store

ACCOUNT = "/bank/V01/10201"


@pytest.fixture
def runtime(database: tuple[str, str | None]) -> Iterator[Runtime]:
    url, schema = database
    rt = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        yield rt
    finally:
        rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[tuple[TestClient, Any]]:
    story = Story(runtime.app)
    story.village()
    for month in ("2026-09", "2026-10", "2026-11"):
        story.post(month)
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        person_session(c, app, "zhuguan", "bookkeeper", [TOWNSHIP])
        yield c, app


def fields(html: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form for {action}"
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form.group(0)))


def upload(c: TestClient, name: str) -> Any:
    page = c.get(ACCOUNT).text
    action = f"{ACCOUNT}/import"
    data = (FILES / name).read_bytes()
    return c.post(action, data=fields(page, action), files={"file": (name, data)})


def confirm(c: TestClient, preview: str) -> Any:
    action = f"{ACCOUNT}/import/confirm"
    return c.post(action, data=fields(preview, action), follow_redirects=False)


def test_a_clerks_month_at_the_bank(client: tuple[TestClient, Any], runtime: Runtime) -> None:
    c, _ = client
    assert "10201 高青农商银行" in c.get("/bank").text
    for seq, name in enumerate(
        ("nongshang-2026-09.csv", "nongshang-2026-10.xlsx", "nongshang-2026-11.csv"), start=1
    ):
        preview = upload(c, name)
        assert preview.status_code == 200, preview.text
        assert "农村商业银行" in preview.text and 'id="checks"' not in preview.text
        done = confirm(c, preview.text)
        assert done.status_code == 303 and done.headers["location"].endswith(f"imported={seq}")
    again = upload(c, "nongshang-2026-10.xlsx")
    assert "期间重叠或不连续" in again.text
    head = runtime.views.head()
    refused = confirm(c, again.text)
    assert refused.status_code == 422 and "已经导入过" in refused.text
    assert runtime.views.head() == head

    matching = c.get(f"{ACCOUNT}/matching").text
    assert matching.count('name="proposal"') == 7  # Sep 2, Oct 2, Nov 3 (the fee stays)
    action = f"{ACCOUNT}/matching/confirm"
    proposals = re.findall(r'name="proposal" value="([^"]+)"', matching)
    answer = c.post(
        action,
        data={**fields(matching, action), "proposal": proposals},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    matching = c.get(f"{ACCOUNT}/matching").text
    assert 'name="proposal"' not in matching and "手续费" in matching
    undo = f"{ACCOUNT}/matches/M1/undo"
    answer = c.post(undo, data={**fields(matching, undo), "reason": "核对凭证"})
    assert answer.status_code == 200 and "已撤销：核对凭证" in answer.text
    bank = re.findall(r'name="bank" value="([^"]+)"', answer.text)
    book = re.findall(r'name="book" value="([^"]+)"', answer.text)
    manual = f"{ACCOUNT}/matching/manual"
    wrong = c.post(manual, data={**fields(answer.text, manual), "bank": bank[:1], "book": []})
    assert wrong.status_code == 422 and "金额不等" in wrong.text
    again = c.post(manual, data={**fields(answer.text, manual), "bank": bank[:1], "book": book[:1]})
    assert again.status_code == 200 and "M8" in again.text

    october = c.get(f"{ACCOUNT}/reconciliation/2026-10").text
    for figure in ("256,139.50", "23.45", "5,000.00", "261,162.95", "256,162.95"):
        assert figure in october, figure
    assert "两边调节后余额相等" in october and "已于 2026-11-03 勾对" in october
    printed = c.get(f"{ACCOUNT}/reconciliation/2026-10?format=print").text
    assert "****3021" in printed and "9001" not in printed and "会计主管" in printed
    workbook = c.get(f"{ACCOUNT}/reconciliation/2026-10?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = {str(row[0].value): row[1].value for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert Decimal(str(cells["单位银行存款日记账余额"])) == Decimal("256139.5")
    assert Decimal(str(cells["减：银行已付、单位未付"])) == 0  # numbers, not formulas
    confirm_table = f"{ACCOUNT}/reconciliation/2026-10/confirm"
    answer = c.post(confirm_table, data=fields(october, confirm_table), follow_redirects=False)
    assert answer.status_code == 303
    assert "已确认" in c.get(f"{ACCOUNT}/reconciliation/2026-10").text

    periods = c.get("/periods/V01?year=2026").text
    assert 'id="bank-2026-10"' not in periods
    assert re.search(r'id="bank-2026-09">提醒：银行存款未对账', periods)  # September not confirmed


def test_an_unknown_export_is_mapped_by_the_clerk(client: tuple[TestClient, Any]) -> None:
    c, _ = client
    asked = upload(c, "unmapped.csv")
    assert asked.status_code == 422 and "认不出" in asked.text and "发生日期" in asked.text
    action = f"{ACCOUNT}/import"
    mapping = {
        "col_date": "发生日期",
        "col_amount_in": "收入",
        "col_amount_out": "支出",
        "col_balance": "结余",
    }
    preview = c.post(action, data={**fields(asked.text, action), **mapping})
    assert preview.status_code == 200 and "按指定的列读取" in preview.text
    assert 'name="col_date" value="发生日期"' in preview.text  # carried to the confirm


def test_a_cash_count_and_its_sheet(client: tuple[TestClient, Any], runtime: Runtime) -> None:
    c, _ = client
    page = c.get("/cash/V01").text
    pieces = {"pieces_100": "29", "pieces_50": "1", "pieces_0.5": "1"}
    signers = {"cashier": "仉春燕", "supervisor": "赵国庆"}
    data = {**fields(page, "/cash/V01"), "date": "2026-11-30", **pieces, **signers}
    answer = c.post("/cash/V01", data=data, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/cash/V01/PD20261130"
    sheet = c.get("/cash/V01/PD20261130").text
    assert "2,950.50" in sheet and "短款" in sheet and "49.50" in sheet
    printed = c.get("/cash/V01/PD20261130?format=print").text
    assert "出纳（盘点人）：仉春燕" in printed and "会计 / 监盘人：赵国庆" in printed
    assert "贰仟玖佰伍拾元伍角" in printed
    action = "/cash/V01/PD20261130/resolve"
    answer = c.post(
        action, data={**fields(sheet, action), "date": "2026-12-01", "account": "112"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    settled = c.get("/cash/V01/PD20261130").text
    assert "转入 112 49.50" in settled and "尚未处理" not in settled
    assert runtime.app.get_village("V01").fen("181") == 0
