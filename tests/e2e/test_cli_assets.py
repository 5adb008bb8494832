"""``lianzhang depreciate`` in the test's process (``tests/e2e/command.py``), on one store (the
command line's behaviour, not storage): a township's month run book by book, the month again
(already done), a month skipped (refused per book, nothing written, status 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.bootstrap import Runtime
from scripts.demo import load_demo
from tests.assets_world import cold_store
from tests.e2e.command import lianzhang

pytestmark = pytest.mark.one_store


def head(database: tuple[str, str | None]) -> int:
    runtime = Runtime(database[0], schema=database[1])
    try:
        return runtime.views.head()
    finally:
        runtime.close()


def test_the_monthly_run_of_a_township_from_the_command_line(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    runtime = Runtime(database[0], schema=database[1])
    try:
        load_demo(runtime.app, say=lambda _: None)
        cold_store(runtime.app, rent_and_run=False)
    finally:
        runtime.close()
    april = lianzhang(
        database, tmp_path, "depreciate", "--township", "唐坊镇", "--month", "2026-04"
    )
    lines = april.stdout.splitlines()
    # the demo's barn (3,562.50, run when the demo loaded) and the cold store's 316.67
    assert lines[0].startswith("J01 2026-04 计提折旧 ¥3879.17（2 张卡片，凭证 ")
    assert lines[1] == "V01 2026-04 没有需要计提折旧的资产"  # the tractor starts in May
    again = lianzhang(
        database, tmp_path, "depreciate", "--township", "唐坊镇", "--month", "2026-04"
    )
    assert "J01 2026-04 的折旧已经计提过" in again.stdout
    before = head(database)
    june = lianzhang(
        database, tmp_path, "depreciate", "--township", "唐坊镇", "--month", "2026-06", check=False
    )
    assert june.returncode == 2 and head(database) == before
    assert "J01 2026-06 未计提：" in june.stdout and "请先计提 2026-05" in june.stdout
    assert "2 of 2 books were not depreciated for 2026-06" in june.stderr
    may = lianzhang(database, tmp_path, "depreciate", "--entity", "V01", "--month", "2026-05")
    assert may.stdout.startswith("V01 2026-05 计提折旧 ¥190.00")
    nowhere = lianzhang(
        database, tmp_path, "depreciate", "--township", "花沟镇", "--month", "2026-05"
    )
    assert "花沟镇 没有资产卡片" in nowhere.stdout
    bad = lianzhang(
        database, tmp_path, "depreciate", "--township", "唐坊镇", "--month", "2026-13", check=False
    )
    assert bad.returncode == 2 and "2026-13" in bad.stderr
