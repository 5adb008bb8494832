"""The contract of ``api.routes.alliances``: alliances, their villages, enterprises and joint
entity, village registration."""

import pytest

from api.routes.alliances import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

VILLAGE = {
    "code": "V09",
    "name": "新村",
    "township": "唐坊镇",
    "county": "高青县",
    "population": 300,
    "households": 90,
}
HNHM = {"code": "HNHM"}


def test_alliances_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid = [
        Call("GET", "/v1/alliances"),
        Call("GET", "/v1/alliances/{code}", HNHM),
        Call("POST", "/v1/villages", body=VILLAGE),
        Call(
            "POST", "/v1/alliances/{code}/villages", HNHM, {"village": "V09", "date": "2026-01-05"}
        ),
        Call(
            "POST",
            "/v1/alliances/{code}/enterprises",
            HNHM,
            {"code": "E09", "name": "新企业", "date": "2026-01-06"},
        ),
        Call(
            "POST",
            "/v1/alliances/{code}/villages/{village}/leave",
            {"code": "HNHM", "village": "V09"},
            {"date": "2026-02-01", "reason": "村委会决议退出"},
        ),
    ]
    assert check_router(scenario_a_api, router, names=HNHM, valid=valid) == 8
