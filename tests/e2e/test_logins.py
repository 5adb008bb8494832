"""Logins that cannot be turned against the township (security issue item 5): a lock-out is by
login AND client address, so nobody locks another person out; attempts at one login are checked
one after another, so parallel guesses all meet the lock-out; unknown, wrong and locked logins
are answered alike; ``lianzhang user unlock`` and an administrator's password reset lift a lock.
On SQLite, and the lock-out's storage once on PostgreSQL."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.bootstrap import Runtime
from scripts.cli import main
from tests.apps import app_for
from tests.e2e.passwords import CHEAP
from tests.e2e.test_sessions import PASSWORD, log_in
from web.lockout import LOCKOUT, login_failures
from web.users import LoginRefused, UserStore

SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def store(runtime: Runtime, **kw: Any) -> UserStore:
    return UserStore(runtime.engine, hasher=CHEAP, **kw)


def register(
    runtime: Runtime,
    login: str,
    name: str,
    role: str = "preparer",
    townships: tuple[str, ...] = ("唐坊镇",),
    phone: str | None = None,
) -> None:
    runtime.app.people.register_person(login, name, role, list(townships), phone, "cli")
    store(runtime).set_password(login, PASSWORD)


@pytest.fixture
def browsers(runtime: Runtime) -> Any:
    app = app_for(runtime)
    app.state.users = store(runtime)
    made = [
        TestClient(
            app, base_url="http://testserver", follow_redirects=False, client=(address, 50000)
        )
        for address in ("10.0.0.1", "10.0.0.2")
    ]
    for browser in made:
        browser.__enter__()
    yield made
    for browser in made:
        browser.__exit__(None, None, None)


@SQLITE
def test_failures_from_one_address_do_not_lock_the_login_for_another(
    runtime: Runtime, browsers: Any
) -> None:
    attacker, clerk = browsers
    register(runtime, "guanli", "刘志强", role="admin", townships=())
    for _ in range(6):
        assert log_in(attacker, "guanli", "wrong password").status_code == 401
    assert log_in(attacker, "guanli").status_code == 401  # the attacker's address is locked
    assert log_in(clerk, "guanli").status_code == 303  # the administrator is not


@SQLITE
def test_unknown_wrong_and_locked_are_answered_alike(runtime: Runtime, browsers: Any) -> None:
    attacker, _clerk = browsers
    register(runtime, "lisi", "李四", phone="13800001111")
    for _ in range(5):
        log_in(attacker, "lisi", "wrong password")
    answers = {
        "unknown login": log_in(attacker, "nobody", "wrong password"),
        "unknown phone": log_in(attacker, "13900009999", "wrong password"),
        "wrong": log_in(attacker, "zhangsan-does-not-exist", PASSWORD),
        "locked, right password": log_in(attacker, "lisi", PASSWORD),
        "locked by phone": log_in(attacker, "13800001111", PASSWORD),
    }
    texts = {what: error_of(answer.text) for what, answer in answers.items()}
    assert {a.status_code for a in answers.values()} == {401}
    assert len(set(texts.values())) == 1, texts
    assert "锁定" not in next(iter(texts.values()))


def error_of(page: str) -> str:
    import re

    found = re.search(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    assert found, page
    return found.group(1).strip()


@SQLITE
def test_parallel_wrong_passwords_all_meet_the_lock_out(runtime: Runtime) -> None:
    register(runtime, "shenhe", "王建国", role="reviewer")
    users = store(runtime)

    def guess(i: int) -> str:
        try:
            users.verify("shenhe", f"guess {i}", "10.0.0.9")
        except LoginRefused as refused:
            return refused.message
        return "in"

    with ThreadPoolExecutor(10) as pool:
        refused = [answer for answer in pool.map(guess, range(10)) if answer != "in"]
    assert len(refused) == 10
    with runtime.engine.connect() as conn:
        row = conn.execute(login_failures.select().where(login_failures.c.login == "shenhe")).one()
    # only five were checked: the rest met the lock
    assert row.failures == 5
    with pytest.raises(LoginRefused):  # the right one, while locked: refused
        users.verify("shenhe", PASSWORD, "10.0.0.9")
    users.verify("shenhe", PASSWORD, "10.0.0.10")  # another address: in


@SQLITE
def test_user_unlock_and_the_password_reset_lift_the_lock(
    runtime: Runtime, database: tuple[str, str | None], capsys: Any
) -> None:
    register(runtime, "zhidan", "李晓红")
    users = store(runtime)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users.verify("zhidan", "wrong password", "10.0.0.3")
    with pytest.raises(LoginRefused):
        users.verify("zhidan", PASSWORD, "10.0.0.3")
    url, _schema = database
    assert main(["--database-url", url, "user", "unlock", "zhidan"]) == 0
    assert "zhidan" in capsys.readouterr().out
    users.verify("zhidan", PASSWORD, "10.0.0.3")
    missing = main(["--database-url", url, "user", "unlock", "nobody"])
    assert missing == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users.verify("zhidan", "wrong password", "10.0.0.3")
    users.set_password("zhidan", "a fresh password")
    users.verify("zhidan", "a fresh password", "10.0.0.3")


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_the_lock_out_is_in_the_database_for_every_process(runtime: Runtime) -> None:
    """Two stores (two processes) on one PostgreSQL schema see one lock-out, and it grows."""
    register(runtime, "shenji", "陈立明", role="auditor", townships=())
    first, second = store(runtime), store(runtime)
    for one in (first, second, first, second, first):
        with pytest.raises(LoginRefused):
            one.verify("shenji", "wrong password", "10.0.0.4")
    with pytest.raises(LoginRefused):
        second.verify("shenji", PASSWORD, "10.0.0.4")
    later = store(
        runtime,
        now=lambda: datetime.datetime.now(datetime.UTC) + LOCKOUT + datetime.timedelta(seconds=5),
    )
    with pytest.raises(LoginRefused):  # one more failure after the lock: locked twice as long
        later.verify("shenji", "wrong again", "10.0.0.4")
    with runtime.engine.connect() as conn:
        row = conn.execute(login_failures.select().where(login_failures.c.login == "shenji")).one()
    assert row.failures == 6
    until = row.locked_until.replace(tzinfo=row.locked_until.tzinfo or datetime.UTC)
    assert until - datetime.datetime.now(datetime.UTC) > LOCKOUT * 2
    second.verify("shenji", PASSWORD, "10.0.0.5")


@SQLITE
def test_a_full_queue_of_password_checks_is_answered_429_at_once(
    runtime: Runtime, browsers: Any
) -> None:
    from web.hash_slots import HashSlots

    register(runtime, "zhuguan", "张淑芬", role="bookkeeper")
    slots = HashSlots(concurrent=1, queue=0, wait=0.01)
    browser = browsers[0]
    browser.app.state.users = store(runtime, slots=slots)
    with slots.slot():  # every slot taken, no room to wait
        busy = log_in(browser, "zhuguan")
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "5"
    assert "请 5 秒后再试" in busy.text
    assert log_in(browser, "zhuguan").status_code == 303
