"""The alliance (联村党组织): the joint party organisation, its member villages, partner
enterprises and its joint entity (联合社)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidRequestError, MembershipError
from domain.ids import NAMESPACE, alliance_id
from domain.owned import Townships


@dataclass
class Spell:
    """One spell of membership: joined on a day, left on a later one (or still a member)."""

    village: str
    joined: datetime.date
    left: datetime.date | None = None


# The four alliance models named in the source research.
MODELS = ("强村带动", "村村互助", "村企联建", "城乡融合")


class Alliance(Aggregate):
    """A 联村党组织: villages joined and left with dates, enterprises, one joint entity.

    ``memberships`` keeps every spell of membership (a village may leave and join again), so a
    later allocation can ask who was a member on a given day.
    """

    def township_in(self, townships: Townships) -> str | None:
        """The township the alliance was formed in (``domain.tenancy``)."""
        township: str = self.township
        return township

    def described(self) -> str:
        return f"alliance {self.code}"

    @staticmethod
    def create_id(code: str) -> UUID:
        return alliance_id(code)

    @classmethod
    def form(
        cls,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        model: str,
        formed_on: datetime.date,
        actor: str,
    ) -> Alliance:
        """Form an alliance; ``model`` is one of :data:`MODELS`."""
        if model not in MODELS:
            raise InvalidRequestError(
                f"alliance model {model!r} is not known; use one of {', '.join(MODELS)}",
                field="model",
            )
        return cls(
            code=code,
            name=name,
            township=township,
            county=county,
            model=model,
            formed_on=formed_on,
            actor=actor,
        )

    @event("Formed")
    def __init__(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        model: str,
        formed_on: datetime.date,
        actor: str,
    ) -> None:
        self.code = code
        self.name = name
        self.township = township
        self.county = county
        self.model = model
        self.formed_on = formed_on
        self.memberships: list[Spell] = []
        self.enterprises: dict[str, str] = {}
        self.joint_entity_code: str | None = None

    # -- queries -------------------------------------------------------------------------------

    def current_spell(self, village_code: str) -> Spell | None:
        spells: list[Spell] = self.memberships
        for spell in reversed(spells):
            if spell.village == village_code and spell.left is None:
                return spell
        return None

    def members_on(self, day: datetime.date) -> list[str]:
        """Village codes that were members on ``day`` (joined on or before, not yet left)."""
        return sorted(
            {
                s.village
                for s in self.memberships
                if s.joined <= day and (s.left is None or s.left > day)
            }
        )

    def member_days(self, village: str, first: datetime.date, last: datetime.date) -> int:
        """Days from ``first`` to ``last`` (both included) on which ``village`` was a member."""
        days = 0
        for spell in self.memberships:
            if spell.village != village:
                continue
            start = max(first, spell.joined)
            end = min(last, (spell.left - datetime.timedelta(days=1)) if spell.left else last)
            if end >= start:
                days += (end - start).days + 1
        return days

    # -- commands ------------------------------------------------------------------------------

    def join_village(self, *, village_code: str, joined_on: datetime.date, actor: str) -> None:
        if self.current_spell(village_code) is not None:
            raise MembershipError(
                f"village {village_code} is already a member of alliance {self.code}",
                field="village",
                zh=f"村 {village_code} 已是联村党组织 {self.code} 的成员村",
            )
        if joined_on < self.formed_on:
            raise InvalidRequestError(
                f"village {village_code} cannot join alliance {self.code} on {joined_on}: "
                f"the alliance was formed on {self.formed_on}; use that date or later",
                field="date",
                zh=f"联村党组织 {self.code} 于 {self.formed_on} 成立，村加入的日期不能早于这一天",
            )
        last_left = max(
            (s.left for s in self.memberships if s.village == village_code and s.left),
            default=None,
        )
        if last_left is not None and joined_on < last_left:
            raise InvalidRequestError(
                f"village {village_code} left alliance {self.code} on {last_left} and cannot "
                f"rejoin on {joined_on}; use {last_left} or later",
                field="date",
                zh=f"村 {village_code} 于 {last_left} 退出联村党组织 {self.code}，"
                f"再加入的日期不能早于这一天",
            )
        self._village_joined(village_code=village_code, joined_on=joined_on, actor=actor)

    @event("VillageJoined")
    def _village_joined(self, *, village_code: str, joined_on: datetime.date, actor: str) -> None:
        self.memberships.append(Spell(village=village_code, joined=joined_on))

    def leave_village(
        self, *, village_code: str, left_on: datetime.date, reason: str, actor: str
    ) -> None:
        spell = self.current_spell(village_code)
        if spell is None:
            raise MembershipError(
                f"village {village_code} is not a member of alliance {self.code}; only a "
                "current member can leave",
                field="village",
                zh=f"村 {village_code} 现在不是联村党组织 {self.code} 的成员村，不能退出",
            )
        if left_on <= spell.joined:
            raise InvalidRequestError(
                f"village {village_code} joined alliance {self.code} on {spell.joined}; it "
                f"can leave only after that date, not on {left_on}",
                field="date",
                zh=f"村 {village_code} 于 {spell.joined} 加入，退出日期要在这之后",
            )
        if not reason.strip():
            raise InvalidRequestError(
                "a village leaving an alliance needs a reason",
                field="reason",
                zh="村退出联村党组织要写明原因",
            )
        self._village_left(village_code=village_code, left_on=left_on, reason=reason, actor=actor)

    @event("VillageLeft")
    def _village_left(
        self, *, village_code: str, left_on: datetime.date, reason: str, actor: str
    ) -> None:
        spell = self.current_spell(village_code)
        assert spell is not None
        spell.left = left_on

    def join_enterprise(
        self, *, enterprise_code: str, name: str, joined_on: datetime.date, actor: str
    ) -> None:
        if enterprise_code in self.enterprises:
            raise ConflictError(
                f"enterprise {enterprise_code} has already joined alliance {self.code}",
                field="code",
                zh=f"企业 {enterprise_code} 已经加入联村党组织 {self.code}",
            )
        self._enterprise_joined(
            enterprise_code=enterprise_code, name=name, joined_on=joined_on, actor=actor
        )

    @event("EnterpriseJoined")
    def _enterprise_joined(
        self, *, enterprise_code: str, name: str, joined_on: datetime.date, actor: str
    ) -> None:
        self.enterprises[enterprise_code] = name

    def register_joint_entity(self, *, entity_code: str, actor: str) -> None:
        if self.joint_entity_code is not None:
            raise ConflictError(
                f"alliance {self.code} already has the joint entity {self.joint_entity_code}; "
                "an alliance has one",
                field="code",
                zh=f"联村党组织 {self.code} 已经登记了联合社 {self.joint_entity_code}"
                "（只能有一个）",
            )
        self._joint_entity_registered(entity_code=entity_code, actor=actor)

    @event("JointEntityRegistered")
    def _joint_entity_registered(self, *, entity_code: str, actor: str) -> None:
        self.joint_entity_code = entity_code


def membership_id(village: str) -> UUID:
    return uuid5(NAMESPACE, f"membership:{village}")


class VillageMembership(Aggregate):
    """Which alliance a village belongs to: one at a time (a village leaves one alliance before
    it joins another, on or after the day it left).

    Saved together with the alliance the village joins or leaves, so the rule is checked in the
    same save that records the membership; it carries the village's township, so joining a
    village to an alliance is a write in the village's township too. It is opened when the
    village is registered; villages registered before this aggregate existed have none, and
    theirs is opened at their first join or leave from the alliances' own records (``spells``).
    """

    def township_in(self, townships: Townships) -> str | None:
        """The alliance's township, recorded with the membership (``domain.tenancy``)."""
        township: str = self.township
        return township

    def described(self) -> str:
        return f"the alliance membership of village {self.village}"

    @staticmethod
    def create_id(village: str) -> UUID:
        return membership_id(village)

    @event("MembershipOpened")
    def __init__(
        self, *, village: str, township: str, spells: list[dict[str, Any]], actor: str
    ) -> None:
        self.village = village
        self.township = township
        self.spells: list[dict[str, Any]] = [dict(s) for s in spells]

    def current(self) -> list[dict[str, Any]]:
        """The spells not yet ended (one, or more only in a store older than this rule)."""
        return [s for s in self.spells if s.get("left") is None]

    def join(self, *, alliance: str, joined_on: datetime.date, actor: str) -> None:
        current = self.current()
        if current:
            names = ", ".join(f"{s['alliance']} (since {s['joined']})" for s in current)
            joined_zh = "、".join(str(s["alliance"]) for s in current)
            raise MembershipError(
                f"village {self.village} is a member of alliance {names}; a village belongs to "
                "one alliance at a time: it leaves that alliance before it joins another",
                field="village",
                zh=f"村 {self.village} 已是联村党组织 {joined_zh} 的成员村；一个村同时只属于一个"
                "联村党组织，要先退出原来的再加入",
            )
        last_left = max((str(s["left"]) for s in self.spells), default=None)
        if last_left is not None and joined_on.isoformat() < last_left:
            raise InvalidRequestError(
                f"village {self.village} left its last alliance on {last_left} and cannot join "
                f"another on {joined_on}; use {last_left} or later",
                field="date",
                zh=f"村 {self.village} 于 {last_left} 退出了上一个联村党组织，"
                "加入新的日期不能早于这一天",
            )
        self._alliance_joined(alliance=alliance, joined_on=joined_on, actor=actor)

    @event("AllianceJoined")
    def _alliance_joined(self, *, alliance: str, joined_on: datetime.date, actor: str) -> None:
        self.spells.append({"alliance": alliance, "joined": joined_on.isoformat(), "left": None})

    def leave(self, *, alliance: str, left_on: datetime.date, actor: str) -> None:
        """End the village's spell in ``alliance`` (and only there); nothing if it has none."""
        if any(s["alliance"] == alliance for s in self.current()):
            self._alliance_left(alliance=alliance, left_on=left_on, actor=actor)

    @event("AllianceLeft")
    def _alliance_left(self, *, alliance: str, left_on: datetime.date, actor: str) -> None:
        for spell in self.current():
            if spell["alliance"] == alliance:
                spell["left"] = left_on.isoformat()
