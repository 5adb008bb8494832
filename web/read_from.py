"""What a read says about where it was read, and what every request answers when the database
cannot: installed on the app by ``server.main`` (``install``).

- **Where it was read** (``ReadFromHeaders``, an ASGI middleware): a public page or statement
  whose read models were chosen by ``web.deps.read_models`` answers
  ``Lianzhang-Read-From: replica; position=N`` or ``primary; reason=…; position=N``; a public
  page (HTML, 200) also shows, as the first line of its ``<main>``, as of when its figures are:
  the time of the last event its read models applied and that event's number (``AS_OF``, one
  ``<p class="meta as-of">`` line, so a comparison of pages' bytes can take it out as one).
- **The database does not answer** (``database_unavailable``): a connection refused or lost is
  503 ``database-unavailable`` with ``Retry-After``, as problem details, and on ``/public…`` as
  the public pages' Chinese error page; never a bare 500. When the read was on the replica, the
  replica is marked unreachable, so the next read goes to the primary. When it was the primary,
  the app remembers it (``app.state.database_down``): until a request finds it answering again
  (``probe``: one ``SELECT 1``, refused at once by a server that is down), every request but
  ``/healthz`` and ``/readyz`` gets the same 503 at once instead of waiting on the event store's
  pool, which retries for some 20 s before it gives up.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.responses import Response
from markupsafe import escape
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projections.reads import event_time
from runtime.bootstrap import Runtime
from web.deps import READ_FROM_HEADER, ReadFrom, reads_of
from web.problems import problem_response

CHINA = datetime.timezone(datetime.timedelta(hours=8))
AS_OF = '<p class="meta as-of">{text}</p>\n'
MAIN = b"<main>\n"
DATABASE_DOWN = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    StoreOperationalError,
    StoreInterfaceError,
    psycopg.OperationalError,
)
RETRY_AFTER_SECONDS = 5


def install(app: FastAPI) -> None:
    """The middleware and the handler of a database that does not answer."""
    app.add_middleware(ReadFromHeaders)
    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, database_unavailable)


async def database_unavailable(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated and _locked(exc):
        retry = 1  # SQLite's lock held past the busy timeout: the database is there
    else:
        retry = RETRY_AFTER_SECONDS
    read_from: ReadFrom | None = getattr(request.state, "read_from", None)
    replica = reads_of(request).replica
    if replica is not None and read_from is not None and read_from.source == "replica":
        replica.unreachable(exc)
        retry = 1  # the next read goes to the primary
    elif retry == RETRY_AFTER_SECONDS:
        request.app.state.database_down = time.monotonic()
    return unavailable(request, type(getattr(exc, "orig", None) or exc).__name__, retry)


def unavailable(request: Request, why: str, retry: int = RETRY_AFTER_SECONDS) -> Response:
    return problem_response(
        request,
        503,
        "database-unavailable",
        f"the database does not answer ({why}); retry in {retry} s",
        headers={"Retry-After": str(retry)},
    )


def probe(engine: Engine) -> None:
    """One ``SELECT 1``; raises when the database does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _still_down(app: Any) -> bool:
    """Whether the primary, found down by an earlier request, still does not answer (it is
    forgotten once it does)."""
    try:
        probe(app.state.runtime.engine)
    except DATABASE_DOWN:
        return True
    app.state.database_down = None
    return False


def _locked(exc: DBAPIError) -> bool:
    return "locked" in str(exc.orig).lower()


class ReadFromHeaders:
    """Adds ``Lianzhang-Read-From`` to the answers of reads that chose where to read, and the
    as-of line to public pages (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        app = scope["app"]
        if (
            getattr(app.state, "database_down", None) is not None
            and scope.get("path") not in ("/healthz", "/readyz")
            and await run_in_threadpool(_still_down, app)
        ):
            answer = unavailable(Request(scope), "found down by an earlier request")
            await answer(scope, receive, send)
            return
        held: list[Message] = []  # the start of a public page, then its body's parts

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                found: ReadFrom | None = state.get("read_from")
                if found is None:
                    await send(message)
                    return
                headers = MutableHeaders(scope=message)
                headers[READ_FROM_HEADER] = found.header()
                page = (
                    message["status"] == 200
                    and headers.get("content-type", "").startswith("text/html")
                    and str(scope.get("path", "")).startswith("/public")
                )
                if not page:
                    await send(message)
                    return
                held.append(message)
                return
            if not held or message["type"] != "http.response.body":
                await send(message)
                return
            held.append(message)
            if message.get("more_body", False):
                return
            start, *parts = held
            held.clear()
            body = b"".join(part.get("body", b"") for part in parts)
            line = await run_in_threadpool(as_of_line, scope, state["read_from"])
            body = with_line(body, line.encode("utf-8"))
            MutableHeaders(scope=start)["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, sending)


def with_line(body: bytes, line: bytes) -> bytes:
    """The page with ``line`` as the first line of its ``<main>`` (unchanged without one)."""
    at = body.find(MAIN)
    if at < 0:
        return body
    at += len(MAIN)
    return body[:at] + line + body[at:]


def as_of_line(scope: Scope, read_from: ReadFrom) -> str:
    """``<p class="meta as-of">本页数据截至 2026-11-23 10:05（北京时间），第 304 号事件</p>``."""
    position = read_from.position or 0
    if position == 0:
        return AS_OF.format(text="本页数据截至：尚无记账事件")
    runtime: Runtime = scope["app"].state.runtime
    moment = event_time(runtime.app, position)
    when = f"{moment.astimezone(CHINA):%Y-%m-%d %H:%M}（北京时间），" if moment else ""
    return AS_OF.format(text=escape(f"本页数据截至 {when}第 {position} 号事件"))
