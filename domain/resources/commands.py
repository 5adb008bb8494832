"""The 资源 register's commands as data (``domain.commands``): each names the township of the
books the resource is in and calls ``app.resources`` (``domain.resources.service``). The API's
routes, the workbench's forms and any import build these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, Recorded, Words, books_place

Pairs = tuple[tuple[str, str], ...]
"""A mapping as a frozen value: (key, value) pairs (四至 by side)."""
Certificates = tuple[tuple[tuple[str, str], ...], ...]
"""权属 documents, each as (key, value) pairs: name, number, issuer, issued_on."""


def resource_place(entity: str, code: str, app: Any) -> Place:
    """The township of the books of ``entity`` (404 when there are none)."""
    return books_place(app, entity, Words(f"books of {entity}", f"{entity} 的资源登记簿"))


@dataclass(frozen=True)
class ResourceCommand(Command[str]):
    """A command on the register of ``entity``; answers the resource's code."""

    entity: str
    code: str

    def places(self, app: Any) -> Iterable[Place]:
        return (resource_place(self.entity, self.code, app),)

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class RegisterResource(ResourceCommand):
    """Register a collective resource (land, forest, water, 四荒) in the books of ``entity``."""

    name: str
    kind: str
    area: str
    date: datetime.date
    unit: str = "mu"
    location: str = ""
    boundaries: Pairs = ()
    certificates: Certificates = ()
    use: str = "contracting"

    def execute(self, app: Any, actor: str) -> str:
        app.resources.register(
            entity=self.entity,
            code=self.code,
            name=self.name,
            kind=self.kind,
            area=self.area,
            unit=self.unit,
            location=self.location,
            boundaries=dict(self.boundaries),
            certificates=[dict(c) for c in self.certificates],
            use=self.use,
            date=self.date,
            actor=actor,
        )
        return self.code


@dataclass(frozen=True)
class ChangeResource(ResourceCommand):
    """Record a resource's description as it now is (every field), with the reason."""

    name: str
    kind: str
    area: str
    reason: str
    date: datetime.date
    unit: str = "mu"
    location: str = ""
    boundaries: Pairs = ()
    certificates: Certificates = ()
    use: str = "contracting"

    def execute(self, app: Any, actor: str) -> str:
        app.resources.change(
            entity=self.entity,
            code=self.code,
            name=self.name,
            kind=self.kind,
            area=self.area,
            unit=self.unit,
            location=self.location,
            boundaries=dict(self.boundaries),
            certificates=[dict(c) for c in self.certificates],
            use=self.use,
            reason=self.reason,
            date=self.date,
            actor=actor,
        )
        return self.code


@dataclass(frozen=True)
class RetireResource(ResourceCommand):
    """Take a resource off the register (refused while a contract on it runs)."""

    reason: str
    date: datetime.date

    def execute(self, app: Any, actor: str) -> str:
        app.resources.retire(
            entity=self.entity, code=self.code, reason=self.reason, date=self.date, actor=actor
        )
        return self.code


@dataclass(frozen=True)
class LinkLandShare(ResourceCommand):
    """Record that a land share (土地入股) of the village in ``joint`` is this resource."""

    joint: str
    date: datetime.date
    mu: str

    def execute(self, app: Any, actor: str) -> str:
        app.resources.link_land_share(
            entity=self.entity,
            code=self.code,
            joint=self.joint,
            date=self.date,
            mu=self.mu,
            actor=actor,
        )
        return self.code
