"""The benchmark of issue 13 keeps working: a tiny city on both stores (no timing asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import bench


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_tiny_city_measures_every_row(store: str, tmp_path: Path, capsys: object) -> None:
    out = tmp_path / "bench.json"
    bench.main(
        [
            f"--store={store}",
            "--villages=2",
            "--vouchers=12",
            "--sizes=5,15",
            "--block=3",
            "--rounds=1",
            "--households=8",
            "--bulk=30",
            f"--json={out}",
        ]
    )
    (result,) = json.loads(out.read_text(encoding="utf-8"))
    assert result["city"]["vouchers"] == 24
    assert [p["entries_in_book"] for p in result["post"]] == [5, 15]
    assert result["rebuild"]["events"] > 24
    # `make test` installs both (scripts/system-packages.sh test)
    assert result["rebuild"]["ledger"]["tool_s"] > 0 and result["rebuild"]["hledger"]["tool_s"] > 0
    assert result["households"]["households"] == 8
    assert result["http"]["http_ms"] > 0
    floor = result["http_floor"]
    assert floor["requests"] == 20 and floor["post_ms"] > 0 and floor["floor_ms"] > 0
    assert floor["healthz_ms"] > 0 and floor["bare_get_ms"] > 0
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "| post one entry vs bare save |" in printed
    assert "| HTTP post vs a bare Starlette route saving one event" in printed
    assert "–" not in printed.split("| rebuild vs read + decode |")[1].split("\n")[0]


def test_the_dashboard_benchmark_measures_a_tiny_township(capsys: object) -> None:
    """``scripts/bench_dashboard.py`` keeps working (no timing asserted): two villages, the
    page and the facts measured, the facts' statements counted."""
    from scripts import bench_dashboard

    result = bench_dashboard.main(["--villages=2", "--vouchers=12", "--requests=2"])
    assert result["books"] == 2 and result["vouchers"] > 0
    assert result["page"]["p50_ms"] > 0 and result["facts"]["p50_ms"] > 0
    assert 0 < result["statements"] <= 12
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "2 villages (2 books" in printed
