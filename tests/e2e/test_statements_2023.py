"""Statements in the 2023 formats over HTTP: 其他转入 in the 收益及收益分配表 (公积公益金 covering a
loss), 行次 and subtotals, and a township's 汇总 of its villages by 行次 as XLSX."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import code
from tests.e2e.conftest import Api
from tests.e2e.test_chart import get, p, post

pytestmark = pytest.mark.one_store  # statement arithmetic over HTTP, not storage


def village(api: Api, township: str = "唐坊镇", balances: list[Any] | None = None) -> str:
    """A village opened on 2025-01-01: ¥105,000 in the bank, ¥100,000 capital and ¥5,000
    公积公益金 unless ``balances`` says otherwise."""
    v = code("V")
    post(
        api,
        "/v1/villages",
        {
            "code": v,
            "name": f"{v}村",
            "township": township,
            "county": "高青县",
            "population": 100,
            "households": 30,
        },
    )
    post(
        api,
        f"/v1/entities/{v}/opening-balances",
        {
            "as_of": "2025-01-01",
            "balances": balances
            or [
                p("102", "debit", "105000.00"),
                p("301", "credit", "100000.00"),
                p("311", "credit", "5000.00"),
            ],
        },
        status=200,
    )
    return v


def entry(api: Api, v: str, date: str, memo: str, *postings: dict[str, str]) -> None:
    post(api, f"/v1/entities/{v}/entries", {"date": date, "memo": memo, "postings": list(postings)})


def amounts(statement: dict[str, Any]) -> dict[str, str]:
    return {line["line"]: line["amount"] for line in statement["lines"]}


def test_reserves_covering_a_loss_are_an_other_transfer_in(api: Api) -> None:
    """借 311 / 贷 32202: the 公积公益金 covers ¥1,000 of a ¥3,000 loss. The 收益及收益分配表
    shows it as 其他转入, so 年末未分配收益 is the books' −2,000.00 and its check holds."""
    v = village(api)
    entry(
        api, v, "2025-04-01", "办公费", p("513", "debit", "3000.00"), p("102", "credit", "3000.00")
    )
    entry(
        api,
        v,
        "2025-12-20",
        "公积公益金弥补亏损",
        p("311", "debit", "1000.00"),
        p("32202", "credit", "1000.00"),
    )
    income = get(api, f"/v1/entities/{v}/statements/income", period="2025")
    found = amounts(income)
    assert found["本年收益"] == "-3000.00"
    assert found["年初未分配收益"] == "0.00"
    assert found["其他转入"] == "1000.00"
    assert found["可分配收益"] == "-2000.00"
    assert found["年末未分配收益"] == "-2000.00"
    assert [(c["holds"], c["left"], c["right"]) for c in income["checks"]] == [
        (True, "-2000.00", "-2000.00")
    ]
    sheet = get(api, f"/v1/entities/{v}/statements/balance-sheet", period="2025")
    assert {x["line"]: x["amount"] for x in sheet["equity"]}["未分配收益"] == "-2000.00"
    assert sheet["checks"][0]["holds"]


def form(sheet: dict[str, Any], side: str) -> dict[str, tuple[int | None, str, str]]:
    return {r["line"]: (r["row"], r["kind"], r.get("amount", "")) for r in sheet["form"][side]}


def test_the_2023_formats_have_row_numbers_subtotals_cost_and_depreciation(api: Api) -> None:
    v = village(api)
    entry(
        api,
        v,
        "2025-02-01",
        "购置拖拉机",
        p("151", "debit", "20000.00"),
        p("102", "credit", "20000.00"),
    )
    entry(
        api,
        v,
        "2025-12-31",
        "计提折旧",
        p("513", "debit", "1500.00"),
        p("152", "credit", "1500.00"),
    )
    entry(
        api, v, "2025-03-01", "承包费", p("102", "debit", "8000.00"), p("501", "credit", "8000.00")
    )
    entry(api, v, "2025-06-01", "所得税", p("521", "debit", "100.00"), p("102", "credit", "100.00"))
    sheet = get(api, f"/v1/entities/{v}/statements/balance-sheet", period="2025")
    assets = form(sheet, "assets")
    assert assets["固定资产原值"] == (13, "detail", "20000.00")
    assert assets["减：累计折旧"] == (14, "detail", "1500.00")
    assert assets["固定资产净值"] == (15, "line", "18500.00")
    assert assets["货币资金"] == (1, "line", "92900.00")  # 105000 − 20000 + 8000 − 100
    assert assets["流动资产合计"] == (7, "subtotal", "92900.00")
    assert assets["非流动资产合计"] == (22, "subtotal", "18500.00")
    assert assets["资产总计"] == (23, "total", "111400.00")
    assert assets["流动资产："] == (None, "heading", "")
    claims = form(sheet, "liabilities_and_equity")
    assert claims["负债合计"] == (35, "total", "0.00")
    assert claims["所有者权益合计"] == (39, "subtotal", "111400.00")
    assert claims["负债和所有者权益总计"] == (40, "total", "111400.00")
    # the lines the statement always had are still there, with the same figures
    assert {x["line"]: x["amount"] for x in sheet["assets"]}["固定资产净值"] == "18500.00"
    assert sheet["totals"]["assets"]["amount"] == "111400.00"
    assert sheet["signatures"] == ["单位负责人", "会计主管", "制表人"]
    assert "固定资产原值 ¥20,000.00，累计折旧 ¥1,500.00，净值 ¥18,500.00。" in sheet["notes"]

    income = get(api, f"/v1/entities/{v}/statements/income", period="2025")
    rows = {r["line"]: (r["row"], r["amount"]) for r in income["lines"]}
    assert rows["经营收益"] == (6, "6500.00")
    assert rows["收益总额"] == (11, "6500.00")
    assert rows["所得税费用"] == (12, "100.00")
    assert rows["本年收益"] == (13, "6400.00")
    assert rows["年末未分配收益"] == (23, "6400.00")
    assert [r["row"] for r in income["lines"]] == list(range(1, 24))
    assert income["checks"][0]["holds"]


def test_a_township_adds_up_its_villages_by_row_number_as_xlsx(api: Api) -> None:
    import io

    from openpyxl import load_workbook

    township = "唐坊镇"  # the one the clerk's token writes in; a fresh store per test
    a, b = sorted((village(api, township), village(api, township)))
    entry(
        api, a, "2025-03-01", "承包费", p("102", "debit", "8000.00"), p("501", "credit", "8000.00")
    )
    entry(
        api, b, "2025-04-01", "办公费", p("513", "debit", "3000.00"), p("102", "credit", "3000.00")
    )
    found = get(api, "/v1/statement-summaries", period="2025", township=township)
    assert [u["code"] for u in found["units"]] == [a, b]
    assets = {r["line"]: r for r in found["assets"]}
    assert assets["货币资金"]["row"] == 1
    assert assets["货币资金"]["amount"] == "215000.00"  # 113000 + 102000
    assert assets["货币资金"]["year_start"]["amount"] == "210000.00"
    assert {k: x["amount"] for k, x in assets["货币资金"]["units"].items()} == {
        a: "113000.00",
        b: "102000.00",
    }
    income = {r["line"]: r["amount"] for r in found["income"]}
    assert income["本年收益"] == "5000.00"
    assert found["checks"][0]["holds"] and found["unbalanced_units"] == []

    response = api.client.get(
        "/v1/statement-summaries.xlsx",
        params={"period": "2025", "township": township},
        headers=api.auditor,
    )
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["资产负债表汇总", "收益及收益分配表汇总", "汇总单位"]
    sheet = book["资产负债表汇总"]
    head = [c.value for c in sheet[3]]
    assert head[:4] == ["行次", "项目", "年初数（汇总）", "期末数（汇总）"]
    assert head[4:] == [f"{a} {a}村", f"{b} {b}村"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["货币资金"][0] == 1 and rows["货币资金"][3] == 215000
    assert rows["资产总计"][3:] == (215000, 113000, 102000)
    lines = {r[1]: r for r in book["收益及收益分配表汇总"].iter_rows(min_row=4, values_only=True)}
    assert lines["其他转入"][0] == 15 and lines["本年收益"][2] == 5000

    refused = api.client.get(
        "/v1/statement-summaries",
        params={"period": "2025"},
        headers={**api.auditor, "Accept-Language": "zh-CN"},
    )
    assert refused.status_code == 422 and "乡镇" in refused.json()["detail"]
    refused = api.client.get(
        "/v1/statement-summaries",
        params={"period": "2025", "township": "无此镇"},
        headers=api.auditor,
    )
    assert refused.status_code == 404 and "无此镇" in refused.json()["detail"]
