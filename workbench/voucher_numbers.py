"""凭证号 at entry: the number a voucher form shows, and the 凭证字 a clerk may choose.

- :func:`number_of_form`: what a voucher form holds (entity, date, lines, word) → the number it
  would take if it were posted now (``预计 2026年11月 记字第3号``), or the number it has once
  posted; the 凭证字 the lines allow (a choice only where there are two: 收 or 付 for a voucher
  that both receives and pays, in a township that keeps 收/付/转 apart);
- ``GET /numbers/{entity}?date=&word=&debit=&credit=``: the same as JSON for
  ``static/voucher.js``, which asks again as the date, the accounts and their sides change.

Numbers are given when a voucher posts (``domain/books/numbering.py``), so a number shown
before is what it would take as the books now stand: a voucher of the same month and word
posted first takes it, and the form says so.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from domain.books.numbering import NumberAtEntry
from domain.errors import DomainError
from ledger.errors import LedgerError
from workbench.accounts import books_engine, entity_or_none
from workbench.session import PageUser

router = APIRouter()

NOTE = "记账时给号：同月同字的凭证按记账先后编号"


def shown(found: NumberAtEntry | None, chosen: str | None = None) -> dict[str, Any]:
    """A number as the form shows it: ``text`` (its label, 预计 before it is posted), the
    stored ``number``, the ``words`` the lines allow and whether the clerk ``choose``s."""
    if found is None or found.number is None:
        return {"text": "—", "number": "", "words": [], "choose": False, "chosen": "", "note": ""}
    choose = not found.posted and len(found.words) > 1
    return {
        "text": found.label if found.posted else f"预计 {found.label}",
        "number": found.number,
        "words": list(found.words),
        "choose": choose,
        "chosen": chosen if choose and chosen in found.words else "",
        "note": "" if found.posted else NOTE,
    }


def _rows(lines: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The accounts and sides of a form's lines (a line with a debit amount is a debit)."""
    rows = []
    for line in lines:
        account = str(line.get("account") or "").strip()
        if not account:
            continue
        debit = str(line.get("debit") or "").strip()
        side = "debit" if debit and debit not in ("0", "0.00") else "credit"
        rows.append({"account": account, "side": side})
    return rows


def number_of_form(
    app: Any, entity: str | None, date: str, lines: Iterable[Mapping[str, Any]], word: str | None
) -> dict[str, Any]:
    """The number a voucher form holding these values would take now (``shown``)."""
    if not entity:
        return shown(None)
    rows = _rows(lines)
    try:
        day = datetime.date.fromisoformat(date.strip())
        found = app.books.number_at_entry(entity=entity, date=day, postings=rows, word=word or None)
    except (ValueError, DomainError, LedgerError):
        return shown(None)
    if not rows and found.words == ("转",):  # 收, 付 or 转: not known before the lines are
        return {**shown(found), "text": f"预计 {day.year}年{day.month}月（凭证字按分录确定）"}
    return shown(found, word)


def number_of_voucher(app: Any, voucher: Mapping[str, Any]) -> dict[str, Any]:
    """The number a voucher of the read model has, or would take if it were posted now."""
    if voucher.get("posted_number"):
        return shown(NumberAtEntry.of_posted(voucher["entity"], voucher["posted_number"]))
    try:
        found = app.vouchers.number_at_entry(app.vouchers.get_voucher(voucher["draft"]))
        chosen = app.vouchers.get_voucher(voucher["draft"]).word
    except (DomainError, LedgerError):
        return shown(None)
    return shown(found, chosen)


@router.get("/numbers/{entity}")
def next_number(
    entity: str,
    request: Request,
    user: PageUser,
    debit: Annotated[list[str] | None, Query()] = None,
    credit: Annotated[list[str] | None, Query()] = None,
    date: str = "",
    word: str = "",
) -> JSONResponse:
    with books_engine(request).connect() as conn:
        if entity_or_none(conn, user, entity) is None:
            return JSONResponse({"detail": f"没有单位 {entity}，或您无权查看"}, status_code=404)
    lines = [{"account": a[:40], "debit": "1"} for a in (debit or [])[:100]]
    lines += [{"account": a[:40], "debit": ""} for a in (credit or [])[:100]]
    app = request.app.state.runtime.app
    return JSONResponse(number_of_form(app, entity, date[:20], lines, word[:2] or None))


# What this page family's paths read (web.views): the entity in the ledger read model; the
# number from the books themselves
READ_MODELS = ("ledger",)
DUTIES: dict[tuple[str, str], str] = {}
