"""Every write operation of the API, tried by a clerk of another township: no event may touch
an entity outside the clerk's townships.

The store holds Scenario A in 唐坊镇 (loaded as the demo loads it) and, for the indirect
attempts, an alliance of 花沟镇 (the clerk's own township) that an administrator gave a
唐坊镇 village as a member, with a joint entity, income and an approved plan. The clerk of
花沟镇 then tries every POST operation of the OpenAPI document, both on 唐坊镇's entities
(direct) and on its own entities naming 唐坊镇's village (indirect). A refusal (403, 404, 409,
422) is fine, and so is a write that stays in 花沟镇; a write into 唐坊镇 fails the test.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any
from uuid import UUID

import pytest

from api.routes.book_setup import EXAMPLE as SETUP_EXAMPLE
from domain.privacy import with_check_digit
from scripts import scenario_a as A
from scripts.demo import load_demo
from tests.assets_world import CARD, JOINT, LEASE, PROJECT, TRACTOR, cold_store
from tests.builders import OPENING_BALANCES, code, receipt
from tests.e2e.conftest import Api
from web.idempotency import idempotency_responses

HOME = "花沟镇"  # where api.other_clerk writes
FOREIGN = "唐坊镇"


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def admin(api: Api, path: str, body: dict[str, Any]) -> Any:
    response = api.client.post(path, json=jsonable(body), headers=api.admin)
    assert response.status_code in (200, 201), f"{path}: {response.text}"
    return response.json()


def new_village(api: Api, township: str) -> str:
    name = code("V")
    admin(
        api,
        "/v1/villages",
        {
            "code": name,
            "name": "村",
            "township": township,
            "county": "高青县",
            "population": 500,
            "households": 150,
        },
    )
    admin(
        api,
        f"/v1/entities/{name}/opening-balances",
        {"as_of": "2025-01-01", "balances": OPENING_BALANCES},
    )
    return name


def new_alliance(api: Api, township: str) -> str:
    name = code("A")
    admin(
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
    )
    return name


def approve(api: Api, plan: str, steps: list[dict[str, Any]]) -> None:
    for step in steps:
        admin(api, f"/v1/plans/{plan}/steps", step)


def set_up(api: Api) -> dict[str, str]:
    """Scenario A in 唐坊镇, and what the indirect attempts need in 花沟镇."""
    load_demo(api.runtime.app, say=lambda _: None)
    n: dict[str, str] = {}
    n["free"] = new_village(api, FOREIGN)  # a 唐坊镇 village in no alliance
    n["unopened"] = code("V")  # a 唐坊镇 village whose books are not set up (建账)
    admin(
        api,
        "/v1/villages",
        {
            "code": n["unopened"],
            "name": "村",
            "township": FOREIGN,
            "county": "高青县",
            "population": 1,
            "households": 1,
        },
    )
    n["bare_alliance"] = new_alliance(api, FOREIGN)  # a 唐坊镇 alliance without joint entity
    n["v01_entry"] = admin(
        api,
        "/v1/entities/V01/entries",
        {"date": "2026-02-01", "memo": "租金", "postings": receipt("100.00")},
    )["number"]
    admin(
        api,
        "/v1/entities/V03/entries",
        {"date": "2026-02-01", "memo": "租金", "postings": receipt("5000.00")},
    )
    admin(
        api,
        f"/v1/agreements/{A.AGREEMENT}/dividends",
        {"year": 2027, "amount": "100.00", "date": "2026-03-01"},
    )
    household_plan = {
        **A.HOUSEHOLD_PLAN_BODY,
        "as_of": "2026-02-01",
        "amount": "100.00",
        "period": "2026",
    }
    n["drafted"] = code("P")
    admin(api, "/v1/plans", {**household_plan, "code": n["drafted"]})
    n["approved"] = code("P")
    admin(api, "/v1/plans", {**household_plan, "code": n["approved"]})
    approve(
        api,
        n["approved"],
        [{**s, "date": datetime.date(2026, 2, 2 + i)} for i, s in enumerate(A.HOUSEHOLD_STEPS)],
    )
    # 花沟镇: an alliance with a 唐坊镇 member (an admin joined it), joint entity, income, plan
    n["home_alliance"] = new_alliance(api, HOME)
    n["member"] = new_village(api, FOREIGN)
    admin(
        api,
        f"/v1/alliances/{n['home_alliance']}/villages",
        {"village": n["member"], "date": "2025-01-01"},
    )
    n["home_joint"] = code("J")
    admin(
        api,
        f"/v1/alliances/{n['home_alliance']}/joint-entity",
        {"code": n["home_joint"], "name": "联合社"},
    )
    admin(
        api,
        f"/v1/entities/{n['home_joint']}/receipts",
        {"date": "2025-06-01", "amount": "9000.00", "account": "501", "memo": "经营收入"},
    )
    n["home_plan"] = code("P")
    admin(
        api,
        "/v1/plans",
        {
            "code": n["home_plan"],
            "title": "花沟联村分配",
            "scope": {"kind": "alliance", "code": n["home_alliance"]},
            "period": "2025",
            "as_of": "2025-12-31",
            "amount": "1000.00",
            "rule": {"tiers": [{"name": "按人口", "kind": "proportional", "basis": "population"}]},
        },
    )
    approve(api, n["home_plan"], A.ALLIANCE_STEPS)
    # a voucher of V01 (唐坊镇) submitted for review, prepared by someone other than the admin
    voucher = api.runtime.app.vouchers.draft_voucher(
        entity="V01",
        date=datetime.date(2026, 2, 1),
        summary="收款",
        lines=[{"account": "102", "debit": "1.00"}, {"account": "504", "credit": "1.00"}],
        actor="preparer-x",
    )
    api.runtime.app.vouchers.submit_voucher(draft=voucher.draft, actor="preparer-x")
    n["voucher"] = voucher.draft
    # and one posted (prepared and reviewed by two others), to be reversed or corrected
    posted = api.runtime.app.vouchers.draft_voucher(
        entity="V01",
        date=datetime.date(2026, 2, 2),
        summary="收款",
        lines=[{"account": "102", "debit": "2.00"}, {"account": "504", "credit": "2.00"}],
        actor="preparer-x",
    )
    api.runtime.app.vouchers.submit_voucher(draft=posted.draft, actor="preparer-x")
    api.runtime.app.vouchers.approve_voucher(draft=posted.draft, actor="reviewer-x")
    n["posted_voucher"] = posted.draft
    # issue 20: vouchers waiting for 审核 and for 记账, plans whose execution was asked for
    vouchers = api.runtime.app.vouchers
    for name, reviewed in (("voucher2", False), ("reviewed", True), ("reviewed2", True)):
        made = vouchers.draft_voucher(
            entity="V01",
            date=datetime.date(2026, 2, 1),
            summary="收款",
            lines=[{"account": "102", "debit": "1.00"}, {"account": "504", "credit": "1.00"}],
            actor="preparer-x",
        )
        vouchers.submit_voucher(draft=made.draft, actor="preparer-x")
        if reviewed:
            vouchers.approve_voucher(draft=made.draft, actor="reviewer-x")
        n[name] = made.draft
    # issue 21: a resource of V01 (唐坊镇), a contract on it with a receipt
    resources(api.runtime.app)
    plans = api.runtime.app.plans
    plans.request_execution(code=n["approved"], date=datetime.date(2026, 2, 20), actor="asker-x")
    plans.request_execution(code=n["home_plan"], date=datetime.date(2026, 1, 15), actor="asker-x")
    # issue 21: 三资 in 唐坊镇 (a completed project, cards, leases; tests/assets_world.py) and a
    # project of J01 still being built
    bank_and_cash(api.runtime.app)  # issue 22: before 三资 spends from V01's bank in 2025
    cold_store(api.runtime.app)
    admin(
        api,
        "/v1/projects",
        {
            "code": "XM-P",
            "entity": JOINT,
            "name": "围栏",
            "kind": "facility",
            "budget": {"材料": "1000.00"},
            "funding": [{"kind": "own", "source": "联合社", "amount": "1000.00"}],
            "planned_on": "2026-04-01",
        },
    )
    # 财务计划 (issue 22): V01's plan for 2026 approved and published, V02's only proposed
    for village in ("V01", "V02"):
        admin(api, "/v1/budgets", {**BUDGET, "entity": village})
    for step in BUDGET_STEPS:
        admin(api, "/v1/budgets/V01/2026/steps", step)
    api.runtime.views.catch_up()
    return n


def resources(app: Any) -> None:
    """V01's resource ZY-T and contract HT-T on it (2025-04-01 … 2027-03-31), one receipt."""
    day = datetime.date
    app.resources.register(
        entity="V01",
        code="ZY-T",
        name="东洼",
        kind="cropland",
        area="50",
        date=day(2025, 1, 2),
        actor="t",
    )
    app.contracts.register(
        entity="V01",
        code="HT-T",
        title="发包",
        kind="contracting",
        party_kind="person",
        party_name="张三",
        subject_kind="resource",
        subject_code="ZY-T",
        area="10",
        start=day(2025, 4, 1),
        end=day(2027, 3, 31),
        signed_on=day(2025, 3, 1),
        instalments=[(day(2025, 4, 1), "1000.00"), (day(2026, 4, 1), "1000.00")],
        actor="t",
    )
    app.contracts.record_payment(
        entity="V01", code="HT-T", date=day(2025, 4, 2), amount="500.00", actor="t"
    )


RESOURCE = {"name": "西洼", "kind": "cropland", "area": "60", "date": "2026-02-01"}
CONTRACT = {
    "title": "发包",
    "kind": "contracting",
    "party": {"kind": "person", "name": "李四"},
    "subject": {"kind": "resource", "code": "ZY-T"},
    "area": "5",
    "start": "2026-02-01",
    "end": "2026-12-31",
    "signed_on": "2026-02-01",
    "instalments": [{"due_on": "2026-02-01", "amount": "100.00"}],
}
BUDGET = {
    "year": 2026,
    "proposed_on": "2026-02-01",
    "lines": [{"accounts": ["513"], "amount": "100.00"}],
}
VOTE = {"expected": 5, "present": 5, "votes_for": 5, "votes_against": 0, "abstentions": 0}
BUDGET_STEPS: list[dict[str, Any]] = [
    {"step": "提议", "date": "2026-02-02", "body": "村党支部"},
    {"step": "商议", "date": "2026-02-02", "body": "两委", **VOTE},
    {"step": "审议", "date": "2026-02-02", "body": "党员大会", **VOTE},
    {
        "step": "决议",
        "date": "2026-02-02",
        "body": "代表会议",
        "assembly": "representatives",
        **VOTE,
    },
    {"step": "决议公开", "date": "2026-02-03", "body": "村委会", "place": "公开栏"},
]


def bank_and_cash(app: Any) -> None:
    """issue 22: V01's bank account on 102 from 2026-01-01 (its opening what the books had), a
    January statement, match M1 of two of its lines, and a cash count over by 1.00."""
    from domain.bank.statements import Statement, StatementLine
    from ledger.money import fen_text

    day = datetime.date
    books = app.get_books("V01")
    opening = app.books.balances_through(books, day(2025, 12, 31)).get("102", 0)
    app.bank.register_account(
        entity="V01", account="102", bank="高青农商银行", number="9001000123653021",
        start=day(2026, 1, 1), opening=fen_text(opening), actor="admin-1",
    )  # fmt: skip
    lines = tuple(
        StatementLine(day(2026, 1, 5 + i), amount)
        for i, amount in enumerate(("1", "-1", "2", "-2"))
    )
    statement = Statement(lines=lines, start=day(2026, 1, 1), end=day(2026, 1, 31))
    app.bank.import_statement(entity="V01", account="102", statement=statement, actor="admin-1")
    app.bank.match(entity="V01", account="102", groups=[(("S1-1", "S1-2"), ())], actor="admin-1")
    cash = app.books.balances_through(books, day(2026, 2, 1)).get("101", 0) + 100
    pieces = {"100": cash // 10000, "0.01": cash % 10000}
    app.cash.count(entity="V01", date=day(2026, 2, 1), pieces=pieces, actor="admin-1")


def attempts(n: dict[str, str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """For every POST operation (by its path template): the concrete requests to try."""
    village, joint, member = n["free"], n["home_joint"], n["member"]
    capital = {"programme": "CZFC", "amount": "100.00", "date": "2026-02-01"}
    land = {"mu": "10", "grade": "1", "value_per_mu": "100.00", "term_years": 5}
    rent = {"mu": "10", "rate_per_mu": "10.00", "year": 2026, "date": "2026-02-01"}
    cash = {"date": "2026-02-01", "amount": "1.00", "account": "504", "memo": "收入"}
    step = {**A.HOUSEHOLD_STEPS[0], "date": "2026-02-03"}
    candidates = [{"name": "平均", "rule": {"tiers": [{"name": "平均", "kind": "equal"}]}}]
    return {
        "/v1/alliances": [
            (
                "/v1/alliances",
                {
                    "code": code("A"),
                    "name": "x",
                    "township": township,
                    "county": "高青县",
                    "model": "村村互助",
                    "formed_on": "2025-01-01",
                },
            )
            for township in (FOREIGN, HOME)
        ],
        "/v1/alliances/{code}/villages": [
            (f"/v1/alliances/{A.ALLIANCE}/villages", {"village": village, "date": "2026-02-01"}),
            (
                f"/v1/alliances/{n['home_alliance']}/villages",
                {"village": village, "date": "2026-02-01"},
            ),
        ],
        "/v1/alliances/{code}/villages/{village}/leave": [
            (
                f"/v1/alliances/{A.ALLIANCE}/villages/V01/leave",
                {"date": "2026-02-01", "reason": "x"},
            ),
            (
                f"/v1/alliances/{n['home_alliance']}/villages/{member}/leave",
                {"date": "2026-02-01", "reason": "x"},
            ),
        ],
        "/v1/alliances/{code}/enterprises": [
            (
                f"/v1/alliances/{A.ALLIANCE}/enterprises",
                {"code": code("E"), "name": "企", "date": "2026-02-01"},
            )
        ],
        "/v1/alliances/{code}/joint-entity": [
            (f"/v1/alliances/{n['bare_alliance']}/joint-entity", {"code": code("J"), "name": "社"})
        ],
        "/v1/villages": [
            (
                "/v1/villages",
                {
                    "code": code("V"),
                    "name": "村",
                    "township": FOREIGN,
                    "county": "高青县",
                    "population": 1,
                    "households": 1,
                },
            )
        ],
        "/v1/entities/{code}/opening-balances": [
            (
                f"/v1/entities/{village}/opening-balances",
                {"as_of": "2025-01-01", "balances": OPENING_BALANCES},
            )
        ],
        "/v1/entities/{code}/entries": [
            (
                "/v1/entities/V01/entries",
                {"date": "2026-02-01", "memo": "x", "postings": receipt("1.00")},
            )
        ],
        "/v1/entities/{code}/voucher-batches": [
            (
                "/v1/entities/V01/voucher-batches",
                {
                    "vouchers": [
                        {"date": "2026-02-01", "memo": "批量", "postings": receipt("1.00")},
                        {"date": "2026-02-02", "memo": "批量", "postings": receipt("2.00")},
                    ]
                },
            )
        ],
        "/v1/entities/{code}/entries/{number}/reversal": [
            (
                f"/v1/entities/V01/entries/{n['v01_entry']}/reversal",
                {"date": "2026-02-01", "reason": "错"},
            )
        ],
        "/v1/entities/{code}/closed-months": [
            ("/v1/entities/V01/closed-months", {"month": "2025-01"})
        ],
        "/v1/entities/{code}/closed-months/{month}/reopening": [
            ("/v1/entities/V01/closed-months/2025-01/reopening", {"reason": "错"})
        ],
        "/v1/joint-entities/{joint}/capital-contributions": [
            (f"/v1/joint-entities/{A.JOINT}/capital-contributions", {"village": "V01", **capital}),
            (f"/v1/joint-entities/{joint}/capital-contributions", {"village": member, **capital}),
        ],
        "/v1/joint-entities/{joint}/land-shares": [
            (
                f"/v1/joint-entities/{A.JOINT}/land-shares",
                {"village": "V01", **land, "date": "2026-02-01"},
            ),
            (
                f"/v1/joint-entities/{joint}/land-shares",
                {"village": member, **land, "date": "2026-02-01"},
            ),
        ],
        "/v1/joint-entities/{joint}/land-rent": [
            (f"/v1/joint-entities/{A.JOINT}/land-rent", {"village": "V01", **rent}),
            (f"/v1/joint-entities/{joint}/land-rent", {"village": member, **rent}),
        ],
        "/v1/joint-entities/{joint}/grants": [
            (f"/v1/joint-entities/{A.JOINT}/grants", {**capital, "memo": "奖补"})
        ],
        "/v1/entities/{code}/receipts": [("/v1/entities/V01/receipts", cash)],
        "/v1/entities/{code}/payments": [("/v1/entities/V01/payments", {**cash, "account": "511"})],
        "/v1/agreements": [
            (
                "/v1/agreements",
                {
                    **jsonable(A.AGREEMENT_TERMS),
                    "code": code("AG"),
                },
            )
        ],
        "/v1/agreements/{code}/dividends": [
            (
                f"/v1/agreements/{A.AGREEMENT}/dividends",
                {"year": 2028, "amount": "1.00", "date": "2026-03-01"},
            )
        ],
        "/v1/agreements/{code}/dividend-receipts": [
            (
                f"/v1/agreements/{A.AGREEMENT}/dividend-receipts",
                {"year": 2027, "amount": "100.00", "date": "2026-03-02"},
            )
        ],
        "/v1/villages/{village}/register": [("/v1/villages/V01/register", {})],
        "/v1/villages/{village}/households": [
            (
                "/v1/villages/V03/households",
                {"number": "H99", "head": "张三", "registered_on": "2026-02-01"},
            )
        ],
        "/v1/villages/{village}/members": [
            (
                "/v1/villages/V03/members",
                {
                    "number": "H01-9",
                    "household": "H01",
                    "name": "李新",
                    "id_number": with_check_digit("37032219900101001"),
                    "joined_on": "2026-02-01",
                    "shares": {"人口股": "1"},
                },
            )
        ],
        "/v1/villages/{village}/members/{member}/shares": [
            (
                "/v1/villages/V03/members/H01-1/shares",
                {"shares": {"人口股": "2"}, "effective": "2026-02-01", "reason": "调整"},
            )
        ],
        "/v1/villages/{village}/members/{member}/leave": [
            ("/v1/villages/V03/members/H01-2/leave", {"date": "2026-02-01", "reason": "迁出"})
        ],
        "/v1/villages/{village}/members/{member}/forget": [
            ("/v1/villages/V03/members/H01-2/forget", {"reason": "本人申请删除"})
        ],
        "/v1/entities/{code}/setup": [
            (f"/v1/entities/{n['unopened']}/setup", {**SETUP_EXAMPLE, "dry_run": False})
        ],
        "/v1/entities/{code}/accounts": [
            ("/v1/entities/V01/accounts", {"code": "113X9", "name": "内部往来-X", "parent": "113"})
        ],
        "/v1/entities/{code}/accounts/{account}/name": [
            ("/v1/entities/V01/accounts/113X9/name", {"name": "内部往来-Y"})
        ],
        "/v1/entities/{code}/accounts/{account}/retirement": [
            ("/v1/entities/V01/accounts/113X9/retirement", {})
        ],
        "/v1/entities/{code}/year-end-closings": [
            ("/v1/entities/V01/year-end-closings", {"year": 2025})
        ],
        "/v1/entities/{code}/year-end-closings/{year}/reopening": [
            ("/v1/entities/V01/year-end-closings/2025/reopening", {"reason": "重新结转"})
        ],
        "/v1/joint-entities/{joint}/capital-refunds": [
            (
                f"/v1/joint-entities/{A.JOINT}/capital-refunds",
                {"village": "V01", "date": "2026-02-01", "reason": "退还"},
            ),
            (
                f"/v1/joint-entities/{joint}/capital-refunds",
                {"village": member, "date": "2026-02-01", "reason": "退还"},
            ),
        ],
        "/v1/joint-entities/{joint}/land-rent-corrections": [
            (
                f"/v1/joint-entities/{A.JOINT}/land-rent-corrections",
                {"entry": "2025-0001", "date": "2026-02-01", "reason": "更正"},
            )
        ],
        "/v1/agreements/{code}/dividend-corrections": [
            (
                f"/v1/agreements/{A.AGREEMENT}/dividend-corrections",
                {
                    "entry": "2025-0001",
                    "year": 2025,
                    "amount": "1.00",
                    "date": "2026-03-01",
                    "reason": "更正",
                },
            )
        ],
        "/v1/agreements/{code}/guarantee-shortfalls": [
            (
                f"/v1/agreements/{A.AGREEMENT}/guarantee-shortfalls",
                {"year": 2025, "date": "2026-03-01"},
            )
        ],
        "/v1/allocation-previews": [
            (
                "/v1/allocation-previews",
                {
                    "amount": "10.00",
                    "tiers": [{"name": "平均", "kind": "equal"}],
                    "parties": [{"code": "V01", "name": "a"}, {"code": "V02", "name": "b"}],
                },
            )
        ],
        "/v1/plans": [
            (
                "/v1/plans",
                {
                    **jsonable(A.HOUSEHOLD_PLAN_BODY),
                    "code": code("P"),
                    "as_of": "2026-02-01",
                    "amount": "10.00",
                    "period": "2026",
                },
            )
        ],
        "/v1/plans/{code}/steps": [(f"/v1/plans/{n['drafted']}/steps", jsonable(step))],
        "/v1/plans/{code}/execution": [
            (f"/v1/plans/{n['approved']}/execution", {"date": "2026-02-20"}),
            (f"/v1/plans/{n['home_plan']}/execution", {"date": "2026-01-15"}),
        ],
        "/v1/plans/{code}/execution-request": [
            (f"/v1/plans/{n['approved']}/execution-request", {"date": "2026-02-20"}),
            (f"/v1/plans/{n['home_plan']}/execution-request", {"date": "2026-01-15"}),
        ],
        "/v1/plans/{code}/execution-request/cancellation": [
            (f"/v1/plans/{n['home_plan']}/execution-request/cancellation", {"reason": "改日"}),
        ],
        "/v1/villages/{village}/disclosures": [
            (
                "/v1/villages/V01/disclosures",
                {"period": "2026-Q1", "checked_by": ["王"], "checked_on": "2026-04-02"},
            )
        ],
        "/v1/joint-entities/{joint}/disclosures": [
            (
                f"/v1/joint-entities/{A.JOINT}/disclosures",
                {"period": "2026-Q1", "checked_by": ["王"], "checked_on": "2026-04-02"},
            )
        ],
        "/v1/fairness/comparisons": [
            ("/v1/fairness/comparisons", {"plan": A.ALLIANCE_PLAN, "candidates": candidates})
        ],
        "/v1/entities/{code}/vouchers": [
            (
                "/v1/entities/V01/vouchers",
                {
                    "date": "2026-02-01",
                    "summary": "收款",
                    "lines": [
                        {"account": "102", "debit": "1.00"},
                        {"account": "504", "credit": "1.00"},
                    ],
                },
            )
        ],
        "/v1/vouchers/{draft}/submit": [(f"/v1/vouchers/{n['voucher']}/submit", {})],
        "/v1/vouchers/{draft}/withdraw": [(f"/v1/vouchers/{n['voucher']}/withdraw", {})],
        "/v1/vouchers/{draft}/approve": [(f"/v1/vouchers/{n['voucher']}/approve", {})],
        "/v1/vouchers/{draft}/return": [(f"/v1/vouchers/{n['voucher']}/return", {"reason": "x"})],
        "/v1/vouchers/{draft}/post": [(f"/v1/vouchers/{n['reviewed']}/post", {})],
        "/v1/vouchers/{draft}/unreview": [(f"/v1/vouchers/{n['reviewed']}/unreview", {})],
        "/v1/voucher-reviews": [("/v1/voucher-reviews", {"drafts": [n["voucher2"]]})],
        "/v1/voucher-postings": [("/v1/voucher-postings", {"drafts": [n["reviewed2"]]})],
        "/v1/vouchers/{draft}/attachments": [(f"/v1/vouchers/{n['voucher']}/attachments", {})],
        "/v1/vouchers/{draft}/void": [(f"/v1/vouchers/{n['voucher']}/void", {"reason": "x"})],
        "/v1/vouchers/{draft}/reversal": [
            (
                f"/v1/vouchers/{n['posted_voucher']}/reversal",
                {"date": "2026-02-03", "reason": "金额录错"},
            )
        ],
        "/v1/vouchers/{draft}/correction": [
            (
                f"/v1/vouchers/{n['posted_voucher']}/correction",
                {
                    "date": "2026-02-03",
                    "summary": "更正",
                    "lines": [
                        {"account": "102", "debit": "3.00"},
                        {"account": "504", "credit": "3.00"},
                    ],
                },
            )
        ],
        "/v1/townships/{township}/settings": [
            (f"/v1/townships/{township}/settings", {"numbering": "yearly", "review_posts": True})
            for township in (FOREIGN, HOME)
        ],
        "/v1/townships/{township}/signers": [
            (f"/v1/townships/{township}/signers", {"supervisor": "王主管"})
            for township in (FOREIGN, HOME)
        ],
        "/v1/entities/{code}/resources": [
            ("/v1/entities/V01/resources", {**RESOURCE, "code": code("ZY")}),
            (f"/v1/entities/{n['home_joint']}/resources", {**RESOURCE, "code": code("ZY")}),
        ],
        "/v1/entities/{code}/resources/{resource}/changes": [
            (
                "/v1/entities/V01/resources/ZY-T/changes",
                {**RESOURCE, "area": "55", "reason": "测量"},
            )
        ],
        "/v1/entities/{code}/resources/{resource}/land-shares": [
            (
                "/v1/entities/V01/resources/ZY-T/land-shares",
                {"joint": A.JOINT, "date": "2025-01-15", "mu": "500"},
            )
        ],
        "/v1/entities/{code}/resources/{resource}/retirement": [
            ("/v1/entities/V01/resources/ZY-T/retirement", {"reason": "征收", "date": "2028-01-01"})
        ],
        "/v1/entities/{code}/contracts": [
            ("/v1/entities/V01/contracts", {**CONTRACT, "code": code("HT")}),
        ],
        "/v1/entities/{code}/contracts/{contract}/payments": [
            ("/v1/entities/V01/contracts/HT-T/payments", {"date": "2026-02-01", "amount": "1.00"})
        ],
        "/v1/entities/{code}/contracts/{contract}/payments/{number}/reversal": [
            (
                "/v1/entities/V01/contracts/HT-T/payments/1/reversal",
                {"date": "2026-02-01", "reason": "错"},
            )
        ],
        "/v1/entities/{code}/contracts/{contract}/end": [
            ("/v1/entities/V01/contracts/HT-T/end", {"date": "2027-03-31"})
        ],
        "/v1/entities/{code}/contracts/{contract}/termination": [
            (
                "/v1/entities/V01/contracts/HT-T/termination",
                {"date": "2026-02-01", "reason": "退包"},
            )
        ],
        # 三资 (issue 21): direct, on 唐坊镇's project and cards; indirect, a 花沟镇 card or
        # project naming a 唐坊镇 village as owner or as the source of its capital
        "/v1/projects": [
            (
                "/v1/projects",
                {
                    "code": code("XM"),
                    "entity": entity,
                    "name": "棚",
                    "kind": "facility",
                    "budget": {"材料": "100.00"},
                    "funding": [
                        {
                            "kind": "capital",
                            "source": member,
                            "programme": "CZFC",
                            "amount": "100.00",
                        }
                    ]
                    if entity == joint
                    else [{"kind": "own", "source": "自有", "amount": "100.00"}],
                    "planned_on": "2026-05-01",
                },
            )
            for entity in (JOINT, joint)
        ],
        "/v1/projects/{code}/steps": [
            (
                f"/v1/projects/{PROJECT}/steps",
                {"step": "实施结果公开", "date": "2026-05-02", "body": "联合社", "place": "公开栏"},
            )
        ],
        "/v1/projects/{code}/costs": [
            ("/v1/projects/XM-P/costs", {"date": "2026-04-02", "item": "材料", "amount": "100.00"})
        ],
        "/v1/projects/{code}/completion": [
            (
                "/v1/projects/XM-P/completion",
                {
                    "date": "2026-04-30",
                    "assets": [{"number": code("WL"), "name": "围栏", "life_months": 60}],
                },
            )
        ],
        "/v1/projects/{code}/income": [
            (
                f"/v1/projects/{PROJECT}/income",
                {"date": "2026-05-03", "kind": "other", "amount": "10.00"},
            )
        ],
        "/v1/entities/{code}/assets": [
            (
                f"/v1/entities/{entity}/assets",
                {
                    "terms": {
                        "number": code("SB"),
                        "name": "水泵",
                        "life_months": 60,
                        "original": "100.00",
                    },
                    "acquisition": "bought",
                    "acquired_on": "2026-04-20",
                    "owners": owners,
                },
            )
            for entity, owners in ((JOINT, {}), (joint, {member: "0.5", joint: "0.5"}))
        ],
        "/v1/entities/{code}/depreciation-runs": [
            (f"/v1/entities/{JOINT}/depreciation-runs", {"month": "2026-05"})
        ],
        "/v1/townships/{township}/depreciation-runs": [
            (f"/v1/townships/{township}/depreciation-runs", {"month": "2026-05"})
            for township in (FOREIGN, HOME)
        ],
        "/v1/entities/{code}/assets/{number}/disposal": [
            (f"/v1/entities/V01/assets/{TRACTOR}/disposal", {"date": "2026-05-31", "kind": "scrap"})
        ],
        "/v1/entities/{code}/assets/{number}/leases": [
            (
                f"/v1/entities/{JOINT}/assets/{CARD}/leases",
                {
                    "lease": "ZL-X",
                    "lessee": "某公司",
                    "rent": "100.00",
                    "start": "2027-07-01",
                    "end": "2028-06-30",
                },
            )
        ],
        "/v1/entities/{code}/assets/{number}/leases/{lease}/rent": [
            (
                f"/v1/entities/{JOINT}/assets/{CARD}/leases/{LEASE}/rent",
                {"period": "2026-05", "date": "2026-05-05"},
            )
        ],
        "/v1/entities/{code}/assets/{number}/leases/{lease}/end": [
            (
                f"/v1/entities/{JOINT}/assets/{CARD}/leases/ZL-N/end",
                {"date": "2026-12-31", "reason": "退租"},
            )
        ],
        "/v1/entities/{code}/bank-accounts": [
            (
                f"/v1/entities/{entity}/bank-accounts",
                {
                    "account": "102",
                    "bank": "农商行",
                    "number": "62280001",
                    "start": "2026-01-01",
                    "opening": "0.00",
                },
            )
            for entity in (village, joint)
        ],
        "/v1/entities/{code}/bank-accounts/{account}/statements": [
            (
                "/v1/entities/V01/bank-accounts/102/statements",
                {"lines": [{"date": "2026-02-03", "amount": "5.00"}], "end": "2026-02-28"},
            )
        ],
        "/v1/entities/{code}/bank-accounts/{account}/matches": [
            (
                "/v1/entities/V01/bank-accounts/102/matches",
                {"matches": [{"bank": ["S1-3", "S1-4"]}]},
            )
        ],
        "/v1/entities/{code}/bank-accounts/{account}/matches/{match}/undo": [
            ("/v1/entities/V01/bank-accounts/102/matches/M1/undo", {"reason": "勾错"})
        ],
        "/v1/entities/{code}/bank-accounts/{account}/reconciliations": [
            ("/v1/entities/V01/bank-accounts/102/reconciliations", {"month": "2026-01"})
        ],
        "/v1/entities/{code}/cash-counts": [
            (f"/v1/entities/{entity}/cash-counts", {"date": "2026-02-05", "pieces": {"100": 1}})
            for entity in ("V01", joint)
        ],
        "/v1/entities/{code}/cash-counts/{number}/resolution": [
            (
                "/v1/entities/V01/cash-counts/PD20260201/resolution",
                {"date": "2026-02-02", "account": "504"},
            )
        ],
        "/v1/plans/{code}/comparisons": [
            (
                f"/v1/plans/{n['drafted']}/comparisons",
                {"for_step": "审议", "candidates": candidates},
            )
        ],
        "/v1/budgets": [
            ("/v1/budgets", {**BUDGET, "entity": entity}) for entity in (village, joint)
        ],
        "/v1/budgets/{entity}/{year}/revisions": [
            (
                "/v1/budgets/V01/2026/revisions",
                {"lines": BUDGET["lines"], "proposed_on": "2026-03-01", "reason": "调整"},
            )
        ],
        "/v1/budgets/{entity}/{year}/steps": [("/v1/budgets/V02/2026/steps", BUDGET_STEPS[0])],
    }


def township_of(api: Api, aggregate_id: UUID) -> str | None:
    """Which township an aggregate belongs to, worked out here independently of the app."""
    app = api.runtime.app
    aggregate: Any = app.repository.get(aggregate_id)
    kind = type(aggregate).__name__
    if kind in ("Resource", "Contract"):  # issue 21: the books they are in
        return str(app.get_books(aggregate.entity).township)
    if kind in ("RequestKey", "VoucherImportBatch"):
        return None  # the token's own idempotency key; a batch's key (its books are checked)
    if kind in ("MemberRegister", "DisclosureSheet"):
        return str(app.get_books(aggregate.village).township)
    if kind in ("Project", "AssetCard", "AssetRegister", "FinancialPlan"):  # the books they are in
        return str(app.get_books(aggregate.entity).township)
    if kind == "EnterpriseAgreement":
        return str(app.get_books(aggregate.joint_entity_code).township)
    township = getattr(aggregate, "township", None)
    assert township is not None, f"{kind} has no township"
    return str(township)


def new_events(api: Api, after: int) -> list[Any]:
    return list(
        api.runtime.app.recorder.select_notifications(
            start=after, limit=10_000, inclusive_of_start=False
        )
    )


@pytest.mark.one_store  # the save checks tenancy and answers, not the store
def test_no_write_operation_lets_a_clerk_touch_another_township(api: Api) -> None:
    names = set_up(api)
    tries = attempts(names)
    spec = api.client.get("/openapi.json").json()
    operations = {path for path, ops in spec["paths"].items() if "post" in ops}
    assert operations == set(tries), (
        f"write operations without an attempt: {sorted(operations - set(tries))}"
    )
    leaks: list[str] = []
    wrote_at_home = 0
    # leaving last: before it, every attempt is one an administrator could make
    for template, requests in sorted(tries.items(), key=lambda t: ("leave" in t[0], t[0])):
        for path, body in requests:
            before = api.runtime.views.head()
            response = api.client.post(
                path,
                json=body,
                headers={**api.other_clerk, "Idempotency-Key": str(uuid.uuid4())},
            )
            assert response.status_code < 500, f"{path}: {response.text}"
            touched = {
                township_of(api, UUID(str(e.originator_id))) for e in new_events(api, before)
            } - {None}
            if touched - {HOME}:
                leaks.append(f"{template} ({path}): {response.status_code}, wrote in {touched}")
            elif touched:
                wrote_at_home += 1
            if response.status_code >= 300:
                assert response.status_code in (403, 404, 409, 422), response.text
    assert leaks == []
    assert wrote_at_home >= 1  # the clerk does write in its own township


@pytest.mark.one_store  # the save checks tenancy and answers, not the store
def test_every_write_operation_rebuilds_its_answer_when_the_first_one_was_lost(api: Api) -> None:
    """Each route's ``replay``: an administrator makes every request with a key, the cached
    answer is dropped (as when the process died before writing it), and the retry must give the
    same answer from the committed events, writing nothing."""
    tries = attempts(set_up(api))
    rebuilt = 0
    for _template, requests in sorted(tries.items(), key=lambda t: ("leave" in t[0], t[0])):
        for path, body in requests:
            headers = {**api.admin, "Idempotency-Key": str(uuid.uuid4())}
            first = api.client.post(path, json=body, headers=headers)
            assert first.status_code < 500, f"{path}: {first.text}"
            with api.runtime.engine.begin() as conn:
                conn.execute(idempotency_responses.delete())
            head = api.runtime.views.head()
            again = api.client.post(path, json=body, headers=headers)
            assert api.runtime.views.head() == head, path
            if first.status_code >= 300 or head == 0:
                continue
            if "idempotent-replayed" not in again.headers:
                continue  # wrote nothing (a preview): nothing to replay
            assert again.status_code == first.status_code, f"{path}: {again.text}"
            assert again.json() == first.json(), path
            assert again.headers.get("location") == first.headers.get("location"), path
            rebuilt += 1
    assert rebuilt >= 30
