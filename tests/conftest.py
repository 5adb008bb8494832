"""Shared fixtures: a fresh store per test on SQLite (a temporary file) and on PostgreSQL (a new
schema, dropped afterwards).

PostgreSQL is found at ``LIANZHANG_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``). When it does not answer, its tests are skipped
on a workstation and FAIL in CI (``CI=true``), so a green CI always means they ran.
"""

from __future__ import annotations

import datetime
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import settings

from audit.store_keys import default_postgres_key_dir
from runtime.bootstrap import Runtime

POSTGRES_URL = os.environ.get(
    "LIANZHANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgres")

# Timing is never asserted (issue 13): Hypothesis's per-example deadline fails properties on a
# machine that is busy (CI shares two cores), so it is off for every property test.
settings.register_profile("lianzhang", deadline=None)
settings.load_profile("lianzhang")

# Commands the tests start as processes (``python -m scripts.cli`` in a temporary directory)
# import this checkout, not whatever checkout the virtual environment was installed from.
ROOT = Path(__file__).resolve().parents[1]
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)
# The tests' PostgreSQL sessions (and those of the processes they start) commit without waiting
# for the WAL to reach the disk: a commit is visible at once and outlives any client (kill -9
# included), only a crash of the PostgreSQL server itself could lose the last ones, and no test
# crashes it. The stores' many small commits then cost the tests less.
os.environ["PGOPTIONS"] = " ".join(
    p for p in (os.environ.get("PGOPTIONS", ""), "-c synchronous_commit=off") if p
)
TODAY = datetime.date(2026, 11, 23)

# Vouchers are numbered yearly (2025-0015) in a township that never chose, as every test written
# before the township setting expects; the numbering tests choose monthly numbering themselves
# (tests/application/test_voucher_numbering.py). Processes the tests start inherit it.
os.environ.setdefault("LIANZHANG_NUMBERING", "yearly")


@pytest.fixture(autouse=True)
def _apps_back() -> Iterator[None]:
    """The apps a test took (``tests.apps.app_for``) are cleared and kept for the next test."""
    yield
    from tests import apps

    apps.release()


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL at {POSTGRES_URL} does not answer: {error}".strip()
    return None


@pytest.fixture(scope="session")
def postgres_available() -> None:
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(problem + " (CI=true: PostgreSQL tests must run)")
    pytest.skip(problem)


def new_schema() -> str:
    return "lz_test_" + uuid.uuid4().hex[:12]


def drop_schema(schema: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    forget_keys(schema)


def forget_keys(schema: str) -> None:
    """The store's keys (audit/store_keys.py: one directory per store, under the home
    directory)."""
    shutil.rmtree(default_postgres_key_dir(POSTGRES_URL, schema), ignore_errors=True)


# PostgreSQL stores of this test process, emptied, for the next test. Creating a store's some 56
# tables costs PostgreSQL about half a second; emptying them (DELETE, sequences restarted) a few
# milliseconds. A store is kept only when its catalogue is still that of a fresh store (same
# tables, columns, indexes, triggers and functions: a test that altered its store, say a tamper
# test, leaves it to be dropped); otherwise it is dropped as before.
_EMPTIED: list[str] = []
_FRESH_CATALOGUE: list[tuple[int, ...]] = []

_CATALOGUE = """
SELECT
  (SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace
    WHERE n.nspname = %(s)s),
  (SELECT count(*) FROM pg_attribute a JOIN pg_class k ON a.attrelid = k.oid
    JOIN pg_namespace n ON n.oid = k.relnamespace
    WHERE n.nspname = %(s)s AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT count(*) FROM pg_trigger t JOIN pg_class k ON t.tgrelid = k.oid
    JOIN pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = %(s)s),
  (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = %(s)s)
"""


def _catalogue(conn: psycopg.Connection[Any], schema: str) -> tuple[int, ...]:
    row = conn.execute(_CATALOGUE, {"s": schema}).fetchone()
    assert row is not None
    return tuple(int(n) for n in row)


def _fresh_catalogue() -> tuple[int, ...]:
    """The catalogue of a fresh store, made once per process (that store is then kept)."""
    if not _FRESH_CATALOGUE:
        schema = new_schema()
        Runtime(POSTGRES_URL, schema=schema, today=lambda: TODAY).close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            _FRESH_CATALOGUE.append(_catalogue(conn, schema))
        _give_back(schema)
    return _FRESH_CATALOGUE[0]


def _give_back(schema: str) -> None:
    """Empty ``schema`` and keep it for the next test, or drop it when it is no longer a fresh
    store's."""
    fresh = _FRESH_CATALOGUE[0] if _FRESH_CATALOGUE else None
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        if fresh is not None and _catalogue(conn, schema) != fresh:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            forget_keys(schema)
            return
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            )
        ]
        sequences = [
            r[0]
            for r in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = %s", (schema,)
            )
        ]
        # as the replica role: no trigger fires (an append-only guard would refuse the DELETE)
        conn.execute(
            "SET session_replication_role = replica; "
            + " ".join(f'DELETE FROM "{schema}"."{t}";' for t in tables)
            + " ".join(f'ALTER SEQUENCE "{schema}"."{q}" RESTART;' for q in sequences)
            + " SET session_replication_role = DEFAULT;"
        )
    forget_keys(schema)
    _EMPTIED.append(schema)


@pytest.fixture(scope="session", autouse=True)
def _emptied_stores_dropped() -> Iterator[None]:
    """The stores kept for another test are dropped when the tests end."""
    yield
    while _EMPTIED:
        drop_schema(_EMPTIED.pop())


def _take_schema() -> str:
    _fresh_catalogue()
    return _EMPTIED.pop() if _EMPTIED else new_schema()


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(database URL, schema) of a fresh, empty store on the backend of the test's parameter."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'lianzhang.sqlite3'}", None
        return
    request.getfixturevalue("postgres_available")
    schema = _take_schema()
    try:
        yield POSTGRES_URL, schema
    finally:
        _give_back(schema)


@pytest.fixture
def runtime(database: tuple[str, str | None]) -> Iterator[Runtime]:
    url, schema = database
    rt = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        yield rt
    finally:
        rt.close()


# ``one_store``: what the test pins is not storage (an HTTP contract, a validation, a page, a
# domain rule reached over HTTP), so it runs on SQLite only. PostgreSQL stays on the tests where
# storage is what is tested: tests/integration (the write side, read models, replay, bulk,
# caches), the stories (Scenario A end to end), concurrency, the worker and the replica, tamper
# evidence, bounds (32-bit integers, NUL in text), attachments, privacy (key deletion), sessions.
ONE_STORE = "one_store"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{ONE_STORE}: storage is not what this test pins; it runs on SQLite only "
        "(PostgreSQL is kept for the tests of storage)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses a store runs once on SQLite and once on PostgreSQL, unless it is
    marked ``one_store`` (then on SQLite only)."""
    already = any(
        m.args and m.args[0] == "database" for m in metafunc.definition.iter_markers("parametrize")
    )
    if "database" in metafunc.fixturenames and not already:
        one_store = metafunc.definition.get_closest_marker(ONE_STORE) is not None
        metafunc.parametrize("database", ("sqlite",) if one_store else BACKENDS, indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database") == "postgres":
            item.add_marker(pytest.mark.postgres)
