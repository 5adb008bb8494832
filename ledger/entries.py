"""Postings and journal entries (记账凭证), built balanced or not at all.

An ordinary entry has positive amounts. A red-ink reversal (红字冲销) repeats the original's
accounts and sides with negative amounts and names the entry it reverses; it reduces the same
debit and credit columns the original increased, as the red figures do on paper.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from moneyed import Money

from ledger.accounts import ChartOfAccounts, Side
from ledger.errors import (
    InvalidAmountError,
    InvalidEntryError,
    LedgerError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from ledger.money import CNY, ZERO, format_yuan, money

_SIDES = {"debit": Side.DEBIT, "credit": Side.CREDIT, "借": Side.DEBIT, "贷": Side.CREDIT}


@dataclass(frozen=True)
class Posting:
    """One line of an entry: an account, a side, a non-zero amount, an optional memo."""

    account: str
    side: Side
    amount: Money
    memo: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Money) or self.amount.currency != CNY:
            raise InvalidAmountError(f"posting to {self.account}: amount must be Money in CNY")
        if self.amount.amount != self.amount.amount.quantize(ZERO.amount):
            raise InvalidAmountError(
                f"posting to {self.account}: amount {self.amount.amount} has more than 2 places"
            )
        if self.amount.amount == 0:
            raise InvalidAmountError(f"posting to {self.account}: amount may not be zero")
        if not isinstance(self.side, Side):
            raise InvalidEntryError(f"posting to {self.account}: side must be debit or credit")

    def signed(self) -> Money:
        """Debit-positive amount: + for a debit, − for a credit."""
        return self.amount if self.side is Side.DEBIT else -self.amount


@dataclass(frozen=True)
class JournalEntry:
    date: datetime.date
    number: str
    memo: str
    postings: tuple[Posting, ...]
    reverses: str | None = None

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise InvalidEntryError(
                f"entry {self.number} has {len(self.postings)} posting(s); an entry needs at "
                "least two (a debit and a credit)",
                field="postings",
            )
        for index, posting in enumerate(self.postings):
            negative = posting.amount.amount < 0
            if self.reverses is None and negative:
                raise InvalidEntryError(
                    f"entry {self.number}: posting {index + 1} has a negative amount; amounts "
                    "are positive (corrections are made by reversing the entry)",
                    field=f"postings[{index}].amount",
                )
            if self.reverses is not None and not negative:
                raise InvalidEntryError(
                    f"entry {self.number} reverses {self.reverses} in red ink: every amount "
                    "must be negative",
                    field=f"postings[{index}].amount",
                )
        debits, credits = self.debit_total, self.credit_total
        if debits != credits:
            raise UnbalancedEntryError(
                f"entry {self.number} does not balance: debits {format_yuan(debits)}, credits "
                f"{format_yuan(credits)}, difference {format_yuan(debits - credits)}",
                field="postings",
            )

    @property
    def debit_total(self) -> Money:
        return sum((p.amount for p in self.postings if p.side is Side.DEBIT), ZERO)

    @property
    def credit_total(self) -> Money:
        return sum((p.amount for p in self.postings if p.side is Side.CREDIT), ZERO)

    def validate_accounts(self, chart: ChartOfAccounts) -> None:
        """Raise one UnknownAccountError listing every posting whose account is not in the chart."""
        problems = tuple(
            (f"postings[{i}].account", f"account {p.account!r} is not in the chart of accounts")
            for i, p in enumerate(self.postings)
            if p.account not in chart
        )
        if problems:
            raise UnknownAccountError(
                "; ".join(f"{f}: {m}" for f, m in problems)
                + " (use a 3-digit chart code or a chart code followed by letters or digits)",
                field=problems[0][0],
                errors=problems,
            )


def red_ink_reversal(
    original: JournalEntry, *, date: datetime.date, number: str, memo: str
) -> JournalEntry:
    """The red-ink reversal of ``original``: same accounts and sides, negated amounts."""
    if original.reverses is not None:
        raise InvalidEntryError(
            f"entry {original.number} is itself a reversal of {original.reverses}; it cannot be "
            "reversed again"
        )
    return JournalEntry(
        date=date,
        number=number,
        memo=memo,
        postings=tuple(
            Posting(account=p.account, side=p.side, amount=-p.amount, memo=p.memo)
            for p in original.postings
        ),
        reverses=original.number,
    )


def build_entry(
    *,
    date: datetime.date,
    number: str,
    memo: str,
    postings: Iterable[Mapping[str, object]],
    chart: ChartOfAccounts,
    reverses: str | None = None,
    field_prefix: str = "postings",
) -> JournalEntry:
    """Build an entry from raw postings (``account``, ``side``, ``amount``, ``memo``).

    Every problem is collected with its field path (``postings[2].side``) and raised at once:
    an :class:`UnknownAccountError` when only accounts are wrong, an
    :class:`InvalidAmountError` when only amounts are, otherwise an
    :class:`InvalidEntryError`. A well-formed but unbalanced entry raises
    :class:`UnbalancedEntryError`.
    """
    rows = list(postings)
    problems: list[tuple[str, str, type[LedgerError]]] = []
    built: list[Posting] = []
    for index, row in enumerate(rows):
        where = f"{field_prefix}[{index}]"
        account = row.get("account")
        if not isinstance(account, str) or account not in chart:
            problems.append(
                (
                    f"{where}.account",
                    f"account {account!r} is not in the chart of accounts (2023); use a chart "
                    "code such as 102 or a sub-account such as 113V02",
                    UnknownAccountError,
                )
            )
        raw_side = row.get("side")
        side = _SIDES.get(raw_side) if isinstance(raw_side, str) else None
        if side is None:
            problems.append(
                (
                    f"{where}.side",
                    f"side {row.get('side')!r} is not debit or credit",
                    InvalidEntryError,
                )
            )
        amount: Money | None = None
        try:
            amount = money(
                row.get("amount"),
                allow_negative=reverses is not None,
                allow_zero=False,
                field=f"{where}.amount",
            )
        except InvalidAmountError as error:
            problems.append((f"{where}.amount", str(error).split(": ", 1)[-1], InvalidAmountError))
        memo_text = row.get("memo", "")
        if not isinstance(memo_text, str):
            problems.append((f"{where}.memo", "memo must be text", InvalidEntryError))
            memo_text = ""
        if amount is not None and side is not None and isinstance(account, str):
            built.append(Posting(account=account, side=side, amount=amount, memo=memo_text))
    if len(rows) < 2:
        problems.append(
            (
                field_prefix,
                f"an entry needs at least two postings (a debit and a credit), not {len(rows)}",
                InvalidEntryError,
            )
        )
    if problems:
        kinds = {kind for _, _, kind in problems}
        kind = kinds.pop() if len(kinds) == 1 else InvalidEntryError
        pairs = tuple((f, m) for f, m, _ in problems)
        raise kind("; ".join(f"{f}: {m}" for f, m in pairs), field=pairs[0][0], errors=pairs)
    return JournalEntry(
        date=date, number=number, memo=memo, postings=tuple(built), reverses=reverses
    )
