"""``lianzhang register migrate``: a legacy member register (one ``MemberRegister`` aggregate) is
moved into the bounded shape through the runner, on SQLite and PostgreSQL. Afterwards its past
still replays as it was, its read models answer as before, every write goes to the bounded
shape, and running the command again records nothing. The wave-2 fixture store (whose register
is already bounded) is left as it is."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from domain.errors import ConflictError
from domain.members import (
    Household,
    MemberNumber,
    MemberRegister,
    VillageRegister,
    household_id,
    member_number_id,
    register_id,
)
from domain.members.migration import HouseholdMigrated, RegisterMigrated
from domain.privacy import with_check_digit
from projections import economy_queries
from runtime.bootstrap import Runtime
from scripts import cli
from tests.conftest import TODAY
from tests.integration import wave2_outputs as W
from tests.integration.test_household_registers import (
    KINDS,
    PEOPLE,
    D,
    fill_with_commands,
    later_changes,
    legacy_register,
    shares,
    with_income,
)

DAYS = (D(2025, 1, 1), D(2025, 3, 1), D(2025, 9, 1), D(2025, 12, 31))


def migrate(database: tuple[str, str | None], *argv: str) -> str:
    url, schema = database
    where = ["--database-url", url, *(["--schema", schema] if schema else [])]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main([*where, "register", "migrate", *argv]) == 0
    return out.getvalue()


def test_a_legacy_register_is_migrated_once_and_keeps_its_answers(
    runtime: Runtime, database: tuple[str, str | None]
) -> None:
    app = runtime.app
    old, new = with_income(app), with_income(app)
    legacy_register(app, old)
    later_changes(app, old)  # shares adjusted, a member left and was forgotten
    app.members.open_register(village=new, share_kinds=KINDS, actor="tester")
    fill_with_commands(app, new)
    legacy_version = app.members.get_register(old).version
    members = [number for people in PEOPLE.values() for number, *_ in people]
    before_bases = {d: app.members.register_view(old).household_bases(d) for d in DAYS}
    before_records = {m: app.members.member_record(old, m) for m in members}
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        before_view = economy_queries.member_register(conn, old, D(2025, 12, 31))
    head = app.recorder.max_notification_id()

    out = migrate(database)
    assert f"{old}: migrated 3 households and 5 members into the bounded register" in out
    assert f"{new}: already in the bounded shape; nothing recorded" in out
    assert "1 of 2 registers migrated" in out
    # one save: the head's event, three households, five number claims
    assert app.recorder.max_notification_id() == head + 9

    url, schema = database
    reopened = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        again = reopened.app
        register = again.members.get_register(old)
        assert isinstance(register, VillageRegister)
        assert register.share_kinds == KINDS and register.household_count == 3
        # the legacy events still replay: the register as it was before the migration
        past = again.repository.get(register_id(old), version=legacy_version)
        assert isinstance(past, MemberRegister) and sorted(past.members) == sorted(members)
        stream = list(again.stream(register_id(old)))
        assert isinstance(stream[-1], RegisterMigrated) and stream[-1].households == list(PEOPLE)
        for number in PEOPLE:
            household = again.load(household_id(old, number), Household, ConflictError("x"))
            assert isinstance(next(iter(again.stream(household.id))), HouseholdMigrated)
        for member in members:
            claim = again.find(member_number_id(old, member))
            assert isinstance(claim, MemberNumber)
            assert claim.household == before_records[member]["household"]  # type: ignore[index]
            assert again.members.member_record(old, member) == before_records[member]
        assert again.members.member_record(old, "H02-1")["forgotten"]  # type: ignore[index]
        assert {d: again.members.register_view(old).household_bases(d) for d in DAYS} == (
            before_bases
        )
        reopened.views.catch_up()
        with reopened.engine.connect() as conn:
            assert economy_queries.member_register(conn, old, D(2025, 12, 31)) == before_view
    finally:
        reopened.close()

    # writes now go to the bounded shape (the first process's cached register caught up too)
    try:
        app.members.register_household(
            village=old, number="H01", head="李四", registered_on=D(2025, 1, 1), actor="t"
        )
        raise AssertionError("a household number taken before the migration was accepted")
    except ConflictError as refused:
        assert "household H01 is already" in str(refused)
    written = app.members.register_household(
        village=old, number="H04", head="孙七", registered_on=D(2025, 4, 1), actor="t"
    )
    assert isinstance(written, Household)
    for number, id_number in (("H01-1", "37032219950505006"), ("H04-1", PEOPLE["H01"][0][2])):
        try:
            app.members.register_member(
                village=old,
                number=number,
                household="H04",
                name="孙七",
                id_number=with_check_digit(id_number) if len(id_number) == 17 else id_number,
                joined_on=D(2025, 4, 1),
                shares=shares({"人口股": "1"}),
                actor="t",
            )
            raise AssertionError(f"{number}: a duplicate was accepted")
        except ConflictError:
            pass  # a member number, or a current member's ID number, already taken
    app.members.register_member(
        village=old,
        number="H04-1",
        household="H04",
        name="孙七",
        id_number=with_check_digit("37032219950505006"),
        joined_on=D(2025, 4, 1),
        shares=shares({"人口股": "1"}),
        actor="t",
    )
    assert isinstance(list(app.stream(register_id(old)))[-1], VillageRegister.HouseholdAdded)  # type: ignore[attr-defined]
    view = app.members.register_view(old)
    assert list(view.households) == ["H01", "H02", "H03", "H04"]
    assert view.household_bases(D(2025, 12, 31))["H04"]["shares"] == 1

    # again: nothing to do, nothing recorded
    head = app.recorder.max_notification_id()
    out = migrate(database, "--village", old)
    assert f"{old}: already in the bounded shape; nothing recorded" in out
    assert "0 of 1 registers migrated" in out
    assert app.recorder.max_notification_id() == head


def test_the_wave2_fixture_store_has_nothing_to_migrate(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = database
    if schema is None:
        W.install_sqlite(W.FIXTURE, Path(url.removeprefix("sqlite:///")))
    else:
        W.install_postgres(W.FIXTURE, url, schema)
    env = W.install_keys(W.FIXTURE, tmp_path / "keys")
    with W.environment(env):
        W._cli(url, schema, "init")
        head = events(database)
        for _ in range(2):
            out = W._cli(url, schema, "register", "migrate")
            assert "already in the bounded shape; nothing recorded" in out
            assert "0 of 1 registers migrated" in out
        assert events(database) == head


def events(database: tuple[str, str | None]) -> int:
    """How many events the store holds (its last notification id)."""
    url, schema = database
    store = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        return int(store.app.recorder.max_notification_id() or 0)
    finally:
        store.close()
