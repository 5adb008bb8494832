"""The 财务计划 pages (``workbench.budgets``): a bookkeeper draws up 仉家村's plan through the form
(a negative amount refused next to its row, nothing written), records 四议两公开 step by step,
is refused a revision without its reason, and reads the plan against the books on the page, in
print and in XLSX; an auditor only reads."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.application.budget_story import TOWNSHIP, VILLAGE, BudgetStory, steps
from tests.e2e.test_workbench_books_support import person_session, signed_in_app
from tests.e2e.test_workbench_settings import fields

pytestmark = pytest.mark.one_store

PLAN = f"/budgets/{VILLAGE}/2026"


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app, follow_redirects=False) as c:
        yield c, app


def rows(html: str) -> dict[str, str]:
    """The line rows of a form by the account they show: ``"513"`` → the row's index."""
    found = re.findall(r'name="lines\[(\d+)\]\.accounts" value="([^"]*)"', html)
    return {account: index for index, account in found if account}


def test_a_bookkeeper_draws_up_and_approves_a_plan_through_the_pages(
    client: tuple[TestClient, Any], runtime: Any
) -> None:
    c, app = client
    story = BudgetStory(runtime.app)
    story.village()
    story.post()  # the year's vouchers to the end of July
    person_session(c, app, "zhuguan", "bookkeeper", [TOWNSHIP])
    index = c.get("/budgets")
    assert index.status_code == 200 and "编制财务计划" in index.text
    row = rows(index.text)
    assert {"501", "503", "513", "521"} <= set(row)
    form = {
        **fields(index.text, "/budgets"),
        "entity": VILLAGE,
        "year": "2026",
        "proposed_on": "2026-01-04",
        f"lines[{row['501']}].accounts": "501",
        f"lines[{row['501']}].amount": "120000.00",
        f"lines[{row['513']}].accounts": "513",
        f"lines[{row['513']}].amount": "-30000.00",
    }
    before = runtime.views.head()
    refused = c.post("/budgets", data=form)
    assert refused.status_code == 422
    assert f"第{int(row['513']) + 1}行的计划金额不能为负数" in refused.text
    assert runtime.views.head() == before  # nothing written
    form[f"lines[{row['513']}].amount"] = "30000.00"
    form.update(fields(refused.text, "/budgets"))
    made = c.post("/budgets", data=form)
    assert made.status_code == 303 and made.headers["location"] == PLAN
    for step, day, details in steps(datetime.date(2026, 1, 5)):
        page = c.get(PLAN).text
        assert f"记录：{step}" in page
        data = {**fields(page, f"{PLAN}/steps"), "step": step, "date": day.isoformat()}
        data.update({k: str(v) for k, v in details.items()})
        answer = c.post(f"{PLAN}/steps", data=data)
        assert answer.status_code == 303, answer.text
    page = c.get(PLAN).text
    assert "执行中的版本：第1版" in page and "修订计划（第2版）" in page
    no_reason = c.post(
        f"{PLAN}/revisions",
        data={**fields(page, f"{PLAN}/revisions"), "proposed_on": "2026-09-01"},
    )
    assert no_reason.status_code == 422 and "请填写调整计划的原因" in no_reason.text
    compared = c.get(f"{PLAN}/comparison?through=2026-07")
    assert compared.status_code == 200
    assert "第1版（2026-01-20 决议通过）" in compared.text
    assert "未列入计划的支出" in compared.text  # 514 公益支出 has no line in this plan
    printed = c.get(f"{PLAN}/comparison/print?through=2026-07")
    assert printed.status_code == 200 and "会计主管" in printed.text
    xlsx = c.get(f"{PLAN}/comparison.xlsx?through=2026-07")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[2][:3] == ("项目", "科目", "全年计划") and values[2][-1] == "完成%"
    assert any(r[0] == "管理费用" and r[-1] is not None for r in values)
    assert c.get(f"{PLAN}/comparison?through=2025-03").status_code == 422
    assert c.get(f"/budgets/{VILLAGE}/2027").status_code == 404

    person_session(c, app, "shenji", "auditor", [])
    page = c.get(PLAN).text
    assert "记录：" not in page and "修订计划" not in page
    denied = c.post(f"{PLAN}/steps", data={**fields(c.get("/").text, "/logout"), "step": "提议"})
    assert denied.status_code == 403
