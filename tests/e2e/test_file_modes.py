"""Files the project creates are readable by their owner only (issue "Trust an attacker cannot
turn", item 10): the SQLite database and its -wal and -shm (password hashes, wrapped person
keys, every ledger), the keys, and what the command line writes (exports, sheets) are 0600,
whatever the umask of the shell that started it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from runtime.bootstrap import Runtime
from tests import builders


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cli(cwd: Path, *args: str) -> None:
    """The command as a shell with umask 022 starts it."""
    subprocess.run(
        ["/bin/sh", "-c", 'umask 022 && exec "$0" -m scripts.cli "$@"', sys.executable, *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        timeout=120,
    )


def test_the_command_line_creates_files_for_its_owner_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/var/lianzhang.sqlite3"
    cli(tmp_path, "--database-url", url, "init")
    cli(tmp_path, "--database-url", url, "export", "events", "-o", str(tmp_path / "log.jsonl"))
    cli(tmp_path, "import-vouchers", "--template", str(tmp_path / "t.xlsx"))
    made = [p for p in (tmp_path / "var").iterdir()] + [tmp_path / "log.jsonl", tmp_path / "t.xlsx"]
    assert tmp_path / "var" / "lianzhang.sqlite3" in made
    assert {p.name: oct(mode(p)) for p in made} == {p.name: oct(0o600) for p in made}
    assert mode(tmp_path / "var") == 0o700


def test_the_database_and_its_wal_and_shm_are_0600_in_any_process(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a process that set no umask (uvicorn started by hand, a test)
    try:
        runtime = Runtime(f"sqlite:///{tmp_path}/store.sqlite3")
        try:
            builders.village(runtime.app)  # writes: the WAL and its index exist now
            files = [tmp_path / f"store.sqlite3{end}" for end in ("", "-wal", "-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        finally:
            runtime.close()
    finally:
        os.umask(old)


def test_an_older_store_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    Runtime(f"sqlite:///{path}").close()
    path.chmod(0o644)
    Runtime(f"sqlite:///{path}").close()
    assert mode(path) == 0o600
