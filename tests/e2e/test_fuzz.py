"""A bounded schemathesis run against the app in-process, on PostgreSQL:
every operation gets a few generated requests, valid by the OpenAPI schema (positive) and
invalid (negative), with an admin token on a store that holds a village with books, an
alliance with a joint entity, and a member register. No answer may be a 5xx, and afterwards
the store must still verify (chain, read models, sheets) and every read model be current.

Bounded: ``EXAMPLES`` per operation and mode (negative only where there is a body or a query
to make invalid), derandomized, no shrinking, no example database.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from audit.verify import verify
from tests.builders import OPENING_BALANCES
from tests.e2e.conftest import Api

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}


def seed(api: Api) -> None:
    """A little of everything, so that generated codes sometimes hit real things."""
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "/v1/villages",
            {
                "code": "V01",
                "name": "仉家村",
                "township": "唐坊镇",
                "county": "高青县",
                "population": 1200,
                "households": 400,
            },
        ),
        (
            "/v1/entities/V01/opening-balances",
            {"as_of": "2025-01-01", "balances": OPENING_BALANCES},
        ),
        (
            "/v1/alliances",
            {
                "code": "A01",
                "name": "联村党委",
                "township": "唐坊镇",
                "county": "高青县",
                "model": "村企联建",
                "formed_on": "2025-01-01",
            },
        ),
        ("/v1/alliances/A01/villages", {"village": "V01", "date": "2025-01-02"}),
        ("/v1/alliances/A01/joint-entity", {"code": "J01", "name": "联合社"}),
        ("/v1/villages/V01/register", {}),
    ]
    for path, body in calls:
        response = api.client.post(path, json=body, headers=api.admin)
        assert response.status_code in (200, 201), (path, response.text)


# On PostgreSQL only: generated requests on SQLite run router by router in tests/contract (with
# the OpenAPI conformance checks); here they meet PostgreSQL's own limits (32-bit integers, NUL
# in text) and the store must still verify.
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_generated_requests_find_no_5xx_and_the_store_still_verifies(api: Api) -> None:
    seed(api)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # every route is in the schema
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if list(operation.body) or list(operation.query):
            # invalid bodies and query values; a path of free text has nothing to make invalid
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
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
                response = case.call(headers={**api.admin, **(case.headers or {})})
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} query={case.query} "
                        f"body={case.body!r:.300} -> {response.status_code} "
                        f"{response.text[:300]}"
                    )

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert not failures, "\n".join(failures)
    report = verify(api.runtime)
    assert report["ok"], report["problems"]
    assert api.runtime.views.stuck == {}
    assert api.client.get("/healthz").status_code == 200
