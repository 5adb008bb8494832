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
