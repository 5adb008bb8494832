"""The application's save enforces tenancy and records idempotency keys (in-memory store)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from eventsourcing.domain import Aggregate

from domain.alliance import VillageMembership, membership_id
from domain.application import LianzhangApplication
from domain.books import VillageCollective
from domain.context import CommandContext, RequestClaim, acting
from domain.errors import ForbiddenTownshipError, InvalidRequestError, MembershipError
from domain.ids import entity_id
from domain.requests import KeyAlreadyRecorded, RequestKey, request_key_id
from domain.tenancy import township_of
from tests import builders
from tests.builders import receipt

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: D(2026, 11, 23)
    )


def count(app: LianzhangApplication) -> int:
    return app.recorder.max_notification_id() or 0


def clerk_of(*townships: str, claim: RequestClaim | None = None) -> CommandContext:
    return CommandContext(actor="clerk", townships=frozenset(townships), claim=claim)


def test_the_save_refuses_any_aggregate_outside_the_actors_townships(
    app: LianzhangApplication,
) -> None:
    """Called past every route check, a command still cannot write into a foreign township."""
    village = builders.village(app)  # 唐坊镇
    alliance = builders.alliance(app, township="田镇")
    app.alliances.join_village(
        alliance=alliance, village=village, joined_on=D(2025, 1, 2), actor="admin"
    )
    joint = builders.code("J")
    app.alliances.register_joint_entity(alliance=alliance, code=joint, name="联合社", actor="admin")
    app.pooling.record_cash(  # cash the rent could be paid from (a grant's is earmarked)
        entity=joint,
        direction="receipt",
        account="501",
        amount="9000.00",
        date=D(2025, 1, 3),
        memo="经营收入",
        actor="a",
    )
    before = count(app)
    with acting(clerk_of("田镇")), pytest.raises(ForbiddenTownshipError) as refused:
        app.pooling.contribute_capital(
            joint=joint,
            village=village,
            programme="CZFC",
            amount="1000.00",
            date=D(2025, 2, 1),
            actor="clerk",
        )
    assert f"the books of {village}" in refused.value.message
    assert "唐坊镇" in refused.value.message
    with acting(clerk_of("田镇")), pytest.raises(ForbiddenTownshipError):
        app.pooling.pay_land_rent(
            joint=joint,
            village=village,
            mu=Decimal("10"),
            rate_per_mu="100.00",
            year=2025,
            date=D(2025, 2, 1),
            actor="clerk",
        )
    with acting(clerk_of("田镇")), pytest.raises(ForbiddenTownshipError):
        app.alliances.leave_village(
            alliance=alliance, village=village, left_on=D(2025, 3, 1), reason="x", actor="c"
        )
    assert count(app) == before
    # in its own township the same clerk writes
    with acting(clerk_of("田镇")):
        app.pooling.receive_grant(
            joint=joint, programme="CZFC", amount="1.00", date=D(2025, 2, 1), memo="奖补", actor="c"
        )
    assert count(app) > before  # the grant (and the 241CZFC it opens the first time)


def test_a_store_from_before_the_membership_record_still_loads_and_keeps_the_rule(
    app: LianzhangApplication,
) -> None:
    """Old stores have alliances' own VillageJoined events and no membership aggregate: the
    membership is opened from them the first time, so the one-alliance rule holds there too,
    and leaving one alliance leaves the other membership alone."""
    village = builders.code("V")  # registered as the old code did: books only
    app.save(
        VillageCollective(
            code=village,
            name="旧村",
            township=builders.TOWNSHIP,
            county=builders.COUNTY,
            population=100,
            households=30,
            flags=[],
            actor="old",
        )
    )
    old = builders.alliance(app)
    other = builders.alliance(app)
    for code in (old, other):  # as the old code did: only the alliance records the member
        alliance = app.get_alliance(code)
        alliance.join_village(village_code=village, joined_on=D(2025, 1, 5), actor="old")
        app.save(alliance)
    assert not app.exists(membership_id(village))
    third = builders.alliance(app)
    with pytest.raises(MembershipError) as refused:
        app.alliances.join_village(
            alliance=third, village=village, joined_on=D(2025, 3, 1), actor="a"
        )
    assert old in refused.value.message and other in refused.value.message
    app.alliances.leave_village(
        alliance=other, village=village, left_on=D(2025, 2, 1), reason="合并", actor="a"
    )
    membership = app.repository.get(membership_id(village))
    assert isinstance(membership, VillageMembership)
    assert [s["alliance"] for s in membership.current()] == [old]
    assert village in app.get_alliance(old).members_on(D(2025, 6, 1))
    app.alliances.leave_village(
        alliance=old, village=village, left_on=D(2025, 2, 10), reason="x", actor="a"
    )
    app.alliances.join_village(alliance=third, village=village, joined_on=D(2025, 2, 10), actor="a")
    assert app.get_alliance(third).members_on(D(2025, 2, 10)) == [village]


def test_the_key_is_saved_with_the_commands_events_and_only_then(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    claim = RequestClaim(token="t", key="k1", request="POST /x", body_hash="h")
    with acting(CommandContext(actor="t", claim=claim)), pytest.raises(InvalidRequestError):
        app.books.post_entry(
            entity=village, date=D(2024, 1, 1), memo="早于期初", postings=receipt("1.00"), actor="t"
        )
    assert not app.exists(request_key_id("t", "k1"))
    context = CommandContext(actor="t", claim=claim)
    with acting(context):
        app.books.post_entry(
            entity=village, date=D(2025, 3, 1), memo="租金", postings=receipt("1.00"), actor="t"
        )
    key = app.repository.get(request_key_id("t", "k1"))
    assert isinstance(key, RequestKey) and key.matches("POST /x", "h")
    assert key.events == [[str(entity_id(village)), key.events[0][1]]]
    assert context.key_version == 1
    # the same key again (a duplicate that raced past the first check) is told to replay
    with acting(CommandContext(actor="t", claim=claim)), pytest.raises(KeyAlreadyRecorded):
        app.books.post_entry(
            entity=village, date=D(2025, 3, 1), memo="租金", postings=receipt("1.00"), actor="t"
        )
    assert app.get_books(village).sequences == {"2025": 1}


def test_an_expired_key_is_a_new_request(
    app: LianzhangApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    village = builders.village(app)
    claim = RequestClaim(token="t", key="k2", request="POST /x", body_hash="h")
    with acting(CommandContext(actor="t", claim=claim)):
        app.books.post_entry(
            entity=village, date=D(2025, 3, 1), memo="租金", postings=receipt("1.00"), actor="t"
        )
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=24, minutes=1)
    monkeypatch.setattr("domain.requests.utcnow", lambda: later)
    monkeypatch.setattr("domain.tenancy.utcnow", lambda: later)
    renewed = RequestClaim(token="t", key="k2", request="POST /y", body_hash="other")
    context = CommandContext(actor="t", claim=renewed)
    with acting(context):
        app.books.post_entry(
            entity=village, date=D(2025, 3, 2), memo="租金", postings=receipt("2.00"), actor="t"
        )
    assert context.key_version == 2
    key = app.repository.get(request_key_id("t", "k2"))
    assert isinstance(key, RequestKey) and key.matches("POST /y", "other")


def test_every_aggregate_type_knows_its_township(app: LianzhangApplication) -> None:
    village = builders.village(app, township="花沟镇")
    alliance = builders.alliance(app, township="花沟镇")
    app.alliances.join_village(
        alliance=alliance, village=village, joined_on=D(2025, 1, 2), actor="a"
    )
    register = app.members.open_register(village=village, share_kinds=["人口股"], actor="a")
    membership = app.repository.get(membership_id(village))
    for aggregate in (app.get_books(village), app.get_alliance(alliance), register, membership):
        assert township_of(app, aggregate) == "花沟镇"
    assert (
        township_of(
            app,
            RequestKey(
                token="t",
                key="k",
                request="POST /x",
                body_hash="h",
                recorded_at="",
                events=[],
                actor="t",
            ),
        )
        is None
    )

    class Stranger(Aggregate):
        pass

    with pytest.raises(ForbiddenTownshipError):
        township_of(app, Stranger())
