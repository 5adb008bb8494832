from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.allocation import percent_of, split, split_equal
from ledger.errors import AllocationError
from ledger.money import ZERO, from_fen, money, to_fen


def test_scenario_a_tier_two_by_weights() -> None:
    capital = {"V01": 600000, "V02": 400000, "V03": 500000}
    land = {"V01": 500, "V02": 120, "V03": 300}
    population = {"V01": 1200, "V02": 800, "V03": 1000}

    def weight(code: str) -> Fraction:
        return (
            Fraction(1, 2) * Fraction(capital[code], sum(capital.values()))
            + Fraction(3, 10) * Fraction(land[code], sum(land.values()))
            + Fraction(1, 5) * Fraction(population[code], sum(population.values()))
        )

    parts = split(money("92280.00"), {code: weight(code) for code in capital})
    assert parts == {
        "V01": money("40884.05"),
        "V02": money("20836.56"),
        "V03": money("30559.39"),
    }


def test_scenario_a_households_by_shares() -> None:
    shares = ["4", "3", "5", "2", "6", "3.5", "4", "1", "2.5", "3"]
    parts = split(
        money("51475.48"), {f"H{i:02d}": Decimal(s) for i, s in enumerate(shares, start=1)}
    )
    expected = [
        "6055.94", "4541.95", "7569.92", "3027.97", "9083.91",
        "5298.95", "6055.94", "1513.99", "3784.96", "4541.95",
    ]  # fmt: skip
    assert list(parts.values()) == [money(a) for a in expected]
    assert sum(parts.values(), ZERO) == money("51475.48")


def test_scenario_a_percentages_half_up() -> None:
    assert percent_of(money("186000.00"), Decimal("2")) == money("3720.00")
    assert percent_of(money("60559.39"), Decimal("10")) == money("6055.94")
    assert percent_of(money("60559.39"), Decimal("5")) == money("3027.97")
    assert percent_of(money("0.05"), Decimal("50")) == money("0.03")


def test_ties_go_to_the_smaller_key() -> None:
    assert split(money("0.01"), {"B": 1, "A": 1}) == {"A": money("0.01"), "B": money("0.00")}
    assert split_equal(money("1.00"), ["C", "A", "B"]) == {
        "A": money("0.34"),
        "B": money("0.33"),
        "C": money("0.33"),
    }


def test_bad_weights_are_refused() -> None:
    with pytest.raises(AllocationError, match="all zero"):
        split(money("1.00"), {"A": 0, "B": 0})
    with pytest.raises(AllocationError, match="≥ 0"):
        split(money("1.00"), {"A": -1, "B": 2})
    with pytest.raises(AllocationError, match="nobody"):
        split(money("1.00"), {})


weights = st.dictionaries(
    st.text(alphabet="ABCDEFGHV0123456789", min_size=1, max_size=4),
    st.integers(min_value=0, max_value=10**6).map(lambda n: Decimal(n) / 100),
    min_size=1,
    max_size=12,
).filter(lambda w: any(v > 0 for v in w.values()))
totals = st.integers(min_value=0, max_value=10**12).map(from_fen)


@given(totals, weights)
def test_parts_sum_to_the_whole_none_negative_each_within_a_fen(total, weights) -> None:  # type: ignore[no-untyped-def]
    parts = split(total, weights)
    assert sum(parts.values(), ZERO) == total
    whole = sum(weights.values())
    for key, part in parts.items():
        assert part.amount >= 0
        exact = Fraction(to_fen(total)) * Fraction(weights[key]) / Fraction(whole)
        assert abs(Fraction(to_fen(part)) - exact) < 1
        if weights[key] == 0:
            assert part == ZERO


@given(totals, weights, st.randoms())
def test_deterministic_and_independent_of_order(total, weights, random) -> None:  # type: ignore[no-untyped-def]
    items = list(weights.items())
    random.shuffle(items)
    assert split(total, dict(items)) == split(total, weights)
    assert list(split(total, dict(items))) == sorted(weights)
