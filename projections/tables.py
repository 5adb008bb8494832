"""Read-model tables (SQLAlchemy 2 Core), kept in the same database as the events.

Amounts are stored as whole fen in BIGINT columns: exact on SQLite (which has no decimal type)
and on PostgreSQL alike; they become ``Money`` again at the edge of every query.

The tables the ledger, economy and audit read models share live here; a read model of its own
(``people_view``, ``voucher_view``, a new capability's) defines its tables beside it on this one
``metadata`` and joins ``projections.registry``.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    or_,
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
    Column("source", Text),  # what made the system post it: plan:P1, capital:J01 …
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
    Column("account", String(40), nullable=False),
    Column("side", String(6), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("memo", Text, nullable=False),
    # a village's lines by account code: the sheet's income, expenditure and cash movements
    # (``under_accounts``) read a few lines among a large village's thousands of 211 lines
    Index("lz_entry_lines_account", "entity_code", "account"),
)

# How an entry line joins its entry: ``select(...).join(entries, LINE_OF_ENTRY)``.
# SQLite: a table the online rebuild renamed into place keeps its shadow's index names, one of
# two per index (``projections.shadow``): the name, or the name and this
SQLITE_SECOND_INDEX = "__b"

LINE_OF_ENTRY = and_(
    entries.c.entity_code == entry_lines.c.entity_code,
    entries.c.number == entry_lines.c.number,
)

# Debit and credit movements per entity, account and month (red ink counts negative).
account_months = Table(
    "lz_account_months",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("account", String(40), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("debit_fen", BigInteger, nullable=False),
    Column("credit_fen", BigInteger, nullable=False),
)

# Opening balances, signed: a debit balance is positive, a credit balance negative.
opening_balances = Table(
    "lz_opening_balances",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("account", String(40), primary_key=True),
    Column("balance_fen", BigInteger, nullable=False),
)

# 建账 during a year (domain/books/setup.py): per entity and account the balance at the start of
# the year (debit positive) and the debits and credits of the year before the books' first
# month, which the statements count in ``month``, the month before it
# (``projections.opening_years``). Gone when opening balances are set again.
opening_years = Table(
    "lz_opening_years",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("account", String(40), primary_key=True),
    Column("month", String(7), nullable=False),
    Column("year_start_fen", BigInteger, nullable=False),
    Column("debit_fen", BigInteger, nullable=False),
    Column("credit_fen", BigInteger, nullable=False),
)

# Sub-accounts opened in each set of books (by a clerk, or by the operation that needed them:
# ``source`` names it, as entries do). Sub-accounts older books used without opening them have
# no row; they are listed from their movements under the chart's fallback name.
accounts = Table(
    "lz_accounts",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("code", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent", String(3), nullable=False),
    Column("source", Text),
    Column("actor", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

# What a sub-account a clerk opened is kept for (domain.books.chart.KINDS), when they said.
account_kinds = Table(
    "lz_account_kinds",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("code", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
)

# Year-end closings (年终结转) per entity and year: the latest closing or reopening of each.
year_closings = Table(
    "lz_year_closings",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("state", String(10), nullable=False),  # closed | reopened
    Column("entries", Text, nullable=False),  # the closing entries' numbers, comma-separated
    Column("balances", Text, nullable=False),  # JSON: account → fen carried into the next year
    Column("closed_by", Text, nullable=False),
    Column("closed_position", BigInteger, nullable=False),
    Column("reopened_by", Text),
    Column("reason", Text),
    Column("reversals", Text),  # the reopening's red-ink entries, comma-separated
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
    opening_years,
    accounts,
    account_kinds,
    year_closings,
)

# -- the alliance economy: equity register, agreements, member registers, plans -------------------

equity_capital = Table(
    "lz_equity_capital",
    metadata,
    Column("joint_code", String(32), primary_key=True),
    Column("entry_number", String(16), primary_key=True),
    Column("village_code", String(32), nullable=False),
    Column("programme", String(16), nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
)

land_shares = Table(
    "lz_land_shares",
    metadata,
    Column("joint_code", String(32), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("village_code", String(32), nullable=False),
    Column("date", Date, nullable=False),
    Column("mu", Text, nullable=False),
    Column("grade", Text, nullable=False),
    Column("value_per_mu_fen", BigInteger, nullable=False),
    Column("term_years", Integer, nullable=False),
)

grants = Table(
    "lz_grants",
    metadata,
    Column("joint_code", String(32), primary_key=True),
    Column("entry_number", String(16), primary_key=True),
    Column("programme", String(16), nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
)

agreements = Table(
    "lz_agreements",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("alliance_code", String(32), nullable=False),
    Column("joint_entity_code", String(32), nullable=False),
    Column("enterprise_code", String(32), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("start_year", Integer, nullable=False),
    Column("years", Integer, nullable=False),
    Column("invested_fen", BigInteger, nullable=False),
    Column("guarantee_kind", String(8), nullable=False),
    Column("guarantee_value", Text, nullable=False),
    Column("profit_share_percent", Text, nullable=False),
    Column("payment_due", String(5), nullable=False),
)

agreement_payments = Table(
    "lz_agreement_payments",
    metadata,
    Column("agreement_code", String(32), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # declared | received
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
)

registers = Table(
    "lz_registers",
    metadata,
    Column("village_code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("share_kinds", Text, nullable=False),  # JSON list
)

households = Table(
    "lz_households",
    metadata,
    Column("village_code", String(32), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("head", Text, nullable=False),
    Column("registered_on", Date, nullable=False),
)

members = Table(
    "lz_members",
    metadata,
    Column("village_code", String(32), primary_key=True),
    Column("number", String(32), primary_key=True),
    Column("household", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date),
    Column("left_reason", Text),
)

member_shares = Table(
    "lz_member_shares",
    metadata,
    Column("village_code", String(32), primary_key=True),
    Column("member", String(32), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("effective", Date, nullable=False),
    Column("shares", Text, nullable=False),  # JSON {kind: units}
    Column("reason", Text),
)

plans = Table(
    "lz_plans",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("scope", String(16), nullable=False),
    Column("payer", String(32), nullable=False),
    Column("alliance_code", String(32)),
    Column("township", Text, nullable=False),
    Column("period", String(16), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("distributable_fen", BigInteger, nullable=False),
    Column("rule", Text, nullable=False),  # JSON: the full rule document with its inputs
    Column("result", Text, nullable=False),  # JSON: the allocation document
    Column("deduction_accounts", Text, nullable=False),  # JSON
    Column("supersedes", String(32)),
    Column("superseded_by", String(32)),
    Column("executed_on", Date),
    Column("rejection", Text),
    Column("drafted_by", Text, nullable=False),
)

# who asked for a plan's execution and for when (提请执行; kept once executed: the
# payouts' 制单), beside ``lz_plans``: a table of its own, so read models built before it read
plan_requests = Table(
    "lz_plan_requests",
    metadata,
    Column("plan_code", String(32), primary_key=True),
    Column("actor", Text, nullable=False),
    Column("requested_on", Date, nullable=False),
)

plan_steps = Table(
    "lz_plan_steps",
    metadata,
    Column("plan_code", String(32), primary_key=True),
    Column("step", String(16), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("date", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("expected", Integer),
    Column("present", Integer),
    Column("votes_for", Integer),
    Column("votes_against", Integer),
    Column("abstentions", Integer),
    Column("assembly", String(16)),
    Column("merged", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("actor", Text, nullable=False),
)

plan_lines = Table(
    "lz_plan_lines",
    metadata,
    Column("plan_code", String(32), primary_key=True),
    Column("party", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("tiers", Text, nullable=False),  # JSON {tier: amount}
    Column("adjustment_fen", BigInteger, nullable=False),
    Column("total_fen", BigInteger, nullable=False),
)

plan_entries = Table(
    "lz_plan_entries",
    metadata,
    Column("plan_code", String(32), primary_key=True),
    Column("entity_code", String(32), primary_key=True),
    Column("number", String(16), primary_key=True),
    Column("kind", String(8), nullable=False),  # posted | reversal
)

sheets = Table(
    "lz_sheets",
    metadata,
    Column("village_code", String(32), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("content", Text, nullable=False),  # the canonical JSON that was published
    Column("checked_by", Text, nullable=False),
    Column("checked_on", Date, nullable=False),
    Column("replaces", Integer),
    Column("reason", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

plan_comparisons = Table(
    "lz_plan_comparisons",
    metadata,
    Column("plan_code", String(32), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("for_step", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("content", Text, nullable=False),  # the comparison shown (canonical JSON)
    Column("attached_by", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

ECONOMY_TABLES = (
    equity_capital,
    land_shares,
    grants,
    agreements,
    agreement_payments,
    registers,
    households,
    members,
    member_shares,
    plans,
    plan_steps,
    plan_lines,
    plan_entries,
    plan_comparisons,
    plan_requests,
    sheets,
)

# -- audit: the hash chain over the log, and who did what ------------------------------------------

chain = Table(
    "lz_chain",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("previous", String(64), nullable=False),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("topic", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
)

aggregates = Table(
    "lz_aggregates",
    metadata,
    Column("aggregate_id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("code", Text, nullable=False),
    Column("entity", String(32)),  # the books it concerns, for filtering the trail
)

audit_trail = Table(
    "lz_audit_trail",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", Text, nullable=False),
    Column("command", Text, nullable=False),
    Column("aggregate_kind", String(32), nullable=False),
    Column("aggregate_code", Text, nullable=False),
    Column("entity", String(32), index=True),
    Column("reason", Text),
    Column("detail", Text, nullable=False),
)

AUDIT_TABLES = (chain, aggregates, audit_trail)


@functools.lru_cache(maxsize=256)
def under_accounts(column: Any, prefixes: tuple[str, ...]) -> Any:
    """``column`` (an account code) under any of ``prefixes``, as ranges on the code
    (``'211' <= code < '212'``; adjacent prefixes, 501 to 504, one range ``'501' <= code <
    '505'``): compared, not matched with ``LIKE`` per row, and read through an index on the
    code. The prefix test stays beside each range, so a collation that orders codes other than
    byte by byte (a locale's, on PostgreSQL) cannot widen the match. Built once per column and
    prefixes (an expression is immutable; building one costs more than running the query on a
    small village)."""
    if any(not p for p in prefixes):
        return column.is_not(None)
    groups: list[tuple[str, str, list[str]]] = []  # (from, before, the prefixes it covers)
    for prefix in sorted(set(prefixes)):
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        if groups and groups[-1][1] == prefix:
            groups[-1] = (groups[-1][0], after, [*groups[-1][2], prefix])
        else:
            groups.append((prefix, after, [prefix]))
    return or_(
        *(
            and_(column >= low, column < high, or_(*(column.startswith(p) for p in covered)))
            for low, high, covered in groups
        )
    )


def secondary_indexes(table: Table) -> list[Index]:
    """The indexes of ``table`` a replay can build after the rows: those no constraint needs
    (a unique constraint is part of the table and checked on every row)."""
    return sorted((i for i in table.indexes if not i.unique), key=lambda i: str(i.name))
