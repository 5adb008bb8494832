"""三资 over HTTP on a Scenario A store (one store: what is pinned is the routes, the domain's
rules are the application tests'): a project from 立项 to its statement, a card's depreciation
month by month and a township's run, disposal, leases and rent, refusals in Chinese with
nothing written, another township's clerk refused, and the public QR page with its code."""

from __future__ import annotations

import re
from typing import Any

import pytest

from documents.asset_identity import label_code
from tests.assets_world import CARD, JOINT, LEASE, PERSON, TRACTOR, cold_store
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_project_from_plan_to_statement_over_http(scenario_a_api: Api) -> None:
    api = scenario_a_api
    c, admin = api.client, api.admin
    grant = {"programme": "XMFZ", "amount": "60000.00", "date": "2026-03-02", "memo": "奖补"}
    ok(c.post(f"/v1/joint-entities/{JOINT}/grants", headers=admin, json=grant))
    body = {
        "code": "XM-H",
        "entity": JOINT,
        "name": "烘干房",
        "kind": "facility",
        "budget": {"土建": "50000.00", "设备": "10000.00"},
        "funding": [{"kind": "grant", "source": "XMFZ", "amount": "60000.00"}],
        "planned_on": "2026-03-03",
    }
    planned = ok(c.post("/v1/projects", json=body, headers=admin))["project"]
    assert planned["approval_required"] and not planned["approved"]
    assert planned["account"] == "153XMH" and planned["progress"] == "0.00"
    # ¥60,000.00 is a major matter: no cost before its 决议, refused in Chinese, nothing written
    head = api.runtime.views.head()
    cost = {"date": "2026-03-10", "item": "土建", "amount": "50000.00", "grant": "XMFZ"}
    early = c.post("/v1/projects/XM-H/costs", json=cost, headers={**admin, "Accept-Language": "zh"})
    assert early.status_code == 409 and "决议" in early.json()["detail"]
    assert api.runtime.views.head() == head
    vote = {"expected": 9, "present": 9, "votes_for": 9, "votes_against": 0, "abstentions": 0}
    for step, day, extra in (
        ("提议", "2026-03-04", {}),
        ("商议", "2026-03-05", vote),
        ("审议", "2026-03-06", vote),
        ("决议", "2026-03-07", {**vote, "assembly": "representatives"}),
    ):
        step_body = {"step": step, "date": day, "body": "成员代表会议", **extra}
        ok(c.post("/v1/projects/XM-H/steps", json=step_body, headers=admin))
    paid = ok(c.post("/v1/projects/XM-H/costs", json=cost, headers=admin))
    assert paid["project"]["cost"] == "50000.00" and len(paid["entries"]) == 1
    # beyond what the item's budget has left (¥10,000.00): refused, nothing written
    head = api.runtime.views.head()
    more = {**cost, "item": "设备", "amount": "10000.01"}
    assert refused(c.post("/v1/projects/XM-H/costs", json=more, headers=admin), 409)
    assert api.runtime.views.head() == head
    ok(c.post("/v1/projects/XM-H/costs", json={**more, "amount": "10000.00"}, headers=admin))
    # shares not adding up to 1: refused
    completion = {
        "date": "2026-03-31",
        "assets": [{"number": "GZ-H", "name": "烘干房", "life_months": 120}],
        "owners": {"V01": "0.5", "V02": "0.4"},
    }
    assert refused(c.post("/v1/projects/XM-H/completion", json=completion, headers=admin), 422)
    completion["owners"] = {"V01": "0.5", "V02": "0.3", "V03": "0.2"}
    done = ok(c.post("/v1/projects/XM-H/completion", json=completion, headers=admin))
    assert done["project"]["state"] == "completed" and len(done["entries"]) == 2
    income = {"date": "2026-05-10", "kind": "other", "amount": "1000.00", "memo": "烘干服务费"}
    ok(c.post("/v1/projects/XM-H/income", json=income, headers=admin))
    april = {"month": "2026-04"}
    ok(c.post(f"/v1/entities/{JOINT}/depreciation-runs", json=april, headers=admin), 200)
    # 60,000.00 × 95% / 120 = 475.00 a month; earned 1,000.00; result 525.00; 0.88% of 60,000
    statement = ok(c.get("/v1/projects/XM-H/statement?period=2026", headers=admin), 200)
    assert {k: statement[k] for k in ("invested", "depreciated", "earned", "result")} == {
        "invested": "60000.00",
        "depreciated": "475.00",
        "earned": "1000.00",
        "result": "525.00",
    }
    assert statement["return_percent"] == "0.88"
    assert [(o["owner"], o["result"]) for o in statement["owners"]] == [
        ("V01", "262.50"),
        ("V02", "157.50"),
        ("V03", "105.00"),
    ]
    listed = ok(c.get(f"/v1/projects?entity={JOINT}", headers=api.auditor), 200)
    assert [p["code"] for p in listed] == ["XM-H"]
    # a clerk of another township: refused before anything is written
    head = api.runtime.views.head()
    other = c.post("/v1/projects/XM-H/income", json=income, headers=api.other_clerk)
    assert other.status_code == 403 and api.runtime.views.head() == head
    assert c.get("/v1/projects/NOPE", headers=admin).status_code == 404


def test_cards_runs_leases_and_the_public_page_over_http(scenario_a_api: Api) -> None:
    api = scenario_a_api
    c, admin = api.client, api.admin
    cold_store(api.runtime.app, rent_and_run=False)
    api.runtime.views.catch_up()
    head = api.runtime.views.head()
    path = f"/v1/entities/{JOINT}/depreciation-preview?month=2026-04"
    preview = ok(c.get(path, headers=admin), 200)
    assert (preview["total"], preview["done"]) == ("316.67", False)
    assert preview["owners"] == {"V01": "158.34", "V02": "95.00", "V03": "63.33"}
    assert api.runtime.views.head() == head  # a preview writes nothing
    # the township's run: J01's April (the tractor of V01 starts in May)
    township = ok(
        c.post(
            "/v1/townships/唐坊镇/depreciation-runs",
            json={"month": "2026-04"},
            headers={**admin, "Idempotency-Key": "run-april"},
        ),
        200,
    )
    books = {b["entity"]: b for b in township["books"]}
    assert set(books) == {JOINT, "V01"}
    assert books[JOINT]["written"] and books[JOINT]["total"] == "316.67"
    assert not books["V01"]["written"] and "没有需要计提" in books["V01"]["message"]
    again = c.post(
        "/v1/townships/唐坊镇/depreciation-runs",
        json={"month": "2026-04"},
        headers={**admin, "Idempotency-Key": "run-april-2"},
    ).json()
    assert "已经计提过" in {b["entity"]: b for b in again["books"]}[JOINT]["message"]
    # the same request again (its key): each book's answer as first given, nothing written
    head = api.runtime.views.head()
    replay = c.post(
        "/v1/townships/唐坊镇/depreciation-runs",
        json={"month": "2026-04"},
        headers={**admin, "Idempotency-Key": "run-april"},
    )
    assert replay.json() == township and api.runtime.views.head() == head
    # May not run: June is refused for J01, with the month to run first
    skipped = c.post(
        f"/v1/entities/{JOINT}/depreciation-runs", json={"month": "2026-06"}, headers=admin
    )
    assert skipped.status_code == 409 and "2026-05" in skipped.json()["detail"]
    rent = ok(
        c.post(
            f"/v1/entities/{JOINT}/assets/{CARD}/leases/{LEASE}/rent",
            json={"period": "2026-04", "date": "2026-04-05"},
            headers=admin,
        )
    )
    lease = {x["lease"]: x for x in rent["asset"]["leases"]}[LEASE]
    assert lease["received"] == "500.00" and lease["lessee"] == PERSON
    card = ok(c.get(f"/v1/entities/{JOINT}/assets/{CARD}", headers=admin), 200)
    assert (card["original"], card["accumulated"], card["net"]) == (
        "40000.00",
        "316.67",
        "39683.33",
    )
    table = ok(c.get(f"/v1/entities/{JOINT}/depreciation?period=2026", headers=admin), 200)
    assert table["total"] == "316.67"
    # disposal of the tractor (never depreciated: 12,000.00 net, sold for 11,000.00: a loss)
    sold = ok(
        c.post(
            f"/v1/entities/V01/assets/{TRACTOR}/disposal",
            json={"date": "2026-04-30", "kind": "sale", "proceeds": "11000.00"},
            headers=admin,
        )
    )
    assert sold["result"] == "-1000.00" and sold["asset"]["status"] == "disposed"
    twice = c.post(
        f"/v1/entities/V01/assets/{TRACTOR}/disposal",
        json={"date": "2026-05-01", "kind": "scrap"},
        headers=admin,
    )
    assert twice.status_code == 409
    # the public page: its code opens it, a person masked; a wrong code and no card: 404 alike
    code = label_code(api.runtime.vault.index, JOINT, CARD)
    page = c.get(f"/public/assets/{JOINT}/{CARD}?code={code}")
    assert page.status_code == 200
    assert "冷库" in page.text and "张*明" in page.text and PERSON not in page.text
    assert "纽澜地" in page.text and "50%" in page.text
    wrong = c.get(f"/public/assets/{JOINT}/{CARD}?code=XXXXXXXXXX")
    nowhere = c.get(f"/public/assets/{JOINT}/NOPE?code={code}")
    assert wrong.status_code == nowhere.status_code == 404
    assert re.sub(r"\s+", "", wrong.text) == re.sub(r"\s+", "", nowhere.text)
    # another township's clerk cannot run 唐坊镇's month
    other = c.post(
        "/v1/townships/唐坊镇/depreciation-runs", json={"month": "2026-05"}, headers=api.other_clerk
    )
    assert other.status_code == 403
