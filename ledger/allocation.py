"""Exact splitting of an amount to the fen (the method of RULES.md).

Each party's exact rational share is rounded down to the fen; the fen left over go one each to
the largest remainders, ties to the smaller key. The parts always add up to the whole, and the
result depends on nothing but the amounts and keys (not on input order). Fractions, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from moneyed import Money

from ledger.errors import AllocationError
from ledger.money import CNY, FEN, from_fen, to_fen

Weight = Decimal | Fraction | int


def split(total: Money, weights: Mapping[str, Weight]) -> dict[str, Money]:
    """Split ``total`` in proportion to ``weights``; returns parts in key order."""
    if total.currency != CNY or total.amount < 0:
        raise AllocationError(f"cannot split {total}: the amount must be CNY and ≥ 0")
    if not weights:
        raise AllocationError("cannot split among nobody: give at least one party")
    exact: dict[str, Fraction] = {}
    for key, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, (Decimal, Fraction, int)):
            raise AllocationError(
                f"weight of {key!r} is a {type(weight).__name__}; use Decimal, Fraction or int"
            )
        value = Fraction(weight)
        if value < 0:
            raise AllocationError(f"weight of {key!r} is {weight}; weights must be ≥ 0")
        exact[key] = value
    whole = sum(exact.values(), Fraction(0))
    if whole == 0:
        raise AllocationError(
            f"cannot split {total.amount} by weights that are all zero: {sorted(exact)}"
        )
    fen = to_fen(total)
    shares = {key: fen * value / whole for key, value in exact.items()}
    parts = {key: share.numerator // share.denominator for key, share in shares.items()}
    left = fen - sum(parts.values())
    by_remainder = sorted(shares, key=lambda k: (-(shares[k] - parts[k]), k))
    for key in by_remainder[:left]:
        parts[key] += 1
    return {key: from_fen(parts[key]) for key in sorted(parts)}


def split_equal(total: Money, keys: Iterable[str]) -> dict[str, Money]:
    """Split ``total`` in equal parts (the remaining fen to the smaller keys)."""
    return split(total, {key: 1 for key in keys})


def percent_of(amount: Money, percent: Decimal) -> Money:
    """``percent`` % of ``amount``, rounded half-up to the fen (四舍五入)."""
    value = (amount.amount * Decimal(percent) / 100).quantize(FEN, rounding=ROUND_HALF_UP)
    return Money(value, CNY)
