"""账簿, Fava-style: every figure that is a sum links to what it sums.

- ``GET /ledgers``: pick an entity and a period (a year, a quarter or a month);
- ``GET /ledgers/{entity}?period=``: the trial balance (科目余额表: 期初, 本期借方/贷方, 本年累计
  借方/贷方, 期末; ``documents.ledgers.trial_balance_sheet``), a chart account with
  sub-accounts in a row of its own above them; an account's figures link to its 明细账, the
  totals to the period's journal; ``&format=print`` (A4) or ``&format=xlsx``;
- ``GET /ledgers/{entity}/journal?period=``: every entry of the period (序时账).

总账, 明细账 and 日记账 are ``workbench.ledger_books``; the print and XLSX forms
``workbench.ledger_output``. Read only: the same read models and queries as
``GET /v1/entities/{code}/trial-balance``.
"""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from documents.ledgers import TB_COLUMNS, trial_balance_sheet
from domain.errors import DomainError
from domain.periods import Period, parse_period
from ledger.money import amount_str
from projections import queries
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.ledger_output import respond, trial_balance_workbook
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


def not_found(request: Request, user: Any, message: str) -> Response:
    return page(
        request, user, "ledger_index.html", entities=[], period="", error=message, status=404
    )


@router.get("/ledgers/{entity}")
def trial_balance_page(
    entity: str, request: Request, user: PageUser, period: str = "", format: str = ""
) -> Response:
    engine = books_engine(request)
    found, problem = read_period(period, request)
    with engine.connect() as conn:
        books = entity_or_none(conn, user, entity)
        if books is None:
            return not_found(request, user, f"没有单位 {entity}，或您无权查看")
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
        sheet = trial_balance_sheet(conn, entity, found)
    when = found
    return respond(
        request,
        user,
        format,
        template="ledger_trial_balance.html",
        title="科目余额表",
        entity=books,
        period=when,
        workbook=lambda: trial_balance_workbook(books, when, sheet),
        table="ledger_tb_table.html",
        switch=period_switch(found),
        sheet=sheet,
        columns=TB_COLUMNS,
        entities=entities,
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
            return not_found(request, user, f"没有单位 {entity}，或您无权查看")
        if found is None:
            return not_found(request, user, problem or "")
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
                    "memo": line.memo or view.memo,  # the line's 摘要, else the voucher's
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
