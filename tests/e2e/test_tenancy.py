"""Tenancy: a clerk writes only in its townships, on every entity a command touches (not only
the route's own), and a village belongs to one alliance at a time.

The story of issue 12: a clerk of 田镇 forms an alliance in 田镇, has 唐坊镇's village join it,
registers a joint entity and records capital and land rent that post into the village's books.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.builders import OPENING_BALANCES, code
from tests.e2e.conftest import Api, bearer
from web.tokens import TokenStore

PROBLEM = "application/problem+json"


def post(api: Api, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return api.client.post(path, json=body, headers=headers)


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:lianzhang:problem:{kind}", body
    return body


def village(api: Api, township: str = "唐坊镇") -> str:
    name = code("V")
    ok(
        post(
            api,
            "/v1/villages",
            {
                "code": name,
                "name": "仉家村",
                "township": township,
                "county": "高青县",
                "population": 1200,
                "households": 400,
            },
            api.admin,
        )
    )
    ok(
        post(
            api,
            f"/v1/entities/{name}/opening-balances",
            {"as_of": "2025-01-01", "balances": OPENING_BALANCES},
            api.admin,
        )
    )
    return name


def alliance(api: Api, township: str, headers: dict[str, str]) -> str:
    name = code("A")
    ok(
        post(
            api,
            "/v1/alliances",
            {
                "code": name,
                "name": "联村党委",
                "township": township,
                "county": "高青县",
                "model": "村村互助",
                "formed_on": "2025-01-01",
            },
            headers,
        )
    )
    return name


def join(api: Api, alliance_code: str, village_code: str, day: str, headers: Any) -> Any:
    return post(
        api,
        f"/v1/alliances/{alliance_code}/villages",
        {"village": village_code, "date": day},
        headers,
    )


def head(api: Api) -> int:
    return api.runtime.views.head()


def entries_of(api: Api, entity: str) -> int:
    listed = api.client.get(f"/v1/entities/{entity}/entries", headers=api.auditor).json()
    return int(listed["total"])


def tian_clerk(api: Api) -> dict[str, str]:
    return bearer(TokenStore(api.runtime.engine).create(code("clerk-tian-"), "clerk", ["田镇"]))


def test_a_clerk_of_another_township_cannot_pull_a_village_into_its_alliance(api: Api) -> None:
    v01 = village(api)
    home = alliance(api, "唐坊镇", api.admin)
    ok(join(api, home, v01, "2025-01-10", api.admin))
    tian = tian_clerk(api)
    foreign = alliance(api, "田镇", tian)
    before = head(api)
    refused = problem(join(api, foreign, v01, "2025-02-01", tian), 403, "forbidden-township")
    assert v01 in refused["detail"] and "唐坊镇" in refused["detail"]
    assert head(api) == before
    # its membership of the real alliance is untouched
    assert (
        api.client.get(f"/v1/entities/{v01}", headers=api.auditor).json()["alliance_code"] == home
    )


def test_a_village_belongs_to_one_alliance_at_a_time(api: Api) -> None:
    v01 = village(api)
    home = alliance(api, "唐坊镇", api.admin)
    other = alliance(api, "唐坊镇", api.admin)
    ok(join(api, home, v01, "2025-01-10", api.admin))
    before = head(api)
    refused = problem(join(api, other, v01, "2025-02-01", api.admin), 409, "membership")
    assert home in refused["detail"] and v01 in refused["detail"]
    assert head(api) == before
    # leaving the first alliance frees it; joining before the day it left overlaps and is refused
    ok(
        post(
            api,
            f"/v1/alliances/{home}/villages/{v01}/leave",
            {"date": "2025-06-30", "reason": "并入新联村"},
            api.admin,
        )
    )
    early = problem(join(api, other, v01, "2025-06-01", api.admin), 422, "invalid")
    assert "2025-06-30" in early["detail"]
    ok(join(api, other, v01, "2025-06-30", api.admin))
    assert (
        api.client.get(f"/v1/entities/{v01}", headers=api.auditor).json()["alliance_code"] == other
    )


def test_capital_and_land_rent_cannot_post_into_another_townships_books(api: Api) -> None:
    """Even when the village really is a member (an admin joined it across townships), a clerk
    of the alliance's township cannot write into the village's books."""
    v01 = village(api)
    tian = tian_clerk(api)
    foreign = alliance(api, "田镇", tian)
    ok(join(api, foreign, v01, "2025-01-10", api.admin))
    joint = code("J")
    ok(post(api, f"/v1/alliances/{foreign}/joint-entity", {"code": joint, "name": "联合社"}, tian))
    ok(
        post(
            api,
            f"/v1/joint-entities/{joint}/grants",
            {"programme": "CZFC", "amount": "50000.00", "date": "2025-01-20", "memo": "奖补"},
            tian,
        )
    )
    before = head(api)
    capital = post(
        api,
        f"/v1/joint-entities/{joint}/capital-contributions",
        {"village": v01, "programme": "CZFC", "amount": "100000.00", "date": "2025-02-01"},
        tian,
    )
    assert v01 in problem(capital, 403, "forbidden-township")["detail"]
    rent = post(
        api,
        f"/v1/joint-entities/{joint}/land-rent",
        {"village": v01, "mu": "100", "rate_per_mu": "800.00", "year": 2025, "date": "2025-02-01"},
        tian,
    )
    problem(rent, 403, "forbidden-township")
    land = post(
        api,
        f"/v1/joint-entities/{joint}/land-shares",
        {
            "village": v01,
            "mu": "100",
            "grade": "1",
            "value_per_mu": "1000.00",
            "term_years": 5,
            "date": "2025-02-01",
        },
        tian,
    )
    problem(land, 403, "forbidden-township")
    assert head(api) == before
    assert entries_of(api, v01) == 0
    # the admin may: the same contribution lands in both books
    ok(
        post(
            api,
            f"/v1/joint-entities/{joint}/capital-contributions",
            {"village": v01, "programme": "CZFC", "amount": "1000.00", "date": "2025-02-01"},
            api.admin,
        )
    )
    assert entries_of(api, v01) == 1


def test_leaving_an_alliance_leaves_the_villages_other_membership_alone(api: Api) -> None:
    """A store older than the one-alliance rule may hold a village in two alliances (as the
    issue's 田镇 clerk left it); leaving one no longer clears the other."""
    v01 = village(api)
    real = alliance(api, "唐坊镇", api.admin)
    stray = alliance(api, "唐坊镇", api.admin)
    app = api.runtime.app
    for name in (real, stray):  # what the old code recorded: only the alliances
        target = app.get_alliance(name)
        target.join_village(village_code=v01, joined_on=date(2025, 1, 10), actor="old")
        app.save(target)
    ok(
        post(
            api,
            f"/v1/alliances/{stray}/villages/{v01}/leave",
            {"date": "2025-03-01", "reason": "误加入"},
            api.admin,
        )
    )
    entity = api.client.get(f"/v1/entities/{v01}", headers=api.auditor).json()
    assert entity["alliance_code"] == real
    members = api.client.get(f"/v1/alliances/{real}", headers=api.auditor).json()["members"]
    assert [(m["village_code"], m["left_on"]) for m in members] == [(v01, None)]
