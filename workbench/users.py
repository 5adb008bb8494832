"""The administrators' people pages: who logs in to the workbench (township staff, auditors).

Routes (each requires ``people.manage``): ``GET /users`` (the people), ``POST /users``
(register a person with an initial password), ``POST /users/{login}/change`` (姓名, role,
townships, phone), ``/disable``, ``/enable`` and ``/password`` (set a new password). What is
in the log (registering, changing, disabling, enabling) runs as a command of
``domain.people.commands`` through ``run_form`` (the runner: at most once per the form's
Idempotency-Key); passwords are never in the log (``web.users``), so they are set here.
Disabling a person also ends their sessions and revokes their tokens.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from domain.errors import DomainError
from domain.people import PersonNotFoundError
from domain.people.commands import ChangePerson, DisablePerson, EnablePerson, RegisterPerson
from domain.roles import PERSON_ROLES
from projections.people_view import person_list
from web.tokens import Principal
from web.users import PasswordError, check_new_password
from workbench.render import FormRefused, page, refusal, run_form
from workbench.session import FormUser, PageUser, form_text, require, users_of

router = APIRouter()


def _people_page(
    request: Request,
    user: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    notice: str = "",
) -> HTMLResponse:
    runtime = request.app.state.runtime
    runtime.views.catch_up()
    return page(
        request,
        user,
        "users.html",
        status=status,
        people=person_list(runtime.engine),
        roles=PERSON_ROLES,
        errors=errors or {},
        values=values or {},
        notice=notice,
    )


def _back(login: str) -> str:
    return "/users"


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: PageUser) -> Response:
    require(user, "people.manage")
    return _people_page(request, user)


def split_townships(text: str) -> list[str]:
    """``唐坊镇，花沟镇`` / ``唐坊镇 花沟镇`` / one a line → the townships."""
    return [t for t in re.split(r"[\s,，、;；]+", text) if t]


@router.post("/users", response_class=HTMLResponse)
async def users_create(request: Request, user: FormUser) -> Response:
    require(user, "people.manage")
    form = await request.form()
    values = {k: form_text(form, k) for k in ("login", "name", "role", "townships", "phone")}
    password = form.get("password")
    try:
        if not isinstance(password, str):
            raise PasswordError("请填写初始密码")
        try:
            check_new_password(password)
        except PasswordError as error:
            raise PasswordError(error.message, "password") from None
        login = values["login"].lower()
        command = RegisterPerson(
            login=login,
            name=values["name"],
            role=values["role"],
            townships=tuple(split_townships(values["townships"])),
            phone=values["phone"] or None,
        )
        answer = await run_in_threadpool(run_form, request, user, form, command, _back)
    except PasswordError as error:
        return _people_page(
            request, user, errors={error.field: error.message}, values=values, status=422
        )
    except FormRefused as refused:
        return _people_page(
            request,
            user,
            errors={refused.field or "form": refused.message},
            values=values,
            status=refused.status,
        )
    users_of(request).set_password(login, password)
    return answer


def _switch(request: Request, user: Principal, form: FormData, login: str, *, on: bool) -> Response:
    if not on and login == user.person:
        raise FormRefused("不能停用自己的账户", status=409, kind="conflict")
    command = EnablePerson(login=login) if on else DisablePerson(login=login)
    try:
        answer = run_form(request, user, form, command, _back)
    except DomainError as error:
        raise refusal(error) from error
    if not on:
        users_of(request).end_sessions(login)
        request.app.state.tokens.revoke_owned(login)  # enabling again does not revive them
    return answer


@router.post("/users/{login}/disable", response_class=HTMLResponse)
async def users_disable(request: Request, login: str, user: FormUser) -> Response:
    require(user, "people.manage")
    form = await request.form()
    try:
        return await run_in_threadpool(_switch, request, user, form, login, on=False)
    except FormRefused as refused:
        return _people_page(request, user, errors={"form": refused.message}, status=refused.status)


@router.post("/users/{login}/enable", response_class=HTMLResponse)
async def users_enable(request: Request, login: str, user: FormUser) -> Response:
    require(user, "people.manage")
    form = await request.form()
    try:
        return await run_in_threadpool(_switch, request, user, form, login, on=True)
    except FormRefused as refused:
        return _people_page(request, user, errors={"form": refused.message}, status=refused.status)


@router.post("/users/{login}/change", response_class=HTMLResponse)
async def users_change(request: Request, login: str, user: FormUser) -> Response:
    """An administrator changes a person's role and townships (and 姓名, phone): an event in the
    log like their registration; the change holds from the person's next request."""
    require(user, "people.manage")
    form = await request.form()
    values = {k: form_text(form, k) for k in ("name", "role", "townships", "phone")}
    command = ChangePerson(
        login=login,
        name=values["name"] or None,
        role=values["role"] or None,
        townships=tuple(split_townships(values["townships"])),
        phone=values["phone"] or None,
    )
    try:
        return await run_in_threadpool(run_form, request, user, form, command, _back)
    except FormRefused as refused:
        return _people_page(request, user, errors={"form": refused.message}, status=refused.status)


@router.post("/users/{login}/password", response_class=HTMLResponse)
async def users_password(request: Request, login: str, user: FormUser) -> Response:
    """An administrator sets a person's password (forgotten, or locked out): their sessions
    end and any lock-out is lifted. Not an event: passwords are never in the log."""
    require(user, "people.manage")
    form = await request.form()
    password = form.get("password")
    app = request.app.state.runtime.app
    try:
        person = app.people.get_person(login)
        if not isinstance(password, str):
            raise PasswordError("请填写新密码")
        check_new_password(password)
    except PersonNotFoundError as error:
        return _people_page(request, user, errors={"form": error.zh or error.message}, status=404)
    except PasswordError as error:
        return _people_page(
            request, user, errors={"form": f"{person.name}：{error.message}"}, status=422
        )
    users = users_of(request)
    await run_in_threadpool(users.set_password, person.login, password)
    if person.login != user.person:
        users.end_sessions(person.login)
    return _people_page(request, user, notice=f"已重设 {person.name}（{person.login}）的密码")


__all__ = ["router", "split_townships"]


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
