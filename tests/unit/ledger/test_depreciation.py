"""Depreciation arithmetic (ledger/depreciation.py) and the ownership basis of a rule: Scenario B's
figures, the last month, and properties: the owners' split always adds up to the amount, and
what is depreciated never passes the depreciable base."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.depreciation import (
    DepreciationError,
    depreciable_base,
    monthly_amount,
    owners_split,
    shares_from,
    shares_problem,
    straight_line,
    units_of_production,
)
from ledger.money import ZERO, from_fen, money
from ledger.rule_types import RuleError, ownership_codes
from ledger.rules import allocate_document

BARN = {"V01": Decimal("0.45"), "V02": Decimal("0.25"), "V03": Decimal("0.3")}


def test_scenario_b_month_and_its_owners() -> None:
    base = depreciable_base(money("900000.00"), Decimal("0.05"))
    assert base == money("855000.00")
    assert monthly_amount(base, 240) == money("3562.50")
    assert straight_line(base, 240, ZERO, 0) == money("3562.50")
    assert owners_split(money("3562.50"), BARN) == {
        "V01": money("1603.13"),
        "V02": money("890.62"),
        "V03": money("1068.75"),
    }


def test_the_last_month_takes_what_is_left_and_nothing_comes_after() -> None:
    base = money("100.00")
    assert monthly_amount(base, 3) == money("33.33")
    assert straight_line(base, 3, money("66.66"), 2) == money("33.34")
    assert straight_line(base, 3, money("100.00"), 3) == ZERO
    # a month that would pass the base takes only what is left
    assert straight_line(money("10.00"), 3, money("9.00"), 1) == money("1.00")


def test_units_follow_the_units_used() -> None:
    base = money("1000.00")
    assert units_of_production(base, Decimal(7), Decimal(0), Decimal(1), ZERO) == money("142.86")
    second = units_of_production(base, Decimal(7), Decimal(1), Decimal(1), money("142.86"))
    assert second == money("142.85")  # 285.71 − 142.86
    assert units_of_production(base, Decimal(7), Decimal(0), Decimal(0), ZERO) == ZERO
    with pytest.raises(DepreciationError) as refused:
        units_of_production(base, Decimal(0), Decimal(0), Decimal(1), ZERO)
    assert refused.value.zh == "工作量法需要填写预计总工作量（大于 0）"


def test_a_residual_rate_outside_0_to_1_is_refused() -> None:
    with pytest.raises(DepreciationError, match="not a fraction"):
        depreciable_base(money("1.00"), Decimal("1.5"))


def test_shares_from_contributions_add_up_to_exactly_one() -> None:
    found = shares_from(
        {"V01": money("270000.00"), "V02": money("150000.00"), "V03": money("180000.00")}
    )
    assert found == BARN
    thirds = shares_from({"A": money("1.00"), "B": money("1.00"), "C": money("1.00")})
    assert thirds == {"A": Decimal("0.333334"), "B": Decimal("0.333333"), "C": Decimal("0.333333")}
    assert sum(thirds.values()) == 1
    assert shares_problem(thirds) is None
    assert shares_problem({"A": Decimal("0.5"), "B": Decimal("0.49")}) == (
        "各所有者的份额合计为 0.99，应恰好等于 1（100%）"
    )


@settings(max_examples=200, deadline=None)
@given(
    fen=st.integers(min_value=0, max_value=10**12),
    weights=st.dictionaries(
        st.sampled_from(["V01", "V02", "V03", "V04", "V05"]),
        st.integers(min_value=1, max_value=10**6),
        min_size=1,
    ),
)
def test_the_owners_split_always_adds_up_to_the_amount(fen: int, weights: dict[str, int]) -> None:
    shares = shares_from({k: from_fen(v) for k, v in weights.items()})
    assert sum(shares.values()) == 1
    parts = owners_split(from_fen(fen), shares)
    assert sum(parts.values(), ZERO) == from_fen(fen)
    assert all(part >= ZERO for part in parts.values())


@settings(max_examples=150, deadline=None)
@given(
    original=st.integers(min_value=1, max_value=10**11),
    residual=st.integers(min_value=0, max_value=100),
    life=st.integers(min_value=1, max_value=600),
    extra=st.integers(min_value=0, max_value=24),
)
def test_straight_line_never_passes_the_base_and_reaches_it(
    original: int, residual: int, life: int, extra: int
) -> None:
    base = depreciable_base(from_fen(original), Decimal(residual) / 100)
    accumulated, months = ZERO, 0
    for _ in range(min(life + extra, 700)):
        amount = straight_line(base, life, accumulated, months)
        assert amount >= ZERO
        accumulated += amount
        months += 1
        assert accumulated <= base
    if life + extra <= 700:
        assert accumulated == base  # fully depreciated by the end of its life


@settings(max_examples=150, deadline=None)
@given(
    original=st.integers(min_value=1, max_value=10**11),
    total=st.integers(min_value=1, max_value=10**6),
    used=st.lists(st.integers(min_value=0, max_value=10**5), min_size=1, max_size=30),
)
def test_units_of_production_never_pass_the_base(
    original: int, total: int, used: list[int]
) -> None:
    base = from_fen(original)
    accumulated, done = ZERO, Decimal(0)
    for units in used:
        amount = units_of_production(base, Decimal(total), done, Decimal(units), accumulated)
        assert amount >= ZERO
        accumulated += amount
        done += units
        assert accumulated <= base


def barn_rule(shares: dict[str, str]) -> dict[str, object]:
    return {
        "amount": "17750.00",
        "tiers": [{"kind": "proportional", "basis": "ownership:XM2025-NC"}],
        "parties": [
            {"code": code, "bases": {"ownership:XM2025-NC": share}}
            for code, share in shares.items()
        ],
    }


def test_the_ownership_basis_divides_scenario_bs_result() -> None:
    result = allocate_document(barn_rule({"V01": "0.45", "V02": "0.25", "V03": "0.3"}))
    assert {line["code"]: line["total"] for line in result["lines"]} == {  # type: ignore[index, union-attr]
        "V01": "7987.50",
        "V02": "4437.50",
        "V03": "5325.00",
    }
    assert ownership_codes(barn_rule({"V01": "1"})) == ["XM2025-NC"]


def test_ownership_shares_are_fractions_adding_up_to_one() -> None:
    with pytest.raises(RuleError) as short:
        allocate_document(barn_rule({"V01": "0.45", "V02": "0.25", "V03": "0.29"}))
    assert short.value.errors == (
        (
            "parties",
            "the shares of ownership:XM2025-NC add up to 0.99, not 1: every owner of the project "
            "is a party, and the recorded shares add up to exactly 1",
        ),
    )
    with pytest.raises(RuleError) as above:
        allocate_document(barn_rule({"V01": "1.5", "V02": "0"}))
    assert above.value.field == "parties[0].bases.ownership:XM2025-NC"
    with pytest.raises(RuleError, match="names no project"):
        allocate_document(
            {
                "amount": "1.00",
                "tiers": [{"kind": "proportional", "basis": "ownership:"}],
                "parties": [{"code": "V01", "bases": {"ownership:": "1"}}],
            }
        )
