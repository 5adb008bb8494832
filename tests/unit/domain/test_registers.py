"""Member register, agreement and equity register aggregates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidTag

from domain.agreement import EnterpriseAgreement
from domain.books import JointEntity
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.members import MemberRegister
from domain.privacy import (
    PersonalDataVault,
    id_number_problem,
    mask_id_number,
    mask_name,
    with_check_digit,
)
from ledger.money import money

D = datetime.date
ID1 = with_check_digit("37032219800101001")
ID2 = with_check_digit("37032219850505002")
VAULT = PersonalDataVault.in_memory()  # one vault: duplicates are found across calls


def register() -> MemberRegister:
    r = MemberRegister.open(village="V03", share_kinds=["人口股", "劳龄股"], actor="a")
    r.register_household(number="H01", head="李建国", registered_on=D(2025, 1, 1), actor="a")
    r.register_member(
        number="H01-1",
        household="H01",
        name="李建国",
        id_number=ID1,
        vault=VAULT,
        joined_on=D(2025, 1, 1),
        shares={"人口股": Decimal(1), "劳龄股": Decimal("0.5")},
        actor="a",
    )
    r.register_member(
        number="H01-2",
        household="H01",
        name="王秀英",
        id_number=ID2,
        vault=VAULT,
        joined_on=D(2025, 3, 1),
        shares={"人口股": Decimal(1)},
        actor="a",
    )
    return r


def test_household_bases_follow_dates() -> None:
    r = register()
    assert r.household_bases(D(2025, 2, 1)) == {
        "H01": {"人口股": Decimal(1), "劳龄股": Decimal("0.5"), "shares": Decimal("1.5")}
    }
    assert r.household_bases(D(2025, 3, 1))["H01"]["shares"] == Decimal("2.5")
    r.adjust_shares(
        member="H01-1",
        shares={"人口股": Decimal(1), "劳龄股": Decimal(1)},
        effective=D(2025, 6, 1),
        reason="劳龄增加",
        actor="a",
    )
    assert r.household_bases(D(2025, 5, 31))["H01"]["shares"] == Decimal("2.5")
    assert r.household_bases(D(2025, 6, 1))["H01"]["shares"] == Decimal(3)
    r.member_leaves(member="H01-2", left_on=D(2025, 9, 1), reason="迁出", actor="a")
    assert r.household_bases(D(2025, 9, 1))["H01"]["shares"] == Decimal(2)


def test_register_guards() -> None:
    r = register()
    with pytest.raises(NotFoundError, match="household H09"):
        r.register_member(
            number="H09-1",
            household="H09",
            name="x",
            id_number=ID1,
            vault=VAULT,
            joined_on=D(2025, 1, 1),
            shares={},
            actor="a",
        )
    with pytest.raises(InvalidRequestError, match="check digit"):
        r.register_member(
            number="H01-3",
            household="H01",
            name="x",
            id_number=ID1[:-1] + ("0" if ID1[-1] != "0" else "1"),
            vault=VAULT,
            joined_on=D(2025, 1, 1),
            shares={},
            actor="a",
        )
    with pytest.raises(ConflictError, match="already has this ID"):
        r.register_member(
            number="H01-3",
            household="H01",
            name="x",
            id_number=ID1,
            vault=VAULT,
            joined_on=D(2025, 1, 1),
            shares={},
            actor="a",
        )
    with pytest.raises(InvalidRequestError, match="土地股"):
        r.adjust_shares(
            member="H01-1",
            shares={"土地股": Decimal(1)},
            effective=D(2025, 6, 1),
            reason="x",
            actor="a",
        )


def test_masking() -> None:
    assert mask_name("张三明") == "张*明"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_id_number(ID1) == ID1[:4] + "*" * 10 + ID1[-4:]
    assert id_number_problem(ID1) is None
    assert id_number_problem("12345") is not None


def test_agreement_due_and_receipts() -> None:
    a = EnterpriseAgreement.sign(
        code="NLD-2025",
        alliance_code="HNHM",
        joint_entity_code="J01",
        enterprise_code="NLD",
        signed_on=D(2025, 1, 20),
        start_year=2025,
        years=5,
        invested_capital=money("1500000.00"),
        guarantee_kind="percent",
        guarantee_value=Decimal(8),
        profit_share_percent=Decimal(10),
        payment_due="12-31",
        actor="a",
    )
    assert a.guaranteed_for(2025) == money("120000.00")
    with pytest.raises(ConflictError, match="declared and not yet received"):
        a.receive_dividend(
            year=2025, amount=money("1.00"), date=D(2025, 12, 1), entry_number="", actor="a"
        )
    a.declare_dividend(
        year=2025,
        amount=money("186000.00"),
        date=D(2025, 12, 20),
        entry_number="2025-0005",
        actor="a",
    )
    a.receive_dividend(
        year=2025, amount=money("100000.00"), date=D(2025, 12, 28), entry_number="", actor="a"
    )
    assert a.outstanding_for(2025) == money("86000.00")
    with pytest.raises(InvalidRequestError, match="2025 to 2029"):
        a.declare_dividend(
            year=2030, amount=money("1.00"), date=D(2030, 1, 1), entry_number="", actor="a"
        )
    with pytest.raises(InvalidRequestError, match="MM-DD"):
        EnterpriseAgreement.sign(
            code="X",
            alliance_code="A",
            joint_entity_code="J",
            enterprise_code="E",
            signed_on=D(2025, 1, 1),
            start_year=2025,
            years=1,
            invested_capital=money("1"),
            guarantee_kind="amount",
            guarantee_value=Decimal(1),
            profit_share_percent=Decimal(0),
            payment_due="13-01",
            actor="a",
        )


def test_equity_register_by_programme_and_land_in_force() -> None:
    joint = JointEntity(
        code="J01", name="联合社", alliance_code="HNHM", township="镇", county="县", actor="a"
    )
    joint.set_opening_balances(as_of=D(2025, 1, 1), balances=[], actor="a")
    joint.contribute_capital(
        village="V01", programme="CZFC", amount=money("600000.00"), date=D(2025, 1, 15), actor="a"
    )
    joint.contribute_capital(
        village="V01", programme="XCZX", amount=money("100000.00"), date=D(2025, 6, 1), actor="a"
    )
    joint.contribute_land(
        village="V01",
        mu=Decimal(500),
        grade=Decimal("0.8"),
        value_per_mu=money("20000.00"),
        term_years=2,
        date=D(2025, 1, 15),
        actor="a",
    )
    assert joint.capital_of("V01", D(2025, 5, 31)) == money("600000.00")
    assert joint.capital_by_programme("V01", D(2025, 12, 31)) == {
        "CZFC": money("600000.00"),
        "XCZX": money("100000.00"),
    }
    assert joint.land_basis("V01", D(2025, 12, 31)) == Decimal(400)
    assert joint.land_basis("V01", D(2027, 1, 15)) == Decimal(0)  # the term ran out
    assert joint.balance("102") == money("700000.00")
    assert joint.balance("301V01") == -money("700000.00")
    with pytest.raises(InvalidRequestError, match="fund programme"):
        joint.contribute_capital(
            village="V01", programme="NOPE", amount=money("1.00"), date=D(2025, 6, 1), actor="a"
        )


def test_vault_seals_per_person_and_forgets() -> None:
    vault = PersonalDataVault.in_memory()
    sealed = vault.seal("member:V03:H01-1", ID1)
    assert ID1 not in sealed and sealed.startswith("sealed:v1:")
    assert vault.reveal("member:V03:H01-1", sealed) == ID1
    assert vault.holders(ID1) == {"member:V03:H01-1"}
    vault.seal("member:V03:H01-2", ID2)
    with pytest.raises(InvalidTag):  # bound to its subject: another person's key does not open it
        vault.reveal("member:V03:H01-2", sealed)
    vault.forget("member:V03:H01-1")
    assert vault.reveal("member:V03:H01-1", sealed) is None
    assert vault.holders(ID1) == set()
    assert vault.reveal("member:V03:old", ID2) == ID2  # stored in the clear before sealing
