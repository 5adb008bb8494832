"""A voucher's lines as a clerk writes them (account, 借方 or 贷方, memo): read and checked from
what a form or a request gives (:func:`voucher_lines`), as postings (:func:`postings_of`), and
totalled (:func:`lines_total`). A red-ink voucher (红字冲销) keeps its original's lines with the
amounts negated (:func:`red_ink_lines`); they are never typed, so never read here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from moneyed import Money

from domain.bounds import MAX_POSTINGS, MAX_TEXT, check_text
from domain.errors import InvalidRequestError
from ledger.errors import LedgerError
from ledger.money import MAX_AMOUNT, ZERO, from_fen, money, to_fen

_ACCOUNT = re.compile(r"^[A-Za-z0-9]{3,40}$")


def voucher_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The lines as a voucher keeps them: ``account``, ``debit``, ``credit`` (Money, one of them
    zero) and ``memo``. Every problem is collected and raised together (the first names its
    field, ``lines[1].debit``)."""
    rows = list(lines)
    if len(rows) > MAX_POSTINGS:
        raise InvalidRequestError(
            f"a voucher has at most {MAX_POSTINGS} lines, not {len(rows)}",
            field="lines",
            zh=f"凭证有 {len(rows)} 行，最多 {MAX_POSTINGS} 行",
        )
    problems: list[tuple[str, str, str]] = []  # field, English, Chinese
    found: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        where = f"lines[{index}]"
        if not isinstance(row, Mapping):
            problems.append((where, f"{where}: not a line", f"第{index + 1}行：不是一行凭证"))
            continue
        account = row.get("account")
        if not isinstance(account, str) or not _ACCOUNT.match(account.strip()):
            problems.append(
                (
                    f"{where}.account",
                    f"{where}.account: {account!r} is not an account code; use a chart code "
                    "such as 102 or a sub-account such as 113V02",
                    f"第{index + 1}行：科目 {account!r} 不是科目代码，"
                    "请填写如 102 或 113V02 的代码",
                )
            )
            account = ""
        amounts: dict[str, Money] = {}
        for side in ("debit", "credit"):
            value = row.get(side)
            if value is None or (isinstance(value, str) and not value.strip()):
                amounts[side] = ZERO
                continue
            try:
                amounts[side] = money(
                    value.strip() if isinstance(value, str) else value,
                    field=f"{where}.{side}",
                    maximum=MAX_AMOUNT,
                )
            except LedgerError as error:
                label = "借方" if side == "debit" else "贷方"
                zh = getattr(error, "zh", None) or f"金额 {value!r} 有误，请写成如 1200.00 的金额"
                problems.append((f"{where}.{side}", str(error), f"第{index + 1}行{label}：{zh}"))
                amounts[side] = ZERO
        memo = row.get("memo") or ""
        try:
            check_text(memo, field=f"{where}.memo", max_length=MAX_TEXT)
        except InvalidRequestError as error:
            problems.append(
                (
                    f"{where}.memo",
                    error.message,
                    f"第{index + 1}行摘要：{error.zh or error.message}",
                )
            )
            memo = ""
        debit, credit = amounts["debit"], amounts["credit"]
        if (debit == ZERO) == (credit == ZERO) and not any(
            f.startswith(f"{where}.") and (f.endswith("debit") or f.endswith("credit"))
            for f, _, _ in problems
        ):
            problems.append(
                (
                    f"{where}.debit",
                    f"{where}: a line has an amount on one side, debit or credit, not both "
                    "and not neither",
                    f"第{index + 1}行：借方和贷方只能填一个，且金额不能为零",
                )
            )
        found.append(
            {"account": account.strip(), "debit": debit, "credit": credit, "memo": memo.strip()}
        )
    if problems:
        raise InvalidRequestError(
            "; ".join(english for _, english, _ in problems),
            field=problems[0][0],
            zh="；".join(chinese for _, _, chinese in problems),
        )
    return found


def postings_of(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The voucher's lines as a posting takes them (``account``, ``side``, ``amount``,
    ``memo``)."""
    return [
        {
            "account": line["account"],
            "side": "debit" if line["debit"] != ZERO else "credit",
            "amount": line["debit"] if line["debit"] != ZERO else line["credit"],
            "memo": line.get("memo") or "",
        }
        for line in lines
    ]


def lines_total(lines: Iterable[Mapping[str, Any]]) -> tuple[Money, Money]:
    """(debits, credits) of the lines."""
    debit = credit = 0
    for line in lines:
        debit += to_fen(line["debit"])
        credit += to_fen(line["credit"])
    return from_fen(debit), from_fen(credit)


def red_ink_lines(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The lines of a red-ink voucher (红字冲销) of ``lines``: same accounts, sides and memos,
    the amounts negated (a zero side stays zero)."""
    return [
        {
            "account": line["account"],
            "debit": -line["debit"] if line["debit"] != ZERO else ZERO,
            "credit": -line["credit"] if line["credit"] != ZERO else ZERO,
            "memo": line.get("memo") or "",
        }
        for line in lines
    ]
