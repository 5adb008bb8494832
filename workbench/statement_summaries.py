"""报表汇总: a township's or county's villages' 资产负债表 and 收益及收益分配表 added up by 行次
(``documents.statement_summary``, the same content as ``GET /v1/statement-summaries``), shown
with each village's figure, and as XLSX.

- ``GET /statement-summaries?township=&period=`` (or ``county=``): the 汇总 of the villages the
  person sees in that township or county (their townships'; every township for an
  administrator or an auditor); without a scope, the first township they see;
- ``GET /statement-summaries.xlsx?…``: the same as a workbook (``rendering.summary_workbook``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.statement_summary import statement_summary, summary_units
from rendering.summary_workbook import summary_workbook
from workbench.accounts import books_engine, sees, visible_entities
from workbench.ledgers import read_period
from workbench.render import page
from workbench.session import PageUser

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _summary(
    request: Request, user: Any, township: str, county: str, period: str
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(the 汇总 or None, the page's context: scopes to pick, what was asked, an error)."""
    found, problem = read_period(period, request)
    with books_engine(request).connect() as conn:
        villages = [e for e in visible_entities(conn, user) if e["kind"] == "village"]
        townships = sorted({e["township"] for e in villages})
        counties = sorted({e["county"] for e in villages})
        if not township and not county and townships:
            township = townships[0]
        context: dict[str, Any] = {
            "townships": townships,
            "counties": counties,
            "township": township,
            "county": "" if township else county,
            "period": found.text if found else period,
            "error": problem,
        }
        if found is None:
            return None, context
        units = [
            u
            for u in summary_units(conn, township=township, county=county)
            if sees(user, u["township"])
        ]
        if not units:
            context["error"] = f"{township or county or '所选范围'}没有您可查看的村集体，无法汇总"
            return None, context
        scope = {"township": township} if township else {"county": county}
        return statement_summary(conn, units, found, scope=scope), context


@router.get("/statement-summaries")
def summary_page(
    request: Request, user: PageUser, township: str = "", county: str = "", period: str = ""
) -> Response:
    found, context = _summary(request, user, township, county, period)
    status = 200 if found is not None or not context["error"] else 422
    return page(request, user, "statement_summary.html", summary=found, status=status, **context)


@router.get("/statement-summaries.xlsx")
def summary_xlsx(
    request: Request, user: PageUser, township: str = "", county: str = "", period: str = ""
) -> Response:
    found, context = _summary(request, user, township, county, period)
    if found is None:
        return page(request, user, "statement_summary.html", summary=None, status=422, **context)
    where = context["township"] or context["county"]
    name = f"{where}-报表汇总-{found['period']}.xlsx"
    return Response(
        summary_workbook(found),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
