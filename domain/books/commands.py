"""The commands on books, as data (``domain.commands``): each names the townships it writes in
and calls ``app.books`` (``domain.books.service``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from domain.commands import Command, Place, Recorded


@dataclass(frozen=True)
class RegisterVillage(Command[str]):
    """Register a village collective (村集体经济组织) and open its books; answers its code."""

    code: str
    name: str
    township: str
    county: str
    population: int
    households: int
    flags: tuple[str, ...] = field(default=())

    def places(self, app: Any) -> Iterable[Place]:
        return ((self.township, f"village {self.code}"),)

    def execute(self, app: Any, actor: str) -> str:
        app.books.register_village(
            code=self.code,
            name=self.name,
            township=self.township,
            county=self.county,
            population=self.population,
            households=self.households,
            flags=self.flags,
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code
