"""The 资源 register (资源登记簿): a village's (or joint entity's) collective resources — land
(耕地, 园地, 林地, 草地, 建设用地, 宅基地 …), forest, water and the 四荒 (荒山, 荒沟, 荒丘, 荒滩) —
each with its area and unit, location, 四至 (what it borders on each side), 权属 documents
(certificate, issuer, date), what it is used for and its status.

A resource belongs to one set of books (``entity``) and is named by a code unique in them (id:
uuid5 of both). It records what the registers around it tell it:

- the contracts that let it (承包, 流转, 租赁: ``domain.contracts``), each with its term and the
  area it lets, so the same land is never let twice over the same days (一地两包), and a
  resource is not retired while a contract on it still runs;
- the land shares (土地入股, ``LandShareContributed`` in a joint entity's books) of its village
  that are this land, by joint entity, date and 亩.

Every resource carries a label token: the random part of its public URL (``/public/resources/
{token}``, the QR 身份证 printed on its label), drawn once when it is registered, so a label
stays good for ever and nobody can enumerate the resources of a township by guessing URLs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships
from domain.resources.facts import (
    AREA_PLACES,
    GROUP_ORDER,
    GROUPS,
    KINDS,
    LABEL_ALPHABET,
    LABEL_LENGTH,
    MAX_AREA,
    MAX_CERTIFICATES,
    SIDES,
    STATUSES,
    UNITS,
    USES,
    Description,
    checked_area,
    checked_boundaries,
    checked_certificates,
    checked_choice,
    checked_day,
    checked_line,
    new_label,
)

__all__ = [
    "AREA_PLACES",
    "GROUPS",
    "GROUP_ORDER",
    "KINDS",
    "LABEL_ALPHABET",
    "LABEL_LENGTH",
    "MAX_AREA",
    "MAX_CERTIFICATES",
    "SIDES",
    "STATUSES",
    "UNITS",
    "USES",
    "Description",
    "Resource",
    "checked_area",
    "checked_boundaries",
    "checked_certificates",
    "checked_choice",
    "checked_day",
    "checked_line",
    "new_label",
    "resource_id",
]


def resource_id(entity: str, code: str) -> UUID:
    return uuid5(NAMESPACE, f"resource:{entity}:{code}")


def _iso(day: datetime.date) -> str:
    return day.isoformat()


class Resource(Aggregate):
    """One collective resource of one set of books, and what let it."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its books (``domain.tenancy``)."""
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"resource {self.code} of {self.entity}"

    @staticmethod
    def create_id(entity: str, code: str) -> UUID:
        return resource_id(entity, code)

    @event("ResourceRegistered")
    def __init__(
        self,
        *,
        entity: str,
        township: str,
        code: str,
        name: str,
        kind: str,
        area: Decimal,
        unit: str,
        location: str,
        boundaries: dict[str, str],
        certificates: list[dict[str, str]],
        use: str,
        date: datetime.date,
        label: str,
        actor: str,
    ) -> None:
        self.entity = entity
        self.township = township
        self.code = code
        self.label = label
        self.registered_on = date
        self._describe(name, kind, area, unit, location, boundaries, certificates, use)
        self.status = "active"
        self.retired_on: datetime.date | None = None
        self.retired_reason = ""
        # contract code → {"start": iso, "end": iso, "area": decimal text}
        self.contracts: dict[str, dict[str, str]] = {}
        self.land_shares: list[dict[str, str]] = []  # {"joint", "date", "mu"}

    def _describe(
        self,
        name: str,
        kind: str,
        area: Decimal,
        unit: str,
        location: str,
        boundaries: dict[str, str],
        certificates: list[dict[str, str]],
        use: str,
    ) -> None:
        self.name = name
        self.kind = kind
        self.area = Decimal(area)
        self.unit = unit
        self.location = location
        self.boundaries = dict(boundaries)
        self.certificates = [dict(c) for c in certificates]
        self.use = use

    @property
    def description(self) -> Description:
        return Description(
            name=self.name,
            kind=self.kind,
            area=self.area,
            unit=self.unit,
            location=self.location,
            boundaries=dict(self.boundaries),
            certificates=[dict(c) for c in self.certificates],
            use=self.use,
        )

    @property
    def active(self) -> bool:
        return self.status == "active"

    def require_active(self, *, field: str = "resource") -> None:
        if not self.active:
            raise ConflictError(
                f"resource {self.code} of {self.entity} was retired on {self.retired_on}",
                field=field,
                zh=f"资源 {self.code} 已于 {self.retired_on} 注销，不能再办理",
            )

    def _require_after_registration(self, day: datetime.date, what: str) -> None:
        if day < self.registered_on:
            raise InvalidRequestError(
                f"{day} is before the resource's registration ({self.registered_on})",
                field="date",
                zh=f"{what}日期 {day} 早于资源 {self.code} 的登记日期 {self.registered_on}",
            )

    # -- change and retire ---------------------------------------------------------------------

    def change(
        self, description: Description, *, reason: str, date: datetime.date, actor: str
    ) -> bool:
        """Record a new description (nothing when nothing changed); the area never below what
        contracts in force let of it, the unit kept while contracts name areas in it."""
        self.require_active()
        self._require_after_registration(date, "变更")
        if description == self.description:
            return False
        if description.unit != self.unit and self.contracts:
            raise ConflictError(
                f"resource {self.code} has contracts whose areas are in {self.unit}",
                field="unit",
                zh=f"资源 {self.code} 已有合同按{UNITS[self.unit]}计面积，不能改面积单位",
            )
        let = self.most_let()
        if description.area < let:
            raise ConflictError(
                f"contracts let {let} {self.unit} of resource {self.code} at once; its area "
                f"cannot be {description.area}",
                field="area",
                zh=f"资源 {self.code} 同一时间已发包、出租 {let} {UNITS[self.unit]}，面积不能改为 "
                f"{description.area} {UNITS[self.unit]}",
            )
        self._changed(**description.fields(), reason=reason, date=date, actor=actor)
        return True

    @event("ResourceChanged")
    def _changed(
        self,
        *,
        name: str,
        kind: str,
        area: Decimal,
        unit: str,
        location: str,
        boundaries: dict[str, str],
        certificates: list[dict[str, str]],
        use: str,
        reason: str,
        date: datetime.date,
        actor: str,
    ) -> None:
        self._describe(name, kind, area, unit, location, boundaries, certificates, use)

    def retire(self, *, reason: str, date: datetime.date, actor: str) -> None:
        """Take the resource off the register (征收, 合并, 灭失 …): refused while a contract on
        it runs past ``date``."""
        self.require_active()
        self._require_after_registration(date, "注销")
        running = sorted(
            (code, terms["end"])
            for code, terms in self.contracts.items()
            if terms["end"] > _iso(date)
        )
        if running:
            code, end = running[0]
            raise ConflictError(
                f"contract {code} on resource {self.code} runs until {end}; end or terminate it "
                "first",
                field="date",
                zh=f"资源 {self.code} 上的合同 {code} 到 {end} 才到期；请先办理合同终止或解除，"
                "再注销资源",
            )
        self._retired(reason=reason, date=date, actor=actor)

    @event("ResourceRetired")
    def _retired(self, *, reason: str, date: datetime.date, actor: str) -> None:
        self.status = "retired"
        self.retired_on = date
        self.retired_reason = reason

    # -- the contracts that let it ---------------------------------------------------------------

    def let_between(
        self, start: datetime.date, end: datetime.date, *, except_code: str | None = None
    ) -> Decimal:
        """The most of the resource let at any one day from ``start`` to ``end`` by the
        contracts recorded (their areas added where their terms overlap)."""
        first, last = _iso(start), _iso(end)
        overlapping = [
            terms
            for code, terms in self.contracts.items()
            if code != except_code and terms["start"] <= last and terms["end"] >= first
        ]
        points = {first} | {t["start"] for t in overlapping if t["start"] >= first}
        most = Decimal(0)
        for point in points:
            at = sum(
                (Decimal(t["area"]) for t in overlapping if t["start"] <= point <= t["end"]),
                Decimal(0),
            )
            most = max(most, at)
        return most

    def most_let(self) -> Decimal:
        """The most of the resource the recorded contracts let at any one day."""
        if not self.contracts:
            return Decimal(0)
        first = min(t["start"] for t in self.contracts.values())
        last = max(t["end"] for t in self.contracts.values())
        return self.let_between(
            datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
        )

    def attach_contract(
        self,
        *,
        contract: str,
        start: datetime.date,
        end: datetime.date,
        area: Decimal,
        actor: str,
    ) -> None:
        """A contract lets ``area`` of the resource from ``start`` to ``end``: refused when the
        resource is retired or the area would be let twice on some day (一地两包)."""
        self.require_active(field="subject_code")
        if contract in self.contracts:
            raise ConflictError(
                f"contract {contract} already lets resource {self.code}",
                field="code",
                zh=f"合同 {contract} 已登记在资源 {self.code} 上",
            )
        let = self.let_between(start, end)
        if let + area > self.area:
            free = self.area - let
            unit = UNITS[self.unit]
            raise ConflictError(
                f"resource {self.code} has {self.area} {self.unit}; {let} of it is already let "
                f"on some day from {start} to {end}, so {area} more cannot be",
                field="area",
                zh=f"资源 {self.code} 共 {self.area} {unit}，{start} 至 {end} 期间已有 {let} {unit}"
                f"发包或出租，只剩 {free} {unit}，不能再发包 {area} {unit}（一地两包）",
            )
        self._contract_linked(
            contract=contract, start=_iso(start), end=_iso(end), area=str(area), actor=actor
        )

    @event("ContractLinked")
    def _contract_linked(
        self, *, contract: str, start: str, end: str, area: str, actor: str
    ) -> None:
        self.contracts[contract] = {"start": start, "end": end, "area": area}

    def release_contract(self, *, contract: str, date: datetime.date, actor: str) -> None:
        """A contract on it was ended or terminated on ``date``: it lets nothing after."""
        terms = self.contracts.get(contract)
        if terms is None or terms["end"] <= _iso(date):
            return
        self._contract_released(contract=contract, date=date, actor=actor)

    @event("ContractReleased")
    def _contract_released(self, *, contract: str, date: datetime.date, actor: str) -> None:
        terms = self.contracts[contract]
        terms["end"] = max(terms["start"], min(terms["end"], _iso(date)))

    # -- land shares (土地入股) that are this land ----------------------------------------------

    def link_land_share(self, *, joint: str, date: datetime.date, mu: Decimal, actor: str) -> None:
        """Record that the land share of this resource's village in ``joint`` of ``date`` and
        ``mu`` 亩 is this land (found in the joint entity's books by the service)."""
        self.require_active()
        key = {"joint": joint, "date": _iso(date), "mu": str(mu)}
        if key in self.land_shares:
            raise ConflictError(
                f"the land share of {date} in {joint} is already linked to {self.code}",
                field="date",
                zh=f"{joint} 中 {date} 的土地入股已经关联到资源 {self.code}",
            )
        if self.unit == "mu" and mu > self.area:
            raise ConflictError(
                f"a land share of {mu} mu is more than resource {self.code} ({self.area} mu)",
                field="mu",
                zh=f"入股土地 {mu} 亩，超过资源 {self.code} 的面积 {self.area} 亩",
            )
        self._land_share_linked(joint=joint, share_date=_iso(date), mu=str(mu), actor=actor)

    @event("LandShareLinked")
    def _land_share_linked(self, *, joint: str, share_date: str, mu: str, actor: str) -> None:
        self.land_shares.append({"joint": joint, "date": share_date, "mu": mu})
