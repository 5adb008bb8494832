"""Corrections of cross-book operations on the in-memory store (domain/corrections.py): a
capital refund and a land rent correction change both books in one save, and every refusal
writes nothing (the rules tests/e2e/test_crossbook.py reaches over HTTP)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from domain.application import LianzhangApplication
from domain.errors import ConflictError, InvalidRequestError
from ledger.money import ZERO, money
from tests.application.small import application, events, small_alliance

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def test_a_capital_refund_changes_both_books_and_the_register(app: LianzhangApplication) -> None:
    alliance, joint, v1, v2 = small_alliance(app)
    received, paid = app.pooling.refund_capital(
        joint=joint,
        village=v1,
        programme="CZFC",
        amount="30000.00",
        date=D(2025, 3, 1),
        reason="项目调整，退还部分资金",
        actor="t",
    )
    assert [(p.account, p.side.value) for p in paid[0].postings] == [
        (f"301{v1}", "debit"),
        ("102", "credit"),
    ]
    assert [(p.account, p.side.value) for p in received[0].postings] == [
        ("102", "debit"),
        (f"141{joint}", "credit"),
    ]
    pool = app.get_joint(joint)
    assert pool.refundable_capital(v1, "CZFC", D(2025, 3, 1)) == money("70000.00")
    assert app.get_village(v1).balance(f"141{joint}") == money("90000.00")

    before = events(app)
    with pytest.raises(ConflictError, match=r"¥50,000\.00") as refused:  # more than V2 holds
        app.pooling.refund_capital(
            joint=joint,
            village=v2,
            programme="CZFC",
            amount="50000.01",
            date=D(2025, 3, 1),
            reason="退出",
            actor="t",
        )
    assert refused.value.field == "amount"
    with pytest.raises(InvalidRequestError) as unnamed:  # an amount needs its programme
        app.pooling.refund_capital(
            joint=joint, village=v2, amount="1.00", date=D(2025, 3, 1), reason="x", actor="t"
        )
    assert unnamed.value.field == "programme"
    assert events(app) == before

    # a village that left takes everything back, programme by programme
    app.alliances.leave_village(
        alliance=alliance, village=v1, left_on=D(2025, 6, 30), reason="退出", actor="t"
    )
    _, out = app.pooling.refund_capital(
        joint=joint, village=v1, date=D(2025, 7, 1), reason="退出联村，收回全部资本", actor="t"
    )
    assert [e.debit_total for e in out] == [money("70000.00"), money("20000.00")]
    assert app.get_village(v1).balance(f"141{joint}") == ZERO
    assert app.get_joint(joint).balance(f"301{v1}") == ZERO
    with pytest.raises(ConflictError, match="holds no capital"):
        app.pooling.refund_capital(
            joint=joint, village=v1, date=D(2025, 7, 2), reason="再退", actor="t"
        )


def test_a_land_rent_correction_changes_both_books(app: LianzhangApplication) -> None:
    _, joint, v1, _ = small_alliance(app)
    joint_entry, village_entry = app.pooling.pay_land_rent(
        joint=joint,
        village=v1,
        mu=Decimal("10"),
        rate_per_mu="300.00",
        year=2025,
        date=D(2025, 3, 1),
        actor="t",
    )
    corrected = app.pooling.correct_land_rent(
        joint=joint,
        entry=joint_entry.number,
        date=D(2025, 3, 5),
        reason="亩数录错",
        mu=Decimal("12"),
        rate_per_mu="300.00",
        year=2025,
        actor="t",
    )
    assert corrected["village"] == v1
    assert corrected["reversals"][joint].reverses == joint_entry.number
    assert corrected["reversals"][v1].reverses == village_entry.number
    assert corrected["corrected"][v1].debit_total == money("3600.00")
    # 501 is income (a credit balance), 511 an expense
    assert app.get_village(v1).balance("501") == -money("3600.00", allow_negative=True)
    assert app.get_joint(joint).balance("511") == money("3600.00")

    cancelled = app.pooling.correct_land_rent(
        joint=joint,
        entry=corrected["corrected"][joint].number,
        date=D(2025, 3, 6),
        reason="本年不付租金",
        actor="t",
    )
    assert cancelled["corrected"] == {}  # nothing posted again
    assert app.get_village(v1).balance("501") == ZERO
    assert app.get_joint(joint).balance("511") == ZERO


def test_a_land_rent_correction_names_what_is_wrong(app: LianzhangApplication) -> None:
    _, joint, v1, _ = small_alliance(app)
    paid, _ = app.pooling.pay_land_rent(
        joint=joint,
        village=v1,
        mu=Decimal("10"),
        rate_per_mu="300.00",
        year=2025,
        date=D(2025, 3, 1),
        actor="t",
    )
    _, capital = app.pooling.contribute_capital(
        joint=joint, village=v1, programme="CZFC", amount="10.00", date=D(2025, 3, 2), actor="t"
    )
    before = events(app)
    attempts = [
        (dict(entry=paid.number, reason=" "), "reason"),
        (dict(entry=paid.number, reason="x", mu=Decimal("12")), "rate_per_mu"),
        (dict(entry=paid.number, reason="x", mu=Decimal("0"), rate_per_mu="1", year=2025), "mu"),
    ]
    for arguments, field in attempts:
        with pytest.raises(InvalidRequestError) as refused:
            app.pooling.correct_land_rent(joint=joint, date=D(2025, 3, 5), actor="t", **arguments)  # type: ignore[arg-type]
        assert refused.value.field == field, arguments
    with pytest.raises(InvalidRequestError, match="not a land rent payment"):
        app.pooling.correct_land_rent(
            joint=joint, entry=capital.number, date=D(2025, 3, 5), reason="x", actor="t"
        )
    assert events(app) == before
