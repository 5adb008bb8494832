"""Alliances, their member villages, enterprises and joint entity; village registration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routes.entities import entity_body
from api.schemas import (
    AllianceCreate,
    AlliancePublic,
    EnterpriseCreate,
    EntityPublic,
    JointEntityCreate,
    VillageCreate,
    VillageJoin,
    VillageLeave,
)
from domain.alliance.commands import (
    FormAlliance,
    JoinEnterprise,
    JoinVillage,
    LeaveVillage,
    RegisterJointEntity,
)
from domain.books.commands import RegisterVillage
from projections import queries
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1", tags=["alliances and villages"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or invalid token"},
    403: {"description": "not allowed"},
    404: {"description": "unknown alliance or village"},
    409: {"description": "conflicts with what is recorded"},
    422: {"description": "invalid request"},
}


def alliance_body(writer_or_reader: Any, code: str) -> tuple[dict[str, Any], str]:
    with writer_or_reader.runtime.engine.connect() as conn:
        found = queries.alliance(conn, code)
    if found is None:
        raise Problem(404, "alliance-not-found", f"alliance {code} does not exist", field="code")
    return AlliancePublic.model_validate(found).model_dump(mode="json"), f"/v1/alliances/{code}"


@router.post("/alliances", status_code=201, response_model=AlliancePublic, responses=PROBLEMS)
def form_alliance(body: AllianceCreate, cmd: WriterDep) -> JSONResponse:
    """Form an alliance (联村党组织) in a township."""

    command = FormAlliance(
        code=body.code,
        name=body.name,
        township=body.township,
        county=body.county,
        model=body.model,
        formed_on=body.formed_on,
    )
    return cmd.run(command, lambda code: alliance_body(cmd, code))


@router.get("/alliances", response_model=list[AlliancePublic], responses=PROBLEMS)
def list_alliances(reader: ReaderDep) -> list[dict[str, Any]]:
    with reader.runtime.engine.connect() as conn:
        return [queries.alliance(conn, row["code"]) or row for row in queries.list_alliances(conn)]


@router.get("/alliances/{code}", response_model=AlliancePublic, responses=PROBLEMS)
def get_alliance(code: str, reader: ReaderDep) -> dict[str, Any]:
    return alliance_body(reader, code)[0]


@router.post(
    "/alliances/{code}/villages",
    status_code=201,
    response_model=AlliancePublic,
    responses=PROBLEMS,
)
def join_village(code: str, body: VillageJoin, cmd: WriterDep) -> JSONResponse:
    """A registered village joins the alliance on a date."""

    command = JoinVillage(alliance=code, village=body.village, joined_on=body.date)
    return cmd.run(command, lambda c: alliance_body(cmd, c))


@router.post(
    "/alliances/{code}/villages/{village}/leave",
    status_code=200,
    response_model=AlliancePublic,
    responses=PROBLEMS,
)
def leave_village(code: str, village: str, body: VillageLeave, cmd: WriterDep) -> JSONResponse:
    """A member village leaves the alliance on a date, with the reason."""

    command = LeaveVillage(alliance=code, village=village, left_on=body.date, reason=body.reason)
    return cmd.run(command, lambda c: alliance_body(cmd, c), status=200)


@router.post(
    "/alliances/{code}/enterprises",
    status_code=201,
    response_model=AlliancePublic,
    responses=PROBLEMS,
)
def join_enterprise(code: str, body: EnterpriseCreate, cmd: WriterDep) -> JSONResponse:
    """A partner enterprise (村企联建) joins the alliance."""

    command = JoinEnterprise(alliance=code, code=body.code, name=body.name, joined_on=body.date)
    return cmd.run(command, lambda c: alliance_body(cmd, c))


@router.post(
    "/alliances/{code}/joint-entity",
    status_code=201,
    response_model=EntityPublic,
    responses=PROBLEMS,
)
def register_joint_entity(code: str, body: JointEntityCreate, cmd: WriterDep) -> JSONResponse:
    """Register the alliance's joint entity (联合社), an accounting entity with its own books."""

    command = RegisterJointEntity(alliance=code, code=body.code, name=body.name)
    return cmd.run(command, lambda c: entity_body(cmd, c))


@router.post("/villages", status_code=201, response_model=EntityPublic, responses=PROBLEMS)
def register_village(body: VillageCreate, cmd: WriterDep) -> JSONResponse:
    """Register a village collective (村集体经济组织) and open its books."""

    command = RegisterVillage(
        code=body.code,
        name=body.name,
        township=body.township,
        county=body.county,
        population=body.population,
        households=body.households,
        flags=tuple(body.flags),
    )
    return cmd.run(command, lambda c: entity_body(cmd, c))


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger",)
