"""结账: the months and years of one entity's books, closed and reopened from the workbench.

- ``GET /periods``: the entities the person sees, each with how far its books are closed;
- ``GET /periods/{entity}?year=``: every month of the year with its state (已结账, 未结账, not
  over yet, before the books open), the vouchers not yet posted that hold a month open (each
  linking to its page), whether the month's trial balance balances, the year's 年终结转, and
  the log of who closed and reopened what, by name; the bank accounts not reconciled for a
  month (``documents.bank_reconciliation.closing_warnings``: a warning, or, where the
  township's setting says so, the reason 结账 will be refused);
- ``POST /periods/{entity}/close`` (``month``): 结账 through the month;
- ``POST /periods/{entity}/reopen`` (``month``, ``reason``, ``new_version_follows``): 反结账 of
  the latest closed month;
- ``POST /periods/{entity}/close-year`` (``year``): 年终结转;
- ``POST /periods/{entity}/reopen-year`` (``year``, ``reason``): reopening a year.

The forms are for the roles with 结账 (``period.close``: 记账/主管); others see the page
without them. Each builds the command of ``domain.books.commands`` the API's routes build and
runs it as the person's (``workbench.render.run_form``), so the log names the person. A refusal
shows the page again with the Chinese reason; a refused 结账 lists the vouchers that hold the
month, each linking to where it is dealt with.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection, and_, select

from documents import publishing
from documents.bank_reconciliation import closing_warnings
from domain.books.closing import SETTLED, UnpostedVouchersError, covering_periods
from domain.books.commands import CloseMonth, CloseYear, ReopenMonth, ReopenYear
from domain.commands import Command
from domain.vouchers import STATUS_LABELS
from projections import queries
from projections.chart_view import year_closings_of
from projections.people_view import display_actor, display_names
from projections.tables import audit_trail
from projections.voucher_view import voucher_list
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

# the events of the log of closings, in Chinese
LOGGED = {
    "MonthClosed": "结账",
    "MonthReopened": "反结账",
    "YearClosed": "年终结转",
    "YearReopened": "重新打开年度",
}
UNPOSTED = tuple(sorted(s for s in STATUS_LABELS if s not in SETTLED))


def _month(year: int, number: int) -> str:
    return f"{year:04d}-{number:02d}"


def month_rows(
    conn: Connection,
    entity: dict[str, Any],
    year: int,
    today: datetime.date,
    unposted: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The twelve months of ``year``: state, the vouchers holding each open, whether its trial
    balance balances (months that are over and open), and which forms apply."""
    closed = entity.get("closed_through") or ""
    opening = entity.get("opening_date")
    first = _month(opening.year, opening.month) if opening is not None else None
    current = _month(today.year, today.month)
    rows = []
    for number in range(1, 13):
        month = _month(year, number)
        row: dict[str, Any] = {"month": month, "label": f"{number}月", "vouchers": []}
        if closed and month <= closed:
            row["state"], row["closed"] = "已结账", True
        elif first is None or month < first:
            row["state"], row["closed"] = "未建账" if first is None else "建账前", False
        elif month >= current:
            row["state"], row["closed"] = "未到期", False
        else:
            row["state"], row["closed"] = "未结账", False
            row["vouchers"] = [v for v in unposted if v["date"][:7] == month]
            tb = queries.trial_balance_for(conn, entity["code"], month, cumulative=True)
            row["balanced"] = tb.is_balanced
        row["closable"] = row["state"] == "未结账"
        row["reopenable"] = bool(closed) and month == closed
        rows.append(row)
    return rows


def default_year(entity: dict[str, Any], today: datetime.date) -> int:
    """The year of the first month still open (the month after 结账至, else the opening
    balances' month), at most this year."""
    closed = entity.get("closed_through")
    opening = entity.get("opening_date")
    if closed:
        year = int(closed[:4]) + (1 if closed[5:] == "12" else 0)
    elif opening is not None:
        year = opening.year
    else:
        year = today.year
    return min(year, today.year)


def closing_log(conn: Connection, code: str, limit: int = 50) -> list[dict[str, Any]]:
    """Who closed and reopened which month and year of ``code``, newest first, by name."""
    names = display_names(conn)
    query = (
        select(audit_trail)
        .where(and_(audit_trail.c.entity == code, audit_trail.c.command.in_(sorted(LOGGED))))
        .order_by(audit_trail.c.position.desc())
        .limit(limit)
    )
    found = []
    for row in conn.execute(query).mappings():
        detail = json.loads(row["detail"])
        found.append(
            {
                "at": row["recorded_at"],
                "what": LOGGED[row["command"]],
                "period": detail.get("month") or detail.get("year") or "",
                "who": display_actor(row["actor"], names),
                "reason": row["reason"] or "",
            }
        )
    return found


def _published_covering(request: Request, code: str, month: str) -> list[str]:
    """The published 三公开 periods of ``code`` containing ``month`` (as the books decide)."""
    periods = set(covering_periods(month))
    return sorted(
        s["period"]
        for s in publishing.list_published(request.app.state.runtime, code)
        if s["period"] in periods
    )


def periods_page(
    request: Request,
    user: Principal,
    code: str,
    year: int | None,
    *,
    error: str | None = None,
    blocking: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> Response:
    engine = books_engine(request)
    today = request.app.state.runtime.app.today()
    with engine.connect() as conn:
        entity = entity_or_none(conn, user, code)
        if entity is None:
            return page(
                request,
                user,
                "periods_index.html",
                entities=[],
                error=f"没有单位 {code}，或您无权查看",
                status=404,
            )
        if year is None:
            year = default_year(entity, today)
        unposted = [
            v
            for v in voucher_list(engine, townships=None, status=UNPOSTED, entity=code, limit=1000)
            if v["date"][:4] == str(year)
        ]
        months = month_rows(conn, entity, year, today, unposted)
        # 结账 warns of the bank accounts not reconciled (refuses, where the township says so)
        warnings = closing_warnings(conn, code, [m["month"] for m in months if m["closable"]])
        for row in months:
            row["bank"] = warnings.get(row["month"], [])
        closings = {c["year"]: c for c in year_closings_of(conn, code)}
        log = closing_log(conn, code)
    latest = entity.get("closed_through")
    sheets = _published_covering(request, code, latest) if latest else []
    this_year = closings.get(year)
    year_closed = this_year is not None and this_year["state"] == "closed"
    next_closed = (closings.get(year + 1) or {}).get("state") == "closed"
    return page(
        request,
        user,
        "periods.html",
        entity=entity,
        year=year,
        months=months,
        latest=latest,
        sheets=sheets,
        year_closing=this_year,
        year_closed=year_closed,
        may_close_year=(
            not year_closed and bool(latest) and latest >= f"{year:04d}-12" and year < today.year
        ),
        may_reopen_year=year_closed and not next_closed,
        log=log,
        error=error,
        blocking=blocking or [],
        labels=STATUS_LABELS,
        bank_refuses=request.app.state.runtime.app.township.choices(
            entity["township"]
        ).bank_reconciled_to_close,
        status=status,
    )


@router.get("/periods")
def periods_index(request: Request, user: PageUser) -> Response:
    engine = books_engine(request)
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
    return page(request, user, "periods_index.html", entities=entities, error=None)


@router.get("/periods/{entity}")
def periods(entity: str, request: Request, user: PageUser, year: str = "") -> Response:
    shown = int(year) if year.isdigit() and 1950 <= int(year) <= 2100 else None
    return periods_page(request, user, entity, shown)


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _year_of(text: str) -> int:
    if not (text.isdigit() and 1950 <= int(text) <= 2100):
        raise FormRefused(f"年度“{text}”写法有误：请写成 2025 的样子", field="year")
    return int(text)


def _blocking(exc: FormRefused) -> list[dict[str, Any]]:
    """The vouchers a refused 结账 named (the domain's refusal carries them)."""
    cause = exc.__cause__
    if not isinstance(cause, UnpostedVouchersError):
        return []
    return [
        {"draft": v.draft, "date": v.date.isoformat(), "summary": v.summary, "status": v.status}
        for v in cause.vouchers
    ]


async def _run(request: Request, user: Principal, entity: str, build: Any) -> Response:
    """Run the command ``build(form)`` makes, as the person's; the page of the form's year
    again on refusal."""
    form = await request.form()
    asked = (_text(form, "month") or _text(form, "year"))[:4]
    year = int(asked) if asked.isdigit() and 1950 <= int(asked) <= 2100 else None
    try:
        require(user, "period.close")
        with books_engine(request).connect() as conn:
            if entity_or_none(conn, user, entity) is None:
                raise FormRefused(f"没有单位 {entity}，或您无权查看", status=404)
        command, shown = build(form)
        return run_form(
            request,
            user,
            dict(form),
            command,
            lambda _: f"/periods/{entity}?year={shown}",
        )
    except FormRefused as exc:
        return periods_page(
            request,
            user,
            entity,
            year,
            error=exc.message,
            blocking=_blocking(exc),
            status=exc.status,
        )


def _month_field(form: Any) -> str:
    month = _text(form, "month")
    if len(month) != 7 or not month[:4].isdigit():
        raise FormRefused(f"月份“{month}”写法有误：请写成 2025-03 的样子", field="month")
    return month


@router.post("/periods/{entity}/close")
async def close_month(entity: str, request: Request, user: FormUser) -> Response:
    def build(form: Any) -> tuple[Command[Any], int]:
        month = _month_field(form)
        return CloseMonth(entity=entity, month=month), int(month[:4])

    return await _run(request, user, entity, build)


@router.post("/periods/{entity}/reopen")
async def reopen_month(entity: str, request: Request, user: FormUser) -> Response:
    def build(form: Any) -> tuple[Command[Any], int]:
        month = _month_field(form)
        reason = _text(form, "reason")
        if not reason:
            raise FormRefused("反结账须写明原因（原因会记录在案）", field="reason")
        follows = _text(form, "new_version_follows") in ("1", "on", "true")
        command = ReopenMonth(
            entity=entity, month=month, reason=reason, new_version_follows=follows
        )
        return command, int(month[:4])

    return await _run(request, user, entity, build)


@router.post("/periods/{entity}/close-year")
async def close_year(entity: str, request: Request, user: FormUser) -> Response:
    def build(form: Any) -> tuple[Command[Any], int]:
        year = _year_of(_text(form, "year"))
        return CloseYear(entity=entity, year=year), year

    return await _run(request, user, entity, build)


@router.post("/periods/{entity}/reopen-year")
async def reopen_year(entity: str, request: Request, user: FormUser) -> Response:
    def build(form: Any) -> tuple[Command[Any], int]:
        year = _year_of(_text(form, "year"))
        reason = _text(form, "reason")
        if not reason:
            raise FormRefused("重新打开年度须写明原因（原因会记录在案）", field="reason")
        return ReopenYear(entity=entity, year=year, reason=reason), year

    return await _run(request, user, entity, build)


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy", "vouchers", "audit", "bank")
