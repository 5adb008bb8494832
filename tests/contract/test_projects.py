"""The contract of ``api.routes.projects``: jointly built projects (联建项目)."""

import pytest

from api.routes.projects import router
from tests.assets_world import PROJECT, cold_store
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_projects_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    cold_store(scenario_a_api.runtime.app)
    scenario_a_api.runtime.views.catch_up()
    names = {"code": PROJECT}
    valid = [
        Call("GET", "/v1/projects"),
        Call("GET", "/v1/projects", query={"township": "唐坊镇"}),
        Call("GET", "/v1/projects/{code}", names),
        Call("GET", "/v1/projects/{code}/statement", names, query={"period": "2026"}),
        Call(
            "POST",
            "/v1/projects",
            body={
                "code": "XM-C",
                "entity": "J01",
                "name": "晾晒场",
                "kind": "facility",
                "budget": {"硬化": "20000.00"},
                "funding": [{"kind": "own", "source": "联合社自有资金", "amount": "20000.00"}],
                "planned_on": "2026-05-01",
            },
        ),
        Call(
            "POST",
            "/v1/projects/{code}/steps",
            {"code": "XM-C"},
            {"step": "提议", "date": "2026-05-02", "body": "联合社理事会"},
        ),
        Call(
            "POST",
            "/v1/projects/{code}/income",
            names,
            {"date": "2026-05-10", "kind": "other", "amount": "300.00", "memo": "服务费"},
        ),
    ]
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 8
