"""Corrections explained (issue 11 item 4): version 2 of a sheet lists, under its reason, what
changed from version 1 item by item with old and new amounts, and the totals old → new, on the
page, in the PDF and in the XLSX (更正说明); version 1 says it has been replaced and links to
version 2; the differences are computed when rendered, so every published digest still
verifies."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.verify import verify
from documents.sheet_changes import sheet_changes
from tests.e2e.conftest import Api
from tests.e2e.test_disclosure import private_strings, publish
from tests.e2e.test_scenario_a import get, post


def income_total(api: Api, version: int) -> Decimal:
    found = api.client.get(f"/public/sheets/V03/2026-Q1/v{version}")
    assert found.status_code == 200
    from documents import publishing

    sheet = publishing.published(api.runtime, "V03", "2026-Q1", version)
    assert sheet is not None
    return Decimal(sheet["content"]["income"]["total"]["amount"])


@pytest.mark.one_store  # rendering of a correction, not storage
def test_a_correction_lists_what_changed_old_and_new(scenario_a_api: Api) -> None:
    api = scenario_a_api
    wrong = post(
        api,
        "/v1/entities/V03/receipts",
        {"date": "2026-03-10", "amount": "800.00", "account": "504", "memo": "废品变卖收入"},
    )
    first = publish(api, "V03", "2026-Q1")
    assert first.status_code == 201, first.text
    v1 = first.json()
    old_total = income_total(api, 1)
    reversal = api.client.post(
        f"/v1/entities/V03/entries/{wrong['number']}/reversal",
        json={"date": "2026-03-20", "reason": "金额记错"},
        headers=api.clerk,
    )
    assert reversal.status_code == 201, reversal.text
    right = post(
        api,
        "/v1/entities/V03/receipts",
        {
            "date": "2026-03-20",
            "amount": "850.00",
            "account": "504",
            "memo": "废品变卖收入（更正）",
        },
    )
    second = publish(api, "V03", "2026-Q1", reason="废品变卖收入金额记错，红字冲销后重记")
    assert second.status_code == 201, second.text
    v2 = second.json()
    assert income_total(api, 2) == old_total + Decimal("50.00")

    html = api.client.get(v2["urls"]["html"]).text
    assert "更正原因：废品变卖收入金额记错，红字冲销后重记" in html
    part = html[html.index("更正说明：与第 1 版相比") : html.index("一、各项收入")]
    # exactly the two new vouchers, with their amounts, and the income total old → new
    rows = part.count('<tr><td class="head" data-label="变动">')
    assert rows == 2, part
    assert f"新增：冲销 {wrong['number']}" in part
    assert reversal.json()["number"] in part and "-¥800.00" in part
    assert right["number"] in part and "新增：废品变卖收入（更正）" in part and "¥850.00" in part
    # the reversed entry itself did not change (the reversal's 摘要 names it)
    assert f'data-label="凭证号">{wrong["number"]}<' not in part
    assert "收入合计" in part
    assert f"¥{old_total:,.2f}" in part and f"¥{old_total + Decimal('50.00'):,.2f}" in part
    assert "¥50.00" in part  # the difference of the total
    assert 'class="cards"' in part  # cards on a phone, as every table of the page
    assert "/public/sheets/V03/2026-Q1/v1" in part

    # version 1: as published, says it has been replaced, links to version 2
    old = api.client.get(v1["urls"]["html"]).text
    assert "更正说明" not in old and "废品变卖收入（更正）" not in old
    assert "本版已被第 2 版更正" in old and "/public/sheets/V03/2026-Q1/v2" in old

    pdf = api.client.get(v2["urls"]["pdf"])
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "更正说明" in text and right["number"] in text

    xlsx = api.client.get(v2["urls"]["xlsx"])
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "更正说明" in book.sheetnames
    values = [list(r) for r in book["更正说明"].iter_rows(min_row=4, values_only=True)]
    assert values[0][0].startswith("本版更正第 1 版，更正原因：废品变卖收入金额记错")
    added = {r[3]: r for r in values if r[0] == "新增"}
    assert set(added) == {reversal.json()["number"], right["number"]}
    assert added[right["number"]][6] is None and added[right["number"]][7] == Decimal("850.00")
    assert added[reversal.json()["number"]][7] == Decimal("-800.00")
    totals = {r[1]: r for r in values if r[0] == "合计"}
    # openpyxl reads a number back as a binary float: compared through its shortest text
    assert [Decimal(str(v)) for v in totals["收入合计"][6:9]] == [
        old_total,
        old_total + Decimal("50.00"),
        Decimal("50.00"),
    ]
    assert (
        "更正说明"
        not in load_workbook(io.BytesIO(api.client.get(v1["urls"]["xlsx"]).content)).sheetnames
    )

    for body in (html, old, text, *(str(v) for r in values for v in r)):
        for secret in private_strings():
            assert secret not in body
    report = verify(api.runtime)
    assert report["ok"], report
    assert get(api, "/v1/villages/V03/disclosures")[-1]["version"] == 2


def item(voucher: str, amount: str, memo: str, account: str = "504 其他收入") -> dict[str, str]:
    return {
        "no": "1",
        "date": "2026-03-10",
        "voucher": voucher,
        "item": memo,
        "account": account,
        "amount": amount,
        "capitals": "",
        "source": "收款",
        "handled_by": "王会计",
    }


def content(*items: dict[str, str], total: str) -> dict[str, object]:
    return {
        "income": {"items": list(items), "total": {"amount": total, "capitals": ""}},
        "expense": {"items": [], "total": {"amount": "0.00", "capitals": ""}},
    }


def test_changed_removed_and_added_items_and_totals() -> None:
    old = content(
        item("2026-0001", "100.00", "租金"), item("2026-0002", "5.00", "利息"), total="105.00"
    )
    new = content(
        item("2026-0001", "120.50", "租金（一季度）"),
        item("2026-0003", "7.00", "利息"),
        total="127.50",
    )
    changes = sheet_changes(old, new)
    by = {(i["change"], i["voucher"]): i for i in changes["items"]}
    assert set(by) == {("更改", "2026-0001"), ("删除", "2026-0002"), ("新增", "2026-0003")}
    changed = by[("更改", "2026-0001")]
    assert (changed["old"]["amount"], changed["new"]["amount"]) == ("100.00", "120.50")
    assert changed["difference"]["amount"] == "20.50"
    assert changed["fields"] == ["摘要：租金 → 租金（一季度）"]
    assert by[("删除", "2026-0002")]["new"] is None
    assert by[("删除", "2026-0002")]["difference"]["amount"] == "-5.00"
    assert changes["totals"] == [
        {
            "name": "收入合计",
            "old": {"amount": "105.00", "capitals": "壹佰零伍元整"},
            "new": {"amount": "127.50", "capitals": "壹佰贰拾柒元伍角"},
            "difference": {"amount": "22.50", "capitals": "贰拾贰元伍角"},
        }
    ]
    assert sheet_changes(old, old) == {"items": [], "totals": []}
