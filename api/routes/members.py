"""Member registers (成员名册): households, members and their share units, dated."""

from __future__ import annotations

import datetime
from decimal import Decimal
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


def _village_writer(cmd: Any, village: str) -> None:
    books = cmd.runtime.app.get_village(village)
    cmd.require_township(books.township, f"village {village}")


def _decimals(shares: dict[str, str]) -> dict[str, Decimal]:
    return {kind: Decimal(units) for kind, units in shares.items()}


@router.post(
    "/register",
    status_code=201,
    response_model=RegisterPublic,
    responses=PROBLEMS,
    summary="Open the register",
)
def open_register(village: str, body: RegisterCreate, cmd: WriterDep) -> JSONResponse:
    def write() -> None:
        _village_writer(cmd, village)
        cmd.runtime.app.members.open_register(
            village=village, share_kinds=body.share_kinds, actor=cmd.actor
        )

    return cmd.run(write, lambda _: register_body(cmd, village), replay=lambda _: None)


@router.post("/households", status_code=201, response_model=RegisterPublic, responses=PROBLEMS)
def register_household(village: str, body: HouseholdCreate, cmd: WriterDep) -> JSONResponse:
    def write() -> None:
        _village_writer(cmd, village)
        cmd.runtime.app.members.register_household(
            village=village,
            number=body.number,
            head=body.head,
            registered_on=body.registered_on,
            actor=cmd.actor,
        )

    return cmd.run(
        write, lambda _: register_body(cmd, village, body.registered_on), replay=lambda _: None
    )


@router.post("/members", status_code=201, response_model=RegisterPublic, responses=PROBLEMS)
def register_member(village: str, body: MemberCreate, cmd: WriterDep) -> JSONResponse:
    def write() -> None:
        _village_writer(cmd, village)
        cmd.runtime.app.members.register_member(
            village=village,
            number=body.number,
            household=body.household,
            name=body.name,
            id_number=body.id_number,
            joined_on=body.joined_on,
            shares=_decimals(body.shares),
            actor=cmd.actor,
        )

    return cmd.run(
        write, lambda _: register_body(cmd, village, body.joined_on), replay=lambda _: None
    )


@router.post(
    "/members/{member}/shares", status_code=200, response_model=RegisterPublic, responses=PROBLEMS
)
def adjust_shares(village: str, member: str, body: SharesAdjust, cmd: WriterDep) -> JSONResponse:
    def write() -> None:
        _village_writer(cmd, village)
        cmd.runtime.app.members.adjust_shares(
            village=village,
            member=member,
            shares=_decimals(body.shares),
            effective=body.effective,
            reason=body.reason,
            actor=cmd.actor,
        )

    return cmd.run(
        write,
        lambda _: register_body(cmd, village, body.effective),
        replay=lambda _: None,
        status=200,
    )


@router.post(
    "/members/{member}/leave", status_code=200, response_model=RegisterPublic, responses=PROBLEMS
)
def member_leaves(village: str, member: str, body: MemberLeave, cmd: WriterDep) -> JSONResponse:
    def write() -> None:
        _village_writer(cmd, village)
        cmd.runtime.app.members.member_leaves(
            village=village,
            member=member,
            left_on=body.date,
            reason=body.reason,
            actor=cmd.actor,
        )

    return cmd.run(
        write, lambda _: register_body(cmd, village, body.date), replay=lambda _: None, status=200
    )


@router.post(
    "/members/{member}/forget",
    status_code=200,
    response_model=RegisterPublic,
    responses=PROBLEMS,
    summary="Forget a former member's personal data: the key that seals their ID number is deleted",
)
def forget_member(village: str, member: str, body: MemberForget, cmd: WriterDep) -> JSONResponse:
    def write() -> None:
        _village_writer(cmd, village)
        cmd.runtime.app.members.forget_member(
            village=village, member=member, reason=body.reason, actor=cmd.actor
        )

    return cmd.run(write, lambda _: register_body(cmd, village), replay=lambda _: None, status=200)


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
