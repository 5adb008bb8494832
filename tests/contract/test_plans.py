"""The contract of ``api.routes.plans``:
distribution plans: previews, drafts, 四议 steps, execution."""

import pytest

from api.routes.plans import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_plans_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/plans"),
        Call("GET", "/v1/plans/{code}", {"code": "P2025-V03"}),
        Call("GET", "/v1/plans/{code}", {"code": "P2025-HNHM"}),
    ]
    names = {"code": "P2025-V03"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 6
