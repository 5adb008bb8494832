"""Errors of the pure ledger core. One root, :class:`LedgerError`; each message says what is
wrong, for which object, and what would be allowed."""

from __future__ import annotations


class LedgerError(ValueError):
    """Root of every ledger error.

    Args:
        message: a sentence a clerk understands.
        field: the input at fault (``"postings[1].amount"``), when known.
        errors: every (field, message) problem found, when several were collected at once.
        zh: the sentence in Chinese, for clerks.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: tuple[tuple[str, str], ...] = (),
        zh: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.errors = errors
        self.zh = zh


class InvalidAmountError(LedgerError):
    """An amount is not a decimal of at most two places in the allowed range."""


class UnbalancedEntryError(LedgerError):
    """Debits and credits of an entry differ."""


class UnknownAccountError(LedgerError):
    """An account code is neither in the chart nor a sub-account of a chart account."""


class InvalidEntryError(LedgerError):
    """An entry is malformed (too few postings, wrong signs, bad side …)."""


class AllocationError(LedgerError):
    """An amount cannot be split as asked (no weights, negative weights …)."""
