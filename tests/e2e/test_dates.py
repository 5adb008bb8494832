"""Dates that mean something (issue 9, points 3 and 4), through the HTTP API on both stores.

Point 3: date arithmetic is total (a term from 29 February ends on 28 February), so no stored
fact makes a view answer 500 later. Point 4: nothing is dated after today, a disclosure is
checked within or after its period, 四议两公开 follows its order from the record date, and a
period label is ``2025``, ``2025-Q1`` or ``2025-03`` everywhere.
"""

from __future__ import annotations

from typing import Any

from scripts import scenario_a as A
from tests.conftest import TODAY
from tests.e2e.conftest import Api
from tests.e2e.test_scenario_a import (
    enterprise_pays,
    get,
    jsonable,
    pool_capital_and_land,
    post,
    set_up_alliance,
)


def events(api: Api) -> int:
    return api.runtime.views.head()


def attempt(api: Api, path: str, body: dict[str, Any]) -> Any:
    return api.client.post(path, json=jsonable(body), headers=api.clerk)


def refused(api: Api, path: str, body: dict[str, Any], status: int = 422) -> dict[str, Any]:
    """Post ``body`` and assert it is refused with ``status`` and that nothing was written."""
    before = events(api)
    response = attempt(api, path, body)
    assert response.status_code == status, f"{path}: {response.status_code} {response.text}"
    assert events(api) == before, f"{path} wrote events although refused"
    found: dict[str, Any] = response.json()
    return found


# -- point 3: total date arithmetic ------------------------------------------------------------


def test_a_leap_day_land_share_leaves_every_view_answering(api: Api) -> None:
    """The defect: this share was saved, then the equity register and every new plan of the
    alliance answered 500."""
    # the last leap day before today is 2024-02-29: an alliance formed in 2024
    post(
        api,
        "/v1/alliances",
        {
            "code": "LEAP",
            "name": "闰日联村",
            "township": "唐坊镇",
            "county": "高青县",
            "model": "村企联建",
            "formed_on": "2024-01-01",
        },
    )
    post(
        api,
        "/v1/villages",
        {
            "code": "L01",
            "name": "闰村",
            "township": "唐坊镇",
            "county": "高青县",
            "population": 100,
            "households": 30,
        },
    )
    post(api, "/v1/alliances/LEAP/villages", {"village": "L01", "date": "2024-01-01"})
    post(api, "/v1/alliances/LEAP/joint-entity", {"code": "LJ", "name": "闰日联合社"})
    post(
        api,
        "/v1/entities/LJ/opening-balances",
        {
            "as_of": "2024-01-01",
            "balances": [
                {"account": "102", "side": "debit", "amount": "1000.00"},
                {"account": "322", "side": "credit", "amount": "1000.00"},
            ],
        },
        status=200,
    )
    post(
        api,
        "/v1/joint-entities/LJ/land-shares",
        {
            "village": "L01",
            "mu": "10",
            "grade": "1.0",
            "value_per_mu": "100.00",
            "term_years": 1,
            "date": "2024-02-29",
        },
    )
    # in force on its last day, 2025-02-27, and no longer on 2025-02-28
    last_day = get(api, "/v1/joint-entities/LJ/equity", as_of="2025-02-27")
    assert last_day["villages"][0]["land_basis"] == "10"
    assert last_day["villages"][0]["land"][0]["until"] == "2025-02-28"
    ended = get(api, "/v1/joint-entities/LJ/equity", as_of="2025-02-28")
    assert all(not v["land"] for v in ended["villages"])
    get(api, "/v1/joint-entities/LJ/equity")
    plan = post(
        api,
        "/v1/plans",
        {
            "code": "P-LEAP",
            "title": "闰日分配",
            "scope": {"kind": "alliance", "code": "LEAP"},
            "period": "2024",
            "as_of": "2024-12-31",
            "amount": "100.00",
            "rule": {"tiers": [{"kind": "weighted", "weights": {"land": "100"}}]},
        },
    )
    assert plan["state"] == "drafted"


def test_an_agreement_due_on_29_february_is_due_on_28_february_in_other_years(api: Api) -> None:
    set_up_alliance(api)
    post(api, "/v1/agreements", {**A.AGREEMENT_TERMS, "payment_due": "02-29"})
    terms = get(api, f"/v1/agreements/{A.AGREEMENT}")
    days = {row["year"]: row["payment_due"] for row in terms["by_year"]}
    assert days[2025] == "2025-02-28"
    assert days[2028] == "2028-02-29"
