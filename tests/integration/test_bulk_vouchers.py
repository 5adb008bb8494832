"""The bulk path (domain/bulk.py) on SQLite and PostgreSQL: the same rules as a single posting,
all or nothing, batches, and a re-run after a crash — posted directly (``post_directly``: what
was reviewed elsewhere), and by default made into vouchers submitted for review, which another
person reviews and a third posts in one save each (issue 20)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from domain.bulk import Voucher, VoucherImportBatch, VouchersRefusedError, batch_id
from domain.context import CommandContext, acting
from domain.errors import ForbiddenTownshipError
from domain.vouchers.batches import VouchersNotReviewedError
from projections import queries
from projections.voucher_batches import batch_totals
from projections.voucher_view import voucher_list
from runtime.bootstrap import Runtime
from tests.builders import posting, village

D = datetime.date


def voucher(entity: str, day: D, memo: str, *postings: dict[str, str]) -> Voucher:
    return Voucher(entity=entity, date=day, memo=memo, postings=tuple(postings))


def receipt(entity: str, day: D, amount: str) -> Voucher:
    return voucher(
        entity,
        day,
        "收到土地承包费",
        posting("102", "debit", amount),
        posting("504", "credit", amount),
    )


def payment(entity: str, day: D, amount: str, account: str = "513") -> Voucher:
    return voucher(
        entity,
        day,
        "支付管理费用",
        posting(account, "debit", amount),
        posting("102", "credit", amount),
    )


def a_year(entity: str) -> list[Voucher]:
    """Thirty vouchers over 2025, with a payment only the receipts before it can cover."""
    found: list[Voucher] = []
    for month in range(1, 11):
        found.append(receipt(entity, D(2025, month, 3), f"{1000 + month}.50"))
        found.append(payment(entity, D(2025, month, 10), "300.25"))
        found.append(
            voucher(
                entity,
                D(2025, month, 20),
                "提取备用金",
                posting("101", "debit", "20.00", "备用"),
                posting("102", "credit", "20.00"),
            )
        )
    return found


def events(runtime: Runtime) -> int:
    return int(runtime.app.recorder.max_notification_id() or 0)


def trial_balances(runtime: Runtime, code: str) -> list[list[Any]]:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        return [
            [
                (
                    line.account.code,
                    line.opening_debit,
                    line.opening_credit,
                    line.debit,
                    line.credit,
                    line.closing_debit,
                    line.closing_credit,
                )
                for line in queries.trial_balance_for(conn, code, f"2025-{m:02d}").lines
            ]
            for m in range(1, 13)
        ]


def entries(runtime: Runtime, code: str) -> list[tuple[Any, ...]]:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        _, views = queries.list_entries(conn, code, limit=1000)
    return [
        (v.number, v.date, v.memo, [(x.account, x.side, x.amount, x.memo) for x in v.lines])
        for v in views
    ]


def test_a_year_imports_in_batches_and_matches_posting_one_by_one(runtime: Runtime) -> None:
    app = runtime.app
    bulk, single = village(app), village(app)
    before = events(runtime)
    result = app.bulk.import_vouchers(a_year(bulk), actor="clerk", batch_size=7, post_directly=True)
    # one VouchersPosted of the books and a key for each of 5 batches (domain/books/batch.py)
    assert events(runtime) == before + 5 + 5
    assert (result.batches, result.saved_batches, result.skipped_batches) == (5, 5, 0)
    for v in a_year(single):
        app.books.post_entry(
            entity=single, date=v.date, memo=v.memo, postings=list(v.postings), actor="clerk"
        )
    assert [p.number for p in result.posted] == [f"2025-{n:04d}" for n in range(1, 31)]
    assert entries(runtime, bulk) == entries(runtime, single)
    assert trial_balances(runtime, bulk) == trial_balances(runtime, single)
    assert app.get_books(bulk).balances == app.get_books(single).balances
    # the books load the same from the store after the bulk path's own snapshot
    cached = app.get_books(bulk)
    app.repository.cache.get(cached.id, evict=True)  # type: ignore[union-attr]
    assert app.get_books(bulk).balances == app.get_books(single).balances
    assert app.get_books(bulk).entry_numbers() == app.get_books(single).entry_numbers()
    assert app.get_books(bulk).version == cached.version == 2 + 5  # registered, opened, 5 batches


def test_a_township_month_of_several_villages_is_one_save(runtime: Runtime) -> None:
    app = runtime.app
    v1, v2, v3 = village(app), village(app), village(app)
    mixed = [receipt(v, D(2025, 3, day), "10.00") for day in (1, 2) for v in (v1, v2, v3)]
    before = events(runtime)
    result = app.bulk.import_vouchers(mixed, actor="clerk", post_directly=True)
    assert result.batches == 1
    assert [(p.entity, p.number) for p in result.posted] == [
        (v1, "2025-0001"),
        (v2, "2025-0001"),
        (v3, "2025-0001"),
        (v1, "2025-0002"),
        (v2, "2025-0002"),
        (v3, "2025-0002"),
    ]
    written = [
        app.mapper.to_domain_event(n)
        for n in app.recorder.select_notifications(
            start=before, limit=100, inclusive_of_start=False
        )
    ]
    assert len(written) == 4  # each books' VouchersPosted and the batch's key
    assert [len(e.vouchers) for e in written[:3]] == [2, 2, 2]
    assert len({e.timestamp for e in written}) == 1  # one save, one moment (domain/saves.py)
    runtime.views.catch_up()
    assert all(len(entries(runtime, v)) == 2 for v in (v1, v2, v3))


def test_a_problem_anywhere_writes_nothing_and_names_every_voucher(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    vouchers = a_year(code)
    vouchers[4] = voucher(
        code,
        D(2025, 2, 10),
        "不平",
        posting("513", "debit", "5.00"),
        posting("102", "credit", "4.00"),
    )
    vouchers[17] = voucher(
        code,
        D(2025, 6, 20),
        "错科目",
        posting("999", "debit", "1.00"),
        posting("102", "credit", "1.00"),
    )
    vouchers[25] = receipt(code, D(2026, 12, 1), "1.00")  # after today (2026-11-23)
    vouchers[28] = voucher(code, D(2025, 10, 3), " ", *vouchers[28].postings)
    vouchers.append(receipt("NOSUCH", D(2025, 1, 5), "1.00"))
    before = events(runtime)
    with pytest.raises(VouchersRefusedError) as refused:
        app.bulk.import_vouchers(vouchers, actor="clerk", batch_size=7, post_directly=True)
    found = {(p.voucher, p.field, p.kind) for p in refused.value.problems}
    assert (4, "postings", "unbalanced-entry") in found
    assert (17, "postings[0].account", "unknown-account") in found
    assert (25, "date", "future-date") in found
    assert (28, "memo", "validation") in found
    assert (30, "entity", "entity-not-found") in found
    assert {p.voucher for p in refused.value.problems} == {4, 17, 25, 28, 30}
    assert events(runtime) == before
    assert entries(runtime, code) == []


def test_an_overdraft_in_the_middle_is_checked_against_the_rows_before_it(
    runtime: Runtime,
) -> None:
    app = runtime.app
    code = village(
        app, opening=[posting("102", "debit", "100.00"), posting("311", "credit", "100.00")]
    )
    vouchers = [
        receipt(code, D(2025, 1, 5), "50.00"),
        payment(code, D(2025, 1, 6), "150.00"),  # covered: 100 + 50
        payment(code, D(2025, 1, 7), "0.01"),  # nothing left
        receipt(code, D(2025, 1, 8), "10.00"),
    ]
    before = events(runtime)
    with pytest.raises(VouchersRefusedError) as refused:
        app.bulk.import_vouchers(vouchers, actor="clerk", post_directly=True)
    (problem,) = refused.value.problems
    assert (problem.voucher, problem.kind) == (2, "cash-overdraft")
    assert "¥0.00 in 102" in problem.message
    assert events(runtime) == before
    # without the overdraft the same vouchers go in, the 150 spending the receipt before it
    result = app.bulk.import_vouchers(
        [vouchers[0], vouchers[1], vouchers[3]], actor="clerk", post_directly=True
    )
    assert [p.number for p in result.posted] == ["2025-0001", "2025-0002", "2025-0003"]
    assert app.get_books(code).balances["102"] == 1000


def test_a_closed_month_is_refused(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    app.books.close_month(entity=code, month="2025-02", actor="clerk")
    before = events(runtime)
    with pytest.raises(VouchersRefusedError) as refused:
        app.bulk.import_vouchers(a_year(code), actor="clerk", post_directly=True)
    assert {p.voucher for p in refused.value.problems} == set(range(6))  # January and February
    assert {p.kind for p in refused.value.problems} == {"closed-period"}
    assert {p.field for p in refused.value.problems} == {"date"}
    assert events(runtime) == before


def test_a_rerun_after_a_crash_halfway_saves_only_the_rest(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = runtime.app
    code, single = village(app), village(app)
    vouchers = a_year(code)
    saves = {"n": 0}
    real_save = type(app).save

    def crash_on_third(self: Any, *objs: Any, **kwargs: Any) -> Any:
        if any(isinstance(o, VoucherImportBatch) for o in objs):
            saves["n"] += 1
            if saves["n"] == 3:
                raise RuntimeError("the power went out")
        return real_save(self, *objs, **kwargs)

    monkeypatch.setattr(type(app), "save", crash_on_third)
    with pytest.raises(RuntimeError):
        app.bulk.import_vouchers(vouchers, actor="clerk", batch_size=7, post_directly=True)
    monkeypatch.undo()
    assert len(entries(runtime, code)) == 14  # two batches of seven made it
    again = app.bulk.import_vouchers(vouchers, actor="clerk", batch_size=7, post_directly=True)
    assert (again.saved_batches, again.skipped_batches) == (3, 2)
    assert [p.number for p in again.posted] == [f"2025-{n:04d}" for n in range(1, 31)]
    for v in a_year(single):
        app.books.post_entry(
            entity=single, date=v.date, memo=v.memo, postings=list(v.postings), actor="clerk"
        )
    assert entries(runtime, code) == entries(runtime, single)
    assert trial_balances(runtime, code) == trial_balances(runtime, single)
    # a third run writes nothing and answers the same numbers
    before = events(runtime)
    third = app.bulk.import_vouchers(vouchers, actor="clerk", batch_size=7, post_directly=True)
    assert (third.saved_batches, third.skipped_batches) == (0, 5)
    assert third.posted == again.posted
    assert events(runtime) == before
    assert app.exists(batch_id(again.import_id, 4))


def test_a_dry_run_writes_nothing_and_gives_the_numbers(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    before = events(runtime)
    result = app.bulk.import_vouchers(
        a_year(code)[:3], actor="clerk", dry_run=True, post_directly=True
    )
    assert [p.number for p in result.posted] == ["2025-0001", "2025-0002", "2025-0003"]
    assert events(runtime) == before
    assert app.get_books(code).sequences == {}


def test_a_clerk_cannot_import_into_another_township(runtime: Runtime) -> None:
    app = runtime.app
    home, away = village(app, township="唐坊镇"), village(app, township="花沟镇")
    before = events(runtime)
    context = CommandContext(actor="clerk", townships=frozenset({"唐坊镇"}))
    with acting(context), pytest.raises(ForbiddenTownshipError):
        app.bulk.import_vouchers(
            [receipt(home, D(2025, 1, 2), "1.00"), receipt(away, D(2025, 1, 2), "1.00")],
            actor="clerk",
        )
    assert events(runtime) == before
    with acting(context):
        app.bulk.import_vouchers(
            [receipt(home, D(2025, 1, 2), "1.00")], actor="clerk", post_directly=True
        )
    assert events(runtime) == before + 2


# -- imported for review (the default, issue 20) --------------------------------------------


def test_an_import_for_review_posts_nothing_until_reviewed_and_posted_by_two_others(
    runtime: Runtime,
) -> None:
    """The defect of issue 20: an imported file posted with no review at all. Now its vouchers
    are submitted by the importer; another person reviews them all in one save, a third (or
    the importer) posts them in one save, and the books end as posting one by one would."""
    app = runtime.app
    code, single = village(app), village(app)
    books_before = app.get_books(code).version
    before = events(runtime)

    result = app.bulk.import_vouchers(a_year(code), actor="clerk", batch_size=7)

    assert result.for_review and (result.batches, result.saved_batches) == (5, 5)
    assert events(runtime) == before + 30 * 2 + 5  # each voucher's Drafted and Imported; keys
    assert app.get_books(code).version == books_before  # nothing in the books
    assert all(p.number == "" and p.draft for p in result.posted)
    runtime.views.catch_up()
    assert entries(runtime, code) == []
    waiting = voucher_list(
        runtime.engine, townships=None, import_id=result.import_id, limit=1000, oldest_first=True
    )
    assert len(waiting) == 30 and {v["status"] for v in waiting} == {"submitted"}
    assert [v["draft"] for v in waiting] == [p.draft for p in result.posted]
    totals = batch_totals(
        runtime.engine, townships=None, status="submitted", import_id=result.import_id
    )
    debit = sum(
        float(p["amount"]) for v in a_year(code) for p in v.postings if p["side"] == "debit"
    )
    assert totals["count"] == 30 and float(totals["debit"]) == debit == float(totals["credit"])

    drafts = [str(p.draft) for p in result.posted]
    with pytest.raises(VouchersNotReviewedError) as own:  # the importer is their preparer
        app.vouchers.review_vouchers(drafts=drafts, actor="clerk")
    assert len(own.value.problems) == 30 and {p.kind for p in own.value.problems} == {"own-voucher"}
    assert events(runtime) == before + 65
    reviewed_at = events(runtime)
    app.vouchers.review_vouchers(drafts=drafts, actor="reviewer")
    assert events(runtime) == reviewed_at + 30  # one save: a Reviewed each, no entry
    assert app.get_books(code).version == books_before
    with pytest.raises(VouchersNotReviewedError) as own_review:  # nobody posts what they reviewed
        app.vouchers.post_vouchers(drafts=drafts, actor="reviewer")
    assert {p.kind for p in own_review.value.problems} == {"own-review"}

    done = app.vouchers.post_vouchers(drafts=list(reversed(drafts)), actor="clerk")

    assert done.numbers == tuple(f"{code} 2025-{n:04d}" for n in range(1, 31))  # date order
    for v in a_year(single):
        app.books.post_entry(
            entity=single, date=v.date, memo=v.memo, postings=list(v.postings), actor="clerk"
        )
    runtime.views.catch_up()
    assert entries(runtime, code) == entries(runtime, single)
    assert trial_balances(runtime, code) == trial_balances(runtime, single)
    posted = voucher_list(runtime.engine, townships=None, import_id=result.import_id, limit=100)
    assert {(v["status"], v["reviewer"], v["poster"]) for v in posted} == {
        ("posted", "reviewer", "clerk")
    }


def test_an_import_for_review_is_refused_whole_as_a_posting_would_be(runtime: Runtime) -> None:
    app = runtime.app
    code = village(app)
    vouchers = [receipt(code, D(2025, 1, 2), "10.00"), payment(code, D(2025, 1, 3), "999999.00")]
    before = events(runtime)
    with pytest.raises(VouchersRefusedError) as refused:
        app.bulk.import_vouchers(vouchers, actor="clerk")
    assert [p.voucher for p in refused.value.problems] == [1]
    assert events(runtime) == before
    # the books checked the file in memory only: they are as they were
    assert app.get_books(code).sequences == {}


def test_text_the_store_cannot_hold_is_refused_in_the_words_of_one_voucher(
    runtime: Runtime,
) -> None:
    """The texts of an import are searched at once; one bad character among them still names
    its voucher and field as the voucher alone would be named (``check_voucher_text``), and
    nothing is written."""
    app = runtime.app
    code = village(app)
    vouchers = a_year(code)
    bad = vouchers[11]
    vouchers[11] = voucher(
        code, bad.date, bad.memo, bad.postings[0], {**bad.postings[1], "memo": "付\x07款"}
    )
    before = events(runtime)
    with pytest.raises(VouchersRefusedError) as refused:
        app.bulk.import_vouchers(vouchers, actor="clerk", batch_size=7, post_directly=True)
    (problem,) = refused.value.problems
    assert (problem.voucher, problem.field, problem.kind) == (11, "postings[1].memo", "validation")
    assert "U+0007" in problem.message
    assert events(runtime) == before
    # fixed, the same file goes in, numbered as before
    vouchers[11] = bad
    result = app.bulk.import_vouchers(vouchers, actor="clerk", batch_size=7, post_directly=True)
    assert [p.number for p in result.posted][:2] == ["2025-0001", "2025-0002"]
    assert len(result.posted) == 30
