"""Distribution plans (收益分配方案) through 四议两公开, and allocation previews."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from api.responses import AllocationPublic, PlanPublic, PlanSummary
from api.routes.entities import PROBLEMS, described
from api.schemas import (
    ExecutionCreate,
    ExecutionRequestCancel,
    ExecutionRequestCreate,
    PlanCreate,
    RuleDocumentObject,
    StepCreate,
)
from documents import distribution_statement
from domain.plan.commands import (
    CancelExecutionRequest,
    DraftPlan,
    ExecutePlan,
    RecordPlanStep,
    RequestExecution,
)
from ledger.rules import allocate_document
from projections import economy_queries
from projections.people_view import display_actor, display_names
from web.deps import PrincipalDep, ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1", tags=["distribution plans"])

RULE_EXAMPLE = {
    "amount": "186000.00",
    "deductions": [{"name": "管理费", "percent": "2"}],
    "tiers": [
        {"name": "保底收益", "kind": "rate", "basis": "capital", "percent": "6"},
        {
            "name": "按权重分配",
            "kind": "weighted",
            "weights": {"capital": "50", "land": "30", "population": "20"},
        },
    ],
    "parties": [
        {
            "code": "V01",
            "name": "仉家村",
            "bases": {"capital": "600000.00", "land": "500", "population": "1200"},
        },
        {
            "code": "V02",
            "name": "和店村",
            "bases": {"capital": "400000.00", "land": "120", "population": "800"},
        },
        {
            "code": "V03",
            "name": "李孟德村",
            "bases": {"capital": "500000.00", "land": "300", "population": "1000"},
        },
    ],
}


def plan_body(holder: Any, code: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        found = economy_queries.plan(conn, code)
        if found is not None and found["supersedes"]:
            found["corrections"] = distribution_statement.corrections(conn, found)
        if found is not None:  # who, as 经办 shows it (beside the raw actors)
            names = display_names(conn)
            found["drafted_by_name"] = display_actor(found["drafted_by"], names)
            for step in found["steps"]:
                step["actor_name"] = display_actor(step["actor"], names)
            if "execution_request" in found:
                asked = found["execution_request"]
                asked["actor_name"] = display_actor(asked["actor"], names)
    if found is None:
        raise Problem(404, "plan-not-found", f"distribution plan {code} does not exist")
    return found, f"/v1/plans/{code}"


@router.post(
    "/allocation-previews",
    status_code=200,
    responses=described(AllocationPublic),
    summary="Compute a rule document (docs/rules.md) and return the result; nothing is written",
)
def preview(
    principal: PrincipalDep,
    document: Annotated[
        RuleDocumentObject,
        Body(
            openapi_examples={"rule-document": {"summary": "docs/rules.md", "value": RULE_EXAMPLE}}
        ),
    ],
) -> dict[str, Any]:
    return allocate_document(document)


@router.post(
    "/plans",
    status_code=201,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="Draft a plan",
)
def draft(body: PlanCreate, cmd: WriterDep) -> JSONResponse:
    command = DraftPlan(
        code=body.code,
        title=body.title,
        scope=body.scope.kind,
        target=body.scope.code,
        period=body.period,
        as_of=body.as_of,
        amount=body.amount,
        rule=body.rule,
        deduction_accounts=body.deduction_accounts,
        supersedes=body.supersedes,
    )
    return cmd.run(command, lambda code: plan_body(cmd, code))


@router.get("/plans", responses=described(list[PlanSummary]))
def list_plans(reader: ReaderDep) -> list[dict[str, Any]]:
    with reader.runtime.engine.connect() as conn:
        return economy_queries.list_plans(conn)


@router.get("/plans/{code}", responses=described(PlanPublic))
def get_plan(code: str, reader: ReaderDep) -> dict[str, Any]:
    return plan_body(reader, code)[0]


@router.post(
    "/plans/{code}/steps",
    status_code=201,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="Record a step of 四议两公开 (a failed vote rejects the plan)",
)
def record_step(code: str, body: StepCreate, cmd: WriterDep) -> JSONResponse:
    command = RecordPlanStep(
        code=code,
        step=body.step,
        date=body.date,
        details=body.model_dump(exclude={"step", "date"}),
    )
    return cmd.run(command, lambda c: plan_body(cmd, c))


@router.post(
    "/plans/{code}/execution-request",
    status_code=201,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="提请执行: ask for the plan's execution on a date (checked, nothing posted)",
)
def request_execution(code: str, body: ExecutionRequestCreate, cmd: WriterDep) -> JSONResponse:
    """Once 决议公开 is recorded: every payout is checked as the execution would post it
    (income, cash, accounts), nothing is written to the books; another person executes it
    (``POST /v1/plans/{code}/execution`` with the same date)."""
    command = RequestExecution(code=code, date=body.date)
    return cmd.run(command, lambda c: plan_body(cmd, c))


@router.post(
    "/plans/{code}/execution-request/cancellation",
    status_code=200,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="撤回 or 退回 the request to execute the plan, with the reason",
)
def cancel_execution_request(
    code: str, body: ExecutionRequestCancel, cmd: WriterDep
) -> JSONResponse:
    command = CancelExecutionRequest(code=code, reason=body.reason)
    return cmd.run(command, lambda c: plan_body(cmd, c), status=200)


@router.post(
    "/plans/{code}/execution",
    status_code=201,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="Execute the plan another person asked for: post every payout into every book it "
    "touches, in one save",
)
def execute(code: str, body: ExecutionCreate, cmd: WriterDep) -> JSONResponse:
    """On the date asked for (``POST /v1/plans/{code}/execution-request``), by someone other
    than the person who asked (403 ``own-request``); 409 when nobody has asked."""
    cmd.current()  # paid_villages reads the read models (a write before may have left them)
    command = ExecutePlan(
        code=code,
        date=body.date,
        acknowledge_paid_villages=body.acknowledge_paid_villages,
        paid_villages=lambda c: paid_villages(cmd.runtime.engine, c),
    )
    return cmd.run(command, lambda c: plan_body(cmd, c))


def paid_villages(engine: Engine, code: str) -> list[str]:
    """The villages already paid since the alliance plan ``code`` corrects was executed."""
    with engine.connect() as conn:
        return distribution_statement.villages_paid_on(conn, code)


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
DUTIES = {
    ("POST", "/v1/plans"): "plan.prepare",
    ("POST", "/v1/plans/{code}/steps"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution-request"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution-request/cancellation"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution"): "plan.execute",
}
