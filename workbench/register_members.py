"""A member leaving (退出) and a former member forgotten (隐私删除), from the village's member
register page (``/registers/villages/{village}``, ``workbench.registers``).

- ``POST /registers/villages/{village}/members/{member}/leave``: the member leaves the register
  on a date, with the reason (``members.MemberLeaves``); their shares end that day, the
  register keeps them for the plans already computed;
- ``GET /registers/villages/{village}/members/{member}/forget``: the confirmation page of
  deleting a former member's personal data (个人信息保护法第四十七条): who it is, what is
  deleted (the sealed ID number, for good: nobody can read it afterwards, not even from a
  backup) and what is kept (the membership, its dates and shares, which past distributions were
  computed from);
- ``POST`` to the same path: the deletion (``members.ForgetMember``), only when the clerk has
  typed the member's number again and written the reason; a member who has not left is refused
  (record the leaving first).

Both need the duty of the API's routes (``register.edit``: 制单, 记账/主管); an auditor sees the
register without these forms. Another township's village or member is not found (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import and_, select

from domain.members.commands import ForgetMember, MemberLeaves, RegisterCommand
from domain.privacy import FORGOTTEN, mask_id_number
from projections.tables import members
from web.tokens import Principal
from workbench import register_forms as fields
from workbench.registers import engine_of, form_of, missing, sees_village, village_write
from workbench.render import FormRefused, page
from workbench.session import FormUser, PageUser

router = APIRouter()


@router.post("/registers/villages/{village}/members/{member}/leave")
async def member_leaves(request: Request, user: FormUser, village: str, member: str) -> Response:
    form = {**(await form_of(request)), "which": f"leave:{member}"}

    def command() -> RegisterCommand:
        return MemberLeaves(
            village=village,
            member=member,
            left_on=fields.day(form, "date", "退出日期"),
            reason=fields.line(form, "reason", "退出原因"),
        )

    return village_write(request, user, village, form, command, q=member)


# -- forgetting: a page of its own, to confirm ------------------------------------------------


def _member(request: Request, village: str, member: str) -> dict[str, Any] | None:
    with engine_of(request).connect() as conn:
        found = (
            conn.execute(
                select(members).where(
                    and_(members.c.village_code == village, members.c.number == member)
                )
            )
            .mappings()
            .first()
        )
    if found is None:
        return None
    row = dict(found)
    row["forgotten"] = row["id_number"] == FORGOTTEN
    if not row["forgotten"]:  # the view keeps the masked form (older stores the full number)
        row["id_number"] = mask_id_number(row["id_number"])
    return row


def _forget_page(
    request: Request,
    user: Principal,
    village: str,
    member: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    found = _member(request, village, member) if sees_village(request, user, village) else None
    if found is None:
        return missing(request, user, f"成员 {member}")
    return page(
        request,
        user,
        "register_forget.html",
        status=error.status if error else 200,
        village=village,
        m=found,
        error=error,
        form=dict(form or {}),
    )


@router.get("/registers/villages/{village}/members/{member}/forget")
def forget_form(request: Request, user: PageUser, village: str, member: str) -> Response:
    return _forget_page(request, user, village, member)


@router.post("/registers/villages/{village}/members/{member}/forget")
async def forget(request: Request, user: FormUser, village: str, member: str) -> Response:
    form = {**(await form_of(request)), "which": "forget"}
    if not sees_village(request, user, village) or _member(request, village, member) is None:
        return missing(request, user, f"成员 {member}")  # before anything is read or run

    def build() -> ForgetMember:
        if fields.text(form, "confirm") != member:
            raise FormRefused(
                f"请在确认框里输入成员编号 {member}，确认删除这位成员的个人信息", field="confirm"
            )
        return ForgetMember(
            village=village, member=member, reason=fields.line(form, "reason", "删除原因")
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/registers/villages/{village}?q={quote(member)}&forgotten=1",
        lambda refused: _forget_page(request, user, village, member, form=form, error=refused),
    )


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's member routes, register.edit)
READ_MODELS = ("ledger", "economy")
DUTIES = {
    ("POST", "/registers/villages/{village}/members/{member}/leave"): "register.edit",
    ("POST", "/registers/villages/{village}/members/{member}/forget"): "register.edit",
}
