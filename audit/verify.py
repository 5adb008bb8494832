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
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.pool import StaticPool

from audit.asset_reconcile import verify_books
from audit.chain import GENESIS, head
from audit.chain_gate import ChainGate
from audit.chain_table import chain_rows_of, signed_chain
from audit.chain_verify import verify_log
from audit.messages import check_checkpoint
from audit.running_store import RunningStore
from audit.store_keys import key_ring
from documents.publishing import sheet_content
from domain.privacy import PersonalDataVault
from ledger.canonical import digest
from projections.registry import read_model_tables, read_models
from projections.replay import replay
from projections.runner import PullLoop
from projections.saves import save_end
from projections.tables import metadata, sheets

PAGE = 1000


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


def _notifications(runtime: Verified) -> Iterator[Any]:
    start = 0
    while True:
        page = runtime.app.recorder.select_notifications(
            start=start, limit=PAGE, inclusive_of_start=False
        )
        if not page:
            return
        yield from page
        start = page[-1].id


def verify_chain(
    runtime: Verified, checkpoints: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Recompute the chain from the stored events; report where it departs from the chain that
    was signed when they were written (``audit.signing``), or from a checkpoint."""
    return verify_signed_chain(runtime, checkpoints)[0]


def verify_signed_chain(
    runtime: Verified, checkpoints: Sequence[dict[str, Any]] = ()
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first chain problem (if any) and the chain's summary (events, last position and
    hash, events sealed at upgrade)."""
    with runtime.engine.connect() as conn:
        ring = key_ring(conn, runtime.signer.public)  # the keys the store recorded, rotations
    return verify_log(_notifications(runtime), chain_rows_of(runtime.engine), ring, checkpoints)


def _text(value: Any) -> str:
    """A cell as text, the same on every backend (SQLite keeps no time zone: use UTC)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return str(value)


def table_rows(engine: Engine, table: Any) -> dict[tuple[str, ...], tuple[str, ...]]:
    keys = [c.name for c in table.primary_key.columns]
    with engine.connect() as conn:
        return {
            tuple(_text(r[k]) for k in keys): tuple(_text(v) for v in r.values())
            for r in conn.execute(select(table)).mappings()
        }


def verify_read_models(runtime: Verified) -> list[dict[str, Any]]:
    """Replay everything into scratch and compare every read-model table with the live one."""
    runtime.views.catch_up()
    head = runtime.views.head()
    with as_of(runtime, head) as replayed:
        for table in read_model_tables(runtime.views.projections):
            live, fresh = table_rows(runtime.engine, table), table_rows(replayed, table)
            for key in sorted(set(live) | set(fresh)):
                if live.get(key) != fresh.get(key):
                    what = (
                        "has a row the log does not give"
                        if key not in fresh
                        else "lacks a row the log gives"
                        if key not in live
                        else "differs from the log"
                    )
                    return [
                        {
                            "check": "read-model",
                            "table": table.name,
                            "row": list(key),
                            "detail": f"{table.name} row {', '.join(key)} {what}",
                            "live": live.get(key),
                            "replayed": fresh.get(key),
                        }
                    ]
    return []


def _scratch_loop(runtime: Verified, engine: Engine) -> PullLoop:
    return PullLoop(
        runtime.app,
        engine,
        read_models(runtime.vault),
        gate=runtime.gate,  # the same log: the same frontier
    )


def _scratch_replay(runtime: Verified, loop: PullLoop, position: int) -> None:
    """Bring a scratch loop up to ``position`` with the rebuild's replay path (raw rows from
    the store, large set-based pages); the pull loop finishes whatever it leaves."""
    replay(loop, runtime.engine, stop=position)
    loop.catch_up(stop=position)


def verify_sheets(runtime: Verified) -> list[dict[str, Any]]:
    """Re-derive every published sheet from a replay up to the position it was made from (one
    replay, moved forward sheet by sheet in position order)."""
    problems: list[dict[str, Any]] = []
    with runtime.engine.connect() as conn:
        published = list(conn.execute(select(sheets)).mappings())
        chained = dict(conn.execute(select(signed_chain.c.position, signed_chain.c.hash)).all())
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
            _scratch_replay(runtime, loop, position)
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
    problems, summary = verify_signed_chain(runtime, checkpoints)
    if not problems and refuse_stuck:
        runtime.views.require(runtime.views.stuck)
    if not problems:  # a broken chain makes the replays below meaningless
        problems += verify_read_models(runtime)
        problems += verify_sheets(runtime)
        with runtime.engine.connect() as conn:  # books against books and 三资: the first
            problems += verify_books(conn)[:1]
    with runtime.engine.connect() as conn:
        fingerprint = head(conn)
    return {
        "ok": not problems,
        "head": fingerprint,
        "events": summary["events"],
        "chain": summary,
        "problems": problems,
    }
