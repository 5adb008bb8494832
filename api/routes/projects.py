"""Jointly built projects (联建项目) through the API: plan one (its budget by item and its
funding sources), record its steps of 四议两公开, pay its costs (借 153<code> / 贷 102, the part
of a grant moved 241<programme> → 241<code>), complete it into asset cards (153 → 151, 241 →
311, the ownership shares), record its income; the list, one project, and its 投资收益表.

Every write builds a command of ``domain.projects.commands`` and runs it through
``web.deps.Writer`` (the one runner): a token of another township is refused (403) before
anything is written, as for every write. Reads are open to every token, as the API's other
reads are (``workbench.scope`` explains why the workbench alone is scoped for reading).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.routes.entities import PROBLEMS, described
from api.schemas.common import PeriodText
from api.schemas.projects import (
    CardTermsIn,
    ProjectCompletion,
    ProjectCostCreate,
    ProjectCreate,
    ProjectIncomeCreate,
    ProjectPublic,
    ProjectStatement,
    ProjectStepCreate,
    ProjectSummary,
    ProjectWritten,
)
from domain.assets.service import CardTerms
from domain.projects.commands import (
    CompleteProject,
    PlanProject,
    RecordProjectCost,
    RecordProjectIncome,
    RecordProjectStep,
)
from ledger.entries import JournalEntry
from projections import project_queries
from web.deps import ReaderDep, Writer, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/projects", tags=["三资: projects (联建项目)"])

CodeQuery = Query(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")


def missing(code: str) -> Problem:
    return Problem(
        404, "project-not-found", f"project {code} does not exist", zh=f"没有编号为 {code} 的项目"
    )


def project_body(holder: Any, code: str) -> dict[str, Any]:
    with holder.runtime.engine.connect() as conn:
        found = project_queries.project_detail(conn, code)
    if found is None:
        raise missing(code)
    return ProjectPublic.model_validate(found).model_dump(mode="json")


def written(
    cmd: Writer, code: str, entries: list[str], rejection: str | None = None
) -> tuple[dict[str, Any], str]:
    body = {"project": project_body(cmd, code), "entries": entries, "rejection": rejection}
    return ProjectWritten.model_validate(body).model_dump(mode="json"), f"/v1/projects/{code}"


def card_terms(terms: CardTermsIn) -> CardTerms:
    return CardTerms(**terms.model_dump())


@router.post(
    "",
    status_code=201,
    response_model=ProjectWritten,
    responses=PROBLEMS,
    summary="立项: plan a project with its budget by item and funding sources",
)
def plan(body: ProjectCreate, cmd: WriterDep) -> JSONResponse:
    """Opens its 明细科目 of 153 (and of 241 for a grant); a budget of ¥50,000.00 or more
    needs 四议两公开 before it takes costs."""
    command = PlanProject(
        code=body.code,
        entity=body.entity,
        name=body.name,
        kind=body.kind,
        budget=dict(body.budget),
        funding=[f.model_dump(exclude_none=True) for f in body.funding],
        planned_on=body.planned_on,
    )
    return cmd.run(command, lambda code: written(cmd, code, []))


@router.get("", responses=described(list[ProjectSummary]), summary="Projects")
def list_projects(
    reader: ReaderDep,
    entity: Annotated[str | None, CodeQuery] = None,
    township: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """Every project (of one set of books, of a township): budget, costs to date, progress."""
    with reader.engine.connect() as conn:
        found = project_queries.project_list(conn, entity=entity, township=township)
    return [ProjectSummary.model_validate(p).model_dump(mode="json") for p in found]


@router.get("/{code}", responses=described(ProjectPublic), summary="One project")
def get_project(code: str, reader: ReaderDep) -> dict[str, Any]:
    return project_body(reader, code)


@router.get(
    "/{code}/statement",
    responses=described(ProjectStatement),
    summary="投资收益表: invested, depreciated, earned, return, each owner's part",
)
def statement(
    code: str, reader: ReaderDep, period: Annotated[PeriodText | None, Query()] = None
) -> dict[str, Any]:
    with reader.engine.connect() as conn:
        found = project_queries.project_statement(conn, code, period)
    if found is None:
        raise missing(code)
    return ProjectStatement.model_validate(found).model_dump(mode="json")


@router.post(
    "/{code}/steps",
    status_code=201,
    response_model=ProjectWritten,
    responses=PROBLEMS,
    summary="A step of 四议两公开 (a failed vote rejects the project)",
)
def record_step(code: str, body: ProjectStepCreate, cmd: WriterDep) -> JSONResponse:
    command = RecordProjectStep(
        project=code,
        step=body.step,
        date=body.date,
        details=body.model_dump(exclude={"step", "date"}),
    )
    return cmd.run(command, lambda reason: written(cmd, code, [], reason))


@router.post(
    "/{code}/costs",
    status_code=201,
    response_model=ProjectWritten,
    responses=PROBLEMS,
    summary="A payment for the project (借 153<code> / 贷 102; a grant's part 241 → 241<code>)",
)
def record_cost(code: str, body: ProjectCostCreate, cmd: WriterDep) -> JSONResponse:
    command = RecordProjectCost(
        project=code,
        date=body.date,
        item=body.item,
        amount=body.amount,
        memo=body.memo,
        grant=body.grant,
        grant_amount=body.grant_amount,
    )
    return cmd.run(command, lambda entry: written(cmd, code, [entry.number]))


@router.post(
    "/{code}/completion",
    status_code=201,
    response_model=ProjectWritten,
    responses=PROBLEMS,
    summary="竣工: 153 → 151 (132 …), the grant's part 241 → 311, cards and ownership shares",
)
def complete(code: str, body: ProjectCompletion, cmd: WriterDep) -> JSONResponse:
    command = CompleteProject(
        project=code,
        date=body.date,
        assets=[card_terms(t) for t in body.assets],
        owners=dict(body.owners),
    )

    def read(entries: list[JournalEntry]) -> tuple[dict[str, Any], str]:
        return written(cmd, code, [e.number for e in entries])

    return cmd.run(command, read)


@router.post(
    "/{code}/income",
    status_code=201,
    response_model=ProjectWritten,
    responses=PROBLEMS,
    summary="Income of a completed project (借 102 / 贷 501, 502, 504), or a voucher tied to it",
)
def record_income(code: str, body: ProjectIncomeCreate, cmd: WriterDep) -> JSONResponse:
    command = RecordProjectIncome(
        project=code,
        date=body.date,
        kind=body.kind,
        amount=body.amount,
        memo=body.memo,
        reference=body.reference,
        posted=body.posted,
    )
    return cmd.run(command, lambda number: written(cmd, code, [number]))


# What this router's paths read (web.views) and the duties of its writes (web.duties: the
# steps of 四议两公开 as a plan's, the rest books.write)
READ_MODELS = ("ledger", "assets")
DUTIES = {("POST", "/v1/projects/{code}/steps"): "plan.prepare"}
