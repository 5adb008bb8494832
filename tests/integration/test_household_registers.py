"""Member registers in the bounded shape (issue 13: households as their own aggregates), and
stores holding the legacy one-aggregate register, on SQLite and PostgreSQL.

A register opened now keeps constant-size aggregates per command; a village whose register was
opened in the legacy shape (events written by ``MemberRegister``, as every store before issue 13
holds) still loads, takes commands, and drafts the same plan as the same register in the new
shape, to the fen."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.application import LianzhangApplication
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.members import (
    Household,
    MemberNumber,
    MemberRegister,
    VillageRegister,
    household_id,
    register_id,
)
from domain.privacy import with_check_digit
from projections import economy_queries
from runtime.bootstrap import Runtime
from tests import builders
from tests.conftest import TODAY

D = datetime.date
KINDS = ["人口股", "劳龄股"]
RULE = {
    "deductions": [{"name": "公积公益金", "percent": "10"}],
    "tiers": [{"name": "按股分配", "kind": "proportional", "basis": "shares"}],
}
# household → members (number, name, ID, joined, shares); some join late, one household twice
PEOPLE: dict[str, list[tuple[str, str, str, datetime.date, dict[str, str]]]] = {
    "H01": [
        ("H01-1", "李建国", with_check_digit("37032219800101001"), D(2025, 1, 1),
         {"人口股": "1", "劳龄股": "0.5"}),
        ("H01-2", "王秀英", with_check_digit("37032219850505002"), D(2025, 3, 1), {"人口股": "1"}),
    ],
    "H02": [
        ("H02-1", "张三明", with_check_digit("37032219700202003"), D(2025, 1, 1),
         {"人口股": "1", "劳龄股": "1"}),
    ],
    "H03": [
        ("H03-1", "欧阳小明", with_check_digit("37032219900303004"), D(2025, 7, 1),
         {"人口股": "1"}),
        ("H03-2", "赵六", with_check_digit("37032219920404005"), D(2025, 1, 1), {"人口股": "2"}),
    ],
}  # fmt: skip


def shares(units: dict[str, str]) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in units.items()}


def with_income(app: LianzhangApplication) -> str:
    village = builders.village(app)
    app.books.post_entry(
        entity=village,
        date=D(2025, 6, 30),
        memo="租金",
        postings=builders.receipt("90000.00"),
        actor="tester",
    )
    return village


def fill_with_commands(app: LianzhangApplication, village: str) -> None:
    for household, people in PEOPLE.items():
        app.members.register_household(
            village=village,
            number=household,
            head=people[0][1],
            registered_on=D(2025, 1, 1),
            actor="tester",
        )
        for number, name, id_number, joined, units in people:
            app.members.register_member(
                village=village,
                number=number,
                household=household,
                name=name,
                id_number=id_number,
                joined_on=joined,
                shares=shares(units),
                actor="tester",
            )


def later_changes(app: LianzhangApplication, village: str) -> None:
    """The same changes, through the application, whatever the register's shape."""
    app.members.adjust_shares(
        village=village,
        member="H01-1",
        shares=shares({"人口股": "1", "劳龄股": "1.5"}),
        effective=D(2025, 9, 1),
        reason="劳龄增加",
        actor="tester",
    )
    app.members.member_leaves(
        village=village, member="H02-1", left_on=D(2025, 10, 1), reason="迁出", actor="tester"
    )
    app.members.forget_member(village=village, member="H02-1", reason="本人申请", actor="tester")


def draft(app: LianzhangApplication, village: str) -> dict[str, Any]:
    _, _, document, sources = app.plans.plan_document(
        scope="village",
        target=village,
        as_of=D(2025, 12, 31),
        amount="50000.00",
        rule=RULE,
        period="2025",
    )
    return {"document": document, "sources": sources}


def test_registering_refuses_duplicates_without_scanning(runtime: Runtime) -> None:
    app = runtime.app
    village = with_income(app)
    app.members.open_register(village=village, share_kinds=KINDS, actor="tester")
    fill_with_commands(app, village)
    register = app.members.get_register(village)
    # the register's head holds no household and no member: its size does not grow
    assert isinstance(register, VillageRegister)
    assert register.household_count == 3
    assert not hasattr(register, "members") and not hasattr(register, "households")
    household = app.repository.get(household_id(village, "H01"))
    assert isinstance(household, Household) and sorted(household.members) == ["H01-1", "H01-2"]
    with pytest.raises(ConflictError, match="household H01 is already"):
        app.members.register_household(
            village=village, number="H01", head="李四", registered_on=D(2025, 1, 1), actor="t"
        )
    new = {"village": village, "name": "李四", "joined_on": D(2025, 1, 1), "actor": "t"}
    with pytest.raises(NotFoundError, match="household H09"):
        app.members.register_member(
            number="H09-1", household="H09", id_number=PEOPLE["H01"][0][2], shares={}, **new
        )
    with pytest.raises(ConflictError, match="member H02-1 is already"):
        app.members.register_member(
            number="H02-1",
            household="H01",
            id_number=with_check_digit("37032220000101009"),
            shares={},
            **new,
        )
    # the same ID number as a current member of another household
    with pytest.raises(ConflictError, match="already has this ID number"):
        app.members.register_member(
            number="H01-3", household="H01", id_number=PEOPLE["H02"][0][2], shares={}, **new
        )
    with pytest.raises(InvalidRequestError, match="土地股"):
        app.members.register_member(
            number="H01-3",
            household="H01",
            id_number=with_check_digit("37032220000101009"),
            shares={"土地股": Decimal(1)},
            **new,
        )
    with pytest.raises(NotFoundError, match="member H07-1"):
        app.members.member_leaves(
            village=village, member="H07-1", left_on=D(2025, 5, 1), reason="x", actor="t"
        )
    later_changes(app, village)
    with pytest.raises(ConflictError, match="has left"):
        app.members.adjust_shares(
            village=village,
            member="H02-1",
            shares={},
            effective=D(2025, 11, 1),
            reason="x",
            actor="t",
        )
    # once its holder has left (and was forgotten), the ID number may be registered again
    app.members.register_member(
        number="H01-3",
        household="H01",
        id_number=PEOPLE["H02"][0][2],
        shares={"人口股": Decimal(1)},
        **new,
    )
    assert isinstance(app.repository.get(household_id(village, "H01")), Household)
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        shown = economy_queries.member_register(conn, village, D(2025, 12, 31))
    assert shown is not None
    assert [h["number"] for h in shown["households"]] == ["H01", "H02", "H03"]
    by_number = {m["number"]: m for h in shown["households"] for m in h["members"]}
    assert by_number["H02-1"]["forgotten"] and not by_number["H02-1"]["current"]
    assert by_number["H01-1"]["shares"] == {"人口股": "1", "劳龄股": "1.5"}


def legacy_register(app: LianzhangApplication, village: str) -> None:
    """What the code before issue 13 wrote: one MemberRegister aggregate with every household
    and member (``MemberRegister``'s events are kept as they were)."""
    register = MemberRegister.open(village=village, share_kinds=KINDS, actor="old-code")
    for household, people in PEOPLE.items():
        register.register_household(
            number=household, head=people[0][1], registered_on=D(2025, 1, 1), actor="old-code"
        )
        for number, name, id_number, joined, units in people:
            register.register_member(
                number=number,
                household=household,
                name=name,
                id_number=id_number,
                joined_on=joined,
                shares=shares(units),
                actor="old-code",
                vault=app.vault,
            )
    app.save(register)


def test_an_old_store_still_loads_and_drafts_the_same_plan(
    runtime: Runtime, database: tuple[str, str | None]
) -> None:
    app = runtime.app
    old, new = with_income(app), with_income(app)
    legacy_register(app, old)
    app.members.open_register(village=new, share_kinds=KINDS, actor="tester")
    fill_with_commands(app, new)
    # commands on the old village go to its legacy register, and keep its rules
    later_changes(app, old)
    later_changes(app, new)
    with pytest.raises(ConflictError, match="household H01 is already"):
        app.members.register_household(
            village=old, number="H01", head="李四", registered_on=D(2025, 1, 1), actor="t"
        )
    for village in (old, new):
        app.members.register_household(
            village=village, number="H04", head="孙七", registered_on=D(2025, 4, 1), actor="t"
        )
        app.members.register_member(
            village=village,
            number="H04-1",
            household="H04",
            name="孙七",
            id_number=with_check_digit("37032219950505006"),
            joined_on=D(2025, 4, 1),
            shares=shares({"人口股": "1"}),
            actor="t",
        )
    # a fresh process on the same store: the old register loads as it was written
    url, schema = database
    reopened = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        again = reopened.app
        assert isinstance(again.members.get_register(old), MemberRegister)
        assert isinstance(again.members.get_register(new), VillageRegister)
        assert again.exists(register_id(old))
        views = {v: again.members.register_view(v) for v in (old, new)}
        for day in (D(2025, 1, 1), D(2025, 3, 1), D(2025, 9, 1), D(2025, 12, 31)):
            assert views[old].household_bases(day) == views[new].household_bases(day)
        # the same records, but for the sealed ID numbers (each sealing has its own nonce)
        assert {
            n: {k: v for k, v in m.items() if k != "id_number"}
            for n, m in views[old].members.items()
        } == {
            n: {k: v for k, v in m.items() if k != "id_number"}
            for n, m in views[new].members.items()
        }
        assert views[old].households == views[new].households
        drafted = {v: draft(again, v) for v in (old, new)}
        assert drafted[old] == drafted[new]
        parties = drafted[new]["document"]["parties"]
        assert [p["code"] for p in parties] == ["H01", "H02", "H03", "H04"]
        assert "period_share" in parties[1]  # H02 left on 2025-10-01: its days count
        # and both are what a plan computes: the same lines, to the fen
        plans = {}
        for village in (old, new):
            code = builders.code("P")
            again.plans.draft_plan(
                code=code,
                title="分红",
                scope="village",
                target=village,
                period="2025",
                as_of=D(2025, 12, 31),
                amount="50000.00",
                rule=RULE,
                actor="tester",
            )
            plans[village] = again.plans.get_plan(code).result
        assert plans[old]["lines"] == plans[new]["lines"]
        assert sum(Decimal(line["total"]) for line in plans[new]["lines"]) == Decimal("45000.00")
        reopened.views.catch_up()
        with reopened.engine.connect() as conn:
            shown = {
                v: economy_queries.member_register(conn, v, D(2025, 12, 31)) for v in (old, new)
            }
        assert shown[old] is not None and shown[new] is not None
        assert shown[old]["households"] == shown[new]["households"]
        # a rebuild from the log gives the same read model for both shapes
        reopened.views.rebuild()
        with reopened.engine.connect() as conn:
            rebuilt = {
                v: economy_queries.member_register(conn, v, D(2025, 12, 31)) for v in (old, new)
            }
        assert rebuilt == shown
    finally:
        reopened.close()


def test_claims_belong_to_the_village_township(runtime: Runtime) -> None:
    from domain.tenancy import township_of

    app = runtime.app
    village = builders.village(app, township="花沟镇")
    app.members.open_register(village=village, share_kinds=KINDS, actor="tester")
    fill_with_commands(app, village)
    household = app.repository.get(household_id(village, "H01"))
    claim = next(
        a
        for a in (app.repository.get(MemberNumber.create_id(village, "H01-1")),)
        if isinstance(a, MemberNumber)
    )
    for aggregate in (app.members.get_register(village), household, claim):
        assert township_of(app, aggregate) == "花沟镇"
