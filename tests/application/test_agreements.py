"""Agreements with enterprises on the in-memory store: dividends declared and received, the
guaranteed minimum (保底) as a receivable, and dividend corrections (the rules the HTTP tests of
tests/e2e/test_crossbook.py, test_dates.py and test_distribution_practice.py reach over HTTP)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from domain.application import LianzhangApplication
from domain.errors import ConflictError, InvalidRequestError
from ledger.errors import InvalidAmountError
from ledger.money import money
from tests.application.small import agreement, application, events, small_alliance

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def test_a_dividend_is_received_only_up_to_what_was_declared(app: LianzhangApplication) -> None:
    alliance, joint, _, _ = small_alliance(app)
    enterprise, code = agreement(app, alliance)
    app.agreements.declare_dividend(
        agreement=code, year=2025, amount="10000.00", date=D(2025, 11, 1), actor="t"
    )
    before = events(app)
    with pytest.raises(ConflictError, match="Declare the dividend first") as refused:
        app.agreements.receive_dividend(
            agreement=code, year=2025, amount="10000.01", date=D(2025, 11, 2), actor="t"
        )
    assert refused.value.field == "amount"
    assert events(app) == before  # nothing written
    app.agreements.receive_dividend(
        agreement=code, year=2025, amount="6000.00", date=D(2025, 11, 2), actor="t"
    )
    terms = app.agreements.get_agreement(code)
    assert terms.outstanding_for(2025) == money("4000.00")
    pool = app.get_joint(joint)
    assert pool.balance(f"112{enterprise}") == money("4000.00")


def test_a_year_outside_the_agreement_is_refused(app: LianzhangApplication) -> None:
    alliance, _, _, _ = small_alliance(app)
    _, code = agreement(app, alliance, years=2)  # 2025 and 2026
    before = events(app)
    with pytest.raises(InvalidRequestError, match="runs from 2025 to 2026") as refused:
        app.agreements.declare_dividend(
            agreement=code, year=2027, amount="100.00", date=D(2026, 1, 5), actor="t"
        )
    assert refused.value.field == "year"
    assert events(app) == before


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        ("shares", "5", "guarantee.kind"),
        ("percent", "100.5", "guarantee.value"),
        ("amount", "0.001", "guarantee.value"),
        ("percent", "-1", "guarantee.value"),
    ],
)
def test_terms_that_mean_nothing_are_not_signed(
    app: LianzhangApplication, kind: str, value: str, field: str
) -> None:
    alliance, _, _, _ = small_alliance(app)
    app.alliances.join_enterprise(
        alliance=alliance, code="E1", name="企业", joined_on=D(2025, 1, 1), actor="t"
    )
    with pytest.raises((InvalidRequestError, InvalidAmountError)) as refused:
        app.agreements.sign_agreement(
            code="AG1",
            alliance=alliance,
            enterprise="E1",
            signed_on=D(2025, 1, 1),
            start_year=2025,
            years=3,
            invested_capital="100000.00",
            guarantee_kind=kind,
            guarantee_value=Decimal(value),
            profit_share_percent=Decimal("10"),
            payment_due="12-31",
            actor="t",
        )
    assert refused.value.field == field  # type: ignore[union-attr]


def test_the_guarantee_shortfall_is_booked_once_from_its_due_day(
    app: LianzhangApplication,
) -> None:
    alliance, joint, _, _ = small_alliance(app)
    enterprise, code = agreement(app, alliance, guarantee="5000.00", payment_due="02-29")
    app.agreements.declare_dividend(
        agreement=code, year=2025, amount="2000.00", date=D(2025, 2, 1), actor="t"
    )
    # 2025 has no 29 February: the guarantee falls due on the 28th
    with pytest.raises(InvalidRequestError, match="falls due on 2025-02-28") as early:
        app.agreements.book_guarantee_shortfall(
            agreement=code, year=2025, date=D(2025, 2, 27), actor="t"
        )
    assert early.value.field == "date"
    entry = app.agreements.book_guarantee_shortfall(
        agreement=code, year=2025, date=D(2025, 2, 28), actor="t"
    )
    assert entry.debit_total == money("3000.00")  # 5,000.00 guaranteed, 2,000.00 declared
    assert app.agreements.get_agreement(code).receivable_for(2025) == money("5000.00")
    assert app.get_joint(joint).balance(f"112{enterprise}") == money("5000.00")
    before = events(app)
    with pytest.raises(ConflictError, match="no shortfall"):
        app.agreements.book_guarantee_shortfall(
            agreement=code, year=2025, date=D(2025, 3, 1), actor="t"
        )
    # a later declaration within the guarantee adds nothing to the receivable
    with pytest.raises(ConflictError, match="adds nothing above it"):
        app.agreements.declare_dividend(
            agreement=code, year=2025, amount="1000.00", date=D(2025, 3, 1), actor="t"
        )
    assert events(app) == before
    # above it, only what goes above is booked
    more = app.agreements.declare_dividend(
        agreement=code, year=2025, amount="4000.00", date=D(2025, 3, 2), actor="t"
    )
    assert more.debit_total == money("1000.00")  # 2,000 + 4,000 declared, 5,000 already booked
    assert app.agreements.get_agreement(code).receivable_for(2025) == money("6000.00")


def test_a_dividend_correction_reverses_and_posts_again_in_one_save(
    app: LianzhangApplication,
) -> None:
    alliance, joint, _, _ = small_alliance(app)
    enterprise, code = agreement(app, alliance)
    declared = app.agreements.declare_dividend(
        agreement=code, year=2025, amount="10000.00", date=D(2025, 11, 1), actor="t"
    )
    fixed = app.agreements.correct_dividend(
        agreement=code,
        entry=declared.number,
        year=2025,
        amount="12000.00",
        date=D(2025, 11, 5),
        reason="企业更正宣告金额",
        actor="t",
    )
    assert fixed["kind"] == "declared"
    assert fixed["reversal"].reverses == declared.number
    assert fixed["entry"].debit_total == money("12000.00")
    assert app.agreements.get_agreement(code).declared_for(2025) == money("12000.00")
    assert app.get_joint(joint).balance(f"112{enterprise}") == money("12000.00")
    received = app.agreements.receive_dividend(
        agreement=code, year=2025, amount="12000.00", date=D(2025, 11, 20), actor="t"
    )
    before = events(app)
    with pytest.raises(ConflictError, match="correct the receipt first"):
        app.agreements.correct_dividend(
            agreement=code,
            entry=fixed["entry"].number,
            year=2025,
            amount="11000.00",
            date=D(2025, 11, 21),
            reason="x",
            actor="t",
        )
    assert events(app) == before
    cut = app.agreements.correct_dividend(
        agreement=code,
        entry=received.number,
        year=2025,
        amount="11500.00",
        date=D(2025, 11, 21),
        reason="银行回单为11500元",
        actor="t",
    )
    assert cut["kind"] == "received"
    terms = app.agreements.get_agreement(code)
    assert (terms.received_for(2025), terms.outstanding_for(2025)) == (
        money("11500.00"),
        money("500.00"),
    )
    assert app.get_joint(joint).balance(f"112{enterprise}") == money("500.00")


def test_a_dividend_correction_names_what_is_wrong(app: LianzhangApplication) -> None:
    alliance, joint, v1, _ = small_alliance(app)
    _, code = agreement(app, alliance)
    declared = app.agreements.declare_dividend(
        agreement=code, year=2025, amount="10000.00", date=D(2025, 11, 1), actor="t"
    )
    _, paid_in = app.pooling.contribute_capital(
        joint=joint, village=v1, programme="CZFC", amount="100.00", date=D(2025, 3, 1), actor="t"
    )
    capital = paid_in.number  # the capital V1 paid in: an entry of the joint entity, not a dividend
    before = events(app)
    attempts = [
        (dict(entry=declared.number, year=2025, amount="9000.00", reason=" "), "reason"),
        (dict(entry=declared.number, year=2025, amount="10000.00", reason="x"), "amount"),
        (dict(entry=declared.number, year=2025, amount="-1.00", reason="x"), "amount"),
        (dict(entry=declared.number, year=2026, amount="9000.00", reason="x"), "year"),
        (dict(entry=capital, year=2025, amount="9000.00", reason="x"), "entry"),
    ]
    for arguments, field in attempts:
        with pytest.raises((InvalidRequestError, InvalidAmountError)) as refused:
            app.agreements.correct_dividend(
                agreement=code,
                date=D(2025, 11, 5),
                actor="t",
                **arguments,  # type: ignore[arg-type]
            )
        assert refused.value.field == field, arguments  # type: ignore[union-attr]
    assert events(app) == before
