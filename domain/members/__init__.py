"""The member register of a village (成员名册 / 股权): households, members and their share units.

Share units are by kind (人口股, 劳龄股, 土地股 …; the kinds are configured per village) and
change over time: every change is dated, so a distribution plan can ask for the shares in force
on its record date. Names and ID numbers are kept here; only masked forms leave through public
outputs (see ``domain.privacy``). An ID number is sealed with the member's own key before it
enters an event (``sealed:v1:…`` in the ``id_number`` field; stores written before sealing hold
it in the clear) and can be forgotten: ``forget_member`` records the fact and the application
deletes the key.

Two shapes, chosen when a register is opened (so a command's cost does not grow with the
register):

- **bounded** (every register opened now): a ``VillageRegister`` holding the share kinds and a
  count, whose stream lists the households in the order they were registered (one
  ``HouseholdAdded`` each); each household its own ``Household`` aggregate with its members and
  their dated shares; each member number claimed by a ``MemberNumber`` aggregate naming its
  household. Every aggregate a command loads is of constant size (a household has a handful of
  members), so registering the 5,000th household costs what the first did. Uniqueness needs no
  scan: household and member numbers are the aggregates' ids (uuid5 of village and number), so
  a second one with the same number is refused by the store; a duplicate ID number is found by
  the vault's keyed digest (``PersonalDataVault.holders``), then only the holders are loaded.
  Members live inside their household (they never move between households; a household is
  small), rather than as aggregates of their own, so drafting a plan loads one aggregate per
  household. Drafting a plan reads the whole register (``RegisterView``): the numbers from the
  register's stream, then each household — a cost per plan, not per command.
- **legacy** (``MemberRegister``): the whole register in one aggregate, as older stores hold
  it. Its events are a stored schema and stay readable; a village whose register
  was opened in this shape keeps it (its commands work as before, growing with the register),
  so its history and every plan drafted from it replay unchanged, until ``lianzhang register
  migrate`` moves it into the bounded shape (``domain/members/migration.py``): its events
  still replay, and from then on every write goes to the bounded shape.

Both shapes answer the same questions (``RegisterQueries``: shares in force on a day, household
bases), so a plan drafted from either gives the same parties to the fen.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.ids import NAMESPACE
from domain.members.queries import RegisterQueries
from domain.owned import Townships
from domain.privacy import PersonalDataVault, id_number_problem, member_subject

DEFAULT_SHARE_KINDS = ("人口股", "劳龄股", "土地股")


def register_id(village: str) -> UUID:
    return uuid5(NAMESPACE, f"members:{village}")


def household_id(village: str, number: str) -> UUID:
    return uuid5(NAMESPACE, f"household:{village}:{number}")


def member_number_id(village: str, number: str) -> UUID:
    return uuid5(NAMESPACE, f"member:{village}:{number}")


def share_kinds_checked(share_kinds: list[str]) -> list[str]:
    kinds = [k.strip() for k in share_kinds if k.strip()]
    if not kinds or len(set(kinds)) != len(kinds):
        raise InvalidRequestError(
            "a member register needs at least one share kind, each named once "
            f"(for example {', '.join(DEFAULT_SHARE_KINDS)})",
            field="share_kinds",
        )
    return kinds


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


def _check_adjust(
    village: str,
    member: str,
    record: dict[str, Any],
    shares: dict[str, Decimal],
    effective: datetime.date,
    reason: str,
    kinds: list[str],
) -> None:
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
    _check_shares(shares, kinds)


def _check_leave(member: str, record: dict[str, Any], left_on: datetime.date, reason: str) -> None:
    left, joined = record["left"], record["joined"]
    if left is not None:
        raise ConflictError(
            f"member {member} already left on {left}", zh=f"成员 {member} 已于 {left} 退出"
        )
    if left_on <= datetime.date.fromisoformat(joined):
        raise InvalidRequestError(
            f"member {member} joined on {joined}; leaving must be later",
            field="date",
            zh=f"成员 {member} 于 {joined} 入社，退出日期要在这之后",
        )
    if not reason.strip():
        raise InvalidRequestError(
            "a member leaving needs a reason", field="reason", zh="成员退出要写明原因"
        )


def _check_forget(village: str, member: str, record: dict[str, Any], reason: str) -> None:
    if record["left"] is None:
        raise ConflictError(
            f"member {member} of {village} is still a member; record leaving first, "
            "then forget their personal data",
            field="member",
            zh=f"{village} 的成员 {member} 还没有退出；请先办理退出，再删除其个人信息",
        )
    if record.get("forgotten"):
        raise ConflictError(
            f"the personal data of member {member} of {village} was already forgotten",
            field="member",
            zh=f"{village} 的成员 {member} 的个人信息已经删除",
        )
    if not reason.strip():
        raise InvalidRequestError(
            "forgetting a member's data needs a reason",
            field="reason",
            zh="删除成员个人信息要写明原因",
        )


def _member_record(
    household: str, name: str, id_number: str, joined_on: datetime.date, shares: dict[str, Decimal]
) -> dict[str, Any]:
    return {
        "household": household,
        "name": name,
        "id_number": id_number,
        "joined": joined_on.isoformat(),
        "left": None,
        "shares": [[joined_on.isoformat(), {k: str(v) for k, v in shares.items()}]],
    }


def _check_head(head: str) -> None:
    if not head.strip():
        raise InvalidRequestError("a household needs the name of its head", field="head")


def _check_member_fields(number: str, name: str, id_number: str) -> None:
    if not name.strip():
        raise InvalidRequestError("a member needs a name", field="name")
    problem = id_number_problem(id_number)
    if problem is not None:
        raise InvalidRequestError(f"member {number}: {problem}", field="id_number")


def _duplicate_id(village: str) -> ConflictError:
    return ConflictError(
        f"a current member of {village} already has this ID number", field="id_number"
    )


class MemberRegister(RegisterQueries, Aggregate):
    """One village's households and members with their share units, dated: the legacy shape,
    the whole register in one aggregate (kept for the villages whose register was opened so)."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its village (``domain.tenancy``)."""
        return townships.entity_township(self.village)

    def described(self) -> str:
        return f"the member register of {self.village}"

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
        return cls(village=village, share_kinds=share_kinds_checked(share_kinds), actor=actor)

    # -- households ----------------------------------------------------------------------------

    def register_household(
        self, *, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> None:
        if number in self.households:
            raise ConflictError(
                f"household {number} is already in the register of {self.village}",
                field="number",
            )
        _check_head(head)
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
        _check_member_fields(number, name, id_number)
        holders = vault.holders(id_number)
        if any(
            m["left"] is None
            and (m["id_number"] == id_number or member_subject(self.village, n) in holders)
            for n, m in self.members.items()
        ):
            raise _duplicate_id(self.village)
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
        self.members[number] = _member_record(household, name, id_number, joined_on, shares)

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
        _check_adjust(self.village, member, record, shares, effective, reason, self.share_kinds)
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
        _check_leave(member, self._member(member), left_on, reason)
        self._member_left(member=member, left_on=left_on, reason=reason, actor=actor)

    @event("MemberLeft")
    def _member_left(self, *, member: str, left_on: datetime.date, reason: str, actor: str) -> None:
        self.members[member]["left"] = left_on.isoformat()

    def forget_member(self, *, member: str, reason: str, actor: str) -> None:
        """Record that a member's personal data is to be forgotten (个人信息保护法 art. 47);
        the application then deletes the member's key, so the sealed ID number can no longer be
        opened anywhere. Only a member who has left can be forgotten: the register keeps the
        membership and shares (past plans are computed from them), not the ID number."""
        _check_forget(self.village, member, self._member(member), reason)
        self._member_forgotten(member=member, reason=reason.strip(), actor=actor)

    @event("MemberForgotten")
    def _member_forgotten(self, *, member: str, reason: str, actor: str) -> None:
        self.members[member]["forgotten"] = True


# -- the bounded shape ---------------------------------------------------------------------------


class VillageRegister(Aggregate):
    """A village's register in the bounded shape: its share kinds and how many households it
    has; its stream (one ``HouseholdAdded`` per household) is the list of its households."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its village (``domain.tenancy``)."""
        return townships.entity_township(self.village)

    def described(self) -> str:
        return f"the member register of {self.village}"

    @staticmethod
    def create_id(village: str) -> UUID:
        return register_id(village)

    @event("Opened")
    def __init__(self, *, village: str, share_kinds: list[str], actor: str) -> None:
        self.village = village
        self.share_kinds = list(share_kinds)
        self.household_count = 0

    @classmethod
    def open(cls, *, village: str, share_kinds: list[str], actor: str) -> VillageRegister:
        return cls(village=village, share_kinds=share_kinds_checked(share_kinds), actor=actor)

    def add_household(self, *, number: str, actor: str) -> None:
        self._household_added(number=number, actor=actor)

    @event("HouseholdAdded")
    def _household_added(self, *, number: str, actor: str) -> None:
        self.household_count += 1


class MemberNumber(Aggregate):
    """A member number taken in a village, and the household its member belongs to: the
    number's uniqueness (its id is uuid5 of village and number) and the way from a member
    number to the household that holds the member's record."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its village (``domain.tenancy``)."""
        return townships.entity_township(self.village)

    def described(self) -> str:
        return f"member number {self.number} of {self.village}"

    @staticmethod
    def create_id(village: str, number: str) -> UUID:
        return member_number_id(village, number)

    @event("Claimed")
    def __init__(self, *, village: str, number: str, household: str, actor: str) -> None:
        self.village = village
        self.number = number
        self.household = household


class Household(Aggregate):
    """One household of a village in the bounded shape: its head and its members with their
    dated share units. Its events carry the village, so a read model needs no look-up."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its village (``domain.tenancy``)."""
        return townships.entity_township(self.village)

    def described(self) -> str:
        return f"household {self.number} of {self.village}"

    @staticmethod
    def create_id(village: str, number: str) -> UUID:
        return household_id(village, number)

    @event("HouseholdRegistered")
    def __init__(
        self, *, village: str, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> None:
        self.village = village
        self.number = number
        self.head = head
        self.registered_on = registered_on.isoformat()
        self.members: dict[str, dict[str, Any]] = {}

    @classmethod
    def register(
        cls, *, village: str, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> Household:
        _check_head(head)
        return cls(
            village=village,
            number=number,
            head=head.strip(),
            registered_on=registered_on,
            actor=actor,
        )

    def register_member(
        self,
        *,
        number: str,
        name: str,
        id_number: str,
        joined_on: datetime.date,
        shares: dict[str, Decimal],
        share_kinds: list[str],
        actor: str,
        vault: PersonalDataVault,
        is_current: Callable[[str], bool],
    ) -> MemberNumber:
        """Register a member of this household (its number checked free by the caller, as the
        legacy register did, before anything else); returns the claim of its number, to be
        saved with the household. ``is_current(number)`` tells whether another member of the
        village is a current member: it is asked only of the members the vault finds holding
        the same ID number (its keyed digest), never of the whole register."""
        _check_member_fields(number, name, id_number)
        prefix = member_subject(self.village, "")
        for subject in sorted(vault.holders(id_number)):
            if subject.startswith(prefix) and is_current(subject[len(prefix) :]):
                raise _duplicate_id(self.village)
        _check_shares(shares, share_kinds)
        self._member_registered(
            village=self.village,
            number=number,
            household=self.number,
            name=name.strip(),
            id_number=vault.seal(member_subject(self.village, number), id_number),
            joined_on=joined_on,
            shares=dict(shares),
            actor=actor,
        )
        return MemberNumber(village=self.village, number=number, household=self.number, actor=actor)

    @event("MemberRegistered")
    def _member_registered(
        self,
        *,
        village: str,
        number: str,
        household: str,
        name: str,
        id_number: str,
        joined_on: datetime.date,
        shares: dict[str, Decimal],
        actor: str,
    ) -> None:
        self.members[number] = _member_record(household, name, id_number, joined_on, shares)

    def member(self, number: str) -> dict[str, Any]:
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
        share_kinds: list[str],
        actor: str,
    ) -> None:
        record = self.member(member)
        _check_adjust(self.village, member, record, shares, effective, reason, share_kinds)
        self._shares_adjusted(
            village=self.village,
            member=member,
            shares=dict(shares),
            effective=effective,
            reason=reason,
            actor=actor,
        )

    @event("SharesAdjusted")
    def _shares_adjusted(
        self,
        *,
        village: str,
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
        _check_leave(member, self.member(member), left_on, reason)
        self._member_left(
            village=self.village, member=member, left_on=left_on, reason=reason, actor=actor
        )

    @event("MemberLeft")
    def _member_left(
        self, *, village: str, member: str, left_on: datetime.date, reason: str, actor: str
    ) -> None:
        self.members[member]["left"] = left_on.isoformat()

    def forget_member(self, *, member: str, reason: str, actor: str) -> None:
        """As ``MemberRegister.forget_member``: only a member who has left is forgotten."""
        _check_forget(self.village, member, self.member(member), reason)
        self._member_forgotten(
            village=self.village, member=member, reason=reason.strip(), actor=actor
        )

    @event("MemberForgotten")
    def _member_forgotten(self, *, village: str, member: str, reason: str, actor: str) -> None:
        self.members[member]["forgotten"] = True


class RegisterView(RegisterQueries):
    """A whole register in the bounded shape, read for a plan: the households in the order they
    were registered, with their members (plain data; nothing here is saved)."""

    def __init__(self, register: VillageRegister, households: Iterable[Household]) -> None:
        self.village = register.village
        self.share_kinds = list(register.share_kinds)
        self.households = {}
        self.members = {}
        for household in households:
            self.households[household.number] = {
                "head": household.head,
                "registered_on": household.registered_on,
            }
            self.members.update(household.members)


AnyRegister = MemberRegister | RegisterView
