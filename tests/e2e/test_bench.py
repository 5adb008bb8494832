"""The benchmark keeps working: a tiny city on both stores (no timing asserted)."""

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
            "--samples=3",
            "--rounds=1",
            "--households=8",
            "--bulk=30",
            f"--json={out}",
            # the HTTP rows start server processes whose code does not depend on the store:
            # measured on SQLite only, to keep the test short
            *(["--skip=http,http_floor"] if store == "postgresql" else []),
        ]
    )
    (result,) = json.loads(out.read_text(encoding="utf-8"))
    assert result["city"]["vouchers"] == 24
    assert result["scale"]["log_per_voucher"] > 0 and result["scale"]["read_models_per_voucher"] > 0
    assert [p["entries_in_book"] for p in result["post"]["sizes"]] == [5, 15]
    assert result["post"]["plain_save_s"] > 0 and result["bulk"]["plain_per_s"] > 0
    assert result["rebuild"]["events"] > 24 and result["rebuild"]["floor_s"] > 0
    # `make test` installs both (scripts/system-packages.sh test)
    assert (
        result["rebuild"]["ledger"]["process_s"] > 0 and result["rebuild"]["hledger"]["tool_s"] > 0
    )
    assert result["rebuild"]["transactions"] >= 24
    assert result["households"]["households"] == 8 and result["households"]["sheet_s"] > 0
    if store == "sqlite":
        assert result["http"]["ratio"] > 0
        floor = result["http_floor"]
        assert floor["post_ms"] > 0 and floor["floor_ms"] > 0 and floor["healthz_ms"] > 0
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    header = "| what | store | ours | baseline | ratio | goal | met? |"
    assert printed.startswith(header)
    assert f"| post one entry, book of 15, vs plain save | {store} |" in printed
    assert "vs `ledger bal`, processes (" in printed


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
