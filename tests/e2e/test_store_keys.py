"""Keys as part of the store's identity (security issue, item 1), on SQLite and PostgreSQL.

Before: a deleted or replaced signing key was silently made anew, writes were signed with it
and ``verify`` failed for good; a deleted data key was made anew and every sealed ID number
was lost (503 ``InvalidTag`` after a rebuild); on PostgreSQL both keys were ``var/…`` under the
working directory, so a command run elsewhere forked the key; a world-readable data key was
accepted and a 5-byte one gave a traceback; there was no rotation.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from audit.store_keys import KeyLocations, KeyRefusedError, load_or_create_key
from audit.verify import verify
from domain.privacy import with_check_digit
from projections.key_rotation import rotate_signing_key
from runtime.bootstrap import Runtime
from tests import builders
from tests.conftest import TODAY
from tests.e2e.test_tamper import write_books
from web.settings import Settings

DAY = datetime.date(2025, 1, 1)
VERIFIER = Path(__file__).parents[2] / "scripts" / "verify_export"


def locations(tmp_path: Path) -> KeyLocations:
    return KeyLocations(tmp_path / "keys" / "signing-key.pem", tmp_path / "keys" / "data-key")


def open_store(database: tuple[str, str | None], keys: KeyLocations) -> Runtime:
    return Runtime(database[0], schema=database[1], today=lambda: TODAY, keys=keys)


def event_count(runtime: Runtime) -> int:
    return runtime.views.head()


@pytest.fixture
def written(database: tuple[str, str | None], tmp_path: Path) -> KeyLocations:
    """A store with books and a member whose ID number is sealed; its key locations."""
    keys = locations(tmp_path)
    runtime = open_store(database, keys)
    try:
        write_books(runtime.app)
        village = builders.village(runtime.app)
        runtime.app.members.open_register(village=village, share_kinds=["人口股"], actor="tester")
        runtime.app.members.register_household(
            village=village, number="H01", head="张三", registered_on=DAY, actor="tester"
        )
        runtime.app.members.register_member(
            village=village,
            number="H01-1",
            household="H01",
            name="张三",
            id_number=with_check_digit("37032219800101001"),
            joined_on=DAY,
            shares={"人口股": Decimal(1)},
            actor="tester",
        )
        runtime.views.catch_up()
    finally:
        runtime.close()
    return keys


def events_in(database: tuple[str, str | None], keys: KeyLocations) -> int:
    runtime = open_store(database, keys)
    try:
        return event_count(runtime)
    finally:
        runtime.close()


def test_a_missing_signing_key_is_refused_and_nothing_is_made(
    database: tuple[str, str | None], written: KeyLocations
) -> None:
    before = events_in(database, written)
    saved = written.signing.read_bytes()
    written.signing.unlink()
    with pytest.raises(KeyRefusedError, match=r"missing at .*restore it there from your backup"):
        open_store(database, written)
    assert not written.signing.exists()  # no new key was made
    written.signing.write_bytes(saved)
    written.signing.chmod(0o600)
    assert events_in(database, written) == before  # nothing was written


def test_a_replaced_signing_key_is_refused(
    database: tuple[str, str | None], written: KeyLocations
) -> None:
    written.signing.unlink()
    load_or_create_key(written.signing)  # another key, mode 0600
    with pytest.raises(KeyRefusedError, match="is not this store's key"):
        open_store(database, written)


@pytest.mark.parametrize("change", ["missing", "replaced"])
def test_a_missing_or_replaced_data_key_is_refused(
    database: tuple[str, str | None], written: KeyLocations, change: str
) -> None:
    written.data.unlink()
    if change == "replaced":
        written.data.write_bytes(os.urandom(32))
        written.data.chmod(0o600)
    with pytest.raises(KeyRefusedError, match="data key"):
        open_store(database, written)
    assert (written.data.exists()) is (change == "replaced")


def test_key_files_others_can_read_or_malformed_are_refused_in_one_line(
    database: tuple[str, str | None], written: KeyLocations
) -> None:
    written.data.chmod(0o644)
    with pytest.raises(KeyRefusedError, match=f"run: chmod 600 {written.data}"):
        open_store(database, written)
    written.data.chmod(0o600)
    saved = written.data.read_bytes()
    written.data.write_bytes(b"12345")
    with pytest.raises(KeyRefusedError, match=r"not a data key \(5 bytes, not 32\)"):
        open_store(database, written)
    written.data.write_bytes(saved)
    written.signing.write_bytes(b"12345")
    with pytest.raises(KeyRefusedError, match="is not a PEM Ed25519 private key"):
        open_store(database, written)


def test_a_store_of_the_previous_version_adopts_only_keys_that_verify(
    database: tuple[str, str | None], written: KeyLocations
) -> None:
    """Events and a signed chain but no recorded key (the version before lz_store_keys)."""
    runtime = open_store(database, written)
    try:
        with runtime.engine.begin() as conn:
            conn.execute(text("DELETE FROM lz_store_keys"))
    finally:
        runtime.close()
    good = written.signing.read_bytes()
    written.signing.unlink()
    load_or_create_key(written.signing)  # not the key the chain was signed with
    with pytest.raises(KeyRefusedError, match="does not verify this store's signed chain"):
        open_store(database, written)
    written.signing.write_bytes(good)
    runtime = open_store(database, written)  # the right key: adopted and recorded
    try:
        assert verify(runtime)["ok"] is True
    finally:
        runtime.close()


def test_rotation_then_verify_and_export_verify(
    database: tuple[str, str | None], written: KeyLocations, tmp_path: Path
) -> None:
    from audit.exports import export_events

    runtime = open_store(database, written)
    try:
        first = runtime.signer.public.hex
        old_id, new_id = rotate_signing_key(runtime)
        assert runtime.signer.key_id == new_id != old_id
        write_books(runtime.app)  # signed with the new key
        runtime.views.catch_up()
        report = verify(runtime)
        assert report["ok"] is True, report["problems"]
        assert [k[0] for k in report["chain"]["keys"]] == [old_id, new_id]
        (tmp_path / "log.jsonl").write_bytes(b"".join(export_events(runtime)))
        new = runtime.signer.public.hex
    finally:
        runtime.close()
    assert (written.signing.parent / f"signing-key.pem.{old_id}.bak").exists()
    for key in (first, new):  # the old key leads to the new one, the new one vouches for all
        result = subprocess.run(
            [sys.executable, str(VERIFIER), str(tmp_path / "log.jsonl"), "--public-key", key],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"{old_id} → {new_id}" in result.stdout
    again = open_store(database, written)  # the new key file is the store's now
    try:
        assert again.signer.key_id == new_id
        assert verify(again)["ok"] is True
    finally:
        again.close()
    written.signing.unlink()  # the old key back in place: refused, names the rotation
    (written.signing.parent / f"signing-key.pem.{old_id}.bak").rename(written.signing)
    with pytest.raises(KeyRefusedError, match=f"not this store's key \\(id {new_id}\\)"):
        open_store(database, written)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_command_from_another_directory_cannot_fork_the_key(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    """PostgreSQL: the keys are found by the store, not by the working directory."""
    from tests.e2e.command import lianzhang

    env_dir = tmp_path / "keys"

    def keys() -> KeyLocations:  # as the command line finds them: through the settings
        return keys_of(database[0], database[1], LIANZHANG_KEY_DIR=os.environ["LIANZHANG_KEY_DIR"])

    first, elsewhere = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    elsewhere.mkdir()
    os.environ["LIANZHANG_KEY_DIR"] = str(env_dir)
    try:
        lianzhang(database, first, "init")
        runtime = Runtime(database[0], schema=database[1], today=lambda: TODAY, keys=keys())
        try:
            write_books(runtime.app)
            before = runtime.views.head()
        finally:
            runtime.close()
        # from another directory: the same key (no `var/` under the working directory)
        created = lianzhang(
            database,
            elsewhere,
            "user",
            "create",
            "wang",
            "--name",
            "王五",
            "--role",
            "auditor",
            "--password-stdin",
            check=False,
        )
        assert not (elsewhere / "var").exists()
        assert lianzhang(database, elsewhere, "verify").returncode == 0
        assert created.returncode in (0, 2)
        # and with the key directory not found (another key directory): refused, not forked
        os.environ["LIANZHANG_KEY_DIR"] = str(tmp_path / "other")
        refused = lianzhang(database, elsewhere, "user", "list", check=False)
        assert refused.returncode == 2
        assert "missing at" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "other" / "signing-key.pem").exists()
        os.environ["LIANZHANG_KEY_DIR"] = str(env_dir)
        runtime = Runtime(database[0], schema=database[1], today=lambda: TODAY, keys=keys())
        try:
            assert runtime.views.head() >= before
            assert verify(runtime)["ok"] is True
        finally:
            runtime.close()
    finally:
        del os.environ["LIANZHANG_KEY_DIR"]


def keys_of(url: str, schema: str | None, **environ: str) -> KeyLocations:
    """Where the settings read from ``environ`` put the keys of the store at ``url``."""
    environ = {"LIANZHANG_DATABASE_URL": url, "LIANZHANG_DATABASE_SCHEMA": schema or "", **environ}
    return Settings.from_env(environ).key_locations()


def test_key_locations_are_absolute_and_independent_of_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/test"
    monkeypatch.chdir(tmp_path)
    here = keys_of(url, "s1")
    monkeypatch.chdir("/")
    assert keys_of(url, "s1") == here
    assert here.signing.is_absolute() and "127.0.0.1-5432-test-s1" in str(here.signing)
    assert keys_of(url, "s2") != here
    relative = keys_of(url, "s1", LIANZHANG_SIGNING_KEY="k.pem")
    assert relative.signing == Path("/k.pem")
    sqlite = keys_of(f"sqlite:///{tmp_path}/x.sqlite3", None)
    assert sqlite == KeyLocations(tmp_path / "signing-key.pem", tmp_path / "x.sqlite3.data-key")
    assert json.dumps(str(sqlite.data))
