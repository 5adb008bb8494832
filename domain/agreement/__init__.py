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
from domain.owned import Townships
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

    def township_in(self, townships: Townships) -> str | None:
        """The township of its joint entity (``domain.tenancy``)."""
        return townships.entity_township(self.joint_entity_code)

    def described(self) -> str:
        return f"agreement {self.code}"

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
                zh=f"协议 {self.code} 的期限是 {self.start_year} 年到 {last} 年，不含 {year} 年",
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
        """Receivable (declared, or the guarantee once its shortfall was booked) not received."""
        return self.receivable_for(year) - self.received_for(year)

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
                zh=f"协议 {self.code} {year} 年已宣告、尚未收到的只有 {format_yuan(outstanding)}，"
                f"{format_yuan(amount)} 超出了；请先登记宣告的分红，再登记收到的金额",
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

    # -- the guaranteed minimum (保底) as a receivable -----------------------------------------

    def _floors(self) -> dict[str, int]:
        """Year → the receivable the booked shortfall brought that year up to, in fen."""
        floors: dict[str, int] = self.__dict__.setdefault("guarantee_floors", {})
        return floors

    def receivable_for(self, year: int) -> Money:
        """What the joint entity's books hold as receivable for ``year``: what was declared, or
        the guarantee once its shortfall was booked, whichever is larger."""
        return from_fen(max(self.declared.get(str(year), 0), self._floors().get(str(year), 0)))

    def receivable_after(self, year: int, amount: Money) -> Money:
        """The receivable for ``year`` once ``amount`` more is declared."""
        declared = self.declared.get(str(year), 0) + to_fen(amount)
        return from_fen(max(declared, self._floors().get(str(year), 0)))

    def due_date(self, year: int) -> datetime.date:
        """The day ``year``'s money is due (the payment day of the terms; 29 February in a
        year without one is the 28th)."""
        month, day = (int(part) for part in self.payment_due.split("-"))
        if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 or year % 400 == 0)):
            day = 28
        return datetime.date(year, month, day)

    def guarantee_shortfall(self, year: int, on: datetime.date) -> Money:
        """The part of ``year``'s guarantee not yet in the books as a receivable, checked:
        the payment day must have come, and there must be a shortfall left to book."""
        self._check_year(year)
        due = self.due_date(year)
        if on < due:
            raise InvalidRequestError(
                f"the guarantee of agreement {self.code} for {year} falls due on {due}; its "
                f"shortfall can be booked on or after that day, not on {on}",
                field="date",
                zh=f"协议 {self.code} {year} 年的保底 {due} 到期，到期当天或以后才能记保底差额",
            )
        guaranteed, booked = self.guaranteed_for(year), self.receivable_for(year)
        if guaranteed <= booked:
            raise ConflictError(
                f"agreement {self.code}: {format_yuan(booked)} is already receivable for {year}, "
                f"not less than the guarantee {format_yuan(guaranteed)}; there is no shortfall "
                "to book",
                field="year",
                zh=f"协议 {self.code} {year} 年已记应收 {format_yuan(booked)}，不少于保底 "
                f"{format_yuan(guaranteed)}，没有保底差额可记",
            )
        return guaranteed - booked

    def book_guarantee_shortfall(
        self, *, year: int, amount: Money, date: datetime.date, entry_number: str, actor: str
    ) -> None:
        """Record the shortfall booked (借 112 应收款 / 贷 502 投资收益) for ``year``."""
        if amount != self.guarantee_shortfall(year, date):
            raise ConflictError("the shortfall changed while it was booked; try again")
        self._guarantee_shortfall_booked(
            year=year, amount=amount, date=date, entry_number=entry_number, actor=actor
        )

    @event("GuaranteeShortfallBooked")
    def _guarantee_shortfall_booked(
        self, *, year: int, amount: Money, date: datetime.date, entry_number: str, actor: str
    ) -> None:
        key = str(year)
        floors = self._floors()
        floors[key] = max(self.declared.get(key, 0), floors.get(key, 0)) + to_fen(amount)

    def correct_dividend(
        self,
        *,
        year: int,
        kind: str,
        entry_number: str,
        reversal_number: str,
        new_entry_number: str | None,
        old_amount: Money,
        new_amount: Money,
        date: datetime.date,
        reason: str,
        actor: str,
    ) -> None:
        """Correct a dividend declared or received (``kind``): the entry of ``old_amount`` is
        reversed in red ink and, unless ``new_amount`` is zero, the right amount posted again.

        Declared stays at least what was received, and received at most what was declared:
        to lower a declaration below the receipts, correct the receipt first.
        """
        self._check_year(year)
        if kind not in ("declared", "received"):
            raise InvalidRequestError(
                f"entry {entry_number} is neither a declaration nor a receipt of a dividend "
                f"under agreement {self.code}",
                field="entry",
            )
        if new_amount < ZERO:
            raise InvalidRequestError("a corrected dividend is ≥ 0", field="amount")
        if new_amount == old_amount:
            raise InvalidRequestError(
                f"entry {entry_number} already records {format_yuan(old_amount)}; a correction "
                "changes the amount (0.00 cancels it)",
                field="amount",
            )
        delta = new_amount - old_amount
        declared, received = self.declared_for(year), self.received_for(year)
        if kind == "declared":
            declared += delta
        else:
            received += delta
        if declared < ZERO or received < ZERO:
            raise ConflictError(
                f"agreement {self.code} records {format_yuan(self.declared_for(year))} declared "
                f"and {format_yuan(self.received_for(year))} received for {year}; entry "
                f"{entry_number} is not part of them",
                field="entry",
            )
        if received > declared:
            raise ConflictError(
                f"after this correction agreement {self.code} would have received "
                f"{format_yuan(received)} of a {format_yuan(declared)} dividend for {year}; "
                "correct the receipt first, or declare the right amount",
                field="amount",
            )
        self._dividend_corrected(
            year=year,
            kind=kind,
            entry_number=entry_number,
            reversal_number=reversal_number,
            new_entry_number=new_entry_number,
            old_amount=old_amount,
            new_amount=new_amount,
            date=date,
            reason=reason,
            actor=actor,
        )

    @event("DividendCorrected")
    def _dividend_corrected(
        self,
        *,
        year: int,
        kind: str,
        entry_number: str,
        reversal_number: str,
        new_entry_number: str | None,
        old_amount: Money,
        new_amount: Money,
        date: datetime.date,
        reason: str,
        actor: str,
    ) -> None:
        records = self.declared if kind == "declared" else self.received
        key = str(year)
        records[key] = records.get(key, 0) + to_fen(new_amount) - to_fen(old_amount)
