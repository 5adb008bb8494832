"""The restore drill, on SQLite and PostgreSQL: a small store (villages, entries, a person with a
password, a token, a personal ID number sealed under the data key) is backed up with
``lianzhang backup``, restored with ``lianzhang restore`` into a fresh store (a new file, a new
schema) with the key files copied, and the restored store verifies, shows the same balances,
logs the person in, accepts the token and goes on writing. A restore with another signing key,
an altered dump or manifest, or into a store that holds a record is refused, nothing written.
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect

from adapters.database import make_engine
from audit.backups import EPHEMERAL, RECORD, derived_tables, log_tables
from audit.store_keys import KeyLocations, new_signing_pem
from audit.verify import table_rows, verify
from domain.privacy import with_check_digit
from projections.people_view import people
from projections.tables import account_months, entry_lines, members
from runtime.bootstrap import Runtime
from scripts.cli import main
from tests import builders
from tests.conftest import POSTGRES_URL, drop_schema, new_schema
from web.tokens import TokenStore
from web.users import UserStore

PASSWORD = "drill-password-1"
OPENED = datetime.date(2025, 1, 1)
BOOKS = (account_months, entry_lines, members)  # balances, entries, ID numbers opened


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def fill(runtime: Runtime) -> str:
    """Three villages with entries, a member with a sealed ID number, a person, a token."""
    villages = [builders.village(runtime.app) for _ in range(3)]
    for number, village in enumerate(villages):
        runtime.app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 1, 3 + number),
            memo="废品变卖收入",
            postings=builders.receipt(f"{number + 1}00.25"),
            actor="tester",
        )
    runtime.app.members.open_register(village=villages[0], share_kinds=["人口股"], actor="tester")
    runtime.app.members.register_household(
        village=villages[0], number="H01", head="李建国", registered_on=OPENED, actor="tester"
    )
    runtime.app.members.register_member(
        village=villages[0],
        number="H01-1",
        household="H01",
        name="李建国",
        id_number=with_check_digit("37032219800101001"),
        joined_on=OPENED,
        shares={"人口股": Decimal("1")},
        actor="tester",
    )
    return TokenStore(runtime.engine).create("drill", "auditor")


@pytest.fixture
def target(
    database: tuple[str, str | None], tmp_path: Path
) -> Iterator[tuple[list[str], KeyLocations]]:
    """The options naming a fresh store beside the test's, and where its keys go."""
    schema = database[1]
    if schema is None:
        other = f"sqlite:///{tmp_path / 'restored' / 'lianzhang.sqlite3'}"
        yield ["--database-url", other], KeyLocations.from_env(other, None)
        return
    fresh = new_schema()
    try:
        yield (
            ["--database-url", POSTGRES_URL, "--schema", fresh],
            KeyLocations.from_env(POSTGRES_URL, fresh),
        )
    finally:
        drop_schema(fresh)


def copy_keys(source: KeyLocations, to: KeyLocations) -> None:
    for a, b in ((source.signing, to.signing), (source.data, to.data)):
        b.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(a, b)
        b.chmod(0o600)


def test_restore_drill(
    database: tuple[str, str | None],
    target: tuple[list[str], KeyLocations],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, schema = database
    source = ["--database-url", url, *(["--schema", schema] if schema else [])]
    restored, keys = target
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli(capsys, "user", "create", "li", "--name", "李晓红", "--role", "auditor",
               "--password-stdin", *source)[0] == 0  # fmt: skip
    runtime = Runtime(url, schema=schema)
    try:
        token = fill(runtime)
        runtime.views.catch_up()
        before = {t.name: table_rows(runtime.engine, t) for t in BOOKS}
        source_keys = runtime.keys
        # every table of the store is named record, ephemeral or derived, once
        password_hash = UserStore(runtime.engine).password_hash("li")
        assert password_hash
        names = set(inspect(runtime.engine).get_table_names())
        classes = [set(log_tables(runtime)) | set(RECORD), set(EPHEMERAL), set(derived_tables())]
        assert names <= set.union(*classes)
        assert sum(len(c) for c in classes) == len(set.union(*classes))
    finally:
        runtime.close()

    code, said = cli(capsys, "backup", "-o", str(tmp_path / "backup"), *source)
    assert code == 0, said
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["lz_credentials"] == 1
    assert manifest["tables"]["lz_api_tokens"] == 1
    assert manifest["chain_head"]["position"] == manifest["log_head"] > 0
    assert (
        manifest["keys"]["signing"]["public_key"] in said
        or manifest["keys"]["signing"]["key_id"] in said
    )
    data_key = source_keys.data.read_bytes()
    assert data_key.hex() not in json.dumps(manifest)  # the data key itself is never named
    assert not (tmp_path / "backup" / "keys").exists()

    # refused: the keys are not in place, then another signing key is
    code, said = cli(capsys, "restore", str(tmp_path / "backup"), *restored)
    assert code == 2 and "恢复被拒绝" in said and str(keys.signing) in said
    copy_keys(source_keys, keys)
    keys.signing.write_bytes(new_signing_pem())
    code, said = cli(capsys, "restore", str(tmp_path / "backup"), *restored)
    assert code == 2 and "is not the backup's" in said and "恢复被拒绝" in said
    assert not _holds_events(restored)

    # the drill: the backup's keys in place, restore, verify, the same books
    copy_keys(source_keys, keys)
    code, said = cli(capsys, "restore", str(tmp_path / "backup"), *restored)
    assert code == 0, said
    assert "verified" in said
    url2 = restored[1]
    schema2 = restored[3] if len(restored) > 2 else None
    again = Runtime(url2, schema=schema2)
    try:
        after = {t.name: table_rows(again.engine, t) for t in BOOKS}
        assert after == before
        assert TokenStore(again.engine).authenticate(token) is not None
        assert UserStore(again.engine).password_hash("li") == password_hash
        with again.engine.connect() as conn:
            assert [p.login for p in conn.execute(people.select())] == ["li"]
        # the restored store goes on: new events follow the restored ones, and verify
        village = builders.village(again.app)
        again.views.catch_up()
        assert village
        assert verify(again)["ok"]
    finally:
        again.close()

    # a restore into a store that holds a record is refused
    code, said = cli(capsys, "restore", str(tmp_path / "backup"), *restored)
    assert code == 2 and "not empty" in said


def _holds_events(options: list[str]) -> bool:
    url = options[1]
    schema = options[3] if len(options) > 2 else None
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    engine = make_engine(url, schema)
    try:
        names = set(inspect(engine).get_table_names())
        return bool(names & {"stored_events", "lianzhang_events", "lz_signed_chain"}) and any(
            engine.connect().exec_driver_sql(f'SELECT count(*) FROM "{n}"').scalar()
            for n in names & {"stored_events", "lianzhang_events"}
        )
    finally:
        engine.dispose()


def test_altered_backup_is_refused(
    database: tuple[str, str | None],
    target: tuple[list[str], KeyLocations],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, schema = database
    source = ["--database-url", url, *(["--schema", schema] if schema else [])]
    restored, keys = target
    runtime = Runtime(url, schema=schema)
    try:
        fill(runtime)
        source_keys = runtime.keys
    finally:
        runtime.close()
    backup = tmp_path / "backup"
    assert cli(capsys, "backup", "-o", str(backup), "--with-keys", *source)[0] == 0
    assert sorted(p.name for p in (backup / "keys").iterdir()) == sorted(
        [source_keys.signing.name, source_keys.data.name]
    )
    copy_keys(source_keys, keys)
    data = next(p for p in backup.iterdir() if p.suffix in (".dump", ".sqlite3"))
    original = data.read_bytes()

    # a byte of the data changed
    data.write_bytes(original[:-40] + bytes([original[-40] ^ 1]) + original[-39:])
    code, said = cli(capsys, "restore", str(backup), *restored)
    assert code == 2 and "altered or damaged" in said
    data.write_bytes(original)

    # the manifest edited (a row count), its signature left as it was
    path = backup / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["tables"][log_tables_name(manifest)] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    code, said = cli(capsys, "restore", str(backup), *restored)
    assert code == 2 and "signature does not verify" in said
    assert not _holds_events(restored)


def log_tables_name(manifest: dict[str, object]) -> str:
    return str(manifest["events_table"])
