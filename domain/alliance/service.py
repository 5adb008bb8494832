"""The commands on alliances: form one, villages join and leave, enterprises join, register its
joint entity. ``AllianceService`` receives the application's port (``domain.port``)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from domain.alliance import Alliance, VillageMembership, membership_id
from domain.books import JointEntity, VillageCollective
from domain.codes import require_code
from domain.errors import AlreadyExistsError, InvalidRequestError
from domain.ids import entity_id
from domain.port import Port

# The stored topic of a village joining an alliance (scanned once per village in old stores).
VILLAGE_JOINED_TOPIC = "domain.alliance:Alliance.VillageJoined"


class AllianceService:
    """Alliances, their members and their joint entity; ``app.alliances``."""

    def __init__(self, port: Port) -> None:
        self.port = port

    def form_alliance(
        self,
        *,
        code: str,
        name: str,
        township: str,
        county: str,
        model: str,
        formed_on: datetime.date,
        actor: str,
    ) -> Alliance:
        require_code(code)
        alliance = Alliance.form(
            code=code,
            name=name,
            township=township,
            county=county,
            model=model,
            formed_on=formed_on,
            actor=actor,
        )
        self.port.save_new(alliance, what=f"alliance {code}")
        return alliance

    def join_village(
        self, *, alliance: str, village: str, joined_on: datetime.date, actor: str
    ) -> Alliance:
        def command() -> Alliance:
            target = self.port.get_alliance(alliance)
            books = self.port.get_books(village)
            if not isinstance(books, VillageCollective):
                raise InvalidRequestError(
                    f"{village} is a joint entity, not a village; only villages join an alliance",
                    field="village",
                )
            target.join_village(village_code=village, joined_on=joined_on, actor=actor)
            membership = self._membership(books, actor)
            membership.join(alliance=alliance, joined_on=joined_on, actor=actor)
            self.port.save(target, membership)
            return target

        return self.port.retrying(command)

    def leave_village(
        self, *, alliance: str, village: str, left_on: datetime.date, reason: str, actor: str
    ) -> Alliance:
        def command() -> Alliance:
            target = self.port.get_alliance(alliance)
            target.leave_village(village_code=village, left_on=left_on, reason=reason, actor=actor)
            membership = self._membership(self.port.get_village(village), actor)
            membership.leave(alliance=alliance, left_on=left_on, actor=actor)
            self.port.save(target, membership)
            return target

        return self.port.retrying(command)

    def _membership(self, village: VillageCollective, actor: str) -> VillageMembership:
        """The village's alliance membership; in a store older than that record, opened from
        every alliance's own spells of the village (one scan of the joins, once per village)."""
        found = self.port.find(membership_id(village.code))
        if found is not None:
            assert isinstance(found, VillageMembership)
            return found
        spells: list[dict[str, Any]] = []
        for alliance in self._alliances_joined_by(village.code):
            spells.extend(
                {
                    "alliance": alliance.code,
                    "joined": s.joined.isoformat(),
                    "left": s.left.isoformat() if s.left else None,
                }
                for s in alliance.memberships
                if s.village == village.code
            )
        spells.sort(key=lambda s: (s["joined"], s["alliance"]))
        return VillageMembership(
            village=village.code, township=village.township, spells=spells, actor=actor
        )

    def _alliances_joined_by(self, village: str) -> list[Alliance]:
        ids: set[UUID] = set()
        for event in self.port.events_of_topic(VILLAGE_JOINED_TOPIC):
            if getattr(event, "village_code", None) == village:
                ids.add(UUID(str(event.originator_id)))
        found: list[Alliance] = []
        for aggregate_id in sorted(ids):
            alliance = self.port.find(aggregate_id)
            assert isinstance(alliance, Alliance)
            found.append(alliance)
        return found

    def join_enterprise(
        self, *, alliance: str, code: str, name: str, joined_on: datetime.date, actor: str
    ) -> Alliance:
        require_code(code)

        def command() -> Alliance:
            target = self.port.get_alliance(alliance)
            target.join_enterprise(
                enterprise_code=code, name=name, joined_on=joined_on, actor=actor
            )
            self.port.save(target)
            return target

        return self.port.retrying(command)

    def register_joint_entity(
        self, *, alliance: str, code: str, name: str, actor: str
    ) -> JointEntity:
        """Register the alliance's joint entity: the alliance and the new books in one save."""
        require_code(code)
        target = self.port.get_alliance(alliance)
        if self.port.exists(entity_id(code)):
            raise AlreadyExistsError(f"accounting entity {code} already exists", field="code")
        target.register_joint_entity(entity_code=code, actor=actor)
        joint = JointEntity(
            code=code,
            name=name,
            alliance_code=alliance,
            township=target.township,
            county=target.county,
            actor=actor,
        )
        self.port.save_new(target, joint, what=f"joint entity {code} or a change to {alliance}")
        return joint
