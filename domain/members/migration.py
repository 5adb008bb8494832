"""Moving a legacy member register into the bounded shape (``domain/members/__init__.py``).

A village whose register was opened in the legacy shape keeps every household and member in one
``MemberRegister`` aggregate, so each of its commands loads and saves the whole register. The
migration records, in one save, what the bounded shape would hold had the register been opened
in it:

- for each household, a ``Household`` created by :class:`HouseholdMigrated`, carrying the
  household's head, registration date and its members' records exactly as the legacy register
  holds them (sealed ID numbers stay sealed with each member's own key; forgotten stays
  forgotten; every dated share change is kept);
- for each member, the ``MemberNumber`` claim naming its household;
- on the register's own stream, :class:`RegisterMigrated`, listing the households in the order
  they were registered. Replaying the stream up to it gives the legacy ``MemberRegister``, as
  before; from it on, the stream gives the bounded shape's head, a ``VillageRegister`` (share
  kinds and a count), and later households are appended as ``VillageRegister.HouseholdAdded``.

So the legacy events stay as they were and replay unchanged (reads of the register's past
work); every write after the migration goes to the bounded shape. None of these events is read
by the read models, which already hold what the legacy events said: the migration changes no
answer. A register already in the bounded shape (opened so, or migrated) is left as it is, so
running the migration again records nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from domain.members import Household, MemberNumber, MemberRegister, VillageRegister, household_id


class RegisterMigrated(Aggregate.Event):
    """Recorded on a legacy ``MemberRegister``: its households (in the order they were
    registered) now live in their own ``Household`` aggregates; from this event on the stream's
    aggregate is the bounded shape's head, a ``VillageRegister``."""

    village: str
    households: list[str]
    actor: str

    def mutate(self, aggregate: Any) -> Any:
        """The head, a new object (the repository puts it in its cache in place of the legacy
        register it replaces: ``domain/repository.py``)."""
        legacy = aggregate
        assert isinstance(legacy, MemberRegister)
        if self.originator_id != legacy.id or self.originator_version != legacy.version + 1:
            raise ValueError(f"{type(self).__name__} is not the next event of {legacy.id}")
        head = object.__new__(VillageRegister)
        head.__base_init__(
            originator_id=legacy.id,
            originator_version=self.originator_version,
            timestamp=legacy.created_on,
        )
        head.modified_on = self.timestamp
        head.village = legacy.village
        head.share_kinds = list(legacy.share_kinds)
        head.household_count = len(self.households)
        return head


class HouseholdMigrated(Aggregate.Created):
    """Creates a ``Household`` from a legacy register: its head, registration date (ISO) and
    its members' records as the legacy register held them."""

    village: str
    number: str
    head: str
    registered_on: str
    members: dict[str, Any]
    actor: str

    def mutate(self, aggregate: Any) -> Any:
        assert aggregate is None
        household = object.__new__(Household)
        household.__base_init__(
            originator_id=self.originator_id,
            originator_version=self.originator_version,
            timestamp=self.timestamp,
        )
        household.village = self.village
        household.number = self.number
        household.head = self.head
        household.registered_on = self.registered_on
        household.members = copy.deepcopy(dict(self.members))
        return household


@dataclass(frozen=True)
class Migration:
    """What migrating one village's register recorded (all zero: it was already bounded)."""

    village: str
    households: int = 0
    members: int = 0

    @property
    def migrated(self) -> bool:
        return self.households > 0 or self.members > 0


def migrated_register(
    legacy: MemberRegister, actor: str
) -> tuple[VillageRegister, list[Household], list[MemberNumber]]:
    """The aggregates, with their pending events, that move ``legacy`` into the bounded shape:
    the head (the ``VillageRegister`` :class:`RegisterMigrated` makes of ``legacy``),
    one household per legacy household and one number claim per member. Saved together, in
    one save."""
    village = legacy.village
    numbers = list(legacy.households)
    households = []
    for number in numbers:
        found = legacy.households[number]
        households.append(
            Household._create(
                HouseholdMigrated,
                id=household_id(village, number),
                village=village,
                number=number,
                head=found["head"],
                registered_on=found["registered_on"],
                members={
                    member: copy.deepcopy(record)
                    for member, record in legacy.members.items()
                    if record["household"] == number
                },
                actor=actor,
            )
        )
    claims = [
        MemberNumber(village=village, number=member, household=record["household"], actor=actor)
        for member, record in legacy.members.items()
    ]
    event = RegisterMigrated(  # type: ignore[call-arg]
        originator_id=legacy.id,
        originator_version=legacy.version + 1,
        timestamp=RegisterMigrated.create_timestamp(),
        village=village,
        households=numbers,
        actor=actor,
    )
    head = event.mutate(legacy)
    head.pending_events.append(event)
    return head, households, claims
