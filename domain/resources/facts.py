"""What the 资源 register says of a resource, and its checks: the kinds (耕地 … 荒滩) and their
三公开 groups, units of area, uses, 四至, 权属 documents, the label token's alphabet, and
:class:`Description` (a resource's description, checked when it is made). Every refusal says
what is wrong in Chinese. The aggregate is ``domain.resources.Resource``."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.bounds import FIRST_DAY, LAST_DAY, MAX_TEXT, bad_character
from domain.errors import InvalidRequestError

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
