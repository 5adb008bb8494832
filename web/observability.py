"""What an operator reads of each request: its request id, one log line when it ends, and the
counters of ``web.metrics``.

**The request id.** A request's ``X-Request-Id`` is kept when it is 1 to 64 characters of
letters, digits and ``. _ - :`` (what proxies and tracing tools send: a UUID, 32 hex digits, a
ULID); anything else, or none, is replaced by a new one (32 hex digits), never trusted into a
log line or a database row. The answer carries it back in ``X-Request-Id``; the command a write
runs carries it (``domain.runner.Caller.request_id``) into its save, which records it beside
the events it wrote (``audit.save_requests``).

**The log lines** (logger ``lianzhang``): one per request (``lianzhang.http``: method, route
template, status, duration, the caller's name, never a secret, and the township when known) and
one per command a request ran (``lianzhang.command``: the command's name, the log position its
save wrote, how many times it was retried because a concurrent save got there first, whether it
was answered from its idempotency key). ``LIANZHANG_LOG_FORMAT`` (``web.settings``) says how
``lianzhang serve`` and ``lianzhang worker`` print them: ``json`` (the default, one JSON object
a line on standard error, for a log collector) or ``text`` (a line a person reads). Tests and
embedding programs get the records through the standard ``logging`` module, formatted however
they configure it.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.runner import Ran
from web import metrics, problems
from web.settings import LOG_FORMATS

REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

log = logging.getLogger("lianzhang")
http_log = logging.getLogger("lianzhang.http")
command_log = logging.getLogger("lianzhang.command")

_request_id: ContextVar[str | None] = ContextVar("lianzhang_request_id", default=None)


def checked_request_id(sent: str | None) -> str:
    """``sent`` when it is a safe request id, else a new one."""
    if sent is not None and _SAFE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being answered in this task or thread, if any."""
    return _request_id.get()


@dataclass
class RequestRecord:
    """What a request's log line says beyond what the middleware sees: who called (set by the
    dependencies that find the caller, :func:`note_caller`)."""

    request_id: str
    caller: str | None = None
    townships: tuple[str, ...] = ()


_RECORD = "lianzhang.request"  # the key of the RequestRecord in the ASGI scope


def note_caller(scope: Scope, name: str, townships: frozenset[str] = frozenset()) -> None:
    """Name the caller in the request's log line: a token's or person's name, never a secret;
    the townships it is limited to."""
    record = scope.get(_RECORD)
    if isinstance(record, RequestRecord):
        record.caller = name
        record.townships = tuple(sorted(townships))


def route_of(scope: Scope) -> str:
    """The matched route's template (``/v1/entities/{code}/accounts``), never the raw path: a
    label of bounded cardinality. ``unmatched`` when no route matched."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else "unmatched"


def _township(scope: Scope, record: RequestRecord) -> str | None:
    """The township of the entity the path names, when the application already knows it
    (no database read for a log line); else the caller's, when it is limited to one."""
    params = scope.get("path_params") or {}
    code = params.get("code") or params.get("village")
    app = scope.get("app")
    if code and app is not None:
        runtime = getattr(app.state, "runtime", None)
        known = getattr(getattr(runtime, "app", None), "_townships", {})
        if isinstance(known, dict) and code in known:
            return str(known[code])
    return record.townships[0] if len(record.townships) == 1 else None


class Observe:
    """ASGI middleware: the request id, the request's counters and its log line. Installed
    inside ``SecurityHeaders`` and outside everything else, so every answer is counted, the
    refusals of the other middleware included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                sent = value.decode("latin-1")
                break
        record = RequestRecord(checked_request_id(sent))
        scope[_RECORD] = record
        token = _request_id.set(record.request_id)
        status = 500
        started = time.perf_counter()
        answered = False

        async def with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                status = int(message["status"])
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                headers.append((b"x-request-id", record.request_id.encode("ascii")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        except Exception:
            if answered:
                raise
            # answered here, not by Starlette's error middleware outside: with the request id
            # (in the header and the text), logged with its traceback under the same id
            http_log.exception(
                "unhandled error", extra={"fields": {"request_id": record.request_id}}
            )
            await internal_error(scope, record.request_id)(scope, receive, with_id)
        finally:
            _request_id.reset(token)
            seconds = time.perf_counter() - started
            route = route_of(scope)
            method = str(scope.get("method", ""))
            metrics.request_done(method, route, status, seconds, scope.get(problems.PROBLEM_KEY))
            http_log.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "fields": {
                        "request_id": record.request_id,
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        "caller": record.caller,
                        "township": _township(scope, record),
                    }
                },
            )


def internal_error(scope: Scope, request_id: str) -> Any:
    """The answer to a failure nothing else answered: a problem (a page under ``/public``)
    naming the request id the log line carries; a write sent with an ``Idempotency-Key`` is
    safely sent again with the same key (it answers what was committed, if anything was)."""
    from starlette.requests import Request

    return problems.problem_response(
        Request(scope),
        500,
        "internal-error",
        f"the server failed while handling this request (request id {request_id}); give the "
        "request id to the operator, whose log has the cause; a write sent with an "
        "Idempotency-Key may be sent again with the same key",
        zh=(
            f"服务器处理本次请求时出错（请求编号 {request_id}）。请把请求编号告诉管理员，"
            "日志里有原因；带 Idempotency-Key 的写入可以用同一个键重新提交"
        ),
    )


def command_ran(ran: Ran) -> None:
    """The runner's report of one command (``domain.runner.Runner(observe=...)``): counted,
    and logged with the request's id."""
    metrics.command_done(ran)
    command_log.info(
        "%s at %d, %d retries%s%s",
        ran.command,
        ran.position,
        ran.retries,
        " (replayed)" if ran.replayed else "",
        f" failed: {ran.failed}" if ran.failed else "",
        extra={
            "fields": {
                "request_id": ran.request_id,
                "command": ran.command,
                "position": ran.position,
                "retries": ran.retries,
                "replayed": ran.replayed,
                "failed": ran.failed,
            }
        },
    )


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601 with milliseconds), level, logger, message,
    and the record's ``fields`` (None values left out)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        line: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update({k: v for k, v in fields.items() if v is not None})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A line a person reads: time, level, logger, message and the request id."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict) and fields.get("request_id"):
            text += f" [{fields['request_id']}]"
        return text


def uvicorn_config(log_format: str) -> dict[str, Any]:
    """``uvicorn.run(log_config=...)`` for ``lianzhang serve``: uvicorn's own lines and the
    ``lianzhang`` loggers' on standard error in ``log_format``; uvicorn's access log is left
    off (the request line of :class:`Observe` says more)."""
    formatter: dict[str, Any] = (
        {"()": JsonFormatter}
        if log_format == "json"
        else {"()": TextFormatter, "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": formatter},
        "handlers": {"line": handler},
        "loggers": {
            name: {"handlers": ["line"], "level": "INFO", "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "lianzhang")
        },
    }


def configure(log_format: str, stream: Any = None) -> None:
    """Print the ``lianzhang`` loggers' records at INFO on ``stream`` (standard error) in
    ``log_format`` (``json`` or ``text``); for ``lianzhang serve`` and ``lianzhang worker``."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    for old in list(log.handlers):
        log.removeHandler(old)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
