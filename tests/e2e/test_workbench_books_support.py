"""People and sessions for the books pages' tests (no tests here).

People are registered as ``lianzhang user create`` does (``register_person`` and a password)
and log in through ``/login``. Only while ``workbench.session`` is the bare interface (before
the people work is merged) is the page dependency overridden with a cookie naming a test
person."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

import workbench.session as session
from api.main import create_app
from api.settings import Settings
from api.tokens import Principal

_SHIM = not hasattr(session, "PageUser")
COOKIE = "lz_test_person"

if _SHIM:
    from workbench.render import FormRefused

    def _unset(request: Request) -> Principal:  # pragma: no cover - always overridden
        raise RuntimeError("no session")

    session.page_user = _unset  # type: ignore[attr-defined]
    session.form_user = _unset  # type: ignore[attr-defined]
    session.PageUser = Annotated[Principal, Depends(_unset)]  # type: ignore[attr-defined]
    session.FormUser = Annotated[Principal, Depends(_unset)]  # type: ignore[attr-defined]

    def _require(user: Principal, action: str) -> None:
        if not user.may(action):
            raise FormRefused("您的角色不能做这件事", status=403, kind="forbidden-role")

    session.require = _require  # type: ignore[attr-defined]


def signed_in_app(runtime: Any) -> FastAPI:
    app = create_app(Settings(database_url=runtime.database_url), runtime=runtime)
    app.state.test_people = {}
    if _SHIM:

        def current(request: Request) -> Principal:
            found = request.app.state.test_people.get(request.cookies.get(COOKIE, ""))
            if found is None:
                from api.problems import Problem

                raise Problem(401, "unauthenticated", "not signed in")
            request.state.csrf = "test-csrf"
            return found

        app.dependency_overrides[session.page_user] = current
        app.dependency_overrides[session.form_user] = current
    return app


def person_session(
    client: TestClient, app: FastAPI, login: str, role: str, townships: list[str]
) -> list[dict[str, Any]]:
    """Sign ``login`` in on ``client``; returns the session's cookies (for a browser)."""
    if _SHIM:
        app.state.test_people[login] = Principal(
            name=login,
            role=role,
            townships=frozenset(townships),
            person=login,
            display=login,
            session=True,
        )
        client.cookies.set(COOKIE, login)
        return [{"name": COOKIE, "value": login}]
    register(app, login, role, townships)
    return log_in(client, login)


PASSWORD = "correct horse 9"
NAMES = {"lihua": "李华", "wangfang": "王芳", "shen": "沈审", "zhang": "张三", "zhao": "赵六"}


def register(app: FastAPI, login: str, role: str, townships: list[str]) -> None:
    """A person with a password (as ``lianzhang user create`` makes one)."""
    from api.users import UserStore

    runtime = app.state.runtime
    try:
        runtime.app.get_person(login)
    except Exception:
        runtime.app.register_person(login, NAMES.get(login, login), role, townships, None, "cli")
        UserStore(runtime.engine).set_password(login, PASSWORD)


def log_in(client: TestClient, login: str) -> list[dict[str, Any]]:
    """Log ``login`` in through the login form; the session's cookies."""
    import re

    client.cookies.clear()
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    answer = client.post(
        "/login",
        data={"login": login, "password": PASSWORD, "next": "/", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return [{"name": name, "value": value} for name, value in client.cookies.items()]


def browser_log_in(page: Any, base: str, login: str) -> None:
    """Log in through the login page, with the keyboard."""
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{base}/")
