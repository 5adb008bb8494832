"""Public pages (no token): the published disclosure sheets and the distribution statements of
plans whose resolution has been made public (决议公开), as HTML, PDF and XLSX.

Every published sheet has a stable URL per version; ``/public/sheets/{village}/{period}`` shows
the latest. Only published content is served here; nothing is computed for the public."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from documents import publishing
from documents.distribution_statement import STATE_NAMES, distribution_statement
from documents.sheet_changes import sheet_changes
from domain.periods import parse_period
from projections import economy_queries, household_lookup, queries
from rendering.render import (
    household_html,
    index_html,
    pdf,
    plan_html,
    qr_svg,
    sheet_html,
    sheet_xlsx,
)
from web.deps import public_runtime
from web.problems import Problem

router = APIRouter(prefix="/public", tags=["public pages (三公开)"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fresh_runtime(request: Request) -> Any:
    # caught up (or waited for ?min_position=), on the replica of LIANZHANG_READ_URL if set
    return public_runtime(request)


def origin(request: Request) -> str:
    """Scheme and host the page was asked for: the QR code printed on it points there."""
    return str(request.base_url).rstrip("/")


def scanned(request: Request, digest: str) -> bool | None:
    """Whether the digest in the URL (a scanned QR code) is this page's; None without one."""
    given = request.query_params.get("digest")
    return None if given is None else given == digest


def plan_check(request: Request, statement: dict[str, Any]) -> dict[str, Any]:
    """The QR code of a plan's statement (its URL with the digest of its rule and result,
    which never change) and whether it is still in force."""
    digest = statement["digest"]
    code = statement["code"]
    newer = statement["superseded_by"]
    return {
        "qr": qr_svg(f"{origin(request)}/public/plans/{code}?digest={digest}"),
        "what": "方案摘要（SHA-256，规则与结果）",
        "digest": digest,
        "scanned": scanned(request, digest),
        "latest": newer is None,
        "latest_url": f"/public/plans/{newer}" if newer else None,
        "newer": f"本方案已被方案 {newer} 更正。" if newer else "",
    }


def public_plan(runtime: Any, code: str) -> dict[str, Any]:
    with runtime.engine.connect() as conn:
        if code not in economy_queries.public_plan_codes(conn):
            raise Problem(404, "not-public", f"plan {code} has not been made public")
        found = distribution_statement(conn, code)
    assert found is not None
    return found


@router.get("", response_class=HTMLResponse, summary="Index of published sheets and plans")
def index(request: Request) -> str:
    runtime = fresh_runtime(request)
    with runtime.engine.connect() as conn:
        public = economy_queries.public_plan_codes(conn)
        plans = [p for p in economy_queries.list_plans(conn) if p["code"] in public]
        sheets = publishing.list_published(runtime)
        codes = {s["village_code"] for s in sheets} | {p["payer"] for p in plans}
        names = {code: (queries.entity(conn, code) or {}).get("name", code) for code in codes}
    latest: dict[tuple[str, str], int] = {}
    for s in sheets:
        key = (s["village_code"], s["period"])
        latest[key] = max(latest.get(key, 0), s["version"])
    for s in sheets:
        s["village"] = names[s["village_code"]]
        s["period_words"] = period_words(s["period"])
        s["latest"] = latest[(s["village_code"], s["period"])]
    for p in plans:
        p["payer_name"] = names[p["payer"]]
        p["state_name"] = STATE_NAMES.get(p["state"], p["state"])
    return index_html(sheets, plans)


@router.get(
    "/households",
    response_class=HTMLResponse,
    summary="Find my household: its lines across the public plans (needs its short code)",
)
def household(
    request: Request, village: str = "", number: str = "", code: str = ""
) -> HTMLResponse:
    runtime = fresh_runtime(request)
    number = number.strip().upper()
    with runtime.engine.connect() as conn:
        villages = [
            {"code": v, "name": (queries.entity(conn, v) or {}).get("name", v)}
            for v in sorted(
                {p["payer"] for p in economy_queries.list_plans(conn) if p["scope"] == "village"}
            )
        ]
        names = {v["code"]: v["name"] for v in villages}
        lines = None
        refused = False
        if village and number:
            # the same answer for a wrong code and for a household that does not exist
            if code and household_lookup.code_matches(runtime.signer, village, number, code):
                lines = household_lookup.household_lines(conn, village, number)
            else:
                refused = True
    body = household_html(
        villages=villages,
        village=village,
        village_name=names.get(village, village),
        number=number,
        lines=lines,
        refused=refused,
    )
    return HTMLResponse(body, status_code=403 if refused else 200)


def period_words(period: str) -> str:
    """2025 → 2025年, 2026-Q1 → 2026年第1季度, 2026-03 → 2026年3月."""
    year, _, part = period.partition("-")
    if not part:
        return f"{year}年"
    if part.startswith("Q"):
        return f"{year}年第{part[1:]}季度"
    return f"{year}年{int(part)}月"


@router.get(
    "/plans/{code}.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "the plan's statement as PDF",
        }
    },
)
def plan_pdf(code: str, request: Request) -> Response:
    statement = public_plan(fresh_runtime(request), code)
    body = pdf(plan_html(statement, check=plan_check(request, statement)))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{code}.pdf"'},
    )


# Registered after /plans/{code}.pdf: Starlette tries routes in order and {code} would match
# "P2025-V03.pdf" too, so the HTML route answered every PDF with a 404.
@router.get("/plans/{code}", response_class=HTMLResponse)
def plan_page(code: str, request: Request) -> str:
    statement = public_plan(fresh_runtime(request), code)
    return plan_html(statement, check=plan_check(request, statement))


def _sheet(request: Request, village: str, period: str, version: int | None) -> dict[str, Any]:
    parse_period(period)  # 2025, 2025-Q1 or 2025-03, else a 422 invalid-period
    found = publishing.published(fresh_runtime(request), village, period, version)
    if found is None:
        which = f"version {version} of " if version else ""
        raise Problem(
            404,
            "sheet-not-found",
            f"{which}the sheet of {village} for {period} has not been published",
        )
    return found


@router.get(
    "/sheets/{village}/{period}",
    status_code=307,
    response_class=RedirectResponse,
    responses={
        307: {
            "description": "to the latest version, /public/sheets/{village}/{period}/v{N}",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
    },
    summary="The latest published version",
)
def latest(village: str, period: str, request: Request) -> RedirectResponse:
    found = _sheet(request, village, period, None)
    return RedirectResponse(f"/public/sheets/{village}/{period}/v{found['version']}", 307)


def superseded(runtime: Any, codes: set[str]) -> dict[str, str]:
    """Of these plans, those corrected by a later plan: code → the correcting plan's code."""
    if not codes:
        return {}
    from sqlalchemy import select

    from projections.tables import plans

    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(plans.c.code, plans.c.superseded_by).where(
                plans.c.code.in_(sorted(codes)), plans.c.superseded_by.is_not(None)
            )
        ).all()
    return {code: by for code, by in rows}


def _split(version: str) -> tuple[int, str]:
    name, _, suffix = version.partition(".")
    if not name.startswith("v") or not name[1:].isdigit() or suffix not in ("", "pdf", "xlsx"):
        raise Problem(404, "sheet-not-found", f"{version} is not a version such as v1 or v1.pdf")
    return int(name[1:]), suffix


@router.get(
    "/sheets/{village}/{period}/{version}",
    response_class=HTMLResponse,
    responses={
        200: {
            "description": "v1: the page; v1.pdf: the PDF; v1.xlsx: the workbook",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
    summary="One version: v1, v1.pdf, v1.xlsx",
)
def sheet(village: str, period: str, version: str, request: Request) -> Response:
    number, suffix = _split(version)
    found = _sheet(request, village, period, number)
    meta = {
        "version": found["version"],
        "digest": found["digest"],
        "replaces": found["replaces"],
        "reason": found.get("reason") or "",
    }
    base = f"/public/sheets/{village}/{period}/v{number}"
    name = f"{village}-{period}-v{number}"
    latest = publishing.latest_version(fresh_runtime(request), village, period) or number
    # the QR code: this version's public URL with its digest; opened, the page says whether
    # the digest is its own and whether a later version has replaced it
    checked = None if suffix else scanned(request, found["digest"])
    check = {
        "url": f"{origin(request)}{base}?digest={found['digest']}",
        "what": "内容摘要（SHA-256）",
        "digest": found["digest"],
        "scanned": checked,
        "latest": latest == number,
        "latest_url": f"/public/sheets/{village}/{period}/v{latest}",
        "newer": f"本版已被第 {latest} 版更正，内容以最新版为准。" if latest != number else "",
    }
    # A published version never changes and its digest (SHA-256 of its content) names it: what
    # is rendered from it is kept per (digest, what, where, latest, scanned) and served again.
    # plans on the sheet corrected since it was published: marked 已被更正 where they appear
    plans_on_sheet = {d["plan"] for d in found["content"].get("distributions", [])}
    corrected = superseded(fresh_runtime(request), plans_on_sheet)
    key = (
        found["digest"],
        found["replaces"],
        suffix,
        base,
        check["url"],
        latest,
        checked,
        tuple(sorted(corrected.items())),
    )
    body = _rendered.get(key)
    if body is None:
        check["qr"] = qr_svg(check["url"])
        # a correction: what changed from the version it replaces, item by item, computed here
        # from the two stored contents (never stored: the published digests stay as they were)
        changes = None
        if found["replaces"]:
            before = publishing.published(
                fresh_runtime(request), village, period, found["replaces"]
            )
            if before is not None:
                changes = sheet_changes(before["content"], found["content"])
        html = sheet_html(
            found["content"],
            version=meta,
            base=base,
            check=check,
            corrected=corrected,
            changes=changes,
        )
        if suffix == "pdf":
            body = pdf(html)
        elif suffix == "xlsx":
            body = sheet_xlsx(found["content"], version=meta, changes=changes)
        else:
            body = html.encode("utf-8")
        _rendered.put(key, body)
    if suffix == "pdf":
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
        )
    if suffix == "xlsx":
        return Response(
            body,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return HTMLResponse(body)


class _Rendered:
    """A small LRU of rendered published versions (bytes), shared by a process's threads."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.kept:
                self.items.popitem(last=False)


_rendered = _Rendered(256)


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
