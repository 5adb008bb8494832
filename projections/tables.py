"""Read-model tables (SQLAlchemy 2 Core), kept in the same database as the events.

Amounts are stored as whole fen in BIGINT columns: exact on SQLite (which has no decimal type)
and on PostgreSQL alike; they become ``Money`` again at the edge of every query.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per projection: the last notification id it applied. Written in the same transaction
# as the rows the events produced, and only if it still holds the position the batch started
# from, so every event is applied exactly once, also when two processes catch up at once.
tracking = Table(
    "lz_tracking",
    metadata,
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

alliances = Table(
    "lz_alliances",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("township", Text, nullable=False),
    Column("county", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("formed_on", Date, nullable=False),
    Column("joint_entity_code", String(32)),
)

alliance_members = Table(
    "lz_alliance_members",
    metadata,
    Column("alliance_code", String(32), primary_key=True),
    Column("village_code", String(32), primary_key=True),
    Column("joined_on", Date, primary_key=True),
    Column("left_on", Date),
    Column("reason", Text),
)

enterprises = Table(
    "lz_enterprises",
    metadata,
    Column("alliance_code", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("joined_on", Date, nullable=False),
)

entities = Table(
    "lz_entities",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # village | joint
    Column("name", Text, nullable=False),
    Column("township", Text, nullable=False),
    Column("county", Text, nullable=False),
    Column("alliance_code", String(32)),
    Column("population", Integer),
    Column("households", Integer),
    Column("flags", Text, nullable=False, default=""),  # comma-separated, sorted
    Column("opening_date", Date),
    Column("closed_through", String(7)),
    Column("registered_by", Text, nullable=False),
)

entries = Table(
    "lz_entries",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("number", String(16), primary_key=True),
    Column("date", Date, nullable=False, index=True),
    Column("memo", Text, nullable=False),
    Column("reverses", String(16)),
    Column("reversed_by", String(16)),
    Column("reason", Text),
    Column("actor", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("total_fen", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
)

entry_lines = Table(
    "lz_entry_lines",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("number", String(16), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("account", String(32), nullable=False),
    Column("side", String(6), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("memo", Text, nullable=False),
)

# Debit and credit movements per entity, account and month (red ink counts negative).
account_months = Table(
    "lz_account_months",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("account", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("debit_fen", BigInteger, nullable=False),
    Column("credit_fen", BigInteger, nullable=False),
)

# Opening balances, signed: a debit balance is positive, a credit balance negative.
opening_balances = Table(
    "lz_opening_balances",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("account", String(32), primary_key=True),
    Column("balance_fen", BigInteger, nullable=False),
)

LEDGER_TABLES = (
    alliances,
    alliance_members,
    enterprises,
    entities,
    entries,
    entry_lines,
    account_months,
    opening_balances,
)
