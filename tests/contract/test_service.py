"""The contract of ``api.routes.service``: ``/healthz`` (alive) and ``/readyz`` (ready)."""

import pytest

from api.routes.service import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_service_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid = [Call("GET", "/healthz"), Call("GET", "/readyz")]
    assert check_router(scenario_a_api, router, names={}, valid=valid, public=True) == 2
