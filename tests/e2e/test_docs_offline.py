"""``/docs`` works on an intranet: Swagger UI renders the API from the app's own assets, and the
page asks nothing of any other host (watched in a real browser)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.browser import served
from tests.e2e.conftest import Api

# pages, prints and problem texts, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_docs_render_without_outside_requests(api: Api, browser: Any) -> None:
    with served(api.client.app) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/v1/entities/{code}/entries" in p for p in paths), paths[:5]
        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside
        assert f"{base}/docs-assets/swagger-ui-bundle.js" in requested


def test_docs_assets_are_served(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    script = api.client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert api.client.get("/redoc").status_code == 404
