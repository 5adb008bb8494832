"""The commands on member registers, as data (``domain.commands``): each names the village it
writes in and calls ``app.members`` (``domain.members.service``). The API's routes and the
workbench's forms build the same commands.

A register file import (:class:`ImportRegister`) reads its rows from a file the front end keeps
(an uploaded file, previewed first): the command holds how to read them (``rows``), called once
the village is checked, so a refusal of the township comes before anything is read."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from domain.commands import Command, Place, Recorded, Words
from domain.errors import RegisterNotFoundError
from domain.members.migration import Migration
from domain.members.register_import import RegisterImportResult


def register_place(app: Any, village: str) -> Place:
    """The township of village ``village`` (404 when it is not a village)."""
    return app.get_village(village).township, Words(f"village {village}", f"村 {village}")


def shares_of(shares: Mapping[str, Any]) -> tuple[tuple[str, Decimal], ...]:
    """Share units by kind (numbers or their text) as a command holds them:
    ``((kind, units), …)``."""
    return tuple((kind, Decimal(units)) for kind, units in shares.items())


@dataclass(frozen=True)
class RegisterCommand(Command[None]):
    """A command on a village's member register; answers nothing (the front end reads the
    register)."""

    village: str

    def places(self, app: Any) -> Iterable[Place]:
        return (register_place(app, self.village),)

    def replayed(self, recorded: Recorded) -> None:
        return None


@dataclass(frozen=True)
class OpenRegister(RegisterCommand):
    """Open the village's member register with its share kinds (人口股, 劳龄股 …)."""

    share_kinds: tuple[str, ...]

    def execute(self, app: Any, actor: str) -> None:
        app.members.open_register(
            village=self.village, share_kinds=list(self.share_kinds), actor=actor
        )


@dataclass(frozen=True)
class RegisterHousehold(RegisterCommand):
    """Register a household (户) with its head, dated."""

    number: str
    head: str
    registered_on: datetime.date

    def execute(self, app: Any, actor: str) -> None:
        app.members.register_household(
            village=self.village,
            number=self.number,
            head=self.head,
            registered_on=self.registered_on,
            actor=actor,
        )


@dataclass(frozen=True)
class RegisterMember(RegisterCommand):
    """Register a member in a household, with their ID number (sealed in the vault) and share
    units by kind (:func:`shares_of`); the member number is claimed in the village."""

    number: str
    household: str
    name: str
    id_number: str
    joined_on: datetime.date
    shares: tuple[tuple[str, Decimal], ...] = ()

    def execute(self, app: Any, actor: str) -> None:
        app.members.register_member(
            village=self.village,
            number=self.number,
            household=self.household,
            name=self.name,
            id_number=self.id_number,
            joined_on=self.joined_on,
            shares=dict(self.shares),
            actor=actor,
        )


@dataclass(frozen=True)
class AdjustShares(RegisterCommand):
    """A member's share units change from a date, with the reason."""

    member: str
    shares: tuple[tuple[str, Decimal], ...]
    effective: datetime.date
    reason: str

    def execute(self, app: Any, actor: str) -> None:
        app.members.adjust_shares(
            village=self.village,
            member=self.member,
            shares=dict(self.shares),
            effective=self.effective,
            reason=self.reason,
            actor=actor,
        )


@dataclass(frozen=True)
class MemberLeaves(RegisterCommand):
    """A member leaves the register on a date, with the reason."""

    member: str
    left_on: datetime.date
    reason: str

    def execute(self, app: Any, actor: str) -> None:
        app.members.member_leaves(
            village=self.village,
            member=self.member,
            left_on=self.left_on,
            reason=self.reason,
            actor=actor,
        )


@dataclass(frozen=True)
class ForgetMember(RegisterCommand):
    """Forget a former member's personal data: the key sealing their ID number is deleted."""

    member: str
    reason: str

    def execute(self, app: Any, actor: str) -> None:
        app.members.forget_member(
            village=self.village, member=self.member, reason=self.reason, actor=actor
        )


class RegisterRows(Protocol):
    """A register file's rows (``adapters.register_files.RegisterFile``): households and
    members as ``domain.members.register_import`` reads them (``HouseholdLike``,
    ``MemberLike``)."""

    @property
    def households(self) -> Sequence[Any]: ...
    @property
    def members(self) -> Sequence[Any]: ...
    @property
    def share_kinds(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class ImportRegister(Command[RegisterImportResult]):
    """Import a member register file into the village's register: every household and member
    of the file in one save, rows already registered skipped
    (``domain.members.register_import``).

    ``rows(share_kinds)`` reads the file (with the register's share kinds, None when the village
    has no register yet); it is the front end's (the file it kept) and may refuse in its own
    words. Not retried as a whole: the file is read and parsed outside the application's command
    lock, and the import's save retries itself."""

    village: str
    rows: Callable[[list[str] | None], RegisterRows] = field(compare=False, repr=False)
    retried: ClassVar[bool] = False

    def places(self, app: Any) -> Iterable[Place]:
        # entity_township, as the workbench asked: the import itself refuses a joint entity
        township = app.entity_township(self.village)
        return ((township, Words(f"village {self.village}", f"村 {self.village}")),)

    def _run(self, app: Any, actor: str, *, dry_run: bool) -> RegisterImportResult:
        try:
            kinds: list[str] | None = list(app.members.get_register(self.village).share_kinds)
        except RegisterNotFoundError:
            kinds = None
        found = self.rows(kinds)
        result: RegisterImportResult = app.members.import_register(
            village=self.village,
            households=found.households,
            members=found.members,
            share_kinds=found.share_kinds,
            actor=actor,
            dry_run=dry_run,
        )
        return result

    def execute(self, app: Any, actor: str) -> RegisterImportResult:
        return self._run(app, actor, dry_run=False)

    def replayed(self, recorded: Recorded) -> RegisterImportResult:
        # the same file checked again against the register (nothing written)
        return self._run(recorded.app, "replay", dry_run=True)


@dataclass(frozen=True)
class MigrateRegister(Command[Migration]):
    """Move a village's legacy member register into the bounded shape
    (``domain/members/migration.py``); answers what was recorded (nothing when the register
    is already bounded). Run by ``lianzhang register migrate``, which sends no idempotency
    key, so it is never answered again from its events."""

    village: str

    def places(self, app: Any) -> Iterable[Place]:
        return (register_place(app, self.village),)

    def execute(self, app: Any, actor: str) -> Migration:
        result: Migration = app.members.migrate_register(village=self.village, actor=actor)
        return result
