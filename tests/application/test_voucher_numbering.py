"""Voucher numbers (凭证号) by the township's setting (``domain.township``): per set of books,
month and 凭证字 under monthly numbering, per year under yearly; a set of books keeps yearly
numbers for a year it already has entries in and switches at its next year.

The defect of issue 20 item 5 first: under yearly numbering a July voucher posted after a
December one took the year's next number (2025-0002 dated July after 2025-0001 dated 31
December); under monthly numbering it takes July's own first number."""

from __future__ import annotations

import datetime

import pytest

from domain.application import LianzhangApplication
from domain.runner import Caller
from tests.builders import TOWNSHIP, receipt, village

D = datetime.date
CLERK = Caller("clerk-1", frozenset({TOWNSHIP}))


def new_app(numbering: str = "monthly") -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo", "LIANZHANG_NUMBERING": numbering},
        today=lambda: D(2026, 11, 23),
    )


@pytest.fixture
def app() -> LianzhangApplication:
    return new_app()


def test_a_july_voucher_posted_after_december_takes_julys_number(
    app: LianzhangApplication,
) -> None:
    code = village(app)
    december = app.books.post_entry(
        entity=code, date=D(2025, 12, 31), memo="年末收租", postings=receipt("100.00"), actor="a"
    )
    july = app.books.post_entry(
        entity=code, date=D(2025, 7, 5), memo="补记七月租金", postings=receipt("50.00"), actor="a"
    )
    assert december.number == "2025-12-J-0001"
    assert july.number == "2025-07-J-0001"  # July's own first number, not 2025-0002
