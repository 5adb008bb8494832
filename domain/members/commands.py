"""The commands on member registers, as data (``domain.commands``): each names the townships it
writes in and calls ``app.members`` (``domain.members.service``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, village_place
from domain.members.migration import Migration


@dataclass(frozen=True)
class MigrateRegister(Command[Migration]):
    """Move a village's legacy member register into the bounded shape
    (``domain/members/migration.py``); answers what was recorded (nothing when the register
    is already bounded)."""

    village: str

    def places(self, app: Any) -> Iterable[Place]:
        return (village_place(app, self.village),)

    def execute(self, app: Any, actor: str) -> Migration:
        result: Migration = app.members.migrate_register(village=self.village, actor=actor)
        return result
