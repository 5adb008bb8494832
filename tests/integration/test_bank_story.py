"""Issue 22's done-when, on SQLite and PostgreSQL: three months of 高青农商银行's statements of
仉家村 (``tests/data/bank``: a CSV, an XLSX, a GBK CSV) imported, reconciled with two 未达账项
carried over October's end (Scenario C, to the fen), the 调节表 printed as XLSX, the months
closed under a township that refuses 结账 before 对账; a duplicate, an overlapping statement,
another account's, another township's clerk and a mis-chained balance refused with nothing
written; the read model rebuilt from the log the same, row by row."""

from __future__ import annotations

import dataclasses
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from adapters import bank_files
from audit.verify import table_rows
from documents import bank_reconciliation as doc
from domain.bank.commands import ImportStatement, MatchLines, ReconcileMonth
from domain.bank.service import BankNotReconciledError
from domain.bank.statements import Statement
from domain.books.commands import CloseMonth
from domain.errors import ConflictError, ForbiddenTownshipError, InvalidRequestError
from domain.runner import Caller
from domain.township.commands import ChooseSettings
from projections.bank_view import BANK_TABLES
from projections.replay import rebuild
from runtime.bootstrap import Runtime
from tests.application.scenario_c import ACCOUNT, FILES, TODAY, TOWNSHIP, VILLAGE, Story

D = datetime.date
FILE_OF = {
    "2026-09": "nongshang-2026-09.csv",
    "2026-10": "nongshang-2026-10.xlsx",
    "2026-11": "nongshang-2026-11.csv",
}


@pytest.fixture
def story(database: tuple[str, str | None]) -> Iterator[tuple[Story, Runtime]]:
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: TODAY)
    try:
        yield Story(runtime.app), runtime
    finally:
        runtime.close()


def read(month: str) -> Statement:
    """The month's file as the workbench reads it (its bytes' SHA-256 the digest)."""
    import hashlib

    parsed, data = bank_files.read(FILES / FILE_OF[month])
    assert parsed.problems == []
    return parsed.statement(file_name=FILE_OF[month], digest=hashlib.sha256(data).hexdigest())


def month(story: Story, which: str) -> Any:
    """A month at the bank: its entries posted, its statement imported, the proposals
    confirmed, its table confirmed."""
    story.post(which)
    story.run(ImportStatement(VILLAGE, ACCOUNT, read(which)))
    proposals = story.app.bank.proposals(VILLAGE, ACCOUNT)
    story.run(MatchLines(VILLAGE, ACCOUNT, tuple((p.bank, p.book) for p in proposals), "proposed"))
    return story.run(ReconcileMonth(VILLAGE, ACCOUNT, which))


def test_three_months_reconciled_and_closed_on_both_stores(
    story: tuple[Story, Runtime],
) -> None:
    told, runtime = story
    told.village()
    numbering = told.app.township.choices(TOWNSHIP).numbering
    told.run(ChooseSettings(TOWNSHIP, numbering, False, bank_reconciled_to_close=True))
    month(told, "2026-09")
    told.post("2026-10")
    told.run(ImportStatement(VILLAGE, ACCOUNT, read("2026-10")))
    head = runtime.views.head()
    with pytest.raises(BankNotReconciledError):  # October is not reconciled yet
        told.run(CloseMonth(VILLAGE, "2026-10"))
    assert runtime.views.head() == head
    proposals = told.app.bank.proposals(VILLAGE, ACCOUNT)
    told.run(MatchLines(VILLAGE, ACCOUNT, tuple((p.bank, p.book) for p in proposals), "proposed"))
    october = told.run(ReconcileMonth(VILLAGE, ACCOUNT, "2026-10"))
    assert (october.book_balance, october.totals["bank_in"], october.adjusted_book) == (
        25613950,
        2345,
        25616295,
    )
    assert (october.bank_balance, october.totals["book_out"], october.adjusted_bank) == (
        26116295,
        500000,
        25616295,
    )
    told.run(CloseMonth(VILLAGE, "2026-10"))

    # refused, nothing written
    november = read("2026-11")
    other = bank_files.read(FILES / "abc.xlsx")[0].statement(file_name="abc.xlsx", digest="")
    head = runtime.views.head()
    refusals: list[tuple[Statement, Caller | None, str]] = [
        (read("2026-10"), None, "已经导入过"),
        (dataclasses.replace(november, start=D(2026, 10, 25)), None, "重叠"),
        (other, None, "不是 10201"),
        (dataclasses.replace(november, opening="261000.00"), None, "接不上"),
        (november, Caller("clerk-2", frozenset({"花沟镇"})), ""),
    ]
    for statement, caller, words in refusals:
        with pytest.raises((ConflictError, InvalidRequestError, ForbiddenTownshipError)) as error:
            told.run(ImportStatement(VILLAGE, ACCOUNT, statement), *([caller] if caller else []))
        assert words in error.value.zh, error.value.zh
    assert runtime.views.head() == head

    table = month(told, "2026-11")
    assert (table.book_balance, table.totals["bank_out"], table.adjusted_book) == (
        26416295,
        1500,
        26414795,
    )
    told.run(CloseMonth(VILLAGE, "2026-11"))
    assert told.app.get_books(VILLAGE).closed_through == "2026-11"

    # the read model agrees with the write side, prints the table, and rebuilds the same
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        state = doc.state_of(conn, VILLAGE, ACCOUNT)
        entity = {"code": VILLAGE, "name": "仉家村"}
    assert state is not None
    printed = doc.table_of(state, "2026-10")
    assert printed.reconciliation == told.app.bank.reconciliation(VILLAGE, ACCOUNT, "2026-10")
    assert printed.status == "已确认" and len(printed.carried) == 0
    assert [i.kind for i in doc.table_of(state, "2026-11").carried] == ["book_out", "bank_in"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(doc.workbook(printed, entity))).active
    assert sheet is not None
    values = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=4) if r[0].value}
    assert Decimal(str(values["调节后的存款余额"])) == Decimal("256162.95")
    before = {t.name: table_rows(runtime.engine, t) for t in BANK_TABLES}
    rebuild(runtime)
    assert {t.name: table_rows(runtime.engine, t) for t in BANK_TABLES} == before
