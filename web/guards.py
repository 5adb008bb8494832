"""A guard in front of every route: a path or query value with a control character (NUL above
all: PostgreSQL cannot even compare with it) is refused with a 422 before any route runs, so no
lookup of ``/v1/plans/%00`` or ``?entity=%00`` reaches the database."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.bounds import bad_character
from web.problems import problem_response


class RefuseControlCharacters:
    """Pure ASGI middleware (no per-request overhead beyond two scans)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = _first_bad(scope)
            if found is not None:
                field, described = found
                response = problem_response(
                    Request(scope),
                    422,
                    "validation",
                    f"{field}: contains the control character {described}; paths and query "
                    "values may not contain control characters",
                    field=field,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _first_bad(scope: Scope) -> tuple[str, str] | None:
    bad = bad_character(scope.get("path", ""))
    if bad is not None:
        return "path", bad
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        for name, value in parse_qsl(query, keep_blank_values=True):
            bad = bad_character(name) or bad_character(value)
            if bad is not None:
                return name if bad_character(name) is None else "query", bad
    return None
