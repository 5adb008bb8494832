"""The atomic import of a member register file (domain/members/register_import.py) on SQLite and
PostgreSQL: a file with two bad rows names both and writes nothing; the fixed file registers
every household and member in one save; a second run registers nothing twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adapters.register_files import HEADER, parse_register, to_xlsx
from domain.errors import InvalidRequestError
from domain.members import MemberRegister, register_id
from domain.members.register_import import RegisterRefusedError
from domain.privacy import with_check_digit
from projections import economy_queries
from runtime.bootstrap import Runtime
from tests import builders
from tests.conftest import TODAY

IDS = [with_check_digit(f"3703221980010100{i}") for i in range(1, 6)]


def register_file(*, bad: bool) -> bytes:
    rows: list[list[object]] = [
        [*HEADER, "人口股", "劳龄股"],
        ["H01", "李建国", "2025-01-01", "H01-1", "李建国", IDS[0], "2025-01-01", 1, 0.5],
        ["", "", "", "H01-2", "王秀英", IDS[1], "2025-01-01", 1, 0],
        ["H02", "张三明", "2025-01-01", "H02-1", "张三明", IDS[2], "2025-01-01", 1, 1],
        ["H03", "赵六", "2025-01-01", "H03-1", "赵六", IDS[3], "2025-01-01", 2, 0],
        ["", "", "", "H03-2", "欧阳小明", IDS[4], "2025-02-01", 1, 0],
    ]
    if bad:
        rows[2][5] = "37032219800101"  # too short
        rows[4][6] = "2099-01-01"  # joined after today
    return to_xlsx(rows)


def events(runtime: Runtime) -> int:
    return runtime.views.head()


def test_bad_rows_are_all_named_then_the_fixed_file_imports_once(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    before = events(runtime)

    bad = parse_register(register_file(bad=True))
    assert [p.row for p in bad.problems] == [3]  # the parser sees the short ID number
    with pytest.raises(RegisterRefusedError) as refused:
        app.members.import_register(
            village=village,
            households=bad.households,
            members=[*bad.members],
            share_kinds=bad.share_kinds,
            actor="clerk",
        )
    assert [(p.row, p.field) for p in refused.value.problems] == [(5, "joined_on")]
    assert events(runtime) == before  # nothing written, the register not even opened
    assert not app.exists(register_id(village))

    good = parse_register(register_file(bad=False))
    assert good.problems == []
    preview = app.members.import_register(
        village=village,
        households=good.households,
        members=good.members,
        share_kinds=good.share_kinds,
        actor="clerk",
        dry_run=True,
    )
    assert preview.members_added == ["H01-1", "H01-2", "H02-1", "H03-1", "H03-2"]
    assert events(runtime) == before
    done = app.members.import_register(
        village=village,
        households=good.households,
        members=good.members,
        share_kinds=good.share_kinds,
        actor="clerk",
    )
    assert done.opened and done.written
    assert done.households_added == ["H01", "H02", "H03"]
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        register = economy_queries.member_register(conn, village, TODAY)
    assert register is not None
    assert [len(h["members"]) for h in register["households"]] == [2, 1, 2]
    assert register["households"][0]["shares"] == {"人口股": "2", "劳龄股": "0.5"}
    after = events(runtime)

    again = app.members.import_register(
        village=village,
        households=good.households,
        members=good.members,
        share_kinds=good.share_kinds,
        actor="clerk",
    )
    assert not again.written and again.members_added == []
    assert len(again.members_skipped) == 5 and len(again.households_skipped) == 3
    assert events(runtime) == after


def test_a_row_in_conflict_with_the_register_and_a_duplicate_id(runtime: Runtime) -> None:
    app = runtime.app
    village = builders.village(app)
    good = parse_register(register_file(bad=False))
    app.members.import_register(
        village=village,
        households=good.households,
        members=good.members,
        share_kinds=good.share_kinds,
        actor="clerk",
    )
    before = events(runtime)
    rows: list[list[object]] = [
        [*HEADER, "人口股"],
        ["H01", "别人", "2025-01-01", "H01-1", "李建国", IDS[0], "2025-01-01", 1],
        ["H09", "钱七", "2025-01-01", "H09-1", "钱七", IDS[2], "2025-01-01", 1],
    ]
    second = parse_register(to_xlsx(rows), share_kinds=good.share_kinds)
    assert second.problems == []
    with pytest.raises(RegisterRefusedError) as refused:
        app.members.import_register(
            village=village,
            households=second.households,
            members=second.members,
            share_kinds=second.share_kinds,
            actor="clerk",
        )
    assert {(p.row, p.field) for p in refused.value.problems} == {(2, "head"), (3, "id_number")}
    assert events(runtime) == before
    with pytest.raises(InvalidRequestError):
        app.members.import_register(
            village=village, households=[], members=[], share_kinds=[], actor="clerk"
        )


def test_a_legacy_register_takes_the_file_in_one_save_too(runtime: Runtime) -> None:
    """A village whose register is the pre-issue-13 one-aggregate ``MemberRegister``: the file's
    new rows go into it in one save, rows it already holds are skipped."""
    app = runtime.app
    village = builders.village(app)
    register = MemberRegister.open(village=village, share_kinds=["人口股", "劳龄股"], actor="old")
    register.register_household(
        number="H01", head="李建国", registered_on=datetime.date(2025, 1, 1), actor="old"
    )
    register.register_member(
        number="H01-1",
        household="H01",
        name="李建国",
        id_number=IDS[0],
        joined_on=datetime.date(2025, 1, 1),
        shares={"人口股": Decimal(1), "劳龄股": Decimal("0.5")},
        actor="old",
        vault=app.vault,
    )
    app.save(register)
    good = parse_register(register_file(bad=False), share_kinds=["人口股", "劳龄股"])
    before = events(runtime)
    done = app.members.import_register(
        village=village,
        households=good.households,
        members=good.members,
        share_kinds=good.share_kinds,
        actor="clerk",
    )
    assert done.households_skipped == ["H01"] and done.members_skipped == ["H01-1"]
    assert done.members_added == ["H01-2", "H02-1", "H03-1", "H03-2"]
    stored = app.members.get_register(village)
    assert isinstance(stored, MemberRegister) and len(stored.members) == 5
    saved = app.recorder.select_notifications(start=before + 1, limit=100)
    assert {n.originator_id for n in saved} == {register_id(village)}  # one aggregate, one save
