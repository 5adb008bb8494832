"""The contract of ``api.routes.joint``:
the joint entity: capital, land shares and rent, grants, receipts and payments."""

import pytest

from api.routes.joint import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_joint_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/joint-entities/{joint}/equity", {"joint": "J01"}),
    ]
    names = {"joint": "J01", "code": "V01"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 9
