"""The read model ``people``: who the logins are (``domain.people``), for lists and for names.

``display_names`` maps every login to its 姓名; ``display_actor`` turns an event's actor into
what a page or a sheet prints as 经办: a person's 姓名, ``姓名（接口）`` for a person's API token
(``login@token``), anything else (a token without owner, ``import-vouchers``) as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Boolean, Column, Connection, Engine, String, Table, Text, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from projections.pages import PageWriter, Stored
from projections.tables import metadata

people = Table(
    "lz_people",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("phone", String(32)),
    Column("role", String(16), nullable=False),
    Column("townships", Text, nullable=False, default=""),  # '\n'-separated
    Column("disabled", Boolean, nullable=False, default=False),
)

PEOPLE_TABLES = (people,)


def _townships(value: Iterable[str] | None) -> str:
    return "\n".join(sorted(value or ()))


class PeopleProjection:
    """One row per person, changed by their events (rare: written one statement each)."""

    name = "people"
    tables = PEOPLE_TABLES

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        kind = event.name
        if not kind.startswith("Person."):
            return
        state = event.state
        if kind == "Person.PersonRegistered":
            w.execute(
                people.insert().values(
                    login=state["login"],
                    aggregate_id=event.originator_id,
                    name=state["name"],
                    phone=state.get("phone"),
                    role=state["role"],
                    townships=_townships(state.get("townships")),
                    disabled=False,
                )
            )
            return
        where = people.c.aggregate_id == event.originator_id
        if kind == "Person.PersonChanged":
            w.execute(
                people.update()
                .where(where)
                .values(
                    name=state["name"],
                    phone=state.get("phone"),
                    role=state["role"],
                    townships=_townships(state.get("townships")),
                )
            )
        elif kind == "Person.PersonDisabled":
            w.execute(people.update().where(where).values(disabled=True))
        elif kind == "Person.PersonEnabled":
            w.execute(people.update().where(where).values(disabled=False))


def _on(conn_or_engine: Connection | Engine, query: Any) -> list[Any]:
    """Rows of ``query``. The table is made with the other read models' (``Runtime``); on an
    engine of a database without it yet (an old replica), none."""
    if isinstance(conn_or_engine, Engine):
        try:
            with conn_or_engine.connect() as conn:
                return list(conn.execute(query))
        except (OperationalError, ProgrammingError):
            return []
    return list(conn_or_engine.execute(query))


def person_list(conn_or_engine: Connection | Engine) -> list[dict[str, Any]]:
    """Every person (login, name, phone, role, townships, disabled), by login."""
    rows = _on(conn_or_engine, select(people).order_by(people.c.login))
    return [
        {
            "login": r.login,
            "name": r.name,
            "phone": r.phone,
            "role": r.role,
            "townships": [t for t in r.townships.split("\n") if t],
            "disabled": bool(r.disabled),
        }
        for r in rows
    ]


def login_of_phone(conn_or_engine: Connection | Engine, phone: str) -> str | None:
    """The login of the one person with ``phone`` (None when none or several have it)."""
    rows = _on(conn_or_engine, select(people.c.login).where(people.c.phone == phone))
    return rows[0].login if len(rows) == 1 else None


def person_row(conn_or_engine: Connection | Engine, login: str) -> dict[str, Any] | None:
    rows = _on(conn_or_engine, select(people).where(people.c.login == login))
    if not rows:
        return None
    r = rows[0]
    return {
        "login": r.login,
        "name": r.name,
        "role": r.role,
        "townships": [t for t in r.townships.split("\n") if t],
        "disabled": bool(r.disabled),
    }


def display_names(conn_or_engine: Connection | Engine) -> dict[str, str]:
    """login → 姓名 of every person."""
    return {r.login: r.name for r in _on(conn_or_engine, select(people.c.login, people.c.name))}


def display_actor(actor: str | None, names: dict[str, str]) -> str:
    """What to print for an event's ``actor``: ``login`` → 姓名; ``login@token`` →
    ``姓名（接口）``; anything else as it is."""
    if not actor:
        return ""
    if actor in names:
        return names[actor]
    login, at, _token = actor.partition("@")
    if at and login in names:
        return f"{names[login]}（接口）"
    return actor
