"""Verification for auditors, and read models as of a past position.

``verify`` recomputes, from the stored events alone:

1. the hash chain, event by event, against the chain kept in the read model: the first position
   where an event was altered, deleted, inserted or moved is reported;
2. every read-model table, by replaying the log into an empty scratch database and comparing
   row by row: the first table and row that differ are reported;
3. every published disclosure sheet: its content hashes to its digest, its recorded
   fingerprint is the chain's at its position, and a replay up to that position, with the
   inputs it was published with, gives the same content and digest;
4. the books against each other (``audit.book_reconcile``): the first pair of books that
   disagree (141/301, a plan's payer and payees, land rent, 内部往来); then the books against
   the 三资 registers (``audit.asset_reconcile``: each project's 153 sub-account against its
   costs, 151/152 (132/133, 134, 161/162) against the cards held, each owner's parts against
   the whole).

Everything is read in one snapshot (``audit.snapshot``: one ``REPEATABLE READ READ ONLY``
transaction on PostgreSQL, one read transaction on SQLite): the log, the signed chain, the
read models and their tracking positions, the sheets. Each read model is compared with a
replay up to the position it had reached in that snapshot, so clerks posting meanwhile (and
read models caught up by a server meanwhile) are never taken for tampering.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, create_engine, select
from sqlalchemy.pool import StaticPool

from audit.asset_reconcile import verify_books
from audit.chain import GENESIS, head
from audit.chain_gate import ChainGate
from audit.chain_table import chain_rows_of, signed_chain
from audit.chain_verify import verify_log
from audit.messages import check_checkpoint
from audit.running_store import RunningStore
from audit.snapshot import Snapshot, snapshot
from audit.store_keys import key_ring
from documents.publishing import sheet_content
from domain.privacy import PersonalDataVault
from ledger.canonical import digest
from projections.registry import read_model_tables, read_models
from projections.replay import replay
from projections.runner import PullLoop
from projections.saves import save_end
from projections.tables import metadata, sheets, tracking


class Verified(RunningStore, Protocol):
    """What verifying reads of a running store beyond :class:`RunningStore`: the chain gate
    the scratch replays share, and the vault the economy view decrypts with."""

    @property
    def gate(self) -> ChainGate: ...

    @property
    def vault(self) -> PersonalDataVault: ...


def scratch_engine() -> Engine:
    """An empty in-memory database for read models rebuilt from the log."""
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    metadata.create_all(engine)
    return engine


@contextmanager
def as_of(runtime: Verified, position: int) -> Iterator[Engine]:
    """Read models exactly as they were after event ``position``: a replay into scratch.

    A position inside one atomic save reads as the end of that save (``projections.saves``).
    """
    position = save_end(runtime.app, position)
    engine = scratch_engine()
    _scratch_replay(runtime, _scratch_loop(runtime, engine), position)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _snapshot_of(runtime: Verified) -> Iterator[Snapshot]:
    with snapshot(runtime.engine, runtime.app.recorder.events_table_name) as snap:  # type: ignore[attr-defined]
        yield snap


def verify_chain(
    runtime: Verified, checkpoints: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Recompute the chain from the stored events; report where it departs from the chain that
    was signed when they were written (``audit.signing``), or from a checkpoint."""
    return verify_signed_chain(runtime, checkpoints)[0]


def verify_signed_chain(
    runtime: Verified, checkpoints: Sequence[dict[str, Any]] = (), snap: Snapshot | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first chain problem (if any) and the chain's summary (events, last position and
    hash, events sealed at upgrade), read in one snapshot (``snap``, or one of its own)."""
    if snap is None:
        with _snapshot_of(runtime) as own:
            return verify_signed_chain(runtime, checkpoints, own)
    ring = key_ring(snap.conn, runtime.signer.public)  # the keys the store recorded, rotations
    return verify_log(snap.notifications(), chain_rows_of(snap.conn), ring, checkpoints)


def _text(value: Any) -> str:
    """A cell as text, the same on every backend (SQLite keeps no time zone: use UTC)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return str(value)


def table_rows(engine: Engine | Connection, table: Any) -> dict[tuple[str, ...], tuple[str, ...]]:
    if isinstance(engine, Connection):
        return _rows(engine, table)
    with engine.connect() as conn:
        return _rows(conn, table)


def _rows(conn: Connection, table: Any) -> dict[tuple[str, ...], tuple[str, ...]]:
    keys = [c.name for c in table.primary_key.columns]
    return {
        tuple(_text(r[k]) for k in keys): tuple(_text(v) for v in r.values())
        for r in conn.execute(select(table)).mappings()
    }


def verify_read_models(runtime: Verified, snap: Snapshot | None = None) -> list[dict[str, Any]]:
    """Compare every read-model table with a replay of the log into scratch up to the position
    its read model had reached in the snapshot (read models at different positions, a stuck
    one, are each compared at their own)."""
    if snap is None:
        runtime.views.catch_up()
        with _snapshot_of(runtime) as own:
            return verify_read_models(runtime, own)
    reached = dict(snap.conn.execute(select(tracking.c.projection, tracking.c.position)).all())
    engine = scratch_engine()
    loop = _scratch_loop(runtime, engine)
    groups: dict[int, list[Any]] = {}
    for projection in loop.projections:
        groups.setdefault(int(reached.get(projection.name) or 0), []).append(projection)
    try:
        for position in sorted(groups):
            _scratch_replay(runtime, loop, position, snap)
            for table in read_model_tables(groups[position]):
                problem = _first_difference(table, table_rows(snap.conn, table), engine)
                if problem is not None:
                    return [problem]
    finally:
        engine.dispose()
    return []


def _first_difference(
    table: Any, live: dict[tuple[str, ...], tuple[str, ...]], replayed: Engine
) -> dict[str, Any] | None:
    fresh = table_rows(replayed, table)
    for key in sorted(set(live) | set(fresh)):
        if live.get(key) != fresh.get(key):
            what = (
                "has a row the log does not give"
                if key not in fresh
                else "lacks a row the log gives"
                if key not in live
                else "differs from the log"
            )
            return {
                "check": "read-model",
                "table": table.name,
                "row": list(key),
                "detail": f"{table.name} row {', '.join(key)} {what}",
                "live": live.get(key),
                "replayed": fresh.get(key),
            }
    return None


def _scratch_loop(runtime: Verified, engine: Engine) -> PullLoop:
    return PullLoop(
        runtime.app,
        engine,
        read_models(runtime.vault),
        gate=runtime.gate,  # the same log: the same frontier
    )


def _scratch_replay(
    runtime: Verified, loop: PullLoop, position: int, snap: Snapshot | None = None
) -> None:
    """Bring a scratch loop up to ``position`` with the rebuild's replay path (raw rows from
    the store, or from the snapshot ``snap``, large set-based pages); the pull loop finishes
    whatever it leaves."""
    replay(loop, runtime.engine if snap is None else snap.source, stop=position)
    loop.catch_up(stop=position)


def verify_sheets(runtime: Verified, snap: Snapshot | None = None) -> list[dict[str, Any]]:
    """Re-derive every published sheet from a replay up to the position it was made from (one
    replay, moved forward sheet by sheet in position order)."""
    if snap is None:
        with _snapshot_of(runtime) as own:
            return verify_sheets(runtime, own)
    problems: list[dict[str, Any]] = []
    published = list(snap.conn.execute(select(sheets)).mappings())
    chained = dict(snap.conn.execute(select(signed_chain.c.position, signed_chain.c.hash)).all())
    pending = []
    for row in published:
        content = json.loads(row["content"])
        label = f"{row['village_code']} {row['period']} v{row['version']}"
        if digest(content) != row["digest"]:
            problems.append(
                {
                    "check": "sheet",
                    "sheet": label,
                    "position": row["position"],
                    "detail": f"sheet {label}: its content does not hash to its digest",
                }
            )
            continue
        position = int(content.get("ledger", {}).get("position", 0))
        if chained.get(position, GENESIS) != content.get("ledger", {}).get("fingerprint"):
            problems.append(
                {
                    "check": "sheet",
                    "sheet": label,
                    "position": position,
                    "detail": f"sheet {label}: the fingerprint it prints is not the "
                    f"chain's at position {position}",
                }
            )
            continue
        checkpoint = content.get("ledger", {}).get("checkpoint")
        wrong = None
        if checkpoint is not None:
            wrong = check_checkpoint(checkpoint, runtime.signer.public, foreign=True) or (
                None
                if (checkpoint.get("position"), checkpoint.get("hash"))
                == (position, content["ledger"].get("fingerprint"))
                else "it vouches for another position or hash than the sheet prints"
            )
        if wrong is not None:
            problems.append(
                {
                    "check": "sheet",
                    "sheet": label,
                    "position": position,
                    "detail": f"sheet {label}: its signed checkpoint is wrong: {wrong}",
                }
            )
            continue
        pending.append((position, label, row, content))
    engine = scratch_engine()
    loop = _scratch_loop(runtime, engine)
    try:
        for position, label, row, content in sorted(pending, key=lambda item: item[0]):
            _scratch_replay(runtime, loop, position, snap)
            with engine.connect() as scratch:
                again = sheet_content(
                    scratch,
                    row["village_code"],
                    row["period"],
                    checked_by=content["checked"]["by"],
                    checked_on=datetime.date.fromisoformat(content["checked"]["on"]),
                    opinion=content["checked"]["opinion"],
                    made_on=datetime.date.fromisoformat(content["made_on"]),
                    layout=int(content.get("layout", 1)),
                )
            if "checkpoint" in content.get("ledger", {}):  # signed apart, checked above
                again["ledger"]["checkpoint"] = content["ledger"]["checkpoint"]
            if digest(again) != row["digest"]:
                problems.append(
                    {
                        "check": "sheet",
                        "sheet": label,
                        "position": position,
                        "detail": f"sheet {label}: a replay up to position {position} "
                        "does not give the published content",
                    }
                )
    finally:
        engine.dispose()
    return problems


def verify(
    runtime: Verified, checkpoints: Sequence[dict[str, Any]] = (), *, refuse_stuck: bool = False
) -> dict[str, Any]:
    """Every check; ``ok`` only when none found anything. ``events`` counts the stored events
    (positions can have gaps on PostgreSQL); ``chain`` says how many of them were sealed at
    upgrade rather than signed when written. With ``refuse_stuck`` (the command), a stuck read
    model raises ``ProjectionStuckError`` once the chain is found intact (the replays would
    stop at the same event); a broken chain is reported as such first."""
    runtime.views.catch_up()
    with _snapshot_of(runtime) as snap:
        problems, summary = verify_signed_chain(runtime, checkpoints, snap)
        if not problems and refuse_stuck:
            runtime.views.require(runtime.views.stuck)
        if not problems:  # a broken chain makes the replays below meaningless
            problems += verify_read_models(runtime, snap)
            problems += verify_sheets(runtime, snap)
            problems += verify_books(snap.conn)[:1]  # books against books and 三资: the first
        fingerprint = head(snap.conn)
    return {
        "ok": not problems,
        "head": fingerprint,
        "events": summary["events"],
        "chain": summary,
        "problems": problems,
    }
