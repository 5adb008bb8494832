"""The commands on alliances, as data (``domain.commands``): each names the townships it writes
in and calls ``app.alliances`` (``domain.alliance.service``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, Recorded, Words, alliance_place, known_entity_place


def _village_words(code: str) -> Words:
    return Words(f"village {code}", f"村 {code}")


@dataclass(frozen=True)
class FormAlliance(Command[str]):
    """Form an alliance (联村党组织) in a township; answers its code."""

    code: str
    name: str
    township: str
    county: str
    model: str
    formed_on: datetime.date

    def places(self, app: Any) -> Iterable[Place]:
        return ((self.township, Words(f"alliance {self.code}", f"联村党组织 {self.code}")),)

    def execute(self, app: Any, actor: str) -> str:
        app.alliances.form_alliance(
            code=self.code,
            name=self.name,
            township=self.township,
            county=self.county,
            model=self.model,
            formed_on=self.formed_on,
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class AllianceCommand(Command[str]):
    """A command on an existing alliance; answers the alliance's code."""

    alliance: str

    def places(self, app: Any) -> Iterable[Place]:
        return (alliance_place(app, self.alliance),)

    def replayed(self, recorded: Recorded) -> str:
        return self.alliance


@dataclass(frozen=True)
class JoinVillage(AllianceCommand):
    """A registered village joins the alliance on a date."""

    village: str
    joined_on: datetime.date

    def places(self, app: Any) -> Iterable[Place]:
        yield from super().places(app)
        yield from known_entity_place(app, self.village, _village_words(self.village))

    def execute(self, app: Any, actor: str) -> str:
        app.alliances.join_village(
            alliance=self.alliance, village=self.village, joined_on=self.joined_on, actor=actor
        )
        return self.alliance


@dataclass(frozen=True)
class LeaveVillage(AllianceCommand):
    """A member village leaves the alliance on a date, with the reason."""

    village: str
    left_on: datetime.date
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        yield from super().places(app)
        yield from known_entity_place(app, self.village, _village_words(self.village))

    def execute(self, app: Any, actor: str) -> str:
        app.alliances.leave_village(
            alliance=self.alliance,
            village=self.village,
            left_on=self.left_on,
            reason=self.reason,
            actor=actor,
        )
        return self.alliance


@dataclass(frozen=True)
class JoinEnterprise(AllianceCommand):
    """A partner enterprise (村企联建) joins the alliance."""

    code: str
    name: str
    joined_on: datetime.date

    def execute(self, app: Any, actor: str) -> str:
        app.alliances.join_enterprise(
            alliance=self.alliance,
            code=self.code,
            name=self.name,
            joined_on=self.joined_on,
            actor=actor,
        )
        return self.alliance


@dataclass(frozen=True)
class RegisterJointEntity(AllianceCommand):
    """Register the alliance's joint entity (联合社); answers the joint entity's code."""

    code: str
    name: str

    def execute(self, app: Any, actor: str) -> str:
        app.alliances.register_joint_entity(
            alliance=self.alliance, code=self.code, name=self.name, actor=actor
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code
