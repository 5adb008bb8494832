"""The workbench's statements in the 2023 formats (行次, subtotals, 原值/累计折旧/净值, 附注,
signature lines, in the page, the print and the XLSX) and the township 汇总 page and workbook."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store  # pages and workbooks, not storage


def post(
    app: Any, code: str, day: datetime.date, memo: str, debit: str, credit: str, amount: str
) -> None:
    app.books.post_entry(
        entity=code,
        date=day,
        memo=memo,
        postings=[
            {"account": debit, "side": "debit", "amount": amount},
            {"account": credit, "side": "credit", "amount": amount},
        ],
        actor="tester",
    )


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any, dict[str, str]]]:
    app = runtime.app
    one, two = village(app, name="仉家村"), village(app, name="和店村")
    other = village(app, name="外镇村", township="花沟镇")
    post(app, one, datetime.date(2025, 2, 1), "购置拖拉机", "151", "102", "20000.00")
    post(app, one, datetime.date(2025, 12, 31), "计提折旧", "513", "152", "1500.00")
    post(app, two, datetime.date(2025, 3, 5), "收到土地流转费", "102", "501", "12000.00")
    web = signed_in_app(runtime)
    with TestClient(web) as c:
        yield c, web, {"one": one, "two": two, "other": other}


def test_statement_pages_print_and_xlsx_in_the_2023_format(client: Any) -> None:
    from openpyxl import load_workbook

    c, web, v = client
    person_session(c, web, "zhang", "preparer", [TOWNSHIP])
    for path in (
        f"/statements/{v['one']}?period=2025",
        f"/statements/{v['one']}/print?period=2025",
    ):
        answer = c.get(path)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[-3000:])
        text = answer.text
        for words in (
            "行次",
            "流动资产合计",
            "非流动资产合计",
            "固定资产原值",
            "减：累计折旧",
            "收益总额",
            "其他转入",
            "附注",
            "单位负责人",
            "会计主管",
            "制表人",
            "固定资产原值 ¥20,000.00，累计折旧 ¥1,500.00，净值 ¥18,500.00。",
        ):
            assert words in text, (path, words)
    answer = c.get(f"/statements/{v['one']}/balance-sheet.xlsx?period=2025")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["固定资产原值"][1] == 13 and rows["固定资产原值"][4] == 20000
    assert rows["减：累计折旧"][1] == 14 and rows["减：累计折旧"][4] == 1500
    assert rows["资产总计"][1] == 23
    assert any(str(r[0]).startswith("单位负责人") for r in sheet.iter_rows(values_only=True))


def test_a_township_summary_page_and_workbook(client: Any) -> None:
    from openpyxl import load_workbook

    c, web, _ = client
    person_session(c, web, "zhang", "preparer", [TOWNSHIP])
    page = c.get(f"/statement-summaries?township={TOWNSHIP}&period=2025")
    assert page.status_code == 200, page.text
    assert "仉家村" in page.text and "和店村" in page.text and "外镇村" not in page.text
    assert "货币资金" in page.text and "行次" in page.text
    book = load_workbook(
        io.BytesIO(c.get(f"/statement-summaries.xlsx?township={TOWNSHIP}&period=2025").content)
    )
    names = [u[1] for u in book["汇总单位"].iter_rows(min_row=2, max_row=3, values_only=True)]
    assert sorted(names) == ["仉家村", "和店村"]
    # another township's person sees neither the township nor its villages
    person_session(c, web, "hg", "preparer", ["花沟镇"])
    page = c.get(f"/statement-summaries?township={TOWNSHIP}&period=2025")
    assert page.status_code == 422 and "仉家村" not in page.text
    assert "外镇村" in c.get("/statement-summaries?period=2025").text
