"""Personal data out of plain sight: ID numbers sealed in events with a key per person, forgotten
by deleting the key (crypto-shredding), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select

from adapters.vault import person_keys
from audit.exports import export_events
from audit.verify import verify
from domain.members import MemberRegister
from domain.privacy import FORGOTTEN, with_check_digit
from tests.e2e.conftest import Api
from tests.e2e.test_api import register_village

ID_A = with_check_digit("37032119900101123")
ID_B = with_check_digit("37032119851231456")


def post(api: Api, path: str, body: dict[str, Any], status: int = 201) -> Any:
    response = api.client.post(path, json=body, headers=api.admin)
    assert response.status_code == status, response.text
    return response.json()


def member(number: str, id_number: str) -> dict[str, Any]:
    return {
        "number": number,
        "household": "H01",
        "name": "张三明",
        "id_number": id_number,
        "joined_on": "2025-01-01",
        "shares": {"人口股": "1"},
    }


def village_with_members(api: Api, *, legacy: bool = False) -> str:
    """A village with household H01 and members M01, M02; ``legacy`` opens its register in
    the shape stores written before issue 13 hold (one MemberRegister aggregate)."""
    village = register_village(api)
    if legacy:
        opened = MemberRegister.open(village=village, share_kinds=["人口股"], actor="old-code")
        api.runtime.app.save(opened)
    else:
        post(api, f"/v1/villages/{village}/register", {"share_kinds": ["人口股"]})
    post(
        api,
        f"/v1/villages/{village}/households",
        {"number": "H01", "head": "张三明", "registered_on": "2025-01-01"},
    )
    post(api, f"/v1/villages/{village}/members", member("M01", ID_A))
    post(api, f"/v1/villages/{village}/members", member("M02", ID_B))
    return village


def stored_bytes(api: Api) -> bytes:
    recorder = api.runtime.app.recorder
    notifications = recorder.select_notifications(start=1, limit=100_000)
    return b"\n".join(n.state for n in notifications)


def members_of(api: Api, village: str) -> dict[str, dict[str, Any]]:
    response = api.client.get(
        f"/v1/villages/{village}/members", params={"as_of": "2025-06-01"}, headers=api.admin
    )
    assert response.status_code == 200, response.text
    return {m["number"]: m for h in response.json()["households"] for m in h["members"]}


def test_id_numbers_are_sealed_in_events_exports_and_views(api: Api) -> None:
    village = village_with_members(api)
    log = stored_bytes(api)
    exported = b"".join(export_events(api.runtime))
    for id_number in (ID_A, ID_B):
        assert id_number.encode() not in log
        assert id_number.encode() not in exported
        assert id_number[6:14].encode() not in log  # not even the birth date in the clear
    assert b"sealed:v1:" in log
    shown = members_of(api, village)
    assert shown["M01"]["id_number"] == ID_A[:4] + "*" * 10 + ID_A[-4:]
    assert shown["M02"]["forgotten"] is False
    assert verify(api.runtime)["ok"]


def test_the_same_id_number_twice_is_refused_although_sealed(api: Api) -> None:
    village = village_with_members(api)
    response = api.client.post(
        f"/v1/villages/{village}/members", json=member("M03", ID_A), headers=api.admin
    )
    assert response.status_code == 409, response.text
    assert response.json()["field"] == "id_number"


def test_forgetting_deletes_the_key_and_survives_a_rebuild(api: Api) -> None:
    village = village_with_members(api)
    still_member = api.client.post(
        f"/v1/villages/{village}/members/M01/forget",
        json={"reason": "本人申请删除"},
        headers=api.admin,
    )
    assert still_member.status_code == 409, still_member.text
    assert "record leaving first" in still_member.json()["detail"]
    post(
        api,
        f"/v1/villages/{village}/members/M01/leave",
        {"date": "2025-03-01", "reason": "迁出"},
        status=200,
    )
    post(
        api,
        f"/v1/villages/{village}/members/M01/forget",
        {"reason": "迁出满三年，本人申请删除"},
        status=200,
    )
    subject = f"member:{village}:M01"
    with api.runtime.engine.connect() as conn:
        subjects = set(conn.execute(select(person_keys.c.subject)).scalars())
    assert subject not in subjects
    assert f"member:{village}:M02" in subjects
    # the sealed value is still in the log, and nobody can open it any more
    register = api.runtime.app.members.register_view(village)
    assert register.members["M01"]["id_number"].startswith("sealed:v1:")
    assert api.runtime.vault.reveal(subject, register.members["M01"]["id_number"]) is None
    assert members_of(api, village)["M01"]["id_number"] == FORGOTTEN
    again = api.client.post(
        f"/v1/villages/{village}/members/M01/forget", json={"reason": "x"}, headers=api.admin
    )
    assert again.status_code == 409
    api.runtime.views.rebuild()
    shown = members_of(api, village)
    assert shown["M01"]["id_number"] == FORGOTTEN
    assert shown["M02"]["id_number"] == ID_B[:4] + "*" * 10 + ID_B[-4:]
    report = verify(api.runtime)
    assert report["ok"], report


def test_a_store_written_before_sealing_still_loads_and_masks(api: Api) -> None:
    """Events of the first wave hold the ID number in the clear: they load, show masked, and a
    new member cannot take the same number (stores of the first wave hold legacy registers)."""
    village = village_with_members(api, legacy=True)
    app = api.runtime.app
    register = app.members.get_register(village)
    assert isinstance(register, MemberRegister)
    # what the first wave's register_member emitted: the same event, the number in the clear
    register._member_registered(
        number="M09",
        household="H01",
        name="李四",
        id_number=with_check_digit("37032120000229001"),
        joined_on=datetime.date(2025, 1, 1),
        shares={},
        actor="old-code",
    )
    app.save(register)
    shown = members_of(api, village)
    assert (
        shown["M09"]["id_number"] == "3703**********" + with_check_digit("37032120000229001")[-4:]
    )
    clash = api.client.post(
        f"/v1/villages/{village}/members",
        json=member("M10", with_check_digit("37032120000229001")),
        headers=api.admin,
    )
    assert clash.status_code == 409
