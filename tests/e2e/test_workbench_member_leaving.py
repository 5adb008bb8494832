"""A member leaving (退出) and a former member's personal data forgotten (隐私删除) from the
workbench's member register (issue 20 item 10), through the test client: the clerk records the
leaving on the register page; deleting the ID number goes through a confirmation page that
says what is deleted and what is kept, and deletes only when the member's number is typed again
and a reason is given; a member still in the register cannot be forgotten; a clerk of another
township finds neither page; an auditor sees the register and the confirmation page without a
form."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.privacy import member_subject, with_check_digit
from projections import economy_queries
from tests.builders import TOWNSHIP, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app
from tests.e2e.test_workbench_register_writes import beside, post

pytestmark = pytest.mark.one_store

ID = with_check_digit("37032219800101001")


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app, follow_redirects=False) as c:
        yield c, app


def register(runtime: Any) -> str:
    """A village with one household of two members (H01-1, H01-2)."""
    app = runtime.app
    v = village(app, name="李孟德村")
    day = datetime.date(2025, 1, 1)
    app.members.open_register(village=v, share_kinds=["人口股"], actor="tester")
    app.members.register_household(
        village=v, number="H01", head="李建国", registered_on=day, actor="tester"
    )
    for number, name, id_number in (
        ("H01-1", "李建国", ID),
        ("H01-2", "王秀英", with_check_digit("37032219850101002")),
    ):
        app.members.register_member(
            village=v,
            number=number,
            household="H01",
            name=name,
            id_number=id_number,
            joined_on=day,
            shares={"人口股": Decimal(1)},
            actor="tester",
        )
    return v


def member(runtime: Any, v: str, number: str) -> dict[str, Any]:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        found = economy_queries.member_register(conn, v, datetime.date(2026, 11, 23))
    assert found is not None
    return next(m for h in found["households"] for m in h["members"] if m["number"] == number)


def test_a_clerk_records_a_member_leaving_then_forgets_their_id_number(
    client: Any, runtime: Any
) -> None:
    c, app = client
    v = register(runtime)
    person_session(c, app, "wangfang", "preparer", [TOWNSHIP])  # 制单 keeps the register
    page = f"/registers/villages/{v}"
    left = post(
        c, page, f"{page}/members/H01-2/leave", date="2026-03-01", reason="户口迁出（嫁出）"
    )
    assert left.status_code == 303 and left.headers["location"] == f"{page}?saved=1"
    gone = member(runtime, v, "H01-2")
    assert gone["left_on"] == datetime.date(2026, 3, 1) and not gone["current"]
    assert gone["shares"] == {}  # no shares after leaving
    shown = c.get(page).text
    assert f'href="{page}/members/H01-2/forget"' in shown
    assert f"{page}/members/H01-1/forget" not in shown  # a current member has no such link

    confirm = f"{page}/members/H01-2/forget"
    asked = c.get(confirm)
    assert asked.status_code == 200
    assert "删除后无法恢复" in asked.text and "王秀英" in asked.text and "3703" in asked.text
    assert "以往的收益分配是按这些计算的" in asked.text
    record = runtime.app.members.member_record(v, "H01-2")
    subject = member_subject(v, "H01-2")
    assert runtime.vault.reveal(subject, record["id_number"]) is not None

    done = post(c, confirm, confirm, reason="本人申请删除", confirm="H01-2")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{page}?q=H01-2&forgotten=1"
    assert "已删除这位成员的个人信息" in c.get(done.headers["location"]).text
    forgotten = member(runtime, v, "H01-2")
    assert forgotten["forgotten"] and forgotten["id_number"] == "（已删除）"
    assert forgotten["name"] == "王秀英" and forgotten["left_on"] == datetime.date(2026, 3, 1)
    assert runtime.vault.reveal(subject, record["id_number"]) is None
    again = c.get(confirm)
    assert "已经删除" in again.text and 'id="forget-form"' not in again.text


def test_forgetting_without_the_confirmation_writes_nothing(client: Any, runtime: Any) -> None:
    c, app = client
    v = register(runtime)
    runtime.app.members.member_leaves(
        village=v, member="H01-2", left_on=datetime.date(2026, 3, 1), reason="迁出", actor="t"
    )
    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    confirm = f"/registers/villages/{v}/members/H01-2/forget"
    head = runtime.views.head()
    refused = post(c, confirm, confirm, reason="本人申请", confirm="H01-1")
    assert refused.status_code == 422
    said = beside(refused.text, "forget-confirm")
    assert "请在确认框里输入成员编号 H01-2" in said
    refused = post(c, confirm, confirm, reason="", confirm="H01-2")
    assert refused.status_code == 422
    assert beside(refused.text, "forget-reason") == "请填写删除原因"
    assert runtime.views.head() == head
    assert not member(runtime, v, "H01-2")["forgotten"]


def test_a_current_member_cannot_be_forgotten_and_leaving_needs_a_reason(
    client: Any, runtime: Any
) -> None:
    c, app = client
    v = register(runtime)
    person_session(c, app, "zhao", "bookkeeper", [TOWNSHIP])
    confirm = f"/registers/villages/{v}/members/H01-1/forget"
    asked = c.get(confirm)
    assert "还没有退出，不能删除个人信息" in asked.text and 'id="forget-form"' not in asked.text
    head = runtime.views.head()
    forced = c.post(
        confirm,
        data={
            "csrf_token": re.findall(r'name="csrf_token" value="([^"]+)"', asked.text)[0],
            "idempotency_key": "f1",
            "reason": "本人申请",
            "confirm": "H01-1",
        },
    )
    assert forced.status_code == 422
    assert "的成员 H01-1 还没有退出；请先办理退出，再删除其个人信息" in forced.text
    page = f"/registers/villages/{v}"
    refused = post(c, page, f"{page}/members/H01-1/leave", date="2026-03-01", reason="")
    assert refused.status_code == 422
    assert beside(refused.text, "leave:H01-1-reason") == "请填写退出原因"
    assert "<details open><summary>退出</summary>" in refused.text
    refused = post(c, page, f"{page}/members/H01-1/leave", date="2024-12-31", reason="迁出")
    assert refused.status_code == 422
    assert beside(refused.text, "leave:H01-1-date")  # leaving before joining, in Chinese
    assert runtime.views.head() == head
    assert member(runtime, v, "H01-1")["left_on"] is None


def test_another_townships_clerk_finds_neither_page_and_an_auditor_sees_no_form(
    client: Any, runtime: Any
) -> None:
    c, app = client
    v = register(runtime)
    runtime.app.members.member_leaves(
        village=v, member="H01-2", left_on=datetime.date(2026, 3, 1), reason="迁出", actor="t"
    )
    page = f"/registers/villages/{v}"
    confirm = f"{page}/members/H01-2/forget"
    person_session(c, app, "hgbook", "bookkeeper", ["花沟镇"])
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', c.get("/registers").text)[0]
    head = runtime.views.head()
    assert c.get(confirm).status_code == 404
    for action, data in (
        (confirm, {"reason": "本人申请", "confirm": "H01-2"}),
        (f"{page}/members/H01-1/leave", {"date": "2026-03-01", "reason": "迁出"}),
    ):
        refused = c.post(action, data={"csrf_token": csrf, "idempotency_key": action, **data})
        assert refused.status_code == 404, action
        assert "李孟德村" not in refused.text and "王秀英" not in refused.text
    assert runtime.views.head() == head

    person_session(c, app, "shen", "auditor", [])
    head = runtime.views.head()  # (registering the auditor is an event)
    for shown in (c.get(page), c.get(confirm)):
        assert shown.status_code == 200
        assert re.findall(r'<form method="post" action="(/registers[^"]*)"', shown.text) == []
    assert "您可以查看，但不能办理" in c.get(confirm).text
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', c.get("/registers").text)[0]
    forged = c.post(
        confirm,
        data={"csrf_token": csrf, "idempotency_key": "x", "reason": "申请", "confirm": "H01-2"},
    )
    assert (
        forged.status_code == 403
        and "不能办理这项登记；由制单、记账/主管、管理员办理" in forged.text
    )
    assert runtime.views.head() == head
    assert not member(runtime, v, "H01-2")["forgotten"]
