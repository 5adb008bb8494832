"""The contract of ``api.routes.statements``: statements and disclosure sheets."""

import pytest

from api.routes.statements import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_statements_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    valid: list[Call] = [
        Call(
            "GET",
            "/v1/entities/{code}/statements/{kind}",
            {"code": "V03", "kind": "income"},
            query={"period": "2025"},
        ),
        Call(
            "GET",
            "/v1/entities/{code}/statements/{kind}",
            {"code": "J01", "kind": "balance-sheet"},
            query={"period": "2025"},
        ),
        Call("GET", "/v1/statement-summaries", {}, query={"period": "2025", "township": "唐坊镇"}),
        Call(
            "GET", "/v1/statement-summaries.xlsx", {}, query={"period": "2025", "county": "高青县"}
        ),
        Call("GET", "/v1/plans/{code}/statement", {"code": "P2025-V03"}),
        Call("GET", "/v1/villages/{village}/disclosures", {"village": "V03"}),
        Call("GET", "/v1/joint-entities/{joint}/disclosures", {"joint": "J01"}),
    ]
    names = {"code": "V03", "village": "V03", "joint": "J01", "kind": "income"}
    assert check_router(scenario_a_api, router, names=names, valid=valid) == 10
