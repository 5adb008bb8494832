"""The ``lianzhang`` command as a user runs it, on a real store: in the test's process
(``tests/e2e/command.py``), and as a real process serving the demo."""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from projections.tables import AUDIT_TABLES, ECONOMY_TABLES, LEDGER_TABLES
from runtime.bootstrap import Runtime
from scripts.demo_assets import steps_on_a_new_store
from tests.e2e.command import lianzhang, run


def event_count(database: tuple[str, str | None]) -> int:
    rt = Runtime(database[0], schema=database[1])
    try:
        return rt.views.head()
    finally:
        rt.close()


def test_demo_twice_writes_once_and_rebuild_reproduces_the_read_models(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    """One demo store for both (loading the demo is most of either's cost)."""
    first = lianzhang(database, tmp_path, "demo", "--no-serve")
    # the alliance and all of Scenario A (82), the plans' two requests to execute, the
    # township's signers and the four demo vouchers (issue 20): 89; and Scenario B's barn, whose
    # rent and depreciation are written month by month up to the day the demo is loaded
    written = 89 + steps_on_a_new_store(datetime.date.today())
    assert f"{written} steps written" in first.stdout
    token = (tmp_path / "var" / "demo-admin-token").read_text().strip()
    assert f"admin token: {token}" in first.stdout
    people = dict(
        line.split() for line in (tmp_path / "var" / "demo-people.txt").read_text().splitlines()
    )
    assert set(people) == {"zhidan", "shenhe", "zhuguan", "shenji", "guanli"}
    assert f"zhidan   李晓红 (制单, preparer): password {people['zhidan']}" in first.stdout
    assert (tmp_path / "var" / "demo-people.txt").stat().st_mode & 0o777 == 0o600
    count = event_count(database)
    second = lianzhang(database, tmp_path, "demo", "--no-serve")
    assert "nothing new to write" in second.stdout
    # the secrets are printed once, when they are made; later runs say where they are
    assert token not in second.stdout
    assert not any(password in second.stdout for password in people.values())
    assert "password in var/demo-people.txt" in second.stdout
    assert event_count(database) == count

    def dump() -> dict[str, list[tuple[str, ...]]]:
        rt = Runtime(database[0], schema=database[1])
        try:
            with rt.engine.connect() as conn:
                return {
                    t.name: sorted(tuple(map(str, r)) for r in conn.execute(select(t)))
                    for t in (*LEDGER_TABLES, *ECONOMY_TABLES, *AUDIT_TABLES)
                }
        finally:
            rt.close()

    before = dump()
    result = lianzhang(database, tmp_path, "rebuild")
    events = event_count(database)
    assert f"rebuilt the read models from {events} events" in result.stdout
    assert "100%" in result.stderr  # the progress bar ran to the end
    assert dump() == before


# the command line's behaviour, not storage: on SQLite only (PostgreSQL keeps rebuild, verify,
# export/import and the demo written once; tokens, users and sessions on PostgreSQL elsewhere)
@pytest.mark.one_store
def test_tokens_from_the_command_line(database: tuple[str, str | None], tmp_path: Path) -> None:
    created = lianzhang(
        database, tmp_path, "token", "create", "clerk-a", "--role", "clerk", "--township", "唐坊镇"
    )
    token = created.stdout.strip()
    assert token.startswith("lz_") and len(token) > 40
    listed = lianzhang(database, tmp_path, "token", "list").stdout
    assert "clerk-a\tclerk\t唐坊镇\tactive" in listed
    assert token not in listed
    duplicate = lianzhang(
        database, tmp_path, "token", "create", "clerk-a", "--role", "admin", check=False
    )
    assert duplicate.returncode == 2
    assert duplicate.stderr.strip().count("\n") == 0
    assert "already exists" in duplicate.stderr
    lianzhang(database, tmp_path, "token", "revoke", "clerk-a")
    assert (
        "clerk-a\tclerk\t唐坊镇\trevoked" in lianzhang(database, tmp_path, "token", "list").stdout
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# the command line's behaviour, not storage: on SQLite only (PostgreSQL keeps rebuild, verify,
# export/import and the demo written once; tokens, users and sessions on PostgreSQL elsewhere)
@pytest.mark.one_store
def test_demo_serves_balanced_books(database: tuple[str, str | None], tmp_path: Path) -> None:
    url, schema = database
    port = _free_port()
    command = [sys.executable, "-m", "scripts.cli", "--database-url", url]
    if schema:
        command += ["--schema", schema]
    server = subprocess.Popen(
        [*command, "demo", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("the demo server did not come up") from None
                time.sleep(0.3)
        token = (tmp_path / "var" / "demo-admin-token").read_text().strip()
        entities = {e["code"]: e for e in _get(f"{base}/v1/entities", token)}
        assert set(entities) == {"V01", "V02", "V03", "J01"}
        assert entities["V03"]["name"] == "李孟德村" and entities["V03"]["population"] == 1000
        alliance = _get(f"{base}/v1/alliances/HNHM", token)
        assert [m["village_code"] for m in alliance["members"]] == ["V01", "V02", "V03"]
        assert alliance["enterprises"][0]["name"] == "纽澜地"
        for code in ("V01", "V02", "V03"):
            tb = _get(f"{base}/v1/entities/{code}/trial-balance?month=2025-01", token)
            assert tb["balanced"] is True
            assert tb["totals"]["closing_debit"] == tb["totals"]["closing_credit"] != "0.00"
        plan = _get(f"{base}/v1/plans/P2025-V03", token)
        assert plan["state"] == "executed"
        assert {line["code"]: line["total"] for line in plan["lines"]}["H05"] == "9083.91"
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=10) as response:
            assert "/v1/entities/{code}/entries" in json.loads(response.read())["paths"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_allocate_prints_the_result_and_refuses_bad_documents(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "rules-example.json"
    result = run(["allocate", str(example)])
    assert result.returncode == 0, result.stderr
    lines = {line["code"]: line["total"] for line in json.loads(result.stdout)["lines"]}
    assert lines == {"V01": "70000.00", "V02": "51845.00", "V03": "60435.00"}
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"amount": 186000, "tiers": [{"kind": "weighted", "weights": {"x": "a"}}],'
        ' "parties": [{"code": "A", "bases": {}}]}'
    )
    refused = run(["allocate", str(bad)])
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert "amount: a JSON number is not accepted" in refused.stderr
    assert "tiers[0].weights.x: not a decimal" in refused.stderr
    assert "parties[0].bases.x: missing" in refused.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    failed = run(["allocate", str(broken)])
    assert failed.returncode == 2 and "broken.json:1:2: not valid JSON" in failed.stderr


# the command line's behaviour, not storage: on SQLite only (PostgreSQL keeps rebuild, verify,
# export/import and the demo written once; tokens, users and sessions on PostgreSQL elsewhere)
@pytest.mark.one_store
def test_call_goes_through_the_api_with_its_roles(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    lianzhang(database, tmp_path, "demo", "--no-serve")
    token = (tmp_path / "var" / "demo-admin-token").read_text().strip()
    shown = lianzhang(database, tmp_path, "call", "GET", "/v1/plans/P2025-HNHM", "--token", token)
    assert json.loads(shown.stdout)["state"] == "executed"
    auditor = lianzhang(database, tmp_path, "token", "create", "aud", "--role", "auditor")
    refused = lianzhang(
        database,
        tmp_path,
        "call",
        "POST",
        "/v1/plans/P2025-HNHM/execution",
        "--data",
        '{"date": "2026-02-01"}',
        "--token",
        auditor.stdout.strip(),
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("lianzhang call: 403 POST /v1/plans/P2025-HNHM/execution")
    again = lianzhang(
        database,
        tmp_path,
        "call",
        "POST",
        "/v1/plans/P2025-HNHM/execution",
        "--data",
        '{"date": "2026-02-01"}',
        "--token",
        token,
        check=False,
    )
    assert again.returncode == 2 and "409" in again.stderr and "已执行" in again.stderr


# the command line's behaviour, not storage: on SQLite only (PostgreSQL keeps rebuild, verify,
# export/import and the demo written once; tokens, users and sessions on PostgreSQL elsewhere)
@pytest.mark.one_store
def test_compare_prints_the_rules_side_by_side(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    lianzhang(database, tmp_path, "demo", "--no-serve")
    candidates = sorted((Path(__file__).parents[2] / "examples" / "candidates").glob("*.json"))
    page = tmp_path / "compare.html"
    shown = lianzhang(
        database, tmp_path, "compare", "plan:P2025-HNHM", *map(str, candidates), "--html", str(page)
    )
    header, *rows = shown.stdout.splitlines()
    assert header.split() == ["方案规则", "按资金比例", "按人口", "各村平均"]
    assert rows[1].split() == ["V02", "和店村", "44836.56", "48608.00", "48608.00", "60760.00"]
    assert "和店村：按资金计为其比例份额的0.92倍" in shown.stdout
    assert "<svg" in page.read_text(encoding="utf-8")
    example = Path(__file__).parents[2] / "examples" / "rules-example.json"
    offline = run(["compare", str(example), str(candidates[0])])
    assert offline.returncode == 0 and "51845.00" in offline.stdout
    missing = lianzhang(database, tmp_path, "compare", "plan:NOPE", str(candidates[0]), check=False)
    assert missing.returncode == 2 and "NOPE" in missing.stderr


def test_database_options_stand_before_or_after_the_subcommand(tmp_path: Path) -> None:
    """README: every command takes --database-url; after the subcommand it used to be refused."""
    before = tmp_path / "before.sqlite3"
    after = tmp_path / "after.sqlite3"
    for argv in (
        ["--database-url", f"sqlite:///{before}", "init"],
        ["init", "--database-url", f"sqlite:///{after}"],
        ["token", "list", "--database-url", f"sqlite:///{after}"],
    ):
        result = run(argv, tmp_path)
        assert result.returncode == 0, result.stderr
    assert before.exists() and after.exists()
    assert not (tmp_path / "var").exists()  # neither fell back to the default store
