"""Cross-book operations at the application level (in-memory store): one save, one moment;
the capital refund's guards."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.errors import ConflictError, CrossBookEntryError, InvalidRequestError
from ledger.money import money
from projections.saves import save_end
from tests import builders

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: D(2026, 11, 23)
    )


def pooled(app: LianzhangApplication) -> tuple[str, str]:
    alliance = builders.alliance(app)
    village = builders.village(app)
    joint = builders.code("J")
    app.alliances.register_joint_entity(alliance=alliance, code=joint, name="联合社", actor="t")
    app.books.set_opening_balances(entity=joint, as_of=builders.OPENING, balances=[], actor="t")
    app.alliances.join_village(
        alliance=alliance, village=village, joined_on=builders.OPENING, actor="t"
    )
    app.pooling.contribute_capital(
        joint=joint, village=village, programme="CZFC", amount="1000.00", date=D(2025, 2, 1),
        actor="t",
    )  # fmt: skip
    return joint, village


def test_the_events_of_one_save_share_one_moment(app: LianzhangApplication) -> None:
    joint, village = pooled(app)
    last = app.recorder.max_notification_id()
    assert last is not None
    both = app.recorder.select_notifications(start=last - 1, limit=2)
    stamps = [app.mapper.to_domain_event(n).timestamp for n in both]
    assert stamps[0] == stamps[1]
    assert save_end(app, last - 1) == last and save_end(app, last) == last
    # the aggregates in memory (cached) say what a replay from the store says
    for code in (joint, village):
        cached = app.get_books(code)
        replayed = app.repository.get(cached.id, version=cached.version)
        assert cached.modified_on == replayed.modified_on == stamps[0]


def test_a_refund_never_uncovers_a_later_refund(app: LianzhangApplication) -> None:
    joint, village = pooled(app)
    app.pooling.refund_capital(
        joint=joint, village=village, programme="CZFC", amount="600.00", date=D(2025, 6, 1),
        reason="退还", actor="t",
    )  # fmt: skip
    # on 2025-03-01 the village still held 1,000.00, but 600.00 of it leaves on 2025-06-01
    with pytest.raises(ConflictError, match=r"holds ¥400\.00"):
        app.pooling.refund_capital(
            joint=joint, village=village, programme="CZFC", amount="500.00", date=D(2025, 3, 1),
            reason="退还", actor="t",
        )  # fmt: skip
    with pytest.raises(InvalidRequestError, match="name the programme"):
        app.pooling.refund_capital(
            joint=joint, village=village, amount="1.00", date=D(2025, 3, 1), reason="x", actor="t"
        )
    received, paid = app.pooling.refund_capital(
        joint=joint, village=village, date=D(2025, 7, 1), reason="全部退还", actor="t"
    )
    assert [e.debit_total for e in paid] == [money("400.00")]
    assert app.get_joint(joint).capital_of(village, D(2025, 12, 31)) == money("0.00")
    assert app.get_village(village).balance(f"141{joint}") == money("0.00")
    with pytest.raises(CrossBookEntryError, match="capital refund"):
        app.books.reverse_entry(
            entity=village, number=received[0].number, date=D(2025, 7, 2), reason="x", actor="t"
        )
