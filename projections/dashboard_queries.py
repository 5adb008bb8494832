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

from sqlalchemy import Connection, and_, case, func, or_, select, true, tuple_

from projections.resources_view import contract_instalments, contracts, resources
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
    year_closings,
)
from projections.voucher_view import vouchers

CASH_ACCOUNTS = ("101", "102")
YEAR_END_SOURCE = "year-end"  # the 年终结转 entries and their reopenings (documents.statements)


def _of(column: Any, codes: Collection[str] | None) -> Any:
    return true() if codes is None else column.in_(sorted(codes))


def _under(column: Any, first: str, last: str) -> Any:
    """Accounts whose code starts with ``first`` … ``last`` (chart codes of one length, their
    sub-accounts with them): a range on the code, which the primary keys' index serves, where
    ``LIKE '101%'`` is read row by row on SQLite."""
    following = last[:-1] + chr(ord(last[-1]) + 1)
    return and_(column >= first, column < following)


def _cash(column: Any) -> Any:
    return _under(column, *CASH_ACCOUNTS)


def _results(column: Any) -> Any:
    return _under(column, "5", "5")  # 501 … 521 and their sub-accounts


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


def income_and_expense(
    conn: Connection,
    codes: Collection[str] | None,
    year: int,
    income: Collection[str],
    expense: Collection[str],
) -> dict[str, dict[str, tuple[int, int]]]:
    """book → month → (the net credit movement of the ``income`` accounts, the net debit
    movement of the ``expense`` accounts) of ``year`` (chart codes, their sub-accounts with
    them; red ink reduces its own column), added up in the database."""

    def any_of(accounts: Collection[str]) -> Any:
        return or_(*(_under(account_months.c.account, a, a) for a in sorted(accounts)))

    net = account_months.c.credit_fen - account_months.c.debit_fen
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for code, month, earned, spent in conn.execute(
        select(
            account_months.c.entity_code,
            account_months.c.month,
            func.sum(case((any_of(income), net), else_=0)),
            func.sum(case((any_of(expense), -net), else_=0)),
        )
        .where(
            and_(
                _of(account_months.c.entity_code, codes),
                _results(account_months.c.account),
                account_months.c.month >= f"{year:04d}-01",
                account_months.c.month <= f"{year:04d}-12",
            )
        )
        .group_by(account_months.c.entity_code, account_months.c.month)
    ):
        found.setdefault(code, {})[month] = (int(earned), int(spent))
    return found


def year_end_moves(
    conn: Connection, codes: Collection[str] | None, year: int
) -> dict[str, dict[str, dict[str, int]]]:
    """book → month → chart account (5xx) → net movement (debit positive) of the 年终结转
    entries dated in ``year`` and the red ink that reopened them: what moves the year's income
    and expenses into 本年收益 without being income or expense. The closings of the year
    (``lz_year_closings``) name their entries, so the lines are read only where there are some
    (a few a book, once a year)."""
    numbers: list[tuple[str, str]] = []
    for code, closing, reversals in conn.execute(
        select(
            year_closings.c.entity_code, year_closings.c.entries, year_closings.c.reversals
        ).where(and_(_of(year_closings.c.entity_code, codes), year_closings.c.year == year))
    ):
        for listed in (closing, reversals or ""):
            numbers.extend((code, n) for n in listed.split(",") if n)
    found: dict[str, dict[str, dict[str, int]]] = {}
    if not numbers:
        return found
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
                tuple_(entry_lines.c.entity_code, entry_lines.c.number).in_(numbers),
                entries.c.source.startswith(YEAR_END_SOURCE),
                _results(entry_lines.c.account),
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
    dated = select(entries.c.entity_code, entries.c.number).where(
        and_(_of(entries.c.entity_code, codes), entries.c.date >= first, entries.c.date <= last)
    )
    per_entry = (
        select(
            entry_lines.c.entity_code.label("code"),
            credit.label("paid"),
            debit.label("received"),
        )
        .where(
            and_(
                tuple_(entry_lines.c.entity_code, entry_lines.c.number).in_(dated),
                _cash(entry_lines.c.account),
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


# -- the 资源 and 经济合同 registers (projections.resources_view) ----------------------------


def _lacking_instalments(codes: Collection[str] | None) -> Any:
    """Instalments of the books ``codes`` that still count and are not fully settled, with
    their contract's columns."""
    return (
        select(
            contract_instalments.c.entity_code,
            contract_instalments.c.contract_code,
            contract_instalments.c.due_on,
            (contract_instalments.c.amount_fen - contract_instalments.c.settled_fen).label(
                "lacking"
            ),
            contracts.c.title,
            contracts.c.party_name,
            contracts.c.direction,
        )
        .join(
            contracts,
            and_(
                contracts.c.entity_code == contract_instalments.c.entity_code,
                contracts.c.code == contract_instalments.c.contract_code,
            ),
        )
        .where(
            and_(
                _of(contract_instalments.c.entity_code, codes),
                contract_instalments.c.amount_fen > contract_instalments.c.settled_fen,
                or_(
                    contracts.c.closed_on.is_(None),
                    contract_instalments.c.due_on <= contracts.c.closed_on,
                ),
            )
        )
    )


def contract_warnings(
    conn: Connection, codes: Collection[str] | None, today: datetime.date, last: datetime.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the contracts of the books ``codes`` are short of, in one query:

    - the instalments (receivable and payable) falling due from ``today`` to ``last`` and not
      yet settled, by due date: entity, contract, title, party, direction, due_on, lacking
      (fen);
    - the receivable contracts with instalments due before ``today`` not fully received (rents
      overdue), by book and contract: entity, contract, title, party, since (the oldest such
      due date), overdue (fen)."""
    query = _lacking_instalments(codes).where(
        or_(
            and_(contract_instalments.c.due_on >= today, contract_instalments.c.due_on <= last),
            and_(contract_instalments.c.due_on < today, contracts.c.direction == "receivable"),
        )
    )
    due: list[dict[str, Any]] = []
    overdue: dict[tuple[str, str], dict[str, Any]] = {}
    for r in conn.execute(
        query.order_by(contract_instalments.c.due_on, contract_instalments.c.entity_code)
    ):
        if r.due_on >= today:
            due.append(
                {
                    "entity": r.entity_code,
                    "contract": r.contract_code,
                    "title": r.title,
                    "party": r.party_name,
                    "direction": r.direction,
                    "due_on": r.due_on,
                    "lacking": int(r.lacking),
                }
            )
            continue
        found = overdue.setdefault(
            (r.entity_code, r.contract_code),
            {
                "entity": r.entity_code,
                "contract": r.contract_code,
                "title": r.title,
                "party": r.party_name,
                "since": r.due_on,  # the rows come oldest first
                "overdue": 0,
            },
        )
        found["overdue"] += int(r.lacking)
    return due, [overdue[key] for key in sorted(overdue)]


def idle_resources(
    conn: Connection, codes: Collection[str] | None, today: datetime.date
) -> list[dict[str, Any]]:
    """Resources in the register kept for letting (use ``contracting``) with no contract in
    force on ``today``: entity, code, name, area, unit."""
    running = (
        select(contracts.c.code)
        .where(
            and_(
                contracts.c.entity_code == resources.c.entity_code,
                contracts.c.subject_kind == "resource",
                contracts.c.subject_code == resources.c.code,
                contracts.c.start_on <= today,
                contracts.c.end_on >= today,
                or_(contracts.c.closed_on.is_(None), contracts.c.closed_on >= today),
            )
        )
        .exists()
    )
    return [
        dict(r)
        for r in conn.execute(
            select(
                resources.c.entity_code.label("entity"),
                resources.c.code,
                resources.c.name,
                resources.c.area,
                resources.c.unit,
            )
            .where(
                and_(
                    _of(resources.c.entity_code, codes),
                    resources.c.status == "active",
                    resources.c.use == "contracting",
                    ~running,
                )
            )
            .order_by(resources.c.entity_code, resources.c.code)
        ).mappings()
    ]
