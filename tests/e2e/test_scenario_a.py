"""Scenario A of docs/scenario-a.md, end to end through the HTTP API, on SQLite and PostgreSQL.

An enterprise dividend is shared by the alliance 黑牛盒马联村党委 among its three villages, then
by 李孟德村 among its households; every figure must come out to the fen, in the books of all
four entities and in the household payouts.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from scripts import scenario_a as A
from tests.e2e.conftest import Api, ask_to_execute

OPENING = {
    "V01": ("仉家村", 1200, 400, "850000.00"),
    "V02": ("和店村", 800, 260, "600000.00"),
    "V03": ("李孟德村", 1000, 330, "720000.00"),
}


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def post(api: Api, path: str, body: dict[str, Any], status: int = 201) -> Any:
    response = api.client.post(path, json=jsonable(body), headers=api.clerk)
    assert response.status_code == status, f"{path}: {response.text}"
    return response.json()


def get(api: Api, path: str, **params: str) -> Any:
    response = api.client.get(path, params=params, headers=api.auditor)
    assert response.status_code == 200, f"{path}: {response.text}"
    return response.json()


def trial_balance(api: Api, entity: str) -> dict[str, dict[str, str]]:
    tb = get(api, f"/v1/entities/{entity}/trial-balance", month="2026-12", cumulative="true")
    assert tb["balanced"] is True, entity
    return {line["account"]: line for line in tb["lines"]}


def set_up_alliance(api: Api) -> None:
    post(
        api,
        "/v1/alliances",
        {
            "code": A.ALLIANCE,
            "name": "黑牛盒马联村党委",
            "township": "唐坊镇",
            "county": "高青县",
            "model": "村企联建",
            "formed_on": "2025-01-01",
        },
    )
    for code, (name, population, households, bank) in OPENING.items():
        post(
            api,
            "/v1/villages",
            {
                "code": code,
                "name": name,
                "township": "唐坊镇",
                "county": "高青县",
                "population": population,
                "households": households,
            },
        )
        post(
            api,
            f"/v1/entities/{code}/opening-balances",
            {
                "as_of": "2025-01-01",
                "balances": [
                    {"account": "102", "side": "debit", "amount": bank},
                    {"account": "301", "side": "credit", "amount": bank},
                ],
            },
            status=200,
        )
        post(api, f"/v1/alliances/{A.ALLIANCE}/villages", {"village": code, "date": "2025-01-01"})
    post(
        api,
        f"/v1/alliances/{A.ALLIANCE}/enterprises",
        {"code": A.ENTERPRISE, "name": "纽澜地", "date": "2025-01-01"},
    )
    post(
        api, f"/v1/alliances/{A.ALLIANCE}/joint-entity", {"code": A.JOINT, "name": "黑牛养殖联合社"}
    )
    post(
        api,
        f"/v1/entities/{A.JOINT}/opening-balances",
        {"as_of": "2025-01-01", "balances": []},
        status=200,
    )


def pool_capital_and_land(api: Api) -> None:
    for village, (capital, mu) in A.CONTRIBUTIONS.items():
        result = post(
            api,
            f"/v1/joint-entities/{A.JOINT}/capital-contributions",
            {
                "village": village,
                "programme": A.PROGRAMME,
                "amount": capital,
                "date": A.CONTRIBUTED_ON,
            },
        )
        assert result["village_entry"]["lines"][0]["account"] == f"141{A.JOINT}"
        assert result["joint_entry"]["lines"][1]["account"] == f"301{village}"
        post(
            api,
            f"/v1/joint-entities/{A.JOINT}/land-shares",
            {
                "village": village,
                "mu": mu,
                "grade": "1.0",
                "value_per_mu": A.LAND_VALUE_PER_MU,
                "term_years": A.LAND_TERM_YEARS,
                "date": A.CONTRIBUTED_ON,
            },
        )
    equity = get(api, f"/v1/joint-entities/{A.JOINT}/equity", as_of="2025-12-31")
    assert equity["capital_total"] == "1500000.00"
    by_village = {v["village"]: v for v in equity["villages"]}
    assert by_village["V02"]["capital"]["CZFC"]["amount"] == "400000.00"
    assert by_village["V01"]["land_basis"] == "500"


def enterprise_pays(api: Api) -> None:
    post(api, "/v1/agreements", A.AGREEMENT_TERMS)
    post(  # the clerk opens the investment's sub-account before paying into it
        api,
        f"/v1/entities/{A.JOINT}/accounts",
        {"code": f"141{A.ENTERPRISE}", "name": "长期投资-纽澜地", "parent": "141"},
    )
    post(
        api,
        f"/v1/entities/{A.JOINT}/payments",
        {
            "date": A.INVESTED_ON,
            "amount": "1500000.00",
            "account": f"141{A.ENTERPRISE}",
            "memo": "投资纽澜地黑牛养殖项目",
        },
    )
    declared = post(
        api,
        f"/v1/agreements/{A.AGREEMENT}/dividends",
        {"year": 2025, "amount": A.DIVIDEND, "date": A.DECLARED_ON},
    )
    assert declared["entry"]["lines"][0]["account"] == f"112{A.ENTERPRISE}"
    received = post(
        api,
        f"/v1/agreements/{A.AGREEMENT}/dividend-receipts",
        {"year": 2025, "amount": A.DIVIDEND, "date": A.RECEIVED_ON},
    )
    year = received["agreement"]["by_year"][0]
    assert year == {
        **year,
        "guaranteed": "120000.00",
        "declared": "186000.00",
        "received": "186000.00",
        "due": "186000.00",
        "outstanding": "0.00",
        "in_arrears": "0.00",
    }
    next_year = received["agreement"]["by_year"][1]  # 2026: the guarantee is due on 12-31
    assert (next_year["outstanding"], next_year["in_arrears"]) == ("120000.00", "0.00")


def approve_and_execute(
    api: Api,
    body: dict[str, Any],
    steps: list[dict[str, Any]],
    executed_on: datetime.date,
    result_step: dict[str, Any],
) -> Any:
    code = body["code"]
    plan = post(api, "/v1/plans", body)
    assert plan["state"] == "drafted"
    refused = api.client.post(
        f"/v1/plans/{code}/execution", json={"date": "2026-02-01"}, headers=api.clerk
    )
    assert refused.status_code == 409
    assert "提议" in refused.json()["detail"] and "决议公开" in refused.json()["detail"]
    for step in steps:
        plan = post(api, f"/v1/plans/{code}/steps", step)
    assert [s["step"] for s in plan["steps"]] == ["提议", "商议", "审议", "决议", "决议公开"]
    # issue 20: nobody asked yet, then the one who asked may not execute it
    unasked = api.client.post(
        f"/v1/plans/{code}/execution", json={"date": str(executed_on)}, headers=api.clerk
    )
    assert unasked.status_code == 409
    ask_to_execute(api, code, executed_on)
    own = api.client.post(
        f"/v1/plans/{code}/execution", json={"date": str(executed_on)}, headers=api.admin
    )
    assert own.status_code == 403 and own.json()["type"].endswith("own-request")
    plan = post(api, f"/v1/plans/{code}/execution", {"date": executed_on})
    assert plan["state"] == "executed"
    assert plan["execution_request"]["actor"] == "admin-1"
    return post(api, f"/v1/plans/{code}/steps", result_step)


@pytest.mark.one_store  # the scenario's arithmetic, not storage
def test_scenario_a_to_the_fen(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)

    plan = approve_and_execute(
        api, A.ALLIANCE_PLAN_BODY, A.ALLIANCE_STEPS, A.ALLIANCE_EXECUTED_ON, A.ALLIANCE_RESULT_STEP
    )
    result = plan["result"]
    assert result["deductions"] == [{"name": "管理费", "percent": "2", "amount": "3720.00"}]
    assert result["distributable"] == "182280.00"
    assert {t["name"]: t["amount"] for t in result["tiers"]} == {
        "保底收益": "90000.00",
        "按权重分配": "92280.00",
    }
    lines = {line["code"]: line for line in plan["lines"]}
    for village, total in A.EXPECTED_VILLAGE_TOTALS.items():
        assert lines[village]["total"] == total
        for tier, amounts in A.EXPECTED_TIERS.items():
            assert lines[village]["tiers"][tier] == amounts[village]
    assert {t["name"]: t.get("weights") for t in result["tiers"]}["按权重分配"] == {
        "V01": "0.443043",
        "V02": "0.225797",
        "V03": "0.331159",
    }
    assert plan["rule"]["parties"][0]["bases"] == {
        "capital": "600000.00",
        "land": "500",
        "population": "1200",
        "households": "400",
    }
    assert [s["step"] for s in plan["steps"]][-1] == "实施结果公开"

    joint = trial_balance(api, A.JOINT)
    assert joint["32201"]["closing_debit"] == "182280.00"
    assert joint["502"]["closing_credit"] == "186000.00"
    assert joint["102"]["closing_debit"] == "3720.00"
    receipts = {}
    for village, total in A.EXPECTED_VILLAGE_TOTALS.items():
        books = trial_balance(api, village)
        assert books["502"]["closing_credit"] == total
        assert books[f"141{A.JOINT}"]["closing_debit"] == A.CONTRIBUTIONS[village][0]
        receipts[village] = books["502"]["closing_credit"]
    assert sum(int(v.replace(".", "")) for v in receipts.values()) == 18228000  # fen

    register_members(api)
    plan = approve_and_execute(
        api,
        A.HOUSEHOLD_PLAN_BODY,
        A.HOUSEHOLD_STEPS,
        A.HOUSEHOLD_EXECUTED_ON,
        A.HOUSEHOLD_RESULT_STEP,
    )
    assert plan["result"]["deductions"] == [
        {"name": "公积公益金", "percent": "10", "amount": "6055.94"},
        {"name": "福利费", "percent": "5", "amount": "3027.97"},
    ]
    assert plan["result"]["distributable"] == "51475.48"
    assert {line["code"]: line["total"] for line in plan["lines"]} == A.EXPECTED_HOUSEHOLDS
    assert all("*" in line["name"] for line in plan["lines"])  # heads' names are masked
    v03 = trial_balance(api, "V03")
    assert v03["311"]["credit"] == "6055.94"
    assert v03["211FL"]["closing_credit"] == "3027.97"
    assert v03["32201"]["closing_debit"] == "60559.39"
    assert v03["211H06"]["debit"] == v03["211H06"]["credit"] == "5298.95"
    assert v03["102"]["closing_debit"] == "229083.91"  # 720000 − 500000 + 60559.39 − 51475.48


def register_members(api: Api) -> None:
    post(api, "/v1/villages/V03/register", {"share_kinds": A.SHARE_KINDS})
    for number in A.HOUSEHOLDS:
        post(
            api,
            "/v1/villages/V03/households",
            {"number": number, "head": A.household_head(number), "registered_on": A.REGISTERED_ON},
        )
    for member in A.members():
        post(api, "/v1/villages/V03/members", member)
    register = get(api, "/v1/villages/V03/members", as_of="2026-01-15")
    totals = {h["number"]: h["total_shares"] for h in register["households"]}
    assert totals["H06"] == "3.5" and totals["H05"] == "6"
    assert all("*" in m["id_number"] for h in register["households"] for m in h["members"])
