"""Bodies of alliances, villages, enterprises and joint entities: creating and joining them,
and how they are answered."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Code, Day, People, Strict, Text


class AllianceCreate(Strict):
    code: Code
    name: Text
    township: Text
    county: Text
    model: Literal["强村带动", "村村互助", "村企联建", "城乡融合"]
    formed_on: Day


class MembershipPublic(BaseModel):
    village_code: str
    joined_on: datetime.date
    left_on: datetime.date | None
    reason: str | None


class EnterprisePublic(BaseModel):
    code: str
    name: str
    joined_on: datetime.date


class AlliancePublic(BaseModel):
    code: str
    name: str
    township: str
    county: str
    model: str
    formed_on: datetime.date
    joint_entity_code: str | None
    members: list[MembershipPublic] = []
    enterprises: list[EnterprisePublic] = []


class VillageCreate(Strict):
    code: Code
    name: Text
    township: Text
    county: Text
    population: People
    households: People
    flags: list[Text] = Field(default_factory=list, max_length=20, examples=[["脱贫村"]])


class VillageJoin(Strict):
    village: Code
    date: Day


class VillageLeave(Strict):
    date: Day
    reason: Text


class EnterpriseCreate(Strict):
    code: Code
    name: Text
    date: Day


class JointEntityCreate(Strict):
    code: Code
    name: Text


class EntityPublic(BaseModel):
    code: str
    kind: Literal["village", "joint"]
    name: str
    township: str
    county: str
    alliance_code: str | None
    population: int | None
    households: int | None
    flags: list[str]
    opening_date: datetime.date | None
    closed_through: str | None
