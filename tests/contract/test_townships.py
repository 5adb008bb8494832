"""The contract of ``api.routes.townships``: a township's settings."""

import pytest

from api.routes.townships import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

TOWNSHIP = {"township": "唐坊镇"}


def test_townships_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid = [
        Call("GET", "/v1/townships/{township}/settings", TOWNSHIP),
        Call(
            "POST",
            "/v1/townships/{township}/settings",
            TOWNSHIP,
            {"numbering": "yearly", "review_posts": True},
        ),
        Call(
            "POST",
            "/v1/townships/{township}/settings",
            TOWNSHIP,
            {"numbering": "monthly", "review_posts": False, "words": "split"},
        ),
        Call("GET", "/v1/townships/{township}/settings", TOWNSHIP),
        Call(
            "POST",
            "/v1/townships/{township}/signers",
            TOWNSHIP,
            {"supervisor": "赵国庆", "cashiers": {"V01": "仉春燕"}},
        ),
    ]
    assert check_router(scenario_a_api, router, names=TOWNSHIP, valid=valid) == 3
