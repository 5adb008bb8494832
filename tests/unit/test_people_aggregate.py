"""The Person aggregate: its events, its state after replay, its guards (no store)."""

from __future__ import annotations

import pytest

from domain.errors import ConflictError, InvalidRequestError
from domain.people import Person, person_id
from projections.people_view import display_actor


def replayed(person: Person) -> Person:
    events = person.collect_events()
    copy: Person | None = None
    for event in events:
        copy = event.mutate(copy)  # type: ignore[arg-type]
    assert isinstance(copy, Person)
    return copy


def test_events_say_who_and_never_a_password() -> None:
    person = Person.register(
        login=" WangFang ", name="王  芳", role="preparer", townships=["唐坊镇", "唐坊镇"],
        phone="138 0000 1111", actor="admin1",
    )  # fmt: skip
    assert person.id == person_id("wangfang")
    assert (person.login, person.name, person.townships, person.phone) == (
        "wangfang", "王 芳", ["唐坊镇"], "13800001111"
    )  # fmt: skip
    assert person.change(role="reviewer", actor="admin1") is True
    assert person.change(role="reviewer", actor="admin1") is False  # nothing new: no event
    person.disable(actor="admin1")
    with pytest.raises(ConflictError):
        person.disable(actor="admin1")
    person.enable(actor="admin1")
    names = [type(e).__qualname__ for e in person.pending_events]
    assert names == [
        "Person.PersonRegistered", "Person.PersonChanged", "Person.PersonDisabled",
        "Person.PersonEnabled",
    ]  # fmt: skip
    assert all("password" not in vars(e) for e in person.pending_events)
    again = replayed(person)
    assert (again.role, again.townships, again.disabled) == ("reviewer", ["唐坊镇"], False)


def test_an_admin_has_no_townships_and_others_need_one() -> None:
    admin = Person.register(login="admin1", name="管理员", role="admin", actor="cli")
    assert admin.townships == []
    with pytest.raises(InvalidRequestError):
        Person.register(login="x1", name="某", role="bookkeeper", actor="cli")
    clerk = Person.register(login="x1", name="某", role="bookkeeper", townships=["唐坊镇"],
                            actor="cli")  # fmt: skip
    clerk.change(role="auditor", actor="cli")  # an auditor drops the townships
    assert clerk.townships == []
    with pytest.raises(InvalidRequestError):
        clerk.change(role="preparer", actor="cli")  # and a preparer needs them again


@pytest.mark.parametrize("login", ["a", "has space", "has@at", "张三", "-lead", "x" * 33])
def test_logins_that_are_refused(login: str) -> None:
    with pytest.raises(InvalidRequestError):
        Person.register(login=login, name="某", role="auditor", actor="cli")


def test_display_actor() -> None:
    names = {"wangfang": "王芳"}
    assert display_actor("wangfang", names) == "王芳"
    assert display_actor("wangfang@erp", names) == "王芳（接口）"
    assert display_actor("lisi@erp", names) == "lisi@erp"
    assert display_actor("admin-1", names) == "admin-1"
    assert display_actor("", names) == ""
