"""Tamper evidence a database writer cannot forge (issue 12), on SQLite and PostgreSQL.

Each case is done as someone with the database but not the server key would do it (SQL on the
event table and on the signed chain), then the read models are rebuilt, and ``verify`` must
still fail naming the place. Before the signed chain, the chain was a read model: an edit
followed by ``lianzhang rebuild`` verified, and so did a forged event appended to the table.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.database import event_store_env, make_engine
from audit.chain import GENESIS, canonical_event, chain_hash
from audit.chain_gate import ChainBrokenError
from audit.checkpoints import make_checkpoint
from audit.exports import ExportError, export_events, import_events
from audit.keys import ChainError
from audit.messages import SAVE, save_message
from audit.signing import KEY_ENV
from audit.store_keys import load_or_create_key
from audit.verify import verify
from documents import publishing
from domain.application import LianzhangApplication
from runtime.bootstrap import Runtime
from tests import builders
from tests.conftest import TODAY

VERIFIER = Path(__file__).parents[2] / "scripts" / "verify_export"


def write_books(app: LianzhangApplication) -> str:
    """A village (registered with its alliance membership record, one save), its opening
    balances and three receipts: six events, five saves."""
    code = builders.village(app)
    for day, amount in ((2, "100.00"), (3, "250.00"), (4, "75.50")):
        app.books.post_entry(
            entity=code,
            date=datetime.date(2025, 1, day),
            memo=f"废品变卖收入{day}",
            postings=builders.receipt(amount),
            actor="tester",
        )
    return code


@pytest.fixture
def store(database: tuple[str, str | None], tmp_path: Path) -> Iterator[Runtime]:
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY, signing_key=tmp_path / "key.pem")
    try:
        write_books(runtime.app)
        runtime.views.catch_up()
        yield runtime
    finally:
        runtime.close()


# -- the attacker's tools: plain SQL ---------------------------------------------------------


def events_table(runtime: Runtime) -> tuple[str, str]:
    name = runtime.app.recorder.events_table_name  # type: ignore[attr-defined]
    if runtime.engine.dialect.name == "sqlite":
        return name, "rowid"
    return name, "notification_id"


def positions(runtime: Runtime) -> list[int]:
    name, pos = events_table(runtime)
    with runtime.engine.connect() as conn:
        return [r[0] for r in conn.execute(text(f"SELECT {pos} FROM {name} ORDER BY {pos}"))]


def state_at(runtime: Runtime, position: int) -> bytes:
    name, pos = events_table(runtime)
    with runtime.engine.connect() as conn:
        value = conn.execute(
            text(f"SELECT state FROM {name} WHERE {pos} = :p"), {"p": position}
        ).scalar_one()
    return bytes(value)


def sql(runtime: Runtime, statement: str, **params: Any) -> None:
    name, pos = events_table(runtime)
    with runtime.engine.begin() as conn:
        conn.execute(text(statement.format(events=name, pos=pos)), params)


def edit_amount(runtime: Runtime, position: int) -> None:
    state = state_at(runtime, position)
    assert b"250.00" in state
    sql(
        runtime,
        "UPDATE {events} SET state = :s WHERE {pos} = :p",
        s=state.replace(b"250.00", b"950.00"),
        p=position,
    )


def forged_village(runtime: Runtime) -> dict[str, Any]:
    """A village registration no clerk made: valid for every read model."""
    state = json.loads(state_at(runtime, positions(runtime)[0]))
    state["code"] = builders.code("V")
    originator = uuid.uuid4()
    stored_id = originator.hex if runtime.engine.dialect.name == "sqlite" else str(originator)
    return {
        "i": stored_id,
        "uuid": str(originator),
        "v": 1,
        "t": "domain.books:VillageCollective.Registered",
        "s": json.dumps(state, separators=(",", ":")).encode(),
    }


def insert_event(runtime: Runtime, event: dict[str, Any], position: int | None = None) -> int:
    name, pos = events_table(runtime)
    columns = "originator_id, originator_version, topic, state"
    values = ":i, :v, :t, :s"
    if position is not None:
        columns, values = f"{pos}, {columns}", f":p, {values}"
    with runtime.engine.begin() as conn:
        conn.execute(
            text(f"INSERT INTO {name} ({columns}) VALUES ({values})"),
            {k: event[k] for k in ("i", "v", "t", "s")} | {"p": position},
        )
    return positions(runtime)[-1] if position is None else position


def chain_row(runtime: Runtime, previous: str, event: dict[str, Any], position: int) -> str:
    current = chain_hash(previous, canonical_event(event["uuid"], 1, event["t"], event["s"]))
    with runtime.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO lz_signed_chain (position, originator_id, originator_version, "
                "previous, hash) VALUES (:p, :i, 1, :prev, :h)"
            ),
            {"p": position, "i": event["uuid"], "prev": previous, "h": current},
        )
    return current


def chain_head(runtime: Runtime) -> str:
    with runtime.engine.connect() as conn:
        return conn.execute(
            text("SELECT hash FROM lz_signed_chain ORDER BY position DESC LIMIT 1")
        ).scalar_one()


def rebuild_and_verify(runtime: Runtime, **kwargs: Any) -> dict[str, Any]:
    runtime.views.rebuild()
    report = verify(runtime, **kwargs)
    assert report["ok"] is False, "tampering went unnoticed after a rebuild"
    problem = report["problems"][0]
    assert problem["check"] == "chain"
    if not kwargs:  # the rebuild stopped at the same place, for the same reason (chain gate)
        broken = runtime.gate.broken
        assert broken is not None, "the rebuild applied what the chain does not sign"
        assert (broken.position, broken.detail) == (problem["position"], problem["detail"])
    return problem


# -- the cases -------------------------------------------------------------------------------


def test_the_untouched_log_verifies_and_counts_its_events(store: Runtime) -> None:
    report = verify(store)
    assert report["ok"] is True, report["problems"]
    assert report["events"] == 6
    assert report["chain"]["sealed_at_upgrade"] == 0
    assert report["head"]["fingerprint"] == report["chain"]["hash"] == chain_head(store)


def test_an_edited_amount_is_found_after_a_rebuild(store: Runtime) -> None:
    at = positions(store)[4]
    edit_amount(store, at)
    problem = rebuild_and_verify(store)
    assert problem["position"] == at
    assert "does not hash to the signed chain" in problem["detail"]


def test_an_edit_with_the_chain_rows_recomputed_is_found(store: Runtime) -> None:
    """The attacker rewrites every chain hash after the edit: only the signature tells."""
    at = positions(store)[4]
    edit_amount(store, at)
    previous = GENESIS
    for notification in store.app.recorder.select_notifications(start=None, limit=100):
        event = canonical_event(
            notification.originator_id,
            notification.originator_version,
            notification.topic,
            notification.state,
        )
        current = chain_hash(previous, event)
        sql(
            store,
            "UPDATE lz_signed_chain SET previous = :prev, hash = :h WHERE position = :p",
            prev=previous,
            h=current,
            p=notification.id,
        )
        previous = current
    problem = rebuild_and_verify(store)
    assert problem["position"] == at
    assert "signature" in problem["detail"]


def test_a_deleted_event_is_found(store: Runtime) -> None:
    at = positions(store)[3]
    sql(store, "DELETE FROM {events} WHERE {pos} = :p", p=at)
    problem = rebuild_and_verify(store)
    assert problem["position"] == at
    assert "deleted" in problem["detail"]


def test_a_deleted_event_and_its_chain_row_are_found(store: Runtime) -> None:
    at, after = positions(store)[3:5]
    sql(store, "DELETE FROM {events} WHERE {pos} = :p", p=at)
    sql(store, "DELETE FROM lz_signed_chain WHERE position = :p", p=at)
    problem = rebuild_and_verify(store)
    assert problem["position"] == after


def test_an_event_inserted_in_the_middle_is_found(store: Runtime) -> None:
    before = positions(store)
    at = before[3]
    sql(store, "UPDATE {events} SET {pos} = {pos} + 100 WHERE {pos} > :p", p=at)
    insert_event(store, forged_village(store), at + 1)
    problem = rebuild_and_verify(store)
    assert problem["position"] == at + 1


def test_two_events_swapped_are_found(store: Runtime) -> None:
    a, b = positions(store)[3:5]
    sql(store, "UPDATE {events} SET {pos} = -1 WHERE {pos} = :p", p=a)
    sql(store, "UPDATE {events} SET {pos} = :a WHERE {pos} = :b", a=a, b=b)
    sql(store, "UPDATE {events} SET {pos} = :b WHERE {pos} = -1", b=b)
    problem = rebuild_and_verify(store)
    assert problem["position"] == a
    assert "not the event signed there" in problem["detail"]


def test_an_appended_forgery_is_found(store: Runtime) -> None:
    at = insert_event(store, forged_village(store))
    problem = rebuild_and_verify(store)
    assert problem["position"] == at
    assert "without the server's key" in problem["detail"]


def test_an_appended_forgery_with_a_chain_row_is_found(store: Runtime) -> None:
    event = forged_village(store)
    at = insert_event(store, event)
    chain_row(store, chain_head(store), event, at)
    problem = rebuild_and_verify(store)
    assert problem["position"] == at
    assert "carry no signature" in problem["detail"]


def test_an_appended_forgery_signed_with_another_key_is_found(
    store: Runtime, tmp_path: Path
) -> None:
    event = forged_village(store)
    at = insert_event(store, event)
    current = chain_row(store, chain_head(store), event, at)
    other = load_or_create_key(tmp_path / "attacker.pem")
    sql(
        store,
        "UPDATE lz_signed_chain SET kind = :k, key_id = :i, signature = :s WHERE position = :p",
        k=SAVE,
        i=store.signer.key_id,  # claims the server's key id
        s=other.sign(save_message(SAVE, [at], current)),
        p=at,
    )
    problem = rebuild_and_verify(store)
    assert problem["position"] == at
    assert "does not verify" in problem["detail"]


def test_a_cut_off_end_is_found_given_a_checkpoint(store: Runtime) -> None:
    checkpoint = make_checkpoint(store.engine, store.app.recorder, store.signer)
    last = positions(store)[-1]
    assert checkpoint["position"] == last
    sql(store, "DELETE FROM {events} WHERE {pos} = :p", p=last)
    sql(store, "DELETE FROM lz_signed_chain WHERE position = :p", p=last)
    store.views.rebuild()
    # without a checkpoint a shorter, signed chain cannot be told from an honest one
    assert verify(store)["ok"] is True
    problem = rebuild_and_verify(store, checkpoints=[checkpoint])
    assert problem["position"] == last
    assert "cut off the end" in problem["detail"]


def test_a_rewritten_history_is_found_given_a_checkpoint(store: Runtime) -> None:
    checkpoint = make_checkpoint(store.engine, store.app.recorder, store.signer)
    forged = dict(checkpoint, hash="f" * 64)
    problem = rebuild_and_verify(store, checkpoints=[forged])
    assert "signature does not verify" in problem["detail"]


def test_an_edited_chain_row_is_found(store: Runtime) -> None:
    at = positions(store)[2]
    sql(store, "UPDATE lz_signed_chain SET hash = :h WHERE position = :p", h="0" * 64, p=at)
    problem = rebuild_and_verify(store)
    assert problem["position"] == at


def test_rebuild_never_touches_the_signed_chain(store: Runtime) -> None:
    with store.engine.connect() as conn:
        before = conn.execute(text("SELECT * FROM lz_signed_chain ORDER BY position")).all()
    store.views.rebuild()
    with store.engine.connect() as conn:
        after = conn.execute(text("SELECT * FROM lz_signed_chain ORDER BY position")).all()
    assert before == after and len(after) == 6
    assert [r.signature is not None for r in after] == [False] + [
        True
    ] * 5  # village and membership: one save


def test_events_are_counted_not_the_last_position(store: Runtime) -> None:
    """PostgreSQL positions can have gaps (a rolled-back insert uses up its ids)."""
    if store.engine.dialect.name == "postgresql":
        name, _ = events_table(store)
        with store.engine.begin() as conn:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'notification_id'), 40)"),
                {"t": f"{store.schema}.{name}"},
            )
    write_books(store.app)
    report = verify(store)
    assert report["ok"] is True, report["problems"]
    assert report["events"] == 12
    if store.engine.dialect.name == "postgresql":
        assert report["head"]["position"] > 40


def test_a_store_written_before_the_signed_chain_is_sealed_once(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = database
    make_engine(url, schema).dispose()  # the schema
    env = event_store_env(url, schema)
    env["PERSISTENCE_MODULE"] = (
        "eventsourcing.sqlite"
        if env["PERSISTENCE_MODULE"].endswith("SQLiteFactory")
        else "eventsourcing.postgres"
    )
    old = LianzhangApplication(env, today=lambda: TODAY)
    write_books(old)
    old.close()
    runtime = Runtime(url, schema=schema, signing_key=tmp_path / "key.pem")
    try:
        assert runtime.sealed_at_upgrade == 6
        write_books(runtime.app)  # written and signed as usual from now on
        report = verify(runtime)
        assert report["ok"] is True, report["problems"]
        assert (report["events"], report["chain"]["sealed_at_upgrade"]) == (12, 6)
    finally:
        runtime.close()
    again = Runtime(url, schema=schema, signing_key=tmp_path / "key.pem")
    try:
        assert again.sealed_at_upgrade == 0  # once only
        first = positions(again)[0]
        sql(again, "DELETE FROM lz_signed_chain")  # hoping the next start signs it all again
    finally:
        again.close()
    wiped = Runtime(url, schema=schema, signing_key=tmp_path / "key.pem")
    try:
        assert wiped.sealed_at_upgrade == 0  # the register beside the key remembers
        problem = rebuild_and_verify(wiped)
        assert problem["position"] == first
        assert "not in the signed chain" in problem["detail"]
    finally:
        wiped.close()


def test_nothing_is_written_without_a_key(database: tuple[str, str | None], tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    load_or_create_key(key)
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    url, schema = database
    with pytest.raises(ChainError, match="chmod 600"):
        Runtime(url, schema=schema, signing_key=key)


def test_a_published_sheet_carries_a_signed_checkpoint(store: Runtime) -> None:
    village = builders.village(store.app)
    store.views.catch_up()
    publishing.publish_sheet(
        store,
        village,
        "2025-01",
        checked_by=["张三", "李四"],
        checked_on=datetime.date(2025, 2, 1),
        opinion="核对无误",
        reason="月度公开",
        actor="tester",
    )
    found = publishing.published(store, village, "2025-01")
    assert found is not None
    ledger = found["content"]["ledger"]
    checkpoint = ledger["checkpoint"]
    assert (checkpoint["position"], checkpoint["hash"]) == (
        ledger["position"],
        ledger["fingerprint"],
    )
    assert checkpoint["key_id"] == store.signer.key_id
    assert verify(store)["ok"] is True


def test_a_store_that_does_not_match_its_chain_publishes_nothing(store: Runtime) -> None:
    village = builders.village(store.app)
    last = positions(store)[-1]
    sql(store, "UPDATE lz_signed_chain SET hash = :h WHERE position = :p", h="0" * 64, p=last)
    store.views.catch_up()
    # the read models stop before the save whose chain row was changed (the chain gate)
    with pytest.raises(ChainBrokenError, match=f"signed chain at position {last}"):
        publishing.publish_sheet(
            store,
            village,
            "2025-01",
            checked_by=["张三"],
            checked_on=datetime.date(2025, 2, 1),
            opinion="",
            reason="月度公开",
            actor="tester",
        )


# -- the export and the stand-alone verifier --------------------------------------------------


def run_verifier(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VERIFIER), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def recompute(records: list[dict[str, Any]]) -> bytes:
    """What an attacker without the key can do to an export: fix every hash and the close."""
    previous, out = GENESIS, []
    for record in records[:-1]:
        event = {k: record[k] for k in ("originator_id", "originator_version", "topic", "state")}
        previous = chain_hash(previous, event)
        out.append({**record, "hash": previous})
    closing = {
        **records[-1],
        "events": len(out),
        "position": out[-1]["position"],
        "hash": previous,
    }
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in [*out, closing])


def test_the_export_verifier_finds_every_tampering(store: Runtime, tmp_path: Path) -> None:
    key = tmp_path / "server.pub"
    key.write_text(store.signer.public.hex + "\n")
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(
        json.dumps(make_checkpoint(store.engine, store.app.recorder, store.signer))
    )
    lines = list(export_events(store))
    good = tmp_path / "log.jsonl"
    good.write_bytes(b"".join(lines))
    ok = run_verifier(good, "--public-key", key, "--checkpoint", checkpoint)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "signatures checked" in ok.stdout
    assert "NOT checked" in run_verifier(good).stdout
    # the folder an auditor copies alone, run elsewhere on the standard library only (-I -S: no
    # site packages, no cryptography: the pure-Python RFC 8032 check) says the same
    alone = tmp_path / "auditor" / "verify_export"
    shutil.copytree(VERIFIER, alone, ignore=shutil.ignore_patterns("__pycache__"))
    bare = subprocess.run(
        [sys.executable, "-I", "-S", alone, good, "--public-key", key, "--checkpoint", checkpoint],
        capture_output=True,
        text=True,
        check=False,
        cwd=alone.parent,
    )
    assert (bare.returncode, bare.stdout, bare.stderr) == (0, ok.stdout, "")
    records = [json.loads(line) for line in lines]

    def broken(name: str, data: bytes, *, keyed: bool = True) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        result = run_verifier(path, *(("--public-key", key) if keyed else ()))
        assert result.returncode == 1, f"{name}: {result.stdout}{result.stderr}"
        assert result.stdout.startswith("CHAIN BROKEN at ")
        return result.stdout

    # the last line (the close) removed, or the last event and the close, or a line cut short
    assert "cut short" in broken("short1.jsonl", b"".join(lines[:-1]), keyed=False)
    assert "cut short" in broken("short2.jsonl", b"".join(lines[:-2]), keyed=False)
    assert "cut short" in broken("short3.jsonl", b"".join(lines)[:-20], keyed=False)
    # a position edited out of order (found without the key), or in order (found with it)
    moved = [dict(r) for r in records]
    moved[2]["position"] = moved[0]["position"]
    assert "does not come after" in broken("moved.jsonl", recompute(moved), keyed=False)
    later = [dict(r) for r in records]
    later[-2]["position"] += 7
    assert "does not verify" in broken("later.jsonl", recompute(later))
    # an amount edited and every hash recomputed: only the signature tells
    edited = [dict(r) for r in records]
    edited[4]["state"] = json.loads(json.dumps(edited[4]["state"]).replace("250.00", "950.00"))
    assert edited[4] != records[4]
    assert run_verifier(tmp_path / "x", "--json").returncode == 2  # a missing file: exit 2
    out = broken("edited.jsonl", recompute(edited))
    assert "edited.jsonl:5:" in out  # the fifth line: the 250.00 receipt
    # a forged event appended, hashes and close recomputed
    forged = [dict(r) for r in records]
    extra = {**forged[0], "originator_id": str(uuid.uuid4()), "position": 999}
    for sealed in ("signature", "key_id", "seal"):  # the first event is not the last of its save
        extra.pop(sealed, None)
    forged.insert(len(forged) - 1, extra)
    assert "no signature" in broken("appended.jsonl", recompute(forged))
    # a checkpoint beyond the end: the log was cut back and re-exported
    last = positions(store)[-1]
    sql(store, "DELETE FROM {events} WHERE {pos} = :p", p=last)
    sql(store, "DELETE FROM lz_signed_chain WHERE position = :p", p=last)
    (tmp_path / "cut.jsonl").write_bytes(b"".join(export_events(store)))
    assert run_verifier(tmp_path / "cut.jsonl", "--public-key", key).returncode == 0
    cut = run_verifier(tmp_path / "cut.jsonl", "--public-key", key, "--checkpoint", checkpoint)
    assert cut.returncode == 1 and "cut off" in cut.stdout


def test_import_refuses_an_export_cut_short(store: Runtime, tmp_path: Path) -> None:
    lines = list(export_events(store))
    trusted = [store.signer.public]
    restored = Runtime(f"sqlite:///{tmp_path / 'r.sqlite3'}", signing_key=tmp_path / "k2.pem")
    try:
        with pytest.raises(ExportError, match="cut short"):
            import_events(restored, lines[:-1], trusted)
        assert restored.views.head() == 0
        assert import_events(restored, lines, trusted) == 6
        report = verify(restored)
        assert report["ok"] is True, report["problems"]
        # the exported chain rows as they were, then this store's key takes over (a restore)
        assert report["chain"]["keys"][0][0] == store.signer.key_id
        assert report["chain"]["keys"][-1][0] == restored.signer.key_id != store.signer.key_id
        source = verify(store)["head"]
        with restored.engine.connect() as conn:
            row = conn.execute(
                text("SELECT hash FROM lz_signed_chain WHERE position = :p"),
                {"p": source["position"]},
            ).scalar_one()
        assert row == source["fingerprint"]
        write_books(restored.app)  # later writes verify
        restored.views.catch_up()
        assert verify(restored)["ok"] is True
    finally:
        restored.close()


def resigned(records: list[dict[str, Any]], signer: Any) -> bytes:
    """An export re-signed whole with another key: every save, and the closing checkpoint."""
    previous, out, pending = GENESIS, [], []
    for record in records[:-1]:
        event = {k: record[k] for k in ("originator_id", "originator_version", "topic", "state")}
        previous = chain_hash(previous, event)
        pending.append(record["position"])
        fixed = {**record, "hash": previous}
        if "signature" in record:
            fixed.update(
                key_id=signer.key_id,
                signature=signer.sign(save_message(record["seal"], pending, previous)),
            )
            pending = []
        out.append(fixed)
    checkpoint = {
        "kind": "lianzhang-checkpoint",
        "position": out[-1]["position"],
        "hash": previous,
        "made_at": "2026-11-23T00:00:00+00:00",
        "key_id": signer.key_id,
    }
    from audit.messages import checkpoint_message

    checkpoint["public_key"] = signer.public.hex
    checkpoint["signature"] = signer.sign(checkpoint_message(checkpoint))
    closing = {
        **records[-1],
        "events": len(out),
        "position": out[-1]["position"],
        "hash": previous,
        "checkpoint": checkpoint,
    }
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in [*out, closing])


def test_import_refuses_forged_exports(store: Runtime, tmp_path: Path) -> None:
    """Before: `lianzhang import` checked no signature; an appended entry with recomputed
    hashes, or a whole export re-signed with another key, imported with exit 0, was re-signed by
    the new store, and `verify` then passed with the forgery in the books."""
    records = [json.loads(line) for line in export_events(store)]
    trusted = [store.signer.public]
    forged = [dict(r) for r in records]
    extra = {**forged[-2], "originator_id": str(uuid.uuid4()), "position": 999}
    extra.pop("signature"), extra.pop("key_id"), extra.pop("seal")
    forged.insert(len(forged) - 1, extra)
    attacker = load_or_create_key(tmp_path / "attacker.pem")
    restored = Runtime(f"sqlite:///{tmp_path / 'r.sqlite3'}", signing_key=tmp_path / "k2.pem")
    try:
        appended = recompute(forged).splitlines(keepends=True)
        with pytest.raises(ExportError, match=r"carry no signature.*nothing was imported"):
            import_events(restored, appended, trusted)
        with pytest.raises(ExportError, match=r"signed by key .*, which is no key of this chain"):
            import_events(restored, resigned(records, attacker).splitlines(keepends=True), trusted)
        # a forged entry, the whole export re-signed with another key: still refused
        with pytest.raises(ExportError, match="does not verify"):
            import_events(restored, resigned(forged, attacker).splitlines(keepends=True), trusted)
        with pytest.raises(ExportError, match="checkpoint --public-key"):
            import_events(restored, resigned(records, attacker).splitlines(keepends=True))
        assert restored.views.head() == 0  # nothing was imported
    finally:
        restored.close()


def test_cli_import_of_a_re_signed_export_is_refused(store: Runtime, tmp_path: Path) -> None:
    from tests.e2e.command import lianzhang

    records = [json.loads(line) for line in export_events(store)]
    attacker = load_or_create_key(tmp_path / "attacker.pem")
    (tmp_path / "forged.jsonl").write_bytes(resigned(records, attacker))
    target = (f"sqlite:///{tmp_path / 'restore' / 'r.sqlite3'}", None)
    (tmp_path / "restore").mkdir()
    refused = lianzhang(
        target,
        tmp_path,
        "import",
        str(tmp_path / "forged.jsonl"),
        "--public-key",
        store.signer.public.hex,
        check=False,
    )
    assert refused.returncode == 2, refused.stdout
    assert refused.stderr.startswith("lianzhang import: the export does not verify")
    assert "nothing was imported" in refused.stderr


# -- the command line ------------------------------------------------------------------------


def test_cli_checkpoint_rebuild_verify(
    database: tuple[str, str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.e2e.command import lianzhang

    monkeypatch.setenv(KEY_ENV, str(tmp_path / "server-key.pem"))
    # the command runs in tmp_path: import this checkout, not whichever one is installed
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[2]))
    lianzhang(database, tmp_path, "init")
    assert (tmp_path / "server-key.pem").stat().st_mode & 0o777 == 0o600
    url, schema = database
    runtime = Runtime(url, schema=schema)
    try:
        write_books(runtime.app)
        at = positions(runtime)[4]
        public = lianzhang(database, tmp_path, "checkpoint", "--public-key").stdout.strip()
        assert public == runtime.signer.public.hex
        written = lianzhang(database, tmp_path, "checkpoint", "-o", str(tmp_path / "cp.json"))
        assert "wrote checkpoint of position" in written.stdout
        edit_amount(runtime, at)
    finally:
        runtime.close()
    refused = lianzhang(database, tmp_path, "rebuild", check=False)
    assert refused.returncode == 2  # the read models stop before the altered event
    assert (
        f"signed chain at position {at}: event at position {at} does not hash"
        in (refused.stderr.strip().splitlines()[-1])
    )
    failed = lianzhang(
        database, tmp_path, "verify", "--checkpoint", str(tmp_path / "cp.json"), check=False
    )
    assert failed.returncode == 2
    assert f"event at position {at} does not hash to the signed chain" in failed.stderr
    assert os.environ[KEY_ENV].endswith("server-key.pem")


def test_writers_in_several_processes_keep_one_chain(
    store: Runtime, database: tuple[str, str | None], tmp_path: Path
) -> None:
    """Each save reads the chain head under the event table's write lock: writers at once
    (separate runtimes, as separate server processes would be) never fork the chain."""
    import threading

    url, schema = database
    runtimes = [
        Runtime(url, schema=schema, today=lambda: TODAY, signing_key=tmp_path / "key.pem")
        for _ in range(3)
    ]
    errors: list[BaseException] = []

    def write(runtime: Runtime) -> None:
        try:
            write_books(runtime.app)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(r,)) for r in runtimes]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for runtime in runtimes:
            runtime.close()
    assert errors == []
    report = verify(store)
    assert report["ok"] is True, report["problems"]
    assert report["events"] == 6 * 4


def test_the_api_refuses_to_publish_on_a_broken_chain(api: Any) -> None:
    from tests.e2e.test_disclosure import publish

    runtime = api.runtime
    village = builders.village(runtime.app)
    last = positions(runtime)[-1]
    sql(runtime, "UPDATE lz_signed_chain SET hash = :h WHERE position = :p", h="0" * 64, p=last)
    refused = publish(api, village, "2025-01")
    assert refused.status_code == 503, refused.text  # the read models stop before it
    problem = refused.json()
    assert problem["type"] == "urn:lianzhang:problem:chain-broken"
    assert "lianzhang verify" in problem["detail"]
    assert positions(runtime)[-1] == last  # nothing written
