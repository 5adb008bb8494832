"""No request can break the store: values outside the bounds are refused with nothing written,
and query values out of range are 422s naming the field (issue 12, points 1 and 6)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import code, posting, receipt
from tests.e2e.conftest import Api
from tests.e2e.test_api import assert_problem, events, post_entry, register_village

BIG = "999999999999999.99"  # below the old limit of 10^15 yuan, far above the new one


def village_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code("V"),
        "name": "仉家村",
        "township": "唐坊镇",
        "county": "高青县",
        "population": 1200,
        "households": 400,
    }
    body.update(overrides)
    return body


def assert_store_healthy(api: Api) -> None:
    """Every kind of read still answers, and the service says it is healthy."""
    assert api.client.get("/healthz").status_code == 200
    assert api.client.get("/v1/entities", headers=api.admin).status_code == 200
    assert api.client.get("/v1/alliances", headers=api.admin).status_code == 200
    assert api.client.get("/v1/audit/trail", headers=api.admin).status_code == 200


@pytest.mark.parametrize("population", [3_000_000_000, 2**63, 10**30])
def test_a_population_beyond_the_bound_is_refused_and_nothing_written(
    api: Api, population: int
) -> None:
    before = events(api)
    response = api.client.post(
        "/v1/villages", json=village_body(population=population), headers=api.admin
    )
    body = assert_problem(response, 422, "validation")
    assert body["field"] == "population"
    assert events(api) == before
    assert_store_healthy(api)


@pytest.mark.parametrize("memo", ["租\x00金", "租\x07金", "租\n金", "\x9f", "租金\n", "\ufffe"])
def test_a_memo_with_a_control_character_is_refused(api: Api, memo: str) -> None:
    village = register_village(api)
    before = events(api)
    response = post_entry(api, village, receipt("10.00"), memo=memo)
    body = assert_problem(response, 422, "validation")
    assert body["field"] == "memo"
    lines = [posting("102", "debit", "10.00", memo), posting("504", "credit", "10.00")]
    body = assert_problem(post_entry(api, village, lines), 422, "validation")
    assert body["field"] == "postings[0].memo"
    assert events(api) == before
    assert_store_healthy(api)


def test_an_entry_whose_postings_add_up_past_64_bits_is_refused(api: Api) -> None:
    village = register_village(api)
    before = events(api)
    lines = [posting("102", "debit", BIG)] * 100 + [posting("504", "credit", BIG)] * 100
    response = post_entry(api, village, lines)
    assert response.status_code == 422, response.text
    assert events(api) == before
    assert_store_healthy(api)
    assert api.client.get(f"/v1/entities/{village}/entries", headers=api.admin).status_code == 200


# -- query values out of range (issue 12, point 6) ------------------------------------------------


def query_cases(village: str) -> list[tuple[str, str]]:
    """(URL, the field the 422 must name)."""
    entries = f"/v1/entities/{village}/entries"
    balance = f"/v1/entities/{village}/statements/balance-sheet"
    return [
        (f"{entries}?offset={2**63}", "offset"),
        (f"{entries}?offset={10**30}", "offset"),
        (f"{entries}?offset=-1", "offset"),
        (f"{entries}?limit={2**64}", "limit"),
        (f"{entries}?limit=0", "limit"),
        (f"{entries}?from=99999-01-01", "from"),
        (f"{entries}?to=0001-01-01", "to"),
        (f"/v1/audit/trail?offset={2**63}", "offset"),
        (f"/v1/audit/trail?limit={2**63}", "limit"),
        ("/v1/audit/trail?from=99999-01-01", "from"),
        (f"{balance}?period=9999", "period"),
        (f"{balance}?period=0000", "period"),
        (f"{balance}?period=2025-Q9", "period"),
        (f"{balance}?period=2025&as_of_position={2**63}", "as_of_position"),
        (f"{balance}?period=2025&as_of_position={10**40}", "as_of_position"),
        (f"{balance}?period=2025&as_of=99999-01-01T00:00:00", "as_of"),
        (f"/v1/entities/{village}/trial-balance?month=9999-12", "month"),
        (f"/v1/entities/{village}/trial-balance?month=0000-01", "month"),
        (f"/v1/entities/{village}/trial-balance?month=2025-13", "month"),
        (f"/v1/villages/{village}/disclosures/9999/draft", "period"),
        (f"/v1/villages/{village}/members?as_of=0001-01-01", "as_of"),
        (f"/v1/joint-entities/{village}/equity?as_of=9999-12-31", "as_of"),
        ("/v1/audit/trail?entity=%00", "entity"),
        ("/v1/plans/P%00", "path"),
        (f"/v1/entities/{village}/entries/2025-%000001", "path"),
        (f"/v1/entities/{village}/statements/general-ledger?period=2025&account=1%0002", "account"),
    ]


def test_query_values_out_of_range_are_422_naming_the_field(api: Api) -> None:
    village = register_village(api)
    post_entry(api, village, receipt("10.00"))
    client = TestClient(api.client.app, raise_server_exceptions=False)
    failures = []
    for url, field in query_cases(village):
        response = client.get(url, headers=api.admin)
        if response.status_code != 422 or response.json().get("field") != field:
            failures.append((url, response.status_code, response.text[:200]))
    assert not failures, "\n".join(map(str, failures))
    assert_store_healthy(api)
