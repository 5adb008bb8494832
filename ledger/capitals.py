"""人民币大写: amounts in Chinese capital numerals, as on vouchers and disclosure sheets.

Rules (see ACCOUNTING.md): only 零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整; a zero inside the number
is one 零 however many digits it stands for; 整 follows 元 when there are no 角 and 分 (never
after 分, and not after 角: 1,409.50 → 壹仟肆佰零玖元伍角); when 角 is zero and 分 is not, 零
follows 元. Amounts under one yuan start at 角 or 分 (0.05 → 伍分); zero is 零元整; the leading
壹拾 is kept (10.00 → 壹拾元整). Negative amounts start with 负.
"""

from __future__ import annotations

from moneyed import Money

from ledger.money import FEN

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")


def _integer(n: int) -> str:
    """Capitals of a whole number > 0 (without 元)."""
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = True
            continue
        if out and (pending_zero or group < 1000):
            out += "零"
        pending_zero = False
        text = ""
        zero = False
        for position in range(3, -1, -1):
            digit = group // 10**position % 10
            if digit == 0:
                zero = bool(text)
                continue
            if zero:
                text += "零"
                zero = False
            text += DIGITS[digit] + SMALL_UNITS[position]
        out += text + GROUP_UNITS[index]
    return out


def to_capitals(m: Money) -> str:
    """``60559.39`` → ``陆万零伍佰伍拾玖元叁角玖分`` (no 人民币 prefix: the caller adds it)."""
    amount = m.amount.quantize(FEN)
    sign = "负" if amount < 0 else ""
    fen_total = int(abs(amount) * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if fen_total == 0:
        return "零元整"
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
