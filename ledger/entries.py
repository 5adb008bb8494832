"""Postings and journal entries (记账凭证), built balanced or not at all.

An ordinary entry has positive amounts. A red-ink reversal (红字冲销) repeats the original's
accounts and sides with negative amounts and names the entry it reverses; it reduces the same
debit and credit columns the original increased, as the red figures do on paper.

:func:`build_entry` is the way in from raw input (API, domain): it collects every problem with
its field path and raises them together, beancount style.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from moneyed import Money

from ledger.accounts import ChartOfAccounts, Side
from ledger.errors import (
    InvalidAmountError,
    InvalidEntryError,
    LedgerError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from ledger.money import LIMIT, MAX_AMOUNT, ZERO, format_yuan, from_fen, money, to_fen

_SIDES = {"debit": Side.DEBIT, "credit": Side.CREDIT, "借": Side.DEBIT, "贷": Side.CREDIT}
_POSTING_KEYS = ("account", "side", "amount", "memo")
_ACCOUNT_HELP = "use a chart code such as 102 or a sub-account such as 113V02"

Problem = tuple[str, str, type[LedgerError]]

# What one entry entered by a clerk may hold (domain/bounds.py says why): at most this many
# postings, and debits adding up to at most ¥100 billion.
MAX_POSTINGS = 1000
MAX_ENTRY_TOTAL = Decimal("100000000000.00")


def _raise_all(problems: list[Problem]) -> None:
    """Raise one error listing every (field, message): the common kind, else InvalidEntryError."""
    if not problems:
        return
    kinds = {kind for _, _, kind in problems}
    kind = kinds.pop() if len(kinds) == 1 else InvalidEntryError
    pairs = tuple((f, m) for f, m, _ in problems)
    raise kind("; ".join(f"{f}: {m}" for f, m in pairs), field=pairs[0][0], errors=pairs)


@dataclass(frozen=True)
class Posting:
    """One line of an entry: an account, a side, a non-zero amount, an optional memo.

    The amount is kept with exactly two places. Its sign is checked by the entry: positive in
    an ordinary entry, negative in a red-ink reversal.
    """

    account: str
    side: Side
    amount: Money
    memo: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.account, str) or not self.account:
            raise UnknownAccountError(
                f"posting account {self.account!r} is not a code; {_ACCOUNT_HELP}",
                field="account",
            )
        if not isinstance(self.side, Side):
            raise InvalidEntryError(
                f"posting to {self.account}: side {self.side!r} is not Side.DEBIT or Side.CREDIT",
                field="side",
            )
        if not isinstance(self.amount, Money):
            raise InvalidAmountError(
                f"posting to {self.account}: amount {self.amount!r} is not Money; use "
                'money("1200.00")',
                field="amount",
            )
        try:
            fen = to_fen(self.amount)  # CNY, finite, a whole number of fen
        except InvalidAmountError as error:
            raise InvalidAmountError(
                f"posting to {self.account}: {error}", field="amount"
            ) from None
        if fen == 0:
            raise InvalidAmountError(
                f"posting to {self.account}: amount is zero; a posting moves a non-zero amount",
                field="amount",
            )
        if abs(fen) >= LIMIT * 100:
            raise InvalidAmountError(
                f"posting to {self.account}: amount {self.amount.amount} is too large; amounts "
                "stay below 10^15 yuan",
                field="amount",
            )
        amount = from_fen(fen)  # exactly two places, whatever arithmetic made it
        object.__setattr__(self, "amount", amount)
        if not isinstance(self.memo, str):
            raise InvalidEntryError(
                f"posting to {self.account}: memo {self.memo!r} is not text", field="memo"
            )

    def signed(self) -> Money:
        """Debit-positive amount: + for a debit, − for a credit."""
        return self.amount if self.side is Side.DEBIT else -self.amount


@dataclass(frozen=True)
class JournalEntry:
    """A dated, numbered entry whose debits equal its credits (checked when it is built).

    ``reverses`` names the entry this one reverses in red ink; it then has only negative
    amounts, an ordinary entry only positive ones.
    """

    date: datetime.date
    number: str
    memo: str
    postings: tuple[Posting, ...]
    reverses: str | None = None

    def __post_init__(self) -> None:
        postings = self.postings
        if not isinstance(postings, tuple):
            postings = tuple(postings)
            object.__setattr__(self, "postings", postings)
        problems = _header_problems(self.date, self.number, self.memo, self.reverses)
        for index, posting in enumerate(postings):
            if not isinstance(posting, Posting):
                problems.append(
                    (f"postings[{index}]", f"{posting!r} is not a Posting", InvalidEntryError)
                )
        _raise_all(problems)
        if len(postings) < 2:
            raise InvalidEntryError(
                f"the entry of {self.date} has {len(postings)} posting(s); an entry needs at least "
                "two (a debit and a credit)",
                field="postings",
            )
        for index, posting in enumerate(postings):
            negative = posting.amount.amount < 0
            if self.reverses is None and negative:
                problems.append(
                    (
                        f"postings[{index}].amount",
                        f"the entry of {self.date}: amount {posting.amount.amount} is negative; an "
                        "ordinary entry has positive amounts (a correction reverses the entry "
                        "in red ink)",
                        InvalidEntryError,
                    )
                )
            if self.reverses is not None and not negative:
                problems.append(
                    (
                        f"postings[{index}].amount",
                        f"entry {self.number} reverses {self.reverses} in red ink: amount "
                        f"{posting.amount.amount} must be negative",
                        InvalidEntryError,
                    )
                )
        _raise_all(problems)
        debits, credits = self.debit_total, self.credit_total
        if debits != credits:
            raise UnbalancedEntryError(
                f"the entry of {self.date} does not balance: debits {format_yuan(debits)}, credits "
                f"{format_yuan(credits)}, difference {format_yuan(debits - credits)}",
                field="postings",
                zh=f"{self.date} 的凭证借贷不平衡：借方合计 {format_yuan(debits)}，贷方合计 "
                f"{format_yuan(credits)}，相差 {format_yuan(debits - credits)}。请核对各行金额",
            )

    @property
    def debit_total(self) -> Money:
        """Sum of the debit postings (negative in a red-ink reversal)."""
        return sum((p.amount for p in self.postings if p.side is Side.DEBIT), ZERO)

    @property
    def credit_total(self) -> Money:
        """Sum of the credit postings (negative in a red-ink reversal)."""
        return sum((p.amount for p in self.postings if p.side is Side.CREDIT), ZERO)

    def validate_accounts(self, chart: ChartOfAccounts) -> None:
        """Check every posting's account against ``chart``.

        Raises:
            UnknownAccountError: listing every unknown account (``errors``), field of the first.
        """
        problems: list[Problem] = [
            (
                f"postings[{i}].account",
                f"account {p.account!r} is not in the chart of accounts (2023); {_ACCOUNT_HELP}",
                UnknownAccountError,
            )
            for i, p in enumerate(self.postings)
            if p.account not in chart
        ]
        _raise_all(problems)


def _header_problems(date: object, number: object, memo: object, reverses: object) -> list[Problem]:
    """Problems with an entry's date, number, memo and ``reverses``."""
    problems: list[Problem] = []
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        problems.append(("date", f"date {date!r} is not a calendar date", InvalidEntryError))
    if not isinstance(number, str) or not number:
        problems.append(("number", f"number {number!r} is not a non-empty text", InvalidEntryError))
    if not isinstance(memo, str):
        problems.append(("memo", f"memo {memo!r} is not text", InvalidEntryError))
    if reverses is not None:
        if not isinstance(reverses, str) or not reverses:
            problems.append(
                (
                    "reverses",
                    f"reverses {reverses!r} is not an entry number; give the number of the "
                    "entry reversed, or None",
                    InvalidEntryError,
                )
            )
        elif reverses == number:
            problems.append(
                ("reverses", f"entry {number} cannot reverse itself", InvalidEntryError)
            )
    return problems


def red_ink_reversal(
    original: JournalEntry, *, date: datetime.date, number: str, memo: str
) -> JournalEntry:
    """The red-ink reversal (红字冲销) of ``original``: same accounts and sides, negated amounts.

    Raises:
        InvalidEntryError: when ``original`` is itself a reversal (reverse it again by a new
            ordinary entry instead).
    """
    if original.reverses is not None:
        raise InvalidEntryError(
            f"entry {original.number} is itself a reversal of {original.reverses}; only an "
            "ordinary entry can be reversed",
            field="reverses",
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


def _posting_problems(
    row: object, where: str, chart: ChartOfAccounts, red_ink: bool
) -> tuple[Posting | None, list[Problem]]:
    """One raw posting: the Posting, or None and every problem with it."""
    if not isinstance(row, Mapping):
        return None, [
            (
                where,
                f"{row!r} is not a posting; give an object with account, side, amount and "
                "optionally memo",
                InvalidEntryError,
            )
        ]
    problems: list[Problem] = [
        (
            f"{where}.{key}",
            f"unknown field {key!r}; a posting has {', '.join(_POSTING_KEYS)}",
            InvalidEntryError,
        )
        for key in row
        if key not in _POSTING_KEYS
    ]
    account = row.get("account")
    if account is None:
        problems.append(
            (f"{where}.account", f"account is missing; {_ACCOUNT_HELP}", UnknownAccountError)
        )
    elif not isinstance(account, str) or account not in chart:
        problems.append(
            (
                f"{where}.account",
                f"account {account!r} is not in the chart of accounts (2023); {_ACCOUNT_HELP}",
                UnknownAccountError,
            )
        )
    raw_side = row.get("side")
    side = _SIDES.get(raw_side) if isinstance(raw_side, str) else None
    if side is None:
        problems.append(
            (
                f"{where}.side",
                f"side {raw_side!r} is not one of debit, credit, 借, 贷",
                InvalidEntryError,
            )
        )
    amount: Money | None = None
    try:
        amount = money(
            row.get("amount"), allow_negative=red_ink, allow_zero=False, maximum=MAX_AMOUNT
        )
    except InvalidAmountError as error:
        problems.append((f"{where}.amount", str(error), InvalidAmountError))
    if red_ink and amount is not None and amount.amount > 0:
        problems.append(
            (
                f"{where}.amount",
                f"amount {amount.amount} is positive; a red-ink reversal (红字冲销) has only "
                f"negative amounts, such as -{amount.amount}",
                InvalidAmountError,
            )
        )
        amount = None
    memo = row.get("memo", "")
    if not isinstance(memo, str):
        problems.append((f"{where}.memo", f"memo {memo!r} is not text", InvalidEntryError))
    if problems or amount is None or side is None or not isinstance(account, str):
        return None, problems
    assert isinstance(memo, str)
    return Posting(account=account, side=side, amount=amount, memo=memo), problems


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
    """Build an entry from raw postings (``account``, ``side``, ``amount``, optional ``memo``).

    ``side`` is ``debit``/``credit`` or ``借``/``贷``; ``amount`` goes through :func:`money`
    (positive, or negative when ``reverses`` is given). ``field_prefix`` names the list in the
    field paths (``balances[2].side`` for opening balances).

    Raises:
        LedgerError: every problem at once, as ``errors`` ((field, message) pairs) and in the
            message: an UnknownAccountError when only accounts are wrong, an InvalidAmountError
            when only amounts are, otherwise an InvalidEntryError. A well-formed entry that does
            not balance raises UnbalancedEntryError.
    """
    rows = list(postings)
    problems = _header_problems(date, number, memo, reverses)
    built: list[Posting] = []
    for index, row in enumerate(rows):
        posting, found = _posting_problems(
            row, f"{field_prefix}[{index}]", chart, red_ink=reverses is not None
        )
        problems.extend(found)
        if posting is not None:
            built.append(posting)
    if len(rows) < 2:
        problems.append(
            (
                field_prefix,
                f"an entry needs at least two postings (a debit and a credit), not {len(rows)}",
                InvalidEntryError,
            )
        )
    if len(rows) > MAX_POSTINGS:
        problems.append(
            (
                field_prefix,
                f"an entry has at most {MAX_POSTINGS} postings, not {len(rows)}; split it",
                InvalidEntryError,
            )
        )
    _raise_all(problems)
    entry = JournalEntry(
        date=date, number=number, memo=memo, postings=tuple(built), reverses=reverses
    )
    if max(abs(entry.debit_total.amount), abs(entry.credit_total.amount)) > MAX_ENTRY_TOTAL:
        raise InvalidAmountError(
            f"entry {number} moves {format_yuan(abs(entry.debit_total))}; one entry moves at most "
            f"{format_yuan(from_fen(int(MAX_ENTRY_TOTAL * 100)))}, split it",
            field=field_prefix,
        )
    return entry
