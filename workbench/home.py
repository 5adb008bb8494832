"""工作台 (``/``): a township's dashboard. Per set of books the person sees (their townships';
every township for an administrator or an auditor): 库存现金 and 银行存款, the year's 收入 and
支出 by month as a small inline SVG chart (with the figures as a table), and the warnings a
supervisor acts on, each linking to the page that resolves it — months not closed (结账
``/periods/{entity}``), vouchers 待审核 (the voucher list filtered so), cash below a month's
spending or below zero (现金日记账 and 银行存款日记账), agreement arrears (the agreement), plans
waiting for a step of 四议两公开, 三公开 sheets not published, and from the 三资 registers the
instalments of contracts due within 30 days and the rents overdue (the contract's page,
``workbench.contracts``) and the resources idle without a contract (the resource's page,
``workbench.resources``); beside them the vouchers
waiting for the person (to review, to post, returned, drafts; the first two link the batch
review page ``/review``).

The figures and the decisions behind them (what 收入, 支出 and a month's spending are) are
``documents.dashboard``; this module only asks for them and renders ``home.html``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.dashboard import DUE_DAYS, dashboard
from domain.vouchers import person_of
from projections.voucher_view import voucher_list
from web.tokens import Principal
from workbench.accounts import SEES_EVERYTHING, books_engine, visible_entities
from workbench.render import page
from workbench.session import PageUser

router = APIRouter()


def _townships(user: Principal) -> Any:
    return None if user.role in SEES_EVERYTHING else sorted(user.townships)


def waiting_vouchers(engine: Any, user: Principal) -> dict[str, list[dict[str, Any]]]:
    """Vouchers waiting for ``user``: to review (submitted by others), to post (reviewed by
    others), returned to them, and their drafts."""
    townships = _townships(user)
    waiting: dict[str, list[dict[str, Any]]] = {
        "review": [],
        "post": [],
        "returned": [],
        "drafts": [],
    }
    if user.may("voucher.review"):
        waiting["review"] = [
            v
            for v in voucher_list(engine, townships=townships, status="submitted")
            if v.get("preparer") != user.person
        ]
    if user.may("voucher.post"):
        waiting["post"] = [
            v
            for v in voucher_list(engine, townships=townships, status="reviewed")
            if person_of(str(v.get("reviewer") or "")) != user.person
        ]
    if user.may("voucher.prepare") and user.person:
        waiting["returned"] = voucher_list(
            engine, townships=townships, status="returned", preparer=user.person
        )
        waiting["drafts"] = voucher_list(
            engine, townships=townships, status="draft", preparer=user.person
        )
    return waiting


@router.get("/")
def home(request: Request, user: PageUser) -> Response:
    engine = books_engine(request)
    today = request.app.state.runtime.app.today()
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
        board = dashboard(conn, entities, today, _townships(user))
    return page(
        request,
        user,
        "home.html",
        board=board,
        waiting=waiting_vouchers(engine, user),
        today=today,
        year=today.year,
        due_days=DUE_DAYS,
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy", "vouchers", "resources")
