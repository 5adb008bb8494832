"""A person logs in through the page in a real headless Chromium, sees their name on the page
they came for and on 工作台 (``/``), and logs out; nothing is asked of any other host."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.bootstrap import Runtime
from tests.apps import app_for
from tests.e2e.browser import served
from web.users import UserStore


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_log_in_see_your_name_log_out(runtime: Runtime, browser: Any) -> None:
    runtime.app.people.register_person("wangfang", "王芳", "preparer", ["唐坊镇"], None, "cli")
    UserStore(runtime.engine).set_password("wangfang", "a good password")
    app = app_for(runtime)
    with served(app) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/password")
        assert "/login?next=/password" in page.url
        page.fill("#login", "wangfang")
        page.fill("#password", "wrong password")
        page.click("button[type=submit]")
        page.wait_for_selector("p.error")
        assert "登录名或密码不正确" in page.inner_text("p.error")
        page.fill("#password", "a good password")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/password")
        assert page.inner_text("header .person") == "王芳"
        assert "制单" in page.inner_text("header .role")
        page.goto(f"{base}/")  # the workbench's home page (工作台)
        assert page.url == f"{base}/"
        assert page.inner_text("header .person") == "王芳"
        cookie = next(c for c in page.context.cookies() if c["name"] == "lz_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie").find("lz_session") == -1  # scripts cannot read it
        page.click("header button:has-text('退出')")
        page.wait_for_url(f"{base}/login")
        assert not [c for c in page.context.cookies() if c["name"] == "lz_session"]
        page.goto(f"{base}/password")
        assert "/login" in page.url
        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside
