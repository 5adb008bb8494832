"""报表 › 资产 in the workbench (``workbench.asset_reports``) after Scenario B: the 固定资产折旧表,
在建工程明细表 and 资产清单 of J01 as a page, on A4 and as XLSX (numbers, text never a formula);
the balance sheet's 资产核对表; scoped by township; and J01's published 三公开 sheet with its
资产清单 and 联建项目 parts as a page, a workbook and a PDF."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from documents.publishing import publish_sheet
from tests.application.scenario_b import JOINT, MONTHS_2025, Story
from tests.builders import TOWNSHIP
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store  # pages and workbooks, not storage


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    story = Story(runtime.app)
    story.until_completion()
    story.lease()
    for month in MONTHS_2025:
        story.month(month)
    runtime.views.catch_up()
    web = signed_in_app(runtime)
    with TestClient(web) as c:
        yield c, web


def test_the_three_tables_as_page_print_and_xlsx(client: Any) -> None:
    from openpyxl import load_workbook

    c, web = client
    person_session(c, web, "zhang", "preparer", [TOWNSHIP])
    assert "/asset-reports" in c.get("/statements").text
    assert f"/asset-reports/{JOINT}?period=2025" in c.get(f"/statements/{JOINT}?period=2025").text
    for path in (
        f"/asset-reports/{JOINT}?period=2025",
        f"/asset-reports/{JOINT}/print?period=2025",
    ):
        answer = c.get(path)
        assert answer.status_code == 200, (path, answer.text[-2000:])
        for words in (
            "固定资产折旧表",
            "GZ-001",
            "¥900,000.00",
            "¥14,250.00",  # four months of 3,562.50
            "¥885,750.00",
            "仉家村 45%：¥6,412.52",  # its parts as each month recorded them
            "在建工程明细表（按项目）",
            "153XM2025NC",
            "已竣工",
            "畜牧业发展专项资金",
            "资产清单",
            "新增（自建（在建工程转入），2025-08-31）",
            "¥32,000.00",  # rent received in 2025
        ):
            assert words in answer.text, (path, words)
        assert "✗" not in answer.text  # every check holds
    under_construction = c.get(f"/asset-reports/{JOINT}?period=2025-Q2").text
    assert "在建" in under_construction and "¥770,000.00" in under_construction

    for kind, sheet in (
        ("depreciation", "固定资产折旧表"),
        ("construction", "在建工程明细表（按项目）"),
        ("assets", "资产清单"),
    ):
        answer = c.get(f"/asset-reports/{JOINT}/{kind}.xlsx?period=2025")
        assert answer.status_code == 200, kind
        book = load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == [sheet]
        cells = [cell for row in book[sheet].iter_rows() for cell in row if cell.value is not None]
        assert not any(cell.data_type == "f" for cell in cells)  # never a formula
        amounts = {cell.value for cell in cells if cell.number_format == "#,##0.00"}
        assert 900000 in amounts
    assert c.get(f"/asset-reports/{JOINT}/nothing.xlsx?period=2025").status_code == 404

    sheet = c.get(f"/statements/{JOINT}?period=2025").text
    assert "资产核对表" in sheet and "资产卡片 1 张" in sheet
    workbook = load_workbook(
        io.BytesIO(c.get(f"/statements/{JOINT}/balance-sheet.xlsx?period=2025").content)
    )
    rows = [r for r in workbook.active.iter_rows(values_only=True) if r[0]]
    assert ("✓ 固定资产原值：账面 = 资产卡片 1 张", None, "151", 900000, 900000) in rows


def test_another_township_sees_none_of_it(client: Any) -> None:
    c, web = client
    person_session(c, web, "li", "preparer", ["花沟镇"])
    for path in (
        f"/asset-reports/{JOINT}?period=2025",
        f"/asset-reports/{JOINT}/print?period=2025",
        f"/asset-reports/{JOINT}/depreciation.xlsx?period=2025",
    ):
        answer = c.get(path)
        assert answer.status_code == 404, path
        assert "黑牛" not in answer.text and "牛舍" not in answer.text
    assert "黑牛" not in c.get("/asset-reports").text


def test_the_joint_entitys_published_sheet_shows_the_barn(client: Any, runtime: Any) -> None:
    from openpyxl import load_workbook

    c, _web = client
    publish_sheet(
        runtime,
        JOINT,
        "2025",
        checked_by=["王建华"],
        checked_on=datetime.date(2026, 1, 6),
        opinion="",
        reason="",
        actor="tester",
    )
    page = c.get(f"/public/sheets/{JOINT}/2025/v1").text
    for words in (
        "四之一、资产清单",
        "GZ-001 牛舍",
        "¥885,750.00",
        "四之二、联建项目及各村份额",
        "仉家村",
        "¥7,987.50",  # V01's part of the 2025 result
        'data-label="所有权份额">45%',
    ):
        assert words in page, words
    book = load_workbook(io.BytesIO(c.get(f"/public/sheets/{JOINT}/2025/v1.xlsx").content))
    assert {"资产清单", "联建项目"} <= set(book.sheetnames)
    pdf = c.get(f"/public/sheets/{JOINT}/2025/v1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
