"""现金盘点 (``/cash``): counting a set of books' cash by denomination, the 库存现金盘点表 with its
two signatures, and the settling of a difference.

- ``GET /cash``: the books the person keeps, each with its latest count;
- ``GET /cash/{entity}``: the counts of the books (newest first) and the count form: the pieces
  of each denomination (100 元 … 1 分), the 出纳 who counts and the 会计 or 监盘人 who watches
  (the township's named signers by default);
- ``POST /cash/{entity}``: the count (``CountCash``: a difference from the books goes to 181
  待处理财产损溢 in the same save);
- ``GET /cash/{entity}/{count}``: the count sheet (``?format=print``: A4, the signatures), and
  the form that settles what is left of its difference (``ResolveCashDifference``);
- ``POST /cash/{entity}/{count}/resolve``.

A count posts to the books, so it takes the duty ``books.write`` (the API's routes the same).
"""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.cash import DENOMINATIONS, SHORTAGE_ACCOUNTS, SURPLUS_ACCOUNTS, denomination_fen
from domain.cash.commands import CountCash, ResolveCashDifference
from ledger.capitals import to_capitals
from ledger.money import from_fen
from projections import bank_queries
from web.tokens import Principal
from workbench.accounts import books_engine, visible_entities
from workbench.bank import entity_of, money, refused_page
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()


@router.get("/cash")
def index(request: Request, user: PageUser) -> Response:
    with books_engine(request).connect() as conn:
        entities = visible_entities(conn, user)
        latest = {
            e["code"]: (bank_queries.counts(conn, e["code"])[:1] or [None])[0] for e in entities
        }
    return page(request, user, "cash_index.html", entities=entities, latest=latest, money=money)


def entity_page(
    request: Request,
    user: Principal,
    entity: str,
    *,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    try:
        found = entity_of(request, user, entity)
    except FormRefused as refused:
        return refused_page(request, user, refused)
    with books_engine(request).connect() as conn:
        counts = bank_queries.counts(conn, entity)
    supervisor, cashier = request.app.state.runtime.app.township.signers_of(entity)
    return page(
        request,
        user,
        "cash_entity.html",
        entity=found,
        counts=counts,
        denominations=DENOMINATIONS,
        supervisor=supervisor,
        cashier=cashier,
        today=request.app.state.runtime.app.today(),
        money=money,
        error=error,
        form=form or {},
        status=status,
    )


@router.get("/cash/{entity}")
def entity_view(entity: str, request: Request, user: PageUser) -> Response:
    return entity_page(request, user, entity)


@router.post("/cash/{entity}")
async def count(entity: str, request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    shown = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        require(user, "books.write")
        entity_of(request, user, entity)
        try:
            day = datetime.date.fromisoformat(shown.get("date", ""))
        except ValueError:
            raise FormRefused("盘点日期写法有误：请写成 2026-10-31 的样子", field="date") from None
        pieces = tuple(
            (d, shown.get(f"pieces_{d}", "").strip())
            for d in DENOMINATIONS
            if shown.get(f"pieces_{d}", "").strip()
        )
        command = CountCash(
            entity=entity,
            date=day,
            pieces=pieces,
            cashier=shown.get("cashier", "").strip(),
            supervisor=shown.get("supervisor", "").strip(),
            note=shown.get("note", "").strip(),
        )
        return run_form(request, user, form, command, lambda number: f"/cash/{entity}/{number}")
    except FormRefused as refused:
        return entity_page(
            request, user, entity, error=refused.message, form=shown, status=refused.status
        )


def count_page(
    request: Request,
    user: Principal,
    entity: str,
    number: str,
    *,
    output: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    try:
        found = entity_of(request, user, entity)
        with books_engine(request).connect() as conn:
            row = bank_queries.count(conn, entity, number)
        if row is None:
            raise FormRefused(f"{entity} 没有编号为 {number} 的现金盘点", status=404)
    except FormRefused as refused:
        return refused_page(request, user, refused)
    pieces = [
        (d, label, int(row["pieces"].get(d, 0)), int(row["pieces"].get(d, 0)) * denomination_fen(d))
        for d, label in DENOMINATIONS.items()
    ]
    shortage = row["difference_fen"] < 0
    return page(
        request,
        user,
        "cash_print.html" if output == "print" else "cash_count.html",
        entity=found,
        count=row,
        pieces=pieces,
        shortage=shortage,
        accounts=SHORTAGE_ACCOUNTS if shortage else SURPLUS_ACCOUNTS,
        in_words=to_capitals(from_fen(int(row["counted_fen"]))),
        today=request.app.state.runtime.app.today(),
        money=money,
        error=error,
        status=status,
    )


@router.get("/cash/{entity}/{count}")
def count_view(
    entity: str, count: str, request: Request, user: PageUser, format: str = ""
) -> Response:
    return count_page(request, user, entity, count, output=format)


@router.post("/cash/{entity}/{count}/resolve")
async def resolve(entity: str, count: str, request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    shown = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        require(user, "books.write")
        entity_of(request, user, entity)
        try:
            day = datetime.date.fromisoformat(shown.get("date", ""))
        except ValueError:
            raise FormRefused("处理日期写法有误：请写成 2026-11-02 的样子", field="date") from None
        command = ResolveCashDifference(
            entity=entity,
            number=count,
            date=day,
            account=shown.get("account", "").strip(),
            amount=shown.get("amount", "").strip() or None,
            memo=shown.get("memo", "").strip(),
        )
        return run_form(request, user, form, command, lambda _: f"/cash/{entity}/{count}")
    except FormRefused as refused:
        return count_page(
            request, user, entity, count, error=refused.message, status=refused.status
        )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "bank")
