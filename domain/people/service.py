"""The commands on people (``domain.people``): register, change, disable, enable.
``PeopleService`` receives the application's port (``domain.port``) and is ``app.people``.

Who may run them: a person belongs to no township, so the application's tenancy check
(``domain.tenancy``) lets any save of one through; these commands check instead that the actor
may manage people. Inside a command context (the runner's, ``domain.runner``) only an actor
writing everywhere may: an administrator (``CommandContext.townships`` is None only for the
admin role, ``web.deps.Writer``); the workbench's ``/users`` page also requires
``people.manage`` before it runs them. Outside any context (the demo loader, tests) they run
with the authority of whoever holds the database, and so does the command line, whose caller
writes everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from eventsourcing.persistence import IntegrityError, RecordConflictError

from domain.context import current
from domain.errors import ForbiddenError, InvalidRequestError
from domain.people import (
    Person,
    PersonExistsError,
    PersonNotFoundError,
    clean_login,
    clean_name,
    clean_phone,
    person_id,
    refuse_second_login,
)
from domain.port import Port


class PeopleForbiddenError(ForbiddenError):
    kind = "forbidden-role"


def require_people_manager() -> None:
    """Refuse unless the command runs with the authority to manage people (see the module)."""
    context = current()
    if context is not None and context.townships is not None:
        raise PeopleForbiddenError(
            f"{context.actor} may not manage people: only an administrator registers, changes, "
            "disables or enables them",
            zh=f"{context.actor} 不能管理用户：只有管理员可以登记、修改、停用或启用用户",
        )


# the active people as (login, 姓名, 手机号), from the read model ``people`` brought up to date
# (``runtime.bootstrap.Runtime`` sets it; without it the one-login rule is not checked)
Directory = Callable[[], Iterable[tuple[str, str, str | None]]]


class PeopleService:
    """Register, change, disable and enable people; ``app.people``.

    One natural person has one active login (``domain.people``): the commands refuse a second
    one, asking ``directory`` for the active people."""

    def __init__(self, port: Port, directory: Directory | None = None) -> None:
        self.port = port
        self.directory = directory

    def _refuse_second_login(self, login: str, name: str, phone: str | None) -> None:
        if self.directory is not None:
            refuse_second_login(login, name, phone, self.directory())

    def get_person(self, login: str) -> Person:
        """The person with ``login`` (PersonNotFoundError when there is none)."""
        key = (login or "").strip().lower()
        return self.port.load(
            person_id(key),
            Person,
            PersonNotFoundError(
                f"user {login} does not exist", field="login", zh=f"用户 {login} 不存在"
            ),
        )

    def person_or_none(self, login: str) -> Person | None:
        """The person with ``login``, or None (a token without owner is no person)."""
        try:
            return self.get_person(login)
        except (PersonNotFoundError, InvalidRequestError):
            return None

    def register_person(
        self,
        login: str,
        name: str,
        role: str,
        townships: Iterable[str] = (),
        phone: str | None = None,
        actor: str = "",
    ) -> Person:
        """Register a new person (refused when the login is taken)."""
        require_people_manager()
        person = Person.register(
            login=login, name=name, role=role, townships=townships, phone=phone, actor=actor
        )
        self._refuse_second_login(person.login, person.name, person.phone)
        try:
            self.port.save(person)
        except (IntegrityError, RecordConflictError):
            raise PersonExistsError(
                f"login {person.login} is taken; choose another",
                field="login",
                zh=f"登录名 {person.login} 已被使用，请换一个",
            ) from None
        return person

    def change_person(
        self,
        login: str,
        *,
        name: str | None = None,
        role: str | None = None,
        townships: Iterable[str] | None = None,
        phone: str | None = None,
        actor: str,
    ) -> Person:
        """Change a person's 姓名, role, townships or phone (None: unchanged)."""
        require_people_manager()
        clean_login(login)
        now = self.get_person(login)
        if not now.disabled:
            self._refuse_second_login(
                now.login,
                now.name if name is None else clean_name(name),
                now.phone if phone is None else clean_phone(phone),
            )

        def command() -> Person:
            person = self.get_person(login)
            if person.change(name=name, role=role, townships=townships, phone=phone, actor=actor):
                self.port.save(person)
            return person

        return self.port.retrying(command)

    def disable_person(self, login: str, actor: str) -> Person:
        """Disable a person: they can no longer log in (their sessions are ended by
        ``web.users.UserStore.end_sessions``, which the callers run after this)."""
        require_people_manager()

        def command() -> Person:
            person = self.get_person(login)
            person.disable(actor=actor)
            self.port.save(person)
            return person

        return self.port.retrying(command)

    def enable_person(self, login: str, actor: str) -> Person:
        """Enable a disabled person again (refused when another active login is the same
        natural person)."""
        require_people_manager()
        now = self.get_person(login)
        self._refuse_second_login(now.login, now.name, now.phone)

        def command() -> Person:
            person = self.get_person(login)
            person.enable(actor=actor)
            self.port.save(person)
            return person

        return self.port.retrying(command)
