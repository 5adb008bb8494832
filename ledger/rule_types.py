"""The types of a distribution rule (docs/rules.md) and of its result: a checked rule (``Rule`` with
its deductions, tiers and parties) and the allocation computed from it (``Allocation``, its
tiers and lines), plus ``RuleError``, which names every problem of a rule document with its JSON
path. Built by ``ledger.rule_parsing`` and computed by ``ledger.rules``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, TypeVar

from moneyed import Money

from ledger.errors import LedgerError
from ledger.money import to_fen

Kind = Literal["rate", "weighted", "proportional", "equal"]
KINDS: tuple[Kind, ...] = ("rate", "weighted", "proportional", "equal")
ROOT = "$"  # the path of the document itself

_V = TypeVar("_V")

OWNERSHIP = "ownership:"
"""A basis ``ownership:<project code>``: a party's recorded share of a jointly built project's
finished asset, a fraction; the shares of the parties add up to exactly 1 (docs/rules.md)."""


def ownership_codes(document: Mapping[str, object]) -> list[str]:
    """The project codes of the ``ownership:<code>`` bases the tiers of a rule document read,
    in order, each once (a document not yet checked: what is not a tier is passed over)."""
    found: list[str] = []
    tiers = document.get("tiers")
    for tier in tiers if isinstance(tiers, list) else []:
        if not isinstance(tier, Mapping):
            continue
        weights = tier.get("weights")
        names = [tier.get("basis"), *(weights if isinstance(weights, Mapping) else ())]
        for name in names:
            if isinstance(name, str) and name.startswith(OWNERSHIP):
                code = name[len(OWNERSHIP) :]
                if code and code not in found:
                    found.append(code)
    return found


def frozen(mapping: Mapping[str, _V]) -> Mapping[str, _V]:
    return MappingProxyType(dict(mapping))


class RuleError(LedgerError):
    """A rule document is invalid; ``errors`` holds every (JSON path, message)."""

    @classmethod
    def of(cls, problems: Iterable[tuple[str, str]]) -> RuleError:
        """One error for all ``problems``: "path: message; path: message"."""
        errors = tuple(problems)
        message = "; ".join(f"{path}: {text}" for path, text in errors)
        return cls(message, field=errors[0][0] if errors else None, errors=errors)


# -- the rule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    """Taken first: ``percent`` of the original amount (e.g. 管理费 2)."""

    name: str
    percent: Decimal


@dataclass(frozen=True)
class Tier:
    """One tier. ``percent`` is the rate of a rate tier, else the optional share of the
    distributable; ``basis`` serves rate and proportional tiers, ``weights`` weighted ones."""

    name: str
    kind: Kind
    basis: str | None = None
    percent: Decimal | None = None
    weights: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", frozen(self.weights))

    @property
    def bases(self) -> tuple[str, ...]:
        """The basis names this tier reads from every party."""
        if self.kind == "weighted":
            return tuple(self.weights)
        return (self.basis,) if self.basis is not None and self.kind != "equal" else ()


@dataclass(frozen=True)
class Party:
    """One party. ``period_share`` (0, 1] is the part of the plan's period it was a member
    (a late joiner, a village or household that left during the period); an equal tier gives
    it period_share / Σ period_share."""

    code: str
    name: str
    bases: Mapping[str, Decimal]
    period_share: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bases", frozen(self.bases))


@dataclass(frozen=True)
class Rule:
    """A checked rule document; build it with :func:`parse_rule`."""

    amount: Money
    deductions: tuple[Deduction, ...]
    tiers: tuple[Tier, ...]
    floors: Mapping[str, Money]
    caps: Mapping[str, Money]
    parties: tuple[Party, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "deductions", tuple(self.deductions))
        object.__setattr__(self, "tiers", tuple(self.tiers))
        object.__setattr__(self, "floors", frozen(self.floors))
        object.__setattr__(self, "caps", frozen(self.caps))
        object.__setattr__(self, "parties", tuple(self.parties))


# -- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeductionResult:
    name: str
    percent: Decimal
    amount: Money


@dataclass(frozen=True)
class TierResult:
    """A tier as computed. ``parts`` by party code; ``weights`` (weighted and proportional
    tiers) the exact share of each party; ``rates`` (rate tiers) percent × basis, half-up."""

    name: str
    kind: Kind
    amount: Money
    parts: Mapping[str, Money]
    weights: Mapping[str, Fraction] | None = None
    rates: Mapping[str, Money] | None = None
    note: str | None = None


@dataclass(frozen=True)
class Line:
    """One party: its amount in every tier (in tier order), what floors and caps moved
    (positive: received), and its total."""

    code: str
    name: str
    tiers: tuple[Money, ...]
    adjustment: Money
    total: Money


@dataclass(frozen=True)
class Allocation:
    amount: Money
    deductions: tuple[DeductionResult, ...]
    distributable: Money
    tiers: tuple[TierResult, ...]
    lines: tuple[Line, ...]
    total: Money


# -- exact arithmetic of a rule, shared by checking and computing ---------------------------


def half_up(value: Fraction) -> int:
    """Round a value ≥ 0 half-up to an integer (四舍五入)."""
    return math.floor(value + Fraction(1, 2))


def percent_fen(fen: int, percent: Decimal) -> int:
    """``percent`` % of ``fen``, half-up: ``percent_of``, exact for any number of places."""
    return half_up(fen * Fraction(percent) / 100)


def distributable_fen(amount: Money, deductions: Iterable[Deduction]) -> int:
    whole = to_fen(amount)
    return whole - sum(percent_fen(whole, d.percent) for d in deductions)
