"""``/docs`` without the internet: Swagger UI's script and stylesheet are served by the app
itself (from the ``swagger-ui-bundle-v2`` package, Apache-2.0), not from a CDN, so the API
document reads on a township intranet. ReDoc (which also loads from a CDN) is not served."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from web.security import policy_with_inline_scripts

ASSETS = "/docs-assets"


def install(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` with its assets under ``/docs-assets``."""
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
        return _allowing_its_scripts(page)

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return _allowing_its_scripts(get_swagger_ui_oauth2_redirect_html())


def _allowing_its_scripts(page: HTMLResponse) -> HTMLResponse:
    """The page with a Content-Security-Policy that lets exactly its own inline start-up
    script run (by hash; ``web.security``)."""
    page.headers["Content-Security-Policy"] = policy_with_inline_scripts(bytes(page.body).decode())
    return page
