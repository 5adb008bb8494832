"""三公开 (``/disclosure``): preview the draft sheet of a village or the joint entity (联合社,
which has its own sheet) and a period (what ``GET
/v1/villages/{v}/disclosures/{period}/draft`` answers, rendered as the public page renders it),
publish it (记账/主管; ``documents.publishing.publish_sheet`` as ``POST
/v1/villages/{v}/disclosures``), and the published versions with links to their ``/public``
pages (HTML, PDF, XLSX)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from documents import publishing
from domain.disclosure.commands import PublishSheet
from domain.periods import parse_period
from rendering.render import sheet_html
from web import security
from web.tokens import Principal
from workbench import scope
from workbench.registers import (
    day,
    engine_of,
    entities,
    form_of,
    missing,
    text,
    today,
)
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()


def _quarter(request: Request) -> str:
    on = today(request)
    return f"{on.year}-Q{(on.month - 1) // 3 + 1}"


def _index_context(
    request: Request, user: Principal, village: str = "", period: str = ""
) -> dict[str, Any]:
    engine = engine_of(request)
    runtime = request.app.state.runtime
    shown = entities(engine, user)  # the villages and the joint entities: each has a sheet
    codes = {e["code"] for e in shown}
    return {
        "villages": shown,
        "published": [s for s in publishing.list_published(runtime) if s["village_code"] in codes],
        "village": village,
        "period": period or _quarter(request),
        "today": today(request),
    }


@router.get("/disclosure")
def index(request: Request, user: PageUser, village: str = "", period: str = "") -> Response:
    context = _index_context(request, user, village, period)
    problem = None
    if village:
        try:
            parse_period(context["period"])
            if not any(e["code"] == village for e in context["villages"]):
                raise LookupError(village)  # none, or another township's
        except Exception:
            problem = "请选择村或联合社，并把期间写成 2025、2025-Q1 或 2025-03"
    return page(
        request, user, "disclosure_index.html", form={}, error=None, problem=problem, **context
    )


@router.get("/disclosure/{village}/{period}/draft")
def draft(request: Request, user: PageUser, village: str, period: str) -> Response:
    """The draft sheet as the public page would show it (marked 草稿, nothing written)."""
    if not _sees(request, user, village, period):
        return HTMLResponse("<p>没有这个村、联合社或期间</p>", status_code=404)
    content = publishing.draft_sheet(
        request.app.state.runtime,
        village,
        period,
        checked_by=[],
        checked_on=today(request),
        opinion="",
    )
    # shown in the 三公开 page's <iframe>: framed by this site's own pages only
    return HTMLResponse(sheet_html(content), headers=security.SAME_ORIGIN_FRAME)


def _sees(request: Request, user: Principal, village: str, period: str) -> bool:
    """A period, and a village or joint entity ``user`` sees (not another township's)."""
    try:
        parse_period(period)
    except Exception:
        return False
    with engine_of(request).connect() as conn:
        return scope.sees_entity(conn, user, village)


@router.post("/disclosure/{village}/{period}/publish")
async def publish(request: Request, user: FormUser, village: str, period: str) -> Response:
    form = await form_of(request)
    form["which"] = "publish"
    runtime = request.app.state.runtime
    if not _sees(request, user, village, period):  # before anything is run or shown
        return missing(request, user, f"{village} {period} 的公开表")

    def command() -> PublishSheet:
        checked_by = [
            n.strip()
            for n in text(form, "checked_by").replace("，", "、").replace(",", "、").split("、")
            if n.strip()
        ]
        if not checked_by:
            raise FormRefused("请填写审核的民主理财小组成员（用顿号分开）", field="checked_by")
        return PublishSheet(  # the period was read by _sees
            code=village,
            period=period,
            checked_by=tuple(checked_by),
            checked_on=day(form, "checked_on", "审核日期"),
            opinion=text(form, "opinion"),
            reason=text(form, "reason"),
            sheets=publishing.SheetMaker(runtime),
        )

    try:
        require(user, "sheet.publish")
        return run_form(
            request,
            user,
            form,
            command(),
            lambda v: f"/disclosure?village={village}&period={period}&published={v['version']}",
        )
    except FormRefused as refused:
        return page(
            request,
            user,
            "disclosure_index.html",
            status=refused.status,
            error=refused,
            form=form,
            problem=None,
            **_index_context(request, user, village, period),
        )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy", "assets", "resources")  # a sheet's 三资 parts
