"""Trial balance (科目余额表): per account, opening balance, debit and credit movements of the
period, closing balance; balances in the debit or credit column by their sign."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from moneyed import Money

from ledger.accounts import Account, ChartOfAccounts, Side
from ledger.entries import JournalEntry
from ledger.errors import InvalidAmountError, InvalidEntryError, UnknownAccountError
from ledger.money import ZERO, from_fen, to_fen


def _debit_column(balance: Money) -> Money:
    return balance if balance.amount > 0 else ZERO


def _credit_column(balance: Money) -> Money:
    return -balance if balance.amount < 0 else ZERO


@dataclass(frozen=True)
class TrialBalanceLine:
    """One account. ``opening`` and ``closing`` are signed, debit-positive; ``debit`` and
    ``credit`` are the period's movements (red ink already subtracted)."""

    account: Account
    opening: Money
    debit: Money
    credit: Money

    @property
    def closing(self) -> Money:
        """Signed closing balance, debit positive: opening + debit − credit."""
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> Money:
        """Opening balance in the debit column (zero for a credit balance)."""
        return _debit_column(self.opening)

    @property
    def opening_credit(self) -> Money:
        """Opening balance in the credit column, as a positive amount (zero for a debit one)."""
        return _credit_column(self.opening)

    @property
    def closing_debit(self) -> Money:
        """Closing balance in the debit column (zero for a credit balance)."""
        return _debit_column(self.closing)

    @property
    def closing_credit(self) -> Money:
        """Closing balance in the credit column, as a positive amount (zero for a debit one)."""
        return _credit_column(self.closing)

    @property
    def balance(self) -> Money:
        """The closing balance on the account's normal side (positive when normal)."""
        return self.closing if self.account.normal_side is Side.DEBIT else -self.closing


@dataclass(frozen=True)
class TrialBalance:
    """科目余额表: one line per account with figures, and the totals of the six columns."""

    lines: tuple[TrialBalanceLine, ...]

    def _total(self, column: Callable[[TrialBalanceLine], Money]) -> Money:
        return sum((column(line) for line in self.lines), ZERO)

    @property
    def opening_debit_total(self) -> Money:
        return self._total(lambda line: line.opening_debit)

    @property
    def opening_credit_total(self) -> Money:
        return self._total(lambda line: line.opening_credit)

    @property
    def debit_total(self) -> Money:
        return self._total(lambda line: line.debit)

    @property
    def credit_total(self) -> Money:
        return self._total(lambda line: line.credit)

    @property
    def closing_debit_total(self) -> Money:
        return self._total(lambda line: line.closing_debit)

    @property
    def closing_credit_total(self) -> Money:
        return self._total(lambda line: line.closing_credit)

    @property
    def is_balanced(self) -> bool:
        """Opening, movement and closing columns each add up to the same on both sides."""
        return (
            self.opening_debit_total == self.opening_credit_total
            and self.debit_total == self.credit_total
            and self.closing_debit_total == self.closing_credit_total
        )

    def line(self, code: str) -> TrialBalanceLine:
        """The line of ``code``; KeyError when that account has no figures here."""
        for line in self.lines:
            if line.account.code == code:
                return line
        raise KeyError(f"account {code} has no figures in this trial balance")


def _movement_side(side: object, where: str) -> Side:
    if isinstance(side, str) and side in (Side.DEBIT, Side.CREDIT):
        return Side(side)  # Side is a str enum: "debit" and Side.DEBIT are the same
    raise InvalidEntryError(f"{where}: side {side!r} is not debit or credit", field=f"{where}.side")


def _cny(amount: object, where: str) -> Money:
    if not isinstance(amount, Money):
        raise InvalidAmountError(
            f'{where}: {amount!r} is not Money; use money("1200.00")', field=where
        )
    try:
        return from_fen(to_fen(amount))
    except InvalidAmountError as error:
        raise InvalidAmountError(f"{where}: {error}", field=where) from None


def _account(chart: ChartOfAccounts, code: str, where: str) -> Account:
    try:
        return chart.get(code)
    except UnknownAccountError as error:
        raise UnknownAccountError(f"{where}: {error}", field=where) from None


def trial_balance(
    *,
    chart: ChartOfAccounts,
    opening: Mapping[str, Money] | None = None,
    movements: Iterable[tuple[str, Side, Money]],
) -> TrialBalance:
    """Sum movements per account on top of signed opening balances.

    Args:
        chart: resolves each code (sub-accounts included) to its account.
        opening: account code → signed balance (debit positive, credit negative).
        movements: (account, side, amount); a negative (red-ink) amount reduces its column.

    Returns:
        Lines in account-code order, for every account with a non-zero figure.

    Raises:
        UnknownAccountError, InvalidAmountError, InvalidEntryError: naming the opening balance
            (``opening.102``) or movement (``movements[3].account``) at fault.
    """
    figures: dict[str, list[Money]] = {}
    accounts: dict[str, Account] = {}
    for code, balance in (opening or {}).items():
        where = f"opening.{code}"
        if code not in accounts:
            accounts[code] = _account(chart, code, where)
        figures.setdefault(code, [ZERO, ZERO, ZERO])[0] += _cny(balance, where)
    for index, (code, side, amount) in enumerate(movements):
        where = f"movements[{index}]"
        if code not in accounts:
            accounts[code] = _account(chart, code, f"{where}.account")
        column = 1 if _movement_side(side, where) is Side.DEBIT else 2
        figures.setdefault(code, [ZERO, ZERO, ZERO])[column] += _cny(amount, f"{where}.amount")
    lines = tuple(
        TrialBalanceLine(account=accounts[code], opening=o, debit=d, credit=c)
        for code, (o, d, c) in sorted(figures.items())
        if o.amount or d.amount or c.amount
    )
    return TrialBalance(lines)


def from_entries(
    entries: Iterable[JournalEntry],
    chart: ChartOfAccounts,
    opening: Mapping[str, Money] | None = None,
) -> TrialBalance:
    """The trial balance of ``entries`` (red-ink reversals reduce their columns)."""
    return trial_balance(
        chart=chart,
        opening=opening,
        movements=((p.account, p.side, p.amount) for e in entries for p in e.postings),
    )
