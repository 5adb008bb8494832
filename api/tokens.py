"""API tokens: created on the command line, stored hashed, carrying a role.

Roles: ``admin`` does everything; ``clerk`` reads everything and writes only in its townships;
``auditor`` reads everything and writes nothing. A token is shown once, when it is created;
only its SHA-256 is stored (tokens are 256-bit random strings, so a plain hash is enough).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

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

from domain.roles import TOKEN_ROLES, WRITING_ROLES, may

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
    # the login of the person the token belongs to (issue 10); None for a token made before
    # tokens had owners, which keeps working as it did
    Column("owner", String(64)),
)


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
        """Whether this caller's role may take ``action`` (``domain.roles.ACTIONS``)."""
        return may(self.role, action)

    def may_write_in(self, township: str) -> bool:
        if self.role == "admin":
            return True
        return self.role in WRITING_ROLES and township in self.townships


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


def _display_name(engine: Engine, login: str) -> tuple[str, bool]:
    """(姓名, disabled) of ``login`` from the read model ``people`` (the login itself and
    False when the person is not known there)."""
    from projections.people_view import person_row

    row = person_row(engine, login)
    if row is None:
        return login, False
    return str(row["name"]), bool(row["disabled"])


class TokenStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
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

    def authenticate(self, token: str) -> Principal | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(api_tokens).where(api_tokens.c.token_hash == _hash(token))
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        townships = frozenset(t for t in row.townships.split("\n") if t)
        if row.owner is None:
            return Principal(name=row.name, role=row.role, townships=townships)
        display, disabled = _display_name(self.engine, row.owner)
        if disabled:  # a disabled person's tokens stop with them
            return None
        return Principal(
            name=row.name, role=row.role, townships=townships, person=row.owner, display=display
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

    def revoke(self, name: str) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(api_tokens)
                .where(api_tokens.c.name == name)
                .where(api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=datetime.datetime.now(datetime.UTC))
            )
        if result.rowcount != 1:
            raise TokenError(f"no active token named {name!r}")
