"""The contract of one router: what its OpenAPI description promises, checked against what its
routes answer on a store that holds Scenario A.

For every operation of the router (its paths and methods, as the router declares them):

- it is in the served OpenAPI document, and every answer it gives has a status the document
  lists for it, the content type it lists, and a body valid against the listed schema
  (schemathesis' conformance checks) — for requests valid by the schema (a few generated and,
  where the operation has one, the documented example) and for invalid ones (a 4xx problem);
- no answer is a 5xx;
- without a token it is refused with 401 and ``WWW-Authenticate: Bearer`` (public pages
  excepted: they need none).

One module per router (``tests/contract/test_<router>.py``) calls :func:`check_router`; each
runs on its own copy of the Scenario A store (SQLite: what is pinned here is the HTTP contract,
not storage; the story tests in ``tests/e2e`` run on both stores).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import APIRouter
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import Api

EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 1}
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENTED = json.loads(
    (Path(__file__).resolve().parents[2] / "api" / "openapi_examples.json").read_text("utf-8")
)


@dataclass(frozen=True)
class Call:
    """A request that must succeed: method, path template, its parameters, body and query."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    query: dict[str, str] | None = None


def operations_of(router: APIRouter) -> set[tuple[str, str]]:
    """(METHOD, path) of every route the router declares."""
    return {
        (method, route.path)
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
    }


def check_router(
    api: Api,
    router: APIRouter,
    *,
    names: dict[str, str],
    valid: list[Call],
    public: bool = False,
) -> int:
    """Check every operation of ``router``; returns how many operations were checked.

    ``names``: path parameters naming what Scenario A holds (generated valid requests use them,
    so their bodies meet real books); ``valid``: requests that must succeed (2xx) and
    conform."""
    declared = operations_of(router)
    assert declared, "the router declares no routes"
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if (result.ok().method.upper(), result.ok().path) in declared
    ]
    found = {(op.method.upper(), op.path) for op in operations}
    assert found == declared, f"not in the OpenAPI document: {sorted(declared - found)}"
    failures: list[str] = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        if not public and not operation.path.startswith("/public"):
            _refused_without_token(api, operation, failures)
        modes = [GenerationMode.POSITIVE]
        if list(operation.body) or list(operation.query):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            _generated(api, operation, mode, names, failures)
        example = DOCUMENTED.get(operation.path)
        named = _named(operation, names)
        if (
            example is not None
            and operation.method.upper() == "POST"
            and len(named) == len(list(operation.path_parameters))
        ):
            case = operation.Case(body=example["request"], path_parameters=_named(operation, names))
            _conforms(api, case, label + " (documented example)", failures)
    by_route = {(op.method.upper(), op.path): op for op in operations}
    for call in valid:
        operation = by_route[(call.method, call.path)]
        fields: dict[str, Any] = {"path_parameters": call.params, "query": call.query}
        if call.body is not None:
            fields["body"] = call.body
        case = operation.Case(**fields)
        _conforms(api, case, f"{call} (valid)", failures, success=True)
    assert not failures, "\n".join(failures)
    return len(operations)


def _named(operation: Any, names: dict[str, str]) -> dict[str, str]:
    return {p.name: names[p.name] for p in operation.path_parameters if p.name in names}


def _refused_without_token(api: Api, operation: Any, failures: list[str]) -> None:
    path = operation.path.format(**{p.name: "X" for p in operation.path_parameters})
    response = api.client.request(operation.method.upper(), path)
    if response.status_code != 401 or "Bearer" not in response.headers.get("WWW-Authenticate", ""):
        failures.append(
            f"{operation.method.upper()} {path} without a token -> {response.status_code} "
            f"{response.text[:200]}"
        )


def _generated(
    api: Api, operation: Any, mode: GenerationMode, names: dict[str, str], failures: list[str]
) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        if mode is GenerationMode.POSITIVE:
            case.path_parameters = {**(case.path_parameters or {}), **_named(operation, names)}
        label = f"{case.method} {case.formatted_path} ({mode.value})"
        _conforms(api, case, label, failures)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid
        assert mode is GenerationMode.NEGATIVE, operation.label


def _conforms(
    api: Api, case: Any, label: str, failures: list[str], *, success: bool = False
) -> None:
    response = case.call(headers={**api.admin, **(case.headers or {})})
    if response.status_code >= 500 or (success and response.status_code >= 300):
        failures.append(f"{label} -> {response.status_code} {response.text[:300]}")
        return
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception as failure:  # schemathesis raises a group of failed checks
        failures.append(f"{label} -> {response.status_code}: {str(failure)[:600]}")
