"""The contract of ``api.routes.audit``: the auditor's fingerprint, verify and trail."""

import pytest

from api.routes.audit import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_audit_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call("GET", "/v1/audit/fingerprint"),
        Call("GET", "/v1/audit/verify"),
        Call("GET", "/v1/audit/trail"),
    ]
    names = {}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 3
