"""Depreciation (折旧) and amortisation (摊销) of an asset card, and the owners' shares of an
amount: pure arithmetic in integer fen and ``Fraction``, never a float.

The methods (《农村集体经济组织会计制度》 2023, as this system keeps them):

- **平均年限法** (straight line, ``straight_line``): the depreciable base is 原值 × (1 − 残值率),
  half-up to the fen; the monthly amount is base / useful life in months, half-up to the fen;
  the last month of the life takes what is left of the base (more or less than the monthly
  amount by the rounding), and no month takes more than what is left: the accumulated amount
  never passes the base.
- **工作量法** (units of production, ``units``): the amount of a month is the base × the units
  used to date / the total units, half-up, less what was depreciated before: the accumulated
  amount follows the units exactly and never passes the base, whatever the units reported.

Owners' shares: an amount (a month's depreciation, a rent, a project's income) is split among the
owners of an asset by their recorded shares with the project's one method
(``ledger.allocation.split``: each owner's exact share rounded down to the fen, the remaining fen
one each to the largest remainders, ties to the smaller code); the parts add up to the amount.

Ownership shares are decimal fractions that add up to exactly 1. Shares taken from the capital
each owner put into a project are computed to :data:`SHARE_PLACES` places by the same method
(millionths handed out like fen), so they too add up to exactly 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from moneyed import Money

from ledger.allocation import split
from ledger.errors import LedgerError
from ledger.money import ZERO, from_fen, to_fen

METHODS = {"straight_line": "平均年限法", "units": "工作量法"}
SHARE_PLACES = 6
"""Ownership shares computed from contributions have this many decimal places."""


class DepreciationError(LedgerError):
    """Inputs a depreciation or a split of shares cannot be computed from."""


def _half_up(value: Fraction) -> int:
    """``value`` ≥ 0 rounded half-up to an integer (四舍五入)."""
    shifted = value + Fraction(1, 2)
    return shifted.numerator // shifted.denominator


def depreciable_base(original: Money, residual_rate: Decimal) -> Money:
    """原值 × (1 − 残值率), half-up to the fen: what depreciation may take in all.

    Raises:
        DepreciationError: a residual rate outside 0 … 1.
    """
    if not residual_rate.is_finite() or not Decimal(0) <= residual_rate <= 1:
        raise DepreciationError(
            f"the residual rate {residual_rate} is not a fraction from 0 to 1 (5% is 0.05)",
            field="residual_rate",
            zh=f"残值率 {residual_rate} 应在 0 到 1 之间（5% 写作 0.05）",
        )
    fen = to_fen(original)
    return from_fen(_half_up(fen * (1 - Fraction(residual_rate))))


def monthly_amount(base: Money, life_months: int) -> Money:
    """The straight-line amount of an ordinary month: base / life, half-up to the fen."""
    if life_months < 1:
        raise DepreciationError(
            f"a useful life of {life_months} months is not possible; give at least 1 month",
            field="life_months",
            zh=f"使用年限 {life_months} 个月不合理：至少 1 个月",
        )
    return from_fen(_half_up(Fraction(to_fen(base), life_months)))


def straight_line(base: Money, life_months: int, accumulated: Money, months_done: int) -> Money:
    """The straight-line depreciation of the next month of an asset.

    Args:
        base: the depreciable base (:func:`depreciable_base`).
        life_months: the useful life in months.
        accumulated: what was depreciated before this month.
        months_done: how many months were depreciated before this one.

    Returns:
        The monthly amount, what is left in the life's last month, and never more than what
        is left of the base (0.00 once it is all depreciated).
    """
    left = base - accumulated
    if left <= ZERO:
        return ZERO
    if months_done + 1 >= life_months:
        return left
    return min(monthly_amount(base, life_months), left)


def units_of_production(
    base: Money, total_units: Decimal, units_before: Decimal, units: Decimal, accumulated: Money
) -> Money:
    """The 工作量法 depreciation of a month in which ``units`` were used.

    Args:
        base: the depreciable base.
        total_units: the units the asset is expected to give over its life (> 0).
        units_before: the units used in the months depreciated before.
        units: the units used this month (≥ 0).
        accumulated: what was depreciated before this month.

    Returns:
        base × (units_before + units) / total_units, half-up, less ``accumulated``; never
        below 0 nor above what is left of the base.
    """
    if not total_units.is_finite() or total_units <= 0:
        raise DepreciationError(
            "工作量法 needs the total units the asset gives over its life, above 0",
            field="total_units",
            zh="工作量法需要填写预计总工作量（大于 0）",
        )
    if not units.is_finite() or units < 0:
        raise DepreciationError(
            f"the units used in a month are at least 0, not {units}",
            field="units",
            zh=f"本月工作量应不小于 0，而不是 {units}",
        )
    done = min(Fraction(units_before + units) / Fraction(total_units), Fraction(1))
    target = from_fen(_half_up(to_fen(base) * done))
    left = base - accumulated
    return max(min(target - accumulated, left), ZERO)


def owners_split(amount: Money, shares: Mapping[str, Decimal]) -> dict[str, Money]:
    """``amount`` split among the owners by their shares, to the fen, parts adding up to it
    (the project's one method; see the module docstring)."""
    return split(amount, dict(shares))


def shares_problem(shares: Mapping[str, Decimal]) -> str | None:
    """What is wrong with a set of ownership shares (in Chinese, for the clerk), or None:
    at least one owner, each share a fraction from 0 to 1, together exactly 1."""
    if not shares:
        return "至少要有一个所有者（持有份额的村）"
    for code, share in shares.items():
        if not share.is_finite() or not Decimal(0) <= share <= 1:
            return f"{code} 的份额 {share} 应在 0 到 1 之间（45% 写作 0.45）"
    total = sum((Fraction(share) for share in shares.values()), Fraction(0))
    if total != 1:
        shown = sum(shares.values(), Decimal(0))
        return f"各所有者的份额合计为 {shown}，应恰好等于 1（100%）"
    return None


def shares_from(contributions: Mapping[str, Money]) -> dict[str, Decimal]:
    """Ownership shares in proportion to what each owner contributed, to :data:`SHARE_PLACES`
    places, adding up to exactly 1 (the remaining millionths to the largest remainders, ties
    to the smaller code).

    Raises:
        DepreciationError: no contribution above zero.
    """
    if not contributions or all(value <= ZERO for value in contributions.values()):
        raise DepreciationError(
            "ownership by contribution needs at least one contribution above zero",
            field="owners",
            zh="按出资确定份额时，至少要有一个村的出资大于零",
        )
    unit = 10**SHARE_PLACES
    weights = {code: to_fen(value) for code, value in contributions.items()}
    parts = split(from_fen(unit), weights)
    scale = Decimal(1).scaleb(-SHARE_PLACES)
    return {code: (Decimal(to_fen(part)) * scale).normalize() for code, part in parts.items()}
