"""People's sessions in the browser: login, logout, password change, CSRF.

INTERFACE (page modules rely on exactly this):

- ``PageUser``: ``Annotated[Principal, Depends(page_user)]``. The person of the request's
  session as an ``web.tokens.Principal`` with ``session=True``, ``person`` = login, ``display`` =
  姓名, ``role`` one of ``domain.roles.PERSON_ROLES``, ``townships``. It also sets
  ``request.state.csrf`` (the session's CSRF token, which ``workbench.render.page`` puts in
  every form). Without a valid session a page answers 303 to ``/login?next=<path>`` (for htmx
  requests 200 with ``HX-Redirect``).
- ``FormUser``: the same for a POST, and the CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``) must equal the session's: otherwise 403 (nothing is written).
- ``require(user, action)``: raises ``workbench.render.FormRefused`` (403) unless
  ``user.may(action)``.
- routes: ``GET/POST /login``, ``POST /logout``, ``GET/POST /password`` (the person's own
  password). The administrators' people pages (``/users``) are ``workbench.users``.

How a session works (``web.users``): login sets a cookie ``lz_session`` holding a random
256-bit session id, HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
it), Secure when the request came over https, Path=/. The server keeps only the id's SHA-256,
with the login, a random per-session CSRF token and when it was made and last used. A session
ends after 12 hours without a request (idle), 7 days after login (absolute), at logout, and at
once when the person is disabled.

Decision: server-side opaque session ids, not a self-contained signed cookie: a signed cookie
stays valid until it expires, whereas a row deleted on the server ends the session at once, so
logout and disabling a person take effect immediately, on every device. The cost, one indexed
read per page, is nothing next to the page's own reads.

CSRF: every form carries the session's token (``{{ form_fields() }}``), htmx sends it as
``X-CSRF-Token`` (``base.html``); a POST without the right one is refused with 403 before the
route runs. The login form, before any session, is guarded the same way by a token in a
short-lived cookie of its own (double submit), so another site cannot log a browser in.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from domain.people import PHONE, Person, PersonNotFoundError
from domain.roles import PERSON_ROLES
from projections.people_view import login_of_phone
from web.observability import note_caller
from web.tokens import Principal
from web.users import (
    ABSOLUTE,
    WRONG,
    LoginBusy,
    LoginRefused,
    PasswordError,
    UserStore,
    check_new_password,
)
from workbench.render import (
    CSRF_FIELD,
    CSRF_HEADER,
    ENV,
    FormRefused,
    page,
    redirect,
)

router = APIRouter()

COOKIE = "lz_session"
LOGIN_COOKIE = "lz_login_csrf"  # the login form's own CSRF token, before any session
CSRF_REFUSED = "请求缺少有效的安全令牌，请刷新页面后重试"
DISABLED = "该账户已停用，请联系管理员"


# -- the store and the current person ----------------------------------------------------------


def users_of(request: Request) -> UserStore:
    """The app's :class:`web.users.UserStore` (made on first use, on the runtime's engine)."""
    state = request.app.state
    store: UserStore | None = getattr(state, "users", None)
    if store is None:
        store = UserStore(state.runtime.engine)
        state.users = store
    return store


def principal_of(person: Person) -> Principal:
    """The person as the caller of a command."""
    return Principal(
        name=person.login,
        role=person.role,
        townships=frozenset(person.townships),
        person=person.login,
        display=person.name,
        session=True,
    )


def current_user(request: Request) -> Principal | None:
    """The person of the request's session, or None; sets ``request.state.csrf``."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    users = users_of(request)
    session = users.session(session_id)
    if session is None:
        return None
    try:
        person = request.app.state.runtime.app.people.get_person(session.login)
    except PersonNotFoundError:
        users.end_session(session_id)
        return None
    if person.disabled:
        users.end_sessions(person.login)
        return None
    request.state.csrf = session.csrf
    request.state.session_id = session_id
    principal = principal_of(person)
    note_caller(request.scope, principal.actor, principal.townships)  # the request's log line
    return principal


class LoginRequired(Exception):
    """No valid session: the answer is the login page, coming back to ``next``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A POST without its session's CSRF token."""


def safe_next(value: str | None) -> str:
    """``next`` only as a path of this site (``/vouchers?status=x``), else ``/``."""
    text = (value or "").strip()
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in text):
        return "/"
    return text


def _coming_back(request: Request) -> str:
    """Where to come back after logging in: this page for a GET; for a POST the page it was
    sent from (when it is ours), since the POST itself cannot be repeated by a redirect."""
    if request.method == "GET":
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.netloc == request.url.netloc:
            return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return "/"


def page_user(request: Request) -> Principal:
    """The person of the session, or the login page (see the module's INTERFACE)."""
    user = current_user(request)
    if user is None:
        raise LoginRequired(_coming_back(request))
    return user


PageUser = Annotated[Principal, Depends(page_user)]


async def _sent_csrf(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps it: the route reads it again
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def form_user(request: Request, user: PageUser) -> Principal:
    """The person of the session, for a POST: the CSRF token must be the session's."""
    sent = await _sent_csrf(request)
    expected = str(getattr(request.state, "csrf", "") or "")
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
    return user


FormUser = Annotated[Principal, Depends(form_user)]


def require(user: Principal, action: str) -> None:
    """Raise ``FormRefused`` (403) unless ``user`` may take ``action``."""
    if not user.may(action):
        from domain.roles import ACTION_LABELS

        what = ACTION_LABELS.get(action, action)
        raise FormRefused(
            f"您的角色（{PERSON_ROLES.get(user.role, user.role)}）不能{what}",
            status=403,
            kind="forbidden-role",
        )


# -- answers for the refusals, on every page ----------------------------------------------------

_MESSAGE = ENV.from_string(
    """{% extends "base.html" %}
{% block title %}{{ title }}{% endblock %}
{% block main %}
<h1>{{ title }}</h1>
<div class="card"><p class="error" role="alert">{{ message }}</p>
<p><a href="{{ back }}">返回</a></p></div>
{% endblock %}"""
)


def message_page(
    request: Request, user: Principal | None, title: str, message: str, status: int
) -> HTMLResponse:
    """A page that only says ``message`` (a refusal)."""
    from markupsafe import Markup

    csrf = str(getattr(request.state, "csrf", "") or "")
    html = _MESSAGE.render(
        title=title,
        message=message,
        back=_coming_back(request) if request.method != "GET" else "/",
        user=user,
        csrf=csrf,
        path=request.url.path,
        request=request,
        form_fields=lambda: Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf}">'),
        may=lambda action: user is not None and user.may(action),
    )
    return HTMLResponse(html, status_code=status)


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    location = "/login"
    if exc.next_path and exc.next_path != "/":
        location += "?next=" + quote(exc.next_path, safe="/")
    return redirect(request, location)


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    return message_page(request, None, "请求被拒绝", CSRF_REFUSED, 403)


async def _form_refused(request: Request, exc: Exception) -> Response:
    """A refusal no page caught itself (``require`` in a GET, say): a page saying why."""
    assert isinstance(exc, FormRefused)
    user = await run_in_threadpool(current_user, request)
    title = "没有权限" if exc.status == 403 else "无法完成"
    return message_page(request, user, title, exc.message, exc.status)


def install(app: FastAPI) -> None:
    """The answers to a missing session, a missing CSRF token and an uncaught refusal."""
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(FormRefused, _form_refused)


# -- login and logout ----------------------------------------------------------------------------


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(
    request: Request, *, next_path: str, error: str = "", login: str = "", status: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    request.state.csrf = token
    response = page(
        request, None, "login.html", status=status, next=next_path, error=error, login=login
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    target = safe_next(next)
    if current_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, next_path=target)


def _login_of(request: Request, identifier: str) -> str:
    """The login typed, or the login of the person whose 手机号 was typed."""
    text = identifier.strip().lower()
    users = users_of(request)
    if users.has_password(text):
        return text
    phone = re.sub(r"[\s-]", "", text)
    if PHONE.fullmatch(phone):
        runtime = request.app.state.runtime
        runtime.views.catch_up()
        found = login_of_phone(runtime.engine, phone)
        if found is not None:
            return found
    return text


def client_address(request: Request) -> str:
    """The client's address, by which failed logins are counted (``web.lockout``)."""
    return request.client.host if request.client else "unknown"


def _log_in(request: Request, identifier: str, password: str) -> tuple[str, str]:
    """(session id, csrf) of a new session, or :class:`LoginRefused`."""
    users = users_of(request)
    login = _login_of(request, identifier)
    users.verify(login, password, client_address(request))
    try:
        person = request.app.state.runtime.app.people.get_person(login)
    except PersonNotFoundError:
        raise LoginRefused(WRONG) from None
    if person.disabled:
        raise LoginRefused(DISABLED)
    return users.start_session(login)


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await request.form()
    identifier = form_text(form, "login")
    password = form.get("password")
    next_path = safe_next(form_text(form, "next"))
    sent = form_text(form, CSRF_FIELD)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _login_page(
            request,
            next_path=next_path,
            login=identifier,
            status=403,
            error="登录页面已过期，请重新输入后登录",
        )
    if not identifier or not isinstance(password, str) or not password:
        return _login_page(
            request,
            next_path=next_path,
            login=identifier,
            status=422,
            error="请填写登录名（或手机号）和密码",
        )
    try:
        session_id, _csrf = await run_in_threadpool(_log_in, request, identifier, password)
    except LoginBusy as busy:
        answer = _login_page(
            request, next_path=next_path, login=identifier, status=429, error=busy.message
        )
        answer.headers["Retry-After"] = str(busy.retry_after)
        return answer
    except LoginRefused as refused:
        return _login_page(
            request, next_path=next_path, login=identifier, status=401, error=refused.message
        )
    old = request.cookies.get(COOKIE)
    if old:
        users_of(request).end_session(old)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(ABSOLUTE.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, user: FormUser) -> Response:
    users_of(request).end_session(request.state.session_id)
    response = redirect(request, "/login")
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


def form_text(form: FormData, name: str) -> str:
    """The form field ``name``, trimmed (empty when missing or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# -- password change -----------------------------------------------------------------------------


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, user: PageUser) -> Response:
    return page(request, user, "password.html", errors={}, done=False)


@router.post("/password", response_class=HTMLResponse)
async def password_submit(request: Request, user: FormUser) -> Response:
    form = await request.form()
    old, new, again = (form.get(k) for k in ("old_password", "new_password", "new_password2"))
    errors: dict[str, str] = {}
    if not isinstance(old, str) or not old:
        errors["old_password"] = "请填写原密码"
    if not isinstance(new, str) or not new:
        errors["new_password"] = "请填写新密码"
    elif new != again:
        errors["new_password2"] = "两次输入的新密码不一致"
    if not errors:
        assert isinstance(old, str) and isinstance(new, str)
        users = users_of(request)
        try:
            check_new_password(new)
            await run_in_threadpool(
                users.change_password, str(user.person), old, new, client_address(request)
            )
        except PasswordError as error:
            errors[error.field] = error.message
        else:
            users.end_sessions(str(user.person), keep=request.state.session_id)
            return page(request, user, "password.html", errors={}, done=True)
    return page(request, user, "password.html", errors=errors, done=False, status=422)


__all__ = [
    "COOKIE",
    "CSRF_REFUSED",
    "FormUser",
    "PageUser",
    "client_address",
    "current_user",
    "form_text",
    "form_user",
    "page_user",
    "require",
    "router",
    "safe_next",
    "users_of",
]


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
