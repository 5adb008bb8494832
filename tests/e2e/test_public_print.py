"""Issue 11 items 6 and 8: the demo's PDFs fill their pages (no page left half empty before the
last), carry the signature and seal block; the XLSX is set up for printing on A4 and its totals
add only like with like."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from scripts import scenario_a as A
from tests.e2e.public_demo import demo_client

PDFS = [
    "/public/sheets/V03/2026-Q1/v1.pdf",
    "/public/sheets/V03/2025/v1.pdf",
    "/public/sheets/V01/2025/v1.pdf",
    f"/public/plans/{A.ALLIANCE_PLAN}.pdf",
    f"/public/plans/{A.HOUSEHOLD_PLAN}.pdf",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with demo_client(tmp_path_factory.mktemp("demo")) as (client, _runtime):
        yield client


def lowest_text(page: Any) -> float:
    """How far down the page its text goes (PDF points from the bottom; the page number in the
    bottom margin left out)."""
    found: list[float] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        y = tm[5] * cm[3] + cm[5]
        if text.strip() and y > 50:
            found.append(y)

    page.extract_text(visitor_text=visit)
    return min(found) if found else float(page.mediabox.height)


@pytest.mark.parametrize("url", PDFS)
def test_pdf_pages_are_filled_and_signed(demo: Any, url: str) -> None:
    response = demo.get(url)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    height = float(reader.pages[0].mediabox.height)
    assert abs(height - 841.89) < 1  # A4
    for number, page in enumerate(reader.pages[:-1], start=1):
        # every page but the last is used at least two thirds of the way down
        assert lowest_text(page) < height / 3, (url, number, lowest_text(page))
    text = "".join(page.extract_text() for page in reader.pages)
    for word in ("民主理财小组", "审核人", "日期", "盖章", "扫码核对"):
        assert word in text, word


def test_xlsx_for_finance_staff(demo: Any) -> None:
    response = demo.get("/public/sheets/V03/2026-Q1/v1.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    for ws in book.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, ws.title  # 9: A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_title_rows == "$1:$3", ws.title  # title, period and headers on every page
    claims = [row for row in book["债权债务"].iter_rows(values_only=True) if row[0]]
    assert any(row[0] == "债权合计" for row in claims)
    assert any(row[0] == "债务合计" for row in claims)
    affairs = book["村务公开"]
    headers = [c.value for c in affairs[3]]
    for column in ("应到", "实到", "同意", "反对", "弃权"):
        assert column in headers
    decided = [row for row in affairs.iter_rows(min_row=4, values_only=True) if row[2] == "决议"]
    assert decided and all(row[headers.index("反对")] is not None for row in decided)
    # 收益分配: what the village received and what it paid out are never added together
    rows = list(book["收益分配"].iter_rows(min_row=4, values_only=True))
    totals = {row[0]: row[4] for row in rows if row[0] and str(row[0]).endswith("合计")}
    assert "合计" not in totals
    # received: Scenario A's 60,559.39 and the barn's 2025 result by ownership, 5,325.00
    # (Scenario B, executed on 2026-01-25)
    assert str(totals["分得合计"]) == "65884.39"
    assert str(totals["分出合计"]) == "51475.48"
