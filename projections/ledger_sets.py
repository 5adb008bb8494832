"""The ledger's frequent rows built set-based, for the rebuild's replay path.

An entry's row, its lines and its month's movements follow from its event alone (an
``EntryPosted``, or one of its kinds posted inside another fact, and every voucher of a
``VouchersPosted``): the replay (``projections.replay``) has them made by the database itself,
``INSERT … SELECT`` over the stored JSON of a page's events (SQLite's ``json_each``,
PostgreSQL's ``jsonb``), in the transaction of the page, before the page's events go through
the projections in Python, which then leave these events' rows alone
(``LedgerProjection.covered``). What else touches these tables (a reversal, with the mark on
the entry it reverses; a year reopened, naming its entries' source) is applied in Python in the
order of the log, after the page's entries exist, as it would find them in the pull loop;
monthly movements are sums, so the order they are added in does not matter.

The statements give the rows the Python handlers give (``tests/integration/test_replay.py``
compares every table on both stores): an entity's code from the entities already applied or
from its registration in the page, amounts as whole fen from their stored two-place text, dates
and timestamps as the page writer stores them. A value of another form gives NULL, which a
``NOT NULL`` column refuses: the page fails, and the pull loop applies it in Python.

Only where the stored state is plain JSON (no cipher, no compressor) and the event table is in
the read models' database (the rebuild in place and into a shadow, not a scratch database).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

# the last part of a topic whose rows are made here (``LedgerProjection`` handles them alike)
ENTRY_KINDS = ("EntryPosted", "CapitalContributed", "CapitalRefunded", "GrantReceived")
BATCH = "VouchersPosted"
SET_BASED = frozenset((*ENTRY_KINDS, BATCH))
_BOOKS = ("VillageCollective", "JointEntity")  # ``*.Registered`` naming a books' code

# -- SQLite ---------------------------------------------------------------------------------

_SQLITE_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS replay_events "
    "(position INTEGER, batch INTEGER, code TEXT, s TEXT, source TEXT, actor TEXT, moment TEXT)",
    "CREATE TEMP TABLE IF NOT EXISTS replay_lines (entity_code TEXT, number TEXT, line INTEGER, "
    "account TEXT, side TEXT, amount_fen INTEGER, memo TEXT, month TEXT)",
    "DELETE FROM temp.replay_events",
    "DELETE FROM temp.replay_lines",
)


def _sqlite_fen(a: str) -> str:
    """Whole fen of the two-place text ``a`` (``ledger.money.text_fen``'s common case), else
    NULL."""
    digits = f"(substr({a}, 1, length({a}) - 3) || substr({a}, -2))"
    return (
        f"(CASE WHEN substr({a}, -3, 1) = '.' AND length({a}) > 3 "
        f"AND trim({digits}, '-0123456789') = '' AND substr({digits}, 2) NOT GLOB '*-*' "
        f"THEN CAST({digits} AS INTEGER) END)"
    )


def _sqlite_moment(t: str) -> str:
    """``PageWriter.moment`` on SQLite: the clock fields as written, no offset; else NULL."""
    day_time = f"substr({t}, 1, 10) || ' ' || substr({t}, 12, 8)"
    return (
        f"(CASE WHEN length({t}) >= 19 AND substr({t}, 11, 1) = 'T' THEN CASE "
        f"WHEN substr({t}, 20, 1) = '.' AND substr({t}, 21, 6) GLOB '{'[0-9]' * 6}'"
        f" AND substr({t}, 27, 1) NOT GLOB '[0-9]' THEN {day_time} || '.' || substr({t}, 21, 6) "
        f"WHEN substr({t}, 20, 1) IN ('+', '-', 'Z', '') THEN {day_time} || '.000000' END END)"
    )


def _sqlite_kinds(names: frozenset[str], sep: str) -> str:
    return "(" + " OR ".join(f"topic GLOB '*{sep}{n}'" for n in sorted(names)) + ")"


def _sqlite_statements(events: str) -> list[str]:
    entry = "json_extract(s, '$.entry._data_.{}')"
    day = f"coalesce({entry.format('date._data_')}, {entry.format('date')})"
    amount = (
        "coalesce(json_extract(p.value, '$._data_.amount._data_'), "
        "json_extract(p.value, '$._data_.amount'))"
    )
    source = (
        "coalesce(nullif(json_extract(s, '$.source'), ''), CASE "
        "WHEN e.topic GLOB '*[.:]CapitalContributed' "
        "THEN 'capital:' || json_extract(s, '$.village') "
        "WHEN e.topic GLOB '*[.:]GrantReceived' "
        "THEN 'grant:' || json_extract(s, '$.programme') END)"
    )
    books = "(" + " OR ".join(f"e.topic GLOB '*:{b}.Registered'" for b in _BOOKS) + ")"
    moment = _sqlite_moment("json_extract(s, '$.timestamp._data_')")
    debits = (
        f"coalesce((SELECT sum({_sqlite_fen(amount)}) "
        "FROM json_each(s, '$.entry._data_.postings') p "
        "WHERE json_extract(p.value, '$._data_.side') = 'debit'), 0)"
    )
    return [
        *_SQLITE_TEMP,
        # the page's events of these kinds, each with its books' code
        # (read once per event: a batch's vouchers would parse its whole state again each)
        "INSERT INTO temp.replay_events (position, batch, code, s, source, actor, moment) "
        f"SELECT e.position, e.topic GLOB '*[.:]{BATCH}', c.code, s, {source}, "
        f"json_extract(s, '$.actor'), {moment} FROM ("
        "SELECT rowid AS position, originator_id, topic, CAST(state AS TEXT) AS s "
        f"FROM {events} e WHERE e.rowid > ? AND e.rowid <= ? "
        f"AND {_sqlite_kinds(SET_BASED, '[.:]')}) e JOIN ("
        "SELECT replace(aggregate_id, '-', '') AS oid, code FROM lz_entities UNION "
        "SELECT e.originator_id, json_extract(CAST(e.state AS TEXT), '$.code') "
        f"FROM {events} e WHERE e.rowid > ? AND e.rowid <= ? AND {books}"
        ") c ON c.oid = e.originator_id",
        # their lines, with the month each counts in
        "INSERT INTO temp.replay_lines "
        f"SELECT code, {entry.format('number')}, p.key + 1, "
        "json_extract(p.value, '$._data_.account'), json_extract(p.value, '$._data_.side'), "
        f"{_sqlite_fen(amount)}, json_extract(p.value, '$._data_.memo'), substr({day}, 1, 7) "
        "FROM temp.replay_events, json_each(s, '$.entry._data_.postings') p WHERE batch = 0 "
        "UNION ALL "
        "SELECT code, json_extract(v.value, '$[0]'), l.key + 1, json_extract(l.value, '$[0]'), "
        "CASE WHEN coalesce(json_extract(l.value, '$[1]'), 0) <> 0 THEN 'debit' ELSE 'credit' END, "
        "CASE WHEN coalesce(json_extract(l.value, '$[1]'), 0) <> 0 "
        "THEN json_extract(l.value, '$[1]') ELSE json_extract(l.value, '$[2]') END, "
        "CASE WHEN json_array_length(l.value) > 3 THEN json_extract(l.value, '$[3]') ELSE '' END, "
        "substr(json_extract(v.value, '$[1]'), 1, 7) "
        "FROM temp.replay_events, json_each(s, '$.vouchers') v, json_each(v.value, '$[3]') l "
        "WHERE batch = 1",
        "INSERT INTO lz_entry_lines (entity_code, number, line, account, side, amount_fen, memo) "
        "SELECT entity_code, number, line, account, side, amount_fen, memo "
        "FROM temp.replay_lines",
        "INSERT INTO lz_account_months (entity_code, account, month, debit_fen, credit_fen) "
        "SELECT entity_code, account, month, "
        "sum(CASE WHEN side = 'debit' THEN amount_fen ELSE 0 END), "
        "sum(CASE WHEN side = 'debit' THEN 0 ELSE amount_fen END) "
        "FROM temp.replay_lines WHERE true GROUP BY entity_code, account, month "
        "ON CONFLICT (entity_code, account, month) DO UPDATE SET "
        "debit_fen = debit_fen + excluded.debit_fen, "
        "credit_fen = credit_fen + excluded.credit_fen",
        "INSERT INTO lz_entries (entity_code, number, date, memo, reverses, reversed_by, reason, "
        "source, actor, recorded_at, total_fen, position) "
        f"SELECT code, {entry.format('number')}, {day}, {entry.format('memo')}, "
        f"{entry.format('reverses')}, NULL, NULL, source, actor, moment, {debits}, position "
        "FROM temp.replay_events WHERE batch = 0 "
        "UNION ALL "
        "SELECT code, json_extract(v.value, '$[0]'), json_extract(v.value, '$[1]'), "
        "json_extract(v.value, '$[2]'), NULL, NULL, NULL, NULL, actor, moment, "
        "coalesce((SELECT sum(json_extract(l.value, '$[1]')) "
        "FROM json_each(v.value, '$[3]') l), 0), position "
        "FROM temp.replay_events, json_each(s, '$.vouchers') v WHERE batch = 1",
        "DELETE FROM temp.replay_events",
        "DELETE FROM temp.replay_lines",
    ]


# -- PostgreSQL -----------------------------------------------------------------------------

_PG_TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS replay_entries (position bigint, batch boolean, "
    "code text, number text, day text, memo text, reverses text, source text, actor text, "
    "moment text, total bigint, lines jsonb) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS replay_lines (entity_code text, number text, line integer, "
    "account text, side text, amount_fen bigint, memo text, month text) ON COMMIT DELETE ROWS",
    "DELETE FROM pg_temp.replay_entries",
    "DELETE FROM pg_temp.replay_lines",
)


def _pg_fen(a: str) -> str:
    """Whole fen of the two-place text ``a``; NULL (or a refused cast) otherwise."""
    return (
        f"(CASE WHEN substr({a}, length({a}) - 2, 1) = '.' AND length({a}) > 3 "
        f"THEN (left({a}, -3) || right({a}, 2))::bigint END)"
    )


def _pg_statements(events: str) -> list[str]:
    kinds = "|".join(sorted(SET_BASED))
    books = "|".join(_BOOKS)
    entry = "s->'entry'->'_data_'"
    amount = "coalesce(p.v->'_data_'->'amount'->>'_data_', p.v->'_data_'->>'amount')"
    source = (
        "coalesce(nullif(s->>'source', ''), CASE "
        "WHEN topic ~ '[.:]CapitalContributed$' THEN 'capital:' || (s->>'village') "
        "WHEN topic ~ '[.:]GrantReceived$' THEN 'grant:' || (s->>'programme') END)"
    )
    debit = "coalesce((l.v->>1)::bigint, 0) <> 0"
    return [
        *_PG_TEMP,
        # one row per entry: an event's, or each voucher of a batch; the states parsed once,
        # kept in memory (a temporary table would store them compressed, and every voucher
        # read would decompress its whole batch again)
        "WITH ev AS MATERIALIZED (SELECT e.notification_id AS position, e.topic, c.code, e.s "
        "FROM (SELECT notification_id, originator_id, topic, "
        "convert_from(state, 'UTF8')::jsonb AS s "
        f"FROM {events} WHERE notification_id > %(lo)s AND notification_id <= %(hi)s "
        f"AND topic ~ '[.:]({kinds})$') e JOIN ("
        "SELECT aggregate_id::uuid AS oid, code FROM lz_entities UNION "
        "SELECT originator_id, convert_from(state, 'UTF8')::jsonb->>'code' "
        f"FROM {events} WHERE notification_id > %(lo)s AND notification_id <= %(hi)s "
        f"AND topic ~ ':({books})\\.Registered$'"
        ") c ON c.oid = e.originator_id) "
        "INSERT INTO pg_temp.replay_entries "
        f"SELECT position, false, code, {entry}->>'number', "
        f"coalesce({entry}->'date'->>'_data_', {entry}->>'date'), {entry}->>'memo', "
        f"{entry}->>'reverses', {source}, s->>'actor', s->'timestamp'->>'_data_', "
        f"coalesce((SELECT sum({_pg_fen(amount)}) FROM jsonb_array_elements({entry}->'postings') "
        "p(v) WHERE p.v->'_data_'->>'side' = 'debit'), 0), "
        f"{entry}->'postings' FROM ev WHERE topic !~ '[.:]{BATCH}$' "
        "UNION ALL "
        "SELECT position, true, code, v.v->>0, v.v->>1, v.v->>2, NULL, NULL, s->>'actor', "
        "s->'timestamp'->>'_data_', "
        "coalesce((SELECT sum((l.v->>1)::bigint) FROM jsonb_array_elements(v.v->3) l(v)), 0), "
        f"v.v->3 FROM ev, jsonb_array_elements(s->'vouchers') v(v) WHERE topic ~ '[.:]{BATCH}$'",
        # their lines, with the month each counts in
        "INSERT INTO pg_temp.replay_lines "
        "SELECT code, number, p.i, p.v->'_data_'->>'account', p.v->'_data_'->>'side', "
        f"{_pg_fen(amount)}, p.v->'_data_'->>'memo', left(day, 7) "
        "FROM pg_temp.replay_entries, jsonb_array_elements(lines) WITH ORDINALITY p(v, i) "
        "WHERE NOT batch "
        "UNION ALL "
        f"SELECT code, number, l.i, l.v->>0, CASE WHEN {debit} THEN 'debit' ELSE 'credit' END, "
        f"CASE WHEN {debit} THEN (l.v->>1)::bigint ELSE (l.v->>2)::bigint END, "
        "CASE WHEN jsonb_array_length(l.v) > 3 THEN l.v->>3 ELSE '' END, left(day, 7) "
        "FROM pg_temp.replay_entries, jsonb_array_elements(lines) WITH ORDINALITY l(v, i) "
        "WHERE batch",
        "INSERT INTO lz_entry_lines (entity_code, number, line, account, side, amount_fen, memo) "
        "SELECT entity_code, number, line, account, side, amount_fen, memo "
        "FROM pg_temp.replay_lines",
        "INSERT INTO lz_account_months AS m (entity_code, account, month, debit_fen, credit_fen) "
        "SELECT entity_code, account, month, "
        "sum(CASE WHEN side = 'debit' THEN amount_fen ELSE 0 END), "
        "sum(CASE WHEN side = 'debit' THEN 0 ELSE amount_fen END) "
        "FROM pg_temp.replay_lines GROUP BY entity_code, account, month "
        "ON CONFLICT (entity_code, account, month) DO UPDATE SET "
        "debit_fen = m.debit_fen + excluded.debit_fen, "
        "credit_fen = m.credit_fen + excluded.credit_fen",
        "INSERT INTO lz_entries (entity_code, number, date, memo, reverses, reversed_by, reason, "
        "source, actor, recorded_at, total_fen, position) "
        "SELECT code, number, day::date, memo, reverses, NULL, NULL, source, actor, "
        "moment::timestamptz, total, position FROM pg_temp.replay_entries",
    ]


_STATEMENTS: dict[tuple[str, str], list[str]] = {}


def build(conn: Connection, events: str, lo: int, hi: int) -> None:
    """The entries, lines and monthly movements of the events after ``lo`` up to ``hi`` of
    the kinds ``SET_BASED``, written by the database (see the module docstring)."""
    dialect = conn.dialect.name
    statements = _STATEMENTS.get((dialect, events))
    if statements is None:
        make = _pg_statements if dialect == "postgresql" else _sqlite_statements
        statements = _STATEMENTS[(dialect, events)] = make(events)
    for sql in statements:
        params: Any
        if dialect == "postgresql":
            params = {"lo": lo, "hi": hi} if "%(lo)s" in sql else None
        else:
            params = (lo, hi, lo, hi) if sql.count("?") == 4 else None
        if params is None:
            conn.exec_driver_sql(sql)
        else:
            conn.exec_driver_sql(sql, params)


def plain(mapper: Any) -> bool:
    """Whether the stored states are plain JSON the database can read."""
    return getattr(mapper, "cipher", None) is None and getattr(mapper, "compressor", None) is None
