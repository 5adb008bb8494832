"""``lianzhang import-statement``: Scenario C's three files on 仉家村's account from the command
line; the same file again refused in Chinese with nothing written (exit status 2); an export no
template knows refused naming its columns, then read with ``--columns``."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.bootstrap import Runtime
from tests.application.scenario_c import FILES, TODAY, Story
from tests.e2e.command import lianzhang

pytestmark = pytest.mark.one_store


def test_statements_are_imported_from_the_command_line(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        Story(runtime.app).village()
    finally:
        runtime.close()
    account = ("--entity", "V01", "--account", "10201")
    for seq, name in enumerate(
        ("nongshang-2026-09.csv", "nongshang-2026-10.xlsx", "nongshang-2026-11.csv"), start=1
    ):
        done = lianzhang(database, tmp_path, "import-statement", *account, str(FILES / name))
        assert f"imported statement {seq} of V01 10201" in done.stdout
    again = lianzhang(
        database, tmp_path, "import-statement", *account, str(FILES / "nongshang-2026-11.csv"),
        check=False,
    )  # fmt: skip
    assert again.returncode == 2 and "已经导入过" in again.stderr
    unknown = str(FILES / "unmapped.csv")
    asked = lianzhang(database, tmp_path, "import-statement", *account, unknown, check=False)
    assert asked.returncode == 2 and "发生日期, 收入, 支出" in asked.stderr
    columns = "date=发生日期,amount_in=收入,amount_out=支出,balance=结余"
    read = lianzhang(
        database, tmp_path, "import-statement", *account, unknown, "--columns", columns,
        "--dry-run",
    )  # fmt: skip
    assert "2 lines" in read.stdout and "nothing was written" in read.stdout
