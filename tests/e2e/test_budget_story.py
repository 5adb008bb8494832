"""Issue 22's done-when of the financial plan, on both stores: 仉家村's plan for 2026 goes through
四议两公开, a later voucher past 管理费用 warns on the voucher's page, and the plan against the
books, the 三公开 sheet's 财务计划 part and the 收益及收益分配表 agree to the fen
(``tests/application/budget_story.py`` has the hand computation)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from audit.verify import verify
from documents.budget import comparison
from documents.statements import statement
from domain.periods import parse_period
from domain.vouchers.commands import ApproveVoucher, PostVoucher
from projections.budget_view import BUDGET_TABLES
from runtime.bootstrap import Runtime
from tests.application.budget_story import VILLAGE, YEAR, BudgetStory
from tests.conftest import TODAY
from tests.e2e.conftest import api_on
from tests.e2e.test_workbench_books_support import person_session

WARNING = "超出财务计划：管理费用 计划 ¥30,000.00，已用 ¥28,500.00，本凭证后 ¥31,700.00"
SHEET = {
    "period": "2026-Q3",
    "checked_by": ["王建华", "刘秀梅"],
    "checked_on": "2026-10-08",
    "opinion": "经民主理财小组审核，收支真实。",
}


@pytest.mark.one_store  # the plan's rules and figures, not storage
def test_a_plan_through_four_deliberations_a_voucher_past_it_and_the_figures(
    runtime: Runtime,
) -> None:
    story = BudgetStory(runtime.app)
    story.village()
    story.first_half()
    draft = story.over_voucher()
    with api_on(runtime) as api:
        client = api.client
        plan = client.get(f"/v1/budgets/{VILLAGE}/{YEAR}", headers=api.clerk).json()
        assert plan["in_force"] == 1 and plan["next_step"] is None
        assert [s["step"] for s in plan["versions"][0]["steps"]] == [
            "提议", "商议", "审议", "决议", "决议公开",
        ]  # fmt: skip
        # the reviewer opens the voucher: the warning, and the voucher can still be approved
        person_session(client, client.app, "shenhe", "reviewer", ["唐坊镇"])  # type: ignore[arg-type]
        page = client.get(f"/vouchers/{draft}")
        assert page.status_code == 200 and WARNING in page.text
        assert 'id="approve' in page.text or "审核通过" in page.text
        story.run(ApproveVoucher(draft=draft), actor="shenhe")
        story.run(PostVoucher(draft=draft), actor="jizhang")
        assert WARNING in client.get(f"/vouchers/{draft}").text  # as it was before 记账
        shown = client.get(f"/budgets/{VILLAGE}/{YEAR}/comparison?through=2026-08")
        assert shown.status_code == 200
        assert "超出财务计划：管理费用 计划 ¥30,000.00，已用 ¥31,700.00（105.67%）" in shown.text
        home = client.get("/")
        assert 'data-warning="budget-over"' in home.text
        # the 三公开 sheet of the third quarter, published: its 财务计划 part
        published = client.post(
            f"/v1/villages/{VILLAGE}/disclosures", json=SHEET, headers=api.clerk
        )
        assert published.status_code == 201, published.text
        urls = published.json()["urls"]
        html = client.get(urls["html"]).text
        assert "财务计划执行情况（2026年）" in html and "超出计划" in html
        sheet = load_workbook(io.BytesIO(client.get(urls["xlsx"]).content))["财务计划"]
        rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True) if r[1]}
        figures = [Decimal(str(v)) for v in rows["管理费用"][2:6]]
        assert figures == [Decimal("30000"), Decimal("3200"), Decimal("31700"), Decimal("-1700")]
        draft_sheet: Any = client.get(
            f"/v1/villages/{VILLAGE}/disclosures/2026-Q3/draft", headers=api.clerk
        ).json()
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        c: Any = comparison(conn, VILLAGE, YEAR, None, TODAY)  # January to November
        income = statement(conn, VILLAGE, "income", parse_period("2026"))
    assert c["through"] == "2026-11" and c["version"]["version"] == 1
    books = {line["line"]: line["amount"] for line in income["lines"]}
    ytd = {r["name"]: r["ytd"] for kind in ("income", "expense") for r in c[kind]["lines"]}
    assert ytd == {
        "经营收入": "60000.00",
        "补助收入": "50000.00",
        "未列入计划的收入": "800.00",
        "管理费用": "31700.00",
        "公益支出": "25000.00",
        "其他支出": "0.00",
    }
    for line, account in (("经营收入", "经营收入"), ("补助收入", "补助收入"),
                          ("未列入计划的收入", "其他收入"), ("管理费用", "管理费用"),
                          ("公益支出", "公益支出"), ("其他支出", "其他支出")):  # fmt: skip
        assert ytd[line] == books[account], line
    assert c["result"]["ytd"] == books["本年收益"] == "54100.00"
    assert c["income"]["total"]["ytd"] == "110800.00"
    assert c["expense"]["total"]["ytd"] == "56700.00"
    part = draft_sheet["budget"]
    assert part["expense"]["total"] == {
        "plan": "75000.00",
        "period": "3200.00",
        "ytd": "56700.00",
        "difference": "18300.00",
        "percent": "75.60",
    }
    assert part["result"]["ytd"] == books["本年收益"] and part["over"] == ["管理费用"]
    # `lianzhang verify`: the published sheet (with its 财务计划 part) made again as published,
    # every read-model table as a replay gives it
    assert verify(runtime)["problems"] == []
    # the read model is the same after a rebuild from the log
    before = budget_rows(runtime)
    runtime.views.rebuild()
    assert budget_rows(runtime) == before and before["lz_budget_steps"]


def budget_rows(rt: Runtime) -> dict[str, list[tuple[str, ...]]]:
    with rt.engine.connect() as conn:
        return {
            t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
            for t in BUDGET_TABLES
        }
