"""The commands on enterprise agreements (村企合作), as data (``domain.commands``): each names the
township of the agreement's alliance and calls ``app.agreements``
(``domain.agreement.service``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.commands import Command, Place, Recorded, Words, alliance_place
from ledger.entries import JournalEntry


def agreement_place(app: Any, code: str) -> Place:
    """The township of agreement ``code``'s alliance (404 when there is no such agreement)."""
    terms = app.agreements.get_agreement(code)
    words = Words(f"agreement {code}", f"协议 {code}")
    return app.get_alliance(terms.alliance_code).township, words


@dataclass(frozen=True)
class SignAgreement(Command[str]):
    """Sign an agreement between an alliance and a partner enterprise; answers its code."""

    code: str
    alliance: str
    enterprise: str
    signed_on: datetime.date
    start_year: int
    years: int
    invested_capital: str
    guarantee_kind: str
    guarantee_value: Decimal
    profit_share_percent: Decimal
    payment_due: str

    def places(self, app: Any) -> Iterable[Place]:
        return (alliance_place(app, self.alliance),)

    def execute(self, app: Any, actor: str) -> str:
        app.agreements.sign_agreement(
            code=self.code,
            alliance=self.alliance,
            enterprise=self.enterprise,
            signed_on=self.signed_on,
            start_year=self.start_year,
            years=self.years,
            invested_capital=self.invested_capital,
            guarantee_kind=self.guarantee_kind,
            guarantee_value=self.guarantee_value,
            profit_share_percent=self.profit_share_percent,
            payment_due=self.payment_due,
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class AgreementCommand(Command[JournalEntry]):
    """A command on an existing agreement posting one entry in the joint entity's books;
    answers the entry."""

    agreement: str

    def places(self, app: Any) -> Iterable[Place]:
        return (agreement_place(app, self.agreement),)

    def replayed(self, recorded: Recorded) -> JournalEntry:
        return recorded.entry()


@dataclass(frozen=True)
class DeclareDividend(AgreementCommand):
    """The enterprise declares a year's dividend (借 112 应收款, 贷 502 投资收益)."""

    year: int
    amount: str
    date: datetime.date

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.agreements.declare_dividend(
            agreement=self.agreement,
            year=self.year,
            amount=self.amount,
            date=self.date,
            actor=actor,
        )
        return entry


@dataclass(frozen=True)
class ReceiveDividend(AgreementCommand):
    """A declared dividend is received (借 102 银行存款, 贷 112 应收款)."""

    year: int
    amount: str
    date: datetime.date

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.agreements.receive_dividend(
            agreement=self.agreement,
            year=self.year,
            amount=self.amount,
            date=self.date,
            actor=actor,
        )
        return entry


@dataclass(frozen=True)
class BookGuaranteeShortfall(AgreementCommand):
    """Book a year's 保底 shortfall as a receivable (借 112 应收款, 贷 502 投资收益)."""

    year: int
    date: datetime.date

    def execute(self, app: Any, actor: str) -> JournalEntry:
        entry: JournalEntry = app.agreements.book_guarantee_shortfall(
            agreement=self.agreement, year=self.year, date=self.date, actor=actor
        )
        return entry


@dataclass(frozen=True)
class CorrectDividend(Command[dict[str, Any]]):
    """Correct a declared or received dividend: its entry reversed (red ink), the right amount
    posted (0.00 cancels), the agreement's record changed, one save. Answers ``kind``
    ("declared" or "received"), ``reversal`` and ``entry`` (None when cancelled)."""

    agreement: str
    entry: str
    year: int
    amount: str
    date: datetime.date
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        return (agreement_place(app, self.agreement),)

    def execute(self, app: Any, actor: str) -> dict[str, Any]:
        result: dict[str, Any] = app.agreements.correct_dividend(
            agreement=self.agreement,
            entry=self.entry,
            year=self.year,
            amount=self.amount,
            date=self.date,
            reason=self.reason,
            actor=actor,
        )
        return result

    def replayed(self, recorded: Recorded) -> dict[str, Any]:
        entries = recorded.entries()
        reversal = next(e for e in entries if e.reverses is not None)
        again = next((e for e in entries if e.reverses is None), None)
        declared = any(p.account == "502" for p in reversal.postings)
        return {
            "kind": "declared" if declared else "received",
            "reversal": reversal,
            "entry": again,
        }
