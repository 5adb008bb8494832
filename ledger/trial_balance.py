"""Trial balance (科目余额表): per account, opening balance, debit and credit movements of the
period, closing balance; balances in the debit or credit column by their sign."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from moneyed import Money

from ledger.accounts import Account, ChartOfAccounts, Side
from ledger.entries import JournalEntry
from ledger.money import ZERO


def _debit_column(balance: Money) -> Money:
    return balance if balance.amount > 0 else ZERO


def _credit_column(balance: Money) -> Money:
    return -balance if balance.amount < 0 else ZERO


@dataclass(frozen=True)
class TrialBalanceLine:
    """One account. ``opening`` and ``closing`` are signed, debit-positive."""

    account: Account
    opening: Money
    debit: Money
    credit: Money

    @property
    def closing(self) -> Money:
        return self.opening + self.debit - self.credit

    @property
    def opening_debit(self) -> Money:
        return _debit_column(self.opening)

    @property
    def opening_credit(self) -> Money:
        return _credit_column(self.opening)

    @property
    def closing_debit(self) -> Money:
        return _debit_column(self.closing)

    @property
    def closing_credit(self) -> Money:
        return _credit_column(self.closing)

    @property
    def balance(self) -> Money:
        """The closing balance on the account's normal side (positive when normal)."""
        return self.closing if self.account.normal_side is Side.DEBIT else -self.closing


@dataclass(frozen=True)
class TrialBalance:
    lines: tuple[TrialBalanceLine, ...]

    def _total(self, column: str) -> Money:
        return sum((getattr(line, column) for line in self.lines), ZERO)

    @property
    def opening_debit_total(self) -> Money:
        return self._total("opening_debit")

    @property
    def opening_credit_total(self) -> Money:
        return self._total("opening_credit")

    @property
    def debit_total(self) -> Money:
        return self._total("debit")

    @property
    def credit_total(self) -> Money:
        return self._total("credit")

    @property
    def closing_debit_total(self) -> Money:
        return self._total("closing_debit")

    @property
    def closing_credit_total(self) -> Money:
        return self._total("closing_credit")

    @property
    def is_balanced(self) -> bool:
        return (
            self.opening_debit_total == self.opening_credit_total
            and self.debit_total == self.credit_total
            and self.closing_debit_total == self.closing_credit_total
        )

    def line(self, code: str) -> TrialBalanceLine:
        for line in self.lines:
            if line.account.code == code:
                return line
        raise KeyError(f"account {code} has no figures in this trial balance")


def trial_balance(
    *,
    chart: ChartOfAccounts,
    opening: Mapping[str, Money] | None = None,
    movements: Iterable[tuple[str, Side, Money]],
) -> TrialBalance:
    """Sum movements per account on top of signed opening balances.

    Args:
        opening: account code → signed balance (debit positive, credit negative).
        movements: (account, side, amount); a negative (red-ink) amount reduces its column.
    Returns:
        Lines in account-code order, for every account with a non-zero figure.
    """
    figures: dict[str, list[Money]] = {}
    for code, balance in (opening or {}).items():
        figures.setdefault(code, [ZERO, ZERO, ZERO])[0] += balance
    for code, side, amount in movements:
        row = figures.setdefault(code, [ZERO, ZERO, ZERO])
        row[1 if side is Side.DEBIT else 2] += amount
    lines = tuple(
        TrialBalanceLine(account=chart.get(code), opening=o, debit=d, credit=c)
        for code, (o, d, c) in sorted(figures.items())
        if o.amount or d.amount or c.amount
    )
    return TrialBalance(lines)


def from_entries(
    entries: Iterable[JournalEntry],
    chart: ChartOfAccounts,
    opening: Mapping[str, Money] | None = None,
) -> TrialBalance:
    return trial_balance(
        chart=chart,
        opening=opening,
        movements=((p.account, p.side, p.amount) for e in entries for p in e.postings),
    )
