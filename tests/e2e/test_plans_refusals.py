"""Refusals around pooling and plans: each is a clear problem, and nothing is written."""

from __future__ import annotations

from typing import Any

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
    trial_balance,
)

# domain rules and refusals over HTTP, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def events(api: Api) -> int:
    return api.runtime.views.head()


def attempt(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(path, json=jsonable(body), headers=api.clerk)


def test_pooling_refusals(api: Api) -> None:
    set_up_alliance(api)
    before = events(api)
    outsider = post(
        api,
        "/v1/villages",
        {
            "code": "V09",
            "name": "外村",
            "township": "唐坊镇",
            "county": "高青县",
            "population": 10,
            "households": 3,
        },
    )
    assert outsider["alliance_code"] is None
    before = events(api)
    refused = attempt(
        api,
        f"/v1/joint-entities/{A.JOINT}/capital-contributions",
        {"village": "V09", "programme": "CZFC", "amount": "1.00", "date": "2025-02-01"},
    )
    assert refused.status_code == 422 and "not a member" in refused.json()["detail"]
    too_much = attempt(
        api,
        f"/v1/joint-entities/{A.JOINT}/capital-contributions",
        {"village": "V01", "programme": "CZFC", "amount": "900000.00", "date": "2025-02-01"},
    )
    assert too_much.status_code == 422
    assert too_much.json()["type"] == "urn:lianzhang:problem:over-distribution"
    assert too_much.json()["available"] == "850000.00"
    unknown = attempt(
        api,
        f"/v1/joint-entities/{A.JOINT}/capital-contributions",
        {"village": "V01", "programme": "ABC", "amount": "1.00", "date": "2025-02-01"},
    )
    assert unknown.status_code == 422 and "CZFC" in unknown.json()["detail"]
    not_joint = attempt(
        api,
        "/v1/joint-entities/V01/land-shares",
        {
            "village": "V02",
            "mu": "1",
            "value_per_mu": "1.00",
            "term_years": 1,
            "date": "2025-02-01",
        },
    )
    assert not_joint.status_code == 422
    assert events(api) == before


def test_land_rent_is_posted_in_both_books(api: Api) -> None:
    set_up_alliance(api)
    post(
        api,
        f"/v1/entities/{A.JOINT}/receipts",
        {"date": "2025-02-01", "amount": "500000.00", "account": "503", "memo": "上级补助"},
    )
    rent = post(
        api,
        f"/v1/joint-entities/{A.JOINT}/land-rent",
        {
            "village": "V02",
            "mu": "120",
            "rate_per_mu": "800.00",
            "year": 2025,
            "date": "2025-03-01",
        },
    )
    assert rent["joint_entry"]["total"] == rent["village_entry"]["total"] == "96000.00"
    assert trial_balance(api, "V02")["501"]["credit"] == "96000.00"
    assert trial_balance(api, A.JOINT)["511"]["debit"] == "96000.00"


def test_plan_refusals_write_nothing(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    too_big = attempt(api, "/v1/plans", {**A.ALLIANCE_PLAN_BODY, "amount": "186000.01"})
    assert too_big.status_code == 422, too_big.text
    body = too_big.json()
    assert body["type"] == "urn:lianzhang:problem:over-distribution"
    assert (body["available"], body["requested"]) == ("186000.00", "186000.01")
    bad_rule = attempt(
        api,
        "/v1/plans",
        {
            **A.ALLIANCE_PLAN_BODY,
            "rule": {"tiers": [{"kind": "weighted", "weights": {"capital": 50}}]},
        },
    )
    assert bad_rule.status_code == 422
    assert bad_rule.json()["type"] == "urn:lianzhang:problem:invalid-rule"
    assert "tiers[0].weights.capital" in bad_rule.json()["detail"]
    before = events(api)
    post(api, "/v1/plans", A.ALLIANCE_PLAN_BODY)
    before = events(api)
    for step in A.ALLIANCE_STEPS[:3]:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    early = attempt(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution", {"date": "2026-01-15"})
    assert early.status_code == 409
    assert "决议, 决议公开" in early.json()["detail"]
    asked = attempt(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution-request", {"date": "2026-01-15"})
    assert asked.status_code == 409 and "决议, 决议公开" in asked.json()["detail"]
    assert events(api) == before + 3
    for step in A.ALLIANCE_STEPS[3:]:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    # someone spends the money meanwhile: the payout no longer fits in the bank
    post(
        api,
        f"/v1/entities/{A.JOINT}/payments",
        {"date": "2026-01-12", "amount": "10000.00", "account": "511", "memo": "饲料"},
    )
    before = events(api)
    # asking for the execution checks every payout as the execution would post it
    short = attempt(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution-request", {"date": "2026-01-15"})
    assert short.status_code == 422
    assert short.json()["type"] == "urn:lianzhang:problem:over-distribution"
    assert events(api) == before
    assert get(api, f"/v1/plans/{A.ALLIANCE_PLAN}")["state"] == "drafted"


def test_failed_vote_rejects_and_a_correction_supersedes(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    post(api, "/v1/plans", {**A.ALLIANCE_PLAN_BODY, "code": "P-REJ"})
    post(api, "/v1/plans/P-REJ/steps", A.ALLIANCE_STEPS[0])
    plan = post(
        api, "/v1/plans/P-REJ/steps", {**A.ALLIANCE_STEPS[1], "votes_for": 6, "votes_against": 7}
    )
    assert plan["state"] == "rejected" and "6 of 13 present" in plan["rejection"]
    assert attempt(api, "/v1/plans/P-REJ/steps", A.ALLIANCE_STEPS[2]).status_code == 409

    post(api, "/v1/plans", A.ALLIANCE_PLAN_BODY)
    for step in A.ALLIANCE_STEPS:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    ask_to_execute(api, A.ALLIANCE_PLAN, A.ALLIANCE_EXECUTED_ON)
    post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution", {"date": A.ALLIANCE_EXECUTED_ON})
    again = attempt(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution", {"date": "2026-01-20"})
    assert again.status_code == 409 and "executed" in again.json()["detail"]

    correction = {
        **A.ALLIANCE_PLAN_BODY,
        "code": "P2025-FIX",
        "supersedes": A.ALLIANCE_PLAN,
        "title": "更正：按资金与人口分配",
        "rule": {
            "deductions": [{"name": "管理费", "percent": "2"}],
            "tiers": [{"kind": "weighted", "weights": {"capital": "50", "population": "50"}}],
        },
    }
    post(api, "/v1/plans", correction)
    for step in A.ALLIANCE_STEPS:
        post(api, "/v1/plans/P2025-FIX/steps", {**step, "date": step["date"].replace(month=2)})
    ask_to_execute(api, "P2025-FIX", "2026-02-20")
    fixed = post(api, "/v1/plans/P2025-FIX/execution", {"date": "2026-02-20"})
    assert fixed["state"] == "executed"
    old = get(api, f"/v1/plans/{A.ALLIANCE_PLAN}")
    assert old["state"] == "superseded" and old["superseded_by"] == "P2025-FIX"
    # only the declaration is reversed: the cash the villages received stays received
    assert [e["kind"] for e in old["entries"]].count("reversal") == 1
    new_totals = {line["code"]: line["total"] for line in fixed["lines"]}
    for village, total in new_totals.items():
        assert trial_balance(api, village)["502"]["closing_credit"] == total
    assert trial_balance(api, A.JOINT)["32201"]["closing_debit"] == "182280.00"


def test_allocation_preview_writes_nothing(api: Api) -> None:
    from tests.unit.ledger.test_rules import scenario_a

    before = events(api)
    response = api.client.post("/v1/allocation-previews", json=scenario_a(), headers=api.auditor)
    assert response.status_code == 200, response.text
    assert {line["code"]: line["total"] for line in response.json()["lines"]} == (
        A.EXPECTED_VILLAGE_TOTALS
    )
    invalid = api.client.post(
        "/v1/allocation-previews", json={**scenario_a(), "amount": 1}, headers=api.auditor
    )
    assert invalid.status_code == 422
    assert invalid.json()["type"] == "urn:lianzhang:problem:invalid-rule"
    assert invalid.json()["field"] == "amount"
    assert invalid.json()["errors"][0]["field"] == "amount"
    assert events(api) == before
