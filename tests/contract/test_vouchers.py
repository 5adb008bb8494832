"""The contract of ``api.routes.vouchers``: vouchers: 制单, 审核, attachments, prints."""

import pytest

from api.routes.vouchers import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

V01 = {"code": "V01"}


def test_vouchers_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/vouchers"),
        Call("GET", "/v1/entities/{code}/vouchers", V01),
        Call(
            "GET",
            "/v1/entities/{code}/entries/{number}/print.pdf",
            {"code": "V01", "number": "2025-0001"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/vouchers",
            V01,
            {
                "date": "2026-03-12",
                "summary": "支付村道维修款",
                "lines": [
                    {"account": "514", "debit": "8600.00", "memo": "村道维修"},
                    {"account": "102", "credit": "8600.00"},
                ],
            },
        ),
    ]
    names = {"code": "V01"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 13
