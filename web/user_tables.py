"""The tables of people's passwords, sessions and failed logins (``web.users``,
``web.lockout``): their own ``MetaData``, not the read models', so a rebuild never drops them."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

users_metadata = MetaData()

credentials = Table(
    "lz_credentials",
    users_metadata,
    Column("login", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    # failures since the last good login, from every address (web.lockout: slows, never locks)
    Column("failures", Integer, nullable=False, default=0),
    # no password check of this login before then (web.lockout.GLOBAL_INTERVAL)
    Column("locked_until", DateTime(timezone=True)),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "lz_sessions",
    users_metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("login", String(64), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)
