"""Bodies of the books: postings, opening balances, entries, reversals, closing a month, and the
answers for entries and the trial balance."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Account, Amount, Day, Moment, Month, OptionalText, Strict, Text
from domain.bounds import (
    MAX_POSTINGS,
)


class PostingIn(Strict):
    account: Account
    side: Literal["debit", "credit"]
    amount: Amount
    memo: OptionalText = ""


class OpeningBalancesCreate(Strict):
    as_of: Day
    balances: list[PostingIn] = Field(max_length=MAX_POSTINGS)


class EntryCreate(Strict):
    date: Day
    memo: Text
    postings: list[PostingIn] = Field(max_length=MAX_POSTINGS)
    word: Literal["记", "收", "付", "转"] | None = Field(
        default=None,
        description="凭证字 under monthly numbering, where the township's words and the lines "
        "allow it; left out: from the lines",
    )


class ReversalCreate(Strict):
    date: Day
    reason: Text


class CloseMonth(Strict):
    month: Month


class EntryLinePublic(BaseModel):
    account: str
    account_name: str
    side: Literal["debit", "credit"]
    amount: str
    memo: str


class EntryPublic(BaseModel):
    entity: str
    number: str
    date: datetime.date
    memo: str
    reverses: str | None
    reversed_by: str | None
    reason: str | None
    actor: str
    actor_name: str = Field(
        default="",
        description="经办 as a person reads it: 姓名, 姓名（接口） for a person's "
        "token, else the actor",
    )
    recorded_at: Moment
    total: str
    lines: list[EntryLinePublic]


class EntryList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[EntryPublic]


class TrialBalanceLinePublic(BaseModel):
    account: str
    name: str
    category: str
    normal_side: str
    opening_debit: str
    opening_credit: str
    debit: str
    credit: str
    closing_debit: str
    closing_credit: str


class TrialBalanceTotals(BaseModel):
    opening_debit: str
    opening_credit: str
    debit: str
    credit: str
    closing_debit: str
    closing_credit: str


class TrialBalancePublic(BaseModel):
    entity: str
    month: str
    cumulative: bool
    balanced: bool
    lines: list[TrialBalanceLinePublic]
    totals: TrialBalanceTotals
