"""Dates that mean something (issue 9, points 3 and 4), through the HTTP API on both stores.

Point 3: date arithmetic is total (a term from 29 February ends on 28 February), so no stored
fact makes a view answer 500 later. Point 4: nothing is dated after today, a disclosure is
checked within or after its period, 四议两公开 follows its order from the record date, and a
period label is ``2025``, ``2025-Q1`` or ``2025-03`` everywhere.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

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
                {"account": "32202", "side": "credit", "amount": "1000.00"},
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


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_an_agreement_due_on_29_february_is_due_on_28_february_in_other_years(api: Api) -> None:
    set_up_alliance(api)
    post(api, "/v1/agreements", {**A.AGREEMENT_TERMS, "payment_due": "02-29"})
    terms = get(api, f"/v1/agreements/{A.AGREEMENT}")
    days = {row["year"]: row["payment_due"] for row in terms["by_year"]}
    assert days[2025] == "2025-02-28"
    assert days[2028] == "2028-02-29"


# -- point 4: nothing dated after today ------------------------------------------------------

TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()


def _future(api: Api, path: str, body: dict[str, Any], field: str = "date") -> None:
    problem = refused(api, path, body)
    assert problem["type"] == "urn:lianzhang:problem:future-date", problem
    assert problem["field"] == field, problem
    assert f"after today ({TODAY})" in problem["detail"], problem


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_no_entry_is_dated_after_today(api: Api) -> None:
    set_up_alliance(api)
    post(api, "/v1/agreements", A.AGREEMENT_TERMS)
    entry = post(
        api,
        "/v1/entities/V01/entries",
        {
            "date": "2025-03-01",
            "memo": "购入饲料",
            "postings": [
                {"account": "511", "side": "debit", "amount": "10.00"},
                {"account": "102", "side": "credit", "amount": "10.00"},
            ],
        },
    )
    cash = {"date": TOMORROW, "amount": "10.00", "account": "503", "memo": "补助"}
    for path, body in [
        (
            "/v1/entities/V01/entries",
            {
                "date": TOMORROW,
                "memo": "购入饲料",
                "postings": [
                    {"account": "511", "side": "debit", "amount": "10.00"},
                    {"account": "102", "side": "credit", "amount": "10.00"},
                ],
            },
        ),
        (
            f"/v1/entities/V01/entries/{entry['number']}/reversal",
            {"date": TOMORROW, "reason": "错"},
        ),
        ("/v1/entities/V01/receipts", cash),
        ("/v1/entities/V01/payments", {**cash, "account": "511"}),
        (
            f"/v1/joint-entities/{A.JOINT}/capital-contributions",
            {"village": "V01", "programme": A.PROGRAMME, "amount": "1.00", "date": TOMORROW},
        ),
        (
            f"/v1/joint-entities/{A.JOINT}/land-shares",
            {
                "village": "V01",
                "mu": "1",
                "grade": "1.0",
                "value_per_mu": "1.00",
                "term_years": 1,
                "date": TOMORROW,
            },
        ),
        (
            f"/v1/joint-entities/{A.JOINT}/grants",
            {"programme": A.PROGRAMME, "amount": "1.00", "date": TOMORROW},
        ),
        (
            f"/v1/agreements/{A.AGREEMENT}/dividends",
            {"year": 2026, "amount": "1.00", "date": TOMORROW},
        ),
    ]:
        _future(api, path, body)


def _plan_ready(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    post(api, "/v1/plans", A.ALLIANCE_PLAN_BODY)


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_no_step_or_execution_is_dated_after_today(api: Api) -> None:
    _plan_ready(api)
    _future(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", {**A.ALLIANCE_STEPS[0], "date": TOMORROW})
    for step in A.ALLIANCE_STEPS:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    _future(api, f"/v1/plans/{A.ALLIANCE_PLAN}/execution-request", {"date": TOMORROW})


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_a_plan_record_date_is_not_after_today(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    _future(api, "/v1/plans", {**A.ALLIANCE_PLAN_BODY, "as_of": TOMORROW}, field="as_of")


# -- point 4: 四议两公开 in order, from the record date ----------------------------------------


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_steps_keep_their_order(api: Api) -> None:
    """Held before issue 9 already (kept as a regression): 商议 before 提议 is a 409."""
    _plan_ready(api)
    problem = refused(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", A.ALLIANCE_STEPS[1], 409)
    assert "before 提议" in problem["detail"]


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_no_step_before_the_plan_record_date(api: Api) -> None:
    _plan_ready(api)  # record date (as_of) 2025-12-31
    problem = refused(
        api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", {**A.ALLIANCE_STEPS[0], "date": "2025-12-30"}
    )
    assert problem["field"] == "date"
    assert "2025-12-31" in problem["detail"], problem


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_no_execution_before_the_resolution_is_published(api: Api) -> None:
    _plan_ready(api)
    for step in A.ALLIANCE_STEPS:
        post(api, f"/v1/plans/{A.ALLIANCE_PLAN}/steps", step)
    for path in ("execution-request", "execution"):  # asked for or executed: the same rule
        problem = refused(api, f"/v1/plans/{A.ALLIANCE_PLAN}/{path}", {"date": "2026-01-10"})
        assert problem["field"] == "date" and "2026-01-11" in problem["detail"]


# -- point 4: disclosure check date ----------------------------------------------------------


def _sheet(api: Api, period: str, checked_on: str) -> tuple[str, dict[str, Any]]:
    return (
        "/v1/villages/V01/disclosures",
        {"period": period, "checked_by": ["王会计", "李组长"], "checked_on": checked_on},
    )


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_a_disclosure_is_checked_within_or_after_its_period_and_not_after_today(
    api: Api,
) -> None:
    set_up_alliance(api)
    early = refused(api, *_sheet(api, "2026-Q1", "2025-12-31"))
    assert early["field"] == "checked_on"
    assert "2026-01-01" in early["detail"], early
    _future(api, *_sheet(api, "2026-Q1", TOMORROW), field="checked_on")
    within = attempt(api, *_sheet(api, "2026-Q1", "2026-03-31"))
    assert within.status_code == 201, within.text


# -- point 4: period labels ------------------------------------------------------------------


@pytest.mark.one_store  # a date rule; the views over stored dates above run on both stores
def test_a_period_label_is_2025_2025_q1_or_2025_03_everywhere(api: Api) -> None:
    set_up_alliance(api)
    pool_capital_and_land(api)
    enterprise_pays(api)
    for label in ("2025年度", "2025-3", "2025Q1", "2025-Q5", "2025-13", "25", ""):
        problem = refused(api, "/v1/plans", {**A.ALLIANCE_PLAN_BODY, "period": label})
        assert problem["type"] == "urn:lianzhang:problem:invalid-period", (label, problem)
        assert problem["field"] == "period"
        problem = refused(api, *_sheet(api, label, "2026-04-03"))
        assert problem["type"] == "urn:lianzhang:problem:invalid-period", (label, problem)
        for path in (
            "/v1/entities/V01/statements/balance-sheet",
            "/v1/villages/V01/disclosures/{label}/draft",
            "/public/sheets/V01/{label}",
            "/public/sheets/V01/{label}/v1",
        ):
            response = api.client.get(
                path.format(label=label),
                params={"period": label},
                headers={**api.auditor, "Accept": "application/json"},  # /public: a page else
            )
            if not label and "{label}" in path:
                continue  # an empty path segment is another URL
            assert response.status_code == 422, (path, label, response.text)
            assert response.json()["type"] == "urn:lianzhang:problem:invalid-period"
