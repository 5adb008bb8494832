"""Errors of the write side.

One root, :class:`DomainError`; every message says what is wrong, which object, and what would
be allowed. The three families map to the three answers a clerk can get: the thing does not
exist, it conflicts with what is already recorded, or the request itself is invalid. They become
HTTP problem details only in ``api/``.
"""

from __future__ import annotations


class DomainError(Exception):
    """Root of every domain error.

    Args:
        message: a sentence a clerk understands.
        field: the input at fault (``"date"``, ``"postings[1].account"``), when one is.
        zh: the same sentence in Chinese, for clerks (``web.problem_texts``: without it a clerk
            reads the Chinese sentence of the error's type with this message in brackets).
    """

    kind = "domain-error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: dict[str, str] | None = None,
        zh: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = dict(details or {})
        self.zh = zh


class NotFoundError(DomainError):
    """The named alliance, entity or entry does not exist."""

    kind = "not-found"


class ConflictError(DomainError):
    """The request contradicts what is already recorded (closed month, double reversal …)."""

    kind = "conflict"


class InvalidRequestError(DomainError):
    """The request is malformed or breaks a rule regardless of what is recorded."""

    kind = "invalid"


class AllianceNotFoundError(NotFoundError):
    kind = "alliance-not-found"


class EntityNotFoundError(NotFoundError):
    kind = "entity-not-found"


class EntryNotFoundError(NotFoundError):
    kind = "entry-not-found"


class AlreadyExistsError(ConflictError):
    kind = "already-exists"


class ClosedPeriodError(ConflictError):
    kind = "closed-period"


class AlreadyReversedError(ConflictError):
    kind = "already-reversed"


class MembershipError(ConflictError):
    kind = "membership"


class OverDistributionError(InvalidRequestError):
    """A plan would distribute or pay more than the payer has; ``details`` carries the amounts."""

    kind = "over-distribution"


class PlanNotFoundError(NotFoundError):
    kind = "plan-not-found"


class AgreementNotFoundError(NotFoundError):
    kind = "agreement-not-found"


class RegisterNotFoundError(NotFoundError):
    kind = "register-not-found"


class ConcurrencyError(ConflictError):
    """Another writer kept winning the race for the same books; the request may be retried."""

    kind = "concurrent-update"


class ForbiddenError(DomainError):
    """The actor may not do this (an HTTP 403), whatever the request says."""

    kind = "forbidden"


class ForbiddenTownshipError(ForbiddenError):
    """A command would write into an entity of a township outside the actor's townships."""

    kind = "forbidden-township"


class CrossBookEntryError(ConflictError):
    """An entry the system posted for an operation that spans several books (a plan, capital,
    land rent, a dividend) is corrected only by that operation, never in one book alone."""

    kind = "cross-book-entry"


class InvalidPeriodError(InvalidRequestError):
    """A period label other than ``2025``, ``2025-Q1`` or ``2025-03``."""

    kind = "invalid-period"


class FutureDateError(InvalidRequestError):
    """Something dated after today: an entry, a reversal, a step, a check or a publication."""

    kind = "future-date"


class CashOverdraftError(OverDistributionError):
    """An entry would leave 101 库存现金 or 102 银行存款 below zero: a payment the bank cannot
    cover, on every write path. Its own problem type (``cash-overdraft``): a plain overdrawn
    payment is not an over-distribution; a plan that pays out more than the payer holds still
    answers ``over-distribution`` (its own checks run first). A subclass of
    :class:`OverDistributionError` so code that catches "more than there is" catches both."""

    kind = "cash-overdraft"


class EarmarkedCashError(CashOverdraftError):
    """The cash is there but earmarked: an entry would spend grant money held for a programme
    (241 专项应付款) without lowering that programme's 241."""

    kind = "earmarked-cash"


class NonsenseEntryError(InvalidRequestError):
    """An entry that balances but cannot describe anything that happened (102 against 102)."""

    kind = "nonsense-entry"
