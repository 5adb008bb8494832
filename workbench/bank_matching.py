"""勾对 and the 银行存款余额调节表 of one bank account, from the workbench.

- ``GET /bank/{entity}/{account}/matching?window=``: the proposed matches (same amount within
  ``window`` days, the reference first; a posting with its red-ink reversal), every statement
  line and posting not matched yet side by side with boxes to tick for a match by hand (one to
  many), and the matches made, each with its undo form;
- ``POST /bank/{entity}/{account}/matching/confirm``: the ticked proposals (``proposal``:
  ``S1-1|2026-0012#1``) recorded as matches (``MatchLines``, kind ``proposed``) in one save;
- ``POST /bank/{entity}/{account}/matching/manual``: the ticked lines (``bank``, ``book``) as
  one match with a note (kind ``manual``);
- ``POST /bank/{entity}/{account}/matches/{match}/undo``: 撤销勾对 with the reason (an event,
  never an edit);
- ``GET /bank/{entity}/{account}/reconciliation/{month}``: the month's table, its 未达账项 and
  the month before's with how each was settled; ``?format=print`` (A4, the account number
  masked, the signatures) and ``?format=xlsx``;
- ``POST /bank/{entity}/{account}/reconciliation/{month}/confirm``: 确认 (``ReconcileMonth``;
  结账 reads it).

Each write is the command the API's route builds, run as the person's (``run_form``), with the
duty ``bank.reconcile``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents import bank_reconciliation as doc
from domain.bank.commands import MatchLines, ReconcileMonth, UndoMatch
from domain.bank.matching import MAX_WINDOW, WINDOW
from domain.bank.reconciliation import KINDS
from domain.bounds import MONTH_PATTERN
from projections import bank_queries
from web.tokens import Principal
from workbench.accounts import books_engine
from workbench.bank import entity_of, money, month_label, refused_page, state_of
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _window(value: str) -> int:
    return int(value) if value.isdigit() and int(value) <= MAX_WINDOW else WINDOW


def matching_page(
    request: Request,
    user: Principal,
    entity: str,
    account: str,
    *,
    window: int = WINDOW,
    error: str | None = None,
    status: int = 200,
) -> Response:
    try:
        found = entity_of(request, user, entity)
        state = state_of(request, user, entity, account)
    except FormRefused as refused:
        return refused_page(request, user, refused)
    with books_engine(request).connect() as conn:
        matches = bank_queries.matches(conn, state.account["account_id"])
    bank, book = state.unmatched()
    return page(
        request,
        user,
        "bank_matching.html",
        entity=found,
        account=state.account,
        proposals=doc.proposals_of(state, window),
        bank=bank,
        book=book,
        matches=matches[:50],
        window=window,
        money=money,
        error=error,
        status=status,
    )


@router.get("/bank/{entity}/{account}/matching")
def matching(
    entity: str, account: str, request: Request, user: PageUser, window: str = ""
) -> Response:
    return matching_page(request, user, entity, account, window=_window(window))


async def _write(
    request: Request,
    user: Principal,
    entity: str,
    account: str,
    build: Any,
    *,
    back: str,
) -> Response:
    form = await request.form()
    try:
        require(user, "bank.reconcile")
        state_of(request, user, entity, account)
        command = build(form)
        return run_form(request, user, dict(form), command, lambda _: back)
    except FormRefused as refused:
        return matching_page(
            request, user, entity, account, error=refused.message, status=refused.status
        )


@router.post("/bank/{entity}/{account}/matching/confirm")
async def confirm_proposals(
    entity: str, account: str, request: Request, user: FormUser
) -> Response:
    def build(form: Any) -> MatchLines:
        groups = []
        for value in form.getlist("proposal"):
            bank, _, book = str(value).partition("|")
            groups.append(
                (tuple(x for x in bank.split(",") if x), tuple(x for x in book.split(",") if x))
            )
        if not groups:
            raise FormRefused("请勾选要确认的勾对建议", field="proposal")
        return MatchLines(entity, account, tuple(groups), kind="proposed")

    back = f"/bank/{entity}/{account}/matching"
    return await _write(request, user, entity, account, build, back=back)


@router.post("/bank/{entity}/{account}/matching/manual")
async def manual(entity: str, account: str, request: Request, user: FormUser) -> Response:
    def build(form: Any) -> MatchLines:
        bank = tuple(str(x) for x in form.getlist("bank"))
        book = tuple(str(x) for x in form.getlist("book"))
        note = str(form.get("note") or "").strip()
        return MatchLines(entity, account, ((bank, book),), kind="manual", note=note)

    back = f"/bank/{entity}/{account}/matching"
    return await _write(request, user, entity, account, build, back=back)


@router.post("/bank/{entity}/{account}/matches/{match}/undo")
async def undo(entity: str, account: str, match: str, request: Request, user: FormUser) -> Response:
    def build(form: Any) -> UndoMatch:
        reason = str(form.get("reason") or "").strip()
        if not reason:
            raise FormRefused("撤销勾对须写明原因（原因会记录在案）", field="reason")
        return UndoMatch(entity, account, match, reason)

    back = f"/bank/{entity}/{account}/matching"
    return await _write(request, user, entity, account, build, back=back)


# -- the month's table --------------------------------------------------------------------------


def table_page(
    request: Request,
    user: Principal,
    entity: str,
    account: str,
    month: str,
    *,
    output: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    try:
        if not re.match(MONTH_PATTERN, month):
            raise FormRefused(f"月份“{month[:10]}”写法有误：请写成 2026-10 的样子", status=404)
        found = entity_of(request, user, entity)
        state = state_of(request, user, entity, account)
    except FormRefused as refused:
        return refused_page(request, user, refused)
    table = doc.table_of(state, month)
    if output == "xlsx":
        name = f"{entity}-{account}-银行存款余额调节表-{month}.xlsx"
        return Response(
            doc.workbook(table, found),
            media_type=XLSX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )
    supervisor, cashier = request.app.state.runtime.app.township.signers_of(entity)
    return page(
        request,
        user,
        "bank_reconciliation_print.html" if output == "print" else "bank_reconciliation.html",
        entity=found,
        account=state.account,
        table=table,
        r=table.reconciliation,
        kinds=KINDS,
        month=month,
        label=month_label(month),
        money=money,
        supervisor=supervisor,
        cashier=cashier,
        error=error,
        status=status,
    )


@router.get("/bank/{entity}/{account}/reconciliation/{month}")
def reconciliation(
    entity: str, account: str, month: str, request: Request, user: PageUser, format: str = ""
) -> Response:
    return table_page(request, user, entity, account, month, output=format)


@router.post("/bank/{entity}/{account}/reconciliation/{month}/confirm")
async def confirm_table(
    entity: str, account: str, month: str, request: Request, user: FormUser
) -> Response:
    form = await request.form()
    back = f"/bank/{entity}/{account}/reconciliation/{month}"
    try:
        require(user, "bank.reconcile")
        state_of(request, user, entity, account)
        command = ReconcileMonth(entity, account, month)
        return run_form(request, user, dict(form), command, lambda _: back)
    except FormRefused as refused:
        return table_page(
            request, user, entity, account, month, error=refused.message, status=refused.status
        )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "bank")
