"""The Voucher aggregate alone: its events, its state after a replay of them, its guards."""

from __future__ import annotations

import datetime

import pytest

from domain.errors import InvalidRequestError
from domain.vouchers import (
    NotPreparerError,
    OwnVoucherError,
    Voucher,
    VoucherStateError,
    person_of,
    postings_of,
    same_person,
)
from ledger.money import money

DAY = datetime.date(2026, 3, 5)
LINES = [
    {"account": "102", "debit": "1200.00", "memo": "存入"},
    {"account": "504", "credit": "1200", "debit": ""},
]


def new() -> Voucher:
    return Voucher.new(
        entity="V01", township="唐坊镇", date=DAY, summary=" 收款 ", lines=LINES, actor="zhang"
    )


def replayed(voucher: Voucher) -> Voucher:
    copy = None
    for event in voucher.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, Voucher)
    return copy


def test_events_and_the_state_after_replay() -> None:
    voucher = new()
    voucher.attach(
        sha256="ab" * 32, name="收据.jpg", media_type="image/jpeg", size=10, actor="zhang"
    )
    voucher.submit(actor="zhang")
    voucher.return_(reason=" 缺发票 ", actor="li")
    voucher.edit(date=DAY, summary="收款", lines=LINES, actor="zhang")
    voucher.submit(actor="zhang")
    voucher.approve(number="2026-0007", actor="li")
    names = [type(e).__qualname__ for e in voucher.pending_events]
    assert names == [
        "Voucher.Drafted",
        "Voucher.DocumentAttached",
        "Voucher.Submitted",
        "Voucher.Returned",
        "Voucher.Edited",
        "Voucher.Submitted",
        "Voucher.Approved",
    ]
    history = [(what, actor) for what, actor, _ in voucher.history]
    moments = [at for _, _, at in voucher.history]
    copy = replayed(voucher)
    assert copy.status == "posted" and copy.posted_number == "2026-0007"
    assert copy.summary == "收款" and copy.reviewer == "li" and copy.returned_reason is None
    assert copy.lines == [
        {"account": "102", "debit": money("1200.00"), "credit": money("0"), "memo": "存入"},
        {"account": "504", "debit": money("0"), "credit": money("1200.00"), "memo": ""},
    ]
    assert copy.total == money("1200.00")
    assert copy.attachments == [
        {"sha256": "ab" * 32, "name": "收据.jpg", "media_type": "image/jpeg", "size": 10}
    ]
    assert [(what, actor) for what, actor, _ in copy.history] == history
    assert [at for _, _, at in copy.history] == moments  # each step's time is its event's
    assert all(isinstance(at, datetime.datetime) for at in moments)
    assert postings_of(copy.lines) == [
        {"account": "102", "side": "debit", "amount": money("1200.00"), "memo": "存入"},
        {"account": "504", "side": "credit", "amount": money("1200.00"), "memo": ""},
    ]


def test_guards() -> None:
    voucher = new()
    with pytest.raises(VoucherStateError):
        voucher.approve(number="2026-0001", actor="li")
    with pytest.raises(NotPreparerError):
        voucher.submit(actor="li")
    voucher.submit(actor="zhang")
    with pytest.raises(OwnVoucherError) as refused:
        voucher.approve(number="2026-0001", actor="zhang")
    assert refused.value.kind == "own-voucher" and refused.value.zh
    with pytest.raises(OwnVoucherError):
        voucher.return_(reason="x", actor="zhang@token-1")
    with pytest.raises(InvalidRequestError) as empty:
        voucher.return_(reason="  ", actor="li")
    assert empty.value.field == "reason"
    with pytest.raises(VoucherStateError):
        voucher.attach(sha256="ab" * 32, name="x", media_type="image/png", size=1, actor="zhang")


def test_lines_are_refused_with_every_problem_named() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        Voucher.new(
            entity="V01",
            township="唐坊镇",
            date=DAY,
            summary="x",
            lines=[
                {"account": "1", "debit": "1.00"},
                {"account": "504", "debit": "1.00", "credit": "1.00"},
                {"account": "102", "debit": "1.001"},
            ],
            actor="zhang",
        )
    assert refused.value.field == "lines[0].account"
    assert refused.value.zh is not None
    assert (
        "第1行" in refused.value.zh and "第2行" in refused.value.zh and "第3行" in refused.value.zh
    )


def test_a_person_and_their_tokens_are_one_person() -> None:
    assert person_of("zhang@tok") == "zhang" and person_of("clerk-1") == "clerk-1"
    assert same_person("zhang", "zhang@tok") and not same_person("zhang", "li")
    assert not same_person(None, "li")
