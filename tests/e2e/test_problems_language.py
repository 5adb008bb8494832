"""Problems in Chinese by default, in English when Accept-Language prefers it (issue 10 item 5);
the same type URNs in both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_scenario_a import set_up_alliance
from web.problem_texts import detail_zh, field_zh, wants_english

# pages, prints and problem texts, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def _overdraft(api: Api, **headers: str) -> Any:
    set_up_alliance(api)  # V01 has 850000.00 in 102
    return api.client.post(
        "/v1/entities/V01/entries",
        json={
            "date": "2025-03-01",
            "memo": "购买设备",
            "postings": [
                {"account": "511", "side": "debit", "amount": "850000.01"},
                {"account": "102", "side": "credit", "amount": "850000.01"},
            ],
        },
        headers={**api.admin, **headers},
    )


@pytest.mark.parametrize("language", [None, "zh-CN", "zh-CN,zh;q=0.9,en;q=0.8", "fr, zh;q=0.5"])
def test_a_clerk_reads_the_problem_in_chinese(api: Api, language: str | None) -> None:
    headers = {"Accept-Language": language} if language else {"Accept-Language": ""}
    answer = _overdraft(api, **headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"] == "urn:lianzhang:problem:cash-overdraft"
    assert problem["title"] == "填写有误"
    assert "不能为负数" in problem["detail"] and "V01" in problem["detail"], problem
    assert "below zero" not in problem["detail"]
    assert answer.headers["content-language"] == "zh-CN"


@pytest.mark.parametrize("language", ["en", "en-US", "en;q=1, zh;q=0.5", "zh;q=0.4, en-GB"])
def test_an_integrator_asks_for_english(api: Api, language: str) -> None:
    answer = _overdraft(api, **{"Accept-Language": language})
    problem = answer.json()
    assert problem["type"] == "urn:lianzhang:problem:cash-overdraft"
    assert problem["title"] == "Invalid request"
    assert "below zero" in problem["detail"], problem
    assert answer.headers["content-language"] == "en"


def test_validation_errors_name_the_field_in_chinese(api: Api) -> None:
    answer = api.client.post(
        "/v1/entities/V01/entries",
        json={
            "date": "2025-03-01",
            "memo": "x",
            "postings": [
                {"account": "511", "side": "debit", "amount": 10},
                {"account": "102", "side": "credit", "amount": "10.00"},
            ],
        },
        headers={**api.admin, "Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "urn:lianzhang:problem:validation"
    assert problem["errors"][0]["field"] == "postings[0].amount"
    assert problem["errors"][0]["message"].startswith("第1行分录的金额：金额写成两位小数的字符串")
    assert "message_zh" not in problem["errors"][0]
    english = api.client.post(
        "/v1/entities/V01/entries",
        json={"date": "2025-03-01", "memo": "x", "postings": []},
        headers=api.admin,
    ).json()
    assert all("message_zh" not in e for e in english.get("errors", []))


def test_a_refusal_without_its_own_chinese_keeps_its_data_not_its_english() -> None:
    text = detail_zh("already-exists", "village V01 already exists", None, "code")
    assert text == "代码：该记录已经存在，不能重复登记"
    text = detail_zh(
        "unknown-account",
        "postings[0].account: account '999' is not in the chart of accounts (2023)",
        None,
        "postings[0].account",
    )
    assert (
        text == "第1行分录的科目：科目不存在：请从本单位科目表中选择科目，或先开设明细科目（999）"
    )
    assert field_zh("postings[2].account") == "第3行分录的科目"
    assert not wants_english(None) and not wants_english("*")
    assert wants_english("en-US,en;q=0.9") and not wants_english("en;q=0")


def test_a_wrong_public_link_shows_a_villager_a_page_in_chinese(api: Api) -> None:
    """A browser that follows a wrong link under /public reads a page in Chinese with the
    same status; a program asking for JSON still gets the problem details."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path, status in (
        ("/public/sheets/V03/2031/v1", 404),
        ("/public/plans/NOPE", 404),
        ("/public/no-such-page", 404),
        ("/public/sheets/V03/20xx/v1", 422),
    ):
        page = api.client.get(path, headers={"Accept": browser})
        assert page.status_code == status, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert page.headers["content-language"] == "zh-CN"
        assert '<html lang="zh' in page.text and 'href="/public"' in page.text
        assert "urn:lianzhang" not in page.text and "has not been published" not in page.text
    page = api.client.get("/public/sheets/V03/2031/v1", headers={"Accept": browser})
    assert "找不到该公开表" in page.text
    problem = api.client.get("/public/plans/NOPE", headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"] == "urn:lianzhang:problem:not-public"


def test_an_unknown_account_reads_in_chinese_with_its_code(api: Api) -> None:
    set_up_alliance(api)
    problem = api.client.post(
        "/v1/entities/V01/entries",
        json={
            "date": "2025-03-01",
            "memo": "购买设备",
            "postings": [
                {"account": "999", "side": "debit", "amount": "10.00"},
                {"account": "102", "side": "credit", "amount": "10.00"},
            ],
        },
        headers={**api.admin, "Accept-Language": "zh-CN"},
    ).json()
    texts = [problem["detail"], *(e["message"] for e in problem.get("errors", []))]
    for text in texts:
        assert "999" in text and "科目" in text, text
        assert "postings" not in text and "chart" not in text, text
