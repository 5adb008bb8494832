"""People and sessions for the books pages' tests (no tests here): people are registered as
``lianzhang user create`` does (``app.people.register_person`` and a password) and log in through
``/login``, in the test client or in the browser (Argon2id with the tests' cheap parameters:
``tests/e2e/passwords.py``)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from domain.errors import NotFoundError
from tests.apps import app_for
from tests.e2e.passwords import cheap_users

PASSWORD = "correct horse 9"
NAMES = {"lihua": "李华", "wangfang": "王芳", "shen": "沈审", "zhang": "张三", "zhao": "赵六"}


def signed_in_app(runtime: Any) -> FastAPI:
    return app_for(runtime)


def register(app: FastAPI, login: str, role: str, townships: list[str]) -> None:
    """A person with a password, once."""
    runtime = app.state.runtime
    try:
        runtime.app.people.get_person(login)
    except NotFoundError:
        runtime.app.people.register_person(
            login, NAMES.get(login, login), role, townships, None, "cli"
        )
        cheap_users(app).set_password(login, PASSWORD)


def log_in(client: TestClient, login: str) -> list[dict[str, Any]]:
    """Log ``login`` in through the login form; the session's cookies."""
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


def person_session(
    client: TestClient, app: FastAPI, login: str, role: str, townships: list[str]
) -> list[dict[str, Any]]:
    """Register ``login`` (once) and log them in on ``client``; the session's cookies."""
    register(app, login, role, townships)
    return log_in(client, login)


def browser_log_in(page: Any, base: str, login: str) -> None:
    """Log in through the login page, with the keyboard."""
    page.goto(f"{base}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{base}/")
