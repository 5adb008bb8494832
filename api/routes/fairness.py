"""Fairness workbench: compare candidate rules before a plan is approved."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import Field, StrictStr

from api.responses import AttachedComparisonPublic, ComparisonPublic
from api.routes.entities import PROBLEMS
from api.routes.public import fresh_runtime, public_plan
from api.schemas import ComparisonDocumentObject, RuleTermsObject, Strict
from documents.fairness import comparison_now
from domain.bounds import ONE_LINE_PATTERN
from domain.plan.commands import AttachComparison
from projections import economy_queries
from rendering.render import comparison_html
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(tags=["fairness workbench"])


class Candidate(Strict):
    name: Annotated[
        StrictStr,
        Field(min_length=1, max_length=60, pattern=ONE_LINE_PATTERN, examples=["各村平均"]),
    ]
    rule: RuleTermsObject = Field(examples=[{"tiers": [{"kind": "equal"}]}])


class ComparisonCreate(Strict):
    plan: StrictStr | None = Field(default=None, description="compare on this plan's inputs")
    document: ComparisonDocumentObject | None = Field(
        default=None, description="or on a rule document (docs/rules.md)"
    )
    candidates: list[Candidate] = Field(min_length=1, max_length=20)
    reference: StrictStr | None = None
    shapley: dict[str, Any] | None = Field(
        default=None,
        description='{"coalitions": {"V01+V02": "…"}} and/or {"standalone": {"V01": "…"}}',
    )
    per_capita_basis: StrictStr = "population"
    enterprise_profit: dict[str, StrictStr] = Field(
        default_factory=dict, description="enterprise profit by year, where it is reported"
    )


class PlanComparisonCreate(Strict):
    for_step: Literal["审议", "决议"]
    candidates: list[Candidate] = Field(min_length=1, max_length=20)
    reference: StrictStr | None = None
    shapley: dict[str, Any] | None = None
    per_capita_basis: StrictStr = "population"
    enterprise_profit: dict[str, StrictStr] = Field(default_factory=dict)


@router.post(
    "/v1/fairness/comparisons",
    responses={
        **PROBLEMS,
        200: {
            "model": ComparisonPublic,
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "the comparison (JSON), or its page with ?format=html",
        },
    },
    summary="Compare two to six rules side by side with fairness measures; writes nothing",
)
def compare_rules(
    body: ComparisonCreate,
    reader: ReaderDep,
    format: Annotated[Literal["json", "html"], Query()] = "json",
) -> Any:
    result = comparison_now(
        reader.runtime,
        document=body.document,
        plan=body.plan,
        candidates=[c.model_dump() for c in body.candidates],
        reference=body.reference,
        shapley=body.shapley,
        per_capita_basis=body.per_capita_basis,
        enterprise_profit=body.enterprise_profit,
    )
    if format == "html":
        return HTMLResponse(comparison_html(result))
    return result


@router.post(
    "/v1/plans/{code}/comparisons",
    status_code=201,
    response_model=AttachedComparisonPublic,
    responses=PROBLEMS,
    summary="Attach a comparison to a plan's 审议 or 决议 (recorded in the plan's events)",
)
def attach(code: str, body: PlanComparisonCreate, cmd: WriterDep) -> JSONResponse:
    command = AttachComparison(
        code=code,
        for_step=body.for_step,
        comparison=lambda: comparison_now(
            cmd.runtime,
            document=None,
            plan=code,
            candidates=[c.model_dump() for c in body.candidates],
            reference=body.reference,
            shapley=body.shapley,
            per_capita_basis=body.per_capita_basis,
            enterprise_profit=body.enterprise_profit,
        ),
    )

    def read(number: int) -> tuple[dict[str, Any], str]:
        with cmd.runtime.engine.connect() as conn:
            stored = economy_queries.plan_comparisons_of(conn, code)[number - 1]
        url = f"/public/plans/{code}/comparisons/{number}"
        return {
            "number": number,
            "for_step": stored["for_step"],
            "digest": stored["digest"],
            "page": url,
            "comparison": stored["content"],
        }, url

    return cmd.run(command, read)


@router.get(
    "/public/plans/{code}/comparisons/{number}",
    response_class=HTMLResponse,
    tags=["public pages (三公开)"],
)
def comparison_page(code: str, number: int, request: Request) -> str:
    runtime = fresh_runtime(request)
    public_plan(runtime, code)
    with runtime.engine.connect() as conn:
        stored = economy_queries.plan_comparisons_of(conn, code)
    if not 1 <= number <= len(stored):
        raise Problem(404, "comparison-not-found", f"plan {code} has no comparison {number}")
    found = stored[number - 1]
    return comparison_html(found["content"], number=number, for_step=found["for_step"])


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
DUTIES = {("POST", "/v1/plans/{code}/comparisons"): "plan.prepare"}
