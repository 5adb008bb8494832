"""The contract of ``api.routes.book_setup``: 建账 from the rows of a 科目余额表."""

import pytest

from api.routes.book_setup import EXAMPLE, router
from tests import builders
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_book_setup_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    fresh = builders.village(scenario_a_api.runtime.app, opening=None)  # books to set up
    path = "/v1/entities/{code}/setup"
    valid: list[Call] = [
        Call("POST", path, {"code": fresh}, EXAMPLE),  # a dry run
        Call("POST", path, {"code": fresh}, {**EXAMPLE, "dry_run": False}),
    ]
    # generated requests meet V01, whose books are kept already (refused, 409)
    assert check_router(scenario_a_api, router, names={"code": "V01"}, valid=valid) == 1
