"""Books aggregates on their own: the events they emit and the state after replay."""

from __future__ import annotations

import datetime

import pytest

from domain.books import JointEntity, VillageCollective
from domain.errors import (
    AlreadyReversedError,
    ClosedPeriodError,
    ConflictError,
    InvalidRequestError,
)
from ledger.errors import LedgerError, UnbalancedEntryError, UnknownAccountError
from ledger.money import money
from tests.builders import OPENING, OPENING_BALANCES, posting, receipt

TODAY = datetime.date(2026, 11, 23)


def new_village() -> VillageCollective:
    village = VillageCollective(
        code="V01",
        name="仉家村",
        township="唐坊镇",
        county="高青县",
        population=1200,
        households=400,
        flags=["脱贫村"],
        actor="clerk-a",
    )
    village.set_opening_balances(as_of=OPENING, balances=OPENING_BALANCES, actor="clerk-a")
    return village


def replay(village: VillageCollective) -> VillageCollective:
    """Rebuild the aggregate from its own events, as the repository does."""
    events = village.collect_events()
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert isinstance(copy, VillageCollective)
    return copy


def test_registration_records_the_village_and_the_actor() -> None:
    village = new_village()
    registered, opening = village.pending_events
    assert type(registered).__qualname__ == "VillageCollective.Registered"
    assert registered.actor == "clerk-a"  # type: ignore[attr-defined]
    assert registered.population == 1200  # type: ignore[attr-defined]
    assert opening.postings[0].amount == money("500000.00")  # type: ignore[attr-defined]


def test_posted_entries_get_consecutive_numbers_per_year_and_survive_replay() -> None:
    village = new_village()
    first = village.post_entry(
        date=datetime.date(2025, 3, 1), memo="土地流转费", postings=receipt("800.00"), actor="a"
    )
    second = village.post_entry(
        date=datetime.date(2025, 3, 2), memo="租金", postings=receipt("100.00"), actor="a"
    )
    third = village.post_entry(
        date=datetime.date(2026, 1, 5), memo="租金", postings=receipt("100.00"), actor="a"
    )
    assert [first.number, second.number, third.number] == ["2025-0001", "2025-0002", "2026-0001"]
    posted = [e.entry for e in village.pending_events[2:]]  # type: ignore[attr-defined]
    assert posted == [first, second, third]
    copy = replay(village)
    assert copy.sequences == {"2025": 2, "2026": 1}
    assert copy.entry_numbers() == ["2025-0001", "2025-0002", "2026-0001"]
    assert copy.has_entry("2026-0001") and not copy.has_entry("2026-0002")
    assert copy.version == village.version


def test_unbalanced_entry_is_refused_and_emits_nothing() -> None:
    village = new_village()
    before = len(village.pending_events)
    with pytest.raises(UnbalancedEntryError):
        village.post_entry(
            date=datetime.date(2025, 3, 1),
            memo="错账",
            postings=[posting("102", "debit", "100.00"), posting("504", "credit", "90.00")],
            actor="a",
        )
    assert len(village.pending_events) == before
    assert village.sequences == {}


def test_unknown_account_is_refused_naming_it() -> None:
    village = new_village()
    with pytest.raises(UnknownAccountError) as caught:
        village.post_entry(
            date=datetime.date(2025, 3, 1),
            memo="错账",
            postings=[posting("999", "debit", "100.00"), posting("504", "credit", "100.00")],
            actor="a",
        )
    assert "999" in str(caught.value)


def test_sub_accounts_are_accepted_once_open() -> None:
    village = new_village()
    village.open_account(code="141J01", name="长期投资-黑牛养殖联合社", parent="141", actor="a")
    entry = village.post_entry(
        date=datetime.date(2025, 3, 1),
        memo="投资联合社",
        postings=[posting("141J01", "debit", "1000.00"), posting("102", "credit", "1000.00")],
        actor="a",
    )
    assert entry.postings[0].account == "141J01"


def test_no_entry_before_the_opening_balances() -> None:
    village = new_village()
    with pytest.raises(InvalidRequestError) as caught:
        village.post_entry(
            date=datetime.date(2024, 12, 31), memo="早", postings=receipt("1.00"), actor="a"
        )
    assert caught.value.field == "date"


def test_posting_into_a_closed_month_is_refused() -> None:
    village = new_village()
    village.close_month(month="2025-03", today=TODAY, actor="a")
    for day in (datetime.date(2025, 1, 15), datetime.date(2025, 3, 31)):
        with pytest.raises(ClosedPeriodError) as caught:
            village.post_entry(date=day, memo="迟到", postings=receipt("1.00"), actor="a")
        assert "closed through 2025-03" in str(caught.value)
    entry = village.post_entry(
        date=datetime.date(2025, 4, 1), memo="四月", postings=receipt("1.00"), actor="a"
    )
    assert entry.number == "2025-0001"


def test_months_close_forward_only_and_only_when_over() -> None:
    village = new_village()
    village.close_month(month="2025-03", today=TODAY, actor="a")
    with pytest.raises(ClosedPeriodError):
        village.close_month(month="2025-02", today=TODAY, actor="a")
    with pytest.raises(InvalidRequestError):
        village.close_month(month="2026-11", today=TODAY, actor="a")
    with pytest.raises(InvalidRequestError):
        village.close_month(month="2025-13", today=TODAY, actor="a")


def test_red_ink_reversal_references_the_original_once() -> None:
    village = new_village()
    original = village.post_entry(
        date=datetime.date(2025, 3, 1), memo="租金", postings=receipt("800.00"), actor="a"
    )
    reversal = village.reverse_entry(
        original=original, date=datetime.date(2025, 3, 5), reason="重复记账", actor="b"
    )
    assert reversal.reverses == original.number
    assert [p.amount for p in reversal.postings] == [-money("800.00"), -money("800.00")]
    assert [p.side for p in reversal.postings] == [p.side for p in original.postings]
    with pytest.raises(AlreadyReversedError):
        village.reverse_entry(
            original=original, date=datetime.date(2025, 3, 6), reason="again", actor="b"
        )
    with pytest.raises(ConflictError):
        village.reverse_entry(
            original=reversal, date=datetime.date(2025, 3, 6), reason="again", actor="b"
        )
    copy = replay(village)
    assert copy.reversed_by == {original.number: reversal.number}
    assert copy.reverses == {reversal.number: original.number}


def test_reversal_must_be_dated_in_an_open_month_and_have_a_reason() -> None:
    village = new_village()
    original = village.post_entry(
        date=datetime.date(2025, 3, 1), memo="租金", postings=receipt("800.00"), actor="a"
    )
    village.close_month(month="2025-03", today=TODAY, actor="a")
    with pytest.raises(ClosedPeriodError):
        village.reverse_entry(
            original=original, date=datetime.date(2025, 3, 20), reason="错", actor="a"
        )
    with pytest.raises(InvalidRequestError):
        village.reverse_entry(
            original=original, date=datetime.date(2025, 4, 2), reason="  ", actor="a"
        )
    reversal = village.reverse_entry(
        original=original, date=datetime.date(2025, 4, 2), reason="错", actor="a"
    )
    assert reversal.date == datetime.date(2025, 4, 2)


def test_opening_balances_must_balance_and_precede_entries() -> None:
    village = VillageCollective(
        code="V09",
        name="村",
        township="镇",
        county="县",
        population=1,
        households=1,
        flags=[],
        actor="a",
    )
    with pytest.raises(LedgerError):
        village.set_opening_balances(
            as_of=OPENING,
            balances=[posting("102", "debit", "10.00"), posting("301", "credit", "9.00")],
            actor="a",
        )
    village.set_opening_balances(as_of=OPENING, balances=OPENING_BALANCES, actor="a")
    village.post_entry(date=OPENING, memo="x", postings=receipt("1.00"), actor="a")
    with pytest.raises(ConflictError):
        village.set_opening_balances(as_of=OPENING, balances=OPENING_BALANCES, actor="a")


def test_joint_entity_keeps_books_of_its_own() -> None:
    joint = JointEntity(
        code="J01",
        name="黑牛养殖联合社",
        alliance_code="HNHM",
        township="唐坊镇",
        county="高青县",
        actor="a",
    )
    joint.set_opening_balances(as_of=OPENING, balances=[], actor="a")
    joint.open_account(code="301V01", name="资本-仉家村", parent="301", actor="a")
    entry = joint.post_entry(
        date=datetime.date(2025, 6, 1),
        memo="村投入资本",
        postings=[posting("102", "debit", "600000.00"), posting("301V01", "credit", "600000.00")],
        actor="a",
    )
    assert entry.number == "2025-0001"
    assert type(joint.pending_events[0]).__qualname__ == "JointEntity.Registered"
