"""The contract of ``api.routes.members``:
member registers: households, members, shares, leaving, forgetting."""

import pytest

from api.routes.members import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_members_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/villages/{village}/members", {"village": "V03"}),
    ]
    names = {"village": "V03"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 7
