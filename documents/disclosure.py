"""The content of a disclosure sheet (三公开: 财务公开 and 村务公开) for a period, of a village or
of a joint entity (联合社, which handles the alliance's money). A joint entity's
sheet is marked ``"kind": "joint"`` and has, besides the same parts, the capital it received by
fund programme (``capital``); its distributions are paid to villages, not households. Only a
joint entity's content has these keys: a village's content, and so its digest, is unchanged.

财务公开 (农村集体经济组织财务公开规定): income and expenditure item by item, assets, claims and
debts, distributions; 村务公开: the distribution plans of the period and their approval steps.
The content is plain JSON-shaped data (amounts as strings, with capitals), the same for the
web page, the PDF and the XLSX, and it is what the published digest is taken of.

Privacy: households appear under their number and the head's masked name (张*明); no ID
number ever enters the content.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from documents.asset_sheet import asset_parts
from documents.budget import sheet_part
from documents.distribution_statement import distribution_statement, line_totals
from documents.joint_capital import capital_part
from documents.statements import CLOSING_SOURCE, Period, balance_sheet, money_item
from domain.programmes import PROGRAMMES
from ledger.accounts import ChartOfAccounts
from ledger.money import ZERO, from_fen
from ledger.trial_balance import TrialBalance, TrialBalanceLine
from projections import queries
from projections.opening_years import year_lines
from projections.people_view import display_actor, display_names
from projections.tables import (
    LINE_OF_ENTRY,
    account_months,
    accounts,
    agreements,
    enterprises,
    entries,
    entry_lines,
    opening_balances,
    plan_lines,
    plans,
    under_accounts,
)

# The layout of a sheet's content, recorded in it, so a sheet published earlier is re-derived
# (by ``verify``) as it was made: 1 printed sub-accounts under the chart's fallback names and
# no counterparties under claims and debts; 2 prints each sub-account's name and lists, under
# claims and debts, every counterparty with its balance (应付款-仉家村); 3 prints 经办 as the
# person's 姓名 (``projections.people_view.display_actor``), not the login or token name; 4 names
# in 资金来源 where the money came from (the paying village or joint entity and the plan, the
# enterprise of an agreement, the fund programme of a grant), not the kind of entry; 5 names,
# for an ordinary receipt or payment (a voucher, which has no counterparty field), the entry's
# 摘要 as the source ("据摘要：…" rather than "记账"), and lists a joint entity's capital paid in
# (本期入股) and refunded (本期退股) apart, each as a positive amount. The 财务计划 part
# (``budget``: ``documents.budget.sheet_part``) is there when the book has a financial plan for
# the period's year, whatever the layout: no sheet made before plans existed can have one.
LAYOUT = 5

INCOME = ("501", "502", "503", "504")
EXPENSE = ("511", "512", "513", "514", "515", "521")
SOURCE_NAMES = {
    "capital": "投入资本",
    "plan": "收益分配",
    "land-rent": "土地流转费",
    "agreement": "村企合作协议",
    "receipt": "收款",
    "payment": "付款",
    "setup": "建账前本年累计（原账）",
}


def _chart(conn: Connection, village: str, codes: set[str]) -> ChartOfAccounts:
    """The chart of 2023 with the names the village gave ``codes`` (those a sheet prints):
    the same names ``entity_chart`` gives them, without reading every sub-account the books
    ever opened (one per household in a village whose plans pay households)."""
    wanted = sorted(c for c in codes if len(c) > 3)
    names = {}
    for first in range(0, len(wanted), 500):
        names.update(
            {
                r.code: r.name
                for r in conn.execute(
                    select(accounts.c.code, accounts.c.name).where(
                        and_(
                            accounts.c.entity_code == village,
                            accounts.c.code.in_(wanted[first : first + 500]),
                        )
                    )
                )
            }
        )
    return ChartOfAccounts.standard().with_names(names)


def closing_balances(conn: Connection, village: str, last_month: str) -> TrialBalance:
    """The accounts of ``village`` with a balance at the end of ``last_month``, as the lines
    of a trial balance (closing = opening, no movements): all a sheet reads of one (the balance
    sheet's closing column, and the sub-accounts behind claims and debts).

    Summed per account in the database and in integer fen, accounts that close at zero left
    out: a village that paid 5,000 households holds 5,000 sub-accounts of 211 that are all
    settled, and the sheet no longer reads them one by one (the same figures as
    ``queries.trial_balance_between``, whose closing is opening + every movement up to
    ``last_month``)."""
    balances: dict[str, int] = {}
    for r in conn.execute(
        select(opening_balances.c.account, opening_balances.c.balance_fen).where(
            opening_balances.c.entity_code == village
        )
    ):
        balances[r.account] = balances.get(r.account, 0) + r.balance_fen
    net = func.sum(account_months.c.debit_fen - account_months.c.credit_fen)
    for r in conn.execute(
        select(account_months.c.account, net.label("net"))
        .where(and_(account_months.c.entity_code == village, account_months.c.month <= last_month))
        .group_by(account_months.c.account)
        .having(net != 0)
    ):
        balances[r.account] = balances.get(r.account, 0) + int(r.net)
    kept = {code: fen for code, fen in balances.items() if fen}
    chart = _chart(conn, village, set(kept))
    return TrialBalance(
        tuple(
            TrialBalanceLine(
                account=chart.get(code), opening=from_fen(fen), debit=ZERO, credit=ZERO
            )
            for code, fen in sorted(kept.items())
        )
    )


def _items(
    conn: Connection,
    village: str,
    period: Period,
    prefixes: tuple[str, ...],
    side: str,
    layout: int = LAYOUT,
) -> tuple[list[dict[str, Any]], int]:
    rows = list(
        conn.execute(
            select(
                entries.c.date,
                entries.c.number,
                entries.c.memo,
                entries.c.source,
                entries.c.actor,
                entries.c.reverses,
                entry_lines.c.account,
                entry_lines.c.amount_fen,
            )
            .join(entries, LINE_OF_ENTRY)
            .where(
                and_(
                    entry_lines.c.entity_code == village,
                    entry_lines.c.side == side,
                    under_accounts(entry_lines.c.account, prefixes),
                    entries.c.date >= period.start,
                    entries.c.date <= period.end,
                    or_(entries.c.source.is_(None), ~entries.c.source.startswith(CLOSING_SOURCE)),
                )
            )
            .order_by(entries.c.date, entries.c.number, entry_lines.c.line)
        )
    )
    before = year_lines(conn, village, period.first_month, period.last_month)  # 建账 mid-year
    rows = [r for r in before if r.side == side and r.account.startswith(prefixes)] + rows
    chart = (
        _chart(conn, village, {r.account for r in rows})
        if layout >= 2
        else ChartOfAccounts.standard()
    )
    names = display_names(conn) if layout >= 3 else {}
    found: dict[tuple[str, str], str] = {}
    items = []
    total = 0
    for index, r in enumerate(rows, start=1):
        amount = from_fen(r.amount_fen)
        total += r.amount_fen
        kind = (r.source or "").split(":", 1)[0]
        items.append(
            {
                "no": index,
                "date": r.date.isoformat(),
                "voucher": r.number,
                "item": r.memo,
                "account": f"{r.account} {chart.get(r.account).name}",
                **money_item(amount),
                "source": (
                    _where_from(conn, village, r.source, bool(r.reverses), found, r.memo, layout)
                    if layout >= 4
                    else SOURCE_NAMES.get(kind, "红字冲销" if r.reverses else "记账")
                ),
                "handled_by": display_actor(r.actor, names) if layout >= 3 else r.actor,
            }
        )
    return items, total


def _where_from(
    conn: Connection,
    village: str,
    source: str | None,
    reverses: bool,
    found: dict[tuple[str, str], str],
    memo: str = "",
    layout: int = LAYOUT,
) -> str:
    """资金来源 in words (layout 4): who or what the money came from or went to. From layout 5,
    an entry of no cross-book operation (a voucher: it has no counterparty field) is named by
    its 摘要, and says so ("据摘要：收到张三承包费"); before, by the kind of entry ("记账")."""
    if reverses:
        return "红字冲销"
    kind, _, rest = (source or "").partition(":")
    other = rest.split(":", 1)[0]

    def name(what: str, code: str) -> str:
        if (what, code) not in found:
            if what == "plan":
                payer = conn.execute(select(plans.c.payer).where(plans.c.code == code)).scalar()
                found[(what, code)] = name("entity", payer) if payer else code
            elif what == "agreement":
                enterprise = conn.execute(
                    select(enterprises.c.name)
                    .join(agreements, agreements.c.enterprise_code == enterprises.c.code)
                    .where(agreements.c.code == code)
                ).scalar()
                found[(what, code)] = enterprise or code
            else:
                entity = queries.entity(conn, code)
                found[(what, code)] = entity["name"] if entity else code
        return found[(what, code)]

    if kind == "plan":
        payer = conn.execute(select(plans.c.payer).where(plans.c.code == other)).scalar()
        if payer == village:  # a joint entity's own plan is the 联合社's, not a village's
            if ("kind", village) not in found:
                entity = queries.entity(conn, village) or {}
                found[("kind", village)] = "本联合社" if entity.get("kind") == "joint" else "本村"
            return f"{found[('kind', village)]}收益分配（方案 {other}）"
        return f"{name('plan', other)}分配（方案 {other}）"
    if kind == "capital":
        return f"{name('entity', other)}（入股资金）"
    if kind == "land-rent":
        return f"{name('entity', other)}（土地流转费）"
    if kind == "agreement":
        return f"{name('agreement', other)}（村企合作协议 {other}）"
    if kind == "grant":
        return PROGRAMMES.get(other, other)
    if layout >= 5 and kind not in ("capital", "plan", "setup") and memo.strip():
        return f"据摘要：{memo.strip()}"
    return SOURCE_NAMES.get(kind, "记账")


CASH = ("101", "102")


def _movements_part(
    conn: Connection,
    village: str,
    period: Period,
    income: list[dict[str, Any]],
    expense: list[dict[str, Any]],
    layout: int = LAYOUT,
) -> dict[str, Any]:
    shown = {i["voucher"] for i in income} | {i["voucher"] for i in expense}
    items, money_in, money_out = _movements(conn, village, period, shown, layout)
    return {
        "movements": {
            "items": items,
            "total_in": money_item(from_fen(money_in)),
            "total_out": money_item(from_fen(money_out)),
        }
    }


def _movements(
    conn: Connection, village: str, period: Period, shown: set[str], layout: int = LAYOUT
) -> tuple[list[dict[str, Any]], int, int]:
    """Layout 4: money in or out (现金, 银行存款) that is neither income nor expenditure —
    capital paid in or out, grants, loans, payments to households, 在建工程 — item by item, so
    every yuan that moved is on the sheet. ``shown``: entries already listed under
    income or expenditure. Returns the items and the totals in and out (fen)."""
    rows = list(
        conn.execute(
            select(
                entries.c.date,
                entries.c.number,
                entries.c.memo,
                entries.c.source,
                entries.c.actor,
                entries.c.reverses,
                entry_lines.c.side,
                func.sum(entry_lines.c.amount_fen).label("fen"),
            )
            .join(entries, LINE_OF_ENTRY)
            .where(
                and_(
                    entry_lines.c.entity_code == village,
                    under_accounts(entry_lines.c.account, CASH),
                    entries.c.date >= period.start,
                    entries.c.date <= period.end,
                    or_(entries.c.source.is_(None), ~entries.c.source.startswith(CLOSING_SOURCE)),
                )
            )
            .group_by(
                entries.c.date,
                entries.c.number,
                entries.c.memo,
                entries.c.source,
                entries.c.actor,
                entries.c.reverses,
                entry_lines.c.side,
            )
            .order_by(entries.c.date, entries.c.number)
        )
    )
    net: dict[str, int] = {}
    first: dict[str, Any] = {}
    for r in rows:
        if r.number in shown:
            continue
        fen = int(r.fen)  # PostgreSQL sums a BIGINT as NUMERIC (a Decimal): whole fen
        net[r.number] = net.get(r.number, 0) + (fen if r.side == "debit" else -fen)
        first.setdefault(r.number, r)
    names = display_names(conn)
    found: dict[tuple[str, str], str] = {}
    items = []
    total_in = total_out = 0
    for number, fen in net.items():
        if fen == 0:  # between cash accounts: nothing came in or went out
            continue
        r = first[number]
        if fen > 0:
            total_in += fen
        else:
            total_out -= fen
        items.append(
            {
                "no": len(items) + 1,
                "date": r.date.isoformat(),
                "voucher": number,
                "item": r.memo,
                "direction": "收" if fen > 0 else "付",
                **money_item(from_fen(abs(fen))),
                "source": _where_from(
                    conn, village, r.source, bool(r.reverses), found, r.memo, layout
                ),
                "handled_by": display_actor(r.actor, names),
            }
        )
    return items, total_in, total_out


class _Statements(dict[str, dict[str, Any]]):
    """Each plan's distribution statement, built once per sheet and shared by its parts."""

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn

    def __missing__(self, code: str) -> dict[str, Any]:
        found = distribution_statement(self.conn, code)
        assert found is not None
        self[code] = found
        return found


def _distributions(
    conn: Connection, village: str, period: Period, statements: _Statements
) -> list[dict[str, Any]]:
    """Plans executed in the period that this village paid (to households) or received."""
    paid = (
        conn.execute(
            select(plans.c.code)
            .where(
                and_(
                    plans.c.payer == village,
                    plans.c.executed_on >= period.start,
                    plans.c.executed_on <= period.end,
                )
            )
            .order_by(plans.c.code)
        )
        .scalars()
        .all()
    )
    received = (
        conn.execute(
            select(plans.c.code)
            .join(plan_lines, plan_lines.c.plan_code == plans.c.code)
            .where(
                and_(
                    plan_lines.c.party == village,
                    plans.c.executed_on >= period.start,
                    plans.c.executed_on <= period.end,
                )
            )
            .order_by(plans.c.code)
        )
        .scalars()
        .all()
    )
    out = []
    for code in [*received, *paid]:
        statement = statements[code]
        role = "paid" if code in paid else "received"
        lines = (
            statement["lines"]
            if role == "paid"
            else [line for line in statement["lines"] if line["code"] == village]
        )
        out.append(
            {
                "plan": code,
                "title": statement["title"],
                "role": role,
                "payer": statement["payer"]["name"],
                "executed_on": statement["executed_on"],
                "rule_words": statement["rule_words"],
                "amount": statement["amount"],
                "deductions": statement["deductions"] if role == "paid" else [],
                "lines": line_totals(statement)
                if role == "paid"
                else [{"code": x["code"], "name": x["name"], "total": x["total"]} for x in lines],
                "total": statement["total"] if role == "paid" else lines[0]["total"],
            }
        )
    return out


def _affairs(
    conn: Connection, village: str, period: Period, statements: _Statements
) -> list[dict[str, Any]]:
    """村务公开: plans this village pays or takes part in, with a step inside the period."""
    codes = (
        conn.execute(
            select(plans.c.code)
            .outerjoin(plan_lines, plan_lines.c.plan_code == plans.c.code)
            .where(or_(plans.c.payer == village, plan_lines.c.party == village))
            .distinct()
            .order_by(plans.c.code)
        )
        .scalars()
        .all()
    )
    out = []
    for code in codes:
        statement = statements[code]
        steps = [
            s
            for s in statement["steps"]
            if period.start.isoformat() <= s["date"] <= period.end.isoformat()
        ]
        if steps:
            out.append(
                {
                    "plan": code,
                    "title": statement["title"],
                    "state": statement["state_name"],
                    "rule_words": statement["rule_words"],
                    "steps": steps,
                }
            )
    return out


def _by_name(line: dict[str, Any], tb: TrialBalance, sign: int) -> dict[str, Any]:
    """A claims or debts line with the sub-accounts behind it by name (应付款-仉家村), each
    with its balance at the period end: whom the village owes and who owes it. Sub-accounts
    of 内部往来 go to the side their balance is on."""
    detail = []
    for tb_line in tb.lines:
        account = tb_line.account
        if account.parent is None or account.parent not in line["accounts"].split("+"):
            continue
        amount = tb_line.closing * sign
        if amount > ZERO:
            detail.append({"account": account.code, "name": account.name, **money_item(amount)})
    return {**line, "detail": detail} if detail else line


def disclosure_content(
    conn: Connection,
    village: str,
    period: Period,
    *,
    checked_by: list[str],
    checked_on: datetime.date,
    opinion: str,
    made_on: datetime.date,
    layout: int = LAYOUT,
) -> dict[str, Any]:
    entity = queries.entity(conn, village)
    if entity is None or entity["kind"] not in ("village", "joint"):
        raise LookupError(f"village or joint entity {village} does not exist")
    joint = entity["kind"] == "joint"
    tb = closing_balances(conn, village, period.last_month)
    statements = _Statements(conn)
    sheet = balance_sheet(tb)
    income, income_fen = _items(conn, village, period, INCOME, "credit", layout)
    expense, expense_fen = _items(conn, village, period, EXPENSE, "debit", layout)
    claims = [x for x in sheet["assets"] if x["line"] in ("应收款项", "内部往来（借方）")]
    debts = [x for x in sheet["liabilities"] if x["amount"] != "0.00"]
    if layout >= 2:
        claims = [_by_name(x, tb, +1) for x in claims]
        debts = [_by_name(x, tb, -1) for x in debts]
    return {
        **({"layout": layout} if layout >= 2 else {}),
        **({"kind": "joint"} if joint else {}),
        "title": f"{entity['name']}{period.label}财务公开表",
        "village": {
            "code": village,
            "name": entity["name"],
            "township": entity["township"],
            "county": entity["county"],
        },
        "period": {
            "text": period.text,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "income": {"items": income, "total": money_item(from_fen(income_fen))},
        "expense": {"items": expense, "total": money_item(from_fen(expense_fen))},
        **(_movements_part(conn, village, period, income, expense, layout) if layout >= 4 else {}),
        "assets": {
            "lines": [x for x in sheet["assets"] if x["amount"] != "0.00"],
            "total": sheet["totals"]["assets"],
        },
        "claims": {
            "lines": claims,
            "total": money_item(
                sum((from_fen(int(x["amount"].replace(".", ""))) for x in claims), ZERO)
            ),
        },
        "debts": {"lines": debts, "total": sheet["totals"]["liabilities"]},
        "equity": {"lines": sheet["equity"], "total": sheet["totals"]["equity"]},
        **({"capital": capital_part(conn, village, period, layout)} if joint else {}),
        **asset_parts(conn, village, period),  # 三资: only where there is something to show
        "distributions": _distributions(conn, village, period, statements),
        "affairs": _affairs(conn, village, period, statements),
        **({"budget": part} if (part := sheet_part(conn, village, period)) else {}),
        "checks": sheet["checks"],
        "checked": {
            "by": list(checked_by),
            "on": checked_on.isoformat(),
            "opinion": opinion,
            "group": "民主理财小组",
        },
        "made_on": made_on.isoformat(),
    }
