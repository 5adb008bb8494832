"""The HTTP API end to end: real app, real store (SQLite and PostgreSQL), real tokens."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from tests.builders import OPENING_BALANCES, code, posting, receipt
from tests.e2e.conftest import Api

PROBLEM = "application/problem+json"


def register_village(api: Api, *, township: str = "唐坊镇", headers: Any = None) -> str:
    village = code("V")
    response = api.client.post(
        "/v1/villages",
        json={
            "code": village,
            "name": "仉家村",
            "township": township,
            "county": "高青县",
            "population": 1200,
            "households": 400,
        },
        headers=headers or api.admin,
    )
    assert response.status_code == 201, response.text
    response = api.client.post(
        f"/v1/entities/{village}/opening-balances",
        json={"as_of": "2025-01-01", "balances": OPENING_BALANCES},
        headers=headers or api.admin,
    )
    assert response.status_code == 200, response.text
    return village


def post_entry(api: Api, village: str, postings: list[dict[str, str]], **kw: Any) -> Any:
    body = {
        "date": kw.pop("date", "2025-03-01"),
        "memo": kw.pop("memo", "租金"),
        "postings": postings,
    }
    return api.client.post(
        f"/v1/entities/{village}/entries", json=body, headers=kw.pop("headers", api.admin), **kw
    )


def events(api: Api) -> int:
    return api.runtime.views.head()


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:lianzhang:problem:{kind}"
    assert body["status"] == status
    assert body["detail"]
    return body


def test_post_then_get_sees_it_and_the_trial_balance_balances(api: Api) -> None:
    village = register_village(api)
    created = post_entry(api, village, receipt("800.00"))
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["number"] == "2025-0001"
    assert entry["total"] == "800.00"
    assert entry["actor"] == "admin-1"
    assert created.headers["location"] == f"/v1/entities/{village}/entries/2025-0001"
    fetched = api.client.get(created.headers["location"], headers=api.auditor)
    assert fetched.status_code == 200
    assert fetched.json()["lines"][0] == {
        "account": "102",
        "account_name": "银行存款",
        "side": "debit",
        "amount": "800.00",
        "memo": "",
    }
    listed = api.client.get(f"/v1/entities/{village}/entries", headers=api.clerk).json()
    assert listed["total"] == 1 and listed["items"][0]["number"] == "2025-0001"
    tb = api.client.get(
        f"/v1/entities/{village}/trial-balance", params={"month": "2025-03"}, headers=api.auditor
    ).json()
    assert tb["balanced"] is True
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == "800.00"
    assert tb["totals"]["closing_debit"] == tb["totals"]["closing_credit"] == "502800.00"
    cumulative = api.client.get(
        f"/v1/entities/{village}/trial-balance",
        params={"month": "2025-12", "cumulative": "true"},
        headers=api.auditor,
    ).json()
    assert cumulative["totals"]["debit"] == "800.00"
    assert cumulative["totals"]["opening_debit"] == "502000.00"


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_unbalanced_entry_is_422_and_writes_nothing(api: Api) -> None:
    village = register_village(api)
    before = events(api)
    response = post_entry(
        api, village, [posting("102", "debit", "100.00"), posting("504", "credit", "99.00")]
    )
    body = assert_problem(response, 422, "unbalanced-entry")
    assert "100.00" in body["detail"] and "99.00" in body["detail"]
    assert events(api) == before


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_unknown_account_is_422_naming_the_field(api: Api) -> None:
    village = register_village(api)
    before = events(api)
    response = post_entry(
        api, village, [posting("102", "debit", "1.00"), posting("999", "credit", "1.00")]
    )
    body = assert_problem(response, 422, "unknown-account")
    assert body["field"] == "postings[1].account"
    assert events(api) == before


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_amount_as_json_number_is_refused(api: Api) -> None:
    village = register_village(api)
    before = events(api)
    response = api.client.post(
        f"/v1/entities/{village}/entries",
        json={
            "date": "2025-03-01",
            "memo": "x",
            "postings": [
                {"account": "102", "side": "debit", "amount": 100},
                {"account": "504", "side": "credit", "amount": "100.00"},
            ],
        },
        headers=api.admin,
    )
    body = assert_problem(response, 422, "validation")
    assert body["field"] == "postings[0].amount"
    assert "JSON number" in body["detail"]
    three_places = post_entry(
        api, village, [posting("102", "debit", "1.005"), posting("504", "credit", "1.005")]
    )
    assert_problem(three_places, 422, "validation")
    assert events(api) == before


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_closed_month_and_double_reversal_are_409(api: Api) -> None:
    village = register_village(api)
    entry = post_entry(api, village, receipt("50.00")).json()
    closed = api.client.post(
        f"/v1/entities/{village}/closed-months", json={"month": "2025-03"}, headers=api.clerk
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_through"] == "2025-03"
    late = post_entry(api, village, receipt("1.00"), date="2025-03-31")
    assert_problem(late, 409, "closed-period")
    first = api.client.post(
        f"/v1/entities/{village}/entries/{entry['number']}/reversal",
        json={"date": "2025-04-01", "reason": "重复"},
        headers=api.clerk,
    )
    assert first.status_code == 201, first.text
    assert first.json()["reverses"] == entry["number"]
    assert first.json()["lines"][0]["amount"] == "-50.00"
    again = api.client.post(
        f"/v1/entities/{village}/entries/{entry['number']}/reversal",
        json={"date": "2025-04-02", "reason": "再次"},
        headers=api.clerk,
    )
    assert_problem(again, 409, "already-reversed")
    original = api.client.get(
        f"/v1/entities/{village}/entries/{entry['number']}", headers=api.clerk
    ).json()
    assert original["reversed_by"] == first.json()["number"]


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_tokens_and_roles(api: Api) -> None:
    village = register_village(api)
    none = api.client.post(f"/v1/entities/{village}/entries", json={})
    assert_problem(none, 401, "unauthenticated")
    assert none.headers["www-authenticate"] == "Bearer"
    bad = api.client.get("/v1/entities", headers={"Authorization": "Bearer lz_nope"})
    assert_problem(bad, 401, "invalid-token")
    before = events(api)
    other_township = post_entry(api, village, receipt("1.00"), headers=api.other_clerk)
    body = assert_problem(other_township, 403, "forbidden-township")
    assert "唐坊镇" in body["detail"]
    other_village = register_village(api, township="花沟镇", headers=api.other_clerk)
    assert events(api) > before
    before = events(api)
    assert_problem(
        post_entry(api, other_village, receipt("1.00"), headers=api.clerk),
        403,
        "forbidden-township",
    )
    assert post_entry(api, village, receipt("1.00"), headers=api.clerk).status_code == 201
    assert events(api) == before + 1


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_auditor_may_read_everything_and_write_nothing(api: Api) -> None:
    village = register_village(api)
    before = events(api)
    writes = [
        (
            "/v1/alliances",
            {
                "code": "A1",
                "name": "n",
                "township": "唐坊镇",
                "county": "c",
                "model": "村企联建",
                "formed_on": "2025-01-01",
            },
        ),
        (
            "/v1/villages",
            {
                "code": "V1",
                "name": "n",
                "township": "唐坊镇",
                "county": "c",
                "population": 1,
                "households": 1,
            },
        ),
        ("/v1/alliances/A1/villages", {"village": village, "date": "2025-01-01"}),
        (f"/v1/alliances/A1/villages/{village}/leave", {"date": "2025-02-01", "reason": "x"}),
        ("/v1/alliances/A1/enterprises", {"code": "E1", "name": "n", "date": "2025-01-01"}),
        ("/v1/alliances/A1/joint-entity", {"code": "J1", "name": "n"}),
        (f"/v1/entities/{village}/opening-balances", {"as_of": "2025-01-01", "balances": []}),
        (
            f"/v1/entities/{village}/entries",
            {"date": "2025-03-01", "memo": "x", "postings": receipt("1.00")},
        ),
        (
            f"/v1/entities/{village}/entries/2025-0001/reversal",
            {"date": "2025-03-01", "reason": "x"},
        ),
        (f"/v1/entities/{village}/closed-months", {"month": "2025-03"}),
    ]
    for path, body in writes:
        assert_problem(api.client.post(path, json=body, headers=api.auditor), 403, "read-only")
    assert events(api) == before
    for path in (
        "/v1/entities",
        f"/v1/entities/{village}",
        "/v1/alliances",
        f"/v1/entities/{village}/entries",
    ):
        assert api.client.get(path, headers=api.auditor).status_code == 200


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_idempotent_retry_writes_once_and_a_changed_body_conflicts(api: Api) -> None:
    village = register_village(api)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    before = events(api)
    first = post_entry(api, village, receipt("10.00"), headers={**api.admin, **key})
    second = post_entry(api, village, receipt("10.00"), headers={**api.admin, **key})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert events(api) == before + 2  # the entry and its key, saved together
    changed = post_entry(api, village, receipt("11.00"), headers={**api.admin, **key})
    assert_problem(changed, 409, "idempotency-key-reused")
    assert events(api) == before + 2
    # a refused request does not use up its key: fixed and retried, it runs
    retry_key = {"Idempotency-Key": str(uuid.uuid4())}
    refused = post_entry(
        api, village, receipt("1.00"), headers={**api.admin, **retry_key}, date="2024-01-01"
    )
    assert refused.status_code == 422
    accepted = post_entry(api, village, receipt("1.00"), headers={**api.admin, **retry_key})
    assert accepted.status_code == 201


def test_concurrent_posts_over_http_all_land(api: Api) -> None:
    village = register_village(api)
    statuses: list[int] = []

    def clerk() -> None:
        for _ in range(4):
            statuses.append(
                post_entry(api, village, receipt("1.00"), headers=api.clerk).status_code
            )

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 8
    listed = api.client.get(f"/v1/entities/{village}/entries", headers=api.clerk).json()
    assert sorted(e["number"] for e in listed["items"]) == [f"2025-{n:04d}" for n in range(1, 9)]


@pytest.mark.one_store  # the HTTP contract; storage in tests/integration
def test_alliance_lifecycle_and_unknowns(api: Api) -> None:
    villages = [register_village(api) for _ in range(2)]
    alliance = code("A")
    formed = api.client.post(
        "/v1/alliances",
        json={
            "code": alliance,
            "name": "黑牛盒马联村党委",
            "township": "唐坊镇",
            "county": "高青县",
            "model": "村企联建",
            "formed_on": "2025-01-01",
        },
        headers=api.clerk,
    )
    assert formed.status_code == 201, formed.text
    for v in villages:
        joined = api.client.post(
            f"/v1/alliances/{alliance}/villages",
            json={"village": v, "date": "2025-01-01"},
            headers=api.clerk,
        )
        assert joined.status_code == 201, joined.text
    assert_problem(
        api.client.post(
            f"/v1/alliances/{alliance}/villages",
            json={"village": villages[0], "date": "2025-02-01"},
            headers=api.clerk,
        ),
        409,
        "membership",
    )
    joint = api.client.post(
        f"/v1/alliances/{alliance}/joint-entity",
        json={"code": code("J"), "name": "黑牛养殖联合社"},
        headers=api.clerk,
    )
    assert joint.status_code == 201, joint.text
    assert joint.json()["kind"] == "joint" and joint.json()["alliance_code"] == alliance
    left = api.client.post(
        f"/v1/alliances/{alliance}/villages/{villages[1]}/leave",
        json={"date": "2025-06-30", "reason": "撤并"},
        headers=api.clerk,
    )
    assert left.status_code == 200, left.text
    members = {m["village_code"]: m for m in left.json()["members"]}
    assert members[villages[1]]["left_on"] == "2025-06-30"
    assert (
        api.client.get(f"/v1/alliances/{alliance}", headers=api.auditor).json()["joint_entity_code"]
        == joint.json()["code"]
    )
    assert_problem(
        api.client.get("/v1/alliances/NOPE", headers=api.auditor), 404, "alliance-not-found"
    )
    assert_problem(
        api.client.get("/v1/entities/NOPE/entries/2025-0001", headers=api.auditor),
        404,
        "entity-not-found",
    )
    assert_problem(post_entry(api, "NOPE", receipt("1.00")), 404, "entity-not-found")
    assert_problem(api.client.post("/v1/alliances", json={}, headers=api.admin), 422, "validation")
