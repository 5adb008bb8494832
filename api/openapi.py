"""The OpenAPI document an integrator can trust: what ``FastAPI`` writes from the routes,
completed here in one place.

- Every error an operation can answer is declared as RFC 9457 problem details
  (``application/problem+json``, the ``Problem`` schema of what ``web.problems`` emits): 401
  without a valid token, 403 for a write not allowed, 404 where a path or body names
  something, 409 for writes (conflicts, a reused Idempotency-Key), 422 everywhere (the guard
  refuses a control character in any path or query), 503 where a read model is read (stuck,
  or behind the position asked for). FastAPI's own 422 schema (``HTTPValidationError``) is
  not what the API answers and is replaced.
- The rule documents of docs/rules.md (``api.schemas.RULE_MODELS``) are added as components.
- The main operations carry a whole request and answer, recorded from Scenario A
  (``openapi_examples.json``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from api.schemas import RULE_MODELS
from web.problems import MEDIA_TYPE

REF = "#/components/schemas/{model}"
EXAMPLES = Path(__file__).with_name("openapi_examples.json")


class FieldError(BaseModel):
    """One problem of a request: where and what. A voucher batch adds ``voucher`` (its index)
    and ``type``."""

    model_config = ConfigDict(extra="allow")

    field: str = Field(examples=["postings[0].amount"])
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every refusal is answered. ``type`` is stable per kind of
    mistake; branch on it. Members beyond the standard ones depend on the type: ``errors``
    (every problem of a request), ``projection``, ``position`` and ``stuck`` (503
    ``projection-stuck``), ``position`` and ``behind`` (503 ``read-models-behind``), and the
    details a domain refusal names (the entity, the period, the amounts …)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:lianzhang:problem:closed-period",
                    "title": "Conflict",
                    "status": 409,
                    "detail": "the books of V01 are closed through 2026-02; date the entry in "
                    "2026-03 or later",
                    "instance": "/v1/entities/V01/entries",
                    "field": "date",
                }
            ]
        },
    )

    type: str = Field(
        pattern=r"^urn:lianzhang:problem:[a-z0-9-]+$",
        examples=["urn:lianzhang:problem:closed-period"],
    )
    title: str = Field(examples=["Conflict"])
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="a sentence a clerk can act on")
    instance: str | None = Field(default=None, description="the request's path")
    field: str | None = Field(default=None, description="the input at fault")
    errors: list[FieldError] | None = Field(
        default=None, description="every problem of the request (422)"
    )
    projection: str | None = Field(default=None, description="503: the stuck read model")
    position: int | None = Field(default=None, description="503: the log position concerned")
    stuck: list[dict[str, Any]] | None = Field(default=None, description="503: every stuck one")
    chain: dict[str, Any] | None = Field(
        default=None,
        description="503 `chain-broken`: the first event the signed chain does not cover "
        "(position, problem, detail); the read models stop before it",
    )
    behind: dict[str, int] | None = Field(
        default=None, description="503: read models behind the position, and where they are"
    )


DESCRIPTIONS = {
    400: "the body cannot be read at all (not UTF-8, not a form)",
    401: "no or invalid token (`unauthenticated`, `invalid-token`)",
    403: "not allowed (`forbidden-township`, `read-only` …)",
    404: "unknown (the path or the body names something that does not exist)",
    409: "conflicts with what is recorded, or `idempotency-key-reused`",
    415: "the uploaded file is not of a type accepted here (by its content)",
    422: "invalid request (`validation` with `errors`, or a domain refusal)",
    503: "a read model is stuck (`projection-stuck`) or behind the position asked for "
    "(`read-models-behind`); retry after `Retry-After` seconds; or the log holds an event the "
    "signed chain does not cover (`chain-broken`: every view stops before it)",
}


def _calls(route: APIRoute) -> set[str]:
    """The names of every dependency the route runs."""
    names: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            names.add(getattr(dependant.call, "__name__", ""))
        stack.extend(dependant.dependencies)
    return names


def error_statuses(route: APIRoute) -> list[int]:
    """The 4xx and 503 answers ``route`` can give."""
    calls = _calls(route)
    writes = "get_writer" in calls
    statuses = {422}
    if {"get_principal", "get_reader", "get_writer"} & calls:
        statuses.add(401)
    if writes:
        statuses |= {403, 409}
    if route.param_convertors or writes or route.body_field is not None:
        statuses.add(404)
    if route.body_field is not None:
        statuses.add(400)
    if writes and route.path.endswith("/attachments"):
        statuses.add(415)  # multipart uploads: the file's content decides its type
    if {"get_reader", "get_writer", "public_runtime", "fresh_runtime"} & calls or (
        route.path.startswith("/public")
    ):
        statuses.add(503)
    return sorted(statuses)


def _api_routes(routes: Any) -> Iterator[APIRoute]:
    """Every APIRoute, also those of included routers (FastAPI ≥ 0.16x keeps them apart)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # fastapi.routing._IncludedRouter
            yield from _api_routes(route.original_router.routes)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            yield path, method, operation


def _problem_content() -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}}


def _add_schemas(document: dict[str, Any], models: tuple[type[BaseModel], ...]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        found = model.model_json_schema(ref_template=REF)
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found


def _declare_problems(document: dict[str, Any], routes: dict[tuple[str, str], APIRoute]) -> None:
    for path, method, operation in _operations(document):
        route = routes.get((path, method))
        responses = operation.setdefault("responses", {})
        statuses = error_statuses(route) if route is not None else [422]
        for code in [c for c in responses if c[0] == "4" and int(c) not in statuses]:
            del responses[code]  # the routers' shared PROBLEMS name some a read never gives
        for status in statuses:
            answer = responses.setdefault(str(status), {})
            answer.setdefault("description", DESCRIPTIONS.get(status, "refused"))
            answer["content"] = _problem_content()
            if path == "/public" or path.startswith("/public/"):
                # a browser is answered a page in Chinese (web.problems.public_page)
                answer["content"]["text/html"] = {"schema": {"type": "string"}}
            if status == 503:
                answer["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}
                }


def _only_refs(document: dict[str, Any]) -> None:
    """A read declared with ``described(X)`` keeps the ``response_model`` FastAPI infers from
    its return annotation (``dict[str, Any]``: the body is serialized as it always was), and
    FastAPI merges that free object into X's schema: keep X's ``$ref`` alone."""
    for _, _, operation in _operations(document):
        for status, answer in operation.get("responses", {}).items():
            if status[0] != "2":
                continue
            for body in answer.get("content", {}).values():
                schema = body.get("schema", {})
                if "$ref" in schema:
                    body["schema"] = {"$ref": schema["$ref"]}
                elif isinstance(schema.get("items"), dict) and "$ref" in schema["items"]:
                    body["schema"] = {"type": "array", "items": {"$ref": schema["items"]["$ref"]}}


def _unused(document: dict[str, Any], names: tuple[str, ...]) -> None:
    text = json.dumps(document.get("paths", {}))
    schemas = document.get("components", {}).get("schemas", {})
    for name in names:
        if REF.format(model=name) not in text:
            schemas.pop(name, None)
    text = json.dumps(document)
    for name in names:  # ValidationError is referenced only by HTTPValidationError
        if REF.format(model=name) not in text:
            schemas.pop(name, None)


def _add_examples(document: dict[str, Any]) -> None:
    recorded: dict[str, Any] = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    for path, example in recorded.items():
        operation = document["paths"][path]["post"]
        name = "scenario-a"
        body = operation["requestBody"]["content"]["application/json"]
        body["examples"] = {name: {"summary": example["summary"], "value": example["request"]}}
        answer = operation["responses"][str(example["status"])]["content"]["application/json"]
        answer["examples"] = {name: {"summary": example["summary"], "value": example["response"]}}


def complete(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """Declare problems, rule documents and examples in ``document`` (in place)."""
    routes = {
        (route.path, method.lower()): route
        for route in _api_routes(app.routes)
        for method in route.methods
    }
    _only_refs(document)
    _add_schemas(document, (Problem, *RULE_MODELS))
    _declare_problems(document, routes)
    _unused(document, ("HTTPValidationError", "ValidationError"))
    _add_examples(document)
    return document


def install(app: FastAPI) -> None:
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build(), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
