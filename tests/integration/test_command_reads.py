"""What a command reads from the event store, and the sheet's account ranges.

A posted entry reads its books' newer events once (its place comes from the township kept per
process, fixed at registration), the township's settings once, and, with an Idempotency-Key,
the key once before and once in the save: each absent aggregate with one query. Counted at the
recorder (every read of a stream goes through ``select_events``), on both stores.

The sheet's income, expenditure and movements match accounts by ranges on the code
(``projections.tables.under_accounts``); the ranges must select exactly the codes that start
with a prefix, and a store made before the index on a village's lines by account gets it when
it is opened."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import create_engine, insert, inspect, select, text

from domain.books.commands import PostEntry
from domain.context import RequestClaim
from domain.errors import EntityNotFoundError
from domain.ids import entity_id
from domain.runner import Caller, Runner
from domain.township import settings_id
from projections.tables import entry_lines, under_accounts
from runtime.bootstrap import Runtime
from tests.builders import TOWNSHIP, receipt, village

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def reads(runtime: Runtime) -> Iterator[Counter[UUID]]:
    """Every stream the recorder is asked for, by aggregate id (the real recorder, counted)."""
    recorder: Any = runtime.app.recorder
    counted: Counter[UUID] = Counter()
    select_events = recorder.select_events

    def counting(originator_id: Any, **kwargs: Any) -> Any:
        counted[UUID(str(originator_id))] += 1
        return select_events(originator_id, **kwargs)

    recorder.select_events = counting
    try:
        yield counted
    finally:
        del recorder.select_events


def _post(runtime: Runtime, code: str, caller: Caller) -> Any:
    command = PostEntry(entity=code, date=DAY, memo="租金", postings=tuple(receipt("10.00")))
    return Runner(runtime.app).run(command, caller)


def test_a_post_reads_its_books_once_and_each_absent_aggregate_once(
    runtime: Runtime, reads: Counter[UUID]
) -> None:
    code = village(runtime.app)
    clerk = Caller("clerk-1", frozenset({TOWNSHIP}))
    _post(runtime, code, clerk)  # the books cached, the township known
    reads.clear()
    outcome = _post(runtime, code, clerk)
    assert outcome.result.number  # posted and numbered
    assert reads[entity_id(code)] == 1  # the command's own load: no load for the place
    assert reads[settings_id(TOWNSHIP)] <= 1  # never chose: one query says so
    assert sum(reads.values()) <= 2

    reads.clear()
    claim = RequestClaim(token="t", key="k-1", request="POST /entries", body_hash="0" * 64)
    keyed = _post(runtime, code, Caller("clerk-1", frozenset({TOWNSHIP}), claim=claim))
    assert not keyed.replayed
    assert reads[entity_id(code)] == 1
    assert sum(reads.values()) <= 4  # + the key: looked for before the command and in its save
    again = _post(runtime, code, Caller("clerk-1", frozenset({TOWNSHIP}), claim=claim))
    assert again.replayed and again.result.number == keyed.result.number


def test_the_place_of_unknown_books_is_still_refused(runtime: Runtime) -> None:
    with pytest.raises(EntityNotFoundError):
        _post(runtime, "V404", Caller("clerk-1", frozenset({TOWNSHIP})))


CODES = ["5", "50", "500", "501", "50101", "502x", "504", "5049", "505", "51", "511", "515"]
CODES += ["5151", "516", "521", "522", "52", "101", "10", "102", "1021", "103", "211H00001"]
PREFIXES = [("501", "502", "503", "504"), ("511", "512", "513", "514", "515", "521")]
PREFIXES += [("101", "102"), ("211",), ("5",), ("509", "510")]


@pytest.mark.one_store
@pytest.mark.parametrize("prefixes", PREFIXES)
def test_account_ranges_select_exactly_the_codes_under_the_prefixes(
    prefixes: tuple[str, ...],
) -> None:
    engine = create_engine("sqlite://")
    entry_lines.create(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(entry_lines),
            [
                {"entity_code": "V1", "number": str(n), "line": 1, "account": code}
                | {"side": "debit", "amount_fen": 1, "memo": ""}
                for n, code in enumerate(CODES)
            ],
        )
        found = conn.execute(
            select(entry_lines.c.account).where(under_accounts(entry_lines.c.account, prefixes))
        )
        assert sorted(found.scalars()) == sorted(c for c in CODES if c.startswith(prefixes))


def test_a_store_made_before_the_lines_index_gets_it_when_opened(
    database: tuple[str, str | None],
) -> None:
    url, schema = database
    Runtime(url, schema=schema).close()
    first = Runtime(url, schema=schema)
    try:
        with first.engine.begin() as conn:
            conn.execute(text("DROP INDEX lz_entry_lines_account"))
            names = {i["name"] for i in inspect(conn).get_indexes("lz_entry_lines")}
        assert "lz_entry_lines_account" not in names
    finally:
        first.close()
    again = Runtime(url, schema=schema)
    try:
        with again.engine.connect() as conn:
            names = {i["name"] for i in inspect(conn).get_indexes("lz_entry_lines")}
        assert "lz_entry_lines_account" in names
    finally:
        again.close()
