"""The application with the in-memory store: commands, stable ids, stored values round-trip."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.books import VillageCollective
from domain.errors import (
    AllianceNotFoundError,
    AlreadyExistsError,
    EntityNotFoundError,
    InvalidRequestError,
)
from domain.ids import entity_id
from ledger.accounts import Side
from ledger.money import money
from tests import builders
from tests.builders import receipt

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: D(2026, 11, 23)
    )


def test_stored_entry_comes_back_equal(app: LianzhangApplication) -> None:
    village = builders.village(app)
    entry = app.books.post_entry(
        entity=village,
        date=D(2025, 3, 1),
        memo="土地流转费",
        postings=receipt("800.00"),
        actor="clerk-a",
    )
    loaded = app.get_books(village)
    assert app.books.find_entry(village, entry.number) == entry
    assert app.books.find_entry(village, entry.number).postings[0].side is Side.DEBIT
    assert loaded.opening[0].amount == money("500000.00")
    assert loaded.opening_date == D(2025, 1, 1)
    notifications = app.recorder.select_notifications(start=1, limit=10)
    stored = notifications[-1].state.decode()
    assert '"_type_":"cny","_data_":"800.00"' in stored  # a string, not a float, not a pickle
    assert '"actor":"clerk-a"' in stored


def test_ids_are_stable_so_registering_twice_is_refused(app: LianzhangApplication) -> None:
    village = builders.village(app, village_code="V01", opening=None)
    assert app.get_books(village).id == entity_id("V01")
    with pytest.raises(AlreadyExistsError):
        builders.village(app, village_code="V01", opening=None)


def test_unknown_things_say_what_to_do(app: LianzhangApplication) -> None:
    with pytest.raises(EntityNotFoundError, match="register the village"):
        app.get_books("NOPE")
    with pytest.raises(AllianceNotFoundError, match="form it first"):
        app.alliances.join_village(alliance="NOPE", village="V", joined_on=D(2025, 1, 1), actor="a")


def test_bad_codes_and_counts_are_refused(app: LianzhangApplication) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        builders.village(app, village_code="仉家", opening=None)
    assert caught.value.field == "code"
    with pytest.raises(InvalidRequestError) as caught:
        builders.village(app, population=-1, opening=None)
    assert caught.value.field == "population"


def test_joint_entity_cannot_join_as_a_village(app: LianzhangApplication) -> None:
    alliance = builders.alliance(app)
    app.alliances.register_joint_entity(alliance=alliance, code="J01", name="联合社", actor="a")
    with pytest.raises(InvalidRequestError, match="not a village"):
        app.alliances.join_village(
            alliance=alliance, village="J01", joined_on=D(2025, 1, 1), actor="a"
        )
    village = builders.village(app)
    app.alliances.join_village(
        alliance=alliance, village=village, joined_on=D(2025, 1, 1), actor="a"
    )
    assert app.get_alliance(alliance).members_on(D(2025, 1, 1)) == [village]
    assert isinstance(app.get_books(village), VillageCollective)


def test_books_loaded_from_a_snapshot_equal_a_full_replay(app: LianzhangApplication) -> None:
    village = builders.village(app)
    for day in range(1, 29):
        for _ in range(5):
            app.books.post_entry(
                entity=village,
                date=D(2025, 2, day),
                memo="租金",
                postings=receipt("1.00"),
                actor="a",
            )
    entry = app.books.find_entry(village, "2025-0007")
    app.books.reverse_entry(
        entity=village, number=entry.number, date=D(2025, 3, 1), reason="错", actor="a"
    )
    app.books.close_month(entity=village, month="2025-02", actor="a")
    books_id = entity_id(village)
    assert app.snapshots is not None
    snapshot = next(iter(app.snapshots.get(books_id, desc=True, limit=1)))
    assert snapshot.originator_version == 100  # every 50 events
    loaded = app.get_books(village)
    replayed = None
    for event in app.events.get(books_id):
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert loaded.version == replayed.version == 144
    assert loaded.balances == replayed.balances
    assert loaded.sequences == replayed.sequences == {"2025": 141}
    assert tuple(loaded.opening) == tuple(replayed.opening)
    assert loaded.reversed_by == replayed.reversed_by == {"2025-0007": "2025-0141"}
    assert loaded.closed_through == "2025-02"
    nxt = app.books.post_entry(
        entity=village, date=D(2025, 3, 2), memo="x", postings=receipt("1.00"), actor="a"
    )
    assert nxt.number == "2025-0142"


def test_a_late_joiners_weight_counts_from_the_day_it_joined(app: LianzhangApplication) -> None:
    alliance = builders.alliance(app)
    early, late = builders.village(app), builders.village(app)
    app.alliances.join_village(alliance=alliance, village=early, joined_on=D(2025, 1, 1), actor="a")
    app.alliances.join_village(alliance=alliance, village=late, joined_on=D(2025, 7, 2), actor="a")
    joint = builders.code("J")
    app.alliances.register_joint_entity(alliance=alliance, code=joint, name="联合社", actor="a")
    for village, day in ((early, D(2025, 1, 2)), (late, D(2025, 7, 2))):
        app.pooling.contribute_capital(
            joint=joint, village=village, programme="CZFC", amount="100000.00", date=day, actor="a"
        )
    app.pooling.record_cash(
        entity=joint,
        direction="receipt",
        account="502",
        amount="10000.00",
        date=D(2025, 12, 20),
        memo="分红",
        actor="a",
    )
    plan = app.plans.draft_plan(
        code=builders.code("P"),
        title="按资金分配",
        scope="alliance",
        target=alliance,
        period="2025",
        as_of=D(2025, 12, 31),
        amount="10000.00",
        rule={"tiers": [{"kind": "proportional", "basis": "capital"}]},
        actor="a",
    )
    # the late joiner was a member 183 of the 365 days: 100000 × 183/365 = 50136.99
    bases = {p["code"]: p["bases"] for p in plan.rule["parties"]}
    assert bases[late]["capital"] == "50136.99" and bases[early]["capital"] == "100000.00"
    assert bases[late]["population"] == "501.369863"
    assert plan.rule["sources"]["membership"] == {late: "183/365"}
    totals = {line["code"]: line["total"] for line in plan.result["lines"]}
    # 10000 × 100000 / 150136.99 = 6660.5824…, 10000 × 50136.99 / 150136.99 = 3339.4175…
    assert totals == {early: "6660.58", late: "3339.42"}
