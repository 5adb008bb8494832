"""The commands on people, as data (``domain.commands``): each calls ``app.people``
(``domain.people.service``) and answers the person's login.

A person belongs to no township, so the commands name no places: who may run them is the
service's check (only a caller writing everywhere manages people) and, on the workbench, the
``people.manage`` duty its pages require first. Passwords are not here: they are never in the
log (``web.users`` keeps them), so setting one is no command on the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Recorded


def _login(login: str) -> str:
    """The login as the store keys it (lower case, trimmed), as ``get_person`` looks it up."""
    return (login or "").strip().lower()


@dataclass(frozen=True)
class RegisterPerson(Command[str]):
    """Register a person who logs in (refused when the login is taken, or when another active
    login is the same natural person); answers the login as stored."""

    login: str
    name: str
    role: str
    townships: tuple[str, ...] = ()
    phone: str | None = None

    def execute(self, app: Any, actor: str) -> str:
        person = app.people.register_person(
            self.login, self.name, self.role, self.townships, self.phone, actor
        )
        return str(person.login)

    def replayed(self, recorded: Recorded) -> str:
        return str(recorded.value("login"))


@dataclass(frozen=True)
class PersonCommand(Command[str]):
    """A command on a registered person; answers their login."""

    login: str

    def replayed(self, recorded: Recorded) -> str:
        return _login(self.login)


@dataclass(frozen=True)
class ChangePerson(PersonCommand):
    """Change a person's 姓名, role, townships or phone (None: unchanged; ``phone=""`` removes
    the phone). The townships, when given, are all of them from now on."""

    name: str | None = None
    role: str | None = None
    townships: tuple[str, ...] | None = None
    phone: str | None = None

    def execute(self, app: Any, actor: str) -> str:
        person = app.people.change_person(
            self.login,
            name=self.name,
            role=self.role,
            townships=self.townships,
            phone=self.phone,
            actor=actor,
        )
        return str(person.login)


@dataclass(frozen=True)
class DisablePerson(PersonCommand):
    """Disable a person: they can no longer log in (the front end then ends their sessions and
    revokes their tokens, which are not in the log)."""

    def execute(self, app: Any, actor: str) -> str:
        return str(app.people.disable_person(self.login, actor).login)


@dataclass(frozen=True)
class EnablePerson(PersonCommand):
    """Enable a disabled person again."""

    def execute(self, app: Any, actor: str) -> str:
        return str(app.people.enable_person(self.login, actor).login)
