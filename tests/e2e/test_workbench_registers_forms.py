"""The registers' forms without a browser, on both stores: a clerk of another township is
refused (403, nothing written) on every page write; a double click (the same Idempotency-Key
twice) writes once; a confirm whose file the server no longer holds asks for the upload again;
sheets are previewed and published. On SQLite only, what a page shows: a register form's
refusal is in Chinese beside its field, a preparer has no publish or import button."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from adapters.register_files import HEADER, to_xlsx
from domain.members import register_id
from domain.privacy import with_check_digit
from runtime.bootstrap import Runtime
from tests import builders
from tests.apps import app_for
from tests.e2e.passwords import cheap_users

PASSWORD = "correct horse 9"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    app = app_for(runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def sign_in(runtime: Runtime, client: TestClient, login: str, role: str, township: str) -> str:
    """Register and log in a person; returns the session's CSRF token."""
    runtime.app.people.register_person(login, login, role, [township], None, "cli")
    cheap_users(client.app).set_password(login, PASSWORD)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/login",
        data={
            "login": login,
            "password": PASSWORD,
            "next": "/imports",
            "csrf_token": token.group(1),
        },
    )
    assert answer.status_code == 303, answer.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/imports").text)
    assert found
    return found.group(1)


def register_file() -> bytes:
    return to_xlsx(
        [
            [*HEADER, "人口股"],
            [
                "H01",
                "李建国",
                "2025-01-01",
                "H01-1",
                "李建国",
                with_check_digit("37032219800101001"),
                "2025-01-01",
                1,
            ],
        ]
    )


def test_a_clerk_of_another_township_writes_nothing(runtime: Runtime, client: TestClient) -> None:
    village = builders.village(runtime.app)  # 唐坊镇
    runtime.app.members.open_register(village=village, share_kinds=["人口股"], actor="tester")
    csrf = sign_in(runtime, client, "huagou", "bookkeeper", "花沟镇")
    before = runtime.views.head()
    preview = client.post(
        "/imports/register",
        data={"csrf_token": csrf, "village": village},
        files={"file": ("名册.xlsx", register_file(), XLSX)},
    )
    assert preview.status_code == 403 and "唐坊镇" in preview.text
    for path, form in (
        (
            f"/registers/villages/{village}/households",
            {"number": "H9", "head": "某", "registered_on": "2025-01-01"},
        ),
        (
            "/distribution",
            {
                "scope": "village",
                "target": village,
                "code": "PX",
                "title": "x",
                "period": "2025",
                "as_of": "2025-12-31",
                "amount": "1",
                "preset": "village-shares",
            },
        ),
        (f"/disclosure/{village}/2025/publish", {"checked_by": "张三", "checked_on": "2026-01-01"}),
    ):
        answer = client.post(path, data={**form, "csrf_token": csrf, "idempotency_key": path})
        # another township's village is not found (workbench.scope: 404, not 403)
        assert answer.status_code == 404, (path, answer.status_code)
        assert "唐坊镇" not in answer.text, path
    assert runtime.views.head() == before


def test_a_double_click_imports_once_and_a_lost_file_is_asked_for_again(
    runtime: Runtime, client: TestClient
) -> None:
    village = builders.village(runtime.app)
    csrf = sign_in(runtime, client, "wangfang", "preparer", "唐坊镇")
    preview = client.post(
        "/imports/register",
        data={"csrf_token": csrf, "village": village},
        files={"file": ("名册.xlsx", register_file(), XLSX)},
    )
    assert preview.status_code == 200, preview.text
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', preview.text)
    key = re.search(
        r'name="idempotency_key" value="([^"]+)"', preview.text.split("confirm-form")[1]
    )
    assert digest and key
    form = {
        "csrf_token": csrf,
        "idempotency_key": key.group(1),
        "village": village,
        "digest": digest.group(1),
    }
    first = client.post("/imports/register/confirm", data=form)
    assert first.status_code == 303 and "members=1" in first.headers["location"]
    after = runtime.views.head()
    second = client.post("/imports/register/confirm", data=form)
    assert second.status_code == 303
    assert runtime.views.head() == after
    assert runtime.app.exists(register_id(village))

    lost = client.post(
        "/imports/register/confirm", data={**form, "idempotency_key": "another", "digest": "0" * 64}
    )
    assert lost.status_code == 422 and "请重新上传" in lost.text
    assert runtime.views.head() == after


@pytest.mark.one_store  # a page, not storage: SQLite only (tests/conftest.py)
def test_a_refused_form_says_why_in_chinese_beside_its_field(
    runtime: Runtime, client: TestClient
) -> None:
    village = builders.village(runtime.app)
    runtime.app.members.open_register(village=village, share_kinds=["人口股"], actor="tester")
    csrf = sign_in(runtime, client, "wangfang", "preparer", "唐坊镇")
    answer = client.post(
        f"/registers/villages/{village}/members",
        data={
            "csrf_token": csrf,
            "idempotency_key": "m1",
            "which": "member",
            "number": "H1-1",
            "household": "H1",
            "name": "李四",
            "id_number": "12345",
            "joined_on": datetime.date(2025, 1, 1).isoformat(),
            "share:人口股": "1",
        },
    )
    assert answer.status_code == 422
    beside = re.search(
        r'id="member-id_number"[^>]*>\s*<span class="error field-error" role="alert">([^<]+)',
        answer.text,
    )
    assert beside and "身份证号" in beside.group(1)


def test_a_bookkeeper_previews_and_publishes_a_sheet(runtime: Runtime, client: TestClient) -> None:
    village = builders.village(runtime.app, name="仉家村")
    runtime.app.books.post_entry(
        entity=village,
        date=datetime.date(2025, 6, 1),
        memo="收到土地承包费",
        postings=builders.receipt("12000.00"),
        actor="tester",
    )
    csrf = sign_in(runtime, client, "zhaoli", "bookkeeper", "唐坊镇")
    shown = client.get(f"/disclosure?village={village}&period=2025")
    assert shown.status_code == 200 and 'id="publish-form"' in shown.text
    draft = client.get(f"/disclosure/{village}/2025/draft")
    assert draft.status_code == 200 and "收到土地承包费" in draft.text and "草稿" in draft.text
    refused = client.post(
        f"/disclosure/{village}/2025/publish",
        data={"csrf_token": csrf, "idempotency_key": "p0", "checked_on": "2026-01-10"},
    )
    assert refused.status_code == 422 and "民主理财小组" in refused.text
    published = client.post(
        f"/disclosure/{village}/2025/publish",
        data={
            "csrf_token": csrf,
            "idempotency_key": "p1",
            "checked_by": "张三、李四",
            "checked_on": "2026-01-10",
            "opinion": "账实相符",
        },
    )
    assert published.status_code == 303 and "published=1" in published.headers["location"]
    listed = client.get(published.headers["location"])
    assert f"/public/sheets/{village}/2025/v1" in listed.text
    assert client.get(f"/public/sheets/{village}/2025/v1").status_code == 200


@pytest.mark.one_store  # a page, not storage: SQLite only (tests/conftest.py)
def test_a_preparer_has_no_publish_or_voucher_import_button(
    runtime: Runtime, client: TestClient
) -> None:
    village = builders.village(runtime.app)
    sign_in(runtime, client, "wangfang", "preparer", "唐坊镇")
    shown = client.get(f"/disclosure?village={village}&period=2025")
    assert shown.status_code == 200 and 'id="publish-form"' not in shown.text
    imports = client.get("/imports")
    assert 'id="register-upload"' in imports.text and 'id="vouchers-upload"' not in imports.text


@pytest.mark.one_store  # a page, not storage
def test_the_joint_entitys_sheet_is_previewed_and_published_too(
    runtime: Runtime, client: TestClient
) -> None:
    from scripts.demo import JOINT_ENTITY, load_demo

    load_demo(runtime.app, say=lambda _: None)
    csrf = sign_in(runtime, client, "zhaoli", "bookkeeper", "唐坊镇")
    shown = client.get(f"/disclosure?village={JOINT_ENTITY}&period=2025")
    assert shown.status_code == 200 and 'id="publish-form"' in shown.text
    assert f'<option value="{JOINT_ENTITY}" selected>黑牛养殖联合社' in shown.text
    draft = client.get(f"/disclosure/{JOINT_ENTITY}/2025/draft")
    assert draft.status_code == 200 and "黑牛养殖联合社2025年度财务公开表" in draft.text
    assert "入股资金" in draft.text
    published = client.post(
        f"/disclosure/{JOINT_ENTITY}/2025/publish",
        data={
            "csrf_token": csrf,
            "idempotency_key": "j1",
            "checked_by": "张三、李四",
            "checked_on": "2026-01-10",
            "opinion": "账实相符",
        },
    )
    assert published.status_code == 303, published.text
    assert client.get(f"/public/sheets/{JOINT_ENTITY}/2025/v1").status_code == 200
