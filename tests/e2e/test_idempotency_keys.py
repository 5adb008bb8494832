"""What an ``Idempotency-Key`` may be (security issue item 9): an empty or whitespace-only key,
one longer than 255 characters or one with a control character is a 422 problem in Chinese
naming the field, and nothing is written — no key "" is recorded to turn every later keyless
write of the token into a 409 for 24 hours."""

from __future__ import annotations

import pytest

from tests.builders import OPENING_BALANCES, code, receipt
from tests.e2e.conftest import Api

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def new_village(api: Api) -> str:
    village = code("V")
    created = api.client.post(
        "/v1/villages",
        json={
            "code": village,
            "name": "仉家村",
            "township": "唐坊镇",
            "county": "高青县",
            "population": 1200,
            "households": 400,
        },
        headers=api.admin,
    )
    assert created.status_code == 201, created.text
    opened = api.client.post(
        f"/v1/entities/{village}/opening-balances",
        json={"as_of": "2025-01-01", "balances": OPENING_BALANCES},
        headers=api.admin,
    )
    assert opened.status_code == 200, opened.text
    return village


def entries(api: Api, village: str) -> int:
    listed = api.client.get(f"/v1/entities/{village}/entries", headers=api.auditor).json()
    return int(listed["total"])


BAD_KEYS = {
    "empty": "",
    "spaces": "   ",
    "tab": "\t",
    "too long": "k" * 256,
    "control": "a\x01b",
    "delete": "a\x7fb",
}


@ON_SQLITE
def test_a_bad_key_is_a_422_in_chinese_and_writes_nothing(api: Api) -> None:
    village = new_village(api)
    body = {"date": "2025-03-01", "memo": "租金", "postings": receipt("10.00")}
    head = api.runtime.views.head()
    for what, key in BAD_KEYS.items():
        answer = api.client.post(
            f"/v1/entities/{village}/entries",
            json=body,
            headers={**api.clerk, "Idempotency-Key": key, "Accept-Language": "zh-CN"},
        )
        assert answer.status_code == 422, (what, answer.text)
        problem = answer.json()
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.headers["content-language"] == "zh-CN"
        assert problem["field"] == "Idempotency-Key", (what, problem)
        # the header named as a program sends it, or in Chinese
        assert "Idempotency-Key" in problem["detail"] or "幂等键" in problem["detail"], problem
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"]), (what, problem)
    assert api.runtime.views.head() == head  # nothing written, no key recorded
    # the token's later writes are not held up by a recorded key
    for _ in range(2):
        again = api.client.post(f"/v1/entities/{village}/entries", json=body, headers=api.clerk)
        assert again.status_code == 201, again.text
    assert entries(api, village) == 2


@ON_SQLITE
def test_a_key_with_spaces_around_it_is_still_a_key(api: Api) -> None:
    """Only a key that is all whitespace is refused; a good key (255 characters) works."""
    village = new_village(api)
    body = {"date": "2025-03-01", "memo": "租金", "postings": receipt("10.00")}
    key = "k" * 255
    first = api.client.post(
        f"/v1/entities/{village}/entries", json=body, headers={**api.clerk, "Idempotency-Key": key}
    )
    second = api.client.post(
        f"/v1/entities/{village}/entries", json=body, headers={**api.clerk, "Idempotency-Key": key}
    )
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert entries(api, village) == 1
