"""A bank statement (银行对账单) as a command carries it, and its checks before it is recorded:
every line read (a date, a signed amount, the balance after it when the bank gives one), the
running balance, and the statement against the account's chain of statements.

The lines come from a file the front end read (``adapters.bank_files``: CSV or XLSX of any
bank, its columns mapped once per bank) or from an integration's JSON; the domain does not
read files. Refusals are in Chinese, naming the row of the file where there is one.

The chain (``chain_problem``): a statement starts the day after the previous one ends (the
account's first starts on the day the account is kept from) and opens with the previous one's
closing balance (the first with the account's opening balance per statement); it closes with
its opening plus its lines. A statement imported twice, or one overlapping another, or one
whose account number is another account's, is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from domain.bounds import MAX_TEXT, bad_character
from domain.errors import ConflictError, InvalidRequestError
from ledger.money import MAX_AMOUNT, fen_text, money, to_fen

MAX_LINES = 20_000
"""Lines of one statement (a village's account has tens a month; a year's statement fits)."""

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class StatementLine:
    """One line of a statement: its date, signed amount (yuan: ``"12000.00"`` in, ``"-860.50"``
    out), the balance after it when the bank gives one, the counterparty, the bank's reference
    (凭证号, 流水号, 支票号), the memo (摘要, 用途) and the row of the file it came from."""

    date: datetime.date
    amount: str
    balance: str | None = None
    counterparty: str = ""
    reference: str = ""
    memo: str = ""
    row: int = 0


@dataclass(frozen=True)
class Statement:
    """A statement to import: its lines and, where the file says them, its period, opening and
    closing balances and the account number; the file's name, SHA-256 and format (the
    template or mapping it was read with)."""

    lines: tuple[StatementLine, ...]
    start: datetime.date | None = None
    end: datetime.date | None = None
    opening: str | None = None
    closing: str | None = None
    account_number: str | None = None
    file_name: str = ""
    digest: str = ""
    format: str = ""


def _where(line: StatementLine, index: int) -> str:
    return f"第{line.row}行" if line.row else f"第{index + 1}笔"


def clean_text(value: object, *, field: str, zh: str) -> str:
    """A text of a line as stored: at most ``MAX_TEXT`` characters, no control character."""
    if not isinstance(value, str):
        raise InvalidRequestError(f"{field} is text", field=field, zh=f"{zh}应为文字")
    text = value.strip()
    if len(text) > MAX_TEXT or bad_character(text) is not None:
        raise InvalidRequestError(
            f"{field}: at most {MAX_TEXT} characters without control characters",
            field=field,
            zh=f"{zh}最多 {MAX_TEXT} 个字，且不能含控制字符",
        )
    return text


def _fen(value: object, *, field: str, zh: str, negative: bool = True) -> int:
    try:
        return to_fen(money(value, allow_negative=negative, field=field, maximum=MAX_AMOUNT))
    except Exception:
        raise InvalidRequestError(
            f"{field}: {str(value)[:40]!r} is not an amount", field=field, zh=zh
        ) from None


def checked_lines(statement: Statement) -> list[dict[str, object]]:
    """The lines as stored (``date`` ISO, ``amount`` and ``balance`` in fen), each checked;
    refused in Chinese at the first bad row."""
    if len(statement.lines) > MAX_LINES:
        raise InvalidRequestError(
            f"a statement has at most {MAX_LINES} lines",
            field="lines",
            zh=f"一张对账单最多 {MAX_LINES} 笔，请按月分开导入",
        )
    found: list[dict[str, object]] = []
    for index, line in enumerate(statement.lines):
        where = _where(line, index)
        field = f"lines[{index}]"
        if not isinstance(line.date, datetime.date):
            raise InvalidRequestError(
                f"{field}.date is not a date", field=f"{field}.date", zh=f"{where}：日期有误"
            )
        amount = _fen(line.amount, field=f"{field}.amount", zh=f"{where}：金额有误")
        if amount == 0:
            raise InvalidRequestError(
                f"{field}.amount is zero",
                field=f"{field}.amount",
                zh=f"{where}：收入和支出都是零，不是一笔交易",
            )
        balance = None
        if line.balance not in (None, ""):
            balance = _fen(line.balance, field=f"{field}.balance", zh=f"{where}：余额有误")
        found.append(
            {
                "id": "",  # given when the statement's number is known
                "row": int(line.row or index + 1),
                "date": line.date.isoformat(),
                "amount": amount,
                "balance": balance,
                "counterparty": clean_text(
                    line.counterparty, field=f"{field}.counterparty", zh=f"{where}：对方户名"
                ),
                "reference": clean_text(
                    line.reference, field=f"{field}.reference", zh=f"{where}：凭证号/流水号"
                ),
                "memo": clean_text(line.memo, field=f"{field}.memo", zh=f"{where}：摘要"),
            }
        )
    return found


def fingerprint(
    start: datetime.date, end: datetime.date, lines: Sequence[dict[str, object]]
) -> str:
    """What makes two statements the same, whatever file they came in: the period and every
    line's date, amount and balance."""
    body = [start.isoformat(), end.isoformat()] + [
        [line["date"], line["amount"], line["balance"]] for line in lines
    ]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def masked(number: str) -> str:
    """An account number as public pages show it: its last four digits (``****3021``)."""
    return "****" + digits(number)[-4:]


def same_account(stated: str, number: str) -> bool:
    """Whether the number a statement states is ``number`` (a statement that masks the number,
    ``6228****3021``, is compared by its last four digits)."""
    if "*" in stated or len(digits(stated)) < 8:
        return digits(stated)[-4:] == digits(number)[-4:]
    return digits(stated) == digits(number)


def yuan(fen: int) -> str:
    return fen_text(fen, separators=True)


def running_problem(opening: int, lines: Sequence[dict[str, object]]) -> str | None:
    """The first line whose stated balance is not the balance before it plus its amount."""
    balance = opening
    for line in lines:
        balance += int(line["amount"])  # type: ignore[call-overload]
        stated = line["balance"]
        if stated is not None and stated != balance:
            return (
                f"第{line['row']}行：余额 {yuan(int(stated))} 与上一笔余额加减本笔金额 "  # type: ignore[call-overload]
                f"{yuan(balance)} 不符（对账单有缺行，或读错了列）"
            )
    return None


@dataclass(frozen=True)
class Previous:
    """What the account's statements so far end with: the day after which the next one
    starts, its closing balance (fen) and, for a refusal, the last statement's number and
    period."""

    end: datetime.date
    closing: int
    seq: int
    start: datetime.date | None


def chain_problem(
    previous: Previous, start: datetime.date, end: datetime.date, opening: int
) -> ConflictError | None:
    """The statement of ``start`` … ``end`` opening with ``opening`` against the chain."""
    what = f"第{previous.seq}张对账单（{previous.start}～{previous.end}）"
    if start <= previous.end:
        return ConflictError(
            f"the statement of {start}..{end} overlaps the statement imported through "
            f"{previous.end}",
            field="start",
            zh=f"这张对账单（{start}～{end}）与已导入的{what}期间重叠：同一期间只能导入一次"
            if previous.seq
            else f"这张对账单从 {start} 开始，早于账户启用日 {previous.end + DAY}",
        )
    if start > previous.end + DAY:
        gap = f"{previous.end + DAY}～{start - DAY}"
        return ConflictError(
            f"the statements do not chain: the last one ends on {previous.end}, this one starts "
            f"on {start}",
            field="start",
            zh=f"对账单不连续：{what if previous.seq else '账户启用日前'}截至 {previous.end}，"
            f"这一张从 {start} 开始，缺 {gap} 的对账单",
        )
    if opening != previous.closing:
        before = f"上一张对账单（{what}）的期末余额" if previous.seq else "账户启用时的对账单余额"
        return ConflictError(
            f"the statement opens with {yuan(opening)}, the previous one closed with "
            f"{yuan(previous.closing)}: the statements do not chain",
            field="opening",
            zh=f"对账单接不上：期初余额 {yuan(opening)} 不等于{before} {yuan(previous.closing)}；"
            "请检查是否选错了账户、漏导了对账单或对账单有误",
        )
    return None
