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
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.bounds import FIRST_DAY, LAST_DAY, MAX_TEXT, bad_character
from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships

KINDS: dict[str, str] = {
    "cropland": "耕地",
    "garden": "园地",
    "woodland": "林地",
    "grassland": "草地",
    "construction": "建设用地",
    "homestead": "宅基地",
    "facility": "设施农用地",
    "forest": "林木",
    "water": "水面（坑塘、水库）",
    "barren-hill": "荒山",
    "barren-gully": "荒沟",
    "barren-mound": "荒丘",
    "barren-beach": "荒滩",
    "other": "其他资源",
}
GROUPS: dict[str, str] = {
    "cropland": "土地",
    "garden": "土地",
    "woodland": "土地",
    "grassland": "土地",
    "construction": "土地",
    "homestead": "土地",
    "facility": "土地",
    "forest": "林木",
    "water": "水域",
    "barren-hill": "四荒地",
    "barren-gully": "四荒地",
    "barren-mound": "四荒地",
    "barren-beach": "四荒地",
    "other": "其他",
}
"""Each kind's group in the 三公开 part 各类资源 (财务公开规定, 2011)."""
GROUP_ORDER = ("土地", "林木", "水域", "四荒地", "其他")

UNITS: dict[str, str] = {"mu": "亩", "sqm": "平方米", "hectare": "公顷"}
MAX_AREA: dict[str, Decimal] = {
    "mu": Decimal(1_000_000),
    "sqm": Decimal(1_000_000_000),
    "hectare": Decimal(100_000),
}
"""The largest area of one resource, by unit (a county's farmland is of the order of a million
亩, ``domain.bounds``)."""
AREA_PLACES = 4

USES: dict[str, str] = {
    "contracting": "发包、出租经营",
    "self": "集体自用、自营",
    "public": "公益、公共设施",
    "households": "分配到户（家庭承包、宅基地）",
    "reserved": "保护、暂不利用",
}
"""What a resource is for. Only one kept for letting (``contracting``) is idle without a
contract in force (the 工作台 warns of it); the others are used without one."""

SIDES: dict[str, str] = {"east": "东至", "south": "南至", "west": "西至", "north": "北至"}
MAX_CERTIFICATES = 20
STATUSES = {"active": "在册", "retired": "已注销"}

# no 0/O, 1/I/L: read off a label and typed on a phone without mistakes; 31^12 ≈ 7.9×10^17
LABEL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LABEL_LENGTH = 12


def resource_id(entity: str, code: str) -> UUID:
    return uuid5(NAMESPACE, f"resource:{entity}:{code}")


def new_label() -> str:
    """A fresh label token (the random part of the resource's public URL)."""
    return "".join(secrets.choice(LABEL_ALPHABET) for _ in range(LABEL_LENGTH))


# -- checks: every refusal says what is wrong in Chinese ------------------------------------------


def checked_line(value: object, *, field: str, what: str, required: bool = False) -> str:
    """One line of text (a name, a place, a reason) of at most 200 characters."""
    if not isinstance(value, str):
        raise InvalidRequestError(f"{field} must be text", field=field, zh=f"{what}要填文字")
    text = value.strip()
    if required and not text:
        raise InvalidRequestError(f"{field} must not be empty", field=field, zh=f"请填写{what}")
    if len(text) > MAX_TEXT:
        raise InvalidRequestError(
            f"{field} has {len(text)} characters; at most {MAX_TEXT} are allowed",
            field=field,
            zh=f"{what}最多 {MAX_TEXT} 个字，现在是 {len(text)} 个",
        )
    if bad_character(text) is not None:
        raise InvalidRequestError(
            f"{field} contains a control character",
            field=field,
            zh=f"{what}里有不能保存的控制字符或换行，请重新输入",
        )
    return text


def checked_choice(value: object, choices: Mapping[str, str], *, field: str, what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        shown = str(value)[:40]
        raise InvalidRequestError(
            f"{field} {shown!r} is not one of {', '.join(choices)}",
            field=field,
            zh=f"{what}只能是{'、'.join(choices.values())}之一",
        )
    return value


def checked_area(value: object, unit: str, *, field: str = "area") -> Decimal:
    """An area above 0, at most the unit's bound, at most four decimal places."""
    most = MAX_AREA[unit]
    zh = (
        f"面积要填大于 0、不超过 {most:,} {UNITS[unit]} 的数，最多 {AREA_PLACES} 位小数，"
        f"不是 {str(value)[:20]}"
    )
    number: Decimal | None = None
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            number = None
    exponent = number.as_tuple().exponent if number is not None else 0
    if (
        number is None
        or not number.is_finite()
        or not isinstance(exponent, int)
        or -exponent > AREA_PLACES
        or number <= 0
        or number > most
    ):
        raise InvalidRequestError(
            f"{field} must be a number above 0 and at most {most} {unit} with at most "
            f"{AREA_PLACES} decimal places, not {str(value)[:20]!r}",
            field=field,
            zh=zh,
        )
    return number


def checked_day(value: object, *, field: str, what: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidRequestError(
            f"{field} must be a date", field=field, zh=f"{what}要写成 年-月-日，如 2025-03-01"
        )
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidRequestError(
            f"{field} must lie from {FIRST_DAY} to {LAST_DAY}",
            field=field,
            zh=f"{what}要在 1950 年到 2100 年之间",
        )
    return value


def checked_boundaries(value: Mapping[str, object] | None) -> dict[str, str]:
    """四至: what the resource borders on to the east, south, west and north (each optional)."""
    found: dict[str, str] = {}
    for side, name in (value or {}).items():
        if side not in SIDES:
            raise InvalidRequestError(
                f"boundaries.{side} is not a side; use east, south, west or north",
                field="boundaries",
                zh="四至只有东至、南至、西至、北至",
            )
        text = checked_line(name, field=f"boundaries.{side}", what=SIDES[side])
        if text:
            found[side] = text
    return {side: found[side] for side in SIDES if side in found}


def checked_certificates(
    value: Sequence[Mapping[str, object]] | None, *, today: datetime.date
) -> list[dict[str, str]]:
    """权属 documents: each a name (集体土地所有权证, 林权证 …), its number, who issued it and
    when (not after today)."""
    rows = list(value or ())
    if len(rows) > MAX_CERTIFICATES:
        raise InvalidRequestError(
            f"at most {MAX_CERTIFICATES} certificates",
            field="certificates",
            zh=f"权属证明最多登记 {MAX_CERTIFICATES} 份",
        )
    found = []
    for index, row in enumerate(rows, start=1):
        where = f"certificates[{index - 1}]"
        what = f"第{index}份权属证明的"
        name = checked_line(row.get("name", ""), field=f"{where}.name", what=what + "名称")
        number = checked_line(
            row.get("number", ""), field=f"{where}.number", what=what + "证号", required=True
        )
        issuer = checked_line(
            row.get("issuer", ""), field=f"{where}.issuer", what=what + "发证机关"
        )
        issued = row.get("issued_on")
        day = ""
        if issued not in (None, ""):
            if isinstance(issued, str):
                try:
                    issued = datetime.date.fromisoformat(issued)
                except ValueError:
                    issued = None
            checked = checked_day(issued, field=f"{where}.issued_on", what=what + "发证日期")
            if checked > today:
                raise InvalidRequestError(
                    f"{where}.issued_on {checked} is after today ({today})",
                    field=f"{where}.issued_on",
                    zh=f"{what}发证日期 {checked} 晚于今天（{today}）",
                )
            day = checked.isoformat()
        found.append({"name": name, "number": number, "issuer": issuer, "issued_on": day})
    return found


@dataclass(frozen=True)
class Description:
    """What a resource is, as registered and as changed: checked when it is made."""

    name: str
    kind: str
    area: Decimal
    unit: str
    location: str
    boundaries: dict[str, str]
    certificates: list[dict[str, str]]
    use: str

    @classmethod
    def checked(
        cls,
        *,
        name: object,
        kind: object,
        area: object,
        unit: object = "mu",
        location: object = "",
        boundaries: Mapping[str, object] | None = None,
        certificates: Sequence[Mapping[str, object]] | None = None,
        use: object = "contracting",
        today: datetime.date,
    ) -> Description:
        checked_unit = checked_choice(unit, UNITS, field="unit", what="面积单位")
        return cls(
            name=checked_line(name, field="name", what="资源名称", required=True),
            kind=checked_choice(kind, KINDS, field="kind", what="资源类别"),
            area=checked_area(area, checked_unit),
            unit=checked_unit,
            location=checked_line(location, field="location", what="坐落位置"),
            boundaries=checked_boundaries(boundaries),
            certificates=checked_certificates(certificates, today=today),
            use=checked_choice(use, USES, field="use", what="用途"),
        )

    def fields(self) -> dict[str, Any]:
        """The description as an event's fields."""
        return {
            "name": self.name,
            "kind": self.kind,
            "area": self.area,
            "unit": self.unit,
            "location": self.location,
            "boundaries": dict(self.boundaries),
            "certificates": [dict(c) for c in self.certificates],
            "use": self.use,
        }


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
