"""The 资源 register (``domain.resources``) through the runner on the in-memory store: register,
change, retire, link a land share; every refusal in Chinese with nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.application import LianzhangApplication
from domain.contracts.commands import RegisterContract, TerminateContract
from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenTownshipError,
    FutureDateError,
    InvalidRequestError,
    NotFoundError,
)
from domain.resources import LABEL_ALPHABET, LABEL_LENGTH, Resource, resource_id
from domain.resources.commands import (
    ChangeResource,
    LinkLandShare,
    RegisterResource,
    RetireResource,
)
from domain.runner import Caller, Runner
from tests import builders
from tests.application.small import application, events, small_alliance

D = datetime.date
CLERK = Caller("clerk-1", frozenset({builders.TOWNSHIP}))
STRANGER = Caller("clerk-2", frozenset({"花沟镇"}))


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def run(app: LianzhangApplication, command: Any, caller: Caller = CLERK) -> Any:
    return Runner(app).run(command, caller).result


def field(app: LianzhangApplication, village: str, code: str = "ZY-001", **changes: Any) -> Any:
    values: dict[str, Any] = {
        "entity": village,
        "code": code,
        "name": "东洼耕地",
        "kind": "cropland",
        "area": "120.5",
        "date": D(2025, 3, 1),
        "location": "村东 200 米",
        "boundaries": (("east", "乡道"), ("north", "排水沟")),
        "certificates": (
            (
                ("name", "集体土地所有权证"),
                ("number", "鲁集(2012)第0031号"),
                ("issuer", "高青县人民政府"),
                ("issued_on", "2012-06-01"),
            ),
        ),
        **changes,
    }
    return RegisterResource(**values)


def refused(app: LianzhangApplication, command: Any, kind: type[DomainError]) -> DomainError:
    """``command`` refused with ``kind``, a Chinese sentence, nothing written."""
    before = events(app)
    with pytest.raises(kind) as caught:
        run(app, command)
    assert events(app) == before
    zh = caught.value.zh or ""
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), caught.value
    return caught.value


def test_a_resource_is_registered_with_its_facts_and_a_label(app: LianzhangApplication) -> None:
    village = builders.village(app)
    assert run(app, field(app, village)) == "ZY-001"
    resource = app.resources.get_resource(village, "ZY-001")
    assert (resource.name, resource.kind, resource.area, resource.unit) == (
        "东洼耕地",
        "cropland",
        Decimal("120.5"),
        "mu",
    )
    assert resource.boundaries == {"east": "乡道", "north": "排水沟"}
    assert resource.certificates[0]["number"] == "鲁集(2012)第0031号"
    assert resource.township == builders.TOWNSHIP and resource.use == "contracting"
    assert len(resource.label) == LABEL_LENGTH and set(resource.label) <= set(LABEL_ALPHABET)
    # replayed from the store, the same
    again = app.repository.get(resource_id(village, "ZY-001"), version=resource.version)
    assert isinstance(again, Resource) and again.label == resource.label
    assert run(app, field(app, village, code="ZY-002")) == "ZY-002"
    assert app.resources.get_resource(village, "ZY-002").label != resource.label


@pytest.mark.parametrize(
    ("changes", "kind", "words"),
    [
        ({"area": "-5"}, InvalidRequestError, "面积要填大于 0"),
        ({"area": "0"}, InvalidRequestError, "面积要填大于 0"),
        ({"area": "1.23456"}, InvalidRequestError, "最多 4 位小数"),
        ({"area": "2000000"}, InvalidRequestError, "不超过 1,000,000 亩"),
        ({"kind": "moon"}, InvalidRequestError, "资源类别只能是耕地"),
        ({"unit": "acre"}, InvalidRequestError, "面积单位只能是亩"),
        ({"name": " "}, InvalidRequestError, "请填写资源名称"),
        ({"code": "东洼"}, InvalidRequestError, "资源编号只能用英文字母"),
        ({"date": D(2026, 11, 24)}, FutureDateError, "晚于今天"),
        ({"boundaries": (("up", "天"),)}, InvalidRequestError, "四至只有"),
        (
            {"certificates": ((("number", "X1"), ("issued_on", "2027-01-01")),)},
            InvalidRequestError,
            "晚于今天",
        ),
        ({"certificates": ((("number", ""),),)}, InvalidRequestError, "证号"),
    ],
)
def test_bad_facts_are_refused_in_chinese_with_nothing_written(
    app: LianzhangApplication, changes: dict[str, Any], kind: type[DomainError], words: str
) -> None:
    village = builders.village(app)
    error = refused(app, field(app, village, **changes), kind)
    assert words in (error.zh or "")


def test_a_code_is_registered_once_per_books_and_unknown_books_are_not_found(
    app: LianzhangApplication,
) -> None:
    village, other = builders.village(app), builders.village(app)
    run(app, field(app, village))
    error = refused(app, field(app, village), ConflictError)
    assert "已有编号 ZY-001" in (error.zh or "")
    run(app, field(app, other))  # the same code in other books is another resource
    with pytest.raises(NotFoundError):
        run(app, field(app, "NOBOOKS"))


def test_a_clerk_of_another_township_writes_nothing(app: LianzhangApplication) -> None:
    village = builders.village(app)
    before = events(app)
    with pytest.raises(ForbiddenTownshipError) as caught:
        run(app, field(app, village), STRANGER)
    assert "花沟镇" in (caught.value.zh or "")
    assert events(app) == before
    run(app, field(app, village))
    before = events(app)
    retire = RetireResource(entity=village, code="ZY-001", reason="征收", date=D(2026, 1, 1))
    with pytest.raises(ForbiddenTownshipError):
        run(app, retire, STRANGER)
    assert events(app) == before


def test_a_contract_names_only_a_resource_of_its_own_books(app: LianzhangApplication) -> None:
    home, foreign = builders.village(app), builders.village(app, township="花沟镇")
    run(app, field(app, foreign), Caller("clerk-2", frozenset({"花沟镇"})))
    error = refused(app, contract(home), NotFoundError)  # ZY-001 is the other township's
    assert f"{home} 的资源登记簿里没有资源 ZY-001" == error.zh
    assert app.resources.get_resource(foreign, "ZY-001").contracts == {}


def test_a_change_records_the_new_description_and_the_reason(app: LianzhangApplication) -> None:
    village = builders.village(app)
    run(app, field(app, village))
    change = ChangeResource(
        entity=village,
        code="ZY-001",
        name="东洼耕地",
        kind="cropland",
        area="118",
        reason="重新测量",
        date=D(2026, 2, 1),
        location="村东 200 米",
    )
    run(app, change)
    resource = app.resources.get_resource(village, "ZY-001")
    assert resource.area == Decimal("118") and resource.boundaries == {}
    written = events(app)
    run(app, ChangeResource(**{**change.__dict__, "reason": "再改一次", "date": D(2026, 2, 2)}))
    assert events(app) == written  # nothing changed, nothing recorded
    error = refused(
        app,
        ChangeResource(**{**change.__dict__, "area": "120", "date": D(2025, 1, 1)}),
        InvalidRequestError,
    )
    assert "早于资源 ZY-001 的登记日期" in (error.zh or "")


def contract(village: str, code: str = "HT-1", **changes: Any) -> RegisterContract:
    values: dict[str, Any] = {
        "entity": village,
        "code": code,
        "title": "东洼耕地发包合同",
        "kind": "contracting",
        "party_kind": "person",
        "party_name": "张建国",
        "subject_kind": "resource",
        "subject_code": "ZY-001",
        "start": D(2025, 4, 1),
        "end": D(2030, 3, 31),
        "signed_on": D(2025, 3, 20),
        "instalments": tuple((D(2025 + n, 4, 1), "12000.00") for n in range(5)),
        **changes,
    }
    return RegisterContract(**values)


def test_the_area_is_not_let_below_the_contracts_and_not_retired_under_one(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    run(app, field(app, village))
    run(app, contract(village, area="100"))
    smaller = ChangeResource(
        entity=village,
        code="ZY-001",
        name="东洼耕地",
        kind="cropland",
        area="90",
        reason="测量",
        date=D(2026, 2, 1),
    )
    error = refused(app, smaller, ConflictError)
    assert "已发包、出租 100 亩" in (error.zh or "")
    retire = RetireResource(entity=village, code="ZY-001", reason="征收", date=D(2026, 3, 1))
    error = refused(app, retire, ConflictError)
    assert "合同 HT-1 到 2030-03-31 才到期" in (error.zh or "")
    run(app, TerminateContract(entity=village, code="HT-1", date=D(2026, 3, 1), reason="征收"))
    run(app, retire)
    resource = app.resources.get_resource(village, "ZY-001")
    assert (resource.status, resource.retired_on, resource.retired_reason) == (
        "retired",
        D(2026, 3, 1),
        "征收",
    )
    error = refused(app, retire, ConflictError)
    assert "已于 2026-03-01 注销" in (error.zh or "")
    error = refused(app, contract(village, code="HT-2"), ConflictError)
    assert "已于 2026-03-01 注销" in (error.zh or "")


def test_a_land_share_of_the_village_is_linked_and_a_wrong_one_refused(
    app: LianzhangApplication,
) -> None:
    _, joint, v1, _ = small_alliance(app)
    app.pooling.contribute_land(
        joint=joint,
        village=v1,
        mu=Decimal("80"),
        grade=Decimal("1"),
        value_per_mu="500.00",
        term_years=10,
        date=D(2025, 5, 1),
        actor="t",
    )
    run(app, field(app, v1))
    link = LinkLandShare(entity=v1, code="ZY-001", joint=joint, date=D(2025, 5, 1), mu="80")
    run(app, link)
    resource = app.resources.get_resource(v1, "ZY-001")
    assert resource.land_shares == [{"joint": joint, "date": "2025-05-01", "mu": "80"}]
    error = refused(app, link, ConflictError)
    assert "已经关联" in (error.zh or "")
    error = refused(app, LinkLandShare(**{**link.__dict__, "mu": "81"}), NotFoundError)
    assert "2025-05-01 80 亩" in (error.zh or "")  # what is recorded, named
    run(app, field(app, joint, code="ZY-J"))
    error = refused(
        app,
        LinkLandShare(**{**link.__dict__, "entity": joint, "code": "ZY-J"}),
        InvalidRequestError,
    )
    assert "不是村集体" in (error.zh or "")
