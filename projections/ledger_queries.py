"""Read functions of the account books (总账, 明细账, 日记账): an account's lines in a period
with every line of their entries (for the 对方科目), and the monthly movements of a year.
Plain values (``Money``, dates); the arithmetic is ``ledger.account_books``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from moneyed import Money
from sqlalchemy import Connection, and_, select

from ledger.money import from_fen
from projections.opening_years import opening_year
from projections.tables import LINE_OF_ENTRY, account_months, entries, entry_lines


def account_matches(account: str) -> object:
    """The condition on ``entry_lines.account``: a chart account (3 digits) takes its
    sub-accounts with it; a sub-account is only itself."""
    if len(account) == 3:
        return entry_lines.c.account.startswith(account, autoescape=True)
    return entry_lines.c.account == account


@dataclass(frozen=True)
class EntryLines:
    """One entry touching the account: its lines as ``(account, side, amount)`` in order, and
    each line's own 摘要 (``memos``, "" where the line has none)."""

    date: datetime.date
    number: str
    memo: str
    lines: tuple[tuple[str, str, Money], ...]
    memos: tuple[str, ...] = ()


def entries_touching(
    conn: Connection, entity: str, account: str, start: datetime.date, end: datetime.date
) -> list[EntryLines]:
    """The entries of ``entity`` dated ``start`` … ``end`` with a line on ``account`` (or, for
    a chart account, on one of its sub-accounts), in date then number order, with all their
    lines."""
    touching = (
        select(entry_lines.c.number)
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                entry_lines.c.entity_code == entity,
                account_matches(account),  # type: ignore[arg-type]
                entries.c.date >= start,
                entries.c.date <= end,
            )
        )
    )
    rows = conn.execute(
        select(
            entries.c.date,
            entries.c.number,
            entries.c.memo,
            entry_lines.c.account,
            entry_lines.c.side,
            entry_lines.c.amount_fen,
            entry_lines.c.memo.label("line_memo"),
        )
        .join(entries, LINE_OF_ENTRY)
        .where(and_(entry_lines.c.entity_code == entity, entry_lines.c.number.in_(touching)))
        .order_by(entries.c.date, entries.c.number, entry_lines.c.line)
    )
    found: dict[str, EntryLines] = {}
    lines: dict[str, list[tuple[str, str, Money]]] = {}
    memos: dict[str, list[str]] = {}
    for r in rows:
        if r.number not in found:
            found[r.number] = EntryLines(r.date, r.number, r.memo, ())
            lines[r.number] = []
            memos[r.number] = []
        lines[r.number].append((r.account, r.side, from_fen(r.amount_fen)))
        memos[r.number].append(r.line_memo or "")
    return [
        EntryLines(e.date, e.number, e.memo, tuple(lines[number]), tuple(memos[number]))
        for number, e in found.items()
    ]


def month_movements(
    conn: Connection, entity: str, first_month: str, last_month: str
) -> dict[str, dict[str, tuple[Money, Money]]]:
    """account → month → (debit, credit) of ``entity`` over ``first_month`` … ``last_month``
    (``YYYY-MM``), red ink counted negative."""
    found: dict[str, dict[str, tuple[Money, Money]]] = {}
    for r in conn.execute(
        select(
            account_months.c.account,
            account_months.c.month,
            account_months.c.debit_fen,
            account_months.c.credit_fen,
        ).where(
            and_(
                account_months.c.entity_code == entity,
                account_months.c.month >= first_month,
                account_months.c.month <= last_month,
            )
        )
    ):
        found.setdefault(r.account, {})[r.month] = (from_fen(r.debit_fen), from_fen(r.credit_fen))
    year = opening_year(conn, entity)  # 建账 during a year: its figures before the books
    if year is not None and year.covers(first_month, last_month):
        for account, (debit, credit) in year.moves.items():
            d, c = found.setdefault(account, {}).get(year.month, (from_fen(0), from_fen(0)))
            found[account][year.month] = (d + from_fen(debit), c + from_fen(credit))
    return found


def last_month_with_movement(conn: Connection, entity: str, year: str) -> str | None:
    """The latest month of ``year`` in which ``entity`` has a movement (None: none)."""
    months = [
        r.month
        for r in conn.execute(
            select(account_months.c.month).where(
                and_(
                    account_months.c.entity_code == entity,
                    account_months.c.month >= f"{year}-01",
                    account_months.c.month <= f"{year}-12",
                )
            )
        )
    ]
    found = opening_year(conn, entity)
    if found is not None and found.covers(f"{year}-01", f"{year}-12") and found.moves:
        months.append(found.month)
    return max(months) if months else None
