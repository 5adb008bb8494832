"""Exact splitting of an amount to the fen (the method of docs/rules.md), and percentages.

Each party's exact rational share is rounded down to the fen; the fen left over go one each to
the largest remainders, ties to the smaller key (plain string order). The parts always add up to
the whole, and the result depends on nothing but the amounts and keys (not on input order).
Fractions and integer fen, never floats and never a rounded Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from moneyed import Money

from ledger.errors import AllocationError, InvalidAmountError
from ledger.money import from_fen, to_fen

Weight = Decimal | Fraction | int


def _fen(amount: object, what: str) -> int:
    if not isinstance(amount, Money):
        raise AllocationError(f'{what} {amount!r} is not Money; use money("1200.00")')
    try:
        return to_fen(amount)
    except InvalidAmountError as error:
        raise AllocationError(f"{what}: {error}") from None


def _exact(value: object, what: str) -> Fraction:
    """``value`` as an exact Fraction; refuses floats, bools, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, Fraction, int)):
        raise AllocationError(
            f"{what} is {value!r}, a {type(value).__name__}; use a Decimal, Fraction or int "
            '(Decimal("2.5"), not 2.5)'
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise AllocationError(f"{what} is {value}; a finite number is needed")
    return Fraction(value)


def split(total: Money, weights: Mapping[str, Weight]) -> dict[str, Money]:
    """Split ``total`` in proportion to ``weights``, to the fen, parts adding up to ``total``.

    Args:
        total: CNY, ≥ 0.
        weights: key → weight ≥ 0 (Decimal, Fraction or int); at least one key, one weight > 0.

    Returns:
        key → part, in sorted key order; a key of weight zero gets 0.00.

    Raises:
        AllocationError: naming the key or amount at fault and what is allowed.
    """
    fen = _fen(total, "the amount to split")
    if fen < 0:
        raise AllocationError(
            f"cannot split {from_fen(fen).amount}: the amount to split must be ≥ 0"
        )
    if not weights:
        raise AllocationError("cannot split among nobody: give at least one party")
    exact: dict[str, Fraction] = {}
    for key, weight in weights.items():
        if not isinstance(key, str):
            raise AllocationError(f"party key {key!r} is not text; keys are codes such as V01")
        value = _exact(weight, f"the weight of {key!r}")
        if value < 0:
            raise AllocationError(f"the weight of {key!r} is {weight}; weights must be ≥ 0")
        exact[key] = value
    whole = sum(exact.values(), Fraction(0))
    if whole == 0:
        raise AllocationError(
            f"cannot split {from_fen(fen).amount}: the weights of {', '.join(sorted(exact))} "
            "are all zero; at least one weight must be above zero"
        )
    shares = {key: fen * value / whole for key, value in exact.items()}
    parts = {key: share.numerator // share.denominator for key, share in shares.items()}
    left = fen - sum(parts.values())  # 0 ≤ left < number of keys
    by_remainder = sorted(shares, key=lambda k: (-(shares[k] - parts[k]), k))
    for key in by_remainder[:left]:
        parts[key] += 1
    return {key: from_fen(parts[key]) for key in sorted(parts)}


def split_equal(total: Money, keys: Iterable[str]) -> dict[str, Money]:
    """Split ``total`` in equal parts (the remaining fen one each to the smaller keys).

    Raises:
        AllocationError: for no keys or a key given twice.
    """
    listed = list(keys)
    twice = sorted({key for key in listed if listed.count(key) > 1})
    if twice:
        raise AllocationError(f"cannot split equally: {', '.join(twice)} given more than once")
    return split(total, dict.fromkeys(listed, 1))


def percent_of(amount: Money, percent: Decimal | Fraction | int) -> Money:
    """``percent`` % of ``amount``, rounded half-up to the fen (四舍五入; halves away from zero).

    Exact for any number of places in ``percent``: the product is a Fraction, rounded once.
    """
    fen = _fen(amount, "the amount")
    exact = fen * _exact(percent, "the percent") / 100
    sign = -1 if exact < 0 else 1
    magnitude = abs(exact) + Fraction(1, 2)
    return from_fen(sign * (magnitude.numerator // magnitude.denominator))
