"""The commands on member registers: open a register, register households and members, adjust
shares, a member leaves or is forgotten, read the whole register, import a register file.
``MembersService`` receives the application's port (``domain.port``).

A register opened now has the bounded shape (``domain/members/__init__.py``): each command
loads the register's head (constant size), one household and member-number claims, never the
whole register. A village whose register was opened in the legacy shape keeps its
MemberRegister, and its commands go to it as they always did, until ``migrate_register`` moves
it into the bounded shape (``lianzhang register migrate``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from domain.bounds import check_shares
from domain.codes import require_code
from domain.errors import ConflictError, NotFoundError, RegisterNotFoundError
from domain.members import (
    AnyRegister,
    Household,
    MemberNumber,
    MemberRegister,
    RegisterView,
    VillageRegister,
    household_id,
    member_number_id,
    register_id,
)
from domain.members.migration import Migration, RegisterMigrated, migrated_register
from domain.members.register_import import (
    HouseholdLike,
    MemberLike,
    RegisterImport,
    RegisterImportResult,
)
from domain.port import Port
from domain.privacy import member_subject


class MembersService:
    """Member registers, households and members; ``app.members``."""

    def __init__(self, port: Port) -> None:
        self.port = port

    def get_register(self, village: str) -> MemberRegister | VillageRegister:
        """The register's head: the whole legacy ``MemberRegister`` of a village whose register
        was opened in the legacy shape, else the bounded shape's ``VillageRegister`` (share kinds
        and a count; ``register_view`` reads the households)."""
        found: MemberRegister | VillageRegister = self.port.load(
            register_id(village),
            MemberRegister | VillageRegister,  # type: ignore[arg-type]
            RegisterNotFoundError(
                f"village {village} has no member register yet; open it first", field="village"
            ),
        )
        return found

    def open_register(self, *, village: str, share_kinds: list[str], actor: str) -> VillageRegister:
        self.port.get_village(village)
        register = VillageRegister.open(village=village, share_kinds=share_kinds, actor=actor)
        self.port.save_new(register, what=f"the member register of {village}")
        return register

    def _with_register(
        self, village: str, change: Callable[[MemberRegister], None]
    ) -> MemberRegister:
        def command() -> MemberRegister:
            register = self.get_register(village)
            assert isinstance(register, MemberRegister)
            change(register)
            self.port.save(register)
            return register

        return self.port.retrying(command)

    def _is_legacy(self, village: str) -> bool:
        return isinstance(self.get_register(village), MemberRegister)

    def household(self, village: str, number: str) -> Household:
        return self.port.load(
            household_id(village, number),
            Household,
            NotFoundError(
                f"household {number} is not in the register of {village}; register "
                "the household first",
                field="household",
            ),
        )

    def household_of(self, village: str, member: str) -> Household:
        """The household holding ``member``'s record (bounded shape), by the member's number."""
        claim = self.port.find(member_number_id(village, member))
        if claim is None:
            raise NotFoundError(
                f"member {member} is not in the register of {village}", field="member"
            )
        assert isinstance(claim, MemberNumber)
        return self.household(village, claim.household)

    def _with_household_of(
        self, village: str, member: str, change: Callable[[Household], None]
    ) -> Household:
        def command() -> Household:
            household = self.household_of(village, member)
            change(household)
            self.port.save(household)
            return household

        return self.port.retrying(command)

    def register_household(
        self, *, village: str, number: str, head: str, registered_on: datetime.date, actor: str
    ) -> MemberRegister | Household:
        require_code(number)
        if self._is_legacy(village):
            return self._with_register(
                village,
                lambda r: r.register_household(
                    number=number, head=head, registered_on=registered_on, actor=actor
                ),
            )

        def command() -> Household:
            register = self.get_register(village)
            assert isinstance(register, VillageRegister)
            if self.port.exists(household_id(village, number)):
                raise ConflictError(
                    f"household {number} is already in the register of {village}",
                    field="number",
                )
            household = Household.register(
                village=village, number=number, head=head, registered_on=registered_on, actor=actor
            )
            register.add_household(number=number, actor=actor)
            self.port.save(register, household)
            return household

        return self.port.retrying(command)

    def register_member(
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
    ) -> MemberRegister | Household:
        require_code(number)
        check_shares(shares)
        if self._is_legacy(village):
            return self._with_register(
                village,
                lambda r: r.register_member(
                    number=number,
                    household=household,
                    name=name,
                    id_number=id_number,
                    joined_on=joined_on,
                    shares=shares,
                    actor=actor,
                    vault=self.port.vault,
                ),
            )

        def is_current(other: str) -> bool:
            try:
                return self.household_of(village, other).member(other)["left"] is None
            except NotFoundError:
                return False

        def command() -> Household:
            register = self.get_register(village)
            assert isinstance(register, VillageRegister)
            found = self.household(village, household)
            if self.port.exists(member_number_id(village, number)):
                raise ConflictError(
                    f"member {number} is already in the register of {village}", field="number"
                )
            claim = found.register_member(
                number=number,
                name=name,
                id_number=id_number,
                joined_on=joined_on,
                shares=shares,
                share_kinds=register.share_kinds,
                actor=actor,
                vault=self.port.vault,
                is_current=is_current,
            )
            self.port.save(found, claim)
            return found

        return self.port.retrying(command)

    def member_record(self, village: str, member: str) -> dict[str, Any] | None:
        """A member's record (household, name, sealed ID number, joined, left, shares), either
        shape; None when the register has no such member."""
        register = self.get_register(village)
        if isinstance(register, MemberRegister):
            found: dict[str, Any] | None = register.members.get(member)
            return found
        try:
            return self.household_of(village, member).member(member)
        except NotFoundError:
            return None

    def forget_member(
        self, *, village: str, member: str, reason: str, actor: str
    ) -> MemberRegister | Household:
        """Forget a member's personal data: record it, then delete the member's key (again, if
        an earlier attempt recorded it but stopped before the key was gone)."""
        subject = member_subject(village, member)
        if (self.member_record(village, member) or {}).get("forgotten"):
            self.port.vault.forget(subject)
        changed: MemberRegister | Household
        if self._is_legacy(village):
            changed = self._with_register(
                village, lambda r: r.forget_member(member=member, reason=reason, actor=actor)
            )
        else:
            changed = self._with_household_of(
                village,
                member,
                lambda h: h.forget_member(member=member, reason=reason, actor=actor),
            )
        self.port.vault.forget(subject)
        return changed

    def adjust_shares(
        self,
        *,
        village: str,
        member: str,
        shares: dict[str, Decimal],
        effective: datetime.date,
        reason: str,
        actor: str,
    ) -> MemberRegister | Household:
        check_shares(shares)
        register = self.get_register(village)
        if isinstance(register, MemberRegister):
            return self._with_register(
                village,
                lambda r: r.adjust_shares(
                    member=member, shares=shares, effective=effective, reason=reason, actor=actor
                ),
            )
        kinds = register.share_kinds  # fixed when the register was opened
        return self._with_household_of(
            village,
            member,
            lambda h: h.adjust_shares(
                member=member,
                shares=shares,
                effective=effective,
                reason=reason,
                share_kinds=kinds,
                actor=actor,
            ),
        )

    def member_leaves(
        self, *, village: str, member: str, left_on: datetime.date, reason: str, actor: str
    ) -> MemberRegister | Household:
        if self._is_legacy(village):
            return self._with_register(
                village,
                lambda r: r.member_leaves(
                    member=member, left_on=left_on, reason=reason, actor=actor
                ),
            )
        return self._with_household_of(
            village,
            member,
            lambda h: h.member_leaves(member=member, left_on=left_on, reason=reason, actor=actor),
        )

    def register_view(self, village: str) -> AnyRegister:
        """The whole register of ``village`` as a plan reads it: the legacy aggregate as it is,
        or, in the bounded shape, every household listed by the register's stream, each read
        from its own events (not through the aggregate cache, which it would only churn)."""
        register = self.get_register(village)
        if isinstance(register, MemberRegister):
            return register
        numbers: list[str] = []
        for e in self.port.stream(register.id):
            if isinstance(e, RegisterMigrated):  # a migrated register: its households so far
                numbers = list(e.households)
            elif isinstance(e, VillageRegister.HouseholdAdded):  # type: ignore[attr-defined]
                numbers.append(e.number)
        households = []
        for number in numbers:
            aggregate: Any = None
            for e in self.port.stream(household_id(village, number)):
                aggregate = e.mutate(aggregate)
            households.append(aggregate)
        return RegisterView(register, households)

    def migrate_register(self, *, village: str, actor: str) -> Migration:
        """Move a legacy register into the bounded shape, in one save
        (``domain/members/migration.py``); a register already bounded is left as it is."""
        register = self.get_register(village)
        if not isinstance(register, MemberRegister):
            return Migration(village)
        head, households, claims = migrated_register(register, actor)
        self.port.save(head, *households, *claims)
        return Migration(village, households=len(households), members=len(claims))

    def import_register(
        self,
        *,
        village: str,
        households: Sequence[HouseholdLike],
        members: Sequence[MemberLike],
        share_kinds: Sequence[str],
        actor: str,
        dry_run: bool = False,
    ) -> RegisterImportResult:
        """Import a member register file: every new household and member in one save, or
        nothing (``domain/members/register_import.py``)."""
        return RegisterImport(self.port, self).import_register(
            village=village,
            households=households,
            members=members,
            share_kinds=share_kinds,
            actor=actor,
            dry_run=dry_run,
        )
