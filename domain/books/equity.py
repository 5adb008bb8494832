"""The equity register of a joint entity (股权登记), read: each village's capital by fund
programme and its land shares in force on a day. ``domain.books.JointEntity`` keeps the
register and answers through these functions.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from moneyed import Money

from domain.errors import ConflictError, InvalidRequestError
from domain.periods import add_years
from domain.programmes import programme_name
from ledger.money import amount_str, format_yuan, from_fen

Capital = dict[str, dict[str, list[list[Any]]]]
"""village → programme → list of [ISO date, fen] contributions (negative: refunds)."""
Land = dict[str, list[dict[str, Any]]]
"""village → list of land share records."""


def capital_of(capital: Capital, village: str, as_of: datetime.date) -> Money:
    """Capital the village had contributed by ``as_of`` (all programmes)."""
    fen = sum(
        amount
        for records in capital.get(village, {}).values()
        for day, amount in records
        if datetime.date.fromisoformat(day) <= as_of
    )
    return from_fen(fen)


def capital_by_programme(capital: Capital, village: str, as_of: datetime.date) -> dict[str, Money]:
    return {
        programme: from_fen(sum(a for d, a in records if datetime.date.fromisoformat(d) <= as_of))
        for programme, records in sorted(capital.get(village, {}).items())
    }


def land_basis(land: Land, village: str, as_of: datetime.date) -> Decimal:
    """Land shares in force on ``as_of``: Σ mu × grade factor."""
    total = Decimal(0)
    for record in land.get(village, []):
        start = datetime.date.fromisoformat(record["date"])
        end = add_years(start, int(record["term_years"]))  # total: 02-29 + 1 year = 02-28
        if start <= as_of < end:
            total += Decimal(record["mu"]) * Decimal(record["grade"])
    return total


def refundable_capital(capital: Capital, village: str, programme: str, day: datetime.date) -> Money:
    """Capital of ``programme`` the village can take back on ``day``: what it held then,
    and never more than it holds on any later recorded day (a later-dated refund already
    recorded must stay covered)."""
    records = capital.get(village, {}).get(programme, [])
    held = sum(a for d, a in records if datetime.date.fromisoformat(d) <= day)
    lowest = held
    later = sorted((d, a) for d, a in records if datetime.date.fromisoformat(d) > day)
    for _, a in later:
        held += a
        lowest = min(lowest, held)
    return from_fen(max(lowest, 0))


def check_refund(
    capital: Capital,
    code: str,
    village: str,
    programme: str,
    amount: Money,
    date: datetime.date,
    *,
    reason: str | None = None,
) -> None:
    """Refuse to return more of a programme's capital than the village holds (409), or, when
    the refund is recorded (``reason`` given), without a reason."""
    if reason is not None and not reason.strip():
        raise InvalidRequestError(f"returning capital to {village} needs a reason", field="reason")
    available = refundable_capital(capital, village, programme, date)
    if amount > available:
        raise ConflictError(
            f"{village} holds {format_yuan(available)} of {programme_name(programme)} "
            f"({programme}) capital in {code} on {date}; {format_yuan(amount)} cannot "
            "be returned",
            field="amount",
            details={"available": amount_str(available), "requested": amount_str(amount)},
        )


def check_land(*, mu: Decimal, grade: Decimal, term_years: int, date: datetime.date) -> None:
    """Land shares: a positive area and grade, a term of a year or more ending on a date."""
    for name, value in (("mu", mu), ("grade", grade)):
        if not value.is_finite() or value <= 0:
            raise InvalidRequestError(f"{name} must be a positive number", field=name)
    if term_years < 1:
        raise InvalidRequestError("term_years must be at least 1", field="term_years")
    add_years(date, term_years)  # the term's end must be a date before anything is saved


class EquityRegister:
    """The joint entity's register read (``JointEntity`` takes these; state set by its
    events)."""

    if TYPE_CHECKING:
        code: str
        capital: Capital
        land: Land

    def capital_of(self, village: str, as_of: datetime.date) -> Money:
        return capital_of(self.capital, village, as_of)

    def capital_by_programme(self, village: str, as_of: datetime.date) -> dict[str, Money]:
        return capital_by_programme(self.capital, village, as_of)

    def land_basis(self, village: str, as_of: datetime.date) -> Decimal:
        return land_basis(self.land, village, as_of)

    def refundable_capital(self, village: str, programme: str, day: datetime.date) -> Money:
        return refundable_capital(self.capital, village, programme, day)

    def check_refund(
        self, *, village: str, programme: str, amount: Money, date: datetime.date
    ) -> None:
        check_refund(self.capital, self.code, village, programme, amount, date)
