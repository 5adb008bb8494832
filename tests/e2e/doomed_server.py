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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import FastAPI, Header, Request

from domain.commands import Command, Place, Recorded
from server.main import create_app
from web.deps import Answer, PrincipalDep, RuntimeDep, Writer, get_writer
from web.settings import Settings

T = TypeVar("T")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable: the process is gone")


@dataclass(frozen=True)
class _ThenDie(Command[T]):
    """``command``, then the process dies before anything is answered."""

    command: Command[T]
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        return self.command.places(app)

    def execute(self, app: Any, actor: str) -> T:
        self.command.execute(app, actor)  # the command's events and its key are committed here
        _die()
        raise AssertionError("unreachable")

    def replayed(self, recorded: Recorded) -> T:
        return self.command.replayed(recorded)


class DoomedWriter(Writer):
    """A writer whose command's process dies once the command has saved."""

    def commit(
        self,
        command: Command[T],
        read: Callable[[T], tuple[dict[str, Any], str | None]],
        *,
        status: int = 201,
        answer: Any = None,
    ) -> Answer:
        return super().commit(_ThenDie(command), read, status=status, answer=answer)


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
