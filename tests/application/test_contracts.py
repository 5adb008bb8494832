"""The 经济合同 register (``domain.contracts``) through the runner on the in-memory store: a
contract with its schedule, receipts allocated to its instalments, reversal, overdue, ending and
terminating, a resource never let twice; every refusal in Chinese with nothing written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.contracts import Contract, regular_schedule
from domain.contracts.commands import (
    EndContract,
    RecordContractPayment,
    ReverseContractPayment,
    TerminateContract,
)
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.privacy import with_check_digit
from domain.runner import Caller, Runner
from ledger.money import money
from tests import builders
from tests.application.small import application, events
from tests.application.test_resources import CLERK, contract, field, refused, run

D = datetime.date
ID_NUMBER = with_check_digit("37032219800101001")


@pytest.fixture
def app() -> Any:
    return application()


@pytest.fixture
def village(app: Any) -> str:
    code = builders.village(app)
    run(app, field(app, code))  # ZY-001, 120.5 亩
    return code


def the(app: Any, village: str, code: str = "HT-1") -> Contract:
    found: Contract = app.contracts.get_contract(village, code)
    return found


def pay(village: str, amount: str, date: datetime.date, **more: Any) -> RecordContractPayment:
    return RecordContractPayment(entity=village, code="HT-1", date=date, amount=amount, **more)


def test_a_contract_is_registered_with_its_schedule_and_its_person_sealed(
    app: Any, village: str
) -> None:
    assert run(app, contract(village, party_id=ID_NUMBER.lower())) == "HT-1"
    terms = the(app, village)
    assert (terms.kind, terms.direction, terms.status) == ("contracting", "receivable", "in-force")
    assert terms.total_due == money("60000.00") and terms.outstanding == money("60000.00")
    assert terms.area == "120.5"  # the whole resource, when no area is given
    assert terms.party_id.startswith("sealed:") and ID_NUMBER not in terms.party_id
    assert app.vault.reveal(f"contract:{village}:HT-1", terms.party_id) == ID_NUMBER
    resource = app.resources.get_resource(village, "ZY-001")
    assert resource.contracts == {
        "HT-1": {"start": "2025-04-01", "end": "2030-03-31", "area": "120.5"}
    }
    assert terms.in_force(D(2025, 4, 1)) and not terms.in_force(D(2025, 3, 31))


@pytest.mark.parametrize(
    ("changes", "kind", "words"),
    [
        ({"end": D(2025, 3, 31)}, InvalidRequestError, "合同止日 2025-03-31 早于起日 2025-04-01"),
        (
            {"instalments": ((D(2025, 3, 1), "100.00"),)},
            InvalidRequestError,
            "第1期的应付日 2025-03-01 不在合同期限",
        ),
        (
            {"instalments": ((D(2031, 4, 1), "100.00"),)},
            InvalidRequestError,
            "不在合同期限 2025-04-01 至 2030-03-31 之内",
        ),
        ({"instalments": ((D(2026, 4, 1), "0"),)}, InvalidRequestError, "第1期的金额要大于 0"),
        ({"instalments": ((D(2026, 4, 1), "-5.00"),)}, InvalidRequestError, "金额要大于 0"),
        (
            {"instalments": ((D(2026, 4, 1), "1.00"), (D(2026, 4, 1), "2.00"))},
            InvalidRequestError,
            "有两期都在 2026-04-01 到期",
        ),
        ({"subject_code": "ZY-404"}, NotFoundError, "没有资源 ZY-404"),
        ({"party_id": "370322198001010010"}, InvalidRequestError, "身份证号有误"),
        (
            {"party_kind": "organisation", "party_id": ID_NUMBER},
            InvalidRequestError,
            "只有对方是自然人时才填身份证号",
        ),
        (
            {"party_kind": "organisation", "party_code": "12345"},
            InvalidRequestError,
            "统一社会信用代码应为 18 位",
        ),
        ({"subject_kind": "asset", "area": "5"}, InvalidRequestError, "才填发包面积"),
        ({"area": "121"}, ConflictError, "共 120.5 亩"),
        (
            {"end": D(2025, 12, 31), "signed_on": D(2026, 1, 5), "instalments": ()},
            InvalidRequestError,
            "签订日期 2026-01-05 晚于合同止日 2025-12-31",
        ),
        ({"kind": "gift"}, InvalidRequestError, "合同类别只能是"),
        ({"title": ""}, InvalidRequestError, "请填写合同名称"),
    ],
)
def test_a_contract_that_cannot_be_is_refused_in_chinese_with_nothing_written(
    app: Any, village: str, changes: dict[str, Any], kind: type[Exception], words: str
) -> None:
    error = refused(app, contract(village, **changes), kind)  # type: ignore[arg-type]
    assert words in (error.zh or ""), error.zh


def test_a_resource_is_never_let_twice_on_the_same_day(app: Any, village: str) -> None:
    run(app, contract(village, area="100"))
    error = refused(app, contract(village, code="HT-2", area="30"), ConflictError)
    assert "已有 100 亩发包或出租，只剩 20.5 亩" in (error.zh or "")
    # the rest of it, or the same land after the first contract's term, may be let
    run(app, contract(village, code="HT-2", area="20.5"))
    later = contract(
        village,
        code="HT-3",
        start=D(2030, 4, 1),
        end=D(2035, 3, 31),
        signed_on=D(2026, 1, 5),
        instalments=((D(2030, 4, 1), "1.00"),),
    )
    run(app, later)
    # two contracts one after the other, each half: a third half over both terms still fits
    other = builders.village(app)
    run(app, field(app, other, area="100"))
    for code, start, end in (
        ("A", D(2025, 1, 1), D(2025, 6, 30)),
        ("B", D(2025, 7, 1), D(2025, 12, 31)),
    ):
        run(
            app,
            contract(
                other,
                code=code,
                area="50",
                start=start,
                end=end,
                signed_on=start,
                instalments=((start, "10.00"),),
            ),
        )
    run(
        app,
        contract(
            other,
            code="C",
            area="50",
            start=D(2025, 1, 1),
            end=D(2025, 12, 31),
            signed_on=D(2025, 1, 1),
            instalments=(),
        ),
    )
    error = refused(
        app,
        contract(
            other,
            code="D",
            area="1",
            start=D(2025, 5, 1),
            end=D(2025, 5, 1),
            signed_on=D(2025, 5, 1),
            instalments=(),
        ),
        ConflictError,
    )
    assert "已有 100 亩" in (error.zh or "")


def test_receipts_are_allocated_oldest_first_and_never_beyond_what_is_due(
    app: Any, village: str
) -> None:
    run(app, contract(village))
    assert run(app, pay(village, "15000.00", D(2025, 4, 2))) == 1
    terms = the(app, village)
    assert [row[2] for row in terms.schedule[:3]] == [1_200_000, 300_000, 0]
    assert terms.payments[0]["allocation"] == [["2025-04-01", 1_200_000], ["2026-04-01", 300_000]]
    # a named instalment takes only what it still lacks
    error = refused(
        app, pay(village, "9000.01", D(2025, 5, 1), instalment=D(2026, 4, 1)), ConflictError
    )
    assert "2026-04-01 这一期尚未收的只有 ¥9,000.00" in (error.zh or "")
    assert run(app, pay(village, "9000.00", D(2025, 5, 1), instalment=D(2026, 4, 1))) == 2
    error = refused(app, pay(village, "36000.01", D(2025, 5, 2)), ConflictError)
    assert "尚未收的只有 ¥36,000.00" in (error.zh or "")
    error = refused(app, pay(village, "1.00", D(2025, 3, 1)), InvalidRequestError)
    assert "早于合同签订日期" in (error.zh or "")
    error = refused(app, pay(village, "1.00", D(2026, 11, 24)), Exception)  # type: ignore[arg-type]
    assert "晚于今天" in (error.zh or "")
    error = refused(
        app, pay(village, "1.00", D(2025, 6, 1), instalment=D(2025, 6, 1)), InvalidRequestError
    )
    assert "没有 2025-06-01 到期的一期" in (error.zh or "")
    assert the(app, village).settled == money("24000.00")


def test_a_receipt_names_an_entry_of_its_books_and_is_reversed_once(app: Any, village: str) -> None:
    run(app, contract(village))
    entry = app.books.post_entry(
        entity=village,
        date=D(2025, 4, 2),
        memo="收东洼承包费",
        postings=builders.receipt("12000.00", income="501"),
        actor="t",
    )
    error = refused(app, pay(village, "12000.00", D(2025, 4, 2), entry="2099-9999"), NotFoundError)
    assert "没有凭证号 2099-9999" in (error.zh or "")
    run(app, pay(village, "12000.00", D(2025, 4, 2), entry=entry.number, memo="承包费"))
    assert the(app, village).payments[0]["entry"] == entry.number
    reverse = ReverseContractPayment(
        entity=village, code="HT-1", number=1, date=D(2025, 4, 3), reason="记错合同"
    )
    assert run(app, reverse) == 1
    terms = the(app, village)
    assert terms.settled == money("0.00") and terms.payments[0]["reversed"]
    error = refused(app, reverse, ConflictError)
    assert "已经冲销过" in (error.zh or "")
    error = refused(
        app, ReverseContractPayment(**{**reverse.__dict__, "number": 7}), InvalidRequestError
    )
    assert "没有第 7 笔收款" in (error.zh or "")


def test_overdue_and_closing(app: Any, village: str) -> None:
    run(app, contract(village))
    run(app, pay(village, "12000.00", D(2025, 4, 1)))
    terms = the(app, village)
    assert terms.overdue(D(2026, 4, 1)) == money("0.00")  # due that day: not yet overdue
    assert terms.overdue(D(2026, 4, 2)) == money("12000.00")
    error = refused(
        app, EndContract(entity=village, code="HT-1", date=D(2026, 5, 1)), InvalidRequestError
    )
    assert "到 2030-03-31 才到期" in (error.zh or "")
    run(
        app, TerminateContract(entity=village, code="HT-1", date=D(2026, 5, 1), reason="承包人退包")
    )
    terms = the(app, village)
    assert (terms.status, terms.closed_on, terms.reason) == (
        "terminated",
        D(2026, 5, 1),
        "承包人退包",
    )
    # the instalments after the termination are no longer due; the arrears still are
    assert terms.total_due == money("24000.00") and terms.outstanding == money("12000.00")
    assert not terms.in_force(D(2026, 5, 2))
    resource = app.resources.get_resource(village, "ZY-001")
    assert resource.contracts["HT-1"]["end"] == "2026-05-01"
    error = refused(
        app,
        TerminateContract(entity=village, code="HT-1", date=D(2026, 6, 1), reason="再"),
        ConflictError,
    )
    assert "已于 2026-05-01 已解除" in (error.zh or "")
    run(app, pay(village, "12000.00", D(2026, 6, 1)))  # arrears collected after it closed
    assert the(app, village).outstanding == money("0.00")


def test_a_payable_contract_and_a_contract_on_an_asset(app: Any, village: str) -> None:
    build = contract(
        village,
        code="GC-1",
        title="村道硬化",
        kind="construction",
        party_kind="organisation",
        party_name="高青县路桥工程有限公司",
        party_code="91370322MA3C0LN21X",
        subject_kind="other",
        subject_code="村道 2 公里",
        instalments=((D(2025, 5, 1), "50000.00"), (D(2025, 12, 1), "30000.00")),
    )
    run(app, build)
    terms = the(app, village, "GC-1")
    assert (terms.direction, terms.words, terms.party_code) == (
        "payable",
        "付",
        "91370322MA3C0LN21X",
    )
    error = refused(
        app,
        RecordContractPayment(entity=village, code="GC-1", date=D(2025, 5, 2), amount="80000.01"),
        ConflictError,
    )
    assert "尚未付的只有 ¥80,000.00" in (error.zh or "")
    lease = contract(
        village, code="ZL-1", kind="lease", subject_kind="asset", subject_code="GZ-001"
    )
    run(app, lease)
    assert the(app, village, "ZL-1").subject_code == "GZ-001"  # kept for the asset register


def test_end_of_term_and_another_township(app: Any, village: str) -> None:
    short = contract(
        village, start=D(2025, 4, 1), end=D(2025, 12, 31), instalments=((D(2025, 4, 1), "100.00"),)
    )
    run(app, short)
    before = events(app)
    stranger = Caller("clerk-2", frozenset({"花沟镇"}))
    for command in (
        EndContract(entity=village, code="HT-1", date=D(2026, 1, 1)),
        pay(village, "100.00", D(2025, 5, 1)),
        contract(village, code="HT-9", subject_kind="other", subject_code=""),
    ):
        with pytest.raises(Exception) as caught:
            Runner(app).run(command, stranger)
        assert type(caught.value).__name__ == "ForbiddenTownshipError"
    assert events(app) == before
    run(app, EndContract(entity=village, code="HT-1", date=D(2026, 1, 1)), CLERK)
    assert the(app, village).status == "ended"


def test_a_regular_schedule_from_the_term() -> None:
    rows = regular_schedule(D(2024, 1, 31), D(2024, 12, 31), "1000.5", 3)
    assert rows == [
        (D(2024, 1, 31), "1000.50"),
        (D(2024, 4, 30), "1000.50"),
        (D(2024, 7, 31), "1000.50"),
        (D(2024, 10, 31), "1000.50"),
    ]
    with pytest.raises(InvalidRequestError) as caught:
        regular_schedule(D(2024, 1, 1), D(2024, 12, 31), "1.00", 2)
    assert "每月、每季" in (caught.value.zh or "")
