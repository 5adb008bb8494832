"""The commands of member registers, plans and agreements run through the one runner
(``domain.runner``) on the in-memory application: their results, their places refused through
``Caller.check`` in the words each front end names them by, and a retried request answered from
what it recorded without writing twice."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from domain.agreement.commands import DeclareDividend
from domain.application import LianzhangApplication
from domain.commands import Words
from domain.context import RequestClaim
from domain.errors import PlanNotFoundError
from domain.members.commands import (
    ImportRegister,
    OpenRegister,
    RegisterHousehold,
    RegisterMember,
    shares_of,
)
from domain.plan.commands import RecordPlanStep
from domain.privacy import with_check_digit
from domain.runner import Caller, IdempotencyKeyReusedError, Runner
from tests import builders
from tests.application.small import agreement, application, events, small_alliance

D = datetime.date
JOINED = datetime.date(2025, 1, 2)
ID_NUMBER = with_check_digit("37032219800101001")


class Refused(Exception):
    def __init__(self, township: str, what: str) -> None:
        super().__init__(f"{what} is in {township}")
        self.township = township
        self.what = what


def refuse(township: str, what: str) -> None:
    raise Refused(township, what)


def clerk(*townships: str, claim: RequestClaim | None = None) -> Caller:
    """A caller of ``townships`` whose front end refuses every other township with
    :class:`Refused` (the place's words kept for the test)."""

    def check(township: str, what: str) -> None:
        if township not in townships:
            refuse(township, what)

    return Caller("clerk", frozenset(townships), claim, check)


@pytest.fixture
def app() -> LianzhangApplication:
    return application()


def test_register_commands_write_the_register(app: LianzhangApplication) -> None:
    village = builders.village(app)
    runner = Runner(app)
    caller = clerk(builders.TOWNSHIP)

    opened = runner.run(OpenRegister(village=village, share_kinds=("人口股", "劳龄股")), caller)
    assert opened.result is None and not opened.replayed
    runner.run(
        RegisterHousehold(
            village=village, number="H01", head="李建国", registered_on=D(2025, 1, 2)
        ),
        caller,
    )
    member = RegisterMember(
        village=village,
        number="H01-1",
        household="H01",
        name="李建国",
        id_number=ID_NUMBER,
        joined_on=D(2025, 1, 2),
        shares=shares_of({"人口股": "1", "劳龄股": Decimal("0.5")}),
    )
    outcome = runner.run(member, caller)

    assert outcome.position > 0
    assert list(app.members.get_register(village).share_kinds) == ["人口股", "劳龄股"]
    record = app.members.member_record(village, "H01-1")
    assert record is not None and record["name"] == "李建国"
    assert app.members.household_of(village, "H01-1").number == "H01"


def test_a_village_of_another_township_is_refused_by_the_callers_check_before_anything_is_written(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app, township="田镇")
    before = events(app)

    with pytest.raises(Refused) as refused:
        Runner(app).run(OpenRegister(village=village, share_kinds=("人口股",)), clerk("唐坊镇"))

    assert refused.value.township == "田镇"
    # the API names the village in English, the workbench in its own words
    assert refused.value.what == f"village {village}"
    assert isinstance(refused.value.what, Words) and refused.value.what.zh == f"村 {village}"
    assert events(app) == before


def test_an_unknown_plan_is_not_found_before_any_township_is_asked(
    app: LianzhangApplication,
) -> None:
    step = RecordPlanStep(
        code="P-none", step="提议", date=D(2025, 3, 1), details={"body": "党支部"}
    )
    with pytest.raises(PlanNotFoundError):
        Runner(app).run(step, clerk())  # a caller of no township: the 404 comes first


def test_a_retry_with_the_same_key_answers_the_recorded_entry_without_posting_again(
    app: LianzhangApplication,
) -> None:
    alliance, _, _, _ = small_alliance(app)
    _, code = agreement(app, alliance)
    claim = RequestClaim(token="t", key="k-dividend", request="POST /d", body_hash="h")
    declare = DeclareDividend(agreement=code, year=2025, amount="8000.00", date=D(2025, 6, 30))
    runner = Runner(app)

    first = runner.run(declare, clerk(builders.TOWNSHIP, claim=claim))
    written = events(app)
    again = runner.run(declare, clerk(builders.TOWNSHIP, claim=claim))

    assert not first.replayed and again.replayed
    assert events(app) == written  # nothing posted twice
    assert again.result.number == first.result.number
    assert [(p.account, p.amount) for p in again.result.postings] == [
        (p.account, p.amount) for p in first.result.postings
    ]
    assert app.agreements.get_agreement(code).declared == {"2025": 800000}  # fen, once

    other = RequestClaim(token="t", key="k-dividend", request="POST /d", body_hash="other")
    with pytest.raises(IdempotencyKeyReusedError):
        runner.run(declare, clerk(builders.TOWNSHIP, claim=other))


@dataclass(frozen=True)
class Row:
    number: str
    head: str = ""
    registered_on: datetime.date = JOINED
    household: str = ""
    name: str = ""
    id_number: str = ""
    joined_on: datetime.date = JOINED
    shares: dict[str, Decimal] = field(default_factory=dict)
    row: int = 2


@dataclass
class File:
    households: list[Any]
    members: list[Any]
    share_kinds: list[str]
    read: list[list[str] | None] = field(default_factory=list)

    def __call__(self, kinds: list[str] | None) -> File:
        self.read.append(kinds)
        return self


def test_a_register_file_imports_once_and_a_retry_checks_it_again(
    app: LianzhangApplication,
) -> None:
    village = builders.village(app)
    rows = File(
        households=[Row("H01", head="李建国")],
        members=[
            Row(
                "H01-1",
                household="H01",
                name="李建国",
                id_number=ID_NUMBER,
                shares={"人口股": Decimal("1")},
                row=2,
            )
        ],
        share_kinds=["人口股"],
    )
    claim = RequestClaim(token="t", key="k-import", request="POST /imports", body_hash="h")
    command = ImportRegister(village=village, rows=rows)
    assert not ImportRegister.retried  # the file is read outside the command lock
    runner = Runner(app)

    first = runner.run(command, clerk(builders.TOWNSHIP, claim=claim))
    written = events(app)
    again = runner.run(command, clerk(builders.TOWNSHIP, claim=claim))

    assert first.result.households_added == ["H01"] and first.result.members_added == ["H01-1"]
    assert rows.read == [None]  # no register before the file: read without share kinds
    assert again.replayed and again.result.dry_run  # the same file checked again, nothing written
    assert again.result.members_skipped == ["H01-1"]
    assert rows.read == [None, ["人口股"]]
    assert events(app) == written

    with pytest.raises(Refused) as refused:
        runner.run(ImportRegister(village=village, rows=rows), clerk("田镇"))
    assert refused.value.what.zh == f"村 {village}"  # type: ignore[attr-defined]
    assert len(rows.read) == 2  # refused before the file was read
