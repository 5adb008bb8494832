"""A joint entity's sheet shows capital paid in (本期入股) and capital refunded (本期退股) apart:
a refund is not negative money "paid in", and the total paid in is what came in."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from rendering.render import sheet_html, sheet_xlsx
from tests.e2e.conftest import Api
from tests.e2e.test_crossbook import post, small_alliance

pytestmark = pytest.mark.one_store  # a page's content, not storage


def test_a_capital_refund_is_listed_as_refunded_not_as_negative_paid_in(api: Api) -> None:
    _, joint, v1, v2 = small_alliance(api.runtime.app)  # V1 paid in 120,000, V2 50,000
    post(
        api,
        f"/v1/joint-entities/{joint}/capital-refunds",
        {
            "village": v1,
            "programme": "CZFC",
            "amount": "30000.00",
            "date": "2025-03-01",
            "reason": "项目调整，退还部分资金",
        },
    )
    response = api.client.get(
        f"/v1/joint-entities/{joint}/disclosures/2025/draft", headers=api.clerk
    )
    assert response.status_code == 200, response.text
    capital = response.json()["capital"]
    paid_in = {(x["village"], x["programme"]): x["amount"] for x in capital["paid_in"]}
    refunded = {(x["village"], x["programme"]): x["amount"] for x in capital["refunded"]}
    assert paid_in == {
        (v1, "CZFC"): "100000.00",
        (v1, "ZYZJ"): "20000.00",
        (v2, "CZFC"): "50000.00",
    }
    assert refunded == {(v1, "CZFC"): "30000.00"}
    assert capital["paid_in_total"]["amount"] == "170000.00"
    assert capital["refunded_total"]["amount"] == "30000.00"
    assert capital["held_total"]["amount"] == "140000.00"
    assert all(not x["amount"].startswith("-") for x in capital["paid_in"] + capital["refunded"])

    page = sheet_html(response.json())  # the sheet as villagers would read it
    assert "本期入股" in page and "本期退股" in page
    assert "-30,000.00" not in page and "−30,000.00" not in page
    book = load_workbook(io.BytesIO(sheet_xlsx(response.json(), version=None)))
    cells = [c for row in book["入股资金"].iter_rows(values_only=True) for c in row]
    assert "本期入股合计" in cells and "本期退股合计" in cells
