"""银行存款余额调节表 of a bank account and a month, as a page, its print and its XLSX show it,
and what the matching page and 结账 read: the facts, from the read models (``projections.
bank_queries``: the statements and matches; the ledger: the postings to the account), through
the same arithmetic as the write side (``domain.bank.reconciliation``, ``domain.bank.matching``).

- :func:`state_of`: an account's both sides and active matches, read once;
- :func:`table_of`: the month's table, whether the statements reach its end, whether it was
  confirmed (by whom) and still stands, and the items of the month before with how each was
  settled (a month starts from the 未达账项 it carries);
- :func:`proposals_of`: the proposed matches of the lines not matched yet;
- :func:`closing_warnings`: per month, the accounts not reconciled (the 结账 page warns);
- :func:`workbook`: the table as XLSX (text as text, amounts as numbers, no formula).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from domain.bank.matching import WINDOW, Proposal, propose
from domain.bank.reconciliation import BANK, BOOK, KINDS, Item, Line, Reconciliation, reconcile
from domain.books.closing import month_end
from ledger.money import fen_text
from projections import bank_queries as q
from rendering.spreadsheets import table_workbook


@dataclass
class AccountState:
    """One bank account as the read models hold it."""

    account: dict[str, Any]
    bank: list[Line]
    book: list[Line]
    book_opening: int
    matches: dict[str, list[tuple[str, str]]]
    matched: dict[tuple[str, str], str]
    confirmed: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def start(self) -> datetime.date:
        return q.as_date(self.account["start"])

    def book_balance(self, day: datetime.date) -> int:
        return self.book_opening + sum(x.amount for x in self.book if x.date <= day)

    def bank_balance(self, day: datetime.date) -> int:
        opening = int(self.account["opening_fen"])
        return opening + sum(x.amount for x in self.bank if x.date <= day)

    def unmatched(self) -> tuple[list[Line], list[Line]]:
        bank = [x for x in self.bank if x.key not in self.matched]
        book = [x for x in self.book if x.key not in self.matched and x.date >= self.start]
        return bank, book

    def line(self, key: tuple[str, str]) -> Line | None:
        for line in self.bank if key[0] == BANK else self.book:
            if line.id == key[1]:
                return line
        return None


def state_of(conn: Connection, entity: str, code: str) -> AccountState | None:
    """The account ``code`` of ``entity`` with both sides and its active matches."""
    account = q.account(conn, entity, code)
    if account is None:
        return None
    bank = [
        Line(
            side=BANK,
            id=row["line"],
            date=q.as_date(row["date"]),
            amount=int(row["amount_fen"]),
            memo=row["memo"],
            reference=row["reference"],
            counterparty=row["counterparty"],
        )
        for row in q.statement_lines(conn, account["account_id"])
    ]
    book = [
        Line(
            side=BOOK,
            id=row["id"],
            date=q.as_date(row["date"]),
            amount=int(row["amount_fen"]),
            memo=row["memo"],
            entry=row["entry"],
            reverses=row["reverses"],
        )
        for row in q.book_lines(conn, entity, code)
    ]
    matches: dict[str, list[tuple[str, str]]] = {}
    matched: dict[tuple[str, str], str] = {}
    for match in q.matches(conn, account["account_id"]):
        if match["undone"]:
            continue
        keys = [(line["side"], line["line"]) for line in match["lines"]]
        matches[match["match"]] = keys
        for key in keys:
            matched[key] = match["match"]
    return AccountState(
        account=account,
        bank=bank,
        book=book,
        book_opening=q.book_opening(conn, entity, code),
        matches=matches,
        matched=matched,
        confirmed=q.reconciliations(conn, account["account_id"]),
    )


@dataclass
class Table:
    """A month's 调节表 and what a page says about it."""

    state: AccountState
    month: str
    reconciliation: Reconciliation
    covered: bool
    confirmed: dict[str, Any] | None
    carried: list[Item]

    @property
    def status(self) -> str:
        if self.confirmed is None:
            return "未确认" if self.covered else "对账单未导入齐"
        if self.confirmed["book_fen"] != self.reconciliation.book_balance:
            return "确认后账簿有变动，需重新确认"
        return "已确认"

    @property
    def stands(self) -> bool:
        return self.status == "已确认"

    def rows(self) -> list[tuple[str, int, str, int]]:
        """The table's four rows: (books' label, amount, bank's label, amount)."""
        r = self.reconciliation
        t = r.totals
        return [
            ("单位银行存款日记账余额", r.book_balance, "银行对账单余额", r.bank_balance),
            ("加：银行已收、单位未收", t["bank_in"], "加：单位已收、银行未收", t["book_in"]),
            ("减：银行已付、单位未付", t["bank_out"], "减：单位已付、银行未付", t["book_out"]),
            ("调节后的存款余额", r.adjusted_book, "调节后的存款余额", r.adjusted_bank),
        ]


def _previous(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def table_of(state: AccountState, month: str) -> Table:
    """The 调节表 of ``month`` (and the items the month before carried into it)."""
    end = month_end(month)
    lines = [*state.bank, *(x for x in state.book if x.date >= state.start)]
    for match_keys in state.matches.values():  # a posting matched before the first day
        for key in match_keys:
            found = state.line(key)
            if found is not None and found not in lines:
                lines.append(found)
    table = reconcile(
        month,
        end,
        book_balance=state.book_balance(end),
        bank_balance=state.bank_balance(end),
        lines=lines,
        matches=state.matches,
    )
    previous = _previous(month)
    carried: list[Item] = []
    if month_end(previous) >= state.start:
        before = reconcile(
            previous,
            month_end(previous),
            book_balance=state.book_balance(month_end(previous)),
            bank_balance=state.bank_balance(month_end(previous)),
            lines=lines,
            matches=state.matches,
        )
        carried = list(before.items)
    covered = state.account["covered_through"] is not None and (
        q.as_date(state.account["covered_through"]) >= end
    )
    return Table(
        state=state,
        month=month,
        reconciliation=table,
        covered=covered,
        confirmed=state.confirmed.get(month),
        carried=carried,
    )


def proposals_of(state: AccountState, window: int = WINDOW) -> list[Proposal]:
    bank, book = state.unmatched()
    return propose(bank, book, window=window)


def closing_warnings(conn: Connection, entity: str, months: list[str]) -> dict[str, list[str]]:
    """For each of ``months``: the bank accounts of ``entity`` not reconciled (no confirmed
    table, or one the books have moved since), as the 结账 page warns."""
    found: dict[str, list[str]] = {}
    for account in q.accounts(conn, entity):
        start = q.as_date(account["start"])
        first = f"{start.year:04d}-{start.month:02d}"
        wanted = [m for m in months if m >= first]
        if not wanted:
            continue
        state = state_of(conn, entity, account["account"])
        assert state is not None
        for month in wanted:
            known = state.confirmed.get(month)
            if known is None:
                found.setdefault(month, []).append(f"{account['label']} 尚未对账")
            elif known["book_fen"] != state.book_balance(month_end(month)):
                found.setdefault(month, []).append(f"{account['label']} 对账后账簿有变动")
    return found


def yuan(fen: int) -> str:
    return fen_text(fen, separators=True)


def _amount(fen: int) -> Decimal:
    return Decimal(fen) / 100


def workbook(table: Table, entity: dict[str, Any]) -> bytes:
    """The table as an XLSX workbook (the account number masked)."""
    account = table.state.account
    r = table.reconciliation
    heading = [
        f"编制单位：{entity['name']}（{entity['code']}）",
        f"开户银行：{account['bank']} {account['branch']}".strip(),
        f"账号：{account['masked']}",
        f"{r.end.year}年{r.end.month}月{r.end.day}日",
        "单位：元",
    ]
    rows: list[list[Any]] = [
        [left, _amount(a), right, _amount(b)] for left, a, right, b in table.rows()
    ]
    bold = {len(rows) - 1}
    rows.append([])
    rows.append(["未达账项明细", "", "", ""])
    bold.add(len(rows) - 1)
    rows.append(["类别", "日期", "凭证号 / 流水号 · 摘要", "金额"])
    bold.add(len(rows) - 1)
    for item in r.items:
        line = item.line
        what = f"{line.entry or line.reference or line.id} {line.memo}".strip()
        rows.append([KINDS[item.kind], line.date.isoformat(), what, _amount(item.amount)])
    if not r.items:
        rows.append(["（无未达账项）", "", "", ""])
    rows.append([])
    difference = "两边调节后余额相等" if r.balanced else f"调节后余额相差 {yuan(r.difference)}"
    rows.append([f"结果：{difference}；状态：{table.status}", "", "", ""])
    rows.append(["会计主管：", "", "出纳：", "编制人："])
    return table_workbook(
        "银行存款余额调节表",
        heading,
        [["项目", "金额", "项目", "金额"]],
        rows,
        bold_rows=frozenset(bold),
        widths=(26, 16, 36, 16),
    )
