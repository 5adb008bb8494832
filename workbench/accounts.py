"""The books a person sees, and the account picker of the voucher form.

- ``books_engine(request)``: the read models brought up to date for a page (as the API's reads
  do: caught up in the request, or waited for in worker mode) and the engine to read them;
- ``visible_entities(conn, user)``: the villages and joint entities of the person's townships
  (every one for an admin or an auditor);
- ``GET /accounts/{entity}?q=``: the entity's open accounts (those an entry may post to)
  matching a code prefix, a name substring or the name's pinyin initials (``yhck`` finds
  银行存款); an HTML fragment (``<li role="option">``) or, with ``format=json`` or
  ``Accept: application/json``, a JSON list for ``static/voucher.js``.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from sqlalchemy import Connection, Engine

from projections import queries
from projections.chart_view import account_listing
from web.deps import read_models
from web.tokens import Principal
from workbench.session import PageUser

router = APIRouter()

SEES_EVERYTHING = frozenset({"admin", "auditor"})


def books_engine(request: Request) -> Engine:
    """The read models caught up for this page; the engine to read them from."""
    return read_models(request, request.app.state.runtime)


def sees(user: Principal, township: str) -> bool:
    """Whether ``user`` sees the books of ``township`` in the workbench."""
    return user.role in SEES_EVERYTHING or township in user.townships


def visible_entities(conn: Connection, user: Principal) -> list[dict[str, Any]]:
    """The villages and joint entities the person keeps (their townships'; all for admin and
    auditor), in code order."""
    return [e for e in queries.list_entities(conn) if sees(user, e["township"])]


def entity_or_none(conn: Connection, user: Principal, code: str) -> dict[str, Any] | None:
    """The entity ``code`` when it exists and ``user`` sees it."""
    found = queries.entity(conn, code)
    if found is None or not sees(user, found["township"]):
        return None
    return found


# -- pinyin initials, cached per chart ---------------------------------------------------------

_initials_lock = threading.Lock()
_initials: dict[str, tuple[tuple[tuple[str, str], ...], dict[str, str]]] = {}


def initials_of(name: str) -> str:
    """``银行存款`` → ``yhck`` (letters and digits of the name kept as they are)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def chart_initials(entity: str, accounts: list[dict[str, Any]]) -> dict[str, str]:
    """Code → pinyin initials of the names of ``entity``'s accounts; computed once per chart
    (again only when an account is opened or renamed)."""
    key = tuple((a["code"], a["name"]) for a in accounts)
    with _initials_lock:
        cached = _initials.get(entity)
        if cached is not None and cached[0] == key:
            return cached[1]
    computed = {code: initials_of(name) for code, name in key}
    with _initials_lock:
        _initials[entity] = (key, computed)
    return computed


def open_accounts(conn: Connection, entity: str) -> list[dict[str, Any]]:
    """The accounts of ``entity`` an entry may post to (chart accounts without sub-accounts and
    every open sub-account), with their balances."""
    return [a for a in account_listing(conn, entity) if a["postable"]]


def search_accounts(
    accounts: list[dict[str, Any]], initials: dict[str, str], q: str, limit: int = 30
) -> list[dict[str, Any]]:
    """Accounts whose code starts with ``q``, whose name contains it, or whose pinyin initials
    start with (or contain) it; code matches first."""
    q = q.strip()
    if not q:
        return accounts[:limit]
    lowered = q.lower()
    by_code = [a for a in accounts if a["code"].lower().startswith(lowered)]
    rest = [
        a
        for a in accounts
        if a not in by_code and (q in a["name"] or lowered in initials.get(a["code"], ""))
    ]
    rest.sort(key=lambda a: (not initials.get(a["code"], "").startswith(lowered), a["code"]))
    return (by_code + rest)[:limit]


@router.get("/accounts/{entity}")
def pick_account(
    entity: str, request: Request, user: PageUser, q: str = "", format: str = ""
) -> Response:
    engine = books_engine(request)
    with engine.connect() as conn:
        if entity_or_none(conn, user, entity) is None:
            return JSONResponse({"detail": f"没有单位 {entity}，或您无权查看"}, status_code=404)
        accounts = open_accounts(conn, entity)
    found = search_accounts(accounts, chart_initials(entity, accounts), q)
    rows = [
        {
            "code": a["code"],
            "name": a["name"],
            "balance": a["balance"],
            "normal_side": a["normal_side"],
        }
        for a in found
    ]
    if format == "json" or "application/json" in request.headers.get("accept", ""):
        return JSONResponse(rows)
    items = (
        "".join(
            f'<li role="option" data-code="{escape(r["code"])}" data-name="{escape(r["name"])}">'
            f"<b>{escape(r['code'])}</b> {escape(r['name'])}</li>"
            for r in rows
        )
        or '<li class="muted">没有找到科目</li>'
    )
    return HTMLResponse(f'<ul class="picker" role="listbox">{items}</ul>')


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
