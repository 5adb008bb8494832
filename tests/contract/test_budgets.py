"""The contract of ``api.routes.budgets``: financial plans (财务计划) proposed, approved through
四议两公开, revised, compared with the books, and a voucher's warnings."""

from typing import Any

import pytest

from api.routes.budgets import router
from tests.contract.contract import Call, check_router
from tests.contract.test_voucher_corrections import voucher
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

PLAN = {"entity": "V01", "year": "2026"}
LINES: list[dict[str, Any]] = [
    {"accounts": ["501"], "amount": "120000.00"},
    {"name": "管理费用", "accounts": ["513"], "amount": "500.00"},
]
VOTE = {"expected": 7, "present": 7, "votes_for": 7, "votes_against": 0, "abstentions": 0}
STEPS: list[dict[str, Any]] = [
    {"step": "提议", "date": "2026-02-02", "body": "村党支部"},
    {"step": "商议", "date": "2026-02-03", "body": "村两委", **VOTE},
    {"step": "审议", "date": "2026-02-04", "body": "党员大会", **VOTE},
    {
        "step": "决议",
        "date": "2026-02-05",
        "body": "村民代表会议",
        "assembly": "representatives",
        **VOTE,
    },
    {"step": "决议公开", "date": "2026-02-06", "body": "村委会", "place": "村务公开栏"},
]


def test_budgets_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    draft = voucher(scenario_a_api, scenario_a_api.admin)  # 513 ¥860.00: past a plan of ¥500.00
    valid = [
        Call(
            "POST",
            "/v1/budgets",
            body={"entity": "V01", "year": 2026, "lines": LINES, "proposed_on": "2026-02-01"},
        ),
        *(Call("POST", "/v1/budgets/{entity}/{year}/steps", PLAN, step) for step in STEPS),
        Call("GET", "/v1/budgets"),
        Call("GET", "/v1/budgets", query={"entity": "V01", "year": "2026"}),
        Call("GET", "/v1/budgets/{entity}/{year}", PLAN),
        Call("GET", "/v1/budgets/{entity}/{year}/comparison", PLAN),
        Call("GET", "/v1/budgets/{entity}/{year}/comparison", PLAN, query={"through": "2026-03"}),
        Call("GET", "/v1/vouchers/{draft}/budget-warnings", {"draft": draft}),
        Call(
            "POST",
            "/v1/budgets/{entity}/{year}/revisions",
            PLAN,
            {"lines": LINES, "proposed_on": "2026-03-01", "reason": "调整管理费用"},
        ),
    ]
    names = {**PLAN, "draft": draft}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 7
    warnings = scenario_a_api.client.get(
        f"/v1/vouchers/{draft}/budget-warnings", headers=scenario_a_api.admin
    ).json()
    assert [w["text"] for w in warnings] == [
        "超出财务计划：管理费用 计划 ¥500.00，已用 ¥0.00，本凭证后 ¥860.00"
    ]
