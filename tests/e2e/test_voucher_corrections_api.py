"""Issue 20 item 2: a voucher's corrections through the API, the same commands as the
workbench's (workbench/corrections.py): 作废 of a draft, 红字冲销 of a posted voucher and a
correcting voucher (更正凭证), each new voucher reviewed like any, with refusals, roles and
exactly-once answers."""

from __future__ import annotations

from typing import Any

import pytest

from tests import builders
from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import assert_problem, register_village
from tests.e2e.test_voucher_workflow_api import act, body, drafted, entries
from web.tokens import TokenStore

# the HTTP contract of the routes; the commands on both stores: tests/application
pytestmark = pytest.mark.one_store


@pytest.fixture(autouse=True)
def review_posts(api: Api) -> None:
    """The subject is the corrections, not the two steps of 审核 and 记账: 审核即记账."""
    builders.review_posts(api.runtime.app, "唐坊镇")


@pytest.fixture
def reviewer(api: Api) -> dict[str, str]:
    return bearer(TokenStore(api.runtime.engine).create("clerk-tangfang-2", "clerk", ["唐坊镇"]))


def posted(api: Api, village: str, reviewer: dict[str, str], **overrides: Any) -> dict[str, Any]:
    voucher = drafted(api, village, **overrides)
    assert act(api, voucher["draft"], "submit", api.clerk).status_code == 200
    approved = act(api, voucher["draft"], "approve", reviewer)
    assert approved.status_code == 200, approved.text
    found: dict[str, Any] = approved.json()
    return found


def test_a_posted_voucher_is_reversed_in_red_ink_through_review(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    original = posted(api, village, reviewer)
    assert original["posted_number"] == "2026-0001"
    response = act(
        api,
        original["draft"],
        "reversal",
        api.clerk,
        json={"date": "2026-03-10", "reason": "金额录错"},
    )
    assert response.status_code == 201, response.text
    red = response.json()
    assert response.headers["location"] == f"/v1/vouchers/{red['draft']}"
    assert red["draft"] != original["draft"]
    assert red["status"] == "draft" and red["entity"] == village
    assert red["summary"] == "冲销 2026-0001 号凭证: 金额录错"
    assert [(x["account"], x["debit"], x["credit"]) for x in red["lines"]] == [
        ("102", "-1200.00", None),
        ("504", None, "-1200.00"),
    ]
    assert red["cites"] == {
        "kind": "reversal",
        "original": original["draft"],
        "number": "2026-0001",
        "reason": "金额录错",
    }
    cited = api.client.get(f"/v1/vouchers/{original['draft']}", headers=api.auditor).json()
    assert cited["reversal"]["draft"] == red["draft"]
    assert cited["reversal"]["status"] == "draft"
    assert [e["number"] for e in entries(api, village)] == ["2026-0001"]  # nothing posted yet

    assert act(api, red["draft"], "submit", api.clerk).status_code == 200
    own = act(api, red["draft"], "approve", api.clerk)
    assert_problem(own, 403, "own-voucher")
    approved = act(api, red["draft"], "approve", reviewer)
    assert approved.status_code == 200, approved.text
    number = approved.json()["posted_number"]
    books = {e["number"]: e for e in entries(api, village)}
    assert books[number]["reverses"] == "2026-0001" and books[number]["total"] == "-1200.00"
    tb = api.client.get(
        f"/v1/entities/{village}/trial-balance", params={"month": "2026-03"}, headers=api.auditor
    ).json()
    assert tb["balanced"] is True
    assert {x["account"]: x["debit"] for x in tb["lines"]}["102"] == "0.00"

    again = act(
        api, original["draft"], "reversal", api.clerk, json={"date": "2026-03-11", "reason": "再冲"}
    )
    assert_problem(again, 409, "already-reversed")
    red_again = act(
        api, red["draft"], "reversal", api.clerk, json={"date": "2026-03-11", "reason": "冲红字"}
    )
    assert_problem(red_again, 409, "voucher-state")


def test_a_correcting_voucher_cites_the_original_and_posts_after_review(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    original = posted(api, village, reviewer)
    fixed = body("1300.00", summary="更正 2026-0001 号凭证：应为 1300 元", date="2026-03-12")
    response = act(api, original["draft"], "correction", api.clerk, json=fixed)
    assert response.status_code == 201, response.text
    correction = response.json()
    assert response.headers["location"] == f"/v1/vouchers/{correction['draft']}"
    assert correction["status"] == "draft" and correction["entity"] == village
    assert correction["total"] == "1300.00"
    assert correction["cites"]["kind"] == "correction"
    assert correction["cites"]["original"] == original["draft"]
    assert correction["cites"]["number"] == "2026-0001"
    assert act(api, correction["draft"], "submit", api.clerk).status_code == 200
    approved = act(api, correction["draft"], "approve", reviewer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["posted_number"] == "2026-0002"
    assert [e["number"] for e in entries(api, village)] == ["2026-0001", "2026-0002"]

    a_draft = drafted(api, village)
    not_posted = act(api, a_draft["draft"], "correction", api.clerk, json=fixed)
    assert_problem(not_posted, 409, "voucher-state")
    unbalanced = body(lines=[{"account": "102", "debit": "1.00"}])
    half = act(api, original["draft"], "correction", api.clerk, json=unbalanced)
    assert half.status_code == 201  # a draft, like any, is checked as a posting when submitted
    assert half.json()["balanced"] is False
    assert act(api, half.json()["draft"], "submit", api.clerk).status_code == 422


def test_a_draft_is_voided_by_its_preparer_and_never_posts(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    voucher = drafted(api, village)
    missing = act(api, voucher["draft"], "void", api.clerk, json={})
    assert_problem(missing, 422, "validation")
    other = act(api, voucher["draft"], "void", reviewer, json={"reason": "不是我的"})
    assert_problem(other, 403, "not-preparer")
    voided = act(api, voucher["draft"], "void", api.clerk, json={"reason": "重复录入"})
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "voided"
    assert voided.json()["void_reason"] == "重复录入"
    assert [h["what"] for h in voided.json()["history"]] == ["drafted", "voided"]
    submit = act(api, voucher["draft"], "submit", api.clerk)
    assert_problem(submit, 409, "voucher-state")
    assert entries(api, village) == []

    kept = posted(api, village, reviewer)
    refused = act(api, kept["draft"], "void", api.clerk, json={"reason": "记错了"})
    assert_problem(refused, 409, "voucher-state")  # a posted voucher is reversed, not voided


def test_a_reversal_is_refused_with_a_chinese_reason_and_nothing_written(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    original = posted(api, village, reviewer)
    before = act(
        api, original["draft"], "reversal", api.clerk, json={"date": "2026-03-01", "reason": "早"}
    )
    assert_problem(before, 422, "invalid")
    chinese = api.client.post(
        f"/v1/vouchers/{original['draft']}/reversal",
        json={"date": "2026-03-01", "reason": "早"},
        headers={**api.clerk, "Accept-Language": "zh-CN"},
    )
    assert "早于原凭证" in chinese.json()["detail"]
    blank = act(api, original["draft"], "reversal", api.clerk, json={"date": "2026-03-10"})
    assert_problem(blank, 422, "validation")
    unknown = act(
        api, "0" * 32, "reversal", api.clerk, json={"date": "2026-03-10", "reason": "金额录错"}
    )
    assert_problem(unknown, 404, "voucher-not-found")
    unknown_correction = act(api, "0" * 32, "correction", api.clerk, json=body())
    assert_problem(unknown_correction, 404, "voucher-not-found")
    listed = api.client.get(f"/v1/entities/{village}/vouchers", headers=api.auditor).json()
    assert [v["draft"] for v in listed["items"]] == [original["draft"]]


def test_only_those_who_prepare_vouchers_correct_them_in_their_township(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    original = posted(api, village, reviewer)
    draft = drafted(api, village)["draft"]
    calls = [
        (original["draft"], "reversal", {"date": "2026-03-10", "reason": "金额录错"}),
        (original["draft"], "correction", body()),
        (draft, "void", {"reason": "重复录入"}),
    ]
    for target, step, payload in calls:
        read_only = act(api, target, step, api.auditor, json=payload)
        assert read_only.status_code == 403, (step, read_only.text)
        elsewhere = act(api, target, step, api.other_clerk, json=payload)
        assert_problem(elsewhere, 403, "forbidden-township")
    listed = api.client.get(f"/v1/entities/{village}/vouchers", headers=api.auditor).json()
    assert len(listed["items"]) == 2


def test_a_retried_reversal_drafts_one_red_ink_voucher(api: Api, reviewer: dict[str, str]) -> None:
    village = register_village(api)
    original = posted(api, village, reviewer)
    headers = {**api.clerk, "Idempotency-Key": "reverse-2026-0001"}
    payload = {"date": "2026-03-10", "reason": "金额录错"}
    first = act(api, original["draft"], "reversal", headers, json=payload)
    second = act(api, original["draft"], "reversal", headers, json=payload)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.json()["draft"] == second.json()["draft"]
    listed = api.client.get(f"/v1/entities/{village}/vouchers", headers=api.auditor).json()
    assert len(listed["items"]) == 2
