"""人民币大写: amounts in Chinese capital numerals, as on vouchers and disclosure sheets.

Rules (as banks and vouchers write 大写 amounts), and the decisions taken where they are silent:

- Only 零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整 (and 负 in front of a negative amount).
- A zero inside the number is written 零, and a run of zeros is one 零 (壹亿零壹元整); no zero is
  written where a unit 万 or 亿 already ends the group (壹拾捌万陆仟元整), nor at the end.
- 整 follows 元 when there are no 角 and 分; never after 分 and, following the example
  1,409.50 → 壹仟肆佰零玖元伍角, not after 角 either.
- When 角 is zero and 分 is not, 零 follows 元 (贰拾元零柒分); a zero 元 digit before a non-zero
  角 is not written (壹仟零贰拾元叁角).
- Under one yuan the amount starts at 角 or 分 (伍分, 伍角, 伍角伍分); zero is 零元整.
- The leading 壹拾 is kept (壹拾元整, 壹拾万元整), as vouchers require.
- From 亿 up the count of 亿 is itself written with 万 (壹万零壹亿元整), never 万亿.
- No "人民币" prefix: the caller adds it.
"""

from __future__ import annotations

from moneyed import Money

from ledger.money import to_fen

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_WAN = 10**4
_YI = 10**8


def _below_wan(n: int) -> str:
    """Capitals of 1 ≤ n < 10000, zeros inside written as one 零, none at the end."""
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + _SMALL_UNITS[position]
    return out


def _integer(n: int) -> str:
    """Capitals of a whole number n ≥ 1 (without 元)."""
    for size, unit in ((_YI, "亿"), (_WAN, "万")):
        if n >= size:
            high, low = divmod(n, size)
            out = _integer(high) + unit
            if low:
                # A gap (the low part is shorter than its full width) is read as one 零.
                out += ("零" if low < size // 10 else "") + _integer(low)
            return out
    return _below_wan(n)


def to_capitals(m: Money) -> str:
    """``60559.39`` → ``陆万零伍佰伍拾玖元叁角玖分`` (no 人民币 prefix: the caller adds it).

    Raises:
        InvalidAmountError: when ``m`` is not CNY or not a whole number of fen.
    """
    fen_total = to_fen(m)
    if fen_total == 0:
        return "零元整"
    sign = "负" if fen_total < 0 else ""
    yuan, rest = divmod(abs(fen_total), 100)
    jiao, fen = divmod(rest, 10)
    out = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return sign + out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return sign + out
