"""Financial plans (财务计划): a book's plan for a year proposed, revised and approved through
四议两公开, compared with the books, and the warnings of a voucher that passes a line."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from api.routes.entities import PROBLEMS, described
from api.routes.vouchers import DraftPath, draft_key
from api.schemas.budgets import (
    BudgetWarningPublic,
    FinancialPlanComparison,
    FinancialPlanCreate,
    FinancialPlanPublic,
    FinancialPlanRevision,
    FinancialPlanStepCreate,
    FinancialPlanSummary,
)
from api.schemas.common import Code
from documents.budget import comparison
from documents.budget_warnings import next_step, voucher_warnings
from domain.bounds import MONTH_PATTERN
from domain.budget import STATE_ZH
from domain.budget.commands import (
    ProposeFinancialPlan,
    RecordFinancialPlanStep,
    ReviseFinancialPlan,
)
from ledger.money import amount_str, fen_text
from projections.budget_queries import plan_list, plan_of, versions_in_force
from projections.voucher_view import voucher_detail
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1", tags=["financial plans"])

YearPath = Annotated[int, Path(ge=2000, le=2100, description="the plan's year")]


def _plain(value: Any) -> Any:
    """Dates as ISO text, recursively (the answer of a write is JSON as it is)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def plan_body(holder: Any, entity: str, year: int) -> tuple[dict[str, Any], str]:
    """The plan with every version (lines, steps), the version in force today and what it
    waits for; 404 when there is none."""
    today = holder.runtime.app.today()
    with holder.runtime.engine.connect() as conn:
        found = plan_of(conn, entity, year)
        in_force = versions_in_force(conn, [entity], year, today).get(entity)
    if found is None:
        raise Problem(
            404,
            "financial-plan-not-found",
            f"{entity} has no financial plan for {year}",
            zh=f"{entity} 没有 {year} 年的财务计划",
        )
    versions = []
    for v in found["versions"]:
        versions.append(
            {
                **v,
                "state_name": STATE_ZH.get(v["state"], v["state"]),
                "lines": [
                    {
                        "name": line["name"],
                        "kind": line["kind"],
                        "accounts": line["accounts"],
                        "amount": fen_text(line["amount_fen"]),
                    }
                    for line in v["lines"]
                ],
            }
        )
    latest = found["versions"][-1]
    waiting = next_step(
        {"state": latest["state"], "steps": {s["step"] for s in latest["steps"]}, "year": year},
        today,
    )
    body = {
        "entity": entity,
        "year": year,
        "latest": found["latest"],
        "in_force": None if in_force is None else in_force["version"],
        "next_step": waiting,
        "versions": versions,
    }
    return _plain(body), f"/v1/budgets/{entity}/{year}"


@router.post(
    "/budgets",
    status_code=201,
    response_model=FinancialPlanPublic,
    responses=PROBLEMS,
    summary="编制: propose a book's financial plan for a year (its first version)",
)
def propose(body: FinancialPlanCreate, cmd: WriterDep) -> JSONResponse:
    command = ProposeFinancialPlan(
        entity=body.entity,
        year=body.year,
        lines=[line.model_dump() for line in body.lines],
        proposed_on=body.proposed_on,
        note=body.note,
    )
    return cmd.run(command, lambda _: plan_body(cmd, body.entity, body.year))


@router.get(
    "/budgets",
    responses=described(list[FinancialPlanSummary]),
    summary="The financial plans, of one book or one year when asked",
)
def list_plans(
    reader: ReaderDep,
    entity: Annotated[Code | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[dict[str, Any]]:
    today = reader.runtime.app.today()
    with reader.runtime.engine.connect() as conn:
        rows = plan_list(conn, None if entity is None else [entity], year)
    keys = ("entity", "name", "township", "year", "latest", "state", "proposed_on", "approved_on")
    return [{**{k: r[k] for k in keys}, "next_step": next_step(r, today)} for r in rows]


@router.get("/budgets/{entity}/{year}", responses=described(FinancialPlanPublic))
def get_plan(entity: Code, year: YearPath, reader: ReaderDep) -> dict[str, Any]:
    return plan_body(reader, entity, year)[0]


@router.post(
    "/budgets/{entity}/{year}/revisions",
    status_code=201,
    response_model=FinancialPlanPublic,
    responses=PROBLEMS,
    summary="调整: revise the plan by a new version with its reason (the earlier ones kept)",
)
def revise(
    entity: Code, year: YearPath, body: FinancialPlanRevision, cmd: WriterDep
) -> JSONResponse:
    """Once the latest version is rejected, or approved and its 决议 published; the new
    version goes through 四议两公开 again, the earlier one stays in force until its 决议."""
    command = ReviseFinancialPlan(
        entity=entity,
        year=year,
        lines=[line.model_dump() for line in body.lines],
        proposed_on=body.proposed_on,
        reason=body.reason,
        note=body.note,
    )
    return cmd.run(command, lambda _: plan_body(cmd, entity, year))


@router.post(
    "/budgets/{entity}/{year}/steps",
    status_code=201,
    response_model=FinancialPlanPublic,
    responses=PROBLEMS,
    summary="Record a step of 四议两公开 of the latest version (a failed vote rejects it)",
)
def record_step(
    entity: Code, year: YearPath, body: FinancialPlanStepCreate, cmd: WriterDep
) -> JSONResponse:
    command = RecordFinancialPlanStep(
        entity=entity,
        year=year,
        step=body.step,
        date=body.date,
        version=body.version,
        details=body.model_dump(exclude={"step", "date", "version"}),
    )
    return cmd.run(command, lambda _: plan_body(cmd, entity, year))


@router.get(
    "/budgets/{entity}/{year}/comparison",
    responses=described(FinancialPlanComparison),
    summary="The plan against the books: each month from January, the year to date, %",
)
def get_comparison(
    entity: Code,
    year: YearPath,
    reader: ReaderDep,
    through: Annotated[
        str | None,
        Query(pattern=MONTH_PATTERN, description="the last month read (YYYY-MM) of the year"),
    ] = None,
) -> dict[str, Any]:
    """The version compared is the one in force at the end of ``through`` (by default this
    month for this year, December for a past year)."""
    if through is not None and not through.startswith(f"{year:04d}-"):
        raise Problem(
            422,
            "validation",
            f"through {through} is not a month of {year}",
            field="through",
            zh=f"{through} 不是 {year} 年的月份",
        )
    with reader.runtime.engine.connect() as conn:
        found = comparison(conn, entity, year, through, reader.runtime.app.today())
    if found is None:
        raise Problem(
            404,
            "financial-plan-not-found",
            f"{entity} has no financial plan for {year}",
            zh=f"{entity} 没有 {year} 年的财务计划",
        )
    return found


@router.get(
    "/vouchers/{draft}/budget-warnings",
    responses=described(list[BudgetWarningPublic]),
    summary="The expense lines of the financial plan a voucher takes past their plan (a "
    "warning, never a refusal)",
)
def warnings_of(draft: DraftPath, reader: ReaderDep) -> list[dict[str, Any]]:
    engine = reader.runtime.engine
    found = voucher_detail(engine, draft_key(draft))
    if found is None:
        raise Problem(
            404, "voucher-not-found", f"there is no voucher {draft}", zh=f"凭证 {draft} 不存在"
        )
    day = found["date"]
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    with engine.connect() as conn:
        over = voucher_warnings(
            conn, found["entity"], day, found["lines"], posted=found.get("posted_number")
        )
    return [
        {
            "entity": w.entity,
            "year": w.year,
            "version": w.version,
            "line": w.line,
            "plan": amount_str(w.plan),
            "used": amount_str(w.used),
            "after": amount_str(w.after),
            "over": amount_str(w.over),
            "text": w.text,
        }
        for w in over
    ]


# What this router's paths read (web.views) and the duties of its writes (web.duties); a
# voucher's warnings read the voucher and the books as its other paths do (the plan's rows are
# read as they stand: a warning, not an answer that waits for them)
READ_MODELS = ("ledger", "budget")
READ_MODELS_OF_PATHS = {"/v1/vouchers/{draft}/budget-warnings": ("ledger", "vouchers")}
DUTIES = {
    ("POST", "/v1/budgets"): "plan.prepare",
    ("POST", "/v1/budgets/{entity}/{year}/revisions"): "plan.prepare",
    ("POST", "/v1/budgets/{entity}/{year}/steps"): "plan.prepare",
}
