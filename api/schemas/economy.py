"""Bodies of the alliance economy: receipts and payments, capital, land, land rent, grants,
enterprise agreements and their dividends and 保底 shortfall, and the corrections of these
cross-book operations (one fact, corrected in every book it is in)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr

from api.schemas.common import (
    Account,
    Amount,
    Code,
    Day,
    DecimalText,
    OptionalText,
    Programme,
    Strict,
    Text,
    Year,
)
from ledger.voucher_numbers import NUMBER_PATTERN

# -- the alliance economy -------------------------------------------------------------------------


class ReceiptCreate(Strict):
    date: Day
    amount: Amount
    account: Account
    memo: Text


class CapitalContributionCreate(Strict):
    village: Code
    programme: Programme
    amount: Amount
    date: Day


class LandShareCreate(Strict):
    village: Code
    mu: DecimalText
    grade: DecimalText = "1"
    value_per_mu: Amount
    term_years: Annotated[int, Field(ge=1, le=99, strict=True)]
    date: Day


class LandRentCreate(Strict):
    village: Code
    mu: DecimalText
    rate_per_mu: Amount
    year: Year
    date: Day


class GrantCreate(Strict):
    programme: Programme
    amount: Amount
    date: Day
    memo: OptionalText = ""


class Guarantee(Strict):
    kind: Literal["amount", "percent"]
    value: DecimalText


class AgreementCreate(Strict):
    code: Code
    alliance: Code
    enterprise: Code
    signed_on: Day
    start_year: Year
    years: Annotated[int, Field(ge=1, le=50, strict=True)]
    invested_capital: Amount
    guarantee: Guarantee
    profit_share_percent: DecimalText = "0"
    payment_due: Annotated[StrictStr, Field(pattern=r"^[0-9]{2}-[0-9]{2}$", examples=["12-31"])]


class DividendCreate(Strict):
    year: Year
    amount: Amount
    date: Day


class GuaranteeShortfallCreate(Strict):
    """Book a year's 保底 shortfall as a receivable (on or after the year's payment day)."""

    year: Year
    date: Day


# -- corrections of cross-book operations (one fact, corrected in every book it is in) ---------

EntryNumber = Annotated[
    StrictStr,
    Field(
        pattern=NUMBER_PATTERN,
        examples=["2025-0007", "2026-07-J-0003"],
        description="a voucher number: yearly 2025-0007, or monthly 2026-07-J-0003 "
        "(2026年7月 记字第3号; J 记, S 收, F 付, Z 转)",
    ),
]


class CapitalRefundCreate(Strict):
    """Capital returned to a village (both books and the equity register, one save)."""

    village: Code
    programme: Annotated[StrictStr, Field(examples=["CZFC"])] | None = Field(
        default=None, description="the programme returned from; leave out to return everything"
    )
    amount: Amount | None = Field(
        default=None, description="leave out to return all the village holds of the programme"
    )
    date: Day
    reason: Text


class LandRentCorrectionCreate(Strict):
    """Reverse a land rent payment in both books; with mu, rate_per_mu and year, post the
    right rent again."""

    entry: EntryNumber = Field(description="the joint entity's voucher of the rent")
    date: Day
    reason: Text
    mu: DecimalText | None = None
    rate_per_mu: Amount | None = None
    year: Year | None = None


class DividendCorrectionCreate(Strict):
    """Correct a declared or received dividend: the joint entity's entry reversed, the right
    amount posted (0.00 cancels), the agreement's record changed, one save."""

    entry: EntryNumber = Field(
        description="the joint entity's voucher of the declaration or receipt"
    )
    year: Year
    amount: Amount = Field(description="the right amount; 0.00 cancels the entry")
    date: Day
    reason: Text
