"""The fairness workbench over HTTP for Scenario A: four rules side by side, the page, the
comparison recorded on the plan and listed on its statement; a comparison writes nothing."""

from __future__ import annotations

import pytest

from scripts import scenario_a as A
from tests.e2e.conftest import Api, ask_to_execute
from tests.e2e.test_scenario_a import (
    enterprise_pays,
    get,
    jsonable,
    pool_capital_and_land,
    post,
    set_up_alliance,
)

# domain rules and refusals over HTTP, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def test_scenario_a_alternatives_before_the_vote(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    post(api, "/v1/plans", A.ALLIANCE_PLAN_BODY)
    before = api.runtime.views.head()
    response = api.client.post(
        "/v1/fairness/comparisons",
        json={
            "plan": A.ALLIANCE_PLAN,
            "candidates": A.ALTERNATIVES,
            "enterprise_profit": {"2025": "900000.00"},
        },
        headers=api.auditor,  # reading: an auditor may compare
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert [c["name"] for c in result["candidates"]] == [
        "方案规则",
        "按资金比例",
        "各村平均",
        "按人口",
    ]
    assert result["candidates"][0]["lines"] == A.EXPECTED_VILLAGE_TOTALS
    year = result["enterprise"][0]["by_year"][0]
    assert (
        year["guaranteed"],
        year["declared"],
        year["above_guarantee"],
        year["retained"],
        year["village_share"],
    ) == ("120000.00", "186000.00", "66000.00", "714000.00", "20.67")
    assert api.runtime.views.head() == before  # nothing written
    page = api.client.post(
        "/v1/fairness/comparisons",
        params={"format": "html"},
        json={"plan": A.ALLIANCE_PLAN, "candidates": A.ALTERNATIVES},
        headers=api.auditor,
    )
    assert page.status_code == 200 and "<svg" in page.text
    assert "和店村：按资金计为其比例份额的0.92倍" in page.text
    assert "基尼系数" in page.text and "各村平均" in page.text

    attached = post(
        api,
        f"/v1/plans/{A.ALLIANCE_PLAN}/comparisons",
        {"for_step": "审议", "candidates": A.ALTERNATIVES},
    )
    assert attached["number"] == 1 and attached["for_step"] == "审议"
    for step in A.ALLIANCE_STEPS:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    late = api.client.post(
        f"/v1/plans/{A.ALLIANCE_PLAN}/comparisons",
        json=jsonable({"for_step": "审议", "candidates": A.ALTERNATIVES}),
        headers=api.clerk,
    )
    assert late.status_code == 409
    ask_to_execute(api, A.ALLIANCE_PLAN, A.ALLIANCE_EXECUTED_ON)
    post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution", {"date": A.ALLIANCE_EXECUTED_ON})
    statement = get(api, f"/v1/plans/{A.ALLIANCE_PLAN}/statement")
    assert statement["state"] == "executed"
    alternatives = statement["alternatives"][0]
    assert [c["name"] for c in alternatives["candidates"]] == [
        "方案规则",
        "按资金比例",
        "各村平均",
        "按人口",
    ]
    assert alternatives["candidates"][2]["lines"]["V02"] == "60760.00"
    public = api.client.get(f"/public/plans/{A.ALLIANCE_PLAN}")
    assert "审议、决议时比较过的分配规则" in public.text and "各村平均" in public.text
    shown = api.client.get(f"/public/plans/{A.ALLIANCE_PLAN}/comparisons/1")
    assert shown.status_code == 200 and "第 1 次比较，供审议使用" in shown.text


def test_comparison_refusals_are_problems(api: Api) -> None:
    bad = api.client.post(
        "/v1/fairness/comparisons",
        json={
            "document": {"amount": "1.00", "parties": []},
            "candidates": [{"name": "x", "rule": {"tiers": []}}],
        },
        headers=api.auditor,
    )
    assert bad.status_code == 422
    assert bad.json()["type"] == "urn:lianzhang:problem:invalid-comparison"
    none = api.client.post("/v1/fairness/comparisons", json={"candidates": []}, headers=api.auditor)
    assert none.status_code == 422
