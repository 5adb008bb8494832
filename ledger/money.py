"""Money in CNY: py-moneyed ``Money`` over ``Decimal`` with exactly two places; never a float.

Amounts enter through :func:`money`, which refuses anything that is not a plain decimal of at
most two written places (floats, bools, NaN, infinities, exponents, ``"12.345"``, ``"12.340"``),
negatives or zero where they are not allowed, other currencies, and absurd magnitudes (10^15
yuan or more). Conversions to and from whole fen are exact: no rounding happens anywhere here.

This is the one reader and writer of amounts; the rest of the project calls it. Reading:
:func:`money` (anything entered), :func:`written_amount` (what a clerk adds around an amount:
spaces, thousands separators, ¥), :func:`text_fen` (stored two-place text to fen, fast, for the
read models). Writing: :func:`fen_text` is the one formatter; :func:`amount_str` (JSON, stored
and exported figures), :func:`format_yuan` (``¥1,234.50``, messages and pages) and
:func:`yuan_text` (pages and the printed voucher, given text) are its forms.
"""

from __future__ import annotations

import re
from decimal import Decimal

from moneyed import Currency, Money, get_currency

from ledger.errors import InvalidAmountError

CNY: Currency = get_currency("CNY")
FEN = Decimal("0.01")
ZERO: Money = Money(Decimal("0.00"), CNY)
# Far above any collective's books, far below where Decimal's default context would round.
LIMIT = Decimal(10) ** 15
# The most a clerk may enter as one amount (a posting, a contribution, a dividend): ¥10 billion,
# far above any township's figures and small enough that every sum a read model keeps stays
# inside a signed 64-bit fen column (see domain/bounds.py). Stored events are read with LIMIT.
MAX_AMOUNT = Decimal("10000000000.00")

_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_EXAMPLE = 'write it as a string such as "1200.00"'


def _prefix(field: str | None) -> str:
    return f"{field}: " if field else ""


def _allowed(allow_negative: bool, allow_zero: bool) -> str:
    if allow_negative:
        return "any non-zero amount is allowed here" if not allow_zero else ""
    return (
        "only amounts ≥ 0 are allowed here" if allow_zero else "only amounts > 0 are allowed here"
    )


def _number(value: object, where: str, field: str | None) -> Decimal:
    """The Decimal a value stands for, or InvalidAmountError saying why there is none."""
    if isinstance(value, float):
        raise InvalidAmountError(
            f'{where}amount {value!r} is a float; write it as a string such as "1.50"',
            field=field,
        )
    if isinstance(value, bool):
        raise InvalidAmountError(
            f"{where}amount {value!r} is a boolean, not a number; {_EXAMPLE}", field=field
        )
    if isinstance(value, Money):
        if value.currency != CNY:
            raise InvalidAmountError(
                f"{where}amount {value.amount} is in {value.currency.code}; only CNY amounts "
                "are kept",
                field=field,
            )
        return value.amount
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        # fullmatch: "$" would let a trailing newline through, and Decimal() strips whitespace.
        if not _PLAIN.fullmatch(value):
            raise InvalidAmountError(
                f"{where}amount {value!r} is not a decimal; write digits with an optional "
                'leading "-" and decimal point, such as "1200.00" (no spaces, commas or '
                "exponents)",
                field=field,
            )
        return Decimal(value)
    if value is None:
        raise InvalidAmountError(f"{where}amount is missing; {_EXAMPLE}", field=field)
    raise InvalidAmountError(
        f"{where}amount {value!r} is a {type(value).__name__}, not a decimal; {_EXAMPLE}",
        field=field,
    )


def written_amount(text: str) -> str:
    """An amount as a clerk writes it (a form field, a spreadsheet cell), made plain for
    :func:`money`: the spaces around it, thousands separators (``,`` and ``，``) and a leading
    ``¥`` or ``￥`` are dropped, ``" ¥1,234.50 "`` → ``"1234.50"``; nothing else is changed, so
    whatever else is wrong with it is still refused by :func:`money`."""
    return text.strip().replace(",", "").replace("，", "").lstrip("¥￥")


def money(
    value: object,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    field: str | None = None,
    maximum: Decimal | None = None,
) -> Money:
    """Parse ``value`` (str, int, Decimal or CNY Money) into CNY with exactly two places.

    Args:
        value: ``"1234"``, ``"1234.5"``, ``"-3.00"``, ``1234``, ``Decimal("1.50")``, a CNY Money.
        allow_negative: accept amounts below zero (red ink, signed balances).
        allow_zero: accept 0.00.
        field: the input's name, put in front of the message and on the error.
        maximum: the largest magnitude accepted (``MAX_AMOUNT`` for what a clerk enters);
            without it only absurd magnitudes (10^15 yuan or more) are refused.

    Raises:
        InvalidAmountError: naming the value, what is wrong with it and what would be accepted.
    """
    where = _prefix(field)
    number = _number(value, where, field)
    if not number.is_finite():
        raise InvalidAmountError(
            f"{where}amount {value!r} is not a finite number; {_EXAMPLE}", field=field
        )
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite decimals have an integer exponent
    if exponent < -2:
        raise InvalidAmountError(
            f"{where}amount {value!r} has {-exponent} decimal places; at most 2 are allowed",
            field=field,
        )
    if abs(number) >= LIMIT:
        raise InvalidAmountError(
            f"{where}amount {value!r} is too large; amounts stay below 10^15 yuan", field=field
        )
    if maximum is not None and abs(number) > maximum:
        raise InvalidAmountError(
            f"{where}amount {value!r} is too large; one amount is at most "
            f"{format_yuan(Money(maximum, CNY))}",
            field=field,
        )
    if number < 0 and not allow_negative:
        raise InvalidAmountError(
            f"{where}amount {value!r} is negative; {_allowed(allow_negative, allow_zero)}",
            field=field,
        )
    if number == 0:
        if not allow_zero:
            raise InvalidAmountError(
                f"{where}amount {value!r} is zero; {_allowed(allow_negative, allow_zero)}",
                field=field,
            )
        return ZERO  # also turns "-0.00" into 0.00
    return Money(number.quantize(FEN), CNY)


def _fen_of(m: Money) -> int:
    """The exact number of fen in ``m``; refuses other currencies and fractions of a fen."""
    if not isinstance(m, Money) or m.currency != CNY:
        raise InvalidAmountError(f"{m!r} is not an amount in CNY; only CNY Money is kept")
    if not m.amount.is_finite():
        raise InvalidAmountError(f"amount {m.amount} is not a finite number")
    numerator, denominator = m.amount.as_integer_ratio()
    fen, rest = divmod(numerator * 100, denominator)
    if rest:
        raise InvalidAmountError(
            f"amount {m.amount} is not a whole number of fen; amounts have at most 2 decimal places"
        )
    return fen


def to_fen(m: Money) -> int:
    """Whole fen in ``m`` (¥12.34 → 1234), exactly; the integer form used by stores and sums."""
    return _fen_of(m)


def from_fen(fen: int) -> Money:
    """Money of ``fen`` fen (1234 → ¥12.34), exactly, with two places."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise InvalidAmountError(f"fen {fen!r} is a {type(fen).__name__}; a whole number is needed")
    # The string constructor is exact whatever the size; arithmetic would follow the context.
    return Money(Decimal(f"{fen}E-2"), CNY)


def fen_text(fen: int, *, symbol: bool = False, separators: bool = False) -> str:
    """Whole fen as figures: the one way an amount is written, every other formatter calls it.

    The same digits three ways (negatives get ``-`` in front, zero is never ``-0.00``):

    - ``fen_text(123450)`` → ``"1234.50"``: plain, two places, as the JSON answers, the stored
      events, the exports and the audit figures write it;
    - ``separators=True`` → ``"1,234.50"``: thousands separators, as the printed voucher's
      debit and credit columns show it;
    - ``symbol=True, separators=True`` → ``"¥1,234.50"`` (``"-¥3.00"``): the pages, the sheets
      and the messages.
    """
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    digits = f"{whole:,}" if separators else f"{whole}"
    return f"{sign}{'¥' if symbol else ''}{digits}.{cents:02d}"


def text_fen(text: str) -> int:
    """Whole fen of an amount written as plain decimal text (``"-12.34"`` → -1234), read fast:
    amounts in stored events are always written with two places (:func:`amount_str`), so the
    common case is a string splice; any other plain decimal is read through ``Decimal``.

    Raises:
        InvalidAmountError: for a fraction of a fen (never stored: :func:`money` refuses it).
    """
    if text[-3:-2] == ".":
        try:
            return int(text[:-3] + text[-2:])
        except ValueError:
            pass
    number = Decimal(text).scaleb(2)
    if number != number.to_integral_value():
        raise InvalidAmountError(f"amount {text!r} is not a whole number of fen")
    return int(number)


def amount_str(m: Money) -> str:
    """The JSON form: ``"1234.50"``, ``"-3.00"`` (plain, two places, never ``"-0.00"``)."""
    return fen_text(_fen_of(m))


def format_yuan(m: Money, *, symbol: bool = True) -> str:
    """``¥1,234.50``: thousands separators, always 角 and 分; ``-¥3.00`` for negatives.
    ``symbol=False``: ``1,234.50`` without ``¥`` (the printed voucher's columns)."""
    return fen_text(_fen_of(m), symbol=symbol, separators=True)


def yuan_text(value: object, *, symbol: bool = True, blank_zero: bool = False) -> str:
    """Any amount :func:`money` reads (negatives allowed) as figures for a page: ``"60559.39"``
    → ``¥60,559.39``. Blank for ``None`` or ``""`` (an empty cell). ``symbol=False``:
    ``60,559.39`` (the printed voucher); ``blank_zero``: blank for zero as well (a voucher's
    empty debit or credit column).

    Raises:
        InvalidAmountError: for text that is not an amount, as :func:`money` does.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, Money):  # already an amount: format_yuan checks it is CNY, whole fen
        return "" if blank_zero and value.amount == 0 else format_yuan(value, symbol=symbol)
    # text as written (str() of an int or a Decimal is its plain form, as pages always passed)
    m = money(str(value), allow_negative=True)
    if blank_zero and m == ZERO:
        return ""
    return format_yuan(m, symbol=symbol)
