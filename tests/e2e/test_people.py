"""People in the log and on the command line: ``lianzhang user create|list|disable|enable|
password``, tokens that belong to a person (events record ``login@token``; 经办 on the sheet and
the audit trail show 姓名), and a store older than token owners (its tokens keep working)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from audit.chain import trail
from documents.disclosure import disclosure_content
from domain.context import CommandContext, acting
from domain.errors import ForbiddenError, InvalidRequestError
from domain.people import Person
from domain.periods import parse_period
from domain.tenancy import township_of
from projections.people_view import display_actor, display_names, person_list
from runtime.bootstrap import Runtime
from tests.builders import receipt
from tests.e2e.command import lianzhang
from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import post_entry, register_village
from web.tokens import TokenStore, api_tokens
from web.users import UserStore


def test_a_person_in_the_log_and_the_read_model(runtime: Runtime) -> None:
    app = runtime.app
    person = app.people.register_person(
        "WangFang", "王芳", "preparer", ["唐坊镇"], "138-0000-1111", "cli"
    )
    assert person.login == "wangfang" and person.phone == "13800001111"
    assert township_of(app, person) is None
    app.people.change_person(
        "wangfang", role="reviewer", townships=["唐坊镇", "花沟镇"], actor="cli"
    )
    app.people.disable_person("wangfang", "cli")
    again = app.people.get_person("wangfang")
    assert (again.role, again.townships, again.disabled) == (
        "reviewer", ["唐坊镇", "花沟镇"], True
    )  # fmt: skip
    runtime.views.catch_up()
    assert person_list(runtime.engine) == [
        {
            "login": "wangfang",
            "name": "王芳",
            "phone": "13800001111",
            "role": "reviewer",
            "townships": ["唐坊镇", "花沟镇"],
            "disabled": True,
        }
    ]
    names = display_names(runtime.engine)
    assert display_actor("wangfang", names) == "王芳"
    assert display_actor("wangfang@erp", names) == "王芳（接口）"
    assert display_actor("import-vouchers", names) == "import-vouchers"
    # the audit trail says who registered whom
    with runtime.engine.connect() as conn:
        rows = [r for r in trail(conn) if r["aggregate_kind"] == "person"]
    assert [r["command"] for r in rows] == ["PersonRegistered", "PersonChanged", "PersonDisabled"]


def test_people_rules(runtime: Runtime) -> None:
    app = runtime.app
    with pytest.raises(InvalidRequestError, match="needs at least one township"):
        app.people.register_person("zhangsan", "张三", "preparer", [], None, "cli")
    with pytest.raises(InvalidRequestError, match="every township"):
        app.people.register_person("zhangsan", "张三", "admin", ["唐坊镇"], None, "cli")
    with pytest.raises(InvalidRequestError, match="role"):
        app.people.register_person("zhangsan", "张三", "boss", [], None, "cli")
    with pytest.raises(InvalidRequestError, match="login"):
        app.people.register_person("张三", "张三", "auditor", [], None, "cli")
    app.people.register_person("zhangsan", "张三", "auditor", [], None, "cli")
    with pytest.raises(Exception, match="taken"):
        app.people.register_person("zhangsan", "张三", "auditor", [], None, "cli")
    # inside a command context only an administrator (writing everywhere) may manage people
    with acting(CommandContext(actor="clerk-1", townships=frozenset({"唐坊镇"}))):
        with pytest.raises(ForbiddenError):
            app.people.register_person("lisi", "李四", "preparer", ["唐坊镇"], None, "clerk-1")
        with pytest.raises(ForbiddenError):
            app.people.disable_person("zhangsan", "clerk-1")
    with acting(CommandContext(actor="admin1", townships=None)):
        app.people.register_person("lisi", "李四", "preparer", ["唐坊镇"], None, "admin1")
    assert isinstance(app.people.get_person("lisi"), Person)


# the command line's behaviour, not storage: on SQLite only (PostgreSQL keeps rebuild, verify,
# export/import and the demo written once; tokens, users and sessions on PostgreSQL elsewhere)
@pytest.mark.one_store
def test_user_commands(database: tuple[str, str | None], tmp_path: Path) -> None:
    created = lianzhang(
        database,
        tmp_path,
        "user",
        "create",
        "wangfang",
        "--name",
        "王芳",
        "--role",
        "preparer",
        "--township",
        "唐坊镇",
        "--phone",
        "13800001111",
        "--password-stdin",
        input_text="a good password\n",
    )
    assert "wangfang" in created.stdout
    listed = lianzhang(database, tmp_path, "user", "list").stdout
    assert "wangfang\t王芳\tpreparer\t唐坊镇\t13800001111\tactive" in listed
    assert "password" not in listed and "argon2" not in listed
    # refusals: one line, non-zero, nothing written
    for args, says in (
        (("--role", "preparer"), "township"),
        (("--role", "admin", "--township", "唐坊镇"), "every township"),
    ):
        refused = lianzhang(
            database,
            tmp_path,
            "user",
            "create",
            "lisi",
            "--name",
            "李四",
            *args,
            "--password-stdin",
            input_text="a good password\n",
            check=False,
        )
        assert refused.returncode == 2, refused.stderr
        assert says in refused.stderr and refused.stderr.strip().count("\n") == 0
    short = lianzhang(
        database,
        tmp_path,
        "user",
        "create",
        "lisi",
        "--name",
        "李四",
        "--role",
        "auditor",
        "--password-stdin",
        input_text="short\n",
        check=False,
    )
    assert short.returncode == 2 and "8" in short.stderr
    taken = lianzhang(
        database,
        tmp_path,
        "user",
        "create",
        "wangfang",
        "--name",
        "王芳",
        "--role",
        "auditor",
        "--password-stdin",
        input_text="a good password\n",
        check=False,
    )
    assert taken.returncode == 2 and "taken" in taken.stderr
    listed = lianzhang(database, tmp_path, "user", "list").stdout
    assert "lisi" not in listed and listed.count("\n") == 1
    rt = Runtime(database[0], schema=database[1])
    try:
        assert not UserStore(rt.engine).has_password("lisi")
        UserStore(rt.engine).verify("wangfang", "a good password")
        UserStore(rt.engine).start_session("wangfang")
    finally:
        rt.close()
    changed = lianzhang(
        database,
        tmp_path,
        "user",
        "change",
        "wangfang",
        "--role",
        "reviewer",
        "--township",
        "唐坊镇",
        "--township",
        "花沟镇",
    )
    assert "reviewer" in changed.stdout
    assert (
        "wangfang\t王芳\treviewer\t唐坊镇,花沟镇"
        in lianzhang(database, tmp_path, "user", "list").stdout
    )
    disabled = lianzhang(database, tmp_path, "user", "disable", "wangfang")
    assert "1 session" in disabled.stdout
    assert "disabled" in lianzhang(database, tmp_path, "user", "list").stdout
    again = lianzhang(database, tmp_path, "user", "disable", "wangfang", check=False)
    assert again.returncode == 2 and "already disabled" in again.stderr
    lianzhang(database, tmp_path, "user", "enable", "wangfang")
    lianzhang(
        database,
        tmp_path,
        "user",
        "password",
        "wangfang",
        "--password-stdin",
        input_text="another password\n",
    )
    rt = Runtime(database[0], schema=database[1])
    try:
        UserStore(rt.engine).verify("wangfang", "another password")
    finally:
        rt.close()
    missing = lianzhang(database, tmp_path, "user", "disable", "nobody", check=False)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_token_of_a_person_writes_as_them(api: Api, tmp_path: Path) -> None:
    app = api.runtime.app
    app.people.register_person("wangfang", "王芳", "bookkeeper", ["唐坊镇"], None, "cli")
    token = TokenStore(api.runtime.engine).create("erp", "clerk", ["唐坊镇"], owner="wangfang")
    village = register_village(api)
    created = post_entry(api, village, receipt("800.00"), headers=bearer(token))
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["actor"] == "wangfang@erp"  # the raw actor stays
    assert entry["actor_name"] == "王芳（接口）"
    # the event itself records the person and the token
    api.runtime.views.catch_up()
    with api.runtime.engine.connect() as conn:
        rows = [r for r in trail(conn) if r["actor"] == "wangfang@erp"]
        assert rows and all(r["actor_name"] == "王芳（接口）" for r in rows)
        sheet = disclosure_content(
            conn,
            village,
            parse_period("2025-Q1"),
            checked_by=["赵德明"],
            checked_on=datetime.date(2025, 4, 2),
            opinion="无异议",
            made_on=datetime.date(2025, 4, 2),
        )
    handled = {i["handled_by"] for i in sheet["income"]["items"]}
    assert handled == {"王芳（接口）"}
    listed = api.client.get("/v1/audit/trail", headers=api.auditor).json()
    assert any(r.get("actor_name") == "王芳（接口）" for r in listed)
    # an old token (no owner) keeps its name as actor
    old = post_entry(api, village, receipt("100.00"), headers=api.admin).json()
    assert old["actor"] == old["actor_name"] == "admin-1"
    # a disabled person's token stops with them
    app.people.disable_person("wangfang", "cli")
    api.runtime.views.catch_up()
    refused = post_entry(api, village, receipt("1.00"), headers=bearer(token))
    assert refused.status_code == 401


# the command line's behaviour, not storage: on SQLite only (PostgreSQL keeps rebuild, verify,
# export/import and the demo written once; tokens, users and sessions on PostgreSQL elsewhere)
@pytest.mark.one_store
def test_token_create_for_a_user(database: tuple[str, str | None], tmp_path: Path) -> None:
    lianzhang(
        database,
        tmp_path,
        "user",
        "create",
        "wangfang",
        "--name",
        "王芳",
        "--role",
        "bookkeeper",
        "--township",
        "唐坊镇",
        "--password-stdin",
        input_text="a good password\n",
    )
    made = lianzhang(
        database,
        tmp_path,
        "token",
        "create",
        "erp",
        "--role",
        "clerk",
        "--township",
        "唐坊镇",
        "--user",
        "wangfang",
    )
    token = made.stdout.strip()
    assert "wangfang" in made.stderr
    assert (
        "erp\tclerk\t唐坊镇\tactive\twangfang"
        in lianzhang(database, tmp_path, "token", "list").stdout
    )
    nobody = lianzhang(
        database,
        tmp_path,
        "token",
        "create",
        "x",
        "--role",
        "admin",
        "--user",
        "nobody",
        check=False,
    )
    assert nobody.returncode == 2 and "does not exist" in nobody.stderr
    rt = Runtime(database[0], schema=database[1])
    try:
        rt.views.catch_up()
        principal = TokenStore(rt.engine).authenticate(token)
    finally:
        rt.close()
    assert principal is not None
    assert (principal.person, principal.display, principal.actor) == (
        "wangfang", "王芳", "wangfang@erp"
    )  # fmt: skip


def test_an_old_token_table_gets_the_owner_column(runtime: Runtime) -> None:
    """A store whose lz_api_tokens was made before owners: the column is added, and its
    tokens authenticate as before."""
    store = TokenStore(runtime.engine)
    token = store.create("old-clerk", "clerk", ["唐坊镇"])
    with runtime.engine.begin() as conn:
        conn.execute(text("ALTER TABLE lz_api_tokens DROP COLUMN owner"))
    with runtime.engine.connect() as conn:
        assert "owner" not in {
            c for c in conn.execute(select(text("*")).select_from(text("lz_api_tokens"))).keys()
        }
    again = TokenStore(runtime.engine)  # what a new version does on start
    principal = again.authenticate(token)
    assert principal is not None
    assert (principal.name, principal.role, principal.person, principal.actor) == (
        "old-clerk", "clerk", None, "old-clerk"
    )  # fmt: skip
    with runtime.engine.connect() as conn:
        assert conn.execute(select(api_tokens.c.owner)).scalar_one() is None


def test_a_rebuild_keeps_passwords_and_sessions(runtime: Runtime) -> None:
    runtime.app.people.register_person("wangfang", "王芳", "preparer", ["唐坊镇"], None, "cli")
    users = UserStore(runtime.engine)
    users.set_password("wangfang", "a good password")
    session_id, _csrf = users.start_session("wangfang")
    runtime.views.catch_up()
    runtime.views.rebuild()  # drops and replays every read model
    assert [p["login"] for p in person_list(runtime.engine)] == ["wangfang"]
    users.verify("wangfang", "a good password")
    assert users.session(session_id) is not None
