"""The contract of ``api.routes.voucher_reviews``: 记账 and 取消审核 of a voucher, and many
vouchers reviewed or posted at once (issue 20)."""

import datetime

import pytest

from api.routes.voucher_reviews import router
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def submitted(api: Api, reviewer: str | None = None) -> str:
    """A voucher of V01 prepared and submitted by someone else than the tests' tokens; reviewed
    by ``reviewer`` when given."""
    vouchers = api.runtime.app.vouchers
    voucher = vouchers.draft_voucher(
        entity="V01",
        date=datetime.date(2026, 3, 12),
        summary="支付村道维修款",
        lines=[{"account": "514", "debit": "86.00"}, {"account": "102", "credit": "86.00"}],
        actor="zhidan-x",
    )
    vouchers.submit_voucher(draft=voucher.draft, actor="zhidan-x")
    if reviewer is not None:
        vouchers.approve_voucher(draft=voucher.draft, actor=reviewer)
    return str(voucher.draft)


def test_voucher_reviews_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    api = scenario_a_api
    to_review = submitted(api)
    to_post = submitted(api, reviewer="shenhe-x")
    mine = submitted(api, reviewer="admin-1")  # the tests' administrator token reviewed it
    many = submitted(api, reviewer="shenhe-x")
    api.runtime.views.catch_up()
    valid = [
        Call("POST", "/v1/vouchers/{draft}/post", {"draft": to_post}),
        Call("POST", "/v1/vouchers/{draft}/unreview", {"draft": mine}),
        Call("POST", "/v1/voucher-reviews", body={"drafts": [to_review]}),
        Call("POST", "/v1/voucher-postings", body={"drafts": [many]}),
    ]
    assert check_router(api, router, names={}, valid=valid) == 4
