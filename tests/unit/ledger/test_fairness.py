"""Fairness measures against hand-computed cases, and comparison invariants."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.comparison import ComparisonError, compare
from ledger.fairness import gini, max_min, shapley_exact, shapley_sampled, share_ratio, theil
from tests.unit.ledger.test_rules import scenario_a

F = Fraction


def test_gini_by_hand() -> None:
    assert gini([F(5), F(5), F(5)]) == 0  # an equal division
    # |differences| summed over ordered pairs: 2 × (1+2+3+1+2+1) = 20; 2 n² μ = 2·16·2.5 = 80
    assert gini([F(1), F(2), F(3), F(4)]) == F(1, 4)
    assert gini([F(0), F(0), F(10)]) == F(2, 3)  # one has all: (n−1)/n
    assert gini([F(4), F(1), F(3), F(2)]) == F(1, 4)


def test_theil_by_hand() -> None:
    assert theil([F(7), F(7)]) == 0
    # μ = 2: ½(0.5·ln 0.5 + 1.5·ln 1.5) = ½(−0.346574 + 0.608198) = 0.130812
    assert theil([F(1), F(3)]) == Decimal("0.1308")
    assert theil([F(0), F(2)]) == Decimal("0.6931")  # ln 2: one has everything


def test_ratios() -> None:
    assert max_min([F(2), F(3)]) == F(3, 2)
    assert max_min([F(0), F(3)]) is None
    # 44836.56 of 182280.00 against 400000 of 1500000 capital: 0.92
    ratio = share_ratio(F(4483656), F(18228000), F(400000), F(1500000))
    assert ratio is not None and round(Decimal(ratio.numerator) / ratio.denominator, 2) == (
        Decimal("0.92")
    )


def test_shapley_by_hand() -> None:
    # A alone 10, B alone 20, together 50: φA = ½(10 + (50 − 20)) = 20, φB = 30
    assert shapley_exact(["A", "B"], {"A": F(10), "B": F(20), "A+B": F(50)}) == {
        "A": F(20),
        "B": F(30),
    }
    # the glove game: L holds a left glove, R1 and R2 right ones; a pair is worth 1
    worth = {"L+R1": F(1), "L+R2": F(1), "L+R1+R2": F(1)}
    assert shapley_exact(["L", "R1", "R2"], worth) == {"L": F(2, 3), "R1": F(1, 6), "R2": F(1, 6)}


def test_sampled_shapley_comes_within_its_stated_error() -> None:
    players = [f"P{i:02d}" for i in range(14)]
    worth = {p: F(i + 1) for i, p in enumerate(players)}  # additive game: φ = stand-alone
    worth["+".join(sorted(players))] = sum(worth.values(), F(0)) + 140  # +10 each on average
    means, errors = shapley_sampled(players, worth, samples=3000)
    for p in players:
        exact = worth[p] + 10
        assert abs(
            Decimal(means[p].numerator) / means[p].denominator
            - Decimal(exact.numerator) / exact.denominator
        ) <= errors[p] * 3 + Decimal("0.01")
    with pytest.raises(Exception, match="up to 12"):
        shapley_exact(players, worth)


CANDIDATES = [
    {"name": "按资金比例", "rule": {"tiers": [{"kind": "proportional", "basis": "capital"}]}},
    {"name": "各村平均", "rule": {"tiers": [{"kind": "equal"}]}},
    {"name": "按人口", "rule": {"tiers": [{"kind": "proportional", "basis": "population"}]}},
]


def test_scenario_a_comparison() -> None:
    result = compare(scenario_a(), CANDIDATES)
    names = [c["name"] for c in result["candidates"]]
    assert names == ["方案规则", "按资金比例", "各村平均", "按人口"]
    equal = result["candidates"][2]
    assert equal["lines"] == {"V01": "60760.00", "V02": "60760.00", "V03": "60760.00"}
    assert equal["difference"]["V02"] == {"yuan": "15923.44", "percent": "35.51"}
    plan = result["candidates"][0]
    assert plan["measures"]["share_ratio"]["V02"]["capital"] == "0.92"
    assert any("和店村：按资金计为其比例份额的0.92倍" in s for s in plan["sentences"])
    assert result["candidates"][1]["measures"]["gini"] == "0.0000"  # capital ∝ population
    assert set(result["explained"]) >= {"gini", "theil", "share_ratio", "cross_subsidy"}


def test_comparison_refusals() -> None:
    with pytest.raises(ComparisonError, match="two to six"):
        compare(scenario_a(), [])
    with pytest.raises(ComparisonError, match="candidate 坏规则"):
        compare(scenario_a(), [{"name": "坏规则", "rule": {"tiers": [{"kind": "median"}]}}])
    with pytest.raises(ComparisonError, match="reference"):
        compare(scenario_a(), CANDIDATES, reference="nope")


def test_shapley_as_an_alternative_rule() -> None:
    result = compare(
        scenario_a(),
        CANDIDATES[:1],
        shapley={"standalone": {"V01": "50000.00", "V02": "30000.00", "V03": "40000.00"}},
    )
    shapley = result["candidates"][-1]
    # surplus 182280 − 120000 = 62280 shared equally: 20760 each
    assert shapley["lines"] == {"V01": "70760.00", "V02": "50760.00", "V03": "60760.00"}
    assert result["shapley"]["method"] == "exact"


amounts = st.integers(min_value=0, max_value=10**7)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=2, max_value=7))
    parties = [
        {
            "code": f"P{i}",
            "name": f"村{i}",
            "bases": {
                "capital": str(draw(st.integers(min_value=0, max_value=10**6))),
                "population": str(draw(st.integers(min_value=1, max_value=5000))),
            },
        }
        for i in range(count)
    ]
    fen = draw(amounts)
    return {
        "amount": f"{fen // 100}.{fen % 100:02d}",
        "tiers": [{"kind": "equal"}],
        "parties": parties,
    }


@settings(max_examples=60, deadline=None)
@given(documents(), st.randoms())
def test_every_candidate_sums_to_the_distributable_and_order_does_not_matter(
    document: dict[str, Any], rnd: random.Random
) -> None:
    candidates = [
        {"name": "资金", "rule": {"tiers": [{"kind": "proportional", "basis": "capital"}]}}
        if any(p["bases"]["capital"] != "0" for p in document["parties"])
        else {"name": "人口", "rule": {"tiers": [{"kind": "proportional", "basis": "population"}]}},
        {
            "name": "加权",
            "rule": {
                "tiers": [{"kind": "weighted", "weights": {"capital": "50", "population": "50"}}]
            },
        },
    ]
    result = compare(document, candidates)
    for candidate in result["candidates"]:
        total = sum(Decimal(v) for v in candidate["lines"].values())
        assert f"{total:.2f}" == candidate["distributable"]
    shuffled = {**document, "parties": rnd.sample(document["parties"], len(document["parties"]))}
    again = compare(shuffled, candidates)
    for a, b in zip(result["candidates"], again["candidates"], strict=True):
        assert a["lines"] == b["lines"]
        for measure in ("gini", "theil", "max_min", "share_ratio", "per_capita"):
            assert a["measures"][measure] == b["measures"][measure]
