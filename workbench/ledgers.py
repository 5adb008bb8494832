"""账簿, Fava-style: every figure that is a sum links to what it sums.

- ``GET /ledgers``: pick an entity and a period (a year, a quarter or a month);
- ``GET /ledgers/{entity}?period=``: the trial balance (科目余额表: 期初, 借方发生, 贷方发生,
  期末) of the period; an account's figures link to its entries, the totals to the period's
  journal;
- ``GET /ledgers/{entity}/accounts/{code}?period=``: the account's entries in the period (日期,
  凭证号, 摘要, 借, 贷, 余额: ``documents.statements.account_detail``), each linking to the
  voucher's print page;
- ``GET /ledgers/{entity}/journal?period=``: every entry of the period (序时账).

Read only: the same read models and queries as ``GET /v1/entities/{code}/trial-balance`` and
``GET /v1/entities/{code}/statements/account-detail``.
"""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from moneyed import Money

from documents.statements import account_detail
from domain.errors import DomainError
from domain.periods import Period, parse_period
from ledger.accounts import ChartOfAccounts
from ledger.errors import LedgerError
from ledger.money import ZERO, amount_str
from ledger.trial_balance import TrialBalance
from projections import queries
from projections.queries import trial_balance_between
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import page
from workbench.session import PageUser

router = APIRouter()


def default_period(request: Request) -> str:
    """The current year (the app's today)."""
    return str(request.app.state.runtime.app.today().year)


def read_period(text: str | None, request: Request) -> tuple[Period | None, str | None]:
    """The period asked for (default: this year), or None and the reason in Chinese."""
    try:
        return parse_period(text or default_period(request)), None
    except DomainError:
        return None, f"期间“{text}”无法识别：请写 2025（年度）、2025-Q1（季度）或 2025-03（月份）"


def period_switch(period: Period) -> dict[str, Any]:
    """The periods around ``period``: its year, quarters and months, the one before and after."""
    year = int(period.text[:4])
    text = period.text
    if period.is_year:
        before, after = str(year - 1), str(year + 1)
    elif "Q" in text:
        q = int(text[-1])
        before = f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
        after = f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"
    else:
        m = int(text[5:])
        before = f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"
        after = f"{year + 1}-01" if m == 12 else f"{year}-{m + 1:02d}"
    return {
        "year": str(year),
        "quarters": [(f"{year}-Q{q}", f"{q}季度") for q in range(1, 5)],
        "months": [(f"{year}-{m:02d}", f"{m}月") for m in range(1, 13)],
        "before": before,
        "after": after,
        "current": text,
    }


def entity_index(
    request: Request, user: Principal, entity: str, period: str, *, base: str, template: str
) -> Response:
    """An index page of ``base`` (``/ledgers``, ``/statements``): the entities the person sees
    and a picker; a picked entity they see is redirected to ``base/<entity>``."""
    engine = books_engine(request)
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
    if entity and any(e["code"] == entity for e in entities):
        suffix = f"?period={period}" if period else ""
        return RedirectResponse(f"{base}/{entity}{suffix}", status_code=303)
    return page(
        request,
        user,
        template,
        entities=entities,
        period=period or default_period(request),
        error=f"没有单位 {entity}，或您无权查看" if entity else None,
    )


@router.get("/ledgers")
def ledgers_index(request: Request, user: PageUser, entity: str = "", period: str = "") -> Response:
    return entity_index(
        request, user, entity, period, base="/ledgers", template="ledger_index.html"
    )


def _not_found(request: Request, user: Any, message: str) -> Response:
    return page(
        request, user, "ledger_index.html", entities=[], period="", error=message, status=404
    )


def _columns(opening: Money, debit: Money, credit: Money) -> dict[str, str]:
    closing = opening + debit - credit
    return {
        "opening_debit": amount_str(opening if opening > ZERO else ZERO),
        "opening_credit": amount_str(-opening if opening < ZERO else ZERO),
        "debit": amount_str(debit),
        "credit": amount_str(credit),
        "closing_debit": amount_str(closing if closing > ZERO else ZERO),
        "closing_credit": amount_str(-closing if closing < ZERO else ZERO),
    }


def trial_balance_rows(tb: TrialBalance) -> list[dict[str, Any]]:
    """The trial balance's lines in code order; a chart account with sub-accounts gets a row
    of its own summing them (总账 level, ``level`` 1) above its sub-accounts (``level`` 2)."""
    chart = ChartOfAccounts.standard()
    groups: dict[str, list[Any]] = {}
    for line in tb.lines:
        groups.setdefault(chart.parent_of(line.account.code), []).append(line)
    rows: list[dict[str, Any]] = []
    for base, lines in groups.items():
        if len(lines) > 1 or lines[0].account.code != base:
            rows.append(
                {
                    "account": base,
                    "name": chart.get(base).name,
                    "level": 1,
                    **_columns(
                        sum((x.opening for x in lines), ZERO),
                        sum((x.debit for x in lines), ZERO),
                        sum((x.credit for x in lines), ZERO),
                    ),
                }
            )
        for x in lines:
            rows.append(
                {
                    "account": x.account.code,
                    "name": x.account.name,
                    "level": 2 if x.account.code != base else 1,
                    **_columns(x.opening, x.debit, x.credit),
                }
            )
    return rows


@router.get("/ledgers/{entity}")
def trial_balance_page(entity: str, request: Request, user: PageUser, period: str = "") -> Response:
    engine = books_engine(request)
    found, problem = read_period(period, request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, entity)
        if books is None:
            return _not_found(request, user, f"没有单位 {entity}，或您无权查看")
        entities = visible_entities(conn, user)
        if found is None:
            return page(
                request,
                user,
                "ledger_index.html",
                entities=entities,
                period=period,
                error=problem,
                status=422,
            )
        tb = trial_balance_between(conn, entity, found.first_month, found.last_month)
    lines = trial_balance_rows(tb)
    totals = {
        "opening_debit": amount_str(tb.opening_debit_total),
        "opening_credit": amount_str(tb.opening_credit_total),
        "debit": amount_str(tb.debit_total),
        "credit": amount_str(tb.credit_total),
        "closing_debit": amount_str(tb.closing_debit_total),
        "closing_credit": amount_str(tb.closing_credit_total),
    }
    return page(
        request,
        user,
        "ledger_trial_balance.html",
        entity=books,
        entities=entities,
        period=found,
        switch=period_switch(found),
        lines=lines,
        totals=totals,
        balanced=tb.is_balanced,
    )


@router.get("/ledgers/{entity}/accounts/{code}")
def account_page(
    entity: str, code: str, request: Request, user: PageUser, period: str = ""
) -> Response:
    engine = books_engine(request)
    found, problem = read_period(period, request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, entity)
        if books is None:
            return _not_found(request, user, f"没有单位 {entity}，或您无权查看")
        if found is None:
            return _not_found(request, user, problem or "")
        tb = trial_balance_between(conn, entity, found.first_month, found.last_month)
        try:
            detail = account_detail(conn, entity, code, found, tb)
        except LedgerError:
            return _not_found(request, user, f"{books['name']}的账簿里没有科目 {code}")
    return page(
        request,
        user,
        "ledger_account.html",
        entity=books,
        period=found,
        switch=period_switch(found),
        detail=detail,
    )


@router.get("/ledgers/{entity}/journal")
def journal_page(
    entity: str, request: Request, user: PageUser, period: str = "", offset: int = 0
) -> Response:
    engine = books_engine(request)
    found, problem = read_period(period, request)
    limit = 200
    with engine.connect() as conn:
        books = entity_or_none(conn, user, entity)
        if books is None:
            return _not_found(request, user, f"没有单位 {entity}，或您无权查看")
        if found is None:
            return _not_found(request, user, problem or "")
        total, views = queries.list_entries(
            conn,
            entity,
            date_from=found.start,
            date_to=found.end,
            limit=limit,
            offset=max(offset, 0),
        )
    rows = []
    for view in views:
        for index, line in enumerate(view.lines):
            amount = amount_str(line.amount)
            rows.append(
                {
                    "first": index == 0,
                    "count": len(view.lines),
                    "date": view.date,
                    "number": view.number,
                    "memo": view.memo,
                    "account": line.account,
                    "account_name": line.account_name,
                    "debit": amount if line.side == "debit" else "",
                    "credit": amount if line.side == "credit" else "",
                }
            )
    return page(
        request,
        user,
        "ledger_journal.html",
        entity=books,
        period=found,
        switch=period_switch(found),
        rows=rows,
        total=total,
        offset=max(offset, 0),
        limit=limit,
        today=datetime.date.today(),
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
