"""The HTTP API: ``create_app(settings)`` builds a FastAPI app on one database.

It is two steps. :func:`build_app` makes the routes, handlers and middleware, which hold no store:
the API's routers are listed in ``api.routes.ROUTES`` and included with what they read and the
duties of their writes (``web.routers``); errors become problem details in ``web.problems``.
:func:`bind` hangs what one database needs off ``app.state``: the runtime (write-side
application and read models), how requests reach the read models, and the token and idempotency
stores. Every handler reads them from ``app.state``, never from a closure, so an app built once
can be bound again to another store (the tests keep one built app per process and bind it to
each test's store: building costs FastAPI about a fifth of a second at the first request)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import State

import workbench
from api import docs, openapi
from api.routes import ROUTES
from projections.reads import Replica, read_engine
from projections.runner import ProjectionStuckError
from runtime.bootstrap import Runtime
from web import metrics, problems, read_from, routers
from web.deps import Reads
from web.guards import RefuseControlCharacters
from web.idempotency import IdempotencyStore
from web.observability import Observe
from web.security import SecurityHeaders
from web.settings import Settings
from web.tokens import TokenStore
from web.views import stuck_problem


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Pass ``runtime`` to share one with the caller (tests, the demo)."""
    settings = settings or Settings.from_env()
    owned = runtime is None
    rt = runtime or Runtime(
        settings.database_url, schema=settings.database_schema, keys=settings.key_locations()
    )
    app = build_app()
    bind(app, settings, rt, owned=owned)
    return app


def bind(app: FastAPI, settings: Settings, runtime: Runtime, *, owned: bool = False) -> None:
    """Hang ``runtime`` and what the requests of ``settings`` need off ``app.state``, replacing
    whatever was there (``owned``: the app closes the runtime when it stops)."""
    app.state = State()
    app.state.runtime = runtime
    app.state.owned_runtime = owned
    app.state.settings = settings
    app.state.reads = Reads(
        catch_up_in_request=settings.catch_up_in_request,
        wait_seconds=settings.wait_seconds,
        replica=Replica(
            read_engine(settings.read_url, settings.database_schema),
            lag_events=settings.replica_lag_events,
            lag_seconds=settings.replica_lag_seconds,
        )
        if settings.read_url
        else None,
    )
    app.state.tokens = TokenStore(runtime.engine, cache_seconds=settings.token_cache_seconds)
    app.state.idempotency = IdempotencyStore(runtime.engine)
    app.state.metrics_on = settings.metrics  # GET /metrics (web.metrics)
    app.state.metrics_token = settings.metrics_token


def build_app() -> FastAPI:
    """The routes, handlers and middleware, bound to no store yet (:func:`bind`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt: Runtime = app.state.runtime
        reads: Reads = app.state.reads
        if reads.catch_up_in_request:
            rt.views.catch_up()
        yield
        if reads.replica is not None:
            reads.replica.dispose()
        if app.state.owned_runtime:
            rt.close()

    app = FastAPI(
        title="联账 Lianzhang",
        summary="Event-sourced accounting for multi-village alliances",
        description=(
            "Every village keeps its own books (三独立); every change is an immutable event. "
            "Amounts are decimal strings with two places. Errors are RFC 9457 problem details."
        ),
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api.docs from local assets
        redoc_url=None,
    )
    problems.install(app)
    docs.install(app)
    openapi.install(app)
    metrics.install(app)
    read_from.install(app)  # where public pages and statements were read; database down: 503
    app.add_middleware(RefuseControlCharacters)
    app.add_middleware(Observe)  # request id, counters, log line (web.observability)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included

    @app.exception_handler(ProjectionStuckError)
    async def _stuck(request: Request, exc: ProjectionStuckError) -> JSONResponse:
        problem = stuck_problem(exc)
        return problems.problem_response(
            request,
            problem.status,
            problem.kind,
            problem.detail,
            headers=problem.headers,
            zh=problem.zh,
            **problem.extra,
        )

    for module in ROUTES:  # each with what it reads and its duties (web.routers)
        routers.include(app, module)
    workbench.install(app)

    return app
