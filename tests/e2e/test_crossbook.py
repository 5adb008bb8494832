"""One fact, every book (issue 9, points 1, 2 and 9), on SQLite and PostgreSQL.

An entry the system posted for a cross-book operation is corrected only by its own operation,
which changes every book in one save; ``verify`` reconciles the books with each other; and a
statement as of a position inside one save reads as the end of that save.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from audit.book_reconcile import verify_pairs
from audit.exports import export_events
from audit.verify import verify
from projections.tables import audit_trail, entries
from runtime.bootstrap import Runtime
from scripts import scenario_a as A
from scripts.demo import load_demo
from tests import builders
from tests.e2e.conftest import Api

JOINT = A.JOINT
VERIFIER = Path(__file__).parents[2] / "scripts" / "verify_export"


def scenario_a(api: Api) -> None:
    load_demo(api.runtime.app, say=lambda _: None)
    api.runtime.views.catch_up()


def entry_numbers(runtime: Runtime, entity: str, source_prefix: str) -> list[str]:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        return [
            r.number
            for r in conn.execute(
                select(entries.c.number)
                .where(entries.c.entity_code == entity, entries.c.source.startswith(source_prefix))
                .order_by(entries.c.number)
            )
        ]


def reverse(api: Api, entity: str, number: str, status: int = 409) -> dict[str, Any]:
    response = api.client.post(
        f"/v1/entities/{entity}/entries/{number}/reversal",
        json={"date": "2026-02-01", "reason": "录错了"},
        headers=api.clerk,
    )
    assert response.status_code == status, response.text
    return dict(response.json())


def balances(api: Api, entity: str) -> dict[str, tuple[str, str]]:
    tb = api.client.get(
        f"/v1/entities/{entity}/trial-balance",
        params={"month": "2026-11", "cumulative": "true"},
        headers=api.auditor,
    ).json()
    return {
        line["account"]: (line["closing_debit"], line["closing_credit"]) for line in tb["lines"]
    }


# -- point 1: the generic reversal refuses what an operation posted ------------------------------


@pytest.mark.one_store  # a cross-book rule, not storage
def test_a_cross_book_entry_is_not_reversed_in_one_book(api: Api) -> None:
    scenario_a(api)
    app = api.runtime.app
    app.pooling.pay_land_rent(
        joint=JOINT,
        village="V01",
        mu=Decimal("10"),
        rate_per_mu="300.00",
        year=2026,
        date=A.ALLIANCE_EXECUTED_ON,
        actor="tester",
    )
    cases = {
        (JOINT, "capital:V01"): "capital refund",
        ("V01", f"capital:{JOINT}"): "capital refund",
        (JOINT, "land-rent:V01"): "land rent correction",
        ("V01", f"land-rent:{JOINT}"): "land rent correction",
        (JOINT, f"agreement:{A.AGREEMENT}"): "dividend correction",
        (JOINT, f"plan:{A.ALLIANCE_PLAN}"): "superseding plan",
        ("V02", f"plan:{A.ALLIANCE_PLAN}"): "superseding plan",
        ("V03", f"plan:{A.HOUSEHOLD_PLAN}"): "superseding plan",
    }
    before = {e: balances(api, e) for e in (JOINT, "V01", "V02", "V03")}
    for (entity, source), operation in cases.items():
        number = entry_numbers(api.runtime, entity, source)[0]
        problem = reverse(api, entity, number)
        assert problem["type"] == "urn:lianzhang:problem:cross-book-entry", problem
        assert operation in problem["detail"], problem["detail"]
        assert problem["field"] == "number"
    assert {e: balances(api, e) for e in before} == before
    assert verify(api.runtime)["ok"] is True
    # an ordinary payment stays correctable by red ink
    payment = entry_numbers(api.runtime, JOINT, "payment")[0]
    assert reverse(api, JOINT, payment, status=201)["reverses"] == payment


# -- point 9: as of a position inside one save ---------------------------------------------------


def test_as_of_a_position_inside_a_save_reads_as_its_end(api: Api) -> None:
    scenario_a(api)
    with api.runtime.engine.connect() as conn:
        executed = conn.execute(
            select(audit_trail.c.position).where(
                audit_trail.c.command == "Executed",
                audit_trail.c.aggregate_code == A.ALLIANCE_PLAN,
            )
        ).scalar_one()
        end = conn.execute(
            select(entries.c.position)
            .where(entries.c.source == f"plan:{A.ALLIANCE_PLAN}")
            .order_by(entries.c.position.desc())
            .limit(1)
        ).scalar_one()
    assert end > executed  # the execution is one save of several events

    def as_of(position: int) -> dict[str, Any]:
        response = api.client.get(
            "/v1/entities/V03/statements/trial-balance",
            params={"period": "2026-01", "as_of_position": position},
            headers=api.auditor,
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    inside, after = as_of(executed), as_of(end)
    assert inside["as_of"]["position"] == end
    assert inside == after
    before = as_of(executed - 1)
    assert before["as_of"]["position"] == executed - 1
    assert before != after


# -- point 2: verify reconciles the books with each other ----------------------------------------


def test_verify_passes_on_scenario_a_and_names_the_pair_one_book_breaks(
    api: Api, tmp_path: Path
) -> None:
    scenario_a(api)
    assert verify(api.runtime)["ok"] is True
    response = api.client.post(
        "/v1/entities/V01/entries",
        json={
            "date": "2026-02-01",
            "memo": "手工补记投资",
            "postings": [
                {"account": f"141{JOINT}", "side": "debit", "amount": "1000.00"},
                {"account": "102", "side": "credit", "amount": "1000.00"},
            ],
        },
        headers=api.admin,
    )
    assert response.status_code == 201, response.text
    report = verify(api.runtime)
    assert report["ok"] is False
    problem = report["problems"][0]
    assert problem["check"] == "pair"
    # the demo's V01 paid 600,000.00 (Scenario A) and 270,000.00 for the barn (Scenario B)
    assert (problem["entity"], problem["account"], problem["figure"]) == (
        "V01",
        f"141{JOINT}",
        "871000.00",
    )
    assert problem["counterpart"] == {
        "entity": JOINT,
        "account": "301V01",
        "figure": "870000.00",
    }
    cli = api.client.get("/v1/audit/verify", headers=api.auditor).json()
    assert cli["ok"] is False and cli["problems"][0]["check"] == "pair"

    # the stand-alone export verifier finds the same pair, from the log alone
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(export_events(api.runtime)))
    result = subprocess.run(
        [sys.executable, str(VERIFIER), str(log), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["pairs"][0] == problem
    with api.runtime.engine.connect() as conn:
        assert json.loads(result.stdout)["pairs"] == verify_pairs(conn)


# -- the corrections: each changes every book in one save ----------------------------------------


def small_alliance(app: Any) -> tuple[str, str, str, str]:
    """An alliance of two villages and a joint entity holding their capital: V1 100,000.00
    CZFC and 20,000.00 ZYZJ, V2 50,000.00 CZFC. Returns (alliance, joint, V1, V2)."""
    alliance = builders.alliance(app)
    v1, v2 = builders.village(app), builders.village(app)
    joint = builders.code("J")
    app.alliances.register_joint_entity(alliance=alliance, code=joint, name="测试联合社", actor="t")
    app.books.set_opening_balances(entity=joint, as_of=builders.OPENING, balances=[], actor="t")
    for village in (v1, v2):
        app.alliances.join_village(
            alliance=alliance, village=village, joined_on=builders.OPENING, actor="t"
        )
    for village, programme, amount in (
        (v1, "CZFC", "100000.00"),
        (v1, "ZYZJ", "20000.00"),
        (v2, "CZFC", "50000.00"),
    ):
        app.pooling.contribute_capital(
            joint=joint,
            village=village,
            programme=programme,
            amount=amount,
            date=datetime.date(2025, 2, 1),
            actor="t",
        )
    return alliance, joint, v1, v2


def post(api: Api, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = api.client.post(path, json=body, headers=api.clerk)
    assert response.status_code == status, response.text
    return dict(response.json())


def closing(api: Api, entity: str, account: str) -> Decimal:
    debit, credit = balances(api, entity).get(account, ("0.00", "0.00"))
    return Decimal(debit) - Decimal(credit)


def events(api: Api) -> int:
    api.runtime.views.catch_up()
    return int(api.runtime.views.head())


@pytest.mark.one_store  # a cross-book rule, not storage
def test_capital_refund_changes_both_books_and_the_register(api: Api) -> None:
    alliance, joint, v1, v2 = small_alliance(api.runtime.app)
    refund = post(
        api,
        f"/v1/joint-entities/{joint}/capital-refunds",
        {
            "village": v1,
            "programme": "CZFC",
            "amount": "30000.00",
            "date": "2025-03-01",
            "reason": "项目调整，退还部分资金",
        },
    )
    assert [(x["account"], x["side"]) for x in refund["joint_entries"][0]["lines"]] == [
        (f"301{v1}", "debit"),
        ("102", "credit"),
    ]
    assert [(x["account"], x["side"]) for x in refund["village_entries"][0]["lines"]] == [
        ("102", "debit"),
        (f"141{joint}", "credit"),
    ]
    equity = {v["village"]: v for v in refund["equity"]["villages"]}
    assert equity[v1]["capital"]["CZFC"]["amount"] == "70000.00"
    assert equity[v1]["capital_total"] == "90000.00"
    assert closing(api, v1, f"141{joint}") == Decimal("90000.00")
    assert closing(api, joint, f"301{v1}") == Decimal("-90000.00")
    assert verify(api.runtime)["ok"] is True
    # the refund itself is corrected by its own operation, not by red ink in one book
    problem = reverse(api, joint, refund["joint_entries"][0]["number"])
    assert "capital refund" in problem["detail"]

    # more than the village holds of a programme: refused, nothing written
    before = events(api)
    problem = post(
        api,
        f"/v1/joint-entities/{joint}/capital-refunds",
        {
            "village": v2,
            "programme": "CZFC",
            "amount": "50000.01",
            "date": "2025-03-01",
            "reason": "退出",
        },
        status=409,
    )
    assert "holds ¥50,000.00" in problem["detail"] and problem["field"] == "amount"
    assert events(api) == before

    # a village that left takes everything back, programme by programme
    api.runtime.app.alliances.leave_village(
        alliance=alliance, village=v1, left_on=datetime.date(2025, 6, 30), reason="退出", actor="t"
    )
    out = post(
        api,
        f"/v1/joint-entities/{joint}/capital-refunds",
        {"village": v1, "date": "2025-07-01", "reason": "退出联村，收回全部资本"},
    )
    assert [e["total"] for e in out["joint_entries"]] == ["70000.00", "20000.00"]
    equity = {v["village"]: v for v in out["equity"]["villages"]}
    assert equity[v1]["capital_total"] == "0.00"
    assert closing(api, v1, f"141{joint}") == 0
    assert closing(api, joint, f"301{v1}") == 0
    assert verify(api.runtime)["ok"] is True


@pytest.mark.one_store  # a cross-book rule, not storage
def test_land_rent_correction_changes_both_books(api: Api) -> None:
    _, joint, v1, _ = small_alliance(api.runtime.app)
    paid = post(
        api,
        f"/v1/joint-entities/{joint}/land-rent",
        {"village": v1, "mu": "10", "rate_per_mu": "300.00", "year": 2025, "date": "2025-03-01"},
    )
    number = paid["joint_entry"]["number"]
    problem = reverse(api, v1, paid["village_entry"]["number"])
    assert f"entry {number} of {joint}" in problem["detail"]

    corrected = post(
        api,
        f"/v1/joint-entities/{joint}/land-rent-corrections",
        {
            "entry": number,
            "date": "2025-03-05",
            "reason": "亩数录错",
            "mu": "12",
            "rate_per_mu": "300.00",
            "year": 2025,
        },
    )
    assert corrected["reversals"][joint]["reverses"] == number
    assert corrected["reversals"][v1]["reverses"] == paid["village_entry"]["number"]
    assert corrected["corrected"][v1]["total"] == "3600.00"
    assert closing(api, v1, "501") == Decimal("-3600.00")
    assert closing(api, joint, "511") == Decimal("3600.00")
    assert verify(api.runtime)["ok"] is True

    # cancelled outright (no new rent): both books back to nothing
    again = corrected["corrected"][joint]["number"]
    cancelled = post(
        api,
        f"/v1/joint-entities/{joint}/land-rent-corrections",
        {"entry": again, "date": "2025-03-06", "reason": "本年不付租金"},
    )
    assert cancelled["corrected"] is None
    assert closing(api, v1, "501") == 0 and closing(api, joint, "511") == 0
    assert verify(api.runtime)["ok"] is True
    # an entry that is not a rent payment is named as such
    capital = entry_numbers(api.runtime, joint, "capital:")[0]
    problem = post(
        api,
        f"/v1/joint-entities/{joint}/land-rent-corrections",
        {"entry": capital, "date": "2025-03-06", "reason": "x"},
        status=422,
    )
    assert "not a land rent payment" in problem["detail"]


@pytest.mark.one_store  # a cross-book rule, not storage
def test_a_rent_posted_before_vouchers_were_named_is_still_found(api: Api) -> None:
    """Village entries of rent paid before this change name only the joint entity."""
    app = api.runtime.app
    _, joint, v1, _ = small_alliance(app)
    pool, books = app.get_joint(joint), app.get_village(v1)
    rent = [
        {"account": "511", "side": "debit", "amount": "900.00"},
        {"account": "102", "side": "credit", "amount": "900.00"},
    ]
    day = datetime.date(2025, 3, 1)
    paid = pool.post_entry(
        date=day, memo="租金", postings=rent, actor="t", source=f"land-rent:{v1}"
    )
    books.post_entry(
        date=day,
        memo="租金",
        postings=[
            {"account": "102", "side": "debit", "amount": "900.00"},
            {"account": "501", "side": "credit", "amount": "900.00"},
        ],
        actor="t",
        source=f"land-rent:{joint}",
    )
    app.save(pool, books)
    post(
        api,
        f"/v1/joint-entities/{joint}/land-rent-corrections",
        {"entry": paid.number, "date": "2025-03-05", "reason": "重复支付"},
    )
    assert closing(api, v1, "501") == 0
    assert verify(api.runtime)["ok"] is True


@pytest.mark.one_store  # a cross-book rule, not storage
def test_dividend_correction_changes_the_books_and_the_agreement(api: Api) -> None:
    app = api.runtime.app
    alliance, joint, _, _ = small_alliance(app)
    enterprise, agreement = builders.code("E"), builders.code("AG")
    app.alliances.join_enterprise(
        alliance=alliance, code=enterprise, name="企业", joined_on=builders.OPENING, actor="t"
    )
    app.agreements.sign_agreement(
        code=agreement,
        alliance=alliance,
        enterprise=enterprise,
        signed_on=builders.OPENING,
        start_year=2025,
        years=3,
        invested_capital="100000.00",
        guarantee_kind="amount",
        guarantee_value=Decimal("5000.00"),
        profit_share_percent=Decimal("10"),
        payment_due="12-31",
        actor="t",
    )
    base = f"/v1/agreements/{agreement}"
    declared = post(
        api, f"{base}/dividends", {"year": 2025, "amount": "10000.00", "date": "2025-11-01"}
    )
    number = declared["entry"]["number"]
    assert "dividend correction" in reverse(api, joint, number)["detail"]
    fixed = post(
        api,
        f"{base}/dividend-corrections",
        {
            "entry": number,
            "year": 2025,
            "amount": "12000.00",
            "date": "2025-11-05",
            "reason": "企业更正宣告金额",
        },
    )
    assert fixed["kind"] == "declared" and fixed["entry"]["total"] == "12000.00"
    assert fixed["agreement"]["by_year"][0]["declared"] == "12000.00"
    assert closing(api, joint, f"112{enterprise}") == Decimal("12000.00")
    received = post(
        api, f"{base}/dividend-receipts", {"year": 2025, "amount": "12000.00", "date": "2025-11-20"}
    )
    # lowering the declaration below what was received is refused; nothing is written
    before = events(api)
    problem = post(
        api,
        f"{base}/dividend-corrections",
        {
            "entry": fixed["entry"]["number"],
            "year": 2025,
            "amount": "11000.00",
            "date": "2025-11-21",
            "reason": "x",
        },
        status=409,
    )
    assert "correct the receipt first" in problem["detail"]
    assert events(api) == before
    # the receipt was booked too high: corrected to what the bank shows
    receipt = post(
        api,
        f"{base}/dividend-corrections",
        {
            "entry": received["entry"]["number"],
            "year": 2025,
            "amount": "11500.00",
            "date": "2025-11-21",
            "reason": "银行回单为11500元",
        },
    )
    year = receipt["agreement"]["by_year"][0]
    assert (receipt["kind"], year["received"], year["outstanding"]) == (
        "received",
        "11500.00",
        "500.00",
    )
    assert closing(api, joint, f"112{enterprise}") == Decimal("500.00")
    assert verify(api.runtime)["ok"] is True


@pytest.mark.one_store  # a cross-book rule, not storage
def test_verify_names_a_plan_reversed_in_one_book_by_older_code(api: Api) -> None:
    """Stores written before the refusal may hold a one-sided reversal: verify now names it."""
    scenario_a(api)
    app = api.runtime.app
    number = entry_numbers(api.runtime, "V02", f"plan:{A.ALLIANCE_PLAN}")[0]
    books = app.get_books("V02")
    books.reverse_entry(  # what the generic reversal used to do
        original=app.books.find_entry("V02", number),
        date=datetime.date(2026, 2, 1),
        reason="录错了",
        actor="old-code",
        correction=True,
    )
    app.save(books)
    problem = verify(api.runtime)["problems"][0]
    # summed over the plans between J01 and V02: Scenario A's 44,836.56 (its cash reversed) and
    # the demo's barn plan (Scenario B), 4,437.50, which V02 still holds
    assert (problem["pair"], problem["entity"], problem["account"], problem["figure"]) == (
        "plan",
        "V02",
        "102",
        "4437.50",
    )
    assert problem["counterpart"] == {"entity": JOINT, "account": "211V02", "figure": "49274.06"}


@pytest.mark.one_store  # a cross-book rule, not storage
def test_verify_names_internal_accounts_that_do_not_agree(api: Api) -> None:
    scenario_a(api)
    response = api.client.post(
        "/v1/entities/V01/accounts",
        json={"code": "113V02", "name": "内部往来-和店村", "parent": "113"},
        headers=api.admin,
    )
    assert response.status_code == 201, response.text
    response = api.client.post(
        "/v1/entities/V01/entries",
        json={
            "date": "2026-02-01",
            "memo": "借给和店村",
            "postings": [
                {"account": "113V02", "side": "debit", "amount": "500.00"},
                {"account": "102", "side": "credit", "amount": "500.00"},
            ],
        },
        headers=api.admin,
    )
    assert response.status_code == 201, response.text
    problem = verify(api.runtime)["problems"][0]
    assert (problem["pair"], problem["entity"], problem["account"], problem["figure"]) == (
        "internal",
        "V01",
        "113V02",
        "500.00",
    )
    assert problem["counterpart"] == {"entity": "V02", "account": "113V01", "figure": "0.00"}
    # the other village books its side: the pair agrees again
    response = api.client.post(
        "/v1/entities/V02/accounts",
        json={"code": "211V01", "name": "应付款-仉家村", "parent": "211"},
        headers=api.admin,
    )
    assert response.status_code == 201, response.text
    response = api.client.post(
        "/v1/entities/V02/entries",
        json={
            "date": "2026-02-01",
            "memo": "向仉家村借款",
            "postings": [
                {"account": "102", "side": "debit", "amount": "500.00"},
                {"account": "211V01", "side": "credit", "amount": "500.00"},
            ],
        },
        headers=api.admin,
    )
    assert response.status_code == 201, response.text
    assert verify(api.runtime)["ok"] is True
