"""An API client on a fresh store per test, and tokens of every role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from api.tokens import TokenStore
from runtime.bootstrap import Runtime


@dataclass
class Api:
    client: TestClient
    runtime: Runtime
    admin: dict[str, str]
    clerk: dict[str, str]  # writes in 唐坊镇 only
    other_clerk: dict[str, str]  # writes in 花沟镇 only
    auditor: dict[str, str]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Api]:
    app = create_app(Settings(database_url=runtime.database_url), runtime=runtime)
    tokens = TokenStore(runtime.engine)
    # the API tests read problems as an integrator does: in English (api/problem_texts.py;
    # tests/e2e/test_problems_language.py checks the Chinese default)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        yield Api(
            client=client,
            runtime=runtime,
            admin=bearer(tokens.create("admin-1", "admin")),
            clerk=bearer(tokens.create("clerk-tangfang", "clerk", ["唐坊镇"])),
            other_clerk=bearer(tokens.create("clerk-huagou", "clerk", ["花沟镇"])),
            auditor=bearer(tokens.create("auditor-1", "auditor")),
        )
