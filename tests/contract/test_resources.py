"""The contracts of ``api.routes.resources``, ``api.routes.contracts`` and
``api.routes.public_resources``: the 资源 and 经济合同 registers and a resource's public page."""

import datetime

import pytest

from api.routes.contracts import router as contracts_router
from api.routes.public_resources import router as public_router
from api.routes.resources import router as resources_router
from domain.privacy import with_check_digit
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

FACTS = {
    "name": "仉家东洼",
    "kind": "cropland",
    "area": "520",
    "location": "村东",
    "boundaries": {"east": "乡道", "north": "小清河"},
    "certificates": [
        {"name": "集体土地所有权证", "number": "鲁集(2012)0031", "issued_on": "2012-06-01"}
    ],
}
CONTRACT = {
    "code": "HT-1",
    "title": "东洼耕地发包",
    "kind": "contracting",
    "party": {
        "kind": "person",
        "name": "张建国",
        "id_number": with_check_digit("37032219800101002"),
    },
    "subject": {"kind": "resource", "code": "ZY-1"},
    "area": "20",
    "start": "2025-04-01",
    "end": "2027-03-31",
    "signed_on": "2025-03-20",
    "instalments": [
        {"due_on": "2025-04-01", "amount": "12000.00"},
        {"due_on": "2026-04-01", "amount": "12000.00"},
    ],
}


def test_resources_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    names = {"code": "V01", "resource": "ZY-1"}
    valid = [
        Call(
            "POST",
            "/v1/entities/{code}/resources",
            names,
            {**FACTS, "code": "ZY-1", "date": "2025-01-10"},
        ),
        Call("GET", "/v1/entities/{code}/resources", names),
        Call("GET", "/v1/entities/{code}/resources/{resource}", names),
        Call(
            "POST",
            "/v1/entities/{code}/resources/{resource}/changes",
            names,
            {**FACTS, "area": "530", "reason": "重新测量", "date": "2025-02-01"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/resources/{resource}/land-shares",
            names,
            {"joint": "J01", "date": "2025-01-15", "mu": "500"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/resources/{resource}/retirement",
            names,
            {"reason": "征收", "date": "2026-01-01"},
        ),
    ]
    assert check_router(scenario_a_api, resources_router, names=names, valid=valid) == 6


def test_contracts_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    scenario_a_api.runtime.app.resources.register(
        entity="V01",
        code="ZY-1",
        date=datetime.date(2025, 1, 10),
        actor="t",
        **{k: v for k, v in FACTS.items() if k not in ("boundaries", "certificates")},
    )
    names = {"code": "V01", "contract": "HT-1", "number": "1"}
    valid = [
        Call("POST", "/v1/entities/{code}/contracts", names, CONTRACT),
        Call("GET", "/v1/entities/{code}/contracts", names),
        Call(
            "POST",
            "/v1/entities/{code}/contracts/{contract}/payments",
            names,
            {"date": "2025-04-02", "amount": "15000.00", "memo": "承包费"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/contracts/{contract}/payments/{number}/reversal",
            names,
            {"date": "2025-04-03", "reason": "记错"},
        ),
        Call("GET", "/v1/entities/{code}/contracts/{contract}", names),
        Call("GET", "/v1/entities/{code}/contract-reminders", names, query={"within": "300"}),
        Call(
            "POST",
            "/v1/entities/{code}/contracts/{contract}/termination",
            names,
            {"date": "2026-05-01", "reason": "退包"},
        ),
        Call("GET", "/v1/entities/{code}/contracts/{contract}", names),
    ]
    assert check_router(scenario_a_api, contracts_router, names=names, valid=valid) == 8


def test_the_public_resource_page_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    app = scenario_a_api.runtime.app
    app.resources.register(
        entity="V01",
        code="ZY-1",
        name="东洼",
        kind="cropland",
        area="10",
        date=datetime.date(2025, 1, 10),
        actor="t",
    )
    label = app.resources.get_resource("V01", "ZY-1").label
    valid = [Call("GET", "/public/resources/{label}", {"label": label})]
    assert (
        check_router(
            scenario_a_api, public_router, names={"label": label}, valid=valid, public=True
        )
        == 1
    )
