"""The contract of ``api.routes.agreements``: enterprise agreements and their dividends."""

import pytest

from api.routes.agreements import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_agreements_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/agreements"),
        Call("GET", "/v1/agreements/{code}", {"code": "NLD-2025"}),
    ]
    names = {"code": "NLD-2025"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 7
