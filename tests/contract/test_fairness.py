"""The contract of ``api.routes.fairness``: fairness comparisons of a plan."""

import pytest

from api.routes.fairness import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_fairness_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = []
    names = {"code": "P2025-HNHM"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 3
