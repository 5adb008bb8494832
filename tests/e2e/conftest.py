"""An API client on a fresh store per test, and tokens of every role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.bootstrap import Runtime
from tests.apps import app_for
from tests.conftest import TODAY
from web.tokens import TokenStore


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


ROLES = ("admin", "clerk", "other_clerk", "auditor")


@contextmanager
def api_on(runtime: Runtime, headers: dict[str, dict[str, str]] | None = None) -> Iterator[Api]:
    """The app on ``runtime`` in a test client, with a fresh token of every role (or the
    ``headers`` of tokens the store already holds)."""
    app = app_for(runtime)
    if headers is None:
        tokens = TokenStore(runtime.engine)
        headers = {
            "admin": bearer(tokens.create("admin-1", "admin")),
            "clerk": bearer(tokens.create("clerk-tangfang", "clerk", ["唐坊镇"])),
            "other_clerk": bearer(tokens.create("clerk-huagou", "clerk", ["花沟镇"])),
            "auditor": bearer(tokens.create("auditor-1", "auditor")),
        }
    # the API tests read problems as an integrator does: in English (web/problem_texts.py;
    # tests/e2e/test_problems_language.py checks the Chinese default)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        yield Api(client=client, runtime=runtime, **{role: headers[role] for role in ROLES})


@pytest.fixture
def api(runtime: Runtime) -> Iterator[Api]:
    with api_on(runtime) as api:
        yield api


@pytest.fixture(scope="module")
def module_chromium() -> Iterator[Any]:
    """One headless Chromium for a module's page tests (starting it costs more CPU than most
    page tests do); a test takes it through ``browser``. Not one per test process: Playwright's
    synchronous API keeps an event loop running in the thread while the browser lives, and a
    later test of the process that runs its own (``anyio.run``) would find it there."""
    from tests.e2e.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def browser(module_chromium: Any) -> Iterator[Any]:
    """Headless Chromium for one test: the module's browser; the contexts and pages the test
    opens are closed when it ends, so no cookie, storage or page carries over to the next."""
    yield module_chromium
    for context in module_chromium.contexts:
        context.close()


STORE_FILE = "lianzhang.sqlite3"


@pytest.fixture(scope="session")
def scenario_a_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, dict[str, str]]]:
    """A folder holding a SQLite store (and its signing and data keys) after Scenario A run
    through the HTTP API, made once per worker. Tests never open it: ``scenario_a_api`` gives
    each test its own copy, so a test that writes changes only its copy. The tokens of the
    template's roles are in the copies too (token names are unique in a store)."""
    from tests.e2e.test_disclosure import run_scenario_a

    folder = tmp_path_factory.mktemp("scenario-a-template")
    runtime = Runtime(f"sqlite:///{folder / STORE_FILE}", schema=None, today=lambda: TODAY)
    try:
        with api_on(runtime) as api:
            run_scenario_a(api)
            runtime.views.catch_up()
            headers = {role: getattr(api, role) for role in ROLES}
    finally:
        runtime.close()
    return folder, headers


@pytest.fixture
def scenario_a_api(
    database: tuple[str, str | None], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Api]:
    """An API on a store that holds Scenario A (as ``run_scenario_a`` leaves it), the test's own.

    On SQLite it is a copy of the worker's template (the file and its keys: the same events,
    the same signed chain, the same read models), on PostgreSQL Scenario A is run in the fresh
    schema."""
    url, schema = database
    headers = None
    if schema is None:
        template, headers = request.getfixturevalue("scenario_a_template")
        folder = tmp_path / "scenario-a"
        shutil.copytree(template, folder)
        url = f"sqlite:///{folder / STORE_FILE}"
    runtime = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        with api_on(runtime, headers) as api:
            if schema is not None:
                from tests.e2e.test_disclosure import run_scenario_a

                run_scenario_a(api)
            yield api
    finally:
        runtime.close()


def ask_to_execute(
    api: Api, code: str, date: object, headers: dict[str, str] | None = None
) -> None:
    """提请执行 of plan ``code`` on ``date`` by another person than the one who executes it
    (issue 20: the administrator's token asks, the tests' clerk token executes)."""
    response = api.client.post(
        f"/v1/plans/{code}/execution-request",
        json={"date": str(date)},
        headers=headers if headers is not None else api.admin,
    )
    assert response.status_code == 201, f"{code}: {response.text}"
