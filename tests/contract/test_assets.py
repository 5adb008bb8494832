"""The contract of ``api.routes.assets``: asset cards, the monthly run, disposal, leases."""

import pytest

from api.routes.assets import router
from tests.assets_world import CARD, JOINT, LEASE, cold_store
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

BOOK = {"code": JOINT}
CARD_OF = {"code": JOINT, "number": CARD}


def test_assets_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    cold_store(scenario_a_api.runtime.app)
    scenario_a_api.runtime.views.catch_up()
    names = {**CARD_OF, "lease": LEASE, "township": "唐坊镇"}
    valid = [
        Call("GET", "/v1/entities/{code}/assets", BOOK),
        Call("GET", "/v1/entities/{code}/assets/{number}", CARD_OF),
        Call("GET", "/v1/entities/{code}/depreciation-runs", BOOK),
        Call("GET", "/v1/entities/{code}/depreciation", BOOK, query={"period": "2026"}),
        Call("GET", "/v1/entities/{code}/depreciation-preview", BOOK, query={"month": "2026-05"}),
        Call(
            "POST",
            "/v1/entities/{code}/assets",
            {"code": "V02"},
            {
                "terms": {
                    "number": "PC-1",
                    "name": "喷灌机",
                    "life_months": 60,
                    "original": "800.00",
                },
                "acquisition": "bought",
                "acquired_on": "2026-04-20",
            },
        ),
        Call(
            "POST",
            "/v1/entities/{code}/assets/{number}/leases/{lease}/rent",
            {**CARD_OF, "lease": LEASE},
            {"period": "2026-05", "date": "2026-05-05"},
        ),
        Call(
            "POST",
            "/v1/townships/{township}/depreciation-runs",
            {"township": "唐坊镇"},
            {"month": "2026-05"},
        ),
        Call("POST", "/v1/entities/{code}/depreciation-runs", BOOK, {"month": "2026-05"}),
        Call(
            "POST",
            "/v1/entities/{code}/assets/{number}/leases/{lease}/end",
            {**CARD_OF, "lease": LEASE},
            {"date": "2026-05-31", "reason": "承租人退租"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/assets/{number}/leases",
            CARD_OF,
            {
                "lease": "ZL-C",
                "lessee": "高青县某合作社",
                "rent": "600.00",
                "start": "2027-07-01",
                "end": "2028-06-30",
            },
        ),
        Call(
            "POST",
            "/v1/entities/{code}/assets/{number}/disposal",
            {"code": "V01", "number": "JQ-T"},
            {"date": "2026-05-31", "kind": "scrap", "costs": "50.00"},
        ),
    ]
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 12
