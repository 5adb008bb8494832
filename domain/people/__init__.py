"""The people who use the workbench: one ``Person`` aggregate per login.

A person's events record their login, 姓名, phone (optional), role (a key of
``domain.roles.PERSON_ROLES``) and townships, and later changes of name, phone, role or
townships, and their being disabled or enabled again. Passwords are never in an event: they
live in the credentials table of ``web.users`` (hashed), beside the log, so a password can be
changed or forgotten without a trace of it in the immutable log.

One natural person, one active login (security issue item 4): two people are the same natural
person (:func:`same_natural_person`) when they have the same 姓名 and the same 手机号, or the
same 姓名 and one of them has no phone (nothing then tells them apart). Registering, enabling
or changing a person so that two active logins would be the same natural person is refused
(``domain.people.service``); two people who share a 姓名 are told apart by their phones. The
own-voucher rule compares natural persons the same way (``domain.voucher_workflow``), from the
people as they are when the voucher is reviewed, so a second login — even one made after the
first was disabled — never reviews the first's voucher. Decision: no new stored field: the
natural person is what the log already records of each login (姓名, 手机号).

A person belongs to no township (``domain.tenancy.township_of`` answers None); only someone
allowed ``people.manage`` (an administrator) may write one, which the commands check
(``domain.people.service``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.ids import NAMESPACE
from domain.owned import Townships
from domain.roles import PERSON_ROLES, role_label

# a login: lower-case letters, digits, '.', '_' or '-' (a phone number is a login too); never
# '@', which separates a person from their token in an actor (``login@token``)
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
PHONE = re.compile(r"^\+?[0-9]{5,20}$")
MAX_NAME = 50
MAX_TOWNSHIP = 50
# roles that read or write everywhere, so are never scoped to townships
UNSCOPED_ROLES = frozenset({"admin", "auditor"})


class PersonNotFoundError(NotFoundError):
    kind = "person-not-found"


class PersonExistsError(ConflictError):
    kind = "person-exists"


class SamePersonError(ConflictError):
    """A second active login of one natural person (姓名 + 手机号)."""

    kind = "same-person"


def same_natural_person(
    name: str, phone: str | None, other_name: str, other_phone: str | None
) -> bool:
    """Whether (姓名, 手机号) and (other 姓名, other 手机号) are one natural person: the same
    姓名, and the same phone or a phone missing on either side (see the module)."""
    if name != other_name:
        return False
    return phone is None or other_phone is None or phone == other_phone


def refuse_second_login(
    login: str, name: str, phone: str | None, others: Iterable[tuple[str, str, str | None]]
) -> None:
    """Refuse when an active person among ``others`` (login, 姓名, 手机号) other than
    ``login`` is the natural person (``name``, ``phone``)."""
    for other, other_name, other_phone in others:
        if other != login and same_natural_person(name, phone, other_name, other_phone):
            phones = phone or other_phone
            seen = f"、手机号 {phones}" if phones else "（未登记手机号）"
            raise SamePersonError(
                f"{name} ({phones or 'no phone'}) already has the active login {other}: one "
                "person has one active login (disable it first, or give each person with "
                "this name their own phone number)",
                field="login",
                zh=f"{name}{seen}已有启用的登录名 {other}：一个人只能有一个启用的账户"
                "（请先停用原账户；同名的不同人员请各自登记手机号）",
            )


def person_id(login: str) -> UUID:
    """The person's aggregate id: uuid5 of ``person:`` and the login."""
    return uuid5(NAMESPACE, f"person:{login}")


def clean_login(login: str) -> str:
    """The login as stored (lower case, trimmed); refused when it is not a valid login."""
    text = (login or "").strip().lower()
    if not LOGIN.fullmatch(text):
        raise InvalidRequestError(
            f"login {login!r} is not allowed: use 2 to 32 lower-case letters, digits, '.', '_' "
            "or '-', beginning with a letter or digit",
            field="login",
            zh=f"登录名 {login!r} 不可用：请用 2 到 32 个小写字母、数字、点、下划线或连字符，"
            "以字母或数字开头",
        )
    return text


def clean_name(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise InvalidRequestError("the name (姓名) is missing", field="name", zh="请填写姓名")
    if len(text) > MAX_NAME or any(not ch.isprintable() for ch in text):
        raise InvalidRequestError(
            f"a name has at most {MAX_NAME} characters and no control characters",
            field="name",
            zh=f"姓名最多 {MAX_NAME} 个字，且不能含控制字符",
        )
    return text


def clean_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    text = re.sub(r"[\s-]", "", phone)
    if not text:
        return None
    if not PHONE.fullmatch(text):
        raise InvalidRequestError(
            f"phone {phone!r} is not a phone number: digits only (a leading + allowed)",
            field="phone",
            zh=f"手机号 {phone!r} 不正确：请只写数字（可带国家码前的 +）",
        )
    return text


def clean_role(role: str) -> str:
    if role not in PERSON_ROLES:
        known = "、".join(f"{k}（{v}）" for k, v in PERSON_ROLES.items())
        raise InvalidRequestError(
            f"role {role!r} is not known; use one of {', '.join(PERSON_ROLES)}",
            field="role",
            zh=f"角色 {role!r} 不存在；可选：{known}",
        )
    return role


def clean_townships(role: str, townships: Iterable[str]) -> list[str]:
    """The townships of a person of ``role``: at least one unless they are an administrator or
    auditor (who are never scoped to townships)."""
    cleaned = sorted({t.strip() for t in townships if t and t.strip()})
    for township in cleaned:
        if len(township) > MAX_TOWNSHIP or any(not ch.isprintable() for ch in township):
            raise InvalidRequestError(
                f"township {township!r} is not a township name",
                field="townships",
                zh=f"乡镇名称 {township!r} 不正确",
            )
    if role in UNSCOPED_ROLES and cleaned:
        raise InvalidRequestError(
            f"an {role} works in every township: give no --township",
            field="townships",
            zh=f"{role_label(role)}不按乡镇限定，请不要填写乡镇",
        )
    if role not in UNSCOPED_ROLES and not cleaned:
        raise InvalidRequestError(
            f"a {role} needs at least one township (--township)",
            field="townships",
            zh=f"{role_label(role)}须至少负责一个乡镇",
        )
    return cleaned


class Person(Aggregate):
    """One person who logs in to the workbench, by login."""

    def township_in(self, townships: Townships) -> str | None:
        """None: a person belongs to no township; people.manage is checked by the commands
        (``domain.people.service``)."""
        return None

    def described(self) -> str:
        return f"person {self.login}"

    @staticmethod
    def create_id(login: str, **_: Any) -> UUID:
        return person_id(login)

    @event("PersonRegistered")
    def __init__(
        self,
        *,
        login: str,
        name: str,
        role: str,
        townships: list[str],
        phone: str | None,
        actor: str,
    ) -> None:
        self.login = login
        self.name = name
        self.role = role
        self.townships = list(townships)
        self.phone = phone
        self.disabled = False

    @classmethod
    def register(
        cls,
        *,
        login: str,
        name: str,
        role: str,
        townships: Iterable[str] = (),
        phone: str | None = None,
        actor: str,
    ) -> Person:
        """Check every field, then register the person."""
        login = clean_login(login)
        role = clean_role(role)
        return cls(
            login=login,
            name=clean_name(name),
            role=role,
            townships=clean_townships(role, townships),
            phone=clean_phone(phone),
            actor=actor,
        )

    def change(
        self,
        *,
        name: str | None = None,
        role: str | None = None,
        townships: Iterable[str] | None = None,
        phone: str | None = None,
        actor: str,
    ) -> bool:
        """Change what is given (None: unchanged; ``phone=""`` removes the phone). Returns
        whether anything changed (nothing is recorded otherwise)."""
        new_role = self.role if role is None else clean_role(role)
        new_name = self.name if name is None else clean_name(name)
        if townships is None:
            kept = [] if new_role in UNSCOPED_ROLES else self.townships
            new_townships = clean_townships(new_role, kept)
        else:
            new_townships = clean_townships(new_role, townships)
        new_phone = self.phone if phone is None else clean_phone(phone)
        if (new_name, new_role, new_townships, new_phone) == (
            self.name, self.role, self.townships, self.phone
        ):  # fmt: skip
            return False
        self._changed(
            name=new_name, role=new_role, townships=new_townships, phone=new_phone, actor=actor
        )
        return True

    @event("PersonChanged")
    def _changed(
        self, *, name: str, role: str, townships: list[str], phone: str | None, actor: str
    ) -> None:
        self.name = name
        self.role = role
        self.townships = list(townships)
        self.phone = phone

    def disable(self, *, actor: str) -> None:
        if self.disabled:
            raise ConflictError(
                f"user {self.login} is already disabled",
                field="login",
                zh=f"用户 {self.login} 已经停用",
            )
        self._disabled(actor=actor)

    @event("PersonDisabled")
    def _disabled(self, *, actor: str) -> None:
        self.disabled = True

    def enable(self, *, actor: str) -> None:
        if not self.disabled:
            raise ConflictError(
                f"user {self.login} is not disabled",
                field="login",
                zh=f"用户 {self.login} 没有停用",
            )
        self._enabled(actor=actor)

    @event("PersonEnabled")
    def _enabled(self, *, actor: str) -> None:
        self.disabled = False
