"""A posted voucher whose red-ink voucher is reviewed but not yet posted (审核 and 记账 apart, the
default) answers like any: the original names its reversal as 已审核, and both vouchers' numbers
answer. Before the fix both answers were a 500 (the answer's schema knew no "reviewed")."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import register_village
from tests.e2e.test_voucher_workflow_api import act, drafted
from web.tokens import TokenStore

pytestmark = pytest.mark.one_store


def test_a_reviewed_red_ink_voucher_is_named_on_its_original(api: Api) -> None:
    reviewer = bearer(TokenStore(api.runtime.engine).create("clerk-tf-r", "clerk", ["唐坊镇"]))
    village = register_village(api)
    original = drafted(api, village)["draft"]
    for step, who in (("submit", api.clerk), ("approve", reviewer), ("post", api.clerk)):
        assert act(api, original, step, who).status_code == 200
    red = api.client.post(
        f"/v1/vouchers/{original}/reversal",
        json={"date": "2026-03-06", "reason": "金额录错"},
        headers=api.clerk,
    )
    assert red.status_code == 201, red.text
    draft = red.json()["draft"]
    for step, who in (("submit", api.clerk), ("approve", reviewer)):
        assert act(api, draft, step, who).status_code == 200
    found = api.client.get(f"/v1/vouchers/{original}", headers=api.auditor)
    assert found.status_code == 200, found.text
    assert found.json()["reversal"]["status"] == "reviewed"
    assert found.json()["reversal"]["status_label"] == "已审核"
    number = api.client.get(f"/v1/vouchers/{draft}/number", headers=api.auditor)
    assert number.status_code == 200, number.text
    assert (number.json()["status"], number.json()["posted"]) == ("reviewed", False)
