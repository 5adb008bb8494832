"""The contract of ``api.routes.plans``:
distribution plans: previews, drafts, 四议 steps, execution."""

import datetime

import pytest

from api.routes.plans import router
from scripts import scenario_a as A
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_plans_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    # a plan through 四议两公开, its execution asked for by someone else (issue 20)
    app = scenario_a_api.runtime.app
    app.books.post_entry(  # income to distribute
        entity="V03",
        date=datetime.date(2026, 2, 1),
        memo="租金",
        postings=[
            {"account": "102", "side": "debit", "amount": "500.00"},
            {"account": "504", "side": "credit", "amount": "500.00"},
        ],
        actor="zhidan-x",
    )
    app.plans.draft_plan(
        code="P-ASK",
        title="李孟德村追加分配",
        scope="village",
        target="V03",
        period="2026",
        as_of=datetime.date(2026, 2, 1),
        amount="10.00",
        rule=A.HOUSEHOLD_RULE,
        actor="zhidan-x",
    )
    for i, step in enumerate(A.HOUSEHOLD_STEPS):
        app.plans.record_plan_step(
            code="P-ASK", actor="zhidan-x", **{**step, "date": datetime.date(2026, 2, 2 + i)}
        )
    app.plans.request_execution(code="P-ASK", date=datetime.date(2026, 2, 20), actor="zhidan-x")
    scenario_a_api.runtime.views.catch_up()
    asked = {"code": "P-ASK"}
    valid: list[Call] = [
        Call("GET", "/v1/plans"),
        Call("GET", "/v1/plans/{code}", {"code": "P2025-V03"}),
        Call("GET", "/v1/plans/{code}", {"code": "P2025-HNHM"}),
        Call("GET", "/v1/plans/{code}", asked),
        Call("POST", "/v1/plans/{code}/execution-request/cancellation", asked, {"reason": "改日"}),
        Call("POST", "/v1/plans/{code}/execution-request", asked, {"date": "2026-02-21"}),
        Call("GET", "/v1/plans/{code}", asked),
    ]
    names = {"code": "P2025-V03"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 8
