"""People's commands as data (``domain.people.commands``) through the one runner, on the
in-memory store: what the command line and the workbench's ``/users`` pages run."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.context import RequestClaim
from domain.people import Person, PersonExistsError, SamePersonError
from domain.people.commands import ChangePerson, DisablePerson, EnablePerson, RegisterPerson
from domain.people.service import PeopleForbiddenError
from domain.runner import Caller, IdempotencyKeyReusedError, Runner

D = datetime.date

ADMIN = Caller("admin1")  # writes everywhere, as an administrator's token or session does
CLERK = Caller("clerk-1", frozenset({"唐坊镇"}))


@pytest.fixture
def app() -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: D(2026, 11, 23)
    )


def count(app: LianzhangApplication) -> int:
    return app.recorder.max_notification_id() or 0


def wangfang(**changes: object) -> RegisterPerson:
    fields: dict[str, object] = {
        "login": "WangFang",
        "name": "王芳",
        "role": "preparer",
        "townships": ("唐坊镇",),
        "phone": "138-0000-1111",
    }
    return RegisterPerson(**{**fields, **changes})  # type: ignore[arg-type]


def claim(key: str, body_hash: str = "h1") -> RequestClaim:
    return RequestClaim(token="admin1", key=key, request="POST /users", body_hash=body_hash)


def test_register_change_disable_enable_through_the_runner(app: LianzhangApplication) -> None:
    runner = Runner(app)
    registered = runner.run(wangfang(), ADMIN)
    assert registered.result == "wangfang" and not registered.replayed
    assert registered.position == count(app)  # the log position of its own save
    person = app.people.get_person("wangfang")
    assert isinstance(person, Person)
    assert (person.name, person.role, person.townships, person.phone) == (
        "王芳", "preparer", ["唐坊镇"], "13800001111"
    )  # fmt: skip

    changed = ChangePerson(login="wangfang", role="reviewer", townships=("唐坊镇", "花沟镇"))
    assert runner.run(changed, ADMIN).result == "wangfang"
    assert runner.run(DisablePerson(login="WangFang"), ADMIN).result == "wangfang"
    assert app.people.get_person("wangfang").disabled
    assert runner.run(EnablePerson(login="wangfang"), ADMIN).result == "wangfang"
    again = app.people.get_person("wangfang")
    assert (again.role, again.townships, again.disabled) == (
        "reviewer", ["唐坊镇", "花沟镇"], False
    )  # fmt: skip
    # the actor of every event is the caller's
    events = list(app.stream(again.id))
    assert [type(e).__name__ for e in events] == [
        "PersonRegistered", "PersonChanged", "PersonDisabled", "PersonEnabled"
    ]  # fmt: skip
    assert {e.actor for e in events} == {"admin1"}

    before = count(app)
    with pytest.raises(PersonExistsError, match="taken"):
        runner.run(wangfang(name="王芳芳", phone="13900002222"), ADMIN)
    assert count(app) == before


def test_a_caller_scoped_to_townships_may_not_manage_people(app: LianzhangApplication) -> None:
    runner = Runner(app)
    with pytest.raises(PeopleForbiddenError, match="only an administrator") as refused:
        runner.run(wangfang(), CLERK)
    assert refused.value.zh is not None and "只有管理员" in refused.value.zh
    assert count(app) == 0
    runner.run(wangfang(), ADMIN)
    before = count(app)
    for command in (
        DisablePerson(login="wangfang"),
        ChangePerson(login="wangfang", name="王小芳"),
    ):
        with pytest.raises(PeopleForbiddenError):
            runner.run(command, CLERK)
    assert count(app) == before
    assert app.people.get_person("wangfang").name == "王芳"


def test_the_same_request_claim_is_answered_from_what_it_recorded(
    app: LianzhangApplication,
) -> None:
    runner = Runner(app)
    first = runner.run(wangfang(), Caller("admin1", claim=claim("k-1")))
    assert first.key_version is not None
    written = count(app)

    again = runner.run(wangfang(), Caller("admin1", claim=claim("k-1")))
    assert again.replayed
    assert again.result == "wangfang"  # rebuilt from the PersonRegistered it recorded
    assert count(app) == written  # nothing run again, nothing written
    assert len(list(app.stream(app.people.get_person("wangfang").id))) == 1

    # a command on a person answers its login on a replay too
    disabled = runner.run(DisablePerson(login="WangFang"), Caller("admin1", claim=claim("k-2")))
    replayed = runner.run(DisablePerson(login="WangFang"), Caller("admin1", claim=claim("k-2")))
    assert (disabled.result, replayed.replayed, replayed.result) == ("wangfang", True, "wangfang")

    # the same key with another request body is refused, before anything is run
    with pytest.raises(IdempotencyKeyReusedError):
        runner.run(
            wangfang(login="lisi", name="李四", phone=None),
            Caller("admin1", claim=claim("k-1", body_hash="h2")),
        )
    assert app.people.person_or_none("lisi") is None


def test_one_natural_person_has_one_active_login(app: LianzhangApplication) -> None:
    """The commands ask the service's directory for the active people (the runtime sets it
    to the read model ``people``; here a list kept from the store)."""
    logins: list[str] = []

    def active() -> list[tuple[str, str, str | None]]:
        people = [app.people.get_person(login) for login in logins]
        return [(p.login, p.name, p.phone) for p in people if not p.disabled]

    app.people.directory = active
    runner = Runner(app)
    logins.append(runner.run(wangfang(), ADMIN).result)
    with pytest.raises(SamePersonError, match="one person has one active login"):
        runner.run(wangfang(login="wangfang2"), ADMIN)
    runner.run(DisablePerson(login="wangfang"), ADMIN)
    logins.append(runner.run(wangfang(login="wangfang2"), ADMIN).result)
    with pytest.raises(SamePersonError):
        runner.run(EnablePerson(login="wangfang"), ADMIN)
    assert app.people.get_person("wangfang").disabled
