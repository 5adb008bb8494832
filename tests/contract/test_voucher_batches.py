"""The contract of ``api.routes.voucher_batches``: books: voucher files posted in one batch."""

import pytest

from api.routes.voucher_batches import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_voucher_batches_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = []
    names = {"code": "V01"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 1
