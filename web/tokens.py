"""API tokens: created on the command line, stored hashed, carrying a role.

Roles: ``admin`` does everything; ``clerk`` reads everything and writes only in its townships;
``auditor`` reads everything and writes nothing. A token is shown once, when it is created;
only its SHA-256 is stored (tokens are 256-bit random strings, so a plain hash is enough).

A token that belongs to a person (``owner``) acts with at most the person's role and in at most
the person's townships (``domain.roles.may_both``), read from the person's aggregate when the
token is checked (:meth:`TokenStore.authenticate` with ``people``). Disabling a person also
revokes their tokens (:meth:`TokenStore.revoke_owned`): enabling them again does not revive
an old token.

A process keeps the caller of a token it has checked for ``cache_seconds``
(``LIANZHANG_TOKEN_CACHE_SECONDS``, default 10; 0 checks at every request): a write then pays no
token look-up and no load of the person. What changes a caller drops every cached one of the
process at once (:func:`forget_callers`): a revocation by any :class:`TokenStore` of the process
(the command line's, a disabled person's tokens), and any save of this process that changed a
person (``domain.application.SAVE_LISTENERS``: the API, the workbench, the command line run
in the process). A revocation, or a person disabled or given a lesser role, by another process
(``lianzhang token revoke`` or ``lianzhang user …`` beside a running server) holds there
within ``cache_seconds``. Unknown and revoked tokens are
never cached: a token created by another process works at once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from domain.application import SAVE_LISTENERS
from domain.roles import (
    ACTIONS,
    PERSON_ROLES,
    TOKEN_ROLES,
    TOKEN_ROLES_OF_PERSON,
    WRITING_ROLES,
    may_both,
    role_label,
    token_role_allowed,
)

ROLES = TOKEN_ROLES
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# Not a read model: kept out of the projections' metadata so a rebuild never drops it.
auth_metadata = MetaData()

api_tokens = Table(
    "lz_api_tokens",
    auth_metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("townships", Text, nullable=False, default=""),  # '\n'-separated, clerks only
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    # the login of the person the token belongs to; None for a token made before
    # tokens had owners, which keeps working as it did
    Column("owner", String(64)),
)


DEFAULT_CACHE_SECONDS = 10.0

# Every cached caller of the process was checked in a generation; a change of any caller (a
# revocation, a person changed) starts a new one, so none is used again without a look-up.
_generation = 0
_generation_lock = threading.Lock()


def forget_callers() -> None:
    """Every token of this process is looked up again at its next request."""
    global _generation
    with _generation_lock:
        _generation += 1


def _on_saved(events: list[Any]) -> None:
    """A save of this process that changed a person drops every cached caller."""
    from domain.people import Person

    if any(isinstance(event, Person.Event) for event in events):
        forget_callers()


SAVE_LISTENERS.append(_on_saved)


class TokenError(ValueError):
    """A token cannot be created or revoked; the message says why."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, and their rights (``domain.roles``).

    A token: ``name`` is the token's name, ``role`` a token role, ``person`` the login of the
    person it belongs to (None for a token made before tokens had owners). A person in the
    workbench: ``session`` is True, ``name`` and ``person`` their login, ``display`` their 姓名,
    ``role`` a person's role.
    """

    name: str
    role: str
    townships: frozenset[str] = frozenset()
    person: str | None = None
    display: str = ""
    session: bool = False
    # the role of the person a token belongs to (None in the workbench, where ``role`` is the
    # person's own, and for a token without owner): the token acts with at most this role
    person_role: str | None = None
    # a token without owner named like a person's login: that person's 姓名, as the read models
    # show its events' actor (``projections.people_view.display_actor``)
    namesake: str | None = None

    @property
    def actor_name(self) -> str:
        """The actor of this caller's events as the read models show it (经办): the person's
        姓名, ``姓名（接口）`` for a person's token, else the token's name."""
        if self.person:
            if not self.display:
                return self.actor
            return self.display if self.session else f"{self.display}（接口）"
        return self.namesake or self.actor

    @property
    def actor(self) -> str:
        """What every event this caller writes records as its actor: the person's login in the
        workbench; ``login@token`` for a person's integration token (a direct post through
        the API, marked so in the audit trail); the token's name for a token without owner."""
        if self.session and self.person:
            return self.person
        if self.person:
            return f"{self.person}@{self.name}"
        return self.name

    @property
    def key_owner(self) -> str:
        """Whose Idempotency-Keys these are (tokens and people never share a key space)."""
        return f"user:{self.person}" if self.session else self.name

    def may(self, action: str) -> bool:
        """Whether this caller may take ``action`` (``domain.roles.ACTIONS``): its role and,
        for a person's token, the person's role both allow it."""
        return may_both(self.role, self.person_role, action)

    @property
    def writes_everywhere(self) -> bool:
        """An administrator (an admin token of an administrator, or without owner)."""
        return self.role == "admin" and self.person_role in (None, "admin")

    @property
    def writes_anything(self) -> bool:
        return any(self.may(action) for action in ACTIONS)

    def may_write_in(self, township: str) -> bool:
        if self.writes_everywhere:
            return True
        return self.writes_anything and self.role in WRITING_ROLES and township in self.townships


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_owner_column(engine: Engine) -> None:
    """A store made before tokens had owners gets the ``owner`` column (empty: its tokens keep
    working as before), on SQLite and PostgreSQL alike."""
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns(api_tokens.name)}
    if "owner" in columns:
        return
    try:
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {api_tokens.name} ADD COLUMN owner VARCHAR(64)"))
    except Exception:  # another process added it first
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns(api_tokens.name)}
        if "owner" not in columns:
            raise


def person_limits(token_role: str, person: Any) -> tuple[str, ...]:
    """Why a token of ``token_role`` may not be given to ``person`` (a ``domain.people.Person``):
    (English, Chinese), or () when it may."""
    if token_role_allowed(token_role, person.role):
        return ()
    allowed = ", ".join(TOKEN_ROLES_OF_PERSON.get(person.role, ()))
    return (
        f"user {person.login} is a {person.role} ({PERSON_ROLES.get(person.role, '')}): a token "
        f"of theirs may have the role {allowed}, not {token_role}",
        f"用户 {person.login} 的角色是{role_label(person.role)}，其令牌只能是 {allowed}，"
        f"不能是 {token_role}",
    )


def effective_townships(
    token_role: str, token_townships: frozenset[str], person_role: str, person_townships: Any
) -> frozenset[str]:
    """The townships a person's token writes in: the token's and the person's both (an
    administrator's are everywhere; an admin token of a lesser person writes in the person's)."""
    if person_role in ("admin", "auditor"):
        return token_townships
    mine = frozenset(person_townships)
    return mine if token_role == "admin" else token_townships & mine


@dataclass(frozen=True)
class _Checked:
    principal: Principal
    until: float  # on the store's clock
    generation: int


class TokenStore:
    def __init__(self, engine: Engine, *, cache_seconds: float = DEFAULT_CACHE_SECONDS) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self.clock: Callable[[], float] = time.monotonic  # a test moves it on
        self._checked: dict[str, _Checked] = {}  # token hash -> the caller it was
        auth_metadata.create_all(engine)
        add_owner_column(engine)

    def create(
        self,
        name: str,
        role: str,
        townships: list[str] | tuple[str, ...] = (),
        owner: str | None = None,
    ) -> str:
        """Create a token and return it; it cannot be shown again. ``owner``: the login of the
        person it belongs to (the caller checks the person exists); the token's events then
        record the actor ``login@name``."""
        if not _NAME.match(name):
            raise TokenError(
                f"token name {name!r} is not allowed; use letters, digits, '.', '_' or '-'"
            )
        if role not in ROLES:
            raise TokenError(f"role {role!r} is not known; use one of {', '.join(ROLES)}")
        cleaned = sorted({t.strip() for t in townships if t.strip()})
        if role == "clerk" and not cleaned:
            raise TokenError(f"clerk token {name!r} needs at least one township (--township)")
        if role != "clerk" and cleaned:
            raise TokenError(f"only clerk tokens are scoped to townships, not {role} tokens")
        token = "lz_" + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    api_tokens.insert().values(
                        name=name,
                        role=role,
                        townships="\n".join(cleaned),
                        token_hash=_hash(token),
                        created_at=datetime.datetime.now(datetime.UTC),
                        owner=owner,
                    )
                )
        except IntegrityError:
            raise TokenError(
                f"a token named {name!r} already exists; revoke it or choose another name"
            ) from None
        return token

    def cached(self, token: str) -> Principal | None:
        """The caller of ``token`` as checked less than ``cache_seconds`` ago, with no change
        of a caller in this process since; None when it must be looked up
        (:meth:`authenticate`). Touches no database."""
        if self.cache_seconds <= 0:
            return None
        checked = self._checked.get(_hash(token))
        if checked is None or checked.until <= self.clock() or checked.generation != _generation:
            return None
        return checked.principal

    def authenticate(
        self, token: str, people: Callable[[str], Any | None] | None = None
    ) -> Principal | None:
        """The caller of ``token``, or None (unknown, revoked, its person disabled or gone).

        ``people``: login -> the person's aggregate (``domain.people.Person``) or None; the
        application's, which is read from the log at each call. Without it (tools, tests) the
        read model ``people`` is asked, which may lag the log.

        A caller checked less than ``cache_seconds`` ago, with no change of a caller in this
        process since, is answered without a look-up (see the module)."""
        digest = _hash(token)
        if self.cache_seconds <= 0:
            return self._look_up(digest, people)
        now = self.clock()
        generation = _generation
        checked = self._checked.get(digest)
        if checked is not None and checked.until > now and checked.generation == generation:
            return checked.principal
        principal = self._look_up(digest, people)
        if principal is None:
            self._checked.pop(digest, None)
        else:
            if len(self._checked) >= 10_000:  # far more tokens than a township has: start over
                self._checked.clear()
            self._checked[digest] = _Checked(principal, now + self.cache_seconds, generation)
        return principal

    def _look_up(self, digest: str, people: Callable[[str], Any | None] | None) -> Principal | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == digest)).first()
        if row is None or row.revoked_at is not None:
            return None
        townships = frozenset(t for t in row.townships.split("\n") if t)
        if row.owner is None:
            from projections.people_view import person_row

            namesake = person_row(self.engine, row.name)
            return Principal(
                name=row.name,
                role=row.role,
                townships=townships,
                namesake=str(namesake["name"]) if namesake else None,
            )
        if people is None:
            from projections.people_view import person_row

            found = person_row(self.engine, row.owner)
            if found is None or found["disabled"]:
                return None
            display, person_role = str(found["name"]), str(found["role"])
            person_townships: Any = found.get("townships") or ()
        else:
            person = people(row.owner)
            if person is None or person.disabled:  # a disabled person's tokens stop with them
                return None
            display, person_role, person_townships = person.name, person.role, person.townships
        return Principal(
            name=row.name,
            role=row.role,
            townships=effective_townships(row.role, townships, person_role, person_townships),
            person=row.owner,
            display=display,
            person_role=person_role,
        )

    def list(self) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_tokens).order_by(api_tokens.c.name)).mappings()
            return [
                {
                    "name": r["name"],
                    "role": r["role"],
                    "townships": [t for t in r["townships"].split("\n") if t],
                    "created_at": r["created_at"],
                    "revoked_at": r["revoked_at"],
                    "owner": r["owner"],
                }
                for r in rows
            ]

    def revoke_owned(self, owner: str) -> int:
        """Revoke every active token of the person ``owner`` (they were disabled); how many."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(api_tokens)
                .where(api_tokens.c.owner == owner)
                .where(api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.datetime.now(datetime.UTC))
            )
        forget_callers()
        return int(result.rowcount or 0)

    def revoke(self, name: str) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(api_tokens)
                .where(api_tokens.c.name == name)
                .where(api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.datetime.now(datetime.UTC))
            )
        forget_callers()
        if result.rowcount != 1:
            raise TokenError(f"no active token named {name!r}")
