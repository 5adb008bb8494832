from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from ledger.accounts import ChartOfAccounts, Side
from ledger.entries import JournalEntry, Posting, build_entry, red_ink_reversal
from ledger.errors import (
    InvalidAmountError,
    InvalidEntryError,
    LedgerError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from ledger.money import CNY, ZERO, from_fen, money

CHART = ChartOfAccounts.standard()
DAY = datetime.date(2025, 3, 1)


def row(account: object, side: object, amount: object, **more: object) -> dict[str, object]:
    return {"account": account, "side": side, "amount": amount, **more}


def build(postings: list[Any], reverses: str | None = None, number: str = "n") -> JournalEntry:
    return build_entry(
        date=DAY, number=number, memo="x", postings=postings, chart=CHART, reverses=reverses
    )


def test_a_balanced_entry_is_built() -> None:
    entry = build_entry(
        date=DAY,
        number="2025-0001",
        memo="收到分红",
        postings=[
            row("102", "借", "186000.00", memo="纽澜地"),
            row("502", "贷", "186000"),
        ],
        chart=CHART,
    )
    assert entry.debit_total == entry.credit_total == money("186000.00")
    assert [(p.account, p.side, p.memo) for p in entry.postings] == [
        ("102", Side.DEBIT, "纽澜地"),
        ("502", Side.CREDIT, ""),
    ]
    assert [p.signed() for p in entry.postings] == [money("186000"), -money("186000")]
    assert entry.reverses is None
    entry.validate_accounts(CHART)  # no error


def test_unbalanced_says_both_totals_and_the_difference() -> None:
    """An entry that does not balance never gets its number: the error names its date only."""
    with pytest.raises(UnbalancedEntryError) as caught:
        build([row("102", "debit", "1000.00"), row("502", "credit", "900.00")], number="2025-0003")
    assert str(caught.value) == (
        "the entry of 2025-03-01 does not balance: debits ¥1,000.00, credits ¥900.00, "
        "difference ¥100.00"
    )
    assert "2025-0003" not in str(caught.value)
    assert caught.value.field == "postings"


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    with pytest.raises(LedgerError) as caught:
        build(
            [
                row("999", "debit", "1.00"),
                row("102", "sideways", "1.505"),
                {"account": "502", "side": "credit", "amout": "1.00"},
                "102 debit 1.00",
            ]
        )
    error = caught.value
    assert type(error) is InvalidEntryError
    assert [f for f, _ in error.errors] == [
        "postings[0].account",
        "postings[1].side",
        "postings[1].amount",
        "postings[2].amout",
        "postings[2].amount",
        "postings[3]",
    ]
    assert error.field == "postings[0].account"
    messages = dict(error.errors)
    assert "'999' is not in the chart of accounts" in messages["postings[0].account"]
    assert messages["postings[1].side"] == "side 'sideways' is not one of debit, credit, 借, 贷"
    assert "has 3 decimal places; at most 2 are allowed" in messages["postings[1].amount"]
    assert "unknown field 'amout'" in messages["postings[2].amout"]
    assert "amount is missing" in messages["postings[2].amount"]
    assert str(error).startswith("postings[0].account: account '999' is not in the chart")
    assert "; postings[3]: " in str(error)


def test_only_unknown_accounts_give_an_unknown_account_error() -> None:
    with pytest.raises(UnknownAccountError) as caught:
        build([row("102", "debit", "1.00"), row("599", "credit", "1.00")])
    assert caught.value.field == "postings[1].account"
    assert len(caught.value.errors) == 1


def test_only_bad_amounts_give_an_invalid_amount_error() -> None:
    with pytest.raises(InvalidAmountError) as caught:
        build([row("102", "debit", "-1.00"), row("502", "credit", "0")])
    assert [f for f, _ in caught.value.errors] == ["postings[0].amount", "postings[1].amount"]
    messages = [m for _, m in caught.value.errors]
    assert "is negative; only amounts > 0 are allowed here" in messages[0]
    assert "is zero" in messages[1]


def test_the_field_prefix_names_the_list() -> None:
    with pytest.raises(InvalidEntryError) as caught:
        build_entry(
            date=DAY,
            number="期初",
            memo="期初余额",
            postings=[row("102", "debit", "1.00"), row("301", "?", "1.00")],
            chart=CHART,
            field_prefix="balances",
        )
    assert caught.value.field == "balances[1].side"


@pytest.mark.parametrize("postings", [[row("102", "debit", "1.00")], []])
def test_fewer_than_two_postings_are_refused(postings: list[dict[str, object]]) -> None:
    with pytest.raises(InvalidEntryError, match="at least two postings") as caught:
        build(postings)
    assert caught.value.field == "postings"


def test_header_problems_are_reported_with_the_postings() -> None:
    with pytest.raises(InvalidEntryError) as caught:
        build_entry(
            date=datetime.datetime(2025, 3, 1, 12, 0),
            number="",
            memo="x",
            postings=[row("102", "debit", "1.00"), row("502", "credit", "1.00")],
            chart=CHART,
        )
    assert [f for f, _ in caught.value.errors] == ["date", "number"]


def test_red_ink_reversal_negates_and_references() -> None:
    original = build(
        [row("102", "debit", "5.00", memo="a"), row("502", "credit", "5.00")], number="2025-0001"
    )
    reversal = red_ink_reversal(original, date=DAY, number="2025-0002", memo="冲销")
    assert reversal.reverses == "2025-0001"
    assert [(p.account, p.side, p.memo) for p in reversal.postings] == [
        ("102", Side.DEBIT, "a"),
        ("502", Side.CREDIT, ""),
    ]
    assert [p.signed() for p in reversal.postings] == [-money("5.00"), money("5.00")]
    assert reversal.debit_total == reversal.credit_total == -money("5.00")
    with pytest.raises(InvalidEntryError, match="itself a reversal of 2025-0001"):
        red_ink_reversal(reversal, date=DAY, number="2025-0003", memo="x")


def test_a_reversal_has_only_negative_amounts_and_an_ordinary_entry_only_positive() -> None:
    positive = build([row("102", "debit", "5.00"), row("502", "credit", "5.00")])
    with pytest.raises(InvalidEntryError, match="must be negative") as caught:
        JournalEntry(
            date=DAY, number="r", memo="x", postings=positive.postings, reverses="2025-0001"
        )
    assert [f for f, _ in caught.value.errors] == ["postings[0].amount", "postings[1].amount"]
    negative = tuple(
        Posting(account=p.account, side=p.side, amount=-p.amount) for p in positive.postings
    )
    with pytest.raises(InvalidEntryError, match="is negative; an ordinary entry") as caught:
        JournalEntry(date=DAY, number="n", memo="x", postings=negative)
    assert caught.value.field == "postings[0].amount"


def test_build_entry_builds_reversals_in_red_ink() -> None:
    reversal = build(
        [row("102", "debit", "-5.00"), row("502", "credit", "-5.00")], reverses="2025-0001"
    )
    assert reversal.debit_total == -money("5.00")
    with pytest.raises(InvalidAmountError) as caught:
        build([row("102", "debit", "5.00"), row("502", "credit", "-5.00")], reverses="2025-0001")
    assert caught.value.field == "postings[0].amount"
    assert "red-ink reversal (红字冲销) has only negative amounts" in str(caught.value)


def test_an_entry_cannot_reverse_itself() -> None:
    with pytest.raises(InvalidEntryError, match="cannot reverse itself"):
        build([row("102", "debit", "-5.00"), row("502", "credit", "-5.00")], reverses="n")


def test_postings_keep_two_places_and_refuse_zero_and_fractions_of_a_fen() -> None:
    posting = Posting(account="102", side=Side.DEBIT, amount=Money(Decimal("5.000"), CNY))
    assert posting.amount == money("5.00")
    assert str(posting.amount.amount) == "5.00"
    with pytest.raises(InvalidAmountError, match="amount is zero") as caught:
        Posting(account="102", side=Side.DEBIT, amount=ZERO)
    assert caught.value.field == "amount"
    with pytest.raises(InvalidAmountError, match="not a whole number of fen"):
        Posting(account="102", side=Side.DEBIT, amount=Money(Decimal("0.005"), CNY))
    with pytest.raises(InvalidAmountError, match="not an amount in CNY"):
        Posting(account="102", side=Side.DEBIT, amount=Money("1.00", "USD"))
    with pytest.raises(InvalidAmountError, match="too large"):
        Posting(account="102", side=Side.DEBIT, amount=from_fen(10**17))
    with pytest.raises(InvalidEntryError, match=r"not Side\.DEBIT or Side\.CREDIT"):
        Posting(account="102", side="借", amount=money("1"))  # type: ignore[arg-type]


def test_entries_are_frozen_and_hold_tuples() -> None:
    postings = [
        Posting(account="102", side=Side.DEBIT, amount=money("1")),
        Posting(account="502", side=Side.CREDIT, amount=money("1")),
    ]
    entry = JournalEntry(date=DAY, number="n", memo="x", postings=postings)  # type: ignore[arg-type]
    assert entry.postings == tuple(postings)
    with pytest.raises(AttributeError):
        entry.memo = "y"  # type: ignore[misc]
    assert hash(entry) == hash(
        JournalEntry(date=DAY, number="n", memo="x", postings=tuple(postings))
    )


def test_validate_accounts_lists_every_unknown_account() -> None:
    entry = JournalEntry(
        date=DAY,
        number="n",
        memo="x",
        postings=(
            Posting(account="999", side=Side.DEBIT, amount=money("1")),
            Posting(account="102", side=Side.DEBIT, amount=money("1")),
            Posting(account="5O2", side=Side.CREDIT, amount=money("2")),
        ),
    )
    with pytest.raises(UnknownAccountError) as caught:
        entry.validate_accounts(CHART)
    assert caught.value.field == "postings[0].account"
    assert [f for f, _ in caught.value.errors] == ["postings[0].account", "postings[2].account"]
    assert "'5O2' is not in the chart" in str(caught.value)


# -- properties -------------------------------------------------------------------------------

amount_texts = st.integers(min_value=-500, max_value=10**9).map(
    lambda fen: ("-" if fen < 0 else "") + f"{abs(fen) // 100}.{abs(fen) % 100:02d}"
)
raw_rows = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "account": st.sampled_from(["101", "102", "113V02", "502", "999", "", None, 102]),
                "side": st.sampled_from(["debit", "credit", "借", "贷", "x", None, Side.DEBIT]),
                "amount": st.one_of(
                    amount_texts,
                    st.integers(min_value=-5, max_value=10**6),
                    st.sampled_from(["", "1e3", "0.001", None, Decimal("NaN"), True]),
                ),
            },
            optional={"memo": st.one_of(st.text(max_size=3), st.none()), "note": st.just("?")},
        ),
        st.sampled_from([None, "102", 7, ["102", "debit", "1.00"]]),
    ),
    max_size=6,
)


@given(raw_rows, st.sampled_from([None, "2025-0001"]))
def test_every_entry_that_is_accepted_is_balanced(rows: list[Any], reverses: str | None) -> None:
    try:
        entry = build(rows, reverses=reverses)
    except LedgerError as error:
        assert error.errors or isinstance(error, UnbalancedEntryError)
        return
    assert entry.debit_total == entry.credit_total
    assert len(entry.postings) == len(rows) >= 2
    assert all((p.amount.amount > 0) == (reverses is None) for p in entry.postings)
    assert all(p.account in CHART for p in entry.postings)


@given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=5))
def test_an_entry_whose_credits_match_its_debits_is_accepted(fens: list[int]) -> None:
    debits = [row("102", "debit", f"{f // 100}.{f % 100:02d}") for f in fens]
    total = sum(fens)
    credit = row("502", "credit", f"{total // 100}.{total % 100:02d}")
    entry = build([*debits, credit])
    assert entry.debit_total == entry.credit_total == from_fen(total)
    reversal = red_ink_reversal(entry, date=DAY, number="r", memo="冲销")
    assert reversal.debit_total == -entry.debit_total
    assert sum((p.signed() for p in (*entry.postings, *reversal.postings)), ZERO) == ZERO


valid_rows = st.lists(
    st.fixed_dictionaries(
        {
            "account": st.sampled_from(["102", "113V02", "502"]),
            "side": st.sampled_from(["debit", "credit", "借", "贷"]),
            "amount": st.sampled_from(["1.00", "2.00", "3", "0.50", "-1.00"]),
        }
    ),
    min_size=2,
    max_size=5,
)


@given(valid_rows, st.sampled_from([None, "2025-0001"]))
def test_well_formed_rows_give_a_balanced_entry_or_an_unbalanced_error(
    rows: list[dict[str, object]], reverses: str | None
) -> None:
    signs_fit = all(str(r["amount"]).startswith("-") == (reverses is not None) for r in rows)
    fen = [int(Decimal(str(r["amount"])) * 100) for r in rows]
    debits = sum(f for f, r in zip(fen, rows, strict=True) if r["side"] in ("debit", "借"))
    credits = sum(fen) - debits
    try:
        entry = build(rows, reverses=reverses)
    except UnbalancedEntryError:
        assert signs_fit and debits != credits
        return
    except InvalidAmountError:
        assert not signs_fit
        return
    assert signs_fit and debits == credits
    assert entry.debit_total == entry.credit_total == from_fen(debits)


@pytest.mark.parametrize(
    "kind",
    [InvalidAmountError, UnbalancedEntryError, UnknownAccountError, InvalidEntryError],
)
def test_every_ledger_error_is_a_value_error_with_a_field(kind: type[LedgerError]) -> None:
    error = kind("amount '12.345' has 3 decimal places", field="postings[1].amount")
    assert isinstance(error, LedgerError) and isinstance(error, ValueError)
    assert (str(error), error.field, error.errors) == (
        "amount '12.345' has 3 decimal places",
        "postings[1].amount",
        (),
    )
    assert kind("no field").field is None
