"""Distribution as a rural accountant expects it (issue 9.8), through the HTTP API on SQLite and
PostgreSQL: membership counted by days, corrections that leave paid cash alone, the quorum of
决议, the merged 商议 label, the 保底 shortfall as a receivable, and earmarked money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from scripts import scenario_a as A
from tests.e2e.conftest import Api, ask_to_execute
from tests.e2e.test_scenario_a import (
    approve_and_execute,
    enterprise_pays,
    get,
    jsonable,
    pool_capital_and_land,
    post,
    register_members,
    set_up_alliance,
    trial_balance,
)

# domain rules and refusals over HTTP, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

EQUAL_RULE: dict[str, Any] = {"tiers": [{"name": "平均", "kind": "equal"}]}


def attempt(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(path, json=jsonable(body), headers=api.clerk)


def events(api: Api) -> int:
    return api.runtime.views.head()


def alliance_paid(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)


def test_a_village_that_left_during_the_period_gets_its_days_share(api: Api) -> None:
    alliance_paid(api)
    # 和店村 leaves on 18 September 2025: a member 1 January – 17 September, 260 of 365 days
    post(
        api,
        f"/v1/alliances/{A.ALLIANCE}/villages/V02/leave",
        {"date": "2025-09-18", "reason": "并入邻镇联村"},
        status=200,
    )
    body = {**A.ALLIANCE_PLAN_BODY, "code": "P-LEFT", "rule": EQUAL_RULE}
    plan = post(api, "/v1/plans", body)
    parties = {p["code"]: p for p in plan["rule"]["parties"]}
    assert set(parties) == {"V01", "V02", "V03"}
    assert parties["V02"]["period_share"] == "0.712329"
    assert "period_share" not in parties["V01"]
    assert parties["V02"]["bases"]["capital"] == "284931.51"  # 400,000.00 × 260/365
    totals = {line["code"]: line["total"] for line in plan["lines"]}
    # 186,000.00 in parts 1 : 0.712329 : 1 (Σ 2.712329)
    assert totals == {"V01": "68575.75", "V02": "48848.50", "V03": "68575.75"}
    statement = get(api, "/v1/plans/P-LEFT/statement")
    lines = {line["code"]: line for line in statement["lines"]}
    assert lines["V02"]["membership"] == "入盟 260 天 / 365 天"
    assert "membership" not in lines["V01"]
    for step in A.ALLIANCE_STEPS:
        post(api, "/v1/plans/P-LEFT/steps", step)
    ask_to_execute(api, "P-LEFT", A.ALLIANCE_EXECUTED_ON)
    executed = post(api, "/v1/plans/P-LEFT/execution", {"date": A.ALLIANCE_EXECUTED_ON})
    assert executed["state"] == "executed"
    assert trial_balance(api, "V02")["502"]["closing_credit"] == "48848.50"  # still paid to it
    page = api.client.get("/public/plans/P-LEFT")
    assert page.status_code == 200 and "入盟 260 天 / 365 天" in page.text


def test_a_household_whose_members_left_gets_its_days_share(api: Api) -> None:
    alliance_paid(api)
    approve_and_execute(
        api, A.ALLIANCE_PLAN_BODY, A.ALLIANCE_STEPS, A.ALLIANCE_EXECUTED_ON, A.ALLIANCE_RESULT_STEP
    )
    register_members(api)
    # H08 has one member, who leaves on 1 July 2025: 181 of 365 days
    post(
        api,
        "/v1/villages/V03/members/H08-1/leave",
        {"date": "2025-07-01", "reason": "迁出"},
        status=200,
    )
    plan = post(api, "/v1/plans", {**A.HOUSEHOLD_PLAN_BODY, "code": "P-H-LEFT"})
    parties = {p["code"]: p for p in plan["rule"]["parties"]}
    assert parties["H08"]["period_share"] == "0.49589"
    assert parties["H08"]["bases"]["人口股"] == "0.49589"
    assert len(parties) == 10
    totals = {line["code"]: line["total"] for line in plan["lines"]}
    assert Decimal(0) < Decimal(totals["H08"]) < Decimal(A.EXPECTED_HOUSEHOLDS["H08"])
    statement = get(api, "/v1/plans/P-H-LEFT/statement")
    assert {line["code"]: line.get("membership") for line in statement["lines"]}["H08"] == (
        "在册 181 天 / 365 天"
    )


def household_correction(api: Api) -> dict[str, Any]:
    return {
        **A.HOUSEHOLD_PLAN_BODY,
        "code": "P2025-V03-FIX",
        "title": "更正：李孟德村按户平均分配",
        "supersedes": A.HOUSEHOLD_PLAN,
        "rule": {**A.HOUSEHOLD_RULE, "tiers": [{"name": "按户平均", "kind": "equal"}]},
    }


def later(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**step, "date": step["date"].replace(month=2)} for step in steps]


def test_a_correction_keeps_the_cash_households_received(api: Api) -> None:
    alliance_paid(api)
    approve_and_execute(
        api, A.ALLIANCE_PLAN_BODY, A.ALLIANCE_STEPS, A.ALLIANCE_EXECUTED_ON, A.ALLIANCE_RESULT_STEP
    )
    register_members(api)
    approve_and_execute(
        api,
        A.HOUSEHOLD_PLAN_BODY,
        A.HOUSEHOLD_STEPS,
        A.HOUSEHOLD_EXECUTED_ON,
        A.HOUSEHOLD_RESULT_STEP,
    )
    bank = trial_balance(api, "V03")["102"]["closing_debit"]
    assert bank == "229083.91"
    post(api, "/v1/plans", household_correction(api))
    for step in later(A.HOUSEHOLD_STEPS):
        post(api, "/v1/plans/P2025-V03-FIX/steps", step)
    ask_to_execute(api, "P2025-V03-FIX", "2026-02-28")
    fixed = post(api, "/v1/plans/P2025-V03-FIX/execution", {"date": "2026-02-28"})
    assert fixed["state"] == "executed"
    old = get(api, f"/v1/plans/{A.HOUSEHOLD_PLAN}")
    assert old["state"] == "superseded"
    assert [e["kind"] for e in old["entries"]].count("reversal") == 1  # the declaration only
    books = trial_balance(api, "V03")
    assert books["102"]["closing_debit"] == bank  # no cash came back from the households
    # 51,475.48 in ten equal parts: 5,147.55 for H01–H08, 5,147.54 for H09 and H10
    corrections = {c["code"]: c for c in fixed["corrections"]}
    assert corrections["H05"] == {
        **corrections["H05"],
        "old": "9083.91",
        "new": "5147.55",
        "difference": "-3936.36",
        "account": "112H05",
    }
    assert corrections["H08"]["difference"] == "3633.56"  # 5,147.55 − 1,513.99, still owed
    assert corrections["H08"]["account"] == "211H08"
    assert books["211H08"]["closing_credit"] == "3633.56"
    assert books["112H05"]["closing_debit"] == "3936.36"
    assert books.get("211H05", {}).get("closing_debit", "0.00") in ("0.00", None)
    statement = get(api, "/v1/plans/P2025-V03-FIX/statement")
    assert {c["code"]: c["new"] for c in statement["corrections"]}["H10"] == "5147.54"
    page = api.client.get("/public/plans/P2025-V03-FIX")
    assert page.status_code == 200
    assert "应收款（多付，待收回）" in page.text and "-¥3,936.36" in page.text


def test_correcting_an_alliance_plan_after_a_village_paid_its_households(api: Api) -> None:
    alliance_paid(api)
    approve_and_execute(
        api, A.ALLIANCE_PLAN_BODY, A.ALLIANCE_STEPS, A.ALLIANCE_EXECUTED_ON, A.ALLIANCE_RESULT_STEP
    )
    register_members(api)
    approve_and_execute(
        api,
        A.HOUSEHOLD_PLAN_BODY,
        A.HOUSEHOLD_STEPS,
        A.HOUSEHOLD_EXECUTED_ON,
        A.HOUSEHOLD_RESULT_STEP,
    )
    correction = {
        **A.ALLIANCE_PLAN_BODY,
        "code": "P2025-FIX",
        "supersedes": A.ALLIANCE_PLAN,
        "title": "更正：各村平均",
        "rule": {"deductions": A.ALLIANCE_RULE["deductions"], **EQUAL_RULE},
    }
    post(api, "/v1/plans", correction)
    for step in later(A.ALLIANCE_STEPS):
        post(api, "/v1/plans/P2025-FIX/steps", step)
    ask_to_execute(api, "P2025-FIX", "2026-02-20")
    before = events(api)
    refused = attempt(api, "/v1/plans/P2025-FIX/execution", {"date": "2026-02-20"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["field"] == "acknowledge_paid_villages"
    assert "V03" in refused.json()["detail"] and "V01" not in refused.json()["detail"]
    assert events(api) == before
    fixed = post(
        api,
        "/v1/plans/P2025-FIX/execution",
        {"date": "2026-02-20", "acknowledge_paid_villages": True},
    )
    assert fixed["state"] == "executed"
    # 182,280.00 equally: 60,760.00 each; V01 received 76,884.05 (to recover through 113),
    # V02 44,836.56 (owed 15,923.44 on 211V02), V03 60,559.39 (owed 200.61)
    joint = trial_balance(api, A.JOINT)
    assert joint["113V01"]["closing_debit"] == "16124.05"
    assert joint["211V02"]["closing_credit"] == "15923.44"
    assert joint["102"]["closing_debit"] == "3720.00"  # no cash moved
    v01, v02 = trial_balance(api, "V01"), trial_balance(api, "V02")
    assert v01["113J01"]["closing_credit"] == "16124.05"
    assert v01["502"]["closing_credit"] == "60760.00"
    assert v02["113J01"]["closing_debit"] == "15923.44"
    assert v02["502"]["closing_credit"] == "60760.00"

    # correcting the correction back to the first rule nets every difference to nothing
    post(
        api, "/v1/plans", {**A.ALLIANCE_PLAN_BODY, "code": "P2025-FIX2", "supersedes": "P2025-FIX"}
    )
    for step in A.ALLIANCE_STEPS:
        post(api, "/v1/plans/P2025-FIX2/steps", {**step, "date": step["date"].replace(month=3)})
    ask_to_execute(api, "P2025-FIX2", "2026-03-20")
    post(api, "/v1/plans/P2025-FIX2/execution", {"date": "2026-03-20"})
    joint = trial_balance(api, A.JOINT)
    for account in ("113V01", "211V01", "211V02", "211V03"):
        assert joint[account]["closing_debit"] == joint[account]["closing_credit"] == "0.00"
    assert joint["32201"]["closing_debit"] == "182280.00"
    for village, total in A.EXPECTED_VILLAGE_TOTALS.items():
        books = trial_balance(api, village)
        assert books["502"]["closing_credit"] == total
        assert books["113J01"]["closing_debit"] == books["113J01"]["closing_credit"] == "0.00"


def resolution(**changes: Any) -> dict[str, Any]:
    return {**A.ALLIANCE_STEPS[3], **changes}


def test_a_resolution_needs_its_quorum(api: Api) -> None:
    alliance_paid(api)
    for code in ("P-Q1", "P-Q2", "P-Q3"):
        post(api, "/v1/plans", {**A.ALLIANCE_PLAN_BODY, "code": code})
        for step in A.ALLIANCE_STEPS[:3]:
            post(api, f"/v1/plans/{code}/steps", step)
    villagers = {"assembly": "villagers", "body": "三村村民会议", "expected": 2400}
    before = events(api)
    missing = attempt(api, "/v1/plans/P-Q1/steps", resolution(**villagers, present=1300))
    assert missing.status_code == 422, missing.text
    assert missing.json()["field"] == "adult_villagers"
    assert "本村十八周岁以上村民数" in missing.json()["detail"]
    assert events(api) == before
    low = post(
        api,
        "/v1/plans/P-Q1/steps",
        resolution(**villagers, present=1200, votes_for=1100, adult_villagers=2400),
    )
    assert low["state"] == "rejected" and "no quorum" in low["rejection"]
    assert [s["step"] for s in low["steps"]][-1] == "决议"  # the vote is recorded
    households = post(
        api,
        "/v1/plans/P-Q2/steps",
        resolution(
            **villagers,
            present=700,
            votes_for=650,
            adult_villagers=2400,
            households=990,
            households_present=660,
        ),
    )
    assert households["state"] == "drafted"  # two thirds of the households were there
    reps = post(
        api,
        "/v1/plans/P-Q3/steps",
        resolution(present=29, votes_for=29, votes_against=0, abstentions=0),
    )
    assert reps["state"] == "rejected"
    assert "29 of 45 representatives present" in reps["rejection"]


def test_a_merged_consultation_prints_after_the_proposal(api: Api) -> None:
    alliance_paid(api)
    post(api, "/v1/plans", A.ALLIANCE_PLAN_BODY)
    merged = {**A.ALLIANCE_STEPS[1], "step": "提议", "merged": True, "body": "联村党委（两委合一）"}
    post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", merged)
    for step in A.ALLIANCE_STEPS[2:]:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    statement = get(api, f"/v1/plans/{A.ALLIANCE_PLAN}/statement")
    labels = [s.get("label", s["step"]) for s in statement["steps"]]
    assert labels == ["提议（与商议合并）", "审议", "决议", "决议公开"]
    page = api.client.get(f"/public/plans/{A.ALLIANCE_PLAN}")
    assert page.status_code == 200
    assert "提议（与商议合并）" in page.text and "商议（与提议合并）" not in page.text


def test_a_guarantee_shortfall_is_booked_as_a_receivable(api: Api) -> None:
    set_up_alliance(api)
    post(api, "/v1/agreements", A.AGREEMENT_TERMS)  # 保底 8% of 1,500,000.00 = 120,000.00
    dividends = f"/v1/agreements/{A.AGREEMENT}/dividends"
    shortfalls = f"/v1/agreements/{A.AGREEMENT}/guarantee-shortfalls"
    post(api, dividends, {"year": 2025, "amount": "100000.00", "date": "2025-12-20"})
    before = events(api)
    early = attempt(api, shortfalls, {"year": 2025, "date": "2025-12-30"})
    assert early.status_code == 422 and "falls due on 2025-12-31" in early.json()["detail"]
    assert events(api) == before
    booked = post(api, shortfalls, {"year": 2025, "date": "2025-12-31"})
    lines = {(line["account"], line["side"]): line["amount"] for line in booked["entry"]["lines"]}
    assert lines == {(f"112{A.ENTERPRISE}", "debit"): "20000.00", ("502", "credit"): "20000.00"}
    joint = trial_balance(api, A.JOINT)
    assert joint[f"112{A.ENTERPRISE}"]["closing_debit"] == "120000.00"  # on the balance sheet
    assert joint["502"]["closing_credit"] == "120000.00"
    again = attempt(api, shortfalls, {"year": 2025, "date": "2026-01-05"})
    assert again.status_code == 409 and "no shortfall" in again.json()["detail"]
    nothing_above = attempt(
        api, dividends, {"year": 2025, "amount": "10000.00", "date": "2026-01-06"}
    )
    assert nothing_above.status_code == 409
    above = post(api, dividends, {"year": 2025, "amount": "30000.00", "date": "2026-01-06"})
    assert above["entry"]["lines"][0]["amount"] == "10000.00"  # 130,000 declared, 120,000 booked
    received = post(
        api,
        f"/v1/agreements/{A.AGREEMENT}/dividend-receipts",
        {"year": 2025, "amount": "130000.00", "date": "2026-01-10"},
    )
    assert received["entry"]["lines"][0]["amount"] == "130000.00"
    assert f"112{A.ENTERPRISE}" not in trial_balance(api, A.JOINT) or trial_balance(api, A.JOINT)[
        f"112{A.ENTERPRISE}"
    ]["closing_debit"] in ("0.00", None)


def test_earmarked_grant_money_cannot_be_distributed(api: Api) -> None:
    alliance_paid(api)  # the joint entity holds the 186,000.00 dividend
    post(
        api,
        f"/v1/joint-entities/{A.JOINT}/grants",
        {"programme": "XCZX", "amount": "50000.00", "date": "2025-12-29", "memo": "示范片区奖补"},
    )
    post(
        api,
        f"/v1/entities/{A.JOINT}/payments",
        {"date": "2025-12-30", "amount": "20000.00", "account": "121", "memo": "购饲料入库"},
    )
    # the bank holds 216,000.00, enough for the 182,280.00 the plan pays out, but 50,000.00 of
    # it is the grant: only 166,000.00 is free to distribute
    post(api, "/v1/plans", A.ALLIANCE_PLAN_BODY)
    for step in A.ALLIANCE_STEPS:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    before = events(api)
    refused = attempt(  # asking checks what the execution would post
        api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution-request", {"date": A.ALLIANCE_EXECUTED_ON}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "urn:lianzhang:problem:over-distribution"
    assert "241 专项应付款" in refused.json()["detail"]
    assert (refused.json()["available"], refused.json()["requested"]) == (
        "166000.00",
        "182280.00",
    )
    assert events(api) == before
    assert trial_balance(api, A.JOINT)["241XCZX"]["closing_credit"] == "50000.00"


def test_earmarked_grant_money_leaves_only_with_its_earmark(api: Api) -> None:
    """Ordinary payments and raw entries spend only the cash that is not earmarked; an entry
    that lowers the programme's 241 by as much may spend it (issue 9.8)."""
    alliance_paid(api)  # the joint entity holds the 186,000.00 dividend
    post(
        api,
        f"/v1/joint-entities/{A.JOINT}/grants",
        {"programme": "XCZX", "amount": "50000.00", "date": "2025-12-29", "memo": "示范片区奖补"},
    )
    bank = trial_balance(api, A.JOINT)["102"]["closing_debit"]
    free = Decimal(bank) - Decimal("50000.00")
    before = events(api)
    refused = attempt(
        api,
        f"/v1/entities/{A.JOINT}/payments",
        {"date": "2025-12-30", "amount": f"{free + 1:.2f}", "account": "121", "memo": "购饲料"},
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:lianzhang:problem:earmarked-cash"
    assert "241 专项应付款" in problem["detail"]
    assert (problem["available"], problem["requested"]) == (f"{free:.2f}", f"{free + 1:.2f}")
    raw = attempt(
        api,
        f"/v1/entities/{A.JOINT}/entries",
        {
            "date": "2025-12-30",
            "memo": "购饲料",
            "postings": [
                {"account": "121", "side": "debit", "amount": f"{free + 1:.2f}"},
                {"account": "102", "side": "credit", "amount": f"{free + 1:.2f}"},
            ],
        },
    )
    assert raw.status_code == 422 and "241 专项应付款" in raw.json()["detail"], raw.text
    assert events(api) == before
    # the free cash can go; then the grant is spent for its programme (an asset under
    # construction, the earmark turned into 公积公益金 in the same voucher)
    post(
        api,
        f"/v1/entities/{A.JOINT}/payments",
        {"date": "2025-12-30", "amount": f"{free:.2f}", "account": "121", "memo": "购饲料"},
    )
    post(
        api,
        f"/v1/entities/{A.JOINT}/entries",
        {
            "date": "2025-12-31",
            "memo": "示范片区牛舍工程（专项资金）",
            "postings": [
                {"account": "153", "side": "debit", "amount": "50000.00"},
                {"account": "102", "side": "credit", "amount": "50000.00"},
                {"account": "241XCZX", "side": "debit", "amount": "50000.00"},
                {"account": "311", "side": "credit", "amount": "50000.00"},
            ],
        },
    )
    closing = trial_balance(api, A.JOINT)
    assert closing["102"]["closing_debit"] == "0.00"
    assert closing["241XCZX"]["closing_credit"] == "0.00"
