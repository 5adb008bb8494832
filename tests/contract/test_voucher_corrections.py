"""The contract of ``api.routes.voucher_corrections``: 作废, 红字冲销 and 更正凭证 of a voucher."""

from typing import Any

import pytest

from api.routes.voucher_corrections import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

DAY = "2026-11-20"  # the tests' today is 2026-11-23; Scenario A's November is open


def voucher(api: Api, headers: dict[str, str], amount: str = "860.00") -> str:
    response = api.client.post(
        "/v1/entities/V01/vouchers",
        json={
            "date": DAY,
            "summary": "支付电费",
            "lines": [
                {"account": "513", "debit": amount},
                {"account": "102", "credit": amount},
            ],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    draft: str = response.json()["draft"]
    return draft


def posted(api: Api) -> str:
    """A voucher the clerk prepared, the administrator reviewed and the clerk posted (审核 and
    记账 apart; the contract calls as the administrator)."""
    draft = voucher(api, api.clerk)
    for step, headers in (("submit", api.clerk), ("approve", api.admin), ("post", api.clerk)):
        answer = api.client.post(f"/v1/vouchers/{draft}/{step}", headers=headers)
        assert answer.status_code == 200, answer.text
    return draft


def test_voucher_corrections_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    api = scenario_a_api
    reversed_one, corrected_one = posted(api), posted(api)
    voided_one = voucher(api, api.admin)  # 作废 is its preparer's
    correction: dict[str, Any] = {
        "date": DAY,
        "summary": "更正电费",
        "lines": [{"account": "513", "debit": "680.00"}, {"account": "102", "credit": "680.00"}],
    }
    valid = [
        Call(
            "POST",
            "/v1/vouchers/{draft}/reversal",
            {"draft": reversed_one},
            {"date": DAY, "reason": "金额录错"},
        ),
        Call("POST", "/v1/vouchers/{draft}/correction", {"draft": corrected_one}, correction),
        Call("POST", "/v1/vouchers/{draft}/void", {"draft": voided_one}, {"reason": "重复录入"}),
    ]
    assert check_router(api, router, names={}, valid=valid) == 3
