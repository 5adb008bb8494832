"""The contract of ``api.routes.voucher_numbers``: the number a voucher has or would take."""

import pytest

from api.routes.voucher_numbers import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_voucher_numbers_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    drafted = scenario_a_api.client.post(
        "/v1/entities/V01/vouchers",
        headers=scenario_a_api.admin,
        json={
            "date": "2026-03-12",
            "summary": "支付村道维修款",
            "lines": [
                {"account": "514", "debit": "8600.00", "memo": "村道维修"},
                {"account": "102", "credit": "8600.00"},
            ],
        },
    )
    assert drafted.status_code == 201, drafted.text
    draft = drafted.json()["draft"]
    valid = [
        Call("GET", "/v1/vouchers/{draft}/number", {"draft": draft}),
        Call(
            "GET", "/v1/entities/{code}/next-number", {"code": "V01"}, query={"date": "2026-03-12"}
        ),
        Call(
            "GET",
            "/v1/entities/{code}/next-number",
            {"code": "V01"},
            query={"date": "2026-03-12", "debit": "102", "credit": "501", "word": "收"},
        ),
    ]
    names = {"code": "V01", "draft": draft}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 2
