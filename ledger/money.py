"""Money in CNY: py-moneyed ``Money`` over ``Decimal`` with exactly two places; never a float.

Amounts enter through :func:`money`, which refuses anything that is not a plain decimal of at
most two places (floats, NaN, infinities, exponents, ``"12.345"``), and negatives or zero
where they are not allowed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from moneyed import Currency, Money, get_currency

from ledger.errors import InvalidAmountError

CNY: Currency = get_currency("CNY")
FEN = Decimal("0.01")
ZERO: Money = Money(Decimal("0.00"), CNY)
# Far above any collective's books, far below where Decimal's default context would round.
LIMIT = Decimal(10) ** 15

_PLAIN = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def _describe(field: str | None) -> str:
    return f"{field}: " if field else ""


def money(
    value: object,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    field: str | None = None,
) -> Money:
    """Parse ``value`` (str, int, Decimal or CNY Money) into CNY with exactly two places.

    Raises:
        InvalidAmountError: with a message naming the value and what would be accepted.
    """
    where = _describe(field)
    if isinstance(value, float):
        raise InvalidAmountError(
            f'{where}amount {value!r} is a float; write it as a string such as "1.50"',
            field=field,
        )
    if isinstance(value, bool):
        raise InvalidAmountError(f"{where}amount {value!r} is not a number", field=field)
    if isinstance(value, Money):
        if value.currency != CNY:
            raise InvalidAmountError(
                f"{where}amount {value} is in {value.currency.code}; only CNY is kept",
                field=field,
            )
        number = value.amount
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        if not _PLAIN.match(value):
            raise InvalidAmountError(
                f'{where}amount {value!r} is not a decimal; write it like "1200.00"',
                field=field,
            )
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise InvalidAmountError(
                f"{where}amount {value!r} is not a decimal", field=field
            ) from None
    else:
        raise InvalidAmountError(
            f"{where}amount {value!r} is a {type(value).__name__}, not a decimal string",
            field=field,
        )
    if not number.is_finite():
        raise InvalidAmountError(f"{where}amount {value!r} is not a finite number", field=field)
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -2:
        raise InvalidAmountError(
            f"{where}amount {value!r} has {-exponent} decimal places; at most 2 are allowed",
            field=field,
        )
    if abs(number) >= LIMIT:
        raise InvalidAmountError(
            f"{where}amount {value!r} is too large; amounts stay below 10^15 yuan", field=field
        )
    if number < 0 and not allow_negative:
        raise InvalidAmountError(
            f"{where}amount {value!r} is negative; only amounts ≥ 0 are allowed here",
            field=field,
        )
    if number == 0 and not allow_zero:
        raise InvalidAmountError(
            f"{where}amount {value!r} is zero; a positive amount is needed here", field=field
        )
    return Money(number.quantize(FEN), CNY)


def amount_str(m: Money) -> str:
    """The JSON form: ``"1234.50"``, ``"-3.00"``."""
    return f"{m.amount.quantize(FEN):f}"


def format_yuan(m: Money) -> str:
    """``¥1,234.50`` (always 角 and 分; ``-¥3.00`` for negatives)."""
    amount = m.amount.quantize(FEN)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def to_fen(m: Money) -> int:
    return int((m.amount * 100).to_integral_value())


def from_fen(fen: int) -> Money:
    return Money((Decimal(fen) / 100).quantize(FEN), CNY)
