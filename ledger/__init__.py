"""The pure ledger core: money, accounts, entries, trial balance, exact splitting, 大写.

Standard library and py-moneyed only; immutable values; no float anywhere.
"""

from __future__ import annotations

from ledger.accounts import Account, Category, ChartOfAccounts, Side
from ledger.allocation import percent_of, split, split_equal
from ledger.capitals import to_capitals
from ledger.entries import JournalEntry, Posting, build_entry, red_ink_reversal
from ledger.errors import (
    AllocationError,
    InvalidAmountError,
    InvalidEntryError,
    LedgerError,
    UnbalancedEntryError,
    UnknownAccountError,
)
from ledger.money import CNY, ZERO, amount_str, format_yuan, from_fen, money, to_fen
from ledger.trial_balance import TrialBalance, TrialBalanceLine, from_entries, trial_balance

__all__ = [
    "CNY",
    "ZERO",
    "Account",
    "AllocationError",
    "Category",
    "ChartOfAccounts",
    "InvalidAmountError",
    "InvalidEntryError",
    "JournalEntry",
    "LedgerError",
    "Posting",
    "Side",
    "TrialBalance",
    "TrialBalanceLine",
    "UnbalancedEntryError",
    "UnknownAccountError",
    "amount_str",
    "build_entry",
    "format_yuan",
    "from_entries",
    "from_fen",
    "money",
    "percent_of",
    "red_ink_reversal",
    "split",
    "split_equal",
    "to_capitals",
    "to_fen",
    "trial_balance",
]
