"""Statements and 三公开 sheets for Scenario A: figures, balance, capitals, publishing, and
the public outputs (HTML, PDF, XLSX) with no full name or ID number anywhere."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ledger.capitals import to_capitals
from ledger.money import money
from scripts import scenario_a as A
from tests.e2e.browser import served
from tests.e2e.conftest import Api
from tests.e2e.test_scenario_a import (
    approve_and_execute,
    enterprise_pays,
    get,
    pool_capital_and_land,
    post,
    register_members,
    set_up_alliance,
)

CHECKERS = ["王建华", "刘秀梅", "赵德明"]


def worksheet_numbers(xlsx: bytes, sheet: int, column: str) -> dict[str, str]:
    """The numbers of one column of one worksheet, as the text written in the XML."""
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        xml = archive.read(f"xl/worksheets/sheet{sheet}.xml").decode("utf-8")
    cells = re.findall(rf'<c r="({column}\d+)"[^>]*t="n"[^>]*><v>([^<]+)</v></c>', xml)
    return dict(cells)


def run_scenario_a(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    approve_and_execute(
        api, A.ALLIANCE_PLAN_BODY, A.ALLIANCE_STEPS, A.ALLIANCE_EXECUTED_ON, A.ALLIANCE_RESULT_STEP
    )
    register_members(api)
    approve_and_execute(
        api,
        A.HOUSEHOLD_PLAN_BODY,
        A.HOUSEHOLD_STEPS,
        A.HOUSEHOLD_EXECUTED_ON,
        A.HOUSEHOLD_RESULT_STEP,
    )


def lines(statement: dict[str, Any]) -> dict[str, str]:
    return {line["line"]: line["amount"] for line in statement["lines"]}


def capitals_everywhere(value: Any) -> int:
    """Check every {amount, capitals} pair in a document; returns how many were checked."""
    checked = 0
    if isinstance(value, dict):
        if "amount" in value and "capitals" in value:
            assert to_capitals(money(value["amount"], allow_negative=True)) == value["capitals"]
            checked += 1
        for item in value.values():
            checked += capitals_everywhere(item)
    elif isinstance(value, list):
        for item in value:
            checked += capitals_everywhere(item)
    return checked


def private_strings() -> list[str]:
    """Every member's full name and ID number: none may appear in a public output."""
    return [m["name"] for m in A.members()] + [m["id_number"] for m in A.members()]


@pytest.mark.one_store  # figures and rendering; the stored sheet on both stores below
def test_statements_of_scenario_a(scenario_a_api: Api) -> None:
    api = scenario_a_api
    joint_2025 = get(api, f"/v1/entities/{A.JOINT}/statements/income", period="2025")
    assert lines(joint_2025)["投资收益"] == "186000.00"
    assert lines(joint_2025)["本年收益"] == "186000.00"
    assert lines(joint_2025)["年末未分配收益"] == "186000.00"
    joint_2026 = get(api, f"/v1/entities/{A.JOINT}/statements/income", period="2026-Q1")
    assert lines(joint_2026)["期初未分配收益"] == "186000.00"  # a quarter never says 年初/年末
    assert lines(joint_2026)["向投资者分利"] == "182280.00"
    assert lines(joint_2026)["期末未分配收益"] == "3720.00"  # the management cost kept
    assert not any("年末" in line["line"] or "年初" in line["line"] for line in joint_2026["lines"])
    v03 = get(api, "/v1/entities/V03/statements/income", period="2026")
    assert {
        k: lines(v03)[k]
        for k in ("投资收益", "提取公积公益金", "提取福利费", "成员分配", "年末未分配收益")
    } == {
        "投资收益": "60559.39",
        "提取公积公益金": "6055.94",
        "提取福利费": "3027.97",
        "成员分配": "51475.48",
        "年末未分配收益": "0.00",
    }
    for entity in ("V01", "V02", "V03", A.JOINT):
        for period in ("2025", "2026-Q1", "2026-01"):
            for kind in ("balance-sheet", "income", "trial-balance"):
                statement = get(api, f"/v1/entities/{entity}/statements/{kind}", period=period)
                assert all(check["holds"] for check in statement["checks"]), (entity, kind)
    sheet = get(api, "/v1/entities/V01/statements/balance-sheet", period="2026-Q1")
    assert sheet["totals"]["assets"] == sheet["totals"]["liabilities_and_equity"]
    assert capitals_everywhere(sheet) > 10
    detail = get(api, "/v1/entities/V03/statements/account-detail", period="2026", account="211")
    assert detail["closing"] == "-3027.97" and len(detail["lines"]) == 21  # FL + 10 + 10
    bad = api.client.get(
        "/v1/entities/V03/statements/income", params={"period": "2026-13"}, headers=api.auditor
    )
    assert bad.status_code == 422 and bad.json()["field"] == "period"


@pytest.mark.one_store  # figures and rendering; the stored sheet on both stores below
def test_distribution_statement_words_and_capitals(scenario_a_api: Api) -> None:
    api = scenario_a_api
    statement = get(api, f"/v1/plans/{A.ALLIANCE_PLAN}/statement")
    assert statement["rule_words"] == [
        "提取管理费2%",
        "按资金的6%计付保底收益",
        "按权重分配：其余按资金50%、土地30%、人口20%加权分配",
    ]
    v03 = next(line for line in statement["lines"] if line["code"] == "V03")
    assert v03["total"]["capitals"] == "陆万零伍佰伍拾玖元叁角玖分"
    assert v03["weights"]["按权重分配"] == "0.331159"
    assert [s["step"] for s in statement["steps"]] == [
        "提议",
        "商议",
        "审议",
        "决议",
        "决议公开",
        "实施结果公开",
    ]
    assert capitals_everywhere(statement) >= 8


def publish(api: Api, village: str, period: str, **extra: Any) -> Any:
    return api.client.post(
        f"/v1/villages/{village}/disclosures",
        json={"period": period, "checked_by": CHECKERS, "checked_on": "2026-04-03", **extra},
        headers=api.clerk,
    )


def test_published_sheets_are_immutable_and_public(scenario_a_api: Api) -> None:
    api = scenario_a_api
    first = publish(api, "V03", "2026-Q1")
    assert first.status_code == 201, first.text
    meta = first.json()
    assert meta["version"] == 1 and meta["replaces"] is None
    page = api.client.get(meta["urls"]["html"])  # no token
    assert page.status_code == 200
    html = page.text
    assert "李孟德村2026年第1季度财务公开表" in html
    assert "¥51,475.48" in html and "伍万壹仟肆佰柒拾伍元肆角捌分" in html
    assert meta["digest"] in html and "民主理财小组" in html
    assert "李*国" in html  # household H01's head, masked
    for secret in private_strings():
        assert secret not in html
    content = get(api, "/v1/villages/V03/disclosures/2026-Q1/draft")
    assert "H01" in json.dumps(content, ensure_ascii=False)
    assert capitals_everywhere(content) > 20
    unchanged = publish(api, "V03", "2026-Q1")
    assert unchanged.status_code == 409
    post(
        api,
        "/v1/entities/V03/receipts",
        {"date": "2026-03-20", "amount": "800.00", "account": "504", "memo": "废品变卖收入"},
    )
    no_reason = publish(api, "V03", "2026-Q1")
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    second = publish(api, "V03", "2026-Q1", reason="补记三月废品变卖收入")
    assert second.status_code == 201, second.text
    assert (second.json()["version"], second.json()["replaces"]) == (2, 1)
    old = api.client.get(meta["urls"]["html"]).text
    assert "废品变卖收入" not in old  # version 1 stays as it was published
    latest = api.client.get("/public/sheets/V03/2026-Q1", follow_redirects=False)
    assert latest.status_code == 307 and latest.headers["location"].endswith("/v2")
    with api.runtime.engine.connect() as conn:
        from sqlalchemy import select

        from projections.tables import sheets

        stored = conn.execute(select(sheets.c.content, sheets.c.digest)).all()
    for content_text, digest in stored:
        assert hashlib.sha256(content_text.encode("utf-8")).hexdigest() == digest


@pytest.mark.one_store  # figures and rendering; the stored sheet on both stores below
def test_pdf_and_xlsx_carry_the_figures_and_no_private_data(scenario_a_api: Api) -> None:
    api = scenario_a_api
    meta = publish(api, "V03", "2026-Q1").json()
    pdf = api.client.get(meta["urls"]["pdf"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "李孟德村2026年第1季度财务公开表" in text
    assert "¥51,475.48" in text
    fonts = {
        str(f.get("/BaseFont"))
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in font for font in fonts)  # the CJK font is embedded
    xlsx = api.client.get(meta["urls"]["xlsx"])
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [
        "收入明细",
        "支出明细",
        "其他资金收付",  # issue 11: money in and out that is neither income nor expenditure
        "资产",
        "债权债务",
        "收益分配",
        "村务公开",
    ]
    distribution = book["收益分配"]
    assert [c.value for c in distribution[3]][:5] == ["方案", "名称", "编号", "户主/单位", "金额"]
    values = [row for row in distribution.iter_rows(min_row=4, values_only=True)]
    rows = {
        number: row[2] for number, row in enumerate(values, start=4) if row[0] == A.HOUSEHOLD_PLAN
    }
    # amounts are read from the sheet's XML as written, not through a float
    written = worksheet_numbers(xlsx.content, book.sheetnames.index("收益分配") + 1, "E")
    assert {code: written[f"E{number}"] for number, code in rows.items()} == (A.EXPECTED_HOUSEHOLDS)
    assert distribution.cell(row=4, column=5).number_format == "#,##0.00"
    everything = " ".join(
        str(cell)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    for secret in private_strings():
        assert secret not in text
        assert secret not in everything
    plan_page = api.client.get(f"/public/plans/{A.HOUSEHOLD_PLAN}")
    assert plan_page.status_code == 200 and "<svg" in plan_page.text
    for secret in private_strings():
        assert secret not in plan_page.text
    assert api.client.get("/public/plans/NOPE").status_code == 404
    assert api.client.get("/public/sheets/V03/2031/v1").status_code == 404


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_page_in_a_real_browser(scenario_a_api: Api, tmp_path: Any, browser: Any) -> None:
    api = scenario_a_api
    meta = publish(api, "V03", "2026-Q1").json()
    with served(api.client.app) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(f"{base}{meta['urls']['html']}")
        text = page.inner_text("body")
        assert "李孟德村2026年第1季度财务公开表" in text
        assert "¥51,475.48" in text and "李*国" in text and "杨*华" in text
        for secret in private_strings():
            assert secret not in page.content()
        assert page.locator("nav").is_visible()
        page.screenshot(path=str(tmp_path / "sheet-phone.png"), full_page=True)
        page.emulate_media(media="print")
        assert not page.locator("nav").is_visible()  # the print stylesheet hides it
        assert (
            page.locator("thead").first.evaluate("e => getComputedStyle(e).display")
            == "table-header-group"
        )
