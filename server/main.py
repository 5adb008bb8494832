"""The HTTP API: ``create_app(settings)`` builds a FastAPI app on one database.

The API's routers are listed in ``api.routes.ROUTES`` and included here with what they read and
the duties of their writes (``web.routers``); errors become problem details in ``web.problems``;
the runtime (write-side application and read models) and the token and idempotency stores hang
off ``app.state`` so tests can build their own app with their own settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import workbench
from api import docs, openapi
from api.responses import HealthPublic
from api.routes import ROUTES
from projections.reads import positions, read_engine
from projections.runner import ProjectionStuckError
from runtime.bootstrap import Runtime
from web import problems, routers
from web.deps import Reads
from web.guards import RefuseControlCharacters
from web.idempotency import IdempotencyStore
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
    reads = Reads(
        catch_up_in_request=settings.catch_up_in_request,
        wait_seconds=settings.wait_seconds,
        replica=read_engine(settings.read_url, settings.database_schema)
        if settings.read_url
        else None,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if reads.catch_up_in_request:
            rt.views.catch_up()
        yield
        if reads.replica is not None:
            reads.replica.dispose()
        if owned:
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
    app.state.runtime = rt
    app.state.reads = reads
    app.state.tokens = TokenStore(rt.engine)
    app.state.idempotency = IdempotencyStore(rt.engine)
    problems.install(app)
    docs.install(app)
    openapi.install(app)
    app.add_middleware(RefuseControlCharacters)
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

    @app.get(
        "/healthz",
        tags=["service"],
        response_model=None,
        responses={
            200: {"model": HealthPublic, "description": "every read model is current"},
            503: {
                "model": HealthPublic,
                "description": "degraded: a read model is stuck (named in `stuck`)",
            },
        },
    )
    def healthz() -> JSONResponse:
        """200 ``{"status": "ok"}`` when every read model is current; 503 ``{"status":
        "degraded", "stuck": [...]}`` when one cannot apply an event (the views that need it
        answer 503, the others and the writes they allow go on), and with ``chain``
        (position, problem, detail) when the read models stop before an event the signed
        chain does not cover (every view answers 503 ``chain-broken``)."""
        body: dict[str, object] = {"status": "ok"}
        if reads.catch_up_in_request:
            rt.views.catch_up()
        else:  # lianzhang worker keeps them up: say how far they are
            body["read_models"] = positions(rt.engine, (p.name for p in rt.views.projections))
        body["events"] = rt.views.head()
        stuck = sorted(rt.views.stuck.values(), key=lambda s: s.projection)
        broken = rt.gate.broken  # the read models stop before an event the chain does not sign
        if not stuck and broken is None:
            return JSONResponse(body)
        body.update(
            status="degraded",
            stuck=[s.as_dict() for s in stuck],
            detail="; ".join(
                [*([broken.sentence()] if broken else []), *(s.sentence() for s in stuck)]
            ),
        )
        if broken is not None:
            body["chain"] = broken.as_dict()
        return JSONResponse(body, status_code=503)

    return app
