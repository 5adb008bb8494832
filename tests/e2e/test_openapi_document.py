"""The OpenAPI document is one an integrator can trust (issue 10, item 8): every operation's
answer is typed, every refusal is problem details, the main operations carry whole examples,
every example is valid by its own schema, the rule document is described, and real answers
are valid by the document (checked with jsonschema_rs, JSON Schema 2020-12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest

from tests.builders import OPENING_BALANCES
from tests.e2e.conftest import Api

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

PROBLEM = "application/problem+json"
MAIN = [  # (path, the success status its example answers)
    ("/v1/alliances", "201"),
    ("/v1/villages", "201"),
    ("/v1/entities/{code}/entries", "201"),
    ("/v1/entities/{code}/entries/{number}/reversal", "201"),
    ("/v1/entities/{code}/voucher-batches", "201"),
    ("/v1/plans", "201"),
    ("/v1/plans/{code}/steps", "201"),
    ("/v1/plans/{code}/execution", "201"),
    ("/v1/villages/{village}/disclosures", "201"),
    ("/v1/vouchers/{draft}/void", "200"),
    ("/v1/vouchers/{draft}/reversal", "201"),
    ("/v1/vouchers/{draft}/correction", "201"),
]


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def typed(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Not empty and not a free object: named members, or an array of typed items."""
    schema = resolve(doc, schema)
    if schema.get("type") == "array":
        return typed(doc, schema.get("items", {}))
    return bool(schema.get("properties"))


def problems(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
    return [f"{e.instance_path}: {e.message}"[:300] for e in validator.iter_errors(value)]


@pytest.fixture
def doc(api: Api) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def test_every_operation_answers_a_typed_body(doc: dict[str, Any]) -> None:
    untyped = []
    count = 0
    for path, method, operation in operations(doc):
        count += 1
        answers = {s: r for s, r in operation["responses"].items() if s[0] in "23"}
        assert answers, f"{method} {path} declares no success"
        for status, answer in answers.items():
            if status[0] == "3":
                assert "Location" in answer.get("headers", {}), (method, path, status)
                continue
            content = answer.get("content", {})
            if not content:
                untyped.append(f"{method.upper()} {path} {status}: no content")
            for media, body in content.items():
                schema = body.get("schema", {})
                if "json" in media:
                    if not typed(doc, schema):
                        untyped.append(f"{method.upper()} {path} {status} {media}: {schema}")
                elif schema.get("type") != "string":
                    untyped.append(f"{method.upper()} {path} {status} {media}: {schema}")
    assert count >= 70
    assert untyped == []


def test_every_refusal_is_problem_details(doc: dict[str, Any]) -> None:
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert {"instance", "field", "errors"} <= set(problem["properties"])
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    wrong = []
    for path, method, operation in operations(doc):
        responses = operation["responses"]
        assert "422" in responses, (method, path)  # control characters are refused anywhere
        if path.startswith("/v1"):
            assert "401" in responses, (method, path)
        if path.startswith(("/v1", "/public")) and path != "/v1/allocation-previews":
            assert "503" in responses, (method, path)  # a read model can be stuck
        keyed = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
        if keyed:  # every write
            assert {"401", "403", "404", "409"} <= set(responses), (method, path)
        for status, answer in responses.items():
            if status[0] == "4" or (status == "503" and path not in ("/healthz", "/readyz")):
                content = dict(answer.get("content", {}))
                if path.startswith("/public"):
                    # a villager's browser gets the refusal as a Chinese page; a program that
                    # asks for JSON gets the problem
                    content.pop("text/html", None)
                if list(content) != [PROBLEM] or content[PROBLEM]["schema"] != {
                    "$ref": "#/components/schemas/Problem"
                }:
                    wrong.append(f"{method.upper()} {path} {status}: {list(content)}")
    assert wrong == []


def test_the_rule_document_is_described(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    plan_rule = schemas["PlanCreate"]["properties"]["rule"]
    assert plan_rule["allOf"] == [{"$ref": "#/components/schemas/RuleTerms"}]
    preview = doc["paths"]["/v1/allocation-previews"]["post"]["requestBody"]
    assert preview["content"]["application/json"]["schema"]["allOf"] == [
        {"$ref": "#/components/schemas/RuleDocument"}
    ]
    document = schemas["RuleDocument"]
    assert {"amount", "tiers", "parties"} <= set(document["required"])
    assert {"deductions", "floors", "caps"} <= set(document["properties"])
    tiers = document["properties"]["tiers"]["items"]
    assert {t["$ref"].rsplit("/", 1)[-1] for t in tiers["oneOf"]} == {
        "RateTier",
        "WeightedTier",
        "ProportionalTier",
        "EqualTier",
    }
    assert "period_share" in schemas["RuleParty"]["properties"]
    assert schemas["RuleDocument"]["additionalProperties"] is False  # unknown keys are refused


def test_main_operations_carry_whole_examples(doc: dict[str, Any]) -> None:
    for path, status in MAIN:
        operation = doc["paths"][path]["post"]
        request = operation["requestBody"]["content"]["application/json"]
        answer = operation["responses"][status]["content"]["application/json"]
        assert request.get("examples"), path
        assert answer.get("examples"), path


def schema_examples(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Every (where, schema, example) of the schemas' own ``examples`` lists."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and not {"content", "in"} & set(node):
            schema = {k: v for k, v in node.items() if k != "examples"}
            for i, example in enumerate(node["examples"]):
                yield f"{where}.examples[{i}]", schema, example
        for key, value in node.items():
            if key != "examples":
                yield from schema_examples(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schema_examples(value, f"{where}[{i}]")


def media_examples(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Every example of a request or an answer, with the schema of its media type."""
    for path, method, operation in operations(doc):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(s, r.get("content", {})) for s, r in operation["responses"].items()]
        for what, content in bodies:
            for media, body in content.items():
                for name, example in (body.get("examples") or {}).items():
                    where = f"{method.upper()} {path} {what} {media} {name}"
                    yield where, body.get("schema", {}), example["value"]


def test_every_example_is_valid_by_its_own_schema(doc: dict[str, Any]) -> None:
    found = list(media_examples(doc)) + list(schema_examples(doc))
    assert len(found) > 50
    invalid = [
        f"{where}: {problems(doc, schema, example)}"
        for where, schema, example in found
        if problems(doc, schema, example)
    ]
    assert invalid == []


def test_real_answers_are_valid_by_the_document(api: Api, doc: dict[str, Any]) -> None:
    """A few writes and reads, refusals included, each checked against what the document
    declares for its status and media type."""
    village = {
        "code": "V01",
        "name": "仉家村",
        "township": "唐坊镇",
        "county": "高青县",
        "population": 1200,
        "households": 400,
    }
    entry = {
        "date": "2025-03-12",
        "memo": "支付村道维修款",
        "postings": [
            {"account": "514", "side": "debit", "amount": "8600.00"},
            {"account": "102", "side": "credit", "amount": "8600.00"},
        ],
    }
    calls: list[tuple[str, str, str, Any, dict[str, str]]] = [
        ("post", "/v1/villages", "/v1/villages", village, api.clerk),
        (
            "post",
            "/v1/entities/{code}/opening-balances",
            "/v1/entities/V01/opening-balances",
            {"as_of": "2025-01-01", "balances": OPENING_BALANCES},
            api.clerk,
        ),
        ("post", "/v1/entities/{code}/entries", "/v1/entities/V01/entries", entry, api.clerk),
        (
            "post",
            "/v1/entities/{code}/entries/{number}/reversal",
            "/v1/entities/V01/entries/2025-0001/reversal",
            {"date": "2025-03-15", "reason": "金额录错"},
            api.clerk,
        ),
        (
            "post",
            "/v1/entities/{code}/accounts",
            "/v1/entities/V01/accounts",
            {"code": "211V02", "name": "应付款-和店村", "parent": "211"},
            api.clerk,
        ),
        ("get", "/v1/entities/{code}/accounts", "/v1/entities/V01/accounts", None, api.auditor),
        ("get", "/v1/entities/{code}/entries", "/v1/entities/V01/entries", None, api.auditor),
        ("get", "/v1/audit/fingerprint", "/v1/audit/fingerprint", None, api.auditor),
        ("get", "/v1/audit/trail", "/v1/audit/trail", None, api.auditor),
        ("get", "/v1/plans", "/v1/plans", None, api.auditor),
        ("get", "/healthz", "/healthz", None, {}),
        ("get", "/readyz", "/readyz", None, {}),
        # refusals
        ("post", "/v1/entities/{code}/entries", "/v1/entities/V01/entries", {}, api.clerk),
        ("post", "/v1/entities/{code}/entries", "/v1/entities/V01/entries", entry, {}),
        ("post", "/v1/entities/{code}/entries", "/v1/entities/V01/entries", entry, api.auditor),
        ("get", "/v1/entities/{code}", "/v1/entities/V99", None, api.auditor),
        (
            "post",
            "/v1/entities/{code}/entries/{number}/reversal",
            "/v1/entities/V01/entries/2025-0001/reversal",
            {"date": "2025-03-15", "reason": "再冲一次"},
            api.clerk,
        ),
    ]
    seen: set[str] = set()
    for method, template, url, body, headers in calls:
        response = api.client.request(method, url, json=body, headers=headers)
        status = str(response.status_code)
        seen.add(status)
        declared = doc["paths"][template][method]["responses"].get(status)
        assert declared is not None, (method, url, status, response.text[:300])
        media = response.headers["content-type"].split(";")[0]
        schema = declared["content"][media]["schema"]
        assert problems(doc, schema, response.json()) == [], (method, url, status)
    assert {"200", "201", "401", "403", "404", "409", "422"} <= seen
