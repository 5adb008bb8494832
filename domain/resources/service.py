"""The commands of the 资源 register (``app.resources``): register a resource in a set of books,
change its description, retire it, and link a land share (土地入股) of its village to it. The
contract register (``domain.contracts.service``) attaches and releases its contracts through
:meth:`ResourceService.get_resource` and the aggregate, in the contract's own save."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal

from domain.books import JointEntity, VillageCollective
from domain.codes import require_code
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.periods import require_not_after
from domain.port import Port
from domain.resources import (
    Description,
    Resource,
    checked_area,
    checked_day,
    checked_line,
    new_label,
    resource_id,
)


def checked_code(code: object, *, field: str = "code", what: str = "资源编号") -> str:
    try:
        require_code(code)  # type: ignore[arg-type]
    except InvalidRequestError as exc:
        raise InvalidRequestError(
            exc.message,
            field=field,
            zh=f"{what}只能用英文字母、数字、减号或下划线（1 到 32 个），如 ZY-001",
        ) from None
    assert isinstance(code, str)
    return code


def dated(
    day: object, today: datetime.date, *, what: str, words: str, field: str = "date"
) -> datetime.date:
    """A date of the register: a real date (``what`` names it in Chinese), not after today
    (``words`` names the fact in English)."""
    found = checked_day(day, field=field, what=what)
    require_not_after(found, today, what=words, field=field)
    return found


class ResourceService:
    """The 资源 register; ``app.resources``."""

    def __init__(self, port: Port) -> None:
        self.port = port

    def get_resource(self, entity: str, code: str) -> Resource:
        return self.port.load(
            resource_id(entity, code),
            Resource,
            NotFoundError(
                f"resource {code} is not in the register of {entity}",
                field="resource",
                zh=f"{entity} 的资源登记簿里没有资源 {code}",
            ),
        )

    def register(
        self,
        *,
        entity: str,
        code: object,
        name: object,
        kind: object,
        area: object,
        unit: object = "mu",
        location: object = "",
        boundaries: Mapping[str, object] | None = None,
        certificates: Sequence[Mapping[str, object]] | None = None,
        use: object = "contracting",
        date: object,
        actor: str,
    ) -> Resource:
        """Register a resource in the books of ``entity`` (a village or joint entity); its code
        is new in those books."""
        today = self.port.today()
        checked = checked_code(code)
        description = Description.checked(
            name=name,
            kind=kind,
            area=area,
            unit=unit,
            location=location,
            boundaries=boundaries,
            certificates=certificates,
            use=use,
            today=today,
        )
        day = dated(date, today, what="登记日期", words="a resource's registration")

        def command() -> Resource:
            books = self.port.get_books(entity)  # 404 when there are none
            if self.port.exists(resource_id(entity, checked)):
                raise ConflictError(
                    f"resource {checked} is already in the register of {entity}",
                    field="code",
                    zh=f"{entity} 的资源登记簿里已有编号 {checked} 的资源，请换一个编号",
                )
            resource = Resource(
                entity=entity,
                township=books.township,
                code=checked,
                **description.fields(),
                date=day,
                label=new_label(),
                actor=actor,
            )
            self.port.save_new(resource, what=f"resource {checked} of {entity}")
            return resource

        return self.port.retrying(command)

    def change(
        self,
        *,
        entity: str,
        code: str,
        name: object,
        kind: object,
        area: object,
        unit: object = "mu",
        location: object = "",
        boundaries: Mapping[str, object] | None = None,
        certificates: Sequence[Mapping[str, object]] | None = None,
        use: object = "contracting",
        reason: object,
        date: object,
        actor: str,
    ) -> Resource:
        """Record a resource's new description (all of it, as it now is), with the reason."""
        today = self.port.today()
        description = Description.checked(
            name=name,
            kind=kind,
            area=area,
            unit=unit,
            location=location,
            boundaries=boundaries,
            certificates=certificates,
            use=use,
            today=today,
        )
        why = checked_line(reason, field="reason", what="变更原因", required=True)
        day = dated(date, today, what="变更日期", words="a change of a resource")

        def command() -> Resource:
            resource = self.get_resource(entity, code)
            if resource.change(description, reason=why, date=day, actor=actor):
                self.port.save(resource)
            return resource

        return self.port.retrying(command)

    def retire(
        self, *, entity: str, code: str, reason: object, date: object, actor: str
    ) -> Resource:
        """Take a resource off the register (征收, 合并, 灭失 …), with the reason."""
        why = checked_line(reason, field="reason", what="注销原因", required=True)
        day = dated(date, self.port.today(), what="注销日期", words="a resource's retirement")

        def command() -> Resource:
            resource = self.get_resource(entity, code)
            resource.retire(reason=why, date=day, actor=actor)
            self.port.save(resource)
            return resource

        return self.port.retrying(command)

    def link_land_share(
        self,
        *,
        entity: str,
        code: str,
        joint: str,
        date: object,
        mu: object,
        actor: str,
    ) -> Resource:
        """Record that the land share (土地入股) the village ``entity`` contributed to the joint
        entity ``joint`` on ``date`` (``mu`` 亩) is resource ``code``: the share must be in the
        joint entity's equity register (``LandShareContributed``)."""
        day = checked_day(date, field="date", what="入股日期")
        area = checked_area(mu, "mu", field="mu")

        def command() -> Resource:
            resource = self.get_resource(entity, code)
            books = self.port.get_books(entity)
            if not isinstance(books, VillageCollective):
                raise InvalidRequestError(
                    f"{entity} is not a village; land shares are a village's",
                    field="entity",
                    zh=f"{entity} 不是村集体，土地入股是村集体的",
                )
            pool = self.port.get_books(joint)
            if not isinstance(pool, JointEntity):
                raise InvalidRequestError(
                    f"{joint} is not a joint entity",
                    field="joint",
                    zh=f"{joint} 不是联合社",
                )
            shares = pool.land.get(entity, [])
            found = [
                s for s in shares if s["date"] == day.isoformat() and Decimal(str(s["mu"])) == area
            ]
            if not found:
                listed = "、".join(f"{s['date']} {s['mu']} 亩" for s in shares) or "没有"
                raise NotFoundError(
                    f"{joint} records no land share of {entity} of {area} mu on {day}",
                    field="date",
                    zh=f"联合社 {joint} 没有 {entity} {day} 入股 {area} 亩的记录；"
                    f"已记录的土地入股：{listed}",
                )
            resource.link_land_share(joint=joint, date=day, mu=area, actor=actor)
            self.port.save(resource)
            return resource

        return self.port.retrying(command)
