"""The contract of ``api.routes.bank``: bank accounts, statements, matches, the 调节表 and cash
counts."""

import pytest

from api.routes.bank import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

NAMES = {"code": "V01", "account": "10201", "month": "2026-10", "match": "M1"}
ACCOUNT = {"code": "V01", "account": "10201"}


def test_bank_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    lines = [
        {"date": "2026-10-08", "amount": "100.00", "balance": "100.00", "reference": "ZZ1"},
        {"date": "2026-10-09", "amount": "-100.00", "balance": "0.00", "memo": "退回"},
    ]
    valid = [
        Call("GET", "/v1/bank-formats"),
        Call(
            "POST",
            "/v1/entities/{code}/bank-accounts",
            {"code": "V01"},
            {
                "account": "10201",
                "bank": "高青农商银行",
                "branch": "唐坊支行",
                "number": "9001 0001 2365 3021",
                "start": "2026-10-01",
                "opening": "0.00",
                "format": "nongshang",
            },
        ),
        Call("GET", "/v1/entities/{code}/bank-accounts", {"code": "V01"}),
        Call("GET", "/v1/entities/{code}/bank-accounts/{account}", ACCOUNT),
        Call(
            "POST",
            "/v1/entities/{code}/bank-accounts/{account}/statements",
            ACCOUNT,
            {"lines": lines, "start": "2026-10-01", "end": "2026-10-31", "closing": "0.00"},
        ),
        Call("GET", "/v1/entities/{code}/bank-accounts/{account}/statements", ACCOUNT),
        Call("GET", "/v1/entities/{code}/bank-accounts/{account}/proposals", ACCOUNT),
        Call(
            "POST",
            "/v1/entities/{code}/bank-accounts/{account}/matches",
            ACCOUNT,
            {"matches": [{"bank": ["S1-1", "S1-2"]}], "note": "退回的款"},
        ),
        Call("GET", "/v1/entities/{code}/bank-accounts/{account}/lines", ACCOUNT),
        Call(
            "POST",
            "/v1/entities/{code}/bank-accounts/{account}/matches/{match}/undo",
            {**ACCOUNT, "match": "M1"},
            {"reason": "勾错了"},
        ),
        Call(
            "GET",
            "/v1/entities/{code}/bank-accounts/{account}/reconciliations/{month}",
            {**ACCOUNT, "month": "2026-10"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/bank-accounts/{account}/reconciliations",
            ACCOUNT,
            {"month": "2026-10"},
        ),
        Call(
            "POST",
            "/v1/entities/{code}/cash-counts",
            {"code": "V02"},
            {"date": "2026-11-02", "pieces": {"100": 14, "50": 1, "0.5": 1}, "supervisor": "赵"},
        ),
        Call("GET", "/v1/entities/{code}/cash-counts", {"code": "V02"}),
        Call(
            "POST",
            "/v1/entities/{code}/cash-counts/{number}/resolution",
            {"code": "V02", "number": "PD20261102"},
            {"date": "2026-11-03", "account": "504"},
        ),
    ]
    assert check_router(scenario_a_api, router, names=NAMES, valid=valid) == 15
