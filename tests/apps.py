"""The app of a test: built once per test process, bound to each test's store.

Building the app is cheap, but FastAPI analyses every route at the app's first request (about a
fifth of a second of a core for some 220 routes): a suite that built one app per test spent
minutes on it. :func:`app_for` hands out an app already built (``server.main.build_app``) and binds
it to the test's runtime and settings (``server.main.bind``, the same two steps as
``create_app``); after the test, :func:`release` clears what the test set on it (its state, its
dependency overrides) and keeps it for the next test. A test that holds two apps at once gets two.

An app made for a whole module (a module-scoped fixture) uses ``create_app`` itself."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import State

from runtime.bootstrap import Runtime
from server.main import bind, build_app
from web.settings import Settings

_idle: list[FastAPI] = []
_taken: list[FastAPI] = []


def app_for(runtime: Runtime, settings: Settings | None = None) -> FastAPI:
    """An app on ``runtime`` (with ``settings``; by default those of its database) for this test."""
    app = _idle.pop() if _idle else build_app()
    bind(app, settings or Settings(database_url=runtime.database_url), runtime)
    _taken.append(app)
    return app


def release() -> None:
    """Every app the test took, cleared and kept for the next test."""
    while _taken:
        app = _taken.pop()
        app.dependency_overrides.clear()
        app.state = State()
        _idle.append(app)
