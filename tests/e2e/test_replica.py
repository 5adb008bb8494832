"""Public pages and statements served from a PostgreSQL streaming replica (``LIANZHANG_READ_URL``):
a second local cluster started by ``scripts/replica.py`` (pg_basebackup) on another port.

While the replica's replay is paused, a sheet published and an entry posted on the primary are
not on the replica's pages (so those pages really are read there), and a read that asks for the
write's position is answered by the primary; once the replica has replayed the primary's WAL
past the write (``pg_last_wal_replay_lsn() >= `` the primary's LSN after the commit), the same
pages show it, read on the replica.
PostgreSQL only; like every PostgreSQL test it fails rather than skips when ``CI=true``."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from runtime.bootstrap import Runtime
from scripts import replica as replicas
from tests.apps import app_for
from tests.builders import OPENING_BALANCES, code, receipt
from tests.conftest import POSTGRES_URL
from web.settings import Settings
from web.tokens import TokenStore

POSITION = "Lianzhang-Position"
READ_FROM = "Lianzhang-Read-From"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def replica(postgres_available: None) -> Iterator[replicas.Replica]:
    try:
        replicas.bindir()
    except replicas.ReplicaError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{error} (CI=true: the replica test must run)")
        pytest.skip(str(error))
    directory = Path("/tmp") / f"lianzhang-replica-test-{uuid.uuid4().hex[:8]}"
    try:
        started = replicas.start(POSTGRES_URL, _free_port(), directory)
    except BaseException:
        replicas.stop(directory, keep=True)
        shutil.rmtree(directory, ignore_errors=True)
        raise
    try:
        yield started
    finally:
        replicas.stop(directory)


def _replay(replica: replicas.Replica, action: str) -> None:
    with psycopg.connect(replica.url, autocommit=True) as conn:
        conn.execute(f"SELECT pg_wal_replay_{action}()")


def _caught_up(replica: replicas.Replica) -> None:
    """Until the replica has replayed everything the primary has committed so far."""
    replicas.wait_for_lsn(replica.url, replicas.current_lsn(POSTGRES_URL), timeout=30)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_pages_read_from_the_replica_show_a_write_once_it_reaches_its_position(
    runtime: Runtime, database: tuple[str, str | None], replica: replicas.Replica
) -> None:
    url, schema = database
    settings = Settings(
        database_url=url, database_schema=schema, read_url=replica.url, wait_seconds=0.5
    )
    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('admin-1', 'admin')}"}
    village = code("V")
    with TestClient(app_for(runtime, settings)) as client:
        created = client.post(
            "/v1/villages",
            json={
                "code": village,
                "name": "仉家村",
                "township": "唐坊镇",
                "county": "高青县",
                "population": 1200,
                "households": 400,
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text
        opened = client.post(
            f"/v1/entities/{village}/opening-balances",
            json={"as_of": "2025-01-01", "balances": OPENING_BALANCES},
            headers=admin,
        )
        assert opened.status_code == 200, opened.text
        entry = {"date": "2025-03-01", "memo": "租金", "postings": receipt("4321.09")}
        posted = client.post(f"/v1/entities/{village}/entries", json=entry, headers=admin)
        assert posted.status_code == 201, posted.text
        statement = f"/v1/entities/{village}/statements/trial-balance?period=2025"

        _caught_up(replica)
        before = client.get(statement, headers=admin)
        assert before.status_code == 200, before.text
        assert "4321.09" in before.text

        _replay(replica, "pause")
        try:
            more = {**entry, "postings": receipt("17.00")}
            second = client.post(f"/v1/entities/{village}/entries", json=more, headers=admin)
            assert second.status_code == 201, second.text
            published = client.post(
                f"/v1/villages/{village}/disclosures",
                json={"period": "2025", "checked_by": ["王会计"], "checked_on": "2026-01-10"},
                headers=admin,
            )
            assert published.status_code == 201, published.text  # answered from the primary
            page = published.json()["urls"]["html"]
            position = int(published.headers[POSITION])

            # the replica has not replayed them: its pages do not show them yet
            assert client.get(page).status_code == 404
            stale = client.get(statement, headers=admin)
            assert "4321.09" in stale.text and "4338.09" not in stale.text
            assert stale.headers[READ_FROM].startswith("replica; position=")
            # a read that names the write's position: the replica has not reached it, so the
            # primary, which has, answers it (and says so)
            asked = client.get(page, headers={POSITION: str(position)})
            assert asked.status_code == 200, asked.text
            assert asked.headers[READ_FROM] == (
                f"primary; reason=replica-behind-position; position={position}"
            )
            assert village in asked.text
        finally:
            _replay(replica, "resume")

        _caught_up(replica)
        shown = client.get(page, headers={POSITION: str(position)})
        assert shown.status_code == 200, shown.text
        assert shown.headers[READ_FROM].startswith("replica; position=")
        assert village in shown.text and "仉家村" in shown.text
        assert "4338.09" in client.get(f"{statement}&min_position={position}", headers=admin).text
        assert village in client.get("/public").text
