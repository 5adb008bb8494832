"""Vouchers posted directly by the bulk path are one event of the books per batch
(``Books.VouchersPosted``, ``domain/books/batch.py``): the same books, numbers, read models and
journals as posting them one by one, refused for the same vouchers, all or nothing; each
entry is found and reversed like any; the chain and the read models verify on both stores."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from audit.exports import beancount_journal, export_events, hledger_journal
from audit.verify import verify
from domain.bulk import Voucher, VouchersRefusedError, problems_of
from domain.errors import DomainError
from ledger.errors import LedgerError
from projections.tables import account_months, entries, entry_lines
from runtime.bootstrap import Runtime
from tests import builders
from tests.builders import posting

D = datetime.date
VERIFIER = Path(__file__).parents[2] / "scripts" / "verify_export"
# a little money, part of it grant money earmarked for its programme (241): overdrafts and
# the earmark are reached, and go through the single posting's own words
OPENING = [
    posting("102", "debit", "300.00"),
    posting("241", "credit", "100.00"),
    posting("311", "credit", "200.00"),
]
YEARLY_TOWNSHIP, MONTHLY_TOWNSHIP = "批量年镇", "批量月镇"  # 2025-0001; 2025-03-S-0001 (收付转)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def lines_of(kind: str, fen: int, memo: str) -> list[dict[str, str]]:
    """The postings of one generated voucher (the bad kinds are refused by a single posting)."""
    a, b = yuan(fen), yuan(fen // 2 + 1)
    return {
        "income": [posting("102", "debit", a), posting("504", "credit", a)],
        "expense": [posting("513", "debit", a), posting("102", "credit", a)],
        "to-cash": [posting("101", "debit", a, memo), posting("102", "credit", a)],
        "split": [
            posting("102", "debit", yuan(fen + fen // 2 + 1)),
            posting("501", "credit", a, memo),
            posting("503", "credit", b),
        ],
        "claim": [posting("113H01", "debit", a), posting("501", "credit", a)],
        "grant-spent": [posting("241", "debit", a), posting("102", "credit", a)],
        "written-plainly": [posting("102", "debit", str(fen)), posting("504", "credit", str(fen))],
        "unopened": [posting("113H09", "debit", a), posting("501", "credit", a)],
        "parent-with-subs": [posting("113", "debit", a), posting("501", "credit", a)],
        "unknown": [posting("999", "debit", a), posting("102", "credit", a)],
        "unbalanced": [posting("513", "debit", a), posting("102", "credit", b)],
        "nonsense": [posting("102", "debit", a), posting("151", "credit", a)],
        "one-account": [posting("102", "debit", a), posting("102", "credit", a)],
        "three-places": [posting("102", "debit", f"{a}1"), posting("504", "credit", f"{a}1")],
    }[kind]


KINDS = ("income", "income", "expense", "expense", "to-cash", "split", "claim", "grant-spent")
BAD = ("written-plainly", "unopened", "parent-with-subs", "unknown", "unbalanced", "nonsense")
vouchers_st = st.lists(
    st.tuples(
        st.sampled_from(KINDS + BAD + ("one-account", "three-places")),
        st.integers(min_value=1, max_value=12),  # month of 2025
        st.integers(min_value=1, max_value=28),
        st.integers(min_value=1, max_value=40_000),  # fen
        st.sampled_from(("收入", " 付款 ", "转账 1", "")),
    ),
    min_size=1,
    max_size=20,
)


def books_of(app: Any, township: str, closed: bool) -> str:
    code = builders.village(app, township=township, opening=OPENING)
    app.books.open_account(entity=code, code="113H01", name="应收款-张三", parent="113", actor="t")
    if closed:
        app.books.close_month(entity=code, month="2025-02", actor="t")
    return code


def read_models(runtime: Runtime, code: str) -> dict[str, Any]:
    """Every row the books' read models hold for ``code`` (but where and when it was saved),
    the journals exported, and the books' own state."""
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        rows = {
            "entries": conn.execute(
                select(
                    *(
                        c
                        for c in entries.c
                        if c.name not in ("entity_code", "position", "recorded_at")
                    )
                )
                .where(entries.c.entity_code == code)
                .order_by(entries.c.number)
            ).all(),
            "lines": conn.execute(
                select(*(c for c in entry_lines.c if c.name != "entity_code"))
                .where(entry_lines.c.entity_code == code)
                .order_by(entry_lines.c.number, entry_lines.c.line)
            ).all(),
            "months": conn.execute(
                select(*(c for c in account_months.c if c.name != "entity_code"))
                .where(account_months.c.entity_code == code)
                .order_by(account_months.c.account, account_months.c.month)
            ).all(),
            "hledger": hledger_journal(conn, code).replace(code, "X"),
            "beancount": beancount_journal(conn, code).replace(code, "X"),
        }
    books = runtime.app.get_books(code)
    rows["books"] = (
        books.balances,
        books.totals,
        books.sub_accounts,
        books.sequences,
        books.month_sequences,
        books.year_schemes,
        books.entry_numbers(),
    )
    return rows


def events(runtime: Runtime) -> int:
    return int(runtime.app.recorder.max_notification_id() or 0)


@pytest.mark.one_store  # what the books and their read models hold, not storage (see below)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drawn=vouchers_st,
    monthly=st.booleans(),
    closed=st.booleans(),
    batch_size=st.integers(min_value=1, max_value=6),
)
def test_a_batch_is_the_books_and_read_models_of_posting_one_by_one(
    runtime: Runtime,
    drawn: list[tuple[str, int, int, int, str]],
    monthly: bool,
    closed: bool,
    batch_size: int,
) -> None:
    app = runtime.app
    app.township.choose(
        MONTHLY_TOWNSHIP, numbering="monthly", words="split", review_posts=False, actor="t"
    )
    township = MONTHLY_TOWNSHIP if monthly else YEARLY_TOWNSHIP
    one, bulk = books_of(app, township, closed), books_of(app, township, closed)
    given_ = [
        Voucher(
            entity=bulk,
            date=D(2025, month, day),
            memo=memo or "摘要",
            postings=tuple(lines_of(kind, fen, memo.strip())),
        )
        for kind, month, day, fen, memo in drawn
    ]
    refused: set[tuple[int, str | None, str]] = set()
    numbers = []
    for index, v in enumerate(given_):
        try:
            entry = app.books.post_entry(
                entity=one, date=v.date, memo=v.memo, postings=list(v.postings), actor="clerk"
            )
        except (DomainError, LedgerError) as error:
            refused |= {(p.voucher, p.field, p.kind) for p in problems_of(index, error)}
        else:
            numbers.append(entry.number)

    before = events(runtime)
    if refused:  # the same vouchers refused, for the same reasons; nothing written
        with pytest.raises(VouchersRefusedError) as found:
            app.bulk.import_vouchers(
                given_, actor="clerk", batch_size=batch_size, post_directly=True
            )
        assert {(p.voucher, p.field, p.kind) for p in found.value.problems} == refused
        assert events(runtime) == before
        assert app.get_books(bulk).entry_numbers() == []
    kept = [v for i, v in enumerate(given_) if i not in {r[0] for r in refused}]
    if kept:
        result = app.bulk.import_vouchers(
            kept, actor="clerk", batch_size=batch_size, post_directly=True
        )
        assert [p.number for p in result.posted] == numbers
    assert read_models(runtime, bulk) == read_models(runtime, one)
    # and as the books load from the store (their snapshot, then the events after it)
    app.repository.cache.get(app.get_books(bulk).id, evict=True)  # type: ignore[union-attr]
    assert read_models(runtime, bulk)["books"] == read_models(runtime, one)["books"]


def test_one_bad_voucher_in_a_batch_writes_nothing(runtime: Runtime) -> None:
    app = runtime.app
    code = books_of(app, YEARLY_TOWNSHIP, closed=False)
    good = [
        Voucher(code, D(2025, 3, d), "收入", tuple(lines_of("income", 1000 * d, "")))
        for d in range(1, 11)
    ]
    bad = Voucher(code, D(2025, 3, 12), "付款", tuple(lines_of("expense", 10_000_000, "")))
    before = events(runtime)
    with pytest.raises(VouchersRefusedError) as refused:
        app.bulk.import_vouchers([*good, bad], actor="clerk", post_directly=True)
    assert [(p.voucher, p.kind) for p in refused.value.problems] == [(10, "cash-overdraft")]
    assert events(runtime) == before
    books = app.get_books(code)
    assert books.entry_numbers() == [] and books.balances["102"] == 30_000
    assert read_models(runtime, code)["entries"] == []


def test_an_entry_of_a_batch_is_found_and_reversed_like_any(runtime: Runtime) -> None:
    app = runtime.app
    code = books_of(app, YEARLY_TOWNSHIP, closed=False)
    batch = [
        Voucher(code, D(2025, 4, 1), "收入", tuple(lines_of("split", 5000, "土地"))),
        Voucher(code, D(2025, 4, 2), "付款", tuple(lines_of("expense", 2000, ""))),
    ]
    app.bulk.import_vouchers(batch, actor="clerk", post_directly=True)
    entry = app.books.find_entry(code, "2025-0001")
    assert [(p.account, p.side, str(p.amount.amount), p.memo) for p in entry.postings] == [
        ("102", "debit", "75.01", ""),
        ("501", "credit", "50.00", "土地"),
        ("503", "credit", "25.01", ""),
    ]
    reversal = app.books.reverse_entry(
        entity=code, number="2025-0001", date=D(2025, 4, 5), reason="重复入账", actor="clerk"
    )
    assert (reversal.number, reversal.reverses) == ("2025-0003", "2025-0001")
    books = app.get_books(code)
    assert books.reversed_by == {"2025-0001": "2025-0003"}
    assert books.balances["102"] == 30_000 - 2000
    with pytest.raises(DomainError) as again:
        app.books.reverse_entry(
            entity=code, number="2025-0001", date=D(2025, 4, 6), reason="再冲", actor="clerk"
        )
    assert again.value.kind == "already-reversed"
    rows = read_models(runtime, code)["entries"]
    assert [(r.number, r.reverses, r.reversed_by) for r in rows] == [
        ("2025-0001", None, "2025-0003"),
        ("2025-0002", None, None),
        ("2025-0003", "2025-0001", None),
    ]
    # the balances through a day read the batch too (结账's trial balance, 年终结转)
    assert app.books.balances_through(books, D(2025, 4, 2))["102"] == 30_000 + 7501 - 2000


def test_verify_is_clean_after_a_batch_and_the_verifier_reads_it(
    runtime: Runtime, tmp_path: Path
) -> None:
    app = runtime.app
    bulk, one = (books_of(app, YEARLY_TOWNSHIP, closed=False) for _ in range(2))
    given_ = [
        Voucher(bulk, D(2025, 5, 1 + i % 28), "收入", tuple(lines_of(k, 300 + i, "备注")))
        for i, k in enumerate(["income", "split", "expense", "to-cash", "claim"] * 6)
    ]
    app.bulk.import_vouchers(given_, actor="clerk", batch_size=7, post_directly=True)
    for v in given_:
        app.books.post_entry(
            entity=one, date=v.date, memo=v.memo, postings=list(v.postings), actor="clerk"
        )
    report = verify(runtime)
    assert report["ok"], report["problems"]
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"".join(export_events(runtime)))
    checked = subprocess.run(
        [sys.executable, str(VERIFIER), str(log), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    balances = json.loads(checked.stdout)["balances"]
    assert balances[bulk] == balances[one] and balances[bulk]["113H01"] == "18.99"
