"""The contract of ``api.routes.public``: the public pages (三公开): sheets, plans, households."""

import pytest

from api.routes.public import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_public_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/public"),
        Call("GET", "/public/plans/{code}", {"code": "P2025-V03"}),
        Call("GET", "/public/plans/{code}.pdf", {"code": "P2025-V03"}),
    ]
    names = {"code": "P2025-V03", "village": "V03", "period": "2026-Q1"}
    assert check_router(scenario_a_api, router, names=names, valid=valid, public=True) == 6
