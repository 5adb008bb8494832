"""The pull loop with one projection that fails on one event: it is stuck just before that
event, the others apply everything, and it resumes once the cause is gone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from sqlalchemy import select

from ledger.money import money
from projections import queries, runner
from projections.economy_view import EconomyProjection
from projections.ledger_view import LedgerProjection
from projections.runner import ProjectionStuckError, PullLoop
from projections.tables import tracking
from runtime.bootstrap import Runtime
from tests import builders
from tests.builders import receipt


class Faulty(LedgerProjection):
    """The ledger, failing on the event at ``bad`` while ``broken``."""

    def __init__(self, bad: int) -> None:
        super().__init__()
        self.bad = bad
        self.broken = True

    def apply(self, conn: Any, event: Any, position: int) -> None:
        if self.broken and position == self.bad:
            raise ValueError("cannot apply this one")
        super().apply(conn, event, position)


def test_a_failing_projection_is_stuck_and_the_others_go_on(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = runtime.app
    village = builders.village(app)
    for day in range(1, 6):
        app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 3, day),
            memo="租金",
            postings=receipt("10.00"),
            actor="t",
        )
    head = runtime.views.head()
    bad = head - 2
    faulty = Faulty(bad)
    loop = PullLoop(app, runtime.engine, [faulty, EconomyProjection()])
    loop.create_tables()
    loop.rebuild()
    assert set(loop.stuck) == {"ledger"}
    assert loop.stuck["ledger"].position == bad
    assert "ValueError: cannot apply this one" in loop.stuck["ledger"].error
    with runtime.engine.connect() as conn:
        positions = dict(conn.execute(select(tracking.c.projection, tracking.c.position)).all())
    assert positions["ledger"] == bad - 1  # everything before the bad event is applied
    assert positions["economy"] == head  # the others went on
    with pytest.raises(ProjectionStuckError, match=f"stuck at event {bad}"):
        loop.require(["ledger"])
    loop.require(["economy"])
    # stuck: not tried again at every catch-up …
    assert loop.catch_up() == 0
    # … but once the retry window has passed and the cause is gone, it resumes
    faulty.broken = False
    monkeypatch.setattr(runner, "STUCK_RETRY_SECONDS", 0.0)
    assert loop.catch_up() == 3
    assert loop.stuck == {}
    with runtime.engine.connect() as conn:
        tb = queries.trial_balance_for(conn, village, "2025-03")
    assert tb.line("102").debit == money("50.00")
