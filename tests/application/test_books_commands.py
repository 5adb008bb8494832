"""The commands of the books and pooling capabilities (``domain.books.commands``,
``domain.pooling.commands``) run through the one runner (``domain.runner``) on the in-memory
store: what they answer, the townships they are refused in before anything is written, and a
retry with the same idempotency key answered from what the first run recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.application import LianzhangApplication
from domain.books.commands import CloseMonth, OpenAccount, PostEntry, ReverseEntry
from domain.commands import Command
from domain.context import RequestClaim
from domain.errors import ForbiddenTownshipError, NotFoundError
from domain.ids import entity_id
from domain.pooling.commands import (
    ContributeCapital,
    CorrectLandRent,
    PayLandRent,
    RecordCash,
    RefundCapital,
)
from domain.runner import Caller, Runner
from ledger.entries import JournalEntry
from ledger.money import money
from tests import builders
from tests.application.small import application, events, small_alliance
from tests.builders import receipt

D = datetime.date


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


class Clerk:
    """A caller of some townships whose refusals are noted (what ``Caller.check`` was asked)."""

    def __init__(self, *townships: str) -> None:
        self.townships = frozenset(townships)
        self.asked: list[tuple[str, str]] = []

    def check(self, township: str, what: str) -> None:
        self.asked.append((township, what))
        if township not in self.townships:
            raise ForbiddenTownshipError(f"may not write in {township} ({what})")

    def caller(self, claim: RequestClaim | None = None) -> Caller:
        return Caller("clerk", self.townships, claim, self.check)


def claim(key: str) -> RequestClaim:
    return RequestClaim(token="t", key=key, request="POST /v1/x", body_hash="h")


def test_a_posted_entry_is_the_result_and_its_retry_is_answered_without_posting_again(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    runner = Runner(app)
    command = PostEntry(
        entity=village, date=D(2025, 3, 1), memo="租金", postings=tuple(receipt("120.00"))
    )
    clerk = Clerk(builders.TOWNSHIP)
    first = runner.run(command, clerk.caller(claim("post-1")))
    assert not first.replayed and first.position > 0
    entry = first.result
    assert isinstance(entry, JournalEntry) and entry.memo == "租金"
    assert app.get_books(village).sequences == {"2025": 1}
    assert clerk.asked == [(builders.TOWNSHIP, f"books of {village}")]
    before = events(app)

    again = runner.run(command, clerk.caller(claim("post-1")))
    assert again.replayed and again.recorded is not None
    assert again.result == entry
    assert events(app) == before
    assert app.get_books(village).sequences == {"2025": 1}
    # the retry is answered before any place is checked or anything loaded for writing
    assert len(clerk.asked) == 1


def test_a_clerk_of_another_township_is_refused_before_anything_is_written(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)  # 唐坊镇
    before = events(app)
    clerk = Clerk("花沟镇")
    commands: tuple[Command[Any], ...] = (
        PostEntry(entity=village, date=D(2025, 3, 1), memo="租金", postings=tuple(receipt("1.00"))),
        CloseMonth(entity=village, month="2025-01"),
        OpenAccount(entity=village, code="211V01", name="应付款-仉家村", parent="211"),
        RecordCash(
            entity=village,
            direction="receipt",
            account="501",
            amount="9.00",
            date=D(2025, 3, 1),
            memo="经营收入",
        ),
    )
    for command in commands:
        with pytest.raises(ForbiddenTownshipError, match=f"books of {village}"):
            Runner(app).run(command, clerk.caller())
    assert events(app) == before
    assert app.get_books(village).closed_through is None


def test_pooling_checks_the_joint_entity_then_the_village_with_the_routes_words(
    app: LianzhangApplication,
) -> None:
    """The joint entity is in 唐坊镇; a village of 花沟镇 joins it: a clerk of 唐坊镇 alone is
    refused on the village, after the joint entity was found to be theirs."""
    alliance, joint, _, _ = small_alliance(app)
    village = builders.village(app, township="花沟镇")
    app.alliances.join_village(
        alliance=alliance, village=village, joined_on=D(2025, 1, 2), actor="t"
    )
    before = events(app)
    clerk = Clerk(builders.TOWNSHIP)
    command = ContributeCapital(
        joint=joint, village=village, programme="CZFC", amount="10.00", date=D(2025, 3, 1)
    )
    with pytest.raises(ForbiddenTownshipError, match=f"village {village}"):
        Runner(app).run(command, clerk.caller())
    assert clerk.asked == [
        (builders.TOWNSHIP, f"joint entity {joint}"),
        ("花沟镇", f"village {village}"),
    ]
    assert events(app) == before

    # a village that does not exist: only the joint entity is checked, the service says the rest
    missing = ContributeCapital(
        joint=joint, village="NOPE", programme="CZFC", amount="10.00", date=D(2025, 3, 1)
    )
    clerk.asked.clear()
    with pytest.raises(NotFoundError, match="NOPE"):
        Runner(app).run(missing, clerk.caller())
    assert clerk.asked == [(builders.TOWNSHIP, f"joint entity {joint}")]


def test_capital_and_its_refund_answer_both_books_and_so_do_their_retries(
    app: LianzhangApplication,
) -> None:
    _, joint, v1, _ = small_alliance(app)
    runner = Runner(app)
    clerk = Clerk(builders.TOWNSHIP)
    paid = ContributeCapital(
        joint=joint, village=v1, programme="CZFC", amount="500.00", date=D(2025, 3, 1)
    )
    village_entry, joint_entry = runner.run(paid, clerk.caller(claim("cap"))).result
    assert village_entry.debit_total == joint_entry.debit_total == money("500.00")
    assert runner.run(paid, clerk.caller(claim("cap"))).result == (village_entry, joint_entry)

    refund = RefundCapital(
        joint=joint, village=v1, date=D(2025, 4, 1), reason="项目结束", programme="ZYZJ"
    )
    first = runner.run(refund, clerk.caller(claim("refund"))).result
    received, returned = first
    assert received and returned
    before = events(app)
    again = runner.run(refund, clerk.caller(claim("refund")))
    assert again.replayed and again.result == first
    assert events(app) == before


def test_a_land_rent_correction_replayed_names_the_village_as_the_first_answer_did(
    app: LianzhangApplication,
) -> None:
    _, joint, v1, _ = small_alliance(app)
    runner = Runner(app)
    clerk = Clerk(builders.TOWNSHIP)
    paid, received = runner.run(
        PayLandRent(
            joint=joint,
            village=v1,
            mu=Decimal("10"),
            rate_per_mu="800.00",
            year=2025,
            date=D(2025, 3, 1),
        ),
        clerk.caller(),
    ).result
    assert paid.debit_total == received.debit_total == money("8000.00")
    correction = CorrectLandRent(
        joint=joint,
        entry=paid.number,
        date=D(2025, 3, 2),
        reason="亩数有误",
        mu=Decimal("9"),
        rate_per_mu="800.00",
        year=2025,
    )
    first = runner.run(correction, clerk.caller(claim("fix"))).result
    assert first["village"] == v1
    assert set(first["reversals"]) == set(first["corrected"]) == {joint, v1}
    before = events(app)
    again = runner.run(correction, clerk.caller(claim("fix")))
    assert again.replayed
    assert again.result == first
    assert events(app) == before


def test_a_reversal_is_answered_from_the_books_it_was_posted_in(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    runner = Runner(app)
    clerk = Clerk(builders.TOWNSHIP)
    entry = runner.run(
        PostEntry(entity=village, date=D(2025, 3, 1), memo="租金", postings=tuple(receipt("5.00"))),
        clerk.caller(),
    ).result
    reverse = ReverseEntry(entity=village, number=entry.number, date=D(2025, 3, 2), reason="重复")
    reversal = runner.run(reverse, clerk.caller(claim("rev"))).result
    assert reversal.reverses == entry.number
    replayed = runner.run(reverse, clerk.caller(claim("rev")))
    assert replayed.replayed and replayed.result == reversal
    assert replayed.recorded is not None
    assert replayed.recorded.events[0][0] == str(entity_id(village))
