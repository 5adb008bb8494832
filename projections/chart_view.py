"""The chart of one entity's books as the read side sees it: the names its sub-accounts were
opened under (so statements print 应付款-仉家村, not 211V01), and the listing of
``GET /v1/entities/{code}/accounts`` and of the workbench's 科目 page, with balances, what each
sub-account is kept for and whether anything was ever posted to it.

Household names: a plan that pays households opens 211H01 under the head's masked name
(应付款-李*国（H01）), as the plan itself and the public sheets print it. The clerk who keeps
the books must know whom to pay, so what this module answers — the clerk's and the auditor's
read path (workbench ledgers, vouchers, statements, the chart and picker, the API) — shows
the head's full name from the village's member register (应付款-李建国（H01）). The stored
name is unchanged: the public sheets (``documents.disclosure`` reads the names as stored)
and the exported journals keep the masked one (``stored=True``)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, and_, select

from domain.privacy import mask_name
from ledger.accounts import ChartOfAccounts
from ledger.money import ZERO, amount_str, from_fen
from projections.tables import (
    account_kinds,
    account_months,
    accounts,
    households,
    opening_balances,
    year_closings,
)

_CHUNK = 500  # codes per IN (…) list


def household_heads(
    conn: Connection, village: str, numbers: Collection[str] | None = None
) -> dict[str, str]:
    """The heads of ``village``'s households (all, or those numbered ``numbers``): number →
    full name, from the member register's read model."""
    query = select(households.c.number, households.c.head).where(
        households.c.village_code == village
    )
    if numbers is None:
        return {r.number: r.head for r in conn.execute(query)}
    wanted = sorted(set(numbers))
    found: dict[str, str] = {}
    for first in range(0, len(wanted), _CHUNK):
        part = wanted[first : first + _CHUNK]
        found.update(
            {r.number: r.head for r in conn.execute(query.where(households.c.number.in_(part)))}
        )
    return found


def full_head_names(conn: Connection, village: str, lines: list[dict[str, Any]]) -> None:
    """A village plan's ``lines`` (``code`` a household number, ``name`` the head's masked
    name, as the plan records it) with the heads' full names, for the clerk's plan page."""
    heads = household_heads(conn, village, [str(line["code"]) for line in lines])
    for line in lines:
        head = heads.get(str(line["code"]))
        if head is not None and line.get("name") == mask_name(head):
            line["name"] = head


def full_name(code: str, name: str, heads: dict[str, str]) -> str:
    """``name`` of sub-account ``code`` with the household head's full name where the account
    was opened under the masked one (应付款-李*国（H01） → 应付款-李建国（H01）) or under the
    chart's fallback (应收款-H01 → 应收款-李建国（H01）); any other name as it is."""
    number = code[3:]
    head = heads.get(number)
    if head is None:
        return name
    masked = f"-{mask_name(head)}（{number}）"
    if name.endswith(masked):
        return f"{name[: -len(masked)]}-{head}（{number}）"
    parent = ChartOfAccounts.standard().get(code[:3]).name
    if name == f"{parent}-{number}":
        return f"{parent}-{head}（{number}）"
    return name


def with_full_names(conn: Connection, code: str, names: dict[str, str]) -> dict[str, str]:
    """``names`` (sub-account code → stored name) of the books of ``code``, household heads
    named in full (the clerk's read path)."""
    if not names:
        return names
    numbers = {c[3:] for c in names}
    heads = household_heads(conn, code, None if len(numbers) > _CHUNK else numbers)
    if not heads:
        return names
    return {c: full_name(c, n, heads) for c, n in names.items()}


def account_names(
    conn: Connection, code: str, only: Collection[str] | None = None, *, stored: bool = False
) -> dict[str, str]:
    """Sub-accounts opened in the books of ``code``: code → name (``only`` those codes, when
    given), household heads in full unless ``stored`` (the names as opened, masked)."""
    query = select(accounts.c.code, accounts.c.name).where(accounts.c.entity_code == code)
    if only is not None:
        wanted = sorted(c for c in only if len(c) > 3)
        if not wanted:
            return {}
        query = query.where(accounts.c.code.in_(wanted))
    names = {r.code: r.name for r in conn.execute(query)}
    return names if stored else with_full_names(conn, code, names)


def entity_chart(
    conn: Connection, code: str, only: Collection[str] | None = None, *, stored: bool = False
) -> ChartOfAccounts:
    """The chart of 2023 with the names the books of ``code`` gave their sub-accounts (only
    ``only``'s, when given), household heads in full unless ``stored``."""
    return ChartOfAccounts.standard().with_names(account_names(conn, code, only, stored=stored))


def account_listing(
    conn: Connection, code: str, month: str | None = None, *, details: bool = False
) -> list[dict[str, Any]]:
    """Every chart account and every open sub-account of the books, in code order, with its
    balance at the end of ``month`` (``YYYY-MM``; None: everything posted so far).

    A chart account's balance includes its sub-accounts'. ``postable`` is False for a chart
    account that has sub-accounts (post to those). Sub-accounts older books used without
    opening them are listed too (``opened_by`` empty), as they count as open. With
    ``details`` (the workbench's 科目 page; the API's listing keeps its fields), ``kind`` is what
    a sub-account is kept for when the clerk said (``domain.books.chart.KINDS``) and ``posted``
    whether any entry or opening balance (through ``month``) reached the account.
    """
    chart = ChartOfAccounts.standard()
    opened = {
        r.code: r
        for r in conn.execute(select(accounts).where(accounts.c.entity_code == code)).mappings()
    }
    kinds = (
        {}
        if not details
        else {
            r.code: r.kind
            for r in conn.execute(
                select(account_kinds.c.code, account_kinds.c.kind).where(
                    account_kinds.c.entity_code == code
                )
            )
        }
    )
    balances: dict[str, int] = {}
    for r in conn.execute(
        select(opening_balances.c.account, opening_balances.c.balance_fen).where(
            opening_balances.c.entity_code == code
        )
    ):
        balances[r.account] = balances.get(r.account, 0) + r.balance_fen
    conditions = [account_months.c.entity_code == code]
    if month is not None:
        conditions.append(account_months.c.month <= month)
    for r in conn.execute(
        select(
            account_months.c.account, account_months.c.debit_fen, account_months.c.credit_fen
        ).where(and_(*conditions))
    ):
        balances[r.account] = balances.get(r.account, 0) + r.debit_fen - r.credit_fen
    subs = set(chart.prescribed) | set(opened) | {c for c in balances if len(c) > 3}
    totals: dict[str, int] = {}  # each chart account with its sub-accounts
    for account_code, fen in balances.items():
        totals[account_code[:3]] = totals.get(account_code[:3], 0) + fen
    posted_under = {c[:3] for c in balances}
    named = chart.with_names(with_full_names(conn, code, {c: r["name"] for c, r in opened.items()}))
    rows: list[dict[str, Any]] = []
    for base in chart:
        children = sorted(c for c in subs if c[:3] == base.code)
        for account_code in [base.code, *children]:
            account = named.get(account_code)
            fen = (
                totals.get(base.code, 0)
                if account_code == base.code
                else balances.get(account_code, 0)
            )
            row = opened.get(account_code)
            normal = from_fen(fen if account.normal_side.value == "debit" else -fen)
            rows.append(
                {
                    "code": account_code,
                    "name": account.name,
                    "parent": account.parent,
                    "level": 1 if account.parent is None else 2,
                    "category": account.category.value,
                    "normal_side": account.normal_side.value,
                    "postable": account.parent is not None or not children,
                    "opened_by": (
                        "chart"
                        if account.parent is None or account_code in chart.prescribed
                        else (row["source"] or f"clerk:{row['actor']}")
                        if row is not None
                        else None
                    ),
                    "debit": amount_str(from_fen(fen) if fen > 0 else ZERO),
                    "credit": amount_str(from_fen(-fen) if fen < 0 else ZERO),
                    "balance": amount_str(normal),
                }
            )
            if details:
                rows[-1]["kind"] = kinds.get(account_code)
                rows[-1]["posted"] = account_code in balances or account_code in posted_under
    return rows


def _closing(row: Any, names: ChartOfAccounts) -> dict[str, Any]:
    carried = json.loads(row["balances"])
    return {
        "entity": row["entity_code"],
        "year": row["year"],
        "date": f"{row['year']:04d}-12-31",
        "state": row["state"],
        "entries": [n for n in row["entries"].split(",") if n],
        "closed_by": row["closed_by"],
        "reopened_by": row["reopened_by"],
        "reason": row["reason"],
        "reversals": [n for n in (row["reversals"] or "").split(",") if n],
        # what the next year opens from: every account's balance after the closing
        "carried_balances": [
            {
                "account": account,
                "name": names.get(account).name,
                "side": "debit" if fen > 0 else "credit",
                "amount": amount_str(from_fen(abs(fen))),
            }
            for account, fen in sorted(carried.items())
        ],
    }


def year_closing(conn: Connection, code: str, year: int) -> dict[str, Any] | None:
    """The latest closing of ``year`` in the books of ``code`` (closed or reopened since)."""
    row = (
        conn.execute(
            select(year_closings).where(
                and_(year_closings.c.entity_code == code, year_closings.c.year == year)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else _closing(row, entity_chart(conn, code))


def year_closings_of(conn: Connection, code: str) -> list[dict[str, Any]]:
    names = entity_chart(conn, code)
    return [
        _closing(row, names)
        for row in conn.execute(
            select(year_closings)
            .where(year_closings.c.entity_code == code)
            .order_by(year_closings.c.year)
        ).mappings()
    ]
