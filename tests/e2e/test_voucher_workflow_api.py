"""The voucher workflow over HTTP, on both stores: 制单 → 提交 → 审核 → 记账 with API tokens (two
clerk tokens are two actors), separation of duties, refusals, and exactly-once approval and
posting."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import assert_problem, register_village
from web.tokens import TokenStore

DAY = "2026-03-05"


def body(amount: str = "1200.00", **overrides: Any) -> dict[str, Any]:
    return {
        "date": overrides.get("date", DAY),
        "summary": overrides.get("summary", "收到土地流转费"),
        "lines": overrides.get(
            "lines",
            [
                {"account": "102", "debit": amount, "memo": "存入银行"},
                {"account": "504", "credit": amount},
            ],
        ),
    }


@pytest.fixture
def reviewer(api: Api) -> dict[str, str]:
    """A second clerk of 唐坊镇: another actor than ``api.clerk``."""
    return bearer(TokenStore(api.runtime.engine).create("clerk-tangfang-2", "clerk", ["唐坊镇"]))


def drafted(api: Api, village: str, **overrides: Any) -> dict[str, Any]:
    response = api.client.post(
        f"/v1/entities/{village}/vouchers", json=body(**overrides), headers=api.clerk
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/v1/vouchers/{found['draft']}"
    return found


def act(api: Api, draft: str, step: str, headers: dict[str, str], **kw: Any) -> Any:
    return api.client.post(f"/v1/vouchers/{draft}/{step}", headers=headers, **kw)


def entries(api: Api, village: str) -> list[dict[str, Any]]:
    found = api.client.get(f"/v1/entities/{village}/entries", headers=api.auditor).json()
    items: list[dict[str, Any]] = found["items"]
    return items


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_draft_submit_approve_posts_one_entry_in_the_trial_balance(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    voucher = drafted(api, village)
    assert voucher["status"] == "draft" and voucher["preparer"] == "clerk-tangfang"
    assert voucher["lines"][0]["account_name"] == "银行存款"
    assert voucher["total_capitals"] == "壹仟贰佰元整"
    submitted = act(api, voucher["draft"], "submit", api.clerk)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert entries(api, village) == []  # submitting writes nothing to the books
    waiting = api.client.get(
        f"/v1/entities/{village}/vouchers", params={"status": "submitted"}, headers=reviewer
    ).json()["items"]
    assert [v["draft"] for v in waiting] == [voucher["draft"]]
    queue = api.client.get(
        "/v1/vouchers", params={"status": "submitted", "township": "唐坊镇"}, headers=reviewer
    ).json()["items"]
    assert voucher["draft"] in [v["draft"] for v in queue]
    elsewhere = api.client.get(
        "/v1/vouchers", params={"status": "submitted", "township": "花沟镇"}, headers=reviewer
    ).json()["items"]
    assert elsewhere == []
    approved = act(api, voucher["draft"], "approve", reviewer)
    assert approved.status_code == 200, approved.text
    # issue 20: the approval is the 审核, not the posting (two steps by default)
    assert approved.json()["status"] == "reviewed"
    assert approved.json()["reviewer"] == "clerk-tangfang-2"
    assert approved.json()["posted_number"] is None
    assert entries(api, village) == []
    to_post = api.client.get(
        "/v1/vouchers", params={"status": "reviewed", "township": "唐坊镇"}, headers=api.clerk
    ).json()["items"]
    assert [v["draft"] for v in to_post] == [voucher["draft"]]
    own = act(api, voucher["draft"], "post", reviewer)  # nobody posts what they reviewed
    assert_problem(own, 403, "own-review")
    assert entries(api, village) == []
    posting = act(api, voucher["draft"], "post", api.clerk)  # the preparer may post
    assert posting.status_code == 200, posting.text
    posted = posting.json()
    assert posted["status"] == "posted" and posted["reviewer"] == "clerk-tangfang-2"
    number = posted["posted_number"]
    assert number == "2026-0001"
    found = entries(api, village)
    assert [(e["number"], e["memo"], e["actor"]) for e in found] == [
        (number, "收到土地流转费", "clerk-tangfang")
    ]
    tb = api.client.get(
        f"/v1/entities/{village}/trial-balance", params={"month": "2026-03"}, headers=api.auditor
    ).json()
    assert tb["balanced"] is True and tb["totals"]["debit"] == "1200.00"
    detail = api.client.get(f"/v1/vouchers/{voucher['draft']}", headers=api.auditor).json()
    assert [h["what"] for h in detail["history"]] == ["drafted", "submitted", "reviewed", "posted"]
    assert [h["actor"] for h in detail["history"]] == [
        "clerk-tangfang",
        "clerk-tangfang",
        "clerk-tangfang-2",
        "clerk-tangfang",
    ]
    assert [h["label"] for h in detail["history"]][2:] == ["审核", "记账"]


@pytest.mark.one_store
def test_the_reviewer_takes_an_approval_back_and_a_reviewed_voucher_is_returned(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    assert act(api, draft, "approve", reviewer).json()["status"] == "reviewed"
    assert_problem(act(api, draft, "unreview", api.clerk), 403, "not-reviewer")
    back = act(api, draft, "unreview", reviewer)
    assert back.status_code == 200 and back.json()["status"] == "submitted"
    assert back.json()["reviewer"] is None
    assert act(api, draft, "approve", reviewer).json()["status"] == "reviewed"
    returned = act(api, draft, "return", api.admin, json={"reason": "发票抬头不对"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert_problem(act(api, draft, "post", api.admin), 409, "voucher-state")
    assert entries(api, village) == []


@pytest.mark.one_store
def test_a_township_that_chose_review_posts_posts_at_the_approval_over_http(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    chosen = api.client.post(
        "/v1/townships/唐坊镇/settings",
        json={"numbering": "yearly", "review_posts": True},
        headers=api.admin,
    )
    assert chosen.status_code == 200, chosen.text
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    approved = act(api, draft, "approve", reviewer)
    assert approved.json()["status"] == "posted" and approved.json()["posted_number"]
    assert [e["actor"] for e in entries(api, village)] == ["clerk-tangfang-2"]
    history = api.client.get(f"/v1/vouchers/{draft}", headers=api.auditor).json()["history"]
    assert [h["what"] for h in history] == ["drafted", "submitted", "approved"]


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_return_with_reason_edit_resubmit_approve(api: Api, reviewer: dict[str, str]) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    missing = act(api, draft, "return", reviewer, json={})
    assert_problem(missing, 422, "validation")
    returned = act(api, draft, "return", reviewer, json={"reason": "金额与收据不符"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert returned.json()["returned_reason"] == "金额与收据不符"
    other = api.client.put(f"/v1/vouchers/{draft}", json=body("1300.00"), headers=reviewer)
    assert_problem(other, 403, "not-preparer")
    edited = api.client.put(f"/v1/vouchers/{draft}", json=body("1300.00"), headers=api.clerk)
    assert edited.status_code == 200, edited.text
    assert edited.json()["total"] == "1300.00"
    assert act(api, draft, "submit", api.clerk).status_code == 200
    approved = act(api, draft, "approve", reviewer)
    assert approved.status_code == 200, approved.text
    assert act(api, draft, "post", api.clerk).status_code == 200
    assert [e["total"] for e in entries(api, village)] == ["1300.00"]


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_the_preparer_cannot_approve_their_own_voucher(api: Api) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    refused = assert_problem(act(api, draft, "approve", api.clerk), 403, "own-voucher")
    assert "separation of duties" in refused["detail"]
    chinese = act(api, draft, "approve", {**api.clerk, "Accept-Language": "zh-CN"})
    assert "不能审核自己制单的凭证" in assert_problem(chinese, 403, "own-voucher")["detail"]
    assert_problem(act(api, draft, "return", api.clerk, json={"reason": "x"}), 403, "own-voucher")
    assert entries(api, village) == []
    status = api.client.get(f"/v1/vouchers/{draft}", headers=api.clerk).json()["status"]
    assert status == "submitted"


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_submit_refuses_what_would_not_post(api: Api) -> None:
    village = register_village(api)
    unbalanced = drafted(
        api,
        village,
        lines=[{"account": "102", "debit": "100.00"}, {"account": "504", "credit": "90.00"}],
    )["draft"]
    assert_problem(act(api, unbalanced, "submit", api.clerk), 422, "unbalanced-entry")
    closing = api.client.post(
        f"/v1/entities/{village}/closed-months", json={"month": "2026-02"}, headers=api.admin
    )
    assert closing.status_code in (200, 201), closing.text
    closed = drafted(api, village, date="2026-02-10")["draft"]
    assert_problem(act(api, closed, "submit", api.clerk), 409, "closed-period")
    assert entries(api, village) == []
    for draft in (unbalanced, closed):
        status = api.client.get(f"/v1/vouchers/{draft}", headers=api.clerk).json()["status"]
        assert status == "draft"


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_approving_and_posting_twice_with_one_idempotency_key_posts_once(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    keyed = {**reviewer, "Idempotency-Key": "approve-once-1"}
    first = act(api, draft, "approve", keyed)
    second = act(api, draft, "approve", keyed)
    assert first.status_code == second.status_code == 200, second.text
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.json()["status"] == second.json()["status"] == "reviewed"
    keyed = {**api.clerk, "Idempotency-Key": "post-once-1"}
    first = act(api, draft, "post", keyed)
    second = act(api, draft, "post", keyed)
    assert first.status_code == second.status_code == 200, second.text
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.json()["posted_number"] == second.json()["posted_number"]
    assert len(entries(api, village)) == 1
    again = act(api, draft, "post", api.clerk)  # a new request: the voucher is posted
    assert_problem(again, 409, "voucher-state")
    assert_problem(act(api, draft, "approve", reviewer), 409, "voucher-state")
    assert len(entries(api, village)) == 1


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_drafting_twice_with_one_key_drafts_once(api: Api) -> None:
    village = register_village(api)
    keyed = {**api.clerk, "Idempotency-Key": "draft-once-1"}
    first = api.client.post(f"/v1/entities/{village}/vouchers", json=body(), headers=keyed)
    second = api.client.post(f"/v1/entities/{village}/vouchers", json=body(), headers=keyed)
    assert first.status_code == second.status_code == 201
    assert first.json()["draft"] == second.json()["draft"]
    listed = api.client.get(f"/v1/entities/{village}/vouchers", headers=api.clerk).json()
    assert len(listed["items"]) == 1


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_callers_without_the_right_are_refused(api: Api, reviewer: dict[str, str]) -> None:
    village = register_village(api)
    no_token = api.client.post(f"/v1/entities/{village}/vouchers", json=body())
    assert_problem(no_token, 401, "unauthenticated")
    auditor = api.client.post(f"/v1/entities/{village}/vouchers", json=body(), headers=api.auditor)
    assert_problem(auditor, 403, "read-only")
    elsewhere = api.client.post(
        f"/v1/entities/{village}/vouchers", json=body(), headers=api.other_clerk
    )
    assert_problem(elsewhere, 403, "forbidden-township")
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    assert_problem(act(api, draft, "approve", api.auditor), 403, "read-only")
    assert_problem(act(api, draft, "approve", api.other_clerk), 403, "forbidden-township")
    assert_problem(api.client.get(f"/v1/vouchers/{draft}"), 401, "unauthenticated")
    assert entries(api, village) == []
    nowhere = api.client.post("/v1/entities/NOPE/vouchers", json=body(), headers=api.clerk)
    assert_problem(nowhere, 404, "entity-not-found")
    unknown = api.client.get("/v1/vouchers/" + "0" * 32, headers=api.auditor)
    assert_problem(unknown, 404, "voucher-not-found")


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_a_role_without_the_action_is_forbidden_role(api: Api) -> None:
    """People's roles (domain.roles): a 审核 may not draft, a 制单 may not approve."""
    from dataclasses import replace

    from web.deps import get_principal
    from web.tokens import Principal

    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    app = api.client.app

    def as_role(role: str) -> None:
        def principal() -> Principal:
            return replace(
                Principal(name="t", role=role, townships=frozenset({"唐坊镇"})),
                person="wang",
                session=True,
            )

        app.dependency_overrides[get_principal] = principal  # type: ignore[attr-defined]

    try:
        as_role("preparer")
        assert_problem(act(api, draft, "approve", {}), 403, "forbidden-role")
        as_role("reviewer")
        refused = api.client.post(f"/v1/entities/{village}/vouchers", json=body())
        assert_problem(refused, 403, "forbidden-role")
        approved = act(api, draft, "approve", {})
        assert approved.status_code == 200, approved.text
        assert approved.json()["reviewer"] == "wang"
    finally:
        app.dependency_overrides.clear()  # type: ignore[attr-defined]


@pytest.mark.one_store  # the HTTP contract; both stores: integration/test_voucher_workflow.py
def test_the_audit_trail_names_the_voucher_and_its_books(
    api: Api, reviewer: dict[str, str]
) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert act(api, draft, "submit", api.clerk).status_code == 200
    trail = api.client.get(
        "/v1/audit/trail", params={"entity": village}, headers=api.auditor
    ).json()
    steps = [t for t in trail if t["aggregate_kind"] == "voucher"]
    assert [(t["aggregate_code"], t["entity"]) for t in steps] == [(draft, village)] * len(steps)
    assert len(steps) == 2, trail  # drafted, submitted


def test_verify_compares_the_voucher_and_people_read_models(api: Api) -> None:
    from sqlalchemy import text

    from audit.verify import verify

    village = register_village(api)
    draft = drafted(api, village)["draft"]
    assert verify(api.runtime)["problems"] == []
    with api.runtime.engine.begin() as conn:
        conn.execute(text("UPDATE lz_vouchers SET status = 'posted' WHERE id = :d"), {"d": draft})
    problems = verify(api.runtime)["problems"]
    assert (problems[0]["check"], problems[0]["table"]) == ("read-model", "lz_vouchers")
