"""The write side and the read models on a real store: SQLite file and PostgreSQL schema."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from sqlalchemy import select

from domain.books import JointEntity
from domain.errors import AlreadyExistsError, ClosedPeriodError
from ledger.errors import UnbalancedEntryError
from ledger.money import money
from projections import queries
from projections.ledger_view import LedgerProjection
from projections.runner import PullLoop
from projections.tables import AUDIT_TABLES, ECONOMY_TABLES, LEDGER_TABLES, tracking
from runtime.bootstrap import Runtime
from tests import builders
from tests.builders import posting, receipt

D = datetime.date


def dump(rt: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, in a stable order."""
    with rt.engine.connect() as conn:
        return {
            table.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(table)))
            for table in (*LEDGER_TABLES, *ECONOMY_TABLES, *AUDIT_TABLES)
        }


def event_count(rt: Runtime) -> int:
    return rt.views.head()


def test_entries_reach_the_trial_balance_per_month_and_cumulative(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    app.books.post_entry(
        entity=village, date=D(2025, 3, 10), memo="租金", postings=receipt("800.00"), actor="t"
    )
    app.books.post_entry(
        entity=village,
        date=D(2025, 4, 2),
        memo="办公费",
        postings=[posting("513", "debit", "120.50"), posting("101", "credit", "120.50")],
        actor="t",
    )
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        march = queries.trial_balance_for(conn, village, "2025-03")
        april = queries.trial_balance_for(conn, village, "2025-04")
        through_april = queries.trial_balance_for(conn, village, "2025-04", cumulative=True)
    assert march.is_balanced and april.is_balanced and through_april.is_balanced
    assert march.line("102").debit == money("800.00")
    assert march.line("102").closing == money("500800.00")
    assert april.line("102").opening == money("500800.00")
    assert april.line("102").debit == money("0.00")
    assert april.line("101").credit == money("120.50")
    assert april.line("101").closing == money("1879.50")
    assert through_april.line("102").debit == money("800.00")
    assert through_april.debit_total == money("920.50")
    assert through_april.closing_debit_total == through_april.closing_credit_total


def test_refused_entry_writes_nothing(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    before = event_count(runtime)
    with pytest.raises(UnbalancedEntryError):
        app.books.post_entry(
            entity=village,
            date=D(2025, 3, 1),
            memo="错",
            postings=[posting("102", "debit", "10.00"), posting("504", "credit", "9.99")],
            actor="t",
        )
    app.books.close_month(entity=village, month="2025-03", actor="t")
    with pytest.raises(ClosedPeriodError):
        app.books.post_entry(
            entity=village, date=D(2025, 3, 1), memo="迟", postings=receipt("1.00"), actor="t"
        )
    assert event_count(runtime) == before + 1  # only the MonthClosed event


def test_saving_two_aggregates_is_one_transaction(runtime: Runtime) -> None:
    app = runtime.app
    alliance_code = builders.alliance(app)
    taken = builders.village(app, opening=None)
    alliance = app.get_alliance(alliance_code)
    alliance.register_joint_entity(entity_code=taken, actor="t")
    clash = JointEntity(
        code=taken, name="撞号", alliance_code=alliance_code, township="镇", county="县", actor="t"
    )
    before = event_count(runtime)
    with pytest.raises(Exception):  # noqa: B017 - the store's own integrity error
        app.save(alliance, clash)
    assert event_count(runtime) == before
    assert app.get_alliance(alliance_code).joint_entity_code is None
    with pytest.raises(AlreadyExistsError):
        app.alliances.register_joint_entity(
            alliance=alliance_code, code=taken, name="撞号", actor="t"
        )


def test_concurrent_posts_to_one_village_all_land(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def clerk() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                entry = app.books.post_entry(
                    entity=village,
                    date=D(2025, 5, 1),
                    memo="并发",
                    postings=receipt("1.00"),
                    actor=threading.current_thread().name,
                )
                numbers.append(entry.number)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=clerk, name=f"clerk-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"2025-{n:04d}" for n in range(1, 11)]
    assert app.get_books(village).sequences == {"2025": 10}
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        tb = queries.trial_balance_for(conn, village, "2025-05")
    assert tb.line("102").debit == money("10.00")


def test_rebuild_gives_identical_tables(runtime: Runtime) -> None:
    app = runtime.app
    alliance_code = builders.alliance(app)
    villages = [builders.village(app) for _ in range(3)]
    for v in villages:
        app.alliances.join_village(
            alliance=alliance_code, village=v, joined_on=D(2025, 2, 1), actor="t"
        )
        entry = app.books.post_entry(
            entity=v, date=D(2025, 3, 1), memo="租金", postings=receipt("300.00"), actor="t"
        )
        app.books.reverse_entry(
            entity=v, number=entry.number, date=D(2025, 3, 2), reason="错", actor="t"
        )
        app.books.close_month(entity=v, month="2025-03", actor="t")
    app.alliances.leave_village(
        alliance=alliance_code, village=villages[0], left_on=D(2025, 8, 1), reason="撤并", actor="t"
    )
    app.alliances.register_joint_entity(
        alliance=alliance_code, code=builders.code("J"), name="联合社", actor="t"
    )
    runtime.views.catch_up()
    live = dump(runtime)
    assert live["lz_entries"] and live["lz_account_months"]
    applied = runtime.views.rebuild()
    assert applied == runtime.views.head()
    assert dump(runtime) == live


def test_each_event_is_applied_once_even_after_a_crash(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    for day in range(1, 4):
        app.books.post_entry(
            entity=village, date=D(2025, 3, day), memo="租金", postings=receipt("10.00"), actor="t"
        )

    class PowerCut(BaseException):
        """The process dies mid-page (an ordinary exception would make the projection stuck
        instead, see tests/e2e/test_stuck.py)."""

    class Crashing(LedgerProjection):
        def __init__(self) -> None:
            super().__init__()
            self.seen = 0

        def apply(self, conn: Any, event: Any, position: int) -> None:
            super().apply(conn, event, position)
            self.seen += 1
            if self.seen == 4:
                raise PowerCut("power cut")

    crashing = PullLoop(app, runtime.engine, [Crashing()])
    with pytest.raises(PowerCut):
        crashing.catch_up()
    with runtime.engine.connect() as conn:
        assert conn.execute(select(tracking.c.position)).scalar_one() == 0
        assert queries.entity(conn, village) is None  # the whole page was rolled back
    runtime.views.catch_up()
    runtime.views.catch_up()
    other = PullLoop(app, runtime.engine, [LedgerProjection()])
    assert other.catch_up() == 0
    with runtime.engine.connect() as conn:
        tb = queries.trial_balance_for(conn, village, "2025-03")
    assert tb.line("102").debit == money("30.00")


def test_two_processes_catching_up_apply_each_event_once(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    for day in range(1, 21):
        app.books.post_entry(
            entity=village, date=D(2025, 3, day), memo="租金", postings=receipt("1.00"), actor="t"
        )
    loops = [PullLoop(app, runtime.engine, [LedgerProjection()], page_size=3) for _ in range(2)]
    errors: list[BaseException] = []

    def run(loop: PullLoop) -> None:
        try:
            loop.catch_up()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(loop,)) for loop in loops]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with runtime.engine.connect() as conn:
        tb = queries.trial_balance_for(conn, village, "2025-03")
    assert tb.line("102").debit == money("20.00")


def test_books_past_a_snapshot_load_and_post_on_the_real_store(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    for _ in range(105):
        app.books.post_entry(
            entity=village, date=D(2025, 6, 1), memo="租金", postings=receipt("1.00"), actor="t"
        )
    assert app.snapshots is not None
    assert list(app.snapshots.get(app.get_books(village).id, desc=True, limit=1))
    entry = app.books.post_entry(
        entity=village, date=D(2025, 6, 2), memo="租金", postings=receipt("1.00"), actor="t"
    )
    assert entry.number == "2025-0106"
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        tb = queries.trial_balance_for(conn, village, "2025-06")
    assert tb.line("102").debit == money("106.00")
