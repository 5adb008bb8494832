"""设置: a township's own choices (``domain.township``), read by everyone who works in it and
changed by its 记账/主管 (``settings.choose``).

- ``GET /settings``: each township the person works in (every township with books, for an
  administrator or auditor) with how its vouchers are numbered, its 凭证字 and whether 审核
  posts at once;
- ``POST /settings/{township}`` (``numbering``, ``words``, ``review_posts``,
  ``bank_reconciled_to_close``: whether 结账 waits for the bank accounts to be reconciled):
  the choice, recorded with who made it (the command the API's
  ``POST /v1/townships/{township}/settings`` builds);
- ``POST /settings/{township}/signers`` (``supervisor``, ``cashier:CODE`` for each set of
  books): who signs the printed vouchers besides the workflow's people — the 会计主管 and each
  set of books' 出纳 (``NameSigners``, as ``POST /v1/townships/{township}/signers``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.township import NUMBERINGS, WORDS
from domain.township.commands import ChooseSettings, NameSigners
from web.tokens import Principal
from workbench.accounts import books_engine, sees, visible_entities
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()


def _townships(request: Request, user: Principal) -> list[str]:
    with books_engine(request).connect() as conn:
        known = {e["township"] for e in visible_entities(conn, user)}
    return sorted(known | {t for t in user.townships if sees(user, t)})


def _check_township(request: Request, user: Principal, township: str) -> None:
    """A township the person does not work in is not found (404, not named: as every page of
    another township's objects, ``workbench.scope``); one they only read is 403."""
    if township not in _townships(request, user):
        raise FormRefused("找不到这个乡镇，或您不在该乡镇工作", status=404)
    if not user.may_write_in(township):
        raise FormRefused("您不能修改这个乡镇的设置", status=403)


def _entities(request: Request, user: Principal, township: str) -> list[dict[str, Any]]:
    with books_engine(request).connect() as conn:
        return [e for e in visible_entities(conn, user) if e["township"] == township]


def settings_page(
    request: Request,
    user: Principal,
    *,
    error: str | None = None,
    field: str | None = None,
    status: int = 200,
) -> Response:
    app = request.app.state.runtime.app
    rows = [
        {
            "township": t,
            "choices": app.township.choices(t),
            "entities": _entities(request, user, t),
        }
        for t in _townships(request, user)
    ]
    return page(
        request,
        user,
        "settings.html",
        rows=rows,
        numberings=NUMBERINGS,
        words=WORDS,
        error=error,
        field=field,
        status=status,
    )


@router.get("/settings")
def settings(request: Request, user: PageUser) -> Response:
    return settings_page(request, user)


@router.post("/settings/{township}")
async def choose(township: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    try:
        require(user, "settings.choose")
        _check_township(request, user, township)
        numbering = str(form.get("numbering") or "")
        review = str(form.get("review_posts") or "")
        if review not in ("0", "1"):
            raise FormRefused("请选择审核与记账的方式", field="review_posts")
        words = str(form.get("words") or "") or None  # left out: as they are
        bank = str(form.get("bank_reconciled_to_close") or "")  # left out: as it is
        command = ChooseSettings(
            township=township,
            numbering=numbering,
            review_posts=review == "1",
            words=words,
            bank_reconciled_to_close=None if bank not in ("0", "1") else bank == "1",
        )
        return run_form(request, user, dict(form), command, lambda _: "/settings")
    except FormRefused as exc:
        return settings_page(request, user, error=exc.message, field=exc.field, status=exc.status)


@router.post("/settings/{township}/signers")
async def name_signers(township: str, request: Request, user: FormUser) -> Response:
    form = await request.form()
    try:
        require(user, "settings.choose")
        _check_township(request, user, township)
        cashiers = tuple(
            (e["code"], str(form.get(f"cashier:{e['code']}") or "").strip())
            for e in _entities(request, user, township)
        )
        command = NameSigners(
            township=township,
            supervisor=str(form.get("supervisor") or "").strip(),
            cashiers=cashiers,
        )
        return run_form(request, user, dict(form), command, lambda _: "/settings")
    except FormRefused as exc:
        return settings_page(request, user, error=exc.message, field=exc.field, status=exc.status)


# What this page family's paths read (web.views)
READ_MODELS: tuple[str, ...] = ("ledger",)
DUTIES: dict[tuple[str, str], str] = {}
