"""The 设置 page (``workbench.settings``): a bookkeeper chooses the township's numbering and
review practice; a preparer sees the settings without the form and is refused when posting;
another township's settings are neither shown nor changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import TOWNSHIP, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def fields(html: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form for {action}"
    return dict(re.findall(r'name="(csrf_token|idempotency_key)" value="([^"]*)"', form.group(0)))


def test_a_bookkeeper_chooses_and_a_preparer_only_reads(client: Any, runtime: Any) -> None:
    c, app = client
    village(runtime.app, name="仉家村")
    person_session(c, app, "zhuguan", "bookkeeper", [TOWNSHIP])
    html = c.get("/settings").text
    assert "按月、按凭证字编号" in html and "审核、记账分两步，由两人完成" in html
    action = f"/settings/{TOWNSHIP}"
    answer = c.post(
        action,
        data={**fields(html, action), "numbering": "yearly", "review_posts": "1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert runtime.app.township.choices(TOWNSHIP).numbering == "yearly"
    assert runtime.app.township.choices(TOWNSHIP).review_posts is True
    shown = c.get("/settings").text
    assert "按年连续编号" in shown and "审核即记账" in shown

    refused = c.post(
        action,
        data={**fields(shown, action), "numbering": "weekly", "review_posts": "0"},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "凭证编号方式只能是按月" in refused.text
    assert runtime.app.township.choices(TOWNSHIP).numbering == "yearly"

    person_session(c, app, "zhidan", "preparer", [TOWNSHIP])
    page = c.get("/settings").text
    assert "按年连续编号" in page and f'action="{action}"' not in page
    denied = c.post(
        action,
        data={**fields(shown, action), "numbering": "monthly", "review_posts": "0"},
        follow_redirects=False,
    )
    assert denied.status_code == 403
    assert runtime.app.township.choices(TOWNSHIP).numbering == "yearly"


def test_another_townships_settings_are_not_changed(client: Any, runtime: Any) -> None:
    c, app = client
    village(runtime.app, name="仉家村")
    person_session(c, app, "waizhen", "bookkeeper", ["花沟镇"])
    assert TOWNSHIP not in c.get("/settings").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/settings").text)
    answer = c.post(
        f"/settings/{TOWNSHIP}",
        data={
            "csrf_token": csrf.group(1) if csrf else "",
            "numbering": "yearly",
            "review_posts": "1",
        },
        follow_redirects=False,
    )
    assert answer.status_code in (403, 404)
    assert runtime.app.township.choices(TOWNSHIP) == runtime.app.township.defaults
