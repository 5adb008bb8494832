"""Bodies of member registers: opening one, households, members, share adjustments, a member
leaving or being forgotten."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr

from api.schemas.common import Code, Day, DecimalText, Strict, Text
from domain.bounds import (
    ONE_LINE_PATTERN,
)


class RegisterCreate(Strict):
    share_kinds: list[Text] = Field(
        default_factory=lambda: ["人口股", "劳龄股", "土地股"], min_length=1, max_length=20
    )


class HouseholdCreate(Strict):
    number: Code
    head: Text
    registered_on: Day


class MemberCreate(Strict):
    number: Code
    household: Code
    name: Text
    id_number: Annotated[StrictStr, Field(min_length=18, max_length=18, pattern=ONE_LINE_PATTERN)]
    joined_on: Day
    shares: dict[Text, DecimalText] = Field(max_length=20)


class SharesAdjust(Strict):
    shares: dict[Text, DecimalText] = Field(max_length=20)
    effective: Day
    reason: Text


class MemberLeave(Strict):
    date: Day
    reason: Text


class MemberForget(Strict):
    """Why a (former) member's personal data is deleted (个人信息保护法 art. 47)."""

    reason: Text
