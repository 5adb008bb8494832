"""Enterprise agreements (村企合作协议): the terms on which a partner enterprise pays the joint
entity, and the dividends declared and received under them, year by year."""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.periods import day_in_year
from ledger.allocation import percent_of
from ledger.money import ZERO, format_yuan, from_fen, to_fen

GUARANTEE_KINDS = ("amount", "percent")


def agreement_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"agreement:{code}")


class EnterpriseAgreement(Aggregate):
    """Terms with a partner enterprise and what it declared and paid, per year.

    The guaranteed minimum (保底) is either a fixed amount a year or a percentage a year of the
    capital invested; on top of it the enterprise shares ``profit_share_percent`` of its profit.
    What is due for a year is the larger of the guarantee and what was declared.
    """

    @staticmethod
    def create_id(code: str) -> UUID:
        return agreement_id(code)

    @classmethod
    def sign(
        cls,
        *,
        code: str,
        alliance_code: str,
        joint_entity_code: str,
        enterprise_code: str,
        signed_on: datetime.date,
        start_year: int,
        years: int,
        invested_capital: Money,
        guarantee_kind: str,
        guarantee_value: Decimal,
        profit_share_percent: Decimal,
        payment_due: str,
        actor: str,
    ) -> EnterpriseAgreement:
        """Check the terms and sign; ``payment_due`` is the day each year's money is due (MM-DD)."""
        if guarantee_kind not in GUARANTEE_KINDS:
            raise InvalidRequestError(
                f"guarantee kind {guarantee_kind!r} is not known; use 'amount' (yuan a year) "
                "or 'percent' (of the invested capital a year)",
                field="guarantee.kind",
            )
        if not guarantee_value.is_finite() or guarantee_value < 0:
            raise InvalidRequestError("the guarantee must be ≥ 0", field="guarantee.value")
        if guarantee_kind == "percent" and guarantee_value > 100:
            raise InvalidRequestError(
                "a guarantee in percent is at most 100", field="guarantee.value"
            )
        if guarantee_kind == "amount" and guarantee_value != guarantee_value.quantize(
            Decimal("0.01")
        ):
            raise InvalidRequestError(
                "a guaranteed amount has at most two decimal places", field="guarantee.value"
            )
        if not Decimal(0) <= profit_share_percent <= 100:
            raise InvalidRequestError(
                "the profit share is a percentage between 0 and 100", field="profit_share_percent"
            )
        if years < 1:
            raise InvalidRequestError("an agreement runs at least one year", field="years")
        if not 1 <= start_year <= 9999 - years:
            raise InvalidRequestError(
                f"an agreement from {start_year} for {years} years leaves the calendar",
                field="start_year",
            )
        # the due day of every year must be a date before anything is saved (02-29 → 02-28)
        day_in_year(start_year + years - 1, payment_due, field="payment_due")
        return cls(
            code=code,
            alliance_code=alliance_code,
            joint_entity_code=joint_entity_code,
            enterprise_code=enterprise_code,
            signed_on=signed_on,
            start_year=start_year,
            years=years,
            invested_capital=invested_capital,
            guarantee_kind=guarantee_kind,
            guarantee_value=guarantee_value,
            profit_share_percent=profit_share_percent,
            payment_due=payment_due,
            actor=actor,
        )

    @event("Signed")
    def __init__(
        self,
        *,
        code: str,
        alliance_code: str,
        joint_entity_code: str,
        enterprise_code: str,
        signed_on: datetime.date,
        start_year: int,
        years: int,
        invested_capital: Money,
        guarantee_kind: str,
        guarantee_value: Decimal,
        profit_share_percent: Decimal,
        payment_due: str,
        actor: str,
    ) -> None:
        self.code = code
        self.alliance_code = alliance_code
        self.joint_entity_code = joint_entity_code
        self.enterprise_code = enterprise_code
        self.signed_on = signed_on
        self.start_year = start_year
        self.years = years
        self.invested_capital = invested_capital
        self.guarantee_kind = guarantee_kind
        self.guarantee_value = guarantee_value
        self.profit_share_percent = profit_share_percent
        self.payment_due = payment_due
        self.declared: dict[str, int] = {}  # year → fen
        self.received: dict[str, int] = {}  # year → fen

    # -- queries -------------------------------------------------------------------------------

    @property
    def receivable_account(self) -> str:
        """应收款 sub-account of the enterprise in the joint entity's books."""
        return f"112{self.enterprise_code}"

    def guaranteed_for(self, year: int) -> Money:
        if self.guarantee_kind == "amount":
            return Money(self.guarantee_value, "CNY")
        return percent_of(self.invested_capital, self.guarantee_value)

    def declared_for(self, year: int) -> Money:
        return from_fen(self.declared.get(str(year), 0))

    def received_for(self, year: int) -> Money:
        return from_fen(self.received.get(str(year), 0))

    def _check_year(self, year: int) -> None:
        last = self.start_year + self.years - 1
        if not self.start_year <= year <= last:
            raise InvalidRequestError(
                f"agreement {self.code} runs from {self.start_year} to {last}, not {year}",
                field="year",
            )

    # -- commands ------------------------------------------------------------------------------

    def declare_dividend(
        self, *, year: int, amount: Money, date: datetime.date, entry_number: str, actor: str
    ) -> None:
        self._check_year(year)
        if amount <= ZERO:
            raise InvalidRequestError("a declared dividend is positive", field="amount")
        self._dividend_declared(
            year=year, amount=amount, date=date, entry_number=entry_number, actor=actor
        )

    @event("DividendDeclared")
    def _dividend_declared(
        self, *, year: int, amount: Money, date: datetime.date, entry_number: str, actor: str
    ) -> None:
        key = str(year)
        self.declared[key] = self.declared.get(key, 0) + to_fen(amount)

    def outstanding_for(self, year: int) -> Money:
        return self.declared_for(year) - self.received_for(year)

    def receive_dividend(
        self, *, year: int, amount: Money, date: datetime.date, entry_number: str, actor: str
    ) -> None:
        self._check_year(year)
        outstanding = self.outstanding_for(year)
        if amount <= ZERO:
            raise InvalidRequestError("a received dividend is positive", field="amount")
        if amount > outstanding:
            raise ConflictError(
                f"agreement {self.code} has {format_yuan(outstanding)} declared and not yet "
                f"received for {year}; {format_yuan(amount)} is more. Declare the dividend "
                "first, then record what was received",
                field="amount",
            )
        self._dividend_received(
            year=year, amount=amount, date=date, entry_number=entry_number, actor=actor
        )

    @event("DividendReceived")
    def _dividend_received(
        self, *, year: int, amount: Money, date: datetime.date, entry_number: str, actor: str
    ) -> None:
        key = str(year)
        self.received[key] = self.received.get(key, 0) + to_fen(amount)
