"""Issue 11 item 7: every link of every public page of the demo answers, the plans' PDFs too,
and the demo's comparison teaches something (a candidate whose result differs, in words)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts import scenario_a as A
from tests.e2e.public_demo import demo_client, public_pages, text_of


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with demo_client(tmp_path_factory.mktemp("demo")) as (client, _runtime):
        yield client


def test_plan_pdfs_answer(demo: Any) -> None:
    for code in (A.ALLIANCE_PLAN, A.HOUSEHOLD_PLAN):
        response = demo.get(f"/public/plans/{code}.pdf")
        assert response.status_code == 200, (code, response.text[:200])
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert demo.get("/public/plans/NOPE.pdf").status_code == 404


def test_every_link_of_every_public_page_answers(demo: Any) -> None:
    pages = public_pages(demo)
    broken = {url: r.status_code for url, r in pages.items() if r.status_code != 200}
    assert broken == {}
    kinds = {url.rsplit(".", 1)[-1] for url in pages if "." in url.rsplit("/", 1)[-1]}
    assert {"pdf", "xlsx"} <= kinds
    assert any("/comparisons/" in url for url in pages)
    assert f"/public/plans/{A.HOUSEHOLD_PLAN}.pdf" in pages
    assert len(pages) > 20, sorted(pages)


def test_the_demo_comparison_teaches_something(demo: Any) -> None:
    page = demo.get(f"/public/plans/{A.ALLIANCE_PLAN}/comparisons/1")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "按土地" in text
    # capital and population are in proportion in Scenario A: those two give the same columns;
    # by land 仉家村 (500 亩) gains and 和店村 (120 亩) loses against the plan's rule
    assert "按土地" in text and "仉家村多得" in text and "和店村少得" in text
    assert "结果与“按资金比例”相同" in text  # 按人口: capital and population in proportion


def test_the_index_speaks_a_villagers_words(demo: Any) -> None:
    html = demo.get("/public").text
    text = text_of(html)
    for name in ("仉家村", "和店村", "李孟德村"):
        assert name in text
    assert "2026年第1季度" in text and "已执行" in text
    assert "executed" not in text and "摘要" not in text
    assert ">V01<" not in html  # village names, not codes
    assert "黑牛盒马联村2025年度纽澜地分红分配方案" in text


def test_no_full_name_or_id_number_anywhere_public(demo: Any) -> None:
    """Every page, PDF and workbook reachable from /public: heads masked, no ID number."""
    import io
    import zipfile

    from pypdf import PdfReader

    secrets = [m["name"] for m in A.members()] + [m["id_number"] for m in A.members()]
    for url, response in public_pages(demo).items():
        kind = response.headers["content-type"]
        if "pdf" in kind:
            reader = PdfReader(io.BytesIO(response.content))
            text = "".join(page.extract_text() for page in reader.pages)
        elif "spreadsheet" in kind:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                text = "".join(
                    archive.read(name).decode("utf-8")
                    for name in archive.namelist()
                    if name.endswith(".xml")
                )
        else:
            text = response.text
        for secret in secrets:
            assert secret not in text, (url, secret)


def test_a_correction_says_why_and_the_old_version_points_to_the_new(
    tmp_path: Path,
) -> None:
    import datetime

    from documents import publishing
    from scripts.demo import ACTOR, CHECKERS

    with demo_client(tmp_path) as (client, runtime):
        runtime.app.pooling.record_cash(
            entity="V01",
            direction="receipt",
            account="504",
            amount="800.00",
            date=datetime.date(2026, 3, 20),
            memo="废品变卖收入",
            actor=ACTOR,
        )
        publishing.publish_sheet(
            runtime,
            "V01",
            "2026-Q1",
            checked_by=CHECKERS,
            checked_on=datetime.date(2026, 4, 10),
            opinion="经审核无误。",
            reason="补记三月废品变卖收入",
            actor=ACTOR,
        )
        new = text_of(client.get("/public/sheets/V01/2026-Q1/v2").text)
        assert "本版更正第 1 版" in new and "补记三月废品变卖收入" in new
        assert "这是最新版本" in new
        old = client.get("/public/sheets/V01/2026-Q1/v1").text
        assert "本版已被第 2 版更正" in text_of(old)
        assert 'href="/public/sheets/V01/2026-Q1/v2"' in old
        index = text_of(client.get("/public").text)
        assert "已被第 2 版更正" in index


def test_sources_name_where_the_money_came_from_and_sheets_still_verify(tmp_path: Path) -> None:
    from audit.verify import verify

    with demo_client(tmp_path) as (client, runtime):
        page = text_of(client.get("/public/sheets/V03/2026-Q1/v1").text)
        assert "黑牛养殖联合社分配（方案 P2025-HNHM）" in page  # not the entry type 收益分配
        assert "张淑芬" in page  # 经办: the person's 姓名 (display_actor), not the login
        assert "zhuguan" not in page
        report = verify(runtime)  # published sheets re-derive to their digests
        assert report["ok"], report["problems"]


def test_every_yuan_that_moved_is_listed(demo: Any) -> None:
    """Capital paid into the joint entity and the payments to households change balances only:
    they are listed item by item beside the income and expenditure."""
    v03_2025 = text_of(demo.get("/public/sheets/V03/2025/v1").text)
    assert "其他资金收付" in v03_2025
    assert "黑牛养殖联合社（入股资金）" in v03_2025 and "¥500,000.00" in v03_2025
    v03_q1 = text_of(demo.get("/public/sheets/V03/2026-Q1/v1").text)
    assert "其他资金收付" in v03_q1
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(demo.get("/public/sheets/V03/2025/v1.xlsx").content))
    moved = list(book["其他资金收付"].iter_rows(min_row=4, values_only=True))
    from decimal import Decimal

    assert any(row[4] == "付" and Decimal(str(row[5])) == Decimal("500000.00") for row in moved)
