"""The service's own routes: ``/healthz`` (alive) and ``/readyz`` (ready), for a load balancer,
an orchestrator's probes and an operator. Neither needs a token; neither writes anything."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from runtime.bootstrap import Runtime
from runtime.heartbeat import Heartbeats
from web.deps import Reads
from web.readiness import make_heartbeats, readiness
from web.settings import Settings
from web.views import BOOKS

router = APIRouter(tags=["service"])


class Alive(BaseModel):
    """The process answers."""

    status: Literal["ok"]


class CheckPublic(BaseModel):
    name: str = Field(
        description="database, chain, read-models-stuck, read-models-lag, worker or replica"
    )
    ok: bool
    detail: str = Field(description="what the check found, in English")
    zh: str = Field(description="the same in Chinese")


class ReadyPublic(BaseModel):
    """Every check; 503 when one fails (named in ``failing``)."""

    model_config = ConfigDict(extra="allow")

    status: Literal["ok", "degraded"]
    mode: Literal["request", "worker"]
    checks: list[CheckPublic]
    failing: list[str] = Field(description="the names of the checks that failed")
    events: int | None = Field(default=None, description="the log's head position")
    read_models: dict[str, int] | None = Field(
        default=None, description="each read model's position"
    )
    stuck: list[dict[str, Any]] | None = Field(
        default=None, description="the stuck read models (projection, position, error)"
    )
    chain: dict[str, Any] | None = Field(
        default=None,
        description="the read models stop before this event: the signed chain does not cover "
        "it (position, problem, detail)",
    )
    worker: dict[str, Any] | None = Field(
        default=None, description="worker mode: the youngest worker (host, pid, silence_seconds)"
    )
    replica: dict[str, Any] | None = Field(
        default=None, description="the replica as measured (reason, lag_events, lag_seconds)"
    )
    detail: str | None = Field(default=None, description="the failing checks, in English")
    zh: str | None = Field(default=None, description="the failing checks, in Chinese")


@router.get(
    "/healthz",
    response_model=Alive,
    responses={200: {"description": "the process answers"}},
    summary="Alive: the process answers (no database needed)",
)
def healthz() -> dict[str, str]:
    """Liveness: 200 ``{"status": "ok"}`` whenever the process answers. It reads no database
    and says nothing of the read models, the worker or the replica: a probe that restarts the
    process when this fails must not restart it for what a restart cannot fix (a database down,
    a stuck read model, a broken chain, a dead worker). What it used to say — a stuck read
    model, a broken chain (503 ``degraded``), the read models' positions — is in ``/readyz``,
    with the rest of what decides whether the server should receive requests."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=None,
    responses={
        200: {"model": ReadyPublic, "description": "every check passed"},
        503: {
            "model": ReadyPublic,
            "description": "degraded: a check failed (named in `failing`, each in `checks` in "
            "English and Chinese)",
        },
    },
    summary="Ready: database, chain, read models, worker, replica",
)
def readyz(request: Request) -> JSONResponse:
    """200 when every check passes, else 503 with the failing ones named (``web.readiness``):
    the database answers; the signed chain covers the log; no read model is stuck; the read
    models are within ``LIANZHANG_READY_LAG_EVENTS`` events and ``LIANZHANG_READY_LAG_SECONDS``
    of the log; in worker mode a worker's heartbeat is younger than
    ``LIANZHANG_WORKER_SILENCE_SECONDS``; the replica of ``LIANZHANG_READ_URL`` answers within its
    lag budget."""
    state = request.app.state
    runtime: Runtime = state.runtime
    reads: Reads = state.reads
    settings: Settings = getattr(state, "settings", None) or Settings(
        database_url=runtime.database_url
    )

    def heartbeats() -> Heartbeats:
        found: Heartbeats | None = getattr(state, "heartbeats", None)
        if found is None:
            found = state.heartbeats = make_heartbeats(runtime)
        return found

    found = readiness(runtime, reads, settings, heartbeats)
    return JSONResponse(found.answer(), status_code=200 if found.ready else 503)


# these routes call no view: /readyz reads every read model's position itself
READ_MODELS = BOOKS
