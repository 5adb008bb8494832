"""Member registers (成员名册): households, members and their share units, dated."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.responses import RegisterPublic
from api.routes.entities import PROBLEMS, described
from api.schemas import (
    DayQuery,
    HouseholdCreate,
    MemberCreate,
    MemberForget,
    MemberLeave,
    RegisterCreate,
    SharesAdjust,
)
from domain.members.commands import (
    AdjustShares,
    ForgetMember,
    MemberLeaves,
    OpenRegister,
    RegisterHousehold,
    RegisterMember,
    shares_of,
)
from projections import economy_queries
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/villages/{village}", tags=["member registers"])


def register_body(
    holder: Any, village: str, as_of: datetime.date | None = None
) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        found = economy_queries.member_register(conn, village, as_of or holder.runtime.app.today())
    if found is None:
        raise Problem(404, "register-not-found", f"village {village} has no member register yet")
    return found, f"/v1/villages/{village}/members"


@router.post(
    "/register",
    status_code=201,
    response_model=RegisterPublic,
    responses=PROBLEMS,
    summary="Open the register",
)
def open_register(village: str, body: RegisterCreate, cmd: WriterDep) -> JSONResponse:
    command = OpenRegister(village=village, share_kinds=tuple(body.share_kinds))
    return cmd.run(command, lambda _: register_body(cmd, village))


@router.post("/households", status_code=201, response_model=RegisterPublic, responses=PROBLEMS)
def register_household(village: str, body: HouseholdCreate, cmd: WriterDep) -> JSONResponse:
    command = RegisterHousehold(
        village=village, number=body.number, head=body.head, registered_on=body.registered_on
    )
    return cmd.run(command, lambda _: register_body(cmd, village, body.registered_on))


@router.post("/members", status_code=201, response_model=RegisterPublic, responses=PROBLEMS)
def register_member(village: str, body: MemberCreate, cmd: WriterDep) -> JSONResponse:
    command = RegisterMember(
        village=village,
        number=body.number,
        household=body.household,
        name=body.name,
        id_number=body.id_number,
        joined_on=body.joined_on,
        shares=shares_of(body.shares),
    )
    return cmd.run(command, lambda _: register_body(cmd, village, body.joined_on))


@router.post(
    "/members/{member}/shares", status_code=200, response_model=RegisterPublic, responses=PROBLEMS
)
def adjust_shares(village: str, member: str, body: SharesAdjust, cmd: WriterDep) -> JSONResponse:
    command = AdjustShares(
        village=village,
        member=member,
        shares=shares_of(body.shares),
        effective=body.effective,
        reason=body.reason,
    )
    return cmd.run(command, lambda _: register_body(cmd, village, body.effective), status=200)


@router.post(
    "/members/{member}/leave", status_code=200, response_model=RegisterPublic, responses=PROBLEMS
)
def member_leaves(village: str, member: str, body: MemberLeave, cmd: WriterDep) -> JSONResponse:
    command = MemberLeaves(village=village, member=member, left_on=body.date, reason=body.reason)
    return cmd.run(command, lambda _: register_body(cmd, village, body.date), status=200)


@router.post(
    "/members/{member}/forget",
    status_code=200,
    response_model=RegisterPublic,
    responses=PROBLEMS,
    summary="Forget a former member's personal data: the key that seals their ID number is deleted",
)
def forget_member(village: str, member: str, body: MemberForget, cmd: WriterDep) -> JSONResponse:
    command = ForgetMember(village=village, member=member, reason=body.reason)
    return cmd.run(command, lambda _: register_body(cmd, village), status=200)


@router.get(
    "/members",
    responses=described(RegisterPublic),
    summary="Households and members with shares in force on a date (ID numbers masked)",
)
def get_register(
    village: str, reader: ReaderDep, as_of: Annotated[datetime.date | None, DayQuery] = None
) -> dict[str, Any]:
    return register_body(reader, village, as_of)[0]


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
DUTIES = {
    ("POST", "/v1/villages/{village}/register"): "register.edit",
    ("POST", "/v1/villages/{village}/households"): "register.edit",
    ("POST", "/v1/villages/{village}/members"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/shares"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/leave"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/forget"): "register.edit",
}
