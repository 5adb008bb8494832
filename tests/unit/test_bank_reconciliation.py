"""The bank's pure arithmetic: the 调节表 of Scenario C's October from its lines, a match
completed after a month's end leaving its lines 未达账项 of that month, the proposals (amount,
window, reference first, red ink with its original), and the XLSX keeping a memo that looks
like a formula as text."""

from __future__ import annotations

import datetime
import io

from documents.bank_reconciliation import AccountState, table_of, workbook
from domain.bank.matching import propose
from domain.bank.reconciliation import BANK, BOOK, Line, reconcile

D = datetime.date


def bank(i: str, day: int, amount: int, month: int = 10, **kw: str) -> Line:
    return Line(BANK, i, D(2026, month, day), amount, **kw)


def book(i: str, day: int, amount: int, month: int = 10, **kw: str) -> Line:
    return Line(BOOK, i, D(2026, month, day), amount, entry=i.split("#")[0], **kw)


LINES = [
    bank("S2-1", 8, 1200000),
    bank("S2-2", 21, -86050),
    bank("S2-3", 31, 2345),
    bank("S3-1", 3, -500000, 11, reference="10300001"),
    book("0007#1", 8, 1200000),
    book("0008#2", 20, -86050),
    book("0009#2", 30, -500000, memo="支付施工队维修款 支票号10300001"),
    book("0010#1", 5, 2345, 11),
]
MATCHES = {
    "M1": [(BANK, "S2-1"), (BOOK, "0007#1")],
    "M2": [(BANK, "S2-2"), (BOOK, "0008#2")],
    "M3": [(BANK, "S3-1"), (BOOK, "0009#2")],  # matched in November
    "M4": [(BANK, "S2-3"), (BOOK, "0010#1")],
}


def test_october_of_scenario_c() -> None:
    table = reconcile(
        "2026-10",
        D(2026, 10, 31),
        book_balance=25613950,
        bank_balance=26116295,
        lines=LINES,
        matches=MATCHES,
    )
    assert [(i.kind, i.amount, i.settled_on) for i in table.items] == [
        ("book_out", 500000, D(2026, 11, 3)),
        ("bank_in", 2345, D(2026, 11, 5)),
    ]
    assert (table.adjusted_book, table.adjusted_bank, table.difference) == (25616295, 25616295, 0)
    november = reconcile(
        "2026-11",
        D(2026, 11, 30),
        book_balance=25616295,
        bank_balance=25616295,
        lines=LINES,
        matches=MATCHES,
    )
    assert november.items == () and november.balanced


def test_proposals_take_the_reference_first_and_stay_in_the_window() -> None:
    statement = [bank("S1", 3, -500000, 11, reference="10300001"), bank("S2", 31, 2345)]
    postings = [
        book("A#1", 29, -500000),
        book("B#1", 30, -500000, memo="支票号10300001"),
        book("C#1", 5, 2345, 11),
    ]
    found = propose(statement, postings)
    assert [(p.bank, p.book, p.days) for p in found] == [
        (("S1",), ("B#1",), 4),
        (("S2",), ("C#1",), 5),
    ]
    assert propose(statement, postings, window=3) == []
    red = [book("D#1", 1, 9900), Line(BOOK, "E#1", D(2026, 10, 2), -9900, entry="E", reverses="D")]
    (pair,) = propose([], red)
    assert pair.book == ("D#1", "E#1") and pair.bank == ()


def test_the_workbook_keeps_a_formula_like_memo_as_text() -> None:
    from openpyxl import load_workbook

    account = {
        "entity": "V01", "account": "10201", "name": "高青农商银行", "bank": "高青农商银行",
        "branch": "", "number": "9001000123653021", "masked": "****3021", "start": D(2026, 10, 1),
        "opening_fen": 0, "covered_through": D(2026, 10, 31), "township": "唐坊镇",
    }  # fmt: skip
    memo = '=HYPERLINK("http://x","点此")'
    state = AccountState(
        account=account,
        bank=[bank("S1-1", 8, 100, memo=memo)],
        book=[],
        book_opening=0,
        matches={},
        matched={},
    )
    table = table_of(state, "2026-10")
    assert table.reconciliation.balanced and table.status == "未确认"  # 银行已收单位未收 100
    sheet = load_workbook(io.BytesIO(workbook(table, {"code": "V01", "name": "仉家村"}))).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if "HYPERLINK" in c.value]
    assert risky and all(c.data_type == "s" for c in risky)
    assert "账号：****3021" in [c.value for c in cells]
