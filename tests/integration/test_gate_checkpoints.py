"""The chain gate's signed checkpoints (``audit.gate_checkpoints``): a full check (rebuild, the
first catch-up of a process) skips the Ed25519 verify of the saves below the latest trusted
checkpoint, and only when the log up to it is what it vouches for; every tampering is still
found, in the words of a check without checkpoint (and of ``verify``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from audit.gate_checkpoints import EMPTY_DIGEST, GateCheckpoint, fold
from audit.store_keys import load_or_create_key
from audit.verify import table_rows
from projections.key_rotation import rotate_signing_key
from projections.tables import account_months, entry_lines
from runtime.bootstrap import Runtime
from tests.conftest import TODAY
from tests.e2e.test_tamper import (
    chain_head,
    chain_row,
    edit_amount,
    forged_village,
    insert_event,
    positions,
    rebuild_and_verify,
    sql,
    write_books,
)

SAVES = 5  # write_books: six events in five saves


def open_runtime(database: tuple[str, str | None], key: Path) -> Runtime:
    runtime = Runtime(database[0], schema=database[1], today=lambda: TODAY, signing_key=key)
    runtime.gate.checkpoint_events, runtime.gate.checkpoint_seconds = 1, 0.0
    return runtime


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return tmp_path / "key.pem"


@pytest.fixture
def checkpointed(database: tuple[str, str | None], key: Path) -> Iterator[Runtime]:
    """Books written and checked: a checkpoint at the head."""
    runtime = open_runtime(database, key)
    try:
        write_books(runtime.app)
        runtime.views.rebuild()
        assert runtime.gate.checkpointed == positions(runtime)[-1]
        yield runtime
    finally:
        runtime.close()


def books(runtime: Runtime) -> dict[str, Any]:
    return {t.name: table_rows(runtime.engine, t) for t in (account_months, entry_lines)}


def checkpoints(runtime: Runtime) -> list[Any]:
    with runtime.engine.connect() as conn:
        return list(conn.execute(text("SELECT * FROM lz_chain_checkpoints")).mappings())


def test_a_rebuild_from_a_checkpoint_skips_the_signatures_below_it(
    checkpointed: Runtime, database: tuple[str, str | None], key: Path
) -> None:
    runtime = checkpointed
    assert (runtime.gate.verified, runtime.gate.skipped) == (SAVES, 0)
    write_books(runtime.app)
    again = open_runtime(database, key)
    try:
        again.views.catch_up()  # the first catch-up of a process: from the checkpoint
        assert (again.gate.verified, again.gate.skipped) == (SAVES, SAVES)
        assert again.gate.broken is None
        expected = books(again)
        again.views.rebuild()  # from the checkpoint the first catch-up wrote
        assert (again.gate.verified, again.gate.skipped) == (0, 2 * SAVES)
        assert again.gate.broken is None and books(again) == expected
        sql(again, "DELETE FROM lz_chain_checkpoints")
        again.views.rebuild()  # none: every signature verified
        assert (again.gate.verified, again.gate.skipped) == (2 * SAVES, 0)
        assert books(again) == expected
    finally:
        again.close()


def _sign_again(runtime: Runtime) -> None:
    """The second save's signature swapped for the third's: a valid signature, wrong place."""
    with runtime.engine.connect() as conn:
        signed = list(
            conn.execute(
                text(
                    "SELECT position, signature FROM lz_signed_chain "
                    "WHERE signature IS NOT NULL ORDER BY position"
                )
            )
        )
    sql(
        runtime,
        "UPDATE lz_signed_chain SET signature = :s WHERE position = :p",
        s=signed[2][1],
        p=signed[1][0],
    )


TAMPERINGS = {
    "an event's state": lambda rt: edit_amount(rt, positions(rt)[4]),
    "a chain row's hash": lambda rt: sql(
        rt, "UPDATE lz_signed_chain SET hash = :h WHERE position = 2", h="0" * 64
    ),
    "a chain row's signature": _sign_again,
    "a deleted chain row": lambda rt: sql(rt, "DELETE FROM lz_signed_chain WHERE position = 3"),
    "a deleted event": lambda rt: sql(rt, "DELETE FROM {events} WHERE {pos} = 2"),
    "an unsigned row at the tail": lambda rt: chain_row(
        rt, chain_head(rt), event := forged_village(rt), insert_event(rt, event)
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_a_tampering_below_a_checkpoint_is_found_as_without_it(
    checkpointed: Runtime, tampering: str
) -> None:
    runtime = checkpointed
    TAMPERINGS[tampering](runtime)
    problem = rebuild_and_verify(runtime)  # the gate's problem is verify's, word for word
    found = runtime.gate.broken
    sql(runtime, "DELETE FROM lz_chain_checkpoints")
    runtime.views.rebuild()
    assert runtime.gate.broken == found, problem  # as without a checkpoint


def test_a_forged_checkpoint_is_ignored(
    checkpointed: Runtime, database: tuple[str, str | None], tmp_path: Path
) -> None:
    """Signed by a key the store does not know, over the rows as tampered: ignored."""
    runtime = checkpointed
    _sign_again(runtime)
    with runtime.engine.connect() as conn:
        rows = list(
            conn.execute(text("SELECT * FROM lz_signed_chain ORDER BY position")).mappings()
        )
    digest = EMPTY_DIGEST
    for row in rows:
        if row["signature"] is not None:
            digest = fold(digest, row)
    attacker = load_or_create_key(tmp_path / "attacker.pem")
    position, head = int(rows[-1]["position"]), str(rows[-1]["hash"])
    sql(runtime, "DELETE FROM lz_chain_checkpoints")
    forged = GateCheckpoint(position, head, digest, "2026-01-01T00:00:00", attacker.key_id)
    sql(
        runtime,
        "INSERT INTO lz_chain_checkpoints VALUES (:p, :h, :d, :m, :k, :s)",
        p=forged.position,
        h=forged.hash,
        d=forged.digest,
        m=forged.made_at,
        k=forged.key_id,
        s=attacker.sign(forged.message()),
    )
    problem = rebuild_and_verify(runtime)
    assert runtime.gate.broken is not None and runtime.gate.broken.kind == "signature", problem


@pytest.mark.parametrize("how", ["bad signature", "another store"])
def test_a_checkpoint_that_does_not_verify_is_ignored(
    checkpointed: Runtime, database: tuple[str, str | None], tmp_path: Path, how: str
) -> None:
    runtime = checkpointed
    if how == "bad signature":
        sql(runtime, "UPDATE lz_chain_checkpoints SET made_at = '2020-01-01T00:00:00'")
    else:  # another store's checkpoint, its own key, copied over
        other = open_runtime((f"sqlite:///{tmp_path / 'other.db'}", None), tmp_path / "o.pem")
        try:
            write_books(other.app)
            other.views.rebuild()
            (row,) = checkpoints(other)
        finally:
            other.close()
        sql(runtime, "DELETE FROM lz_chain_checkpoints")
        sql(runtime, "INSERT INTO lz_chain_checkpoints VALUES (:a, :b, :c, :d, :e, :f)", **{
            k: v for k, v in zip("abcdef", row.values(), strict=True)
        })  # fmt: skip
    runtime.gate.checkpoint_events = 10**6  # no new one written
    runtime.views.rebuild()
    assert (runtime.gate.verified, runtime.gate.skipped) == (SAVES, 0)
    assert runtime.gate.broken is None


@pytest.mark.parametrize("rotated", ["before the checkpoint", "after the checkpoint"])
def test_key_rotation_and_checkpoints(
    database: tuple[str, str | None], key: Path, rotated: str
) -> None:
    runtime = open_runtime(database, key)
    try:
        write_books(runtime.app)
        if rotated == "after the checkpoint":
            runtime.views.rebuild()  # a checkpoint signed by the first key
            rotate_signing_key(runtime)
        else:
            rotate_signing_key(runtime)
        write_books(runtime.app)
    finally:
        runtime.close()
    second = open_runtime(database, key)  # the new key
    try:
        second.views.catch_up()
        assert second.gate.broken is None
        if rotated == "after the checkpoint":
            assert (second.gate.skipped, second.gate.verified) == (SAVES, SAVES + 1)
        expected = books(second)
        write_books(second.app)
        second.views.catch_up()
        expected = books(second)
    finally:
        second.close()
    third = open_runtime(database, key)
    try:
        third.views.rebuild()
        assert third.gate.broken is None and books(third) == expected
        # everything up to the head the second process checked, the rotation included
        assert (third.gate.skipped, third.gate.verified) == (3 * SAVES + 1, 0)
    finally:
        third.close()


def test_checkpoints_are_rate_limited(database: tuple[str, str | None], key: Path) -> None:
    runtime = open_runtime(database, key)
    try:
        runtime.gate.checkpoint_events = 1000
        write_books(runtime.app)
        runtime.views.catch_up()
        assert checkpoints(runtime) == []  # fewer events than one checkpoint's worth
        runtime.gate.checkpoint_events, runtime.gate.checkpoint_seconds = 1, 3600.0
        for _ in range(2):
            write_books(runtime.app)
            runtime.views.catch_up()
        assert len(checkpoints(runtime)) == 1  # at most one an hour
    finally:
        runtime.close()
