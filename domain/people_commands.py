"""Commands on people (``domain.people``): register, change, disable, enable. The application
takes them in as a mixin (``PeopleCommands``), like ``ChartCommands``.

Who may run them: a person belongs to no township, so the application's tenancy check
(``domain.tenancy``) lets any save of one through; these commands check instead that the actor
may manage people. Inside a command context (the API, the workbench) only an actor writing
everywhere may: an administrator (``CommandContext.townships`` is None only for the admin
role, ``api.deps.Writer``); the workbench's ``/users`` page also requires ``people.manage``
before it runs them. Outside any context (the command line, the demo loader) they run with the
authority of whoever holds the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, RecordConflictError

from domain.context import current
from domain.errors import ForbiddenError
from domain.people import Person, PersonExistsError, PersonNotFoundError, clean_login, person_id

T = TypeVar("T")


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


class PeopleCommands(Application[UUID]):
    """Register, change, disable and enable people; mixed into the application."""

    if TYPE_CHECKING:

        def _retrying(self, command: Callable[[], T]) -> T: ...

    def get_person(self, login: str) -> Person:
        """The person with ``login`` (PersonNotFoundError when there is none)."""
        key = (login or "").strip().lower()
        try:
            found: Any = self.repository.get(person_id(key))
        except AggregateNotFoundError:
            raise PersonNotFoundError(
                f"user {login} does not exist", field="login", zh=f"用户 {login} 不存在"
            ) from None
        assert isinstance(found, Person)
        return found

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
        try:
            self.save(person)
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

        def command() -> Person:
            person = self.get_person(login)
            if person.change(name=name, role=role, townships=townships, phone=phone, actor=actor):
                self.save(person)
            return person

        return self._retrying(command)

    def disable_person(self, login: str, actor: str) -> Person:
        """Disable a person: they can no longer log in (their sessions are ended by
        ``api.users.UserStore.end_sessions``, which the callers run after this)."""
        require_people_manager()

        def command() -> Person:
            person = self.get_person(login)
            person.disable(actor=actor)
            self.save(person)
            return person

        return self._retrying(command)

    def enable_person(self, login: str, actor: str) -> Person:
        """Enable a disabled person again."""
        require_people_manager()

        def command() -> Person:
            person = self.get_person(login)
            person.enable(actor=actor)
            self.save(person)
            return person

        return self._retrying(command)
