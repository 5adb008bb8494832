from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from ledger.allocation import percent_of, split, split_equal
from ledger.errors import AllocationError
from ledger.money import CNY, ZERO, from_fen, money, to_fen

# -- Scenario A (docs/scenario-a.md) ---------------------------------------------------------------

CAPITAL = {"V01": 600000, "V02": 400000, "V03": 500000}
LAND = {"V01": 500, "V02": 120, "V03": 300}
POPULATION = {"V01": 1200, "V02": 800, "V03": 1000}


def weight(code: str) -> Fraction:
    """w(p) = 0.5·cap_p/Σcap + 0.3·land_p/Σland + 0.2·pop_p/Σpop, exactly."""
    return (
        Fraction(1, 2) * Fraction(CAPITAL[code], sum(CAPITAL.values()))
        + Fraction(3, 10) * Fraction(LAND[code], sum(LAND.values()))
        + Fraction(1, 5) * Fraction(POPULATION[code], sum(POPULATION.values()))
    )


def test_scenario_a_weights_are_those_of_the_scenario() -> None:
    assert sum(weight(c) for c in CAPITAL) == 1
    assert [f"{Decimal(weight(c).numerator) / weight(c).denominator:.6f}" for c in CAPITAL] == [
        "0.443043",
        "0.225797",
        "0.331159",
    ]


def test_scenario_a_tier_two_by_weights() -> None:
    parts = split(money("92280.00"), {code: weight(code) for code in CAPITAL})
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
    expected = {
        "H01": "6055.94", "H02": "4541.95", "H03": "7569.92", "H04": "3027.97",
        "H05": "9083.91", "H06": "5298.95", "H07": "6055.94", "H08": "1513.99",
        "H09": "3784.96", "H10": "4541.95",
    }  # fmt: skip
    assert parts == {h: money(a) for h, a in expected.items()}
    assert list(parts) == sorted(expected)
    assert sum(parts.values(), ZERO) == money("51475.48")


def test_scenario_a_percentages_half_up() -> None:
    assert percent_of(money("186000.00"), Decimal("2")) == money("3720.00")
    assert percent_of(money("60559.39"), Decimal("10")) == money("6055.94")
    assert percent_of(money("60559.39"), Decimal("5")) == money("3027.97")
    assert percent_of(money("1500000.00"), 6) == money("90000.00")


# -- rounding and ties -----------------------------------------------------------------------


def test_percent_of_rounds_halves_away_from_zero_and_is_exact() -> None:
    assert percent_of(money("0.05"), Decimal("50")) == money("0.03")  # 0.025 → 0.03
    assert percent_of(money("0.05"), Decimal("30")) == money("0.02")  # 0.015 → 0.02
    assert percent_of(money("0.05"), Decimal("10")) == money("0.01")  # 0.005 → 0.01
    assert percent_of(money("0.05"), Decimal("9.99")) == money("0.00")  # 0.004995 → 0.00
    assert percent_of(money("-0.05", allow_negative=True), 50) == money(
        "-0.03", allow_negative=True
    )
    assert percent_of(money("100"), Fraction(100, 3)) == money("33.33")
    # 28 significant digits would round the product before the half-up step; a Fraction does not
    big = money("999999999999999.99")
    percent = Decimal("33.33333333333333333333333333")
    exact = Fraction(to_fen(big)) * Fraction(percent) / 100
    assert to_fen(percent_of(big, percent)) == int(exact + Fraction(1, 2))


def test_ties_go_to_the_smaller_key() -> None:
    assert split(money("0.01"), {"B": 1, "A": 1}) == {"A": money("0.01"), "B": money("0.00")}
    assert split_equal(money("1.00"), ["C", "A", "B"]) == {
        "A": money("0.34"),
        "B": money("0.33"),
        "C": money("0.33"),
    }
    # plain string order: "V10" < "V2"
    assert split(money("0.01"), {"V2": 1, "V10": 1}) == {
        "V10": money("0.01"),
        "V2": money("0.00"),
    }


def test_the_largest_remainders_get_the_fen_left() -> None:
    # exact shares 0.6, 0.3 and 0.1 fen: one fen left, to A (remainder 0.6)
    assert split(money("0.01"), {"A": 6, "B": 3, "C": 1}) == {
        "A": money("0.01"),
        "B": ZERO,
        "C": ZERO,
    }
    # exact shares 4.5, 3.3, 2.2 fen: floors 4+3+2, the one fen left to A (0.5 is largest)
    assert split(money("0.10"), {"C": 22, "B": 33, "A": 45}) == {
        "A": money("0.05"),
        "B": money("0.03"),
        "C": money("0.02"),
    }


def test_a_zero_weight_gets_nothing_and_a_zero_total_gives_zeros() -> None:
    assert split(money("100.00"), {"A": 0, "B": Fraction(1, 3)}) == {
        "A": ZERO,
        "B": money("100.00"),
    }
    assert split(ZERO, {"A": 1, "B": 2}) == {"A": ZERO, "B": ZERO}


@pytest.mark.parametrize(
    ("total", "weights", "says"),
    [
        (money("1.00"), {"A": 0, "B": Decimal("0.00")}, "weights of A, B are all zero"),
        (money("1.00"), {"A": -1, "B": 2}, "the weight of 'A' is -1; weights must be ≥ 0"),
        (money("1.00"), {}, "at least one party"),
        (money("1.00"), {"A": Decimal("NaN")}, "the weight of 'A' is NaN; a finite number"),
        (money("1.00"), {"A": "2"}, "the weight of 'A' is '2', a str"),
        (money("1.00"), {"A": True}, "a bool"),
        (money("1.00"), {1: 1}, "party key 1 is not text"),
        (money("-1.00", allow_negative=True), {"A": 1}, "must be ≥ 0"),
        (Money(Decimal("0.005"), CNY), {"A": 1}, "not a whole number of fen"),
        (Money("1.00", "USD"), {"A": 1}, "not an amount in CNY"),
        ("1.00", {"A": 1}, "is not Money"),
    ],
)
def test_bad_splits_are_refused_with_a_reason(total: object, weights: object, says: str) -> None:
    with pytest.raises(AllocationError, match=says.replace("(", r"\(")):
        split(total, weights)  # type: ignore[arg-type]


def test_split_equal_refuses_a_key_given_twice() -> None:
    with pytest.raises(AllocationError, match="V01 given more than once"):
        split_equal(money("1.00"), ["V01", "V02", "V01"])
    with pytest.raises(AllocationError, match="at least one party"):
        split_equal(money("1.00"), [])


def test_percent_of_refuses_what_is_not_an_exact_number() -> None:
    with pytest.raises(AllocationError, match="a str"):
        percent_of(money("1.00"), "2")  # type: ignore[arg-type]
    with pytest.raises(AllocationError, match="finite"):
        percent_of(money("1.00"), Decimal("Infinity"))


# -- properties ------------------------------------------------------------------------------

weight_values = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(lambda n: Decimal(n) / 100),
    st.integers(min_value=0, max_value=10**4),
    st.fractions(min_value=0, max_value=1000, max_denominator=997),
)
weights = st.dictionaries(
    st.text(alphabet="ABCHV0123456789村", min_size=1, max_size=4),
    weight_values,
    min_size=1,
    max_size=12,
).filter(lambda w: any(v > 0 for v in w.values()))
totals = st.integers(min_value=0, max_value=10**17 - 1).map(from_fen)


@given(totals, weights)
def test_parts_sum_to_the_whole_none_negative_each_within_a_fen(
    total: Money, weights: dict[str, Decimal | Fraction | int]
) -> None:
    parts = split(total, weights)
    assert sum(parts.values(), ZERO) == total
    assert list(parts) == sorted(weights)
    whole = sum(Fraction(v) for v in weights.values())
    for key, part in parts.items():
        exact = to_fen(total) * Fraction(weights[key]) / whole
        assert part.amount >= 0
        assert part.amount.as_tuple().exponent == -2
        assert exact - 1 < to_fen(part) < exact + 1
        if weights[key] == 0:
            assert part == ZERO


@given(totals, weights, st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_order(
    total: Money, weights: dict[str, Decimal | Fraction | int], rnd: random.Random
) -> None:
    first = split(total, weights)
    items = list(weights.items())
    rnd.shuffle(items)
    assert split(total, dict(items)) == first
    assert split(total, weights) == first


@given(totals, st.sets(st.text(alphabet="ABC12", min_size=1, max_size=3), min_size=1))
def test_equal_parts_differ_by_at_most_a_fen_smaller_keys_first(
    total: Money, keys: set[str]
) -> None:
    parts = split_equal(total, keys)
    fen = [to_fen(p) for p in parts.values()]  # in key order
    assert sum(fen) == to_fen(total)
    assert max(fen) - min(fen) <= 1
    assert fen == sorted(fen, reverse=True)


@given(
    st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1),
    st.decimals(min_value=0, max_value=1000, places=4),
)
def test_percent_of_is_the_nearest_fen_with_halves_away_from_zero(
    fen: int, percent: Decimal
) -> None:
    exact = fen * Fraction(percent) / 100
    got = to_fen(percent_of(from_fen(fen), percent))
    assert abs(got - exact) <= Fraction(1, 2)
    if abs(got - exact) == Fraction(1, 2):
        assert abs(got) > abs(exact)
