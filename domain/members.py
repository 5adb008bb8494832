"""The member register of a village (成员名册 / 股权): households, members and their share units.

Share units are by kind (人口股, 劳龄股, 土地股 …; the kinds are configured per village) and
change over time: every change is dated, so a distribution plan can ask for the shares in force
on its record date. Names and ID numbers are kept here; only masked forms leave through public
outputs (see ``domain.privacy``). An ID number is sealed with the member's own key before it
enters an event (``sealed:v1:…`` in the ``id_number`` field; stores written before sealing hold
it in the clear) and can be forgotten: ``forget_member`` records the fact and the application
deletes the key.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.ids import NAMESPACE
from domain.privacy import PersonalDataVault, id_number_problem, member_subject

DEFAULT_SHARE_KINDS = ("人口股", "劳龄股", "土地股")


def register_id(village: str) -> UUID:
    return uuid5(NAMESPACE, f"members:{village}")


def _check_shares(shares: dict[str, Decimal], kinds: list[str]) -> None:
    for kind, units in shares.items():
        if kind not in kinds:
            raise InvalidRequestError(
                f"share kind {kind!r} is not used in this village; its kinds are "
                f"{', '.join(kinds)}",
                field=f"shares.{kind}",
            )
        if not units.is_finite() or units < 0:
            raise InvalidRequestError(
                f"share units must be a number ≥ 0, not {units}", field=f"shares.{kind}"
            )


class MemberRegister(Aggregate):
    """One village's households and members with their share units, dated."""

    @staticmethod
    def create_id(village: str) -> UUID:
        return register_id(village)

    @event("Opened")
    def __init__(self, *, village: str, share_kinds: list[str], actor: str) -> None:
        self.village = village
        self.share_kinds = list(share_kinds)
        self.households: dict[str, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}

    @classmethod
    def open(cls, *, village: str, share_kinds: list[str], actor: str) -> MemberRegister:
        kinds = [k.strip() for k in share_kinds if k.strip()]
        if not kinds or len(set(kinds)) != len(kinds):
            raise InvalidRequestError(
                "a member register needs at least one share kind, each named once "
                f"(for example {', '.join(DEFAULT_SHARE_KINDS)})",
                field="share_kinds",
            )
        return cls(village=village, share_kinds=kinds, actor=actor)

    # -- households ----------------------------------------------------------------------------

    def register_household(
        self, *, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> None:
        if number in self.households:
            raise ConflictError(
                f"household {number} is already in the register of {self.village}",
                field="number",
            )
        if not head.strip():
            raise InvalidRequestError("a household needs the name of its head", field="head")
        self._household_registered(
            number=number, head=head.strip(), registered_on=registered_on, actor=actor
        )

    @event("HouseholdRegistered")
    def _household_registered(
        self, *, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> None:
        self.households[number] = {"head": head, "registered_on": registered_on.isoformat()}

    # -- members -------------------------------------------------------------------------------

    def register_member(
        self,
        *,
        number: str,
        household: str,
        name: str,
        id_number: str,
        joined_on: datetime.date,
        shares: dict[str, Decimal],
        actor: str,
        vault: PersonalDataVault,
    ) -> None:
        """Register a member; the ID number is checked (GB 11643), compared with the current
        members' by the vault's keyed digest, and sealed with the member's own key."""
        if household not in self.households:
            raise NotFoundError(
                f"household {household} is not in the register of {self.village}; register "
                "the household first",
                field="household",
            )
        if number in self.members:
            raise ConflictError(
                f"member {number} is already in the register of {self.village}", field="number"
            )
        if not name.strip():
            raise InvalidRequestError("a member needs a name", field="name")
        problem = id_number_problem(id_number)
        if problem is not None:
            raise InvalidRequestError(f"member {number}: {problem}", field="id_number")
        holders = vault.holders(id_number)
        if any(
            m["left"] is None
            and (m["id_number"] == id_number or member_subject(self.village, n) in holders)
            for n, m in self.members.items()
        ):
            raise ConflictError(
                f"a current member of {self.village} already has this ID number",
                field="id_number",
            )
        _check_shares(shares, self.share_kinds)
        self._member_registered(
            number=number,
            household=household,
            name=name.strip(),
            id_number=vault.seal(member_subject(self.village, number), id_number),
            joined_on=joined_on,
            shares=dict(shares),
            actor=actor,
        )

    @event("MemberRegistered")
    def _member_registered(
        self,
        *,
        number: str,
        household: str,
        name: str,
        id_number: str,
        joined_on: datetime.date,
        shares: dict[str, Decimal],
        actor: str,
    ) -> None:
        self.members[number] = {
            "household": household,
            "name": name,
            "id_number": id_number,
            "joined": joined_on.isoformat(),
            "left": None,
            "shares": [[joined_on.isoformat(), {k: str(v) for k, v in shares.items()}]],
        }

    def _member(self, number: str) -> dict[str, Any]:
        try:
            return self.members[number]
        except KeyError:
            raise NotFoundError(
                f"member {number} is not in the register of {self.village}", field="member"
            ) from None

    def adjust_shares(
        self,
        *,
        member: str,
        shares: dict[str, Decimal],
        effective: datetime.date,
        reason: str,
        actor: str,
    ) -> None:
        record = self._member(member)
        if record["left"] is not None:
            raise ConflictError(f"member {member} has left; shares cannot change", field="member")
        last = datetime.date.fromisoformat(record["shares"][-1][0])
        if effective < last:
            raise InvalidRequestError(
                f"shares of member {member} last changed on {last}; a change takes effect on "
                "that day or later",
                field="effective",
            )
        if not reason.strip():
            raise InvalidRequestError("a change of shares needs a reason", field="reason")
        _check_shares(shares, self.share_kinds)
        self._shares_adjusted(
            member=member, shares=dict(shares), effective=effective, reason=reason, actor=actor
        )

    @event("SharesAdjusted")
    def _shares_adjusted(
        self,
        *,
        member: str,
        shares: dict[str, Decimal],
        effective: datetime.date,
        reason: str,
        actor: str,
    ) -> None:
        self.members[member]["shares"].append(
            [effective.isoformat(), {k: str(v) for k, v in shares.items()}]
        )

    def member_leaves(
        self, *, member: str, left_on: datetime.date, reason: str, actor: str
    ) -> None:
        record = self._member(member)
        if record["left"] is not None:
            raise ConflictError(f"member {member} already left on {record['left']}")
        if left_on <= datetime.date.fromisoformat(record["joined"]):
            raise InvalidRequestError(
                f"member {member} joined on {record['joined']}; leaving must be later",
                field="date",
            )
        if not reason.strip():
            raise InvalidRequestError("a member leaving needs a reason", field="reason")
        self._member_left(member=member, left_on=left_on, reason=reason, actor=actor)

    @event("MemberLeft")
    def _member_left(self, *, member: str, left_on: datetime.date, reason: str, actor: str) -> None:
        self.members[member]["left"] = left_on.isoformat()

    def forget_member(self, *, member: str, reason: str, actor: str) -> None:
        """Record that a member's personal data is to be forgotten (个人信息保护法 art. 47);
        the application then deletes the member's key, so the sealed ID number can no longer be
        opened anywhere. Only a member who has left can be forgotten: the register keeps the
        membership and shares (past plans are computed from them), not the ID number."""
        record = self._member(member)
        if record["left"] is None:
            raise ConflictError(
                f"member {member} of {self.village} is still a member; record leaving first, "
                "then forget their personal data",
                field="member",
            )
        if record.get("forgotten"):
            raise ConflictError(
                f"the personal data of member {member} of {self.village} was already forgotten",
                field="member",
            )
        if not reason.strip():
            raise InvalidRequestError("forgetting a member's data needs a reason", field="reason")
        self._member_forgotten(member=member, reason=reason.strip(), actor=actor)

    @event("MemberForgotten")
    def _member_forgotten(self, *, member: str, reason: str, actor: str) -> None:
        self.members[member]["forgotten"] = True

    # -- queries -------------------------------------------------------------------------------

    def shares_on(self, member: str, day: datetime.date) -> dict[str, Decimal]:
        """A member's share units in force on ``day`` (empty when not a member that day)."""
        record = self.members[member]
        iso = day.isoformat()
        if record["joined"] > iso or (record["left"] is not None and record["left"] <= iso):
            return {}
        current: dict[str, str] = {}
        for effective, shares in record["shares"]:
            if effective <= iso:
                current = shares
        return {k: Decimal(v) for k, v in current.items()}

    def household_bases(self, day: datetime.date) -> dict[str, dict[str, Decimal]]:
        """Per household with members on ``day``: units per share kind, and ``shares`` (all
        kinds together) — the bases a household distribution plan divides by."""
        bases: dict[str, dict[str, Decimal]] = {}
        for number in sorted(self.members):
            shares = self.shares_on(number, day)
            if not shares:
                continue
            household = self.members[number]["household"]
            row = bases.setdefault(
                household, {**{k: Decimal(0) for k in self.share_kinds}, "shares": Decimal(0)}
            )
            for kind, units in shares.items():
                row[kind] += units
                row["shares"] += units
        return bases
