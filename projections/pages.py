"""What a projection is given and what it writes with, one page at a time, so a
projection decodes each event once and writes in batches, not row by row.

``Stored`` is one stored event as the projections see it: its position, identity, topic and
stored bytes, with the state parsed once (plain ``json.loads``, no transcodings) for the views
that read a few fields of a frequent event, and the library's domain event decoded only when a
view asks for it (``.event``: the rare events with rich payloads). Values were checked when
they were written (``domain.bounds``, the ledger's rules); a view does not check them again:
an amount is read as whole fen straight from its stored two-place string.

``PageWriter`` collects a page's rows in memory and writes them with one executemany per
table at the end of the page (``flush``). An update of a row still in memory changes it there;
an update of a row already written is queued and written with one executemany per kind of
update after the inserts; a delete drops rows of the page from memory and deletes the older
ones before the inserts. ``execute`` is for the rare statement that must see everything
before it (a read, a delete, a conditional update): it flushes first, so the order of the log
is kept.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Executable

from ledger.money import text_fen
from projections.tables import metadata

# The order a page writes its tables in (dependency order, then by name). Read models define
# their tables beside them, some after this module is imported: the order is worked out again
# when a table it has not seen comes along (the order of the others does not change).
_TABLE_ORDER: dict[Table, int] = {}


def _table_order(table: Table) -> int:
    if table not in _TABLE_ORDER:
        _TABLE_ORDER.update({t: i for i, t in enumerate(metadata.sorted_tables)})
    return _TABLE_ORDER[table]


class _FloatFound(Exception):
    """A float, NaN or Infinity in a stored state."""


def _refuse_float(text: str) -> Any:
    raise _FloatFound(text)


try:
    import orjson as _orjson
except ImportError:  # optional: the standard library parses the same values
    _orjson = None  # type: ignore[assignment]

# the standard parser, told to stop at a float: it calls these only for such tokens
_NO_FLOATS = json.JSONDecoder(parse_float=_refuse_float, parse_constant=_refuse_float)


def dashed(originator_id: Any) -> str:
    """The uuid as text with dashes (SQLite stores it as 32 hex digits, PostgreSQL as uuid)."""
    if isinstance(originator_id, str) and len(originator_id) == 32:
        h = originator_id
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return str(originator_id)


class Stored:
    """One stored event for the projections (see the module docstring)."""

    __slots__ = (
        "_event",
        "_mapper",
        "_state",
        "data",
        "floats",
        "name",
        "originator_id",
        "originator_version",
        "position",
        "topic",
        "total",
    )

    def __init__(
        self,
        position: int,
        originator_id: str,
        originator_version: int,
        topic: str,
        data: bytes,
        mapper: Any,
    ) -> None:
        self.position = position
        self.originator_id = originator_id
        self.originator_version = originator_version
        self.topic = topic
        self.data = data
        self.name = topic.rpartition(":")[2]  # Books.EntryPosted
        self._state: dict[str, Any] | None = None
        self.total: int | None = None  # its entry's debits in fen, once a view summed them
        self.floats = False  # whether its state holds a float (see ``state``)
        self._event: Any = None
        self._mapper = mapper

    @classmethod
    def of(cls, notification: Any, mapper: Any) -> Stored:
        """From a library notification (the pull loop's pages)."""
        return cls(
            notification.id,
            str(notification.originator_id),
            notification.originator_version,
            notification.topic,
            notification.state,
            mapper,
        )

    @property
    def plain(self) -> bytes:
        """The state's JSON bytes (decrypted and decompressed, when the store does that)."""
        data = self.data
        mapper = self._mapper
        if mapper is not None and (mapper.cipher is not None or mapper.compressor is not None):
            if mapper.cipher is not None:
                data = mapper.cipher.decrypt(data)
            if mapper.compressor is not None:
                data = mapper.compressor.decompress(data)
        return bytes(data)

    @property
    def state(self) -> dict[str, Any]:
        """The stored state parsed as plain JSON: typed values stay ``{"_type_", "_data_"}``.
        ``floats`` says whether it holds a float (or NaN, Infinity) that orjson may write
        otherwise than the standard library: no event does, amounts and decimals are strings,
        but the chain's fast encoder is used only when none is there."""
        if self._state is None:
            plain = self.plain
            if _orjson is not None:
                # orjson parses faster; its unsorted encoding giving back the stored bytes
                # shows every number and string is written as both encoders write it
                try:
                    state = _orjson.loads(plain)
                    if _orjson.dumps(state) == plain:
                        self._state = state
                        return state
                except (ValueError, TypeError):  # orjson.JSONDecodeError/JSONEncodeError
                    pass
            text = plain.decode("utf-8")
            try:
                self._state = _NO_FLOATS.decode(text)
            except _FloatFound:
                self._state = json.loads(text)
                self.floats = True
        return self._state

    @property
    def event(self) -> Any:
        """The domain event, decoded by the library (for the views of rare, rich events)."""
        if self._event is None:
            from eventsourcing.persistence import StoredEvent

            self._event = self._mapper.to_domain_event(
                StoredEvent(
                    originator_id=uuid.UUID(self.originator_id),
                    originator_version=self.originator_version,
                    topic=self.topic,
                    state=self.data,
                )
            )
        return self._event

    def get(self, field: str, default: Any = None) -> Any:
        return self.state.get(field, default)


# -- reading stored values without decoding them ----------------------------------------------


def data(value: Any) -> Any:
    """The ``_data_`` of a typed value: ``{"_type_": "cny", "_data_": "8.00"}`` → ``"8.00"``."""
    if type(value) is dict and "_type_" in value:
        return value["_data_"]
    return value


def fen(value: Any) -> int:
    """Whole fen of a stored amount (``"8.00"`` or its typed form): ``ledger.money.text_fen``."""
    return text_fen(value["_data_"] if type(value) is dict else value)


def entry_total(event: Stored) -> int:
    """The debit total of the event's journal entry, in fen (summed once per event)."""
    if event.total is None:
        event.total = sum(
            fen(p["_data_"]["amount"])
            for p in event.state["entry"]["_data_"]["postings"]
            if p["_data_"]["side"] == "debit"
        )
    return event.total


# -- the page writer -------------------------------------------------------------------------


_INSERTS: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[tuple[int, Any]] | None]] = {}


def _insert_sql(
    dialect: Any, table: Table, keys: tuple[str, ...]
) -> tuple[str, list[tuple[int, Any]] | None]:
    """The INSERT for ``keys`` of ``table`` in the driver's own form, and the type conversions
    SQLAlchemy would apply to each value (dates on SQLite): rows then go to the driver's
    executemany as plain tuples, without SQLAlchemy's work per row."""
    cache = (dialect.name, table.name, keys)
    found = _INSERTS.get(cache)
    if found is None:
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)} "
            f"({', '.join(quote(k) for k in keys)}) VALUES ({', '.join(mark for _ in keys)})"
        )
        processors = [
            (i, process)
            for i, k in enumerate(keys)
            if (process := table.c[k].type._cached_bind_processor(dialect)) is not None
        ]
        found = _INSERTS[cache] = (sql, processors or None)
    return found


_PRIMARY_KEYS: dict[Table, tuple[str, ...]] = {}


def _primary_key(table: Table) -> tuple[str, ...]:
    names = _PRIMARY_KEYS.get(table)
    if names is None:
        names = _PRIMARY_KEYS[table] = tuple(c.name for c in table.primary_key.columns)
    return names


class PageWriter:
    """Collects a page's rows and writes them set-based (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._rows: dict[Table, list[dict[str, Any]]] = {}
        self._tuples: dict[tuple[Table, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self._index: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}
        self._updates: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], list[Any]] = {}
        self._deletes: dict[tuple[Table, tuple[str, ...]], list[Any]] = {}
        self.statements = 0  # executed, for the benchmark's notes
        self._sqlite = conn.dialect.name == "sqlite"
        self._postgres = conn.dialect.name == "postgresql"
        self._moments: dict[str, Any] = {}  # stored timestamp → column value, for the page

    def day(self, text: str) -> Any:
        """A stored ISO date for a Date column: as it is on SQLite (SQLAlchemy stores dates
        there as the same ``YYYY-MM-DD`` text), a ``date`` elsewhere."""
        return text if self._sqlite else datetime.date.fromisoformat(text)

    def moment(self, text: str) -> Any:
        """A stored ISO timestamp for a DateTime column: on SQLite the text SQLAlchemy stores
        (``YYYY-MM-DD HH:MM:SS.ffffff``, the clock fields as written, no offset), elsewhere a
        ``datetime``; converted once per page (each event has three such columns)."""
        value = self._moments.get(text)
        if value is None:
            value = self._moments[text] = self._convert_moment(text)
        return value

    def _convert_moment(self, text: str) -> Any:
        if not self._sqlite:
            return datetime.datetime.fromisoformat(text)
        if len(text) >= 19 and text[10] == "T":
            rest = text[19:]
            if rest[:1] == "." and rest[1:7].isdigit() and not rest[7:8].isdigit():
                return f"{text[:10]} {text[11:19]}.{rest[1:7]}"
            if rest[:1] in ("+", "-", "Z", ""):
                return f"{text[:10]} {text[11:19]}.000000"
        return datetime.datetime.fromisoformat(text)  # another form: SQLAlchemy's conversion

    def insert(self, table: Table, row: dict[str, Any]) -> None:
        self._rows.setdefault(table, []).append(row)
        index = self._index.get(table)
        if index is not None:
            index[tuple(row[k] for k in _primary_key(table))] = row

    def insert_many(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.insert(table, row)

    def pending(self, table: Table, key: Mapping[str, Any]) -> dict[str, Any] | None:
        """The row of this page whose primary key is ``key``, still in memory (inserted in
        this page and not yet written); None otherwise."""
        names = _primary_key(table)
        index = self._index.get(table)
        if index is None:
            index = self._index[table] = {
                tuple(row[k] for k in names): row for row in self._rows.get(table, ())
            }
        return index.get(tuple(key[k] for k in names))

    def update(self, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        """Set ``values`` on the row whose primary key is ``key``."""
        names = _primary_key(table)
        index = self._index.get(table)
        if index is None:
            index = self._index[table] = {
                tuple(row[k] for k in names): row for row in self._rows.get(table, ())
            }
        pending = index.get(tuple(key[k] for k in names))
        if pending is not None:
            pending.update(values)
            return
        kind = (table, names, tuple(sorted(values)))
        self._updates.setdefault(kind, []).append(
            {**{f"k_{k}": key[k] for k in names}, **{f"v_{k}": v for k, v in values.items()}}
        )

    def _copy(self, table: Table, keys: tuple[str, ...], values: list[Any]) -> None:
        """PostgreSQL: the rows with COPY, in the transaction of the page (psycopg's
        executemany pays a round of the protocol per row)."""
        preparer = self.conn.dialect.identifier_preparer
        sql = (
            f"COPY {preparer.format_table(table)} "
            f"({', '.join(preparer.quote(k) for k in keys)}) FROM STDIN"
        )
        driver = self.conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for value in values:
                copy.write_row(value)

    def delete(self, table: Table, key: Mapping[str, Any]) -> None:
        """Delete the rows whose columns ``key`` name have these values: rows of this page
        are dropped from memory, the others are deleted at the flush, before its inserts."""
        names = tuple(sorted(key))
        values = tuple(key[k] for k in names)
        pending = self._rows.get(table)
        if pending:
            kept = [row for row in pending if tuple(row[k] for k in names) != values]
            if len(kept) != len(pending):
                self._rows[table] = kept
                self._index.pop(table, None)
        self._deletes.setdefault((table, names), []).append(
            {f"k_{k}": v for k, v in zip(names, values, strict=True)}
        )

    def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        """Run a statement after everything before it is written."""
        self.flush()
        self.statements += 1
        if parameters is None:
            return self.conn.execute(statement)
        return self.conn.execute(statement, parameters)

    def append(self, table: Table, keys: tuple[str, ...], values: tuple[Any, ...]) -> None:
        """A row given as values in the order of ``keys``, ready for the driver (dates from
        ``day`` and ``moment``), of a table no event updates: the cheapest way in."""
        self._tuples.setdefault((table, keys), []).append(values)

    def extend(self, table: Table, keys: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        """Many rows as ``append`` takes them, in one call."""
        self._tuples.setdefault((table, keys), []).extend(rows)

    def flush(self) -> None:
        deletes, self._deletes = self._deletes, {}
        for (table, names), params in deletes.items():  # rows written before this page
            statement = table.delete().where(
                and_(*(table.c[k] == bindparam(f"k_{k}") for k in names))
            )
            self.conn.execute(statement, params)
            self.statements += 1
        rows, self._rows = self._rows, {}
        self._index = {}
        tuples, self._tuples = self._tuples, {}
        for (table, keys), ready in sorted(tuples.items(), key=lambda i: _table_order(i[0][0])):
            if self._postgres:
                self._copy(table, keys, ready)
            else:
                self.conn.exec_driver_sql(_insert_sql(self.conn.dialect, table, keys)[0], ready)
            self.statements += 1
        for table in sorted(rows, key=_table_order):
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows[table]:
                groups.setdefault(tuple(row), []).append(row)
            for keys, group in groups.items():
                sql, processors = _insert_sql(self.conn.dialect, table, keys)
                if processors:
                    values: list[Any] = []
                    for row in group:
                        value = list(row.values())
                        for i, process in processors:
                            item = value[i]
                            if item is not None and type(item) is not str:
                                value[i] = process(item)
                        values.append(tuple(value))
                else:
                    values = [tuple(row.values()) for row in group]
                if self._postgres:
                    self._copy(table, keys, values)
                else:
                    self.conn.exec_driver_sql(sql, values)
                self.statements += 1
        updates, self._updates = self._updates, {}
        for (table, names, columns), params in updates.items():
            statement = (
                update(table)
                .where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in names)))
                .values({c: bindparam(f"v_{c}") for c in columns})
            )
            self.conn.execute(statement, params)
            self.statements += 1
