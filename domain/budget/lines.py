"""The lines of a financial plan, checked against the books' chart before they are stored.

A line is ``{"name", "accounts", "amount"}`` as a clerk gives it: ``accounts`` one or more
income accounts of the 2023 chart (501 经营收入, 502 投资收益, 503 补助收入, 504 其他收入) or
expense accounts (511 经营支出, 512 税金及附加, 513 管理费用, 514 公益支出, 515 其他支出, 521
所得税费用), or sub-accounts of them open in the books (51301 管理费用-村干部报酬); all of one
kind. ``name`` may be left out for a line of one account (the account's name is taken); the
amount is the year's plan, ≥ 0, two decimals at most.

No account is counted twice: an account in two lines, or a chart account in one line and one of
its sub-accounts in another, is refused (the line's actual figure would be counted in both).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from domain.books import Books
from domain.bounds import check_text
from domain.budget import EXPENSE, INCOME
from domain.errors import InvalidRequestError
from ledger.accounts import ChartOfAccounts
from ledger.errors import LedgerError
from ledger.money import MAX_AMOUNT, money, to_fen
from ledger.statement_forms import COSTS, REVENUES

MAX_LINES = 200
MAX_ACCOUNTS = 20
_CODE = re.compile(r"^[0-9A-Za-z]{3,40}$")


def kind_of(account: str) -> str | None:
    """``income``, ``expense`` or None (not an account a plan line takes)."""
    if account[:3] in REVENUES:
        return INCOME
    if account[:3] in COSTS:
        return EXPENSE
    return None


def checked_lines(lines: Sequence[Mapping[str, Any]], books: Books) -> list[dict[str, Any]]:
    """The lines as stored (``{"name", "kind", "accounts", "amount"}``, amount in fen), or
    InvalidRequestError naming the line and field at fault, in Chinese too."""
    if not lines:
        raise InvalidRequestError(
            "a financial plan has at least one line", field="lines", zh="财务计划至少要有一项"
        )
    if len(lines) > MAX_LINES:
        raise InvalidRequestError(
            f"a financial plan has at most {MAX_LINES} lines, not {len(lines)}",
            field="lines",
            zh=f"财务计划最多 {MAX_LINES} 项",
        )
    chart = ChartOfAccounts.standard()
    opened = books.open_accounts
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}  # account → line number (from 1)
    names: set[str] = set()
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        accounts = line.get("accounts")
        if isinstance(accounts, str):
            accounts = [accounts]
        if not isinstance(accounts, list | tuple) or not accounts:
            raise InvalidRequestError(
                f"{where}.accounts: give at least one account",
                field=f"{where}.accounts",
                zh=f"第{i + 1}项：请填写科目",
            )
        if len(accounts) > MAX_ACCOUNTS:
            raise InvalidRequestError(
                f"{where}.accounts: at most {MAX_ACCOUNTS} accounts",
                field=f"{where}.accounts",
                zh=f"第{i + 1}项最多 {MAX_ACCOUNTS} 个科目",
            )
        kinds = set()
        for account in accounts:
            code = str(account).strip()
            kind = kind_of(code) if _CODE.match(code) else None
            known = code in chart if len(code) == 3 else code in opened
            if kind is None or not known:
                raise InvalidRequestError(
                    f"{where}.accounts: {code!r} is not an income account (501 … 504) or an "
                    "expense account (511 … 521) of the 2023 chart, nor a sub-account of one "
                    f"open in the books of {books.code}",
                    field=f"{where}.accounts",
                    zh=f"第{i + 1}项：科目 {code} 不是收入科目（501–504）或支出科目（511–521），"
                    f"也不是 {books.code} 账中已开设的其明细科目",
                )
            kinds.add(kind)
            for other, number in seen.items():
                if code == other or code.startswith(other) or other.startswith(code):
                    raise InvalidRequestError(
                        f"{where}.accounts: {code} is counted in line {number} already "
                        f"({other}); an account belongs to one line",
                        field=f"{where}.accounts",
                        zh=f"第{i + 1}项：科目 {code} 已计入第{number}项（{other}），"
                        "一个科目只能计入一项",
                    )
            seen[code] = i + 1
        if len(kinds) > 1:
            raise InvalidRequestError(
                f"{where}.accounts: income and expense accounts in one line",
                field=f"{where}.accounts",
                zh=f"第{i + 1}项：收入科目和支出科目不能合为一项",
            )
        codes = [str(a).strip() for a in accounts]
        name = str(line.get("name") or "").strip()
        if not name:
            if len(codes) > 1:
                raise InvalidRequestError(
                    f"{where}.name: a line of several accounts needs its name",
                    field=f"{where}.name",
                    zh=f"第{i + 1}项合并了几个科目，请填写项目名称",
                )
            name = chart.get(codes[0]).name if len(codes[0]) == 3 else opened[codes[0]]
        check_text(name, field=f"{where}.name")
        if name in names:
            raise InvalidRequestError(
                f"{where}.name: {name} is the name of another line",
                field=f"{where}.name",
                zh=f"第{i + 1}项的名称“{name}”与另一项重复",
            )
        names.add(name)
        out.append(
            {
                "name": name,
                "kind": kinds.pop(),
                "accounts": codes,
                "amount": to_fen(_amount(line.get("amount"), f"{where}.amount", i)),
            }
        )
    return out


def _amount(value: object, field: str, index: int) -> Any:
    try:
        found = money(value, allow_negative=True, field=field, maximum=MAX_AMOUNT)
    except LedgerError:
        raise InvalidRequestError(
            f"{field}: {value!r} is not an amount such as 12000.00",
            field=field,
            zh=f"第{index + 1}项的计划金额要填金额，如 12000.00（最多两位小数）",
        ) from None
    if found.amount < 0:
        raise InvalidRequestError(
            f"{field}: a plan's amount is not negative ({value})",
            field=field,
            zh=f"第{index + 1}项的计划金额不能为负数（{value}）",
        )
    return found
