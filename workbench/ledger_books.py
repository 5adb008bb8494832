"""总账, 明细账 and 日记账 of an entity for a period (``documents.ledgers``), each as a page,
an A4 print (``&format=print``) and an XLSX workbook (``&format=xlsx``):

- ``GET /ledgers/{entity}/general?period=&account=``: 总账, per first-level account (or only
  ``account``): 期初, each month's 本月合计 and 本年累计, the balance with 借/贷/平;
- ``GET /ledgers/{entity}/accounts/{code}?period=``: 明细账 (a chart account with its
  sub-accounts): 日期, 凭证号, 摘要, 对方科目, 借方, 贷方, 借或贷, 余额, and 本月合计 and 本年累计
  after each month; every voucher number links to its print;
- ``GET /ledgers/{entity}/cash/{code}?period=&daily=1``: 现金日记账 (101) and 银行存款日记账
  (102, or one bank account 102xx): the same with a balance on every line, 本日合计 after each
  day when ``daily`` is asked for.

Read only, from the same read models as the trial balance; each book checks its closing
balance against it.
"""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.ledgers import (
    JOURNAL_ACCOUNTS,
    account_book,
    counter_text,
    general_ledger_book,
)
from domain.periods import Period
from ledger.accounts import ChartOfAccounts
from ledger.errors import LedgerError
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none
from workbench.ledger_output import book_workbook, general_workbook, respond
from workbench.ledgers import not_found, period_switch, read_period
from workbench.session import PageUser

router = APIRouter()


def _open(
    request: Request, user: Principal, entity: str, period: str
) -> tuple[dict[str, Any], Period] | Response:
    """The entity's row and the period asked for, or the Chinese page saying why not."""
    found, problem = read_period(period, request)
    with books_engine(request).connect() as conn:
        books = entity_or_none(conn, user, entity)
    if books is None:
        return not_found(request, user, f"没有单位 {entity}，或您无权查看")
    if found is None:
        return not_found(request, user, problem or "")
    return books, found


@router.get("/ledgers/{entity}/general")
def general_page(
    entity: str,
    request: Request,
    user: PageUser,
    period: str = "",
    account: str = "",
    format: str = "",
) -> Response:
    opened = _open(request, user, entity, period)
    if isinstance(opened, Response):
        return opened
    books, when = opened
    chosen = account.strip() or None
    if chosen is not None and chosen not in {a.code for a in ChartOfAccounts.standard()}:
        return not_found(request, user, f"总账按一级科目查看：{chosen[:40]} 不是一级科目（如 102）")
    today: datetime.date = request.app.state.runtime.app.today()
    with books_engine(request).connect() as conn:
        book = general_ledger_book(conn, entity, when, today=today, account=chosen)
    return respond(
        request,
        user,
        format,
        template="ledger_general.html",
        title="总账",
        entity=books,
        period=when,
        workbook=lambda: general_workbook(books, when, book),
        table="ledger_general_table.html",
        switch=period_switch(when),
        book=book,
        account=chosen or "",
        chart=[(a.code, a.name) for a in ChartOfAccounts.standard()],
    )


def _book_page(
    request: Request,
    user: Principal,
    entity: str,
    code: str,
    period: str,
    output: str,
    *,
    title: str,
    daily: bool,
) -> Response:
    opened = _open(request, user, entity, period)
    if isinstance(opened, Response):
        return opened
    books, when = opened
    with books_engine(request).connect() as conn:
        try:
            book = account_book(conn, entity, code, when, daily=daily)
        except LedgerError:
            return not_found(request, user, f"{books['name']}的账簿里没有科目 {code[:40]}")
    detail = len(code) == 3 and any(
        r.posting is not None and r.posting.account != code for r in book["rows"]
    )
    return respond(
        request,
        user,
        output,
        template="ledger_account.html",
        title=title,
        entity=books,
        period=when,
        workbook=lambda: book_workbook(books, when, title, book, detail=detail),
        table="ledger_book_table.html",
        switch=period_switch(when),
        book=book,
        detail=detail,
        counter=counter_text,
        daily=daily,
        journal=title != "明细账",
    )


@router.get("/ledgers/{entity}/accounts/{code}")
def account_page(
    entity: str, code: str, request: Request, user: PageUser, period: str = "", format: str = ""
) -> Response:
    return _book_page(request, user, entity, code, period, format, title="明细账", daily=False)


@router.get("/ledgers/{entity}/cash/{code}")
def cash_journal_page(
    entity: str,
    code: str,
    request: Request,
    user: PageUser,
    period: str = "",
    daily: str = "",
    format: str = "",
) -> Response:
    title = JOURNAL_ACCOUNTS.get(code[:3])
    if title is None:
        return not_found(
            request,
            user,
            f"日记账只有库存现金（101）和银行存款（102 及其明细科目），没有 {code[:40]}",
        )
    return _book_page(request, user, entity, code, period, format, title=title, daily=daily == "1")


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")  # as every /ledgers path (web.views)
