"""People log in to the workbench: passwords hashed with Argon2id, lock-out after five failures,
session cookies (HttpOnly, SameSite=Strict), logout, CSRF on every form, disabled people out.
On both stores (the credentials and sessions tables live beside the log), but for what only
HTTP and the pages decide (CSRF, redirects, roles, cookie flags, page texts): SQLite. The first
test pins pwdlib's recommended parameters; the others hash with the tests' cheap ones
(``tests/e2e/passwords.py``)."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from sqlalchemy import select

from runtime.bootstrap import Runtime
from tests.apps import app_for
from tests.e2e.passwords import CHEAP, cheap_users
from web.users import LOCKOUT, UserStore, credentials, sessions
from workbench.session import COOKIE, CSRF_REFUSED, safe_next

PASSWORD = "correct horse 9"


def register(
    runtime: Runtime,
    login: str,
    name: str,
    role: str = "preparer",
    townships: tuple[str, ...] = ("唐坊镇",),
    password: str = PASSWORD,
) -> None:
    runtime.app.people.register_person(login, name, role, list(townships), None, "cli")
    UserStore(runtime.engine, hasher=CHEAP).set_password(login, password)


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    app = app_for(runtime)
    cheap_users(app)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def log_in(
    client: TestClient, login: str, password: str = PASSWORD, next_path: str = "/"
) -> object:
    token = login_token(client)
    return client.post(
        "/login",
        data={"login": login, "password": password, "next": next_path, "csrf_token": token},
    )


def csrf_of(client: TestClient, path: str = "/password") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_password_is_stored_as_argon2id(runtime: Runtime) -> None:
    runtime.app.people.register_person("wangfang", "王芳", "preparer", ["唐坊镇"], None, "cli")
    UserStore(runtime.engine).set_password("wangfang", PASSWORD)  # the production parameters
    with runtime.engine.connect() as conn:
        stored = conn.execute(
            select(credentials.c.password_hash).where(credentials.c.login == "wangfang")
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert not PasswordHash.recommended().hashers[0].check_needs_rehash(stored)  # pwdlib's own
    assert PASSWORD not in stored
    # never in an event either
    with runtime.engine.connect() as conn:
        states = [n.state for n in runtime.app.recorder.select_notifications(start=1, limit=100)]
    assert all(PASSWORD.encode() not in bytes(s) for s in states)
    assert "王芳".encode() in b"".join(bytes(s) for s in states) or any(
        "\\u738b" in bytes(s).decode() for s in states
    )


def test_login_sets_a_strict_httponly_session_cookie_and_logout_ends_it(
    runtime: Runtime, client: TestClient
) -> None:
    register(runtime, "wangfang", "王芳")
    answer = log_in(client, "wangfang", next_path="/password")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/password"
    cookie = next(
        h for k, h in answer.headers.multi_items() if k == "set-cookie" and h.startswith(COOKIE)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain http here; https gets Secure
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert len(session_id) >= 43  # 256 bits, URL-safe base64
    with runtime.engine.connect() as conn:
        stored = [r.id_hash for r in conn.execute(select(sessions))]
    assert session_id not in stored and len(stored) == 1  # only its SHA-256
    page = client.get("/password")
    assert page.status_code == 200
    assert "王芳" in page.text and "制单" in page.text
    token = csrf_of(client)
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert UserStore(runtime.engine).count_sessions("wangfang") == 0
    client.cookies.set(COOKIE, session_id)  # the old cookie, replayed
    again = client.get("/password")
    assert again.status_code == 303
    assert again.headers["location"] == "/login?next=/password"


@pytest.mark.one_store  # HTTP and pages, not storage: SQLite only
def test_a_page_without_session_goes_to_login_and_htmx_is_told_so(client: TestClient) -> None:
    plain = client.get("/password?x=1")
    assert plain.status_code == 303
    assert plain.headers["location"].startswith("/login?next=/password")
    htmx = client.get("/password", headers={"HX-Request": "true"})
    assert htmx.status_code == 200
    assert htmx.headers["HX-Redirect"].startswith("/login?next=/password")


def test_next_is_only_a_local_path() -> None:
    assert safe_next("/vouchers?status=draft") == "/vouchers?status=draft"
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x", ""):
        assert safe_next(bad) == "/"


def error_text(page: str) -> str:
    found = re.search(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    assert found, page
    return found.group(1).strip()


def test_five_failures_lock_the_login_even_for_the_right_password(
    runtime: Runtime, client: TestClient
) -> None:
    register(runtime, "lisi", "李四")
    for _attempt in range(4):
        wrong = log_in(client, "lisi", "wrong password")
        assert wrong.status_code == 401
        assert "登录名或密码不正确" in wrong.text
    fifth = log_in(client, "lisi", "wrong password")
    assert fifth.status_code == 401 and "登录名或密码不正确" in fifth.text
    sixth = log_in(client, "lisi", PASSWORD)  # the right one: still refused from this address
    assert sixth.status_code == 401
    assert sixth.text.count("登录名或密码不正确") == fifth.text.count("登录名或密码不正确")
    assert error_text(sixth.text) == error_text(fifth.text)  # one answer (security item 5)
    assert COOKIE not in sixth.headers.get("set-cookie", "")
    # fifteen minutes later it opens again
    later = UserStore(
        runtime.engine,
        now=lambda: datetime.datetime.now(datetime.UTC) + LOCKOUT + datetime.timedelta(seconds=5),
        hasher=CHEAP,
    )
    later.verify("lisi", PASSWORD, "testclient")


def test_login_by_phone_number(runtime: Runtime, client: TestClient) -> None:
    runtime.app.people.register_person(
        "zhaoliu", "赵六", "reviewer", ["唐坊镇"], "13800001111", "cli"
    )
    UserStore(runtime.engine, hasher=CHEAP).set_password("zhaoliu", PASSWORD)
    answer = log_in(client, "138 0000 1111")
    assert answer.status_code == 303


@pytest.mark.one_store  # HTTP and pages, not storage: SQLite only
def test_a_post_without_csrf_token_is_refused_and_writes_nothing(
    runtime: Runtime, client: TestClient
) -> None:
    register(runtime, "admin1", "管理员甲", role="admin", townships=())
    assert log_in(client, "admin1").status_code == 303
    before = runtime.views.head()
    forged = client.post(
        "/users",
        data={
            "login": "mallory",
            "name": "某人",
            "role": "admin",
            "townships": "",
            "password": "12345678abc",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert forged.status_code == 403
    assert CSRF_REFUSED in forged.text
    wrong = client.post(
        "/users",
        data={
            "login": "mallory",
            "name": "某人",
            "role": "admin",
            "password": "12345678abc",
            "csrf_token": "not-the-token",
        },
    )
    assert wrong.status_code == 403
    assert runtime.views.head() == before
    assert not UserStore(runtime.engine).has_password("mallory")
    # with the token, through the page: written once
    token = csrf_of(client, "/users")
    made = client.post(
        "/users",
        data={
            "login": "zhangsan",
            "name": "张三",
            "role": "preparer",
            "townships": "唐坊镇",
            "phone": "",
            "password": "12345678abc",
            "csrf_token": token,
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert made.status_code == 303, made.text
    listed = client.get("/users")
    assert "张三" in listed.text and "制单" in listed.text
    # the header works as well (htmx)
    header = client.post(
        "/users/zhangsan/disable",
        headers={"X-CSRF-Token": token},
        data={"idempotency_key": uuid.uuid4().hex},
    )
    assert header.status_code == 303, header.text
    assert runtime.app.people.get_person("zhangsan").disabled


def test_disabled_person_cannot_log_in_and_their_sessions_end(
    runtime: Runtime, client: TestClient
) -> None:
    register(runtime, "admin1", "管理员甲", role="admin", townships=())
    register(runtime, "wangfang", "王芳")
    other = TestClient(client.app, follow_redirects=False)
    assert log_in(other, "wangfang").status_code == 303
    assert other.get("/password").status_code == 200
    assert log_in(client, "admin1").status_code == 303
    token = csrf_of(client, "/users")
    off = client.post(
        "/users/wangfang/disable", data={"csrf_token": token, "idempotency_key": uuid.uuid4().hex}
    )
    assert off.status_code == 303
    assert UserStore(runtime.engine).count_sessions("wangfang") == 0
    assert other.get("/password").status_code == 303
    refused = log_in(other, "wangfang")
    assert refused.status_code == 401 and "停用" in refused.text
    on = client.post(
        "/users/wangfang/enable", data={"csrf_token": token, "idempotency_key": uuid.uuid4().hex}
    )
    assert on.status_code == 303
    assert log_in(other, "wangfang").status_code == 303


@pytest.mark.one_store  # HTTP and pages, not storage: SQLite only
def test_only_admins_manage_people(runtime: Runtime, client: TestClient) -> None:
    register(runtime, "wangfang", "王芳")
    assert log_in(client, "wangfang").status_code == 303
    page = client.get("/users")
    assert page.status_code == 403 and "管理用户" in page.text
    token = csrf_of(client)
    forged = client.post(
        "/users",
        data={
            "csrf_token": token,
            "login": "x1",
            "name": "某",
            "role": "admin",
            "password": "12345678abc",
        },
    )
    assert forged.status_code == 403


def test_password_change_needs_the_old_one(runtime: Runtime, client: TestClient) -> None:
    register(runtime, "wangfang", "王芳")
    assert log_in(client, "wangfang").status_code == 303
    token = csrf_of(client)
    short = client.post(
        "/password",
        data={
            "csrf_token": token,
            "old_password": PASSWORD,
            "new_password": "short",
            "new_password2": "short",
        },
    )
    assert short.status_code == 422 and "至少 8 位" in short.text
    wrong = client.post(
        "/password",
        data={
            "csrf_token": token,
            "old_password": "nope-nope",
            "new_password": "new password 1",
            "new_password2": "new password 1",
        },
    )
    assert wrong.status_code == 422 and "原密码不正确" in wrong.text
    done = client.post(
        "/password",
        data={
            "csrf_token": token,
            "old_password": PASSWORD,
            "new_password": "new password 1",
            "new_password2": "new password 1",
        },
    )
    assert done.status_code == 200 and "密码已修改" in done.text
    fresh = TestClient(client.app, follow_redirects=False)
    assert log_in(fresh, "wangfang", PASSWORD).status_code == 401
    assert log_in(fresh, "wangfang", "new password 1").status_code == 303


def test_sessions_expire_when_idle_and_at_last(runtime: Runtime) -> None:
    now = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
    clock = {"now": now}
    store = UserStore(runtime.engine, now=lambda: clock["now"])
    session_id, _csrf = store.start_session("wangfang")
    clock["now"] = now + datetime.timedelta(hours=11)
    assert store.session(session_id) is not None  # used: idle time starts again
    clock["now"] = now + datetime.timedelta(hours=22)
    assert store.session(session_id) is not None
    clock["now"] = now + datetime.timedelta(hours=34, minutes=1)
    assert store.session(session_id) is None  # 12 h idle
    session_id, _csrf = store.start_session("wangfang")
    start = clock["now"]
    for hours in range(10, 24 * 7, 10):
        clock["now"] = start + datetime.timedelta(hours=hours)
        assert store.session(session_id) is not None
    clock["now"] = start + datetime.timedelta(days=7, minutes=1)
    assert store.session(session_id) is None  # 7 days at most
    # a session nobody comes back to is deleted when another one starts
    store.start_session("lisi")
    clock["now"] += datetime.timedelta(hours=13)
    store.start_session("wangfang")
    with runtime.engine.connect() as conn:
        assert [r.login for r in conn.execute(select(sessions))] == ["wangfang"]


@pytest.mark.one_store  # HTTP and pages, not storage: SQLite only
def test_users_page_names_the_field_at_fault_in_chinese(
    runtime: Runtime, client: TestClient
) -> None:
    register(runtime, "admin1", "管理员甲", role="admin", townships=())
    assert log_in(client, "admin1").status_code == 303
    token = csrf_of(client, "/users")
    before = runtime.views.head()
    for data, says in (
        (
            {"login": "lisi", "name": "李四", "role": "preparer", "townships": ""},
            "须至少负责一个乡镇",
        ),
        ({"login": "李四", "name": "李四", "role": "auditor", "townships": ""}, "登录名"),
        ({"login": "admin1", "name": "李四", "role": "auditor", "townships": ""}, "已被使用"),
    ):
        refused = client.post(
            "/users",
            data={
                **data,
                "phone": "",
                "password": "12345678abc",
                "csrf_token": token,
                "idempotency_key": uuid.uuid4().hex,
            },
        )
        assert refused.status_code in (409, 422), refused.text
        assert says in refused.text
    short = client.post(
        "/users",
        data={
            "login": "lisi",
            "name": "李四",
            "role": "auditor",
            "password": "short",
            "csrf_token": token,
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert short.status_code == 422 and "至少 8 位" in short.text
    assert runtime.views.head() == before


@pytest.mark.one_store  # HTTP and pages, not storage: SQLite only
def test_over_https_the_cookie_is_secure(runtime: Runtime) -> None:
    register(runtime, "wangfang", "王芳")
    app = app_for(runtime)
    cheap_users(app)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as secure:
        answer = log_in(secure, "wangfang")
        assert answer.status_code == 303
        cookie = next(
            h for k, h in answer.headers.multi_items() if k == "set-cookie" and h.startswith(COOKIE)
        )
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert secure.get("/password").status_code == 200


def test_an_admin_resets_a_locked_out_password(runtime: Runtime, client: TestClient) -> None:
    register(runtime, "admin1", "管理员甲", role="admin", townships=())
    register(runtime, "lisi", "李四")
    other = TestClient(client.app, follow_redirects=False)
    for _ in range(5):
        log_in(other, "lisi", "wrong password")
    assert log_in(other, "lisi").status_code == 401  # locked from this address
    assert log_in(client, "admin1").status_code == 303
    token = csrf_of(client, "/users")
    short = client.post("/users/lisi/password", data={"csrf_token": token, "password": "short"})
    assert short.status_code == 422 and "至少 8 位" in short.text
    done = client.post(
        "/users/lisi/password", data={"csrf_token": token, "password": "a fresh password"}
    )
    assert done.status_code == 200 and "已重设 李四（lisi）的密码" in done.text
    assert log_in(other, "lisi", "a fresh password").status_code == 303


@pytest.mark.one_store  # HTTP and pages, not storage: SQLite only
def test_an_admin_changes_a_persons_role_and_townships(
    runtime: Runtime, client: TestClient
) -> None:
    register(runtime, "wangfang", "王芳")
    register(runtime, "guanli", "刘志强", role="admin", townships=())
    assert log_in(client, "wangfang").status_code == 303
    forged = client.post(
        "/users/wangfang/change",
        data={"csrf_token": csrf_of(client), "role": "admin", "townships": ""},
    )
    assert forged.status_code == 403
    assert runtime.app.people.get_person("wangfang").role == "preparer"
    client.cookies.clear()
    assert log_in(client, "guanli").status_code == 303
    page = client.get("/users")
    assert 'action="/users/wangfang/change"' in page.text
    token = csrf_of(client, "/users")
    refused = client.post(
        "/users/wangfang/change",
        data={"csrf_token": token, "idempotency_key": "c0", "role": "reviewer", "townships": ""},
    )
    assert refused.status_code == 422, refused.text  # a reviewer needs a township
    assert runtime.app.people.get_person("wangfang").role == "preparer"
    changed = client.post(
        "/users/wangfang/change",
        data={
            "csrf_token": token,
            "idempotency_key": "c1",
            "name": "王芳",
            "role": "reviewer",
            "townships": "唐坊镇、花沟镇",
            "phone": "",
        },
    )
    assert changed.status_code == 303, changed.text
    person = runtime.app.people.get_person("wangfang")
    assert (person.role, sorted(person.townships)) == ("reviewer", ["唐坊镇", "花沟镇"])
    # the change holds from wangfang's next request
    client.cookies.clear()
    assert log_in(client, "wangfang").status_code == 303
    assert "审核" in client.get("/").text
