"""Fairness measures of a division, exact (Fractions and Decimal, never floats).

Each measure is defined here in one plain sentence (``EXPLAINED``) that the comparison prints
beside it, so a village meeting reads what a number means before it votes.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from ledger.errors import LedgerError

PLACES = Decimal("0.0001")

EXPLAINED = {
    "share_ratio": (
        "A party's share of the income divided by its share of a contribution basis: 1.00 "
        "means it is paid in proportion to what it put in, below 1 less, above 1 more."
    ),
    "per_capita": "The amount a party receives divided by its population (yuan per person).",
    "gini": (
        "Gini coefficient of the per-capita amounts: 0 when everyone gets the same per person, "
        "towards 1 the more unequal."
    ),
    "theil": (
        "Theil index of the per-capita amounts: 0 when everyone gets the same per person; it "
        "grows with inequality and weighs differences at every level alike."
    ),
    "max_min": "The highest per-capita amount divided by the lowest.",
    "cross_subsidy": (
        "What floors and caps moved after the tiers: who gave how much, and who received it."
    ),
    "shapley": (
        "Each party's average added value over every order in which the alliance could have "
        "formed (Shapley value): an alternative rule to look at, not a verdict."
    ),
}


EXPLAINED_ZH = {
    "share_ratio": (
        "所得份额除以投入份额：等于1表示“投多少、分多少”，小于1表示少分，大于1表示多分。"
    ),
    "per_capita": "一方所得除以其人口，即每人分得多少元。",
    "gini": "人均分配额的基尼系数：人人相同为0，越不均衡越接近1。",
    "theil": "人均分配额的泰尔指数：人人相同为0，差距越大数值越大。",
    "max_min": "最高人均分配额除以最低人均分配额。",
    "cross_subsidy": "保底、封顶在按档分配之后调剂的金额：谁让出多少，谁得到多少。",
    "shapley": (
        "按各方在所有可能的联合顺序中平均带来的增量（Shapley值）分配："
        "仅作另一种规则参考，不作结论。"
    ),
}


class FairnessError(LedgerError):
    """A measure cannot be computed from what was given."""


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        PLACES, rounding=ROUND_HALF_UP
    )


def gini(values: Sequence[Fraction]) -> Fraction:
    """G = Σ_i Σ_j |x_i − x_j| / (2 n² μ); 0 for an equal division (and for all zeros)."""
    n = len(values)
    total = sum(values, Fraction(0))
    if n == 0 or total == 0:
        return Fraction(0)
    ordered = sorted(values)
    # Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n + 1) x_(i), with i from 0 over the sorted values
    spread = 2 * sum(((2 * i - n + 1) * x for i, x in enumerate(ordered)), Fraction(0))
    return spread / (2 * n * total)


def theil(values: Sequence[Fraction]) -> Decimal:
    """T = (1/n) Σ (x_i/μ) ln(x_i/μ), with 0·ln 0 = 0; computed in Decimal with 28 digits."""
    n = len(values)
    total = sum(values, Fraction(0))
    if n == 0 or total == 0:
        return Decimal(0)
    mean = total / n
    with localcontext() as context:
        context.prec = 28
        result = Decimal(0)
        for value in values:
            if value == 0:
                continue
            ratio = value / mean
            r = Decimal(ratio.numerator) / Decimal(ratio.denominator)
            result += r * r.ln()
        return (result / n).quantize(PLACES, rounding=ROUND_HALF_UP)


def max_min(values: Sequence[Fraction]) -> Fraction | None:
    """Highest over lowest; None when the lowest is zero (the ratio is unbounded)."""
    if not values or min(values) <= 0:
        return None
    return max(values) / min(values)


def share_ratio(
    amount: Fraction, total: Fraction, basis: Fraction, basis_total: Fraction
) -> Fraction | None:
    """(amount / total) / (basis / basis_total); None when the party put in none of it."""
    if total == 0 or basis_total == 0 or basis == 0:
        return None
    return (amount / total) / (basis / basis_total)


def coalition_key(members: Sequence[str]) -> str:
    """Coalitions are written as their sorted codes joined by '+': ``V01+V03``."""
    return "+".join(sorted(members))


def shapley_exact(players: Sequence[str], worth: Mapping[str, Fraction]) -> dict[str, Fraction]:
    """Exact Shapley values from the worth of every coalition (missing coalitions are worth
    the sum of their members' stand-alone worths)."""
    n = len(players)
    if n > 12:
        raise FairnessError(f"exact Shapley values are computed for up to 12 parties, not {n}")

    def v(coalition: tuple[str, ...]) -> Fraction:
        if not coalition:
            return Fraction(0)
        key = coalition_key(coalition)
        if key in worth:
            return worth[key]
        return sum((worth.get(p, Fraction(0)) for p in coalition), Fraction(0))

    factorial = [math.factorial(k) for k in range(n + 1)]
    values = {}
    for player in players:
        others = [p for p in players if p != player]
        total = Fraction(0)
        for size in range(n):
            weight = Fraction(factorial[size] * factorial[n - size - 1], factorial[n])
            for coalition in itertools.combinations(others, size):
                with_player = tuple(sorted((*coalition, player)))
                total += weight * (v(with_player) - v(tuple(sorted(coalition))))
        values[player] = total
    return values


def shapley_sampled(
    players: Sequence[str],
    worth: Mapping[str, Fraction],
    *,
    samples: int = 2000,
    seed: int = 20251231,
) -> tuple[dict[str, Fraction], dict[str, Decimal]]:
    """Shapley values estimated from ``samples`` random orders (seeded, so repeatable), with
    the half-width of a 95% interval for each (1.96 standard errors)."""

    def v(coalition: frozenset[str]) -> Fraction:
        if not coalition:
            return Fraction(0)
        key = coalition_key(sorted(coalition))
        if key in worth:
            return worth[key]
        return sum((worth.get(p, Fraction(0)) for p in coalition), Fraction(0))

    rng = random.Random(seed)
    sums = {p: Fraction(0) for p in players}
    squares = {p: Fraction(0) for p in players}
    order = list(players)
    for _ in range(samples):
        rng.shuffle(order)
        before: frozenset[str] = frozenset()
        previous = Fraction(0)
        for player in order:
            after = before | {player}
            current = v(after)
            gain = current - previous
            sums[player] += gain
            squares[player] += gain * gain
            before, previous = after, current
    means = {p: sums[p] / samples for p in players}
    errors = {}
    for p in players:
        variance = (squares[p] / samples - means[p] ** 2) * Fraction(samples, max(samples - 1, 1))
        spread = Decimal(variance.numerator) / Decimal(variance.denominator) / samples
        errors[p] = (Decimal("1.96") * max(spread, Decimal(0)).sqrt()).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return means, errors


def as_decimal(value: Fraction | None) -> str | None:
    return None if value is None else f"{_decimal(value)}"
