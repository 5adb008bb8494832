"""Asset cards on the in-memory store, through the runner: cards bought or already in the books,
the monthly run (工作量法, the last month, public-welfare assets), disposal through 154 and
leases, each refusal in Chinese with nothing written."""

from __future__ import annotations

import datetime

import pytest

from domain.assets.commands import (
    DisposeAsset,
    EndLease,
    LeaseAsset,
    ReceiveRent,
    RegisterAsset,
    RunDepreciation,
)
from domain.assets.service import CardTerms
from domain.errors import ConflictError, InvalidRequestError
from domain.runner import Caller, Runner
from ledger.money import money
from tests import builders
from tests.application.scenario_b import CARD, JOINT, Story
from tests.application.small import application, events

D = datetime.date


def lines(entry: object) -> set[tuple[str, str, str]]:
    return {(p.account, p.side.value, str(p.amount.amount)) for p in entry.postings}  # type: ignore[attr-defined]


@pytest.fixture
def village() -> tuple[Runner, str]:
    app = application()
    return Runner(app), builders.village(app)


def run(runner: Runner, command: object) -> object:
    return runner.run(command, Caller("tester")).result  # type: ignore[arg-type]


def test_a_bought_asset_is_booked_and_a_booked_one_carries_its_past(
    village: tuple[Runner, str],
) -> None:
    runner, code = village
    app = runner.app
    tractor = CardTerms(number="NJ-1", name="拖拉机", life_months=120, original="120000.00")
    run(
        runner,
        RegisterAsset(entity=code, terms=tractor, acquisition="bought", acquired_on=D(2025, 1, 10)),
    )
    card = app.assets.get_card(code, "NJ-1")
    assert lines(app.books.find_entry(code, card.entry)) == {
        ("151", "debit", "120000.00"),
        ("102", "credit", "120000.00"),
    }
    assert card.owners == {code: "1"} and card.start_month == "2025-02"
    office = CardTerms(
        number="BG-1",
        name="村委办公楼",
        life_months=360,
        original="360000.00",
        use="administration",
    )
    before = events(app)
    run(
        runner,
        RegisterAsset(
            entity=code,
            terms=office,
            acquisition="contributed",
            acquired_on=D(2015, 1, 1),
            booked=True,
            accumulated="95000.00",
            months_done=120,
            start_month="2025-02",
        ),
    )
    assert app.get_village(code).balance("151") == money("120000.00")  # nothing posted
    assert events(app) == before + 2  # the card and the register
    result = run(runner, RunDepreciation(entity=code, month="2025-02"))
    # 120,000.00 × 95% / 120 = 950.00 (511); 360,000.00 × 95% / 360 = 950.00 (513)
    assert lines(app.books.find_entry(code, result.entry)) == {  # type: ignore[attr-defined]
        ("511", "debit", "950.00"),
        ("513", "debit", "950.00"),
        ("152", "credit", "1900.00"),
    }
    assert result.owners == {code: money("1900.00")}  # type: ignore[attr-defined]


def test_units_of_production_and_the_last_month_never_pass_the_base(
    village: tuple[Runner, str],
) -> None:
    runner, code = village
    app = runner.app
    truck = CardTerms(
        number="HC-1",
        name="货车",
        life_months=2,
        residual_rate="0",
        method="units",
        total_units="3",
        original="100.00",
    )
    run(
        runner,
        RegisterAsset(entity=code, terms=truck, acquisition="bought", acquired_on=D(2025, 1, 1)),
    )
    with pytest.raises(InvalidRequestError, match="give the units"):
        run(runner, RunDepreciation(entity=code, month="2025-02"))
    first = run(runner, RunDepreciation(entity=code, month="2025-02", units={"HC-1": "1"}))
    second = run(runner, RunDepreciation(entity=code, month="2025-03", units={"HC-1": "5"}))
    # 100.00 × 1/3 = 33.33; then everything left (the units passed the total): 66.67
    assert [first.total, second.total] == [money("33.33"), money("66.67")]  # type: ignore[attr-defined]
    nothing = run(runner, RunDepreciation(entity=code, month="2025-04", units={"HC-1": "1"}))
    assert nothing.entry is None and "没有需要计提折旧的资产" in nothing.message  # type: ignore[attr-defined]
    assert app.assets.get_card(code, "HC-1").accumulated == money("100.00")


def test_a_public_welfare_asset_is_not_depreciated(village: tuple[Runner, str]) -> None:
    runner, code = village
    trees = CardTerms(
        number="LD-1",
        name="防护林",
        category="public_biological",
        life_months=600,
        original="8000.00",
        use="public",
    )
    run(
        runner,
        RegisterAsset(entity=code, terms=trees, acquisition="donated", acquired_on=D(2025, 1, 5)),
    )
    card = runner.app.assets.get_card(code, "LD-1")
    assert lines(runner.app.books.find_entry(code, card.entry)) == {
        ("134", "debit", "8000.00"),
        ("311", "credit", "8000.00"),
    }
    result = run(runner, RunDepreciation(entity=code, month="2025-02"))
    assert result.entry is None  # type: ignore[attr-defined]


@pytest.fixture
def barn() -> Story:
    told = Story(application())
    told.until_completion()
    return told


def test_disposal_goes_through_154_and_a_disposed_asset_is_refused_a_second_disposal(
    barn: Story,
) -> None:
    app = barn.app
    barn.month("2025-09", rent=False)
    result = barn.run(
        DisposeAsset(
            entity=JOINT,
            number=CARD,
            date=D(2025, 10, 20),
            kind="sale",
            proceeds="900000.00",
            costs="1000.00",
            reason="整体转让",
        )
    )
    # net 896,437.50; 900,000.00 − 1,000.00 − 896,437.50 = 2,562.50 gain to 504
    assert result == money("2562.50")
    joint = app.get_joint(JOINT)
    assert joint.balance("154") == money("0.00")
    assert joint.balance("151") == money("0.00") and joint.balance("152") == money("0.00")
    assert -joint.balance("504") == money("2562.50")
    before = events(app)
    with pytest.raises(ConflictError) as refused:
        barn.run(DisposeAsset(entity=JOINT, number=CARD, date=D(2025, 10, 21), kind="scrap"))
    assert refused.value.zh == "资产 GZ-001 已于 2025-10-20 清理，不能再次清理"
    with pytest.raises(ConflictError, match="cannot be leased"):
        barn.run(
            LeaseAsset(
                entity=JOINT,
                number=CARD,
                lease="ZL-9",
                lessee="某公司",
                rent="1.00",
                start=D(2025, 11, 1),
                end=D(2025, 12, 31),
            )
        )
    assert events(app) == before
    # a disposed card is no longer depreciated: the next run has nothing to do
    assert barn.month("2025-10", rent=False).entry is None


def test_a_scrapped_asset_loses_its_net_value_to_515(barn: Story) -> None:
    barn.run(
        DisposeAsset(entity=JOINT, number=CARD, date=D(2025, 9, 2), kind="scrap", reason="倒塌")
    )
    joint = barn.app.get_joint(JOINT)
    assert joint.balance("515") == money("900000.00")
    assert joint.balance("154") == money("0.00")


def test_leases_rent_due_and_received(barn: Story) -> None:
    barn.lease()
    before = events(barn.app)
    with pytest.raises(ConflictError) as overlap:
        barn.run(
            LeaseAsset(
                entity=JOINT,
                number=CARD,
                lease="ZL-2",
                lessee="别人",
                rent="100.00",
                start=D(2026, 1, 1),
                end=D(2026, 12, 31),
            )
        )
    assert "租期重叠" in (overlap.value.zh or "")
    with pytest.raises(ConflictError) as much:
        barn.run(
            ReceiveRent(
                entity=JOINT,
                number=CARD,
                lease="ZL-001",
                period="2025-09",
                date=D(2025, 9, 5),
                amount="8000.01",
            )
        )
    assert "尚欠租金 ¥8,000.00" in (much.value.zh or "")
    with pytest.raises(InvalidRequestError, match="no period beginning in 2031-01"):
        barn.run(
            ReceiveRent(
                entity=JOINT, number=CARD, lease="ZL-001", period="2031-01", date=D(2025, 9, 5)
            )
        )
    assert events(barn.app) == before
    part = barn.run(
        ReceiveRent(
            entity=JOINT,
            number=CARD,
            lease="ZL-001",
            period="2025-09",
            date=D(2025, 9, 5),
            amount="3000.00",
        )
    )
    rest = barn.run(
        ReceiveRent(entity=JOINT, number=CARD, lease="ZL-001", period="2025-09", date=D(2025, 9, 9))
    )
    assert lines(rest) == {("102", "debit", "5000.00"), ("501", "credit", "5000.00")}
    assert part.number != rest.number
    card = barn.app.assets.get_card(JOINT, CARD)
    assert card.rents["ZL-001"] == {"2025-09": 800000}
    barn.run(
        EndLease(entity=JOINT, number=CARD, lease="ZL-001", date=D(2025, 12, 31), reason="提前解约")
    )
    assert barn.app.assets.get_card(JOINT, CARD).leases["ZL-001"]["end"] == "2025-12-31"
    # a second lease, after the first ended, is its own lessee's (the overlap check once
    # recorded the earlier lessee's name on it)
    barn.run(
        LeaseAsset(
            entity=JOINT,
            number=CARD,
            lease="ZL-2",
            lessee="别人",
            rent="100.00",
            start=D(2026, 1, 1),
            end=D(2026, 12, 31),
        )
    )
    leases = barn.app.assets.get_card(JOINT, CARD).leases
    assert (leases["ZL-001"]["lessee"], leases["ZL-2"]["lessee"]) == ("纽澜地", "别人")
