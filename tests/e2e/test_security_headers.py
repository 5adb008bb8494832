"""Security headers on every kind of answer (security issue item 10, ``web/security.py``): API
JSON, problems (from a route and from the guard in front of every route), workbench pages and
refusals, public pages, static files, ``/docs`` and ``/openapi.json``; the 三公开 draft framed by
its own page only; uploaded documents served inline in a sandbox by the API and the workbench
alike; and, in Chromium, the workbench's scripts and Swagger UI run under the policy without a
single violation."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters import attachments
from tests.builders import village
from tests.e2e.browser import served
from tests.e2e.conftest import Api
from tests.e2e.test_workbench_books_support import browser_log_in, person_session
from web.security import ATTACHMENT_POLICY, PAGE_POLICY

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_guarded(response: Any, what: str, *, frame: str = "DENY") -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("x-frame-options") == frame, what
    assert headers.get("referrer-policy") == "same-origin", what
    policy = headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "'unsafe-eval'" not in policy, (what, policy)
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy, (what, policy)
    ancestors = "'none'" if frame == "DENY" else "'self'"
    assert f"frame-ancestors {ancestors}" in policy, (what, policy)


def a_voucher_with_a_pdf(runtime: Any) -> tuple[str, str]:
    app = runtime.app
    code = village(app, name="仉家村")
    voucher = app.vouchers.draft_voucher(
        entity=code,
        date=datetime.date(2025, 2, 1),
        summary="收款",
        lines=[{"account": "102", "debit": "1.00"}, {"account": "504", "credit": "1.00"}],
        actor="tester",
    )
    sha256 = attachments.put(runtime.engine, PDF, "application/pdf")
    app.vouchers.attach_document(
        draft=voucher.draft,
        sha256=sha256,
        name="发票.pdf",
        media_type="application/pdf",
        size=len(PDF),
        actor="tester",
    )
    runtime.views.catch_up()
    return voucher.draft, sha256


@ON_SQLITE
def test_every_kind_of_answer_carries_the_headers(api: Api) -> None:
    c: TestClient = api.client
    draft, sha256 = a_voucher_with_a_pdf(api.runtime)
    answers = {
        "API JSON": c.get("/v1/entities", headers=api.auditor),
        "API problem 401": c.get("/v1/entities"),
        "guard problem 422": c.get("/v1/plans/%01"),
        "unknown path 404": c.get("/nowhere"),
        "health": c.get("/healthz"),
        "OpenAPI": c.get("/openapi.json"),
        "public page": c.get("/public"),
        "static file": c.get("/static/app.css"),
        "Swagger UI asset": c.get("/docs-assets/swagger-ui.css"),
        "login page": c.get("/login"),
        "page without session": c.get("/vouchers", follow_redirects=False),
    }
    assert answers["API JSON"].status_code == 200
    assert answers["guard problem 422"].status_code == 422
    assert answers["static file"].status_code == 200
    person_session(c, c.app, "lihua", "preparer", ["唐坊镇"])  # type: ignore[arg-type]
    answers["workbench page"] = c.get("/vouchers")
    answers["workbench refusal"] = c.get("/users")
    answers["workbench 404"] = c.get("/vouchers/nothing")
    assert answers["workbench refusal"].status_code == 403
    for what, response in answers.items():
        assert_guarded(response, what)
    assert answers["workbench page"].headers["content-security-policy"] == PAGE_POLICY

    # /docs: its own inline start-up script, allowed by its hash and nothing else
    docs = c.get("/docs")
    assert_guarded(docs, "/docs")
    allowed = re.findall(r"'sha256-[^']+'", docs.headers["content-security-policy"])
    assert len(allowed) == 1 and docs.text.count("<script>") == 1
    assert_guarded(c.get("/docs/oauth2-redirect"), "/docs/oauth2-redirect")

    # the same sandbox for an uploaded document, through the workbench and through the API
    page_pdf = c.get(f"/vouchers/{draft}/attachments/{sha256}")
    api_pdf = c.get(f"/v1/attachments/{sha256}", headers=api.auditor)
    for what, response in (("workbench attachment", page_pdf), ("API attachment", api_pdf)):
        assert response.status_code == 200 and response.content == PDF, what
        assert response.headers["content-security-policy"] == ATTACHMENT_POLICY, what
        assert response.headers["x-content-type-options"] == "nosniff", what
        assert response.headers["content-disposition"].startswith("inline"), what


@ON_SQLITE
def test_the_draft_sheet_is_framed_by_its_own_page_only(api: Api) -> None:
    c = api.client
    code = village(api.runtime.app, name="仉家村")
    api.runtime.views.catch_up()
    person_session(c, c.app, "zhang", "bookkeeper", ["唐坊镇"])  # type: ignore[arg-type]
    index = c.get(f"/disclosure?village={code}&period=2025")
    assert f'<iframe src="/disclosure/{code}/2025/draft"' in index.text
    assert_guarded(index, "三公开 page")
    assert_guarded(c.get(f"/disclosure/{code}/2025/draft"), "draft", frame="SAMEORIGIN")


@ON_SQLITE
def test_pages_run_under_the_policy_without_a_violation_in_chromium(api: Api, browser: Any) -> None:
    """The workbench's scripts (htmx, voucher.js), the 三公开 preview in its frame and Swagger UI
    work with the policy on, and the browser reports no violation of it."""
    runtime = api.runtime
    draft, _ = a_voucher_with_a_pdf(runtime)
    code = runtime.app.vouchers.get_voucher(draft).entity
    person_session(api.client, api.client.app, "zhang", "bookkeeper", ["唐坊镇"])  # type: ignore[arg-type]
    violations: list[str] = []
    with served(api.client.app) as base:
        page = browser.new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        browser_log_in(page, base, "zhang")
        page.goto(f"{base}/vouchers")
        page.select_option("select[name=entity]", code)  # data-autosubmit (voucher.js)
        page.wait_for_url(re.compile(rf".*entity={code}.*"))
        page.goto(f"{base}/vouchers/new?entity={code}")
        page.fill("input[name=debit]", "12.50")
        page.wait_for_function(
            "document.body.innerText.includes('12.50')", timeout=10_000
        )  # the live totals of voucher.js
        page.goto(f"{base}/disclosure?village={code}&period=2025")
        frame = page.frame_locator("iframe.sheet-preview")
        frame.locator("body").wait_for(timeout=10_000)
        assert "草稿" in frame.locator("body").inner_text()
    assert violations == [], violations
