"""Cash cannot go below zero by a side door, and entries that describe nothing are refused
(issue 9, point 5), through the HTTP API on both stores.

One policy for 101 库存现金 and 102 银行存款 in the books aggregate: raw entries, payments,
reversals of receipts, capital contributions, land rent and plan execution all meet it.
"""

from __future__ import annotations

from typing import Any

import pytest

from scripts import scenario_a as A
from tests.e2e.conftest import Api
from tests.e2e.test_scenario_a import jsonable, post, set_up_alliance

# domain rules and refusals over HTTP, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def events(api: Api) -> int:
    return api.runtime.views.head()


def refused(api: Api, path: str, body: dict[str, Any]) -> dict[str, Any]:
    before = events(api)
    response = api.client.post(path, json=jsonable(body), headers=api.clerk)
    assert response.status_code == 422, f"{path}: {response.status_code} {response.text}"
    assert events(api) == before, f"{path} wrote events although refused"
    found: dict[str, Any] = response.json()
    return found


def entry(date: str, memo: str, *lines: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "date": date,
        "memo": memo,
        "postings": [{"account": a, "side": s, "amount": m} for a, s, m in lines],
    }


def test_a_raw_entry_cannot_overdraw_the_bank(api: Api) -> None:
    set_up_alliance(api)  # V01 has 850000.00 in 102
    problem = refused(
        api,
        "/v1/entities/V01/entries",
        entry(
            "2025-03-01", "购买设备", ("511", "debit", "850000.01"), ("102", "credit", "850000.01")
        ),
    )
    assert problem["type"] == "urn:lianzhang:problem:cash-overdraft", problem
    assert (problem["available"], problem["requested"]) == ("850000.00", "850000.01")
    assert "102" in problem["detail"] and "below zero" in problem["detail"], problem
    post(
        api,
        "/v1/entities/V01/entries",
        entry(
            "2025-03-01", "购买设备", ("511", "debit", "850000.00"), ("102", "credit", "850000.00")
        ),
    )


def test_a_raw_entry_cannot_take_cash_that_is_not_there(api: Api) -> None:
    set_up_alliance(api)  # no 101 at all
    problem = refused(
        api,
        "/v1/entities/V01/entries",
        entry("2025-03-01", "零星支出", ("513", "debit", "0.01"), ("101", "credit", "0.01")),
    )
    assert problem["type"] == "urn:lianzhang:problem:cash-overdraft", problem
    assert "101" in problem["detail"]
    # drawing cash from the bank first makes it possible
    post(
        api,
        "/v1/entities/V01/entries",
        entry("2025-03-01", "提取现金", ("101", "debit", "100.00"), ("102", "credit", "100.00")),
    )
    post(
        api,
        "/v1/entities/V01/entries",
        entry("2025-03-02", "零星支出", ("513", "debit", "100.00"), ("101", "credit", "100.00")),
    )


def test_reversing_a_spent_receipt_is_refused(api: Api) -> None:
    set_up_alliance(api)
    receipt = post(
        api,
        f"/v1/entities/{A.JOINT}/receipts",
        {"date": "2025-02-01", "amount": "500.00", "account": "503", "memo": "补助"},
    )
    post(
        api,
        f"/v1/entities/{A.JOINT}/payments",
        {"date": "2025-02-02", "amount": "400.00", "account": "511", "memo": "饲料"},
    )
    problem = refused(
        api,
        f"/v1/entities/{A.JOINT}/entries/{receipt['number']}/reversal",
        {"date": "2025-02-03", "reason": "记错了"},
    )
    assert problem["type"] == "urn:lianzhang:problem:cash-overdraft", problem
    assert (problem["available"], problem["requested"]) == ("100.00", "500.00")


def test_an_opening_balance_cannot_be_an_overdraft(api: Api) -> None:
    post(
        api,
        "/v1/villages",
        {
            "code": "V07",
            "name": "透支村",
            "township": "唐坊镇",
            "county": "高青县",
            "population": 1,
            "households": 1,
        },
    )
    problem = refused(
        api,
        "/v1/entities/V07/opening-balances",
        {
            "as_of": "2025-01-01",
            "balances": [
                {"account": "301", "side": "debit", "amount": "5.00"},
                {"account": "102", "side": "credit", "amount": "5.00"},
            ],
        },
    )
    assert "102" in problem["detail"], problem


def test_an_entry_on_one_account_only_is_nonsense(api: Api) -> None:
    set_up_alliance(api)
    problem = refused(
        api,
        "/v1/entities/V01/entries",
        entry("2025-03-01", "转账", ("102", "debit", "10.00"), ("102", "credit", "10.00")),
    )
    assert problem["type"] == "urn:lianzhang:problem:nonsense-entry", problem
    assert "only account 102" in problem["detail"], problem


def test_a_receipt_crediting_an_asset_that_is_not_a_claim_is_nonsense(api: Api) -> None:
    set_up_alliance(api)
    for account in ("151", "121", "152"):
        problem = refused(
            api,
            "/v1/entities/V01/receipts",
            {"date": "2025-03-01", "amount": "10.00", "account": account, "memo": "收款"},
        )
        assert problem["type"] == "urn:lianzhang:problem:nonsense-entry", problem
        assert account in problem["detail"], problem
    # a claim collected, an investment recovered, cash paid into the bank: all make sense
    post(
        api,
        "/v1/entities/V01/entries",
        entry("2025-03-01", "借出款", ("112", "debit", "10.00"), ("102", "credit", "10.00")),
    )
    post(
        api,
        "/v1/entities/V01/receipts",
        {"date": "2025-03-02", "amount": "10.00", "account": "112", "memo": "收回借款"},
    )
