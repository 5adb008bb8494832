"""The contract of ``api.routes.entities``:
books: entities, entries, closing, accounts, year-end closings."""

import pytest

from api.routes.entities import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

V01 = {"code": "V01"}


def test_entities_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/entities"),
        Call("GET", "/v1/entities/{code}", V01),
        Call("GET", "/v1/entities/{code}/entries", V01),
        Call("GET", "/v1/entities/{code}/entries/{number}", {"code": "V01", "number": "2025-0001"}),
        Call("GET", "/v1/entities/{code}/trial-balance", V01, query={"month": "2025-12"}),
        Call("GET", "/v1/entities/{code}/accounts", V01),
        Call("GET", "/v1/entities/{code}/year-end-closings", V01),
        Call(
            "POST",
            "/v1/entities/{code}/entries",
            V01,
            {
                "date": "2026-03-12",
                "memo": "支付村道维修款",
                "postings": [
                    {"account": "514", "side": "debit", "amount": "8600.00"},
                    {"account": "102", "side": "credit", "amount": "8600.00"},
                ],
            },
        ),
    ]
    names = {"code": "V01", "number": "2025-0001"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 18
