"""A projection that fails on an event does not take the service down (issue 12, point 1).

The bad event is committed straight through the recorder, as a store written by an older
version or another process could hold it; the API's and the domain's bounds never let one in.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from audit.signing import KEY_ENV
from domain.agreement import EnterpriseAgreement
from domain.books import VillageCollective
from ledger.money import money
from runtime.bootstrap import Runtime
from server.main import create_app
from tests.builders import code
from tests.conftest import TODAY
from tests.e2e.command import lianzhang
from tests.e2e.conftest import Api
from tests.e2e.test_api import assert_problem, post_entry, receipt, register_village
from web.settings import Settings

TOO_BIG = 2**64  # no integer column of either store holds it


def inject(runtime: Runtime, aggregate: Any, **patch: Any) -> int:
    """Store the aggregate's events with ``patch`` written into the first one's state, bypassing
    every check; returns the position of that first event."""
    stored = [runtime.app.mapper.to_stored_event(e) for e in aggregate.collect_events()]
    first = stored[0]
    state = json.loads(first.state)
    state.update(patch)
    stored[0] = StoredEvent(
        originator_id=first.originator_id,
        originator_version=first.originator_version,
        topic=first.topic,
        state=json.dumps(state).encode(),
    )
    runtime.app.recorder.insert_events(stored)
    return runtime.views.head() - len(stored) + 1


def poison_village(runtime: Runtime) -> int:
    village = VillageCollective(
        code=code("V"),
        name="毒村",
        township="唐坊镇",
        county="高青县",
        population=1,
        households=1,
        flags=[],
        actor="intruder",
    )
    return inject(runtime, village, population=TOO_BIG)


def poison_agreement(runtime: Runtime) -> int:
    agreement = EnterpriseAgreement.sign(
        code=code("AG"),
        alliance_code="A1",
        joint_entity_code="J1",
        enterprise_code="E1",
        signed_on=datetime.date(2025, 1, 1),
        start_year=2025,
        years=3,
        invested_capital=money("1000.00"),
        guarantee_kind="amount",
        guarantee_value=Decimal("100.00"),
        profit_share_percent=Decimal(0),
        payment_due="12-31",
        actor="intruder",
    )
    return inject(runtime, agreement, start_year=TOO_BIG)


def test_a_stuck_ledger_answers_503_naming_it_and_the_audit_views_go_on(api: Api) -> None:
    village = register_village(api)
    position = poison_village(api.runtime)

    body = assert_problem(
        api.client.get("/v1/entities", headers=api.admin), 503, "projection-stuck"
    )
    assert body["projection"] == "ledger"
    assert body["position"] == position
    assert f"stuck at event {position}" in body["detail"]
    assert_problem(
        api.client.get(f"/v1/entities/{village}/entries", headers=api.admin),
        503,
        "projection-stuck",
    )
    health = api.client.get("/readyz")
    assert health.status_code == 503
    assert health.json()["status"] == "degraded"
    assert health.json()["stuck"][0]["projection"] == "ledger"
    assert health.json()["stuck"][0]["position"] == position

    # a write whose answer comes from the stuck view is refused before anything is written
    head = api.runtime.views.head()
    assert_problem(post_entry(api, village, receipt("5.00")), 503, "projection-stuck")
    assert api.runtime.views.head() == head

    # the views that do not need it go on, and they include the event
    trail = api.client.get("/v1/audit/trail", headers=api.admin)
    assert trail.status_code == 200, trail.text
    fingerprint = api.client.get("/v1/audit/fingerprint", headers=api.admin)
    assert fingerprint.status_code == 200, fingerprint.text


def test_a_stuck_economy_leaves_the_books_writable(api: Api) -> None:
    village = register_village(api)
    position = poison_agreement(api.runtime)
    body = assert_problem(
        api.client.get("/v1/agreements", headers=api.admin), 503, "projection-stuck"
    )
    assert (body["projection"], body["position"]) == ("economy", position)
    # the books need only the ledger: writing and reading them go on
    created = post_entry(api, village, receipt("5.00"))
    assert created.status_code == 201, created.text
    listed = api.client.get(f"/v1/entities/{village}/entries", headers=api.admin)
    assert listed.status_code == 200
    assert listed.json()["total"] == 1
    assert api.client.get("/readyz").status_code == 503


def test_serve_starts_and_verify_and_rebuild_name_the_stuck_projection(
    database: tuple[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one server key for this process and the commands (on PostgreSQL the default key is
    # under the working directory, and the commands run in tmp_path)
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "server-key.pem"))
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        position = poison_village(runtime)
        # a fresh server on the poisoned store starts and says what is wrong
        fresh = Runtime(url, schema=schema, today=lambda: TODAY)
        try:
            with TestClient(create_app(Settings(database_url=url), runtime=fresh)) as client:
                health = client.get("/readyz")
                assert health.status_code == 503
                assert health.json()["stuck"][0]["position"] == position
        finally:
            fresh.close()
    finally:
        runtime.close()
    for command in ("verify", "rebuild"):
        result = lianzhang(database, tmp_path, command, check=False)
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        last = result.stderr.strip().splitlines()[-1]  # after rebuild's progress bar
        assert last.startswith(f"lianzhang {command}: read model 'ledger' is stuck at event ")
        assert f"stuck at event {position} (" in last
