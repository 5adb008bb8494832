"""People and sessions for the books pages' tests (no tests here).

TEMPORARY until the people/sessions work lands on main: ``workbench.session`` is only an
interface there, so the page dependency is overridden with a cookie naming a test person.
Replaced by real people (``register_person``) and a real login once it lands."""

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
    raise NotImplementedError
