"""The rebuild's replay path (projections/replay.py) gives exactly the read models the pull loop
gives, table by table and row by row, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from audit.chain import AuditProjection, ChainProjection
from audit.chain_table import signed_chain
from audit.verify import table_rows, verify_read_models
from projections.assets_view import AssetsProjection
from projections.bank_view import BankProjection
from projections.budget_view import BudgetProjection
from projections.economy_view import EconomyProjection
from projections.ledger_view import LedgerProjection
from projections.people_view import PeopleProjection
from projections.replay import read_and_decode, rebuild, replay
from projections.resources_view import ResourcesProjection
from projections.runner import PullLoop
from projections.tables import chain, metadata
from projections.voucher_view import VoucherProjection
from runtime.bootstrap import Runtime
from tests.integration import replay_store


def every_table(runtime: Runtime) -> dict[str, Any]:
    """Every table of the read models (``projections.tables.metadata``, the tracking positions
    included), row by row."""
    return {table.name: table_rows(runtime.engine, table) for table in metadata.sorted_tables}


def pull_loop(runtime: Runtime, page_size: int) -> PullLoop:
    return PullLoop(
        runtime.app,
        runtime.engine,
        [
            LedgerProjection(),
            EconomyProjection(runtime.vault),
            ChainProjection(),
            AuditProjection(),
            PeopleProjection(),
            VoucherProjection(),
            AssetsProjection(),
            ResourcesProjection(runtime.vault),
            BudgetProjection(),
            BankProjection(),
        ],
        page_size=page_size,
    )


def test_the_replay_gives_every_table_the_pull_loop_gives_and_stops_where_asked(
    runtime: Runtime,
) -> None:
    replay_store.build(runtime)
    head = runtime.views.head()
    assert read_and_decode(runtime) == head > 200

    # the pull loop, in small pages: rows cross pages, updates reach rows written before
    incremental = pull_loop(runtime, page_size=7)
    incremental.reset()
    assert incremental.catch_up() == head
    assert incremental.stuck == {}
    expected = every_table(runtime)
    assert all(expected.values()), [name for name, rows in expected.items() if not rows]

    # the replay path, as `lianzhang rebuild` runs it …
    stats = rebuild(runtime)
    assert stats["events"] == head and stats["stuck"] == []
    assert every_table(runtime) == expected

    # … and in pages that end anywhere, from fresh projections (no code remembered)
    fresh = pull_loop(runtime, page_size=1000)
    fresh.reset()
    assert replay(fresh, runtime.engine, page=50) == head
    assert fresh.catch_up() == 0
    assert every_table(runtime) == expected
    assert verify_read_models(runtime) == []
    # the chain read model hashes the stored bytes as the writer did when it signed them
    with runtime.engine.connect() as conn:
        rebuilt = conn.execute(select(chain.c.position, chain.c.hash).order_by("position")).all()
        written = conn.execute(
            select(signed_chain.c.position, signed_chain.c.hash).order_by("position")
        ).all()
    assert rebuilt == written and len(rebuilt) == head

    # a replay up to a position stops there, where the pull loop stops (the same store: building
    # it is most of the cost)
    loop = pull_loop(runtime, page_size=1000)
    loop.reset()
    assert replay(loop, runtime.engine, stop=100, page=30) == 100
    upto = every_table(runtime)
    loop.reset()
    assert loop.catch_up(stop=100) == 100
    assert every_table(runtime) == upto
