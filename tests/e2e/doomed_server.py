"""A server that kills itself (SIGKILL) right after a command's save, before it answers: the
app of ``server.main`` with its writer dependency overridden (FastAPI's
``dependency_overrides``), so the production code carries no test hook.

``python -m tests.e2e.doomed_server PORT`` serves it on 127.0.0.1:PORT with the settings of the
environment (``LIANZHANG_DATABASE_URL`` ...), as ``lianzhang serve`` does
(tests/e2e/test_idempotency.py).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import FastAPI, Header, Request

from server.main import create_app
from web.deps import Answer, PrincipalDep, Replay, RuntimeDep, Writer, get_writer
from web.settings import Settings

T = TypeVar("T")


class DoomedWriter(Writer):
    """A writer whose command's process dies once the command has saved."""

    def commit(
        self,
        write: Callable[[], T],
        read: Callable[[T], tuple[dict[str, Any], str | None]],
        *,
        replay: Callable[[Replay], T],
        status: int = 201,
    ) -> Answer:
        def write_then_die() -> T:
            write()  # the command's events and its key are committed here
            os.kill(os.getpid(), signal.SIGKILL)
            raise AssertionError("unreachable: the process is gone")

        return super().commit(write_then_die, read, replay=replay, status=status)


async def doomed_writer(
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Writer:
    writer = await get_writer(request, principal, runtime, idempotency_key)
    return DoomedWriter(**vars(writer))


def doomed_app(settings: Settings | None = None) -> FastAPI:
    app = create_app(settings or Settings.from_env())
    app.dependency_overrides[get_writer] = doomed_writer
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(doomed_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
