"""What the 工作台 reads of many sets of books at once (``documents.dashboard`` makes the page's
facts of it): each query answers for every book asked for in one statement, grouped in the
database, so the page costs the same handful of queries for one village as for thirty.

Amounts are whole fen (``int``); ``codes`` is the books to read (``None``: every book). A
sub-account counts with its chart account (``10201`` with ``102``).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select, true

from projections.tables import (
    LINE_OF_ENTRY,
    account_months,
    agreements,
    entries,
    entry_lines,
    opening_balances,
    plan_steps,
    plans,
    sheets,
)
from projections.voucher_view import vouchers

CASH_ACCOUNTS = ("101", "102")
YEAR_END_SOURCE = "year-end"  # the 年终结转 entries and their reopenings (documents.statements)


def _of(column: Any, codes: Collection[str] | None) -> Any:
    return true() if codes is None else column.in_(sorted(codes))


def _cash(column: Any) -> Any:
    return or_(*(column.startswith(code) for code in CASH_ACCOUNTS))


def cash_balances(
    conn: Connection, codes: Collection[str] | None, through_month: str
) -> dict[str, dict[str, int]]:
    """book → {"101": fen, "102": fen}: the opening balances and every movement of the months
    up to ``through_month`` (``YYYY-MM``) of 库存现金 and 银行存款, debit positive."""
    found: dict[str, dict[str, int]] = {}
    head = func.substr(opening_balances.c.account, 1, 3)
    for code, account, fen in conn.execute(
        select(opening_balances.c.entity_code, head, func.sum(opening_balances.c.balance_fen))
        .where(and_(_of(opening_balances.c.entity_code, codes), _cash(opening_balances.c.account)))
        .group_by(opening_balances.c.entity_code, head)
    ):
        book = found.setdefault(code, {})
        book[account] = book.get(account, 0) + int(fen)
    head = func.substr(account_months.c.account, 1, 3)
    for code, account, fen in conn.execute(
        select(
            account_months.c.entity_code,
            head,
            func.sum(account_months.c.debit_fen - account_months.c.credit_fen),
        )
        .where(
            and_(
                _of(account_months.c.entity_code, codes),
                _cash(account_months.c.account),
                account_months.c.month <= through_month,
            )
        )
        .group_by(account_months.c.entity_code, head)
    ):
        book = found.setdefault(code, {})
        book[account] = book.get(account, 0) + int(fen)
    return found


def result_months(
    conn: Connection, codes: Collection[str] | None, year: int
) -> dict[str, dict[str, dict[str, tuple[int, int]]]]:
    """book → month → chart account (5xx) → (debits, credits) of ``year``, red ink negative."""
    found: dict[str, dict[str, dict[str, tuple[int, int]]]] = {}
    head = func.substr(account_months.c.account, 1, 3)
    for code, month, account, debit, credit in conn.execute(
        select(
            account_months.c.entity_code,
            account_months.c.month,
            head,
            func.sum(account_months.c.debit_fen),
            func.sum(account_months.c.credit_fen),
        )
        .where(
            and_(
                _of(account_months.c.entity_code, codes),
                account_months.c.account.startswith("5"),
                account_months.c.month >= f"{year:04d}-01",
                account_months.c.month <= f"{year:04d}-12",
            )
        )
        .group_by(account_months.c.entity_code, account_months.c.month, head)
    ):
        found.setdefault(code, {}).setdefault(month, {})[account] = (int(debit), int(credit))
    return found


def year_end_moves(
    conn: Connection, codes: Collection[str] | None, year: int
) -> dict[str, dict[str, dict[str, int]]]:
    """book → month → chart account (5xx) → net movement (debit positive) of the 年终结转
    entries dated in ``year`` and the red ink that reopened them: what moves the year's income
    and expenses into 本年收益 without being income or expense (a few entries a book)."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for code, day, account, side, fen in conn.execute(
        select(
            entry_lines.c.entity_code,
            entries.c.date,
            entry_lines.c.account,
            entry_lines.c.side,
            entry_lines.c.amount_fen,
        )
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                _of(entry_lines.c.entity_code, codes),
                entries.c.source.startswith(YEAR_END_SOURCE),
                entry_lines.c.account.startswith("5"),
                entries.c.date >= datetime.date(year, 1, 1),
                entries.c.date <= datetime.date(year, 12, 31),
            )
        )
    ):
        month = f"{day.year:04d}-{day.month:02d}"
        moves = found.setdefault(code, {}).setdefault(month, {})
        moves[account[:3]] = moves.get(account[:3], 0) + (fen if side == "debit" else -fen)
    return found


def cash_paid_out(
    conn: Connection, codes: Collection[str] | None, first: datetime.date, last: datetime.date
) -> dict[str, int]:
    """book → the cash paid out of 库存现金 and 银行存款 by the entries dated ``first`` …
    ``last``: per entry, what it credits to 101/102 less what it moves between them (a deposit
    of cash into the bank, 借 102 / 贷 101, pays nothing out); red ink reduces it."""
    credit = func.sum(case((entry_lines.c.side == "credit", entry_lines.c.amount_fen), else_=0))
    debit = func.sum(case((entry_lines.c.side == "debit", entry_lines.c.amount_fen), else_=0))
    per_entry = (
        select(
            entry_lines.c.entity_code.label("code"),
            credit.label("paid"),
            debit.label("received"),
        )
        .join(entries, LINE_OF_ENTRY)
        .where(
            and_(
                _of(entry_lines.c.entity_code, codes),
                _cash(entry_lines.c.account),
                entries.c.date >= first,
                entries.c.date <= last,
            )
        )
        .group_by(entry_lines.c.entity_code, entry_lines.c.number)
        .subquery()
    )
    paid, received = per_entry.c.paid, per_entry.c.received
    moved = case(  # between 101 and 102: the smaller of the two sides (red ink: both negative)
        (and_(paid > 0, received > 0), case((paid < received, paid), else_=received)),
        (and_(paid < 0, received < 0), case((paid > received, paid), else_=received)),
        else_=0,
    )
    return {
        code: int(fen)
        for code, fen in conn.execute(
            select(per_entry.c.code, func.sum(paid - moved)).group_by(per_entry.c.code)
        )
    }


def vouchers_waiting(
    conn: Connection, codes: Collection[str] | None, statuses: Collection[str]
) -> dict[str, tuple[int, int]]:
    """book → (how many vouchers, their total in fen) in one of ``statuses``."""
    return {
        code: (int(count), int(total or 0))
        for code, count, total in conn.execute(
            select(vouchers.c.entity, func.count(), func.sum(vouchers.c.total_fen))
            .where(and_(_of(vouchers.c.entity, codes), vouchers.c.status.in_(sorted(statuses))))
            .group_by(vouchers.c.entity)
        )
    }


def agreements_of(conn: Connection, codes: Collection[str] | None) -> list[str]:
    """The agreements whose joint entity is one of the books ``codes``, in code order."""
    return list(
        conn.execute(
            select(agreements.c.code)
            .where(_of(agreements.c.joint_entity_code, codes))
            .order_by(agreements.c.code)
        ).scalars()
    )


def plans_in(
    conn: Connection, townships: Collection[str] | None, states: Collection[str]
) -> list[dict[str, Any]]:
    """The plans of ``townships`` (``None``: every township) in one of ``states``, in code
    order, each with the steps of 四议两公开 it has recorded (``done``)."""
    found = {
        r["code"]: {**dict(r), "done": set()}
        for r in conn.execute(
            select(plans.c.code, plans.c.title, plans.c.state, plans.c.township)
            .where(and_(_of(plans.c.township, townships), plans.c.state.in_(sorted(states))))
            .order_by(plans.c.code)
        ).mappings()
    }
    if found:
        for code, step in conn.execute(
            select(plan_steps.c.plan_code, plan_steps.c.step).where(
                plan_steps.c.plan_code.in_(sorted(found))
            )
        ):
            found[code]["done"].add(step)
    return list(found.values())


def published_villages(conn: Connection, codes: Collection[str] | None, period: str) -> set[str]:
    """The villages among ``codes`` with a published 三公开 sheet of ``period``."""
    return set(
        conn.execute(
            select(sheets.c.village_code)
            .where(and_(_of(sheets.c.village_code, codes), sheets.c.period == period))
            .distinct()
        ).scalars()
    )
