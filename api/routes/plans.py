"""Distribution plans (收益分配方案) through 四议两公开, and allocation previews."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from api.responses import AllocationPublic, PlanPublic, PlanSummary
from api.routes.entities import PROBLEMS, described
from api.schemas import ExecutionCreate, PlanCreate, RuleDocumentObject, StepCreate
from documents import distribution_statement
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
    if found is None:
        raise Problem(404, "plan-not-found", f"distribution plan {code} does not exist")
    return found, f"/v1/plans/{code}"


@router.post(
    "/allocation-previews",
    status_code=200,
    responses=described(AllocationPublic),
    summary="Compute a RULES.md document and return the result; nothing is written",
)
def preview(
    principal: PrincipalDep,
    document: Annotated[
        RuleDocumentObject,
        Body(openapi_examples={"rules-md": {"summary": "RULES.md", "value": RULE_EXAMPLE}}),
    ],
) -> dict[str, Any]:
    return allocate_document(document)


def _plan_writer(cmd: Any, code: str) -> None:
    plan = cmd.runtime.app.plans.get_plan(code)
    cmd.require_township(plan.township, f"plan {code}")


@router.post(
    "/plans",
    status_code=201,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="Draft a plan",
)
def draft(body: PlanCreate, cmd: WriterDep) -> JSONResponse:
    def write() -> str:
        app = cmd.runtime.app
        if body.scope.kind == "alliance":
            township = app.get_alliance(body.scope.code).township
        else:
            township = app.get_village(body.scope.code).township
        cmd.require_township(township, f"{body.scope.kind} {body.scope.code}")
        app.plans.draft_plan(
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
            actor=cmd.actor,
        )
        return body.code

    return cmd.run(write, lambda code: plan_body(cmd, code), replay=lambda _: body.code)


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
    def write() -> str:
        _plan_writer(cmd, code)
        details = body.model_dump(exclude={"step", "date"})
        cmd.runtime.app.plans.record_plan_step(
            code=code, step=body.step, date=body.date, actor=cmd.actor, **details
        )
        return code

    return cmd.run(write, lambda c: plan_body(cmd, c), replay=lambda _: code)


@router.post(
    "/plans/{code}/execution",
    status_code=201,
    response_model=PlanPublic,
    responses=PROBLEMS,
    summary="Execute the plan: post every payout into every book it touches, in one save",
)
def execute(code: str, body: ExecutionCreate, cmd: WriterDep) -> JSONResponse:
    def write() -> str:
        _plan_writer(cmd, code)
        with cmd.runtime.engine.connect() as conn:
            paid = distribution_statement.villages_paid_on(conn, code)
        cmd.runtime.app.plans.execute_plan(
            code=code,
            date=body.date,
            actor=cmd.actor,
            acknowledge_paid_villages=body.acknowledge_paid_villages,
            paid_villages=paid,
        )
        return code

    return cmd.run(write, lambda c: plan_body(cmd, c), replay=lambda _: code)


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
DUTIES = {
    ("POST", "/v1/plans"): "plan.prepare",
    ("POST", "/v1/plans/{code}/steps"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution"): "plan.execute",
}
