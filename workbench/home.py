"""工作台 (``/``): the person's villages and entities, the vouchers waiting for them (to review,
to post, returned, drafts; the first two link the batch review page ``/review``), and
warnings, all from existing read models and queries:

- cash below zero: 库存现金 (101) or 银行存款 (102, sub-accounts included) with a credit
  balance (``projections.queries.trial_balance_between``);
- months not closed: earlier months of this year after the books' 结账至 (``lz_entities``);
- agreement arrears (``projections.economy_queries.agreement_status``);
- plans waiting for a step of 四议两公开, or executed without 实施结果公开
  (``projections.economy_queries.plan``);
- villages whose disclosure sheet of the last quarter is not published
  (``documents.publishing.list_published``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from documents import publishing
from domain.plan import EXECUTED, RESULT_PUBLISHED, STEPS
from domain.vouchers import person_of
from ledger.money import ZERO, amount_str
from projections import economy_queries, queries
from projections.queries import trial_balance_between
from projections.voucher_view import voucher_list
from web.tokens import Principal
from workbench.accounts import SEES_EVERYTHING, books_engine, sees, visible_entities
from workbench.render import page
from workbench.session import PageUser

router = APIRouter()

CASH = {"101": "库存现金", "102": "银行存款"}


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


def cash_warnings(
    conn: Connection, entities: list[dict[str, Any]], today: datetime.date
) -> list[dict[str, Any]]:
    """库存现金 and 银行存款 (sub-accounts summed) below zero at the end of this month (the
    books refuse it; older books may hold it)."""
    month = f"{today.year:04d}-{today.month:02d}"
    found = []
    for e in entities:
        tb = trial_balance_between(conn, e["code"], None, month)
        for code, name in CASH.items():
            closing = sum(
                (line.closing for line in tb.lines if line.account.code.startswith(code)), ZERO
            )
            if closing < ZERO:
                found.append(
                    {"entity": e, "account": code, "name": name, "balance": amount_str(closing)}
                )
    return found


def month_warnings(entities: list[dict[str, Any]], today: datetime.date) -> list[dict[str, Any]]:
    """Entities with months of this year before the current one still open."""
    if today.month == 1:
        return []
    last = f"{today.year:04d}-{today.month - 1:02d}"
    first = f"{today.year:04d}-01"
    found = []
    for e in entities:
        closed = e.get("closed_through") or ""
        if closed >= last:
            continue
        opening = e.get("opening_date")
        if opening is not None and opening.isoformat()[:7] > last:
            continue  # the books start after those months
        start = max(first, _next_month(closed) if closed else first)
        if opening is not None:
            start = max(start, opening.isoformat()[:7])
        found.append({"entity": e, "from": start, "to": last, "closed": closed})
    return found


def _next_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if m == 12 else f"{year:04d}-{m + 1:02d}"


def arrears_warnings(conn: Connection, user: Principal, today: datetime.date) -> list[dict]:
    townships = {a["code"]: a["township"] for a in queries.list_alliances(conn)}
    found = []
    for code in economy_queries.list_agreements(conn):
        status = economy_queries.agreement_status(conn, code, today)
        if status is None or not sees(user, townships.get(status["alliance_code"], "")):
            continue
        for year in status["by_year"]:
            if Decimal(year["in_arrears"]) > 0:
                found.append(
                    {
                        "agreement": code,
                        "enterprise": status["enterprise_code"],
                        "year": year["year"],
                        "amount": year["in_arrears"],
                        "due": year["payment_due"],
                    }
                )
    return found


def plan_warnings(conn: Connection, user: Principal) -> list[dict[str, Any]]:
    found = []
    for listed in economy_queries.list_plans(conn):
        if listed["state"] not in ("drafted", EXECUTED):
            continue
        plan = economy_queries.plan(conn, listed["code"])
        if plan is None or not sees(user, plan["township"]):
            continue
        done = {s["step"] for s in plan["steps"]}
        if listed["state"] == EXECUTED:
            if RESULT_PUBLISHED in done:
                continue
            step = RESULT_PUBLISHED
        else:
            missing = [s for s in STEPS if s not in done and s != RESULT_PUBLISHED]
            step = missing[0] if missing else "执行"
        found.append({"code": plan["code"], "title": plan["title"], "step": step})
    return found


def last_quarter(today: datetime.date) -> str:
    quarter = (today.month - 1) // 3 + 1
    return f"{today.year - 1}-Q4" if quarter == 1 else f"{today.year}-Q{quarter - 1}"


def sheet_warnings(runtime: Any, entities: list[dict[str, Any]], today: datetime.date) -> dict:
    period = last_quarter(today)
    published = {(s["village_code"], s["period"]) for s in publishing.list_published(runtime)}
    villages = [e for e in entities if e["kind"] == "village"]
    return {
        "period": period,
        "villages": [e for e in villages if (e["code"], period) not in published],
    }


@router.get("/")
def home(request: Request, user: PageUser) -> Response:
    engine = books_engine(request)
    runtime = request.app.state.runtime
    today = runtime.app.today()
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
        warnings = {
            "cash": cash_warnings(conn, entities, today),
            "months": month_warnings(entities, today),
            "arrears": arrears_warnings(conn, user, today),
            "plans": plan_warnings(conn, user),
        }
    warnings["sheets"] = sheet_warnings(runtime, entities, today)
    return page(
        request,
        user,
        "home.html",
        entities=entities,
        waiting=waiting_vouchers(engine, user),
        warnings=warnings,
        today=today,
        year=today.year,
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
