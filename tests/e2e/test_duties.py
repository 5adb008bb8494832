"""Segregation of duties that a token or a second login cannot bypass (security issue item 4):
a person's token acts with at most the person's role; ``token create --user`` refuses a higher
role; one natural person (姓名 + 手机号) has one active login, and the own-voucher rule compares
natural persons; disabling a person stops their token at its very next request. On SQLite (the
rules are the application's, not the store's)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import ConflictError
from scripts.cli import main
from tests.builders import receipt
from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import post_entry, register_village
from tests.e2e.test_voucher_workflow_api import act, body
from web.tokens import TokenStore

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def person_token(
    api: Api, login: str, role: str, person_role: str, phone: str | None = None
) -> dict[str, str]:
    """A person of ``person_role`` in 唐坊镇 and a token of ``role`` of theirs."""
    api.runtime.app.people.register_person(
        login, f"人{login}", person_role, ["唐坊镇"], phone, "cli"
    )
    townships = ["唐坊镇"] if role == "clerk" else []
    return bearer(TokenStore(api.runtime.engine).create(f"t-{login}", role, townships, owner=login))


def submitted(api: Api, village: str, headers: dict[str, str]) -> str:
    made = api.client.post(f"/v1/entities/{village}/vouchers", json=body(), headers=headers)
    assert made.status_code == 201, made.text
    draft: str = made.json()["draft"]
    assert act(api, draft, "submit", headers).status_code == 200
    return draft


def cli(database: tuple[str, str | None], capsys: Any, *args: str) -> tuple[int, str, str]:
    """``lianzhang ARGS`` in this process but with its own runtime (its own caches, as another
    process would have): (exit status, stdout, stderr)."""
    url, schema = database
    status = main(["--database-url", url, *(["--schema", schema] if schema else []), *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_a_preparers_clerk_token_prepares_but_cannot_approve_post_close_or_execute(
    api: Api,
) -> None:
    village = register_village(api)
    zhidan = person_token(api, "zhidan", "clerk", "preparer")
    colleague = submitted(api, village, api.clerk)
    head = api.runtime.views.head()
    zh = {"Accept-Language": "zh-CN"}
    approve = act(api, colleague, "approve", {**zhidan, **zh})
    assert approve.status_code == 403, approve.text
    assert approve.json()["type"].endswith("forbidden-role")
    assert "审核" in approve.json()["detail"]
    direct = post_entry(api, village, receipt("10.00"), headers={**zhidan, **zh})
    assert direct.status_code == 403, direct.text
    assert "记账" in direct.json()["detail"]
    close = api.client.post(
        f"/v1/entities/{village}/closed-months", json={"month": "2025-03"}, headers={**zhidan, **zh}
    )
    assert close.status_code == 403 and "结账" in close.json()["detail"]
    execute = api.client.post(
        "/v1/plans/P-NONE/execution", json={"date": "2026-03-05"}, headers={**zhidan, **zh}
    )
    assert execute.status_code == 403, execute.text
    assert api.runtime.views.head() == head  # nothing written
    # what a preparer may do, the token does
    own = submitted(api, village, zhidan)
    assert act(api, own, "approve", api.clerk).status_code == 200


def test_a_reviewers_token_approves_but_does_not_prepare(api: Api) -> None:
    village = register_village(api)
    shenhe = person_token(api, "shenhe", "clerk", "reviewer")
    refused = api.client.post(f"/v1/entities/{village}/vouchers", json=body(), headers=shenhe)
    assert refused.status_code == 403
    draft = submitted(api, village, api.clerk)
    assert act(api, draft, "approve", shenhe).status_code == 200


def test_an_admin_token_of_a_preparer_is_no_more_than_the_preparer(api: Api) -> None:
    """A token made before the rule (or by hand) with a higher role than its person: it acts
    with the person's role, in the person's townships."""
    village = register_village(api)
    other = register_village(api, township="花沟镇")
    zhidan = person_token(api, "zhidan", "admin", "preparer")
    assert post_entry(api, village, receipt("10.00"), headers=zhidan).status_code == 403
    draft = submitted(api, village, api.clerk)
    assert act(api, draft, "approve", zhidan).status_code == 403
    elsewhere = api.client.post(f"/v1/entities/{other}/vouchers", json=body(), headers=zhidan)
    assert elsewhere.status_code == 403
    assert (
        api.client.post(f"/v1/entities/{village}/vouchers", json=body(), headers=zhidan).status_code
        == 201
    )


def test_token_create_refuses_a_role_above_the_persons(
    runtime: Any, database: tuple[str, str | None], capsys: Any
) -> None:
    runtime.app.people.register_person("zhidan", "李晓红", "preparer", ["唐坊镇"], None, "cli")
    status, _out, err = cli(
        database, capsys, "token", "create", "t1", "--role", "admin", "--user", "zhidan"
    )
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1 and "preparer" in err
    status, _out, err = cli(
        database, capsys, "token", "create", "t2", "--role", "clerk", "--township", "花沟镇",
        "--user", "zhidan",
    )  # fmt: skip
    assert status == 2 and "花沟镇" in err
    assert "t1" not in cli(database, capsys, "token", "list")[1]
    status, out, err = cli(
        database, capsys, "token", "create", "t3", "--role", "clerk", "--township", "唐坊镇",
        "--user", "zhidan",
    )  # fmt: skip
    assert status == 0 and out.startswith("lz_"), err


def test_one_natural_person_has_one_active_login(api: Api) -> None:
    app = api.runtime.app
    app.people.register_person("zhidan", "李晓红", "preparer", ["唐坊镇"], "13800001111", "cli")
    with pytest.raises(ConflictError, match="13800001111") as refused:
        app.people.register_person(
            "lixh2", "李晓红", "reviewer", ["唐坊镇"], "138-0000-1111", "cli"
        )
    assert "李晓红" in (refused.value.zh or "")
    # the same 姓名 without a phone cannot be told apart either
    with pytest.raises(ConflictError):
        app.people.register_person("lixh3", "李晓红", "reviewer", ["唐坊镇"], None, "cli")
    # another 李晓红 with another phone is another person
    app.people.register_person("lixh4", "李晓红", "reviewer", ["唐坊镇"], "13900002222", "cli")
    # nor can a change or an enable make two active logins of one person
    with pytest.raises(ConflictError):
        app.people.change_person("lixh4", phone="13800001111", actor="cli")
    app.people.disable_person("zhidan", "cli")
    app.people.change_person("lixh4", phone="13800001111", actor="cli")
    with pytest.raises(ConflictError):
        app.people.enable_person("zhidan", "cli")


def test_a_second_login_of_the_same_person_cannot_approve_their_voucher(api: Api) -> None:
    village = register_village(api)
    zhidan = person_token(api, "zhidan", "clerk", "preparer", phone="13800001111")
    draft = submitted(api, village, zhidan)
    api.runtime.app.people.disable_person("zhidan", "cli")
    # the same natural person, a new login as reviewer (the old one disabled)
    second = person_token(api, "lixh2", "clerk", "reviewer", phone="13800001111")
    api.runtime.app.people.change_person("lixh2", name="人zhidan", actor="cli")
    refused = act(api, draft, "approve", {**second, "Accept-Language": "zh-CN"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("own-voucher")
    assert "自己制单" in refused.json()["detail"]


def test_disabling_a_person_stops_their_token_at_the_next_request(
    api: Api, database: tuple[str, str | None], capsys: Any
) -> None:
    village = register_village(api)
    zhuguan = person_token(api, "zhuguan", "clerk", "bookkeeper")
    # warm every cache of this process: the token has written and read
    assert post_entry(api, village, receipt("10.00"), headers=zhuguan).status_code == 201
    assert api.client.get(f"/v1/entities/{village}/entries", headers=zhuguan).status_code == 200
    assert cli(database, capsys, "user", "disable", "zhuguan")[0] == 0  # another runtime
    head = api.runtime.views.head()
    refused = post_entry(api, village, receipt("11.00"), headers=zhuguan)
    assert refused.status_code == 401, refused.text
    assert api.runtime.views.head() == head
    # enabling the person again does not revive the token (it was revoked)
    assert cli(database, capsys, "user", "enable", "zhuguan")[0] == 0
    assert post_entry(api, village, receipt("12.00"), headers=zhuguan).status_code == 401
