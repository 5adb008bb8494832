"""Queries of the read model ``bank`` (``projections.bank_view``) and of the ledger's postings
to a bank account, as the pages, the API and ``documents.bank_reconciliation`` read them.
Amounts are whole fen; account numbers are given whole (``number``) and masked to their last
four digits (``masked``): a printed or public page shows the masked one."""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import Connection, and_, select

from domain.bank.statements import masked
from projections.bank_view import (
    bank_accounts,
    bank_formats,
    bank_lines,
    bank_match_lines,
    bank_matches,
    bank_reconciliations,
    bank_statements,
    cash_counts,
    cash_resolutions,
)
from projections.tables import LINE_OF_ENTRY, entries, entry_lines, opening_balances


def _account_row(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["masked"] = masked(found["number"])
    found["label"] = f"{found['account']} {found['name']}（{found['masked']}）"
    return found


def accounts(conn: Connection, entity: str | None = None) -> list[dict[str, Any]]:
    """The bank accounts (of ``entity``), by entity and account code, each with how far its
    statements reach (``covered_through``: None before the first) and how many there are."""
    query = select(bank_accounts).order_by(bank_accounts.c.entity, bank_accounts.c.account)
    if entity is not None:
        query = query.where(bank_accounts.c.entity == entity)
    rows = [_account_row(row) for row in conn.execute(query)]
    if not rows:
        return rows
    ids = [row["account_id"] for row in rows]
    last: dict[str, tuple[int, Any]] = {}
    for account_id, seq, end in conn.execute(
        select(bank_statements.c.account_id, bank_statements.c.seq, bank_statements.c.end).where(
            bank_statements.c.account_id.in_(ids)
        )
    ):
        if account_id not in last or seq > last[account_id][0]:
            last[account_id] = (seq, end)
    for row in rows:
        seq, end = last.get(row["account_id"], (0, None))
        row["statements"] = seq
        row["covered_through"] = end
    return rows


def account(conn: Connection, entity: str, code: str) -> dict[str, Any] | None:
    for row in accounts(conn, entity):
        if row["account"] == code:
            return row
    return None


def statements(conn: Connection, account_id: str) -> list[dict[str, Any]]:
    query = (
        select(bank_statements)
        .where(bank_statements.c.account_id == account_id)
        .order_by(bank_statements.c.seq)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def statement_lines(conn: Connection, account_id: str) -> list[dict[str, Any]]:
    """Every line of the account's statements, in their order."""
    query = (
        select(bank_lines)
        .where(bank_lines.c.account_id == account_id)
        .order_by(bank_lines.c.seq, bank_lines.c.row, bank_lines.c.line)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def book_lines(conn: Connection, entity: str, code: str) -> list[dict[str, Any]]:
    """Every posting of ``entity``'s books to account ``code``: its id (``<voucher>#<n>``),
    voucher, date, signed amount (+ 借方, − 贷方; red ink negative), 摘要, and the voucher it
    reverses."""
    query = (
        select(
            entry_lines.c.number,
            entry_lines.c.line,
            entry_lines.c.side,
            entry_lines.c.amount_fen,
            entry_lines.c.memo,
            entries.c.date,
            entries.c.memo.label("entry_memo"),
            entries.c.reverses,
        )
        .join(entries, LINE_OF_ENTRY)
        .where(and_(entry_lines.c.entity_code == entity, entry_lines.c.account == code))
        .order_by(entries.c.date, entry_lines.c.number, entry_lines.c.line)
    )
    found = []
    for row in conn.execute(query):
        amount = row.amount_fen if row.side == "debit" else -row.amount_fen
        found.append(
            {
                "id": f"{row.number}#{row.line}",
                "entry": row.number,
                "date": row.date,
                "amount_fen": amount,
                "memo": row.memo or row.entry_memo,
                "reverses": row.reverses,
            }
        )
    return found


def book_opening(conn: Connection, entity: str, code: str) -> int:
    """The account's opening balance (期初余额, fen, debit positive)."""
    value = conn.execute(
        select(opening_balances.c.balance_fen).where(
            and_(opening_balances.c.entity_code == entity, opening_balances.c.account == code)
        )
    ).scalar()
    return int(value or 0)


def matches(conn: Connection, account_id: str) -> list[dict[str, Any]]:
    """Every match of the account, newest first, each with its lines (``lines``)."""
    rows = [
        dict(row._mapping)
        for row in conn.execute(
            select(bank_matches)
            .where(bank_matches.c.account_id == account_id)
            .order_by(bank_matches.c.position.desc())
        )
    ]
    by_match: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(
        select(bank_match_lines)
        .where(bank_match_lines.c.account_id == account_id)
        .order_by(bank_match_lines.c.side, bank_match_lines.c.date, bank_match_lines.c.line)
    ):
        by_match.setdefault(row.match, []).append(dict(row._mapping))
    for row in rows:
        row["lines"] = by_match.get(row["match"], [])
    return rows


def reconciliations(conn: Connection, account_id: str) -> dict[str, dict[str, Any]]:
    """The confirmed tables of the account by month, their 未达账项 parsed."""
    found = {}
    for row in conn.execute(
        select(bank_reconciliations).where(bank_reconciliations.c.account_id == account_id)
    ):
        item = dict(row._mapping)
        item["items"] = json.loads(item["items"])
        found[item["month"]] = item
    return found


def reconciled_months(conn: Connection, entity: str) -> dict[str, dict[str, int]]:
    """For every bank account of ``entity`` (by account code): month → confirmed book balance."""
    query = (
        select(
            bank_accounts.c.account, bank_reconciliations.c.month, bank_reconciliations.c.book_fen
        )
        .join(bank_reconciliations, bank_reconciliations.c.account_id == bank_accounts.c.account_id)
        .where(bank_accounts.c.entity == entity)
    )
    found: dict[str, dict[str, int]] = {}
    for code, month, book in conn.execute(query):
        found.setdefault(code, {})[month] = int(book)
    return found


def formats(conn: Connection, township: str) -> dict[str, dict[str, str]]:
    """The columns ``township``'s clerks mapped, by bank."""
    query = select(bank_formats.c.bank, bank_formats.c.columns).where(
        bank_formats.c.township == township
    )
    return {bank: json.loads(columns) for bank, columns in conn.execute(query)}


def counts(conn: Connection, entity: str) -> list[dict[str, Any]]:
    """The cash counts of ``entity``, newest first."""
    query = (
        select(cash_counts)
        .where(cash_counts.c.entity == entity)
        .order_by(cash_counts.c.date.desc(), cash_counts.c.number.desc())
    )
    return [_count_row(row) for row in conn.execute(query)]


def _count_row(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    found["pieces"] = json.loads(found["pieces"])
    found["outstanding_fen"] = abs(found["difference_fen"]) - found["resolved_fen"]
    return found


def count(conn: Connection, entity: str, number: str) -> dict[str, Any] | None:
    """One count with its settling (``resolutions``)."""
    row = conn.execute(
        select(cash_counts).where(
            and_(cash_counts.c.entity == entity, cash_counts.c.number == number)
        )
    ).first()
    if row is None:
        return None
    found = _count_row(row)
    found["resolutions"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(cash_resolutions)
            .where(and_(cash_resolutions.c.entity == entity, cash_resolutions.c.number == number))
            .order_by(cash_resolutions.c.date, cash_resolutions.c.entry)
        )
    ]
    return found


def as_date(value: Any) -> datetime.date:
    """A Date column's value (SQLite may hand back text in raw selects)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
