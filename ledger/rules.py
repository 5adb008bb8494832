"""Distribution rules (RULES.md): a rule is data, checked as a whole, then computed to the fen.

``parse_rule`` checks a decoded JSON document and reports every problem at once with its JSON
path (``tiers[1].weights.capital: not a decimal``); ``allocate`` computes the rule;
``allocation_document`` writes the result document; ``allocate_document`` does all three.
Arithmetic is exact: integer fen and ``Fraction``, never a float, never a rounded ``Decimal``.

Decisions where RULES.md is silent, applied the same way everywhere:

- Unknown keys are refused (a misspelt key must never silently change a distribution). The
  document itself, when it is not an object, is at path ``$``.
- Amounts (``amount``, floors, caps) and basis values stay below 10^15, as every ledger amount.
  Decimal strings are plain (``"12.50"``): no exponent, sign ``+``, spaces or commas.
- Deduction names are required and unique; tier names are unique and default to 第1档, 第2档 …;
  a party's name defaults to its code. A basis absent from a party is an error, never a zero;
  bases no tier reads are allowed.
- A ``percent`` on the last tier is accepted and has no effect: the last tier takes the rest.
- A weighted, proportional or equal tier that is not the last and has no ``percent`` takes
  everything left; later tiers get nothing.
- A last ``rate`` tier splits what is left in proportion to the rate amounts, or in equal parts
  when those are all zero; a weighted or proportional tier whose every basis totals zero is
  split in equal parts (its weights are then 1/n). Such cases, a scaled-down rate tier and a
  percent tier that got less than its percent are told in the tier's ``note`` (in the output
  document only when there is one).
- "Equal parts" always count membership: period_share / Σ period_share, which is 1/n when
  every party was a member all period; an equal tier with a partial member reports those
  weights. ``period_share`` is a decimal string in (0, 1], any number of places; a plan
  drafted from the registers writes it with six places (half-up), like its pro-rated bases.
- Floors are applied before caps (RULES.md): a party with both is raised to its floor, then
  held to its cap; as a floor is never above the same party's cap, the floors still hold after
  the caps (checked all the same).
- Floors first, then caps, each repeated until stable, amounts moved split by ``split`` in
  proportion to the current totals; when every receiver of a cap's excess has a zero total,
  the excess is split among them in equal parts.
- The floors-total check runs whenever the amount and deductions are valid; the caps-total
  check only when every party has a cap. A floor above the same party's cap is refused.
- Lines and per-party maps follow the order of ``parties`` in the document; the figures do
  not depend on that order. Percents are written back as plain decimals (``"2"``, ``"2.50"``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal, TypeVar, cast

from moneyed import Money

from ledger.allocation import split
from ledger.errors import LedgerError
from ledger.money import CNY, FEN, LIMIT, ZERO, amount_str, format_yuan, from_fen, to_fen

Kind = Literal["rate", "weighted", "proportional", "equal"]
KINDS: tuple[Kind, ...] = ("rate", "weighted", "proportional", "equal")
ROOT = "$"  # the path of the document itself

_V = TypeVar("_V")


def _frozen(mapping: Mapping[str, _V]) -> Mapping[str, _V]:
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
        object.__setattr__(self, "weights", _frozen(self.weights))

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
        object.__setattr__(self, "bases", _frozen(self.bases))


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
        object.__setattr__(self, "floors", _frozen(self.floors))
        object.__setattr__(self, "caps", _frozen(self.caps))
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


# -- parsing ---------------------------------------------------------------------------------

_MISSING: Any = object()
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _keys(obj: Mapping[Any, Any], allowed: Sequence[str], path: str, p: _Problems) -> None:
    for key in obj:
        if key not in allowed:
            p.add(_join(path, key), f'unknown key "{key}"; allowed here: {", ".join(allowed)}')


def _decimal(
    value: Any,
    path: str,
    p: _Problems,
    *,
    what: str,
    example: str,
    places: int | None = None,
    maximum: Decimal | None = None,
) -> Decimal | None:
    """A decimal string ≥ 0 (at most ``places`` places, at most ``maximum``), else a problem."""
    if value is _MISSING:
        p.add(path, f'not a decimal (missing); write the {what} as a string such as "{example}"')
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        p.add(
            path,
            f'a JSON number is not accepted; write the {what} as a string such as "{example}"',
        )
        return None
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        p.add(path, "not a decimal")
        return None
    number = Decimal(value)
    if number < 0:
        p.add(path, f"{value} is negative; it must be ≥ 0")
        return None
    number = number.copy_abs()  # "-0" is 0
    exponent = cast(int, number.as_tuple().exponent)
    if places is not None and -exponent > places:
        p.add(path, f"{value} has more than {places} decimal places")
        return None
    if maximum is not None and number > maximum:
        p.add(path, f"{value} is more than {maximum}")
        return None
    if number >= LIMIT:
        p.add(path, f"{value} is too large; it must stay below 10^15")
        return None
    return number


def _amount(value: Any, path: str, p: _Problems, *, example: str) -> Money | None:
    number = _decimal(value, path, p, what="amount", example=example, places=2)
    return None if number is None else Money(number.quantize(FEN), CNY)


def _percent(value: Any, path: str, p: _Problems, *, example: str) -> Decimal | None:
    return _decimal(value, path, p, what="percent", example=example, maximum=Decimal(100))


def _text(value: Any, path: str, p: _Problems, *, what: str) -> str | None:
    if value is _MISSING:
        p.add(path, f"missing; {what}")
        return None
    if not isinstance(value, str) or not value.strip():
        p.add(path, f"must be a non-empty string; {what}")
        return None
    return value


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else type(value).__name__


def _exact_sum(values: Sequence[Decimal]) -> Decimal:
    """Σ values without rounding (Decimal's context rounds beyond 28 digits)."""
    if not values:
        return Decimal(0)
    top = max(v.adjusted() for v in values)
    bottom = min(cast(int, v.as_tuple().exponent) for v in values)
    with localcontext() as context:
        context.prec = max(28, top - bottom + len(values) + 2)
        return sum(values, Decimal(0))


def parse_rule(document: object) -> Rule:
    """Check a decoded rule document (RULES.md) and return it as a :class:`Rule`.

    Raises:
        RuleError: listing every problem of the document with its JSON path.
    """
    p = _Problems()
    if not isinstance(document, Mapping):
        message = f"a rule document is a JSON object, not {_json_kind(document)}"
        raise RuleError.of([(ROOT, message)])
    _keys(document, ("amount", "deductions", "tiers", "floors", "caps", "parties"), "", p)
    amount = _amount(document.get("amount", _MISSING), "amount", p, example="186000.00")
    deductions = _parse_deductions(document.get("deductions", []), p)
    tiers, uses = _parse_tiers(document.get("tiers", _MISSING), p)
    parties, codes = _parse_parties(document.get("parties", _MISSING), uses, p)
    floors = _parse_limits(document.get("floors", {}), "floors", codes, p)
    caps = _parse_limits(document.get("caps", {}), "caps", codes, p)
    for code in floors:
        if code in caps and floors[code] > caps[code]:
            p.add(
                f"floors.{code}",
                f"the floor {format_yuan(floors[code])} of {code} is above the cap "
                f"{format_yuan(caps[code])}",
            )
    if amount is not None and deductions is not None:
        distributable = from_fen(_distributable_fen(amount, deductions))
        if distributable < ZERO:
            p.add(
                "deductions",
                f"the deductions, each rounded half-up to the fen, add up to "
                f"{format_yuan(amount - distributable)}, more than the amount "
                f"{format_yuan(amount)}",
            )
        floor_total = sum(floors.values(), ZERO)
        if floors and distributable >= ZERO and floor_total > distributable:
            p.add(
                "floors",
                f"the floors add up to {format_yuan(floor_total)}, more than the distributable "
                f"amount {format_yuan(distributable)}",
            )
        if parties is not None and len(caps) == len(parties):
            cap_total = sum(caps.values(), ZERO)
            if cap_total < distributable:
                p.add(
                    "caps",
                    f"the caps add up to {format_yuan(cap_total)}, less than the distributable "
                    f"amount {format_yuan(distributable)}: every party has a cap, so money "
                    "would be left undistributed",
                )
    if p.items:
        raise RuleError.of(p.items)
    assert amount is not None and deductions is not None and parties is not None
    return Rule(amount, tuple(deductions), tuple(tiers), floors, caps, tuple(parties))


def _parse_deductions(raw: Any, p: _Problems) -> list[Deduction] | None:
    """The deductions, or None when one of them is invalid (the distributable is unknown)."""
    if not isinstance(raw, list):
        p.add("deductions", "must be a list of {name, percent}")
        return None
    deductions: list[Deduction] = []
    names: set[str] = set()
    valid = True
    for i, item in enumerate(raw):
        path = f"deductions[{i}]"
        if not isinstance(item, Mapping):
            p.add(path, 'must be an object such as {"name": "管理费", "percent": "2"}')
            valid = False
            continue
        _keys(item, ("name", "percent"), path, p)
        name = _text(item.get("name", _MISSING), f"{path}.name", p, what="name the deduction")
        if name is not None:
            if name in names:
                p.add(f"{path}.name", f"duplicate deduction name {name}")
                name = None
            else:
                names.add(name)
        percent = _percent(item.get("percent", _MISSING), f"{path}.percent", p, example="2")
        if name is None or percent is None:
            valid = False
        else:
            deductions.append(Deduction(name, percent))
    total = _exact_sum([d.percent for d in deductions])
    if total > 100:
        p.add("deductions", f"the deductions add up to {total:f} percent, more than 100")
        valid = False
    return deductions if valid else None


_TIER_KEYS: dict[str, tuple[str, ...]] = {
    "rate": ("name", "kind", "basis", "percent"),
    "weighted": ("name", "kind", "weights", "percent"),
    "proportional": ("name", "kind", "basis", "percent"),
    "equal": ("name", "kind", "percent"),
}


def _parse_tiers(raw: Any, p: _Problems) -> tuple[list[Tier], list[tuple[str, str]]]:
    """The valid tiers, and every (basis, tier name) the tiers read, valid or not."""
    tiers: list[Tier] = []
    uses: list[tuple[str, str]] = []
    if raw is _MISSING or not isinstance(raw, list) or not raw:
        p.add("tiers", "at least one tier is needed, as a list")
        return tiers, uses
    names: set[str] = set()
    for i, item in enumerate(raw):
        path = f"tiers[{i}]"
        if not isinstance(item, Mapping):
            p.add(path, 'must be an object such as {"kind": "equal"}')
            continue
        kind = item.get("kind", _MISSING)
        if kind not in KINDS:
            shown = "missing" if kind is _MISSING else f"{kind!r} is not a kind"
            p.add(f"{path}.kind", f"{shown}; use one of {', '.join(KINDS)}")
            continue
        kind = cast(Kind, kind)
        _keys(item, _TIER_KEYS[kind], path, p)
        name: str | None = f"第{i + 1}档"
        if "name" in item:
            name = _text(item["name"], f"{path}.name", p, what="name the tier (or leave it out)")
        if name is not None:
            if name in names:
                p.add(f"{path}.name", f"duplicate tier name {name}")
            names.add(name)
        shown_name = name or f"第{i + 1}档"
        valid = name is not None
        basis: str | None = None
        if kind in ("rate", "proportional"):
            basis = _text(
                item.get("basis", _MISSING),
                f"{path}.basis",
                p,
                what=f'a {kind} tier needs the basis it reads, such as "capital"',
            )
            if basis is None:
                valid = False
            else:
                uses.append((basis, shown_name))
        percent: Decimal | None = None
        if kind == "rate" or "percent" in item:
            percent = _percent(item.get("percent", _MISSING), f"{path}.percent", p, example="6")
            valid = valid and percent is not None
        weights: dict[str, Decimal] = {}
        if kind == "weighted":
            raw_weights = item.get("weights", _MISSING)
            if not isinstance(raw_weights, Mapping) or not raw_weights:
                p.add(
                    f"{path}.weights",
                    'needs at least one basis with its weight, such as {"capital": "50"}',
                )
                valid = False
            else:
                for b, w in raw_weights.items():
                    uses.append((str(b), shown_name))
                    value = _decimal(w, f"{path}.weights.{b}", p, what="weight", example="50")
                    if value is None:
                        valid = False
                    else:
                        weights[str(b)] = value
                if valid and not any(w > 0 for w in weights.values()):
                    p.add(f"{path}.weights", "the weights add up to zero; one must be positive")
                    valid = False
        if valid and name is not None:
            tiers.append(Tier(name, kind, basis, percent, weights))
    return tiers, uses


def _parse_parties(
    raw: Any, uses: list[tuple[str, str]], p: _Problems
) -> tuple[list[Party] | None, set[str] | None]:
    """The parties (None unless every one is valid) and every code given (None when the
    list itself is unusable: then the codes are unknown)."""
    if raw is _MISSING or not isinstance(raw, list) or not raw:
        p.add("parties", "at least one party is needed, as a list")
        return None, None
    first_use: dict[str, str] = {}
    for basis, tier_name in uses:
        first_use.setdefault(basis, tier_name)
    parties: list[Party] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = f"parties[{i}]"
        if not isinstance(item, Mapping):
            p.add(path, 'must be an object such as {"code": "V01", "bases": {...}}')
            continue
        _keys(item, ("code", "name", "bases", "period_share"), path, p)
        code = _text(item.get("code", _MISSING), f"{path}.code", p, what="each party has a code")
        if code is not None:
            if code in seen:
                p.add(f"{path}.code", f"duplicate code {code}")
                code = None
            else:
                seen.add(code)
        name = code
        if "name" in item:
            name = _text(item["name"], f"{path}.name", p, what="name the party (or leave it out)")
        raw_bases = item.get("bases", {})
        bases: dict[str, Decimal] = {}
        valid = True
        if not isinstance(raw_bases, Mapping):
            p.add(f"{path}.bases", 'must be an object such as {"capital": "600000.00"}')
            raw_bases, valid = {}, False
        for b, v in raw_bases.items():
            value = _decimal(v, f"{path}.bases.{b}", p, what="value", example="1200")
            if value is None:
                valid = False
            else:
                bases[str(b)] = value
        if isinstance(item.get("bases", {}), Mapping):
            for basis, tier_name in first_use.items():
                if basis not in raw_bases:
                    p.add(f"{path}.bases.{basis}", f"missing; tier {tier_name} uses it")
                    valid = False
        share = Decimal(1)
        if "period_share" in item:
            value = _decimal(
                item["period_share"],
                f"{path}.period_share",
                p,
                what="part of the period",
                example="0.712329",
                maximum=Decimal(1),
            )
            if value is None:
                valid = False
            elif value == 0:
                p.add(
                    f"{path}.period_share",
                    "must be more than 0: a party that was never a member in the period is "
                    "left out of the plan",
                )
                valid = False
            else:
                share = value
        if code is not None and name is not None and valid:
            parties.append(Party(code, name, bases, share))
    return (parties if len(parties) == len(raw) else None), seen


def _parse_limits(raw: Any, key: str, codes: set[str] | None, p: _Problems) -> dict[str, Money]:
    limits: dict[str, Money] = {}
    if not isinstance(raw, Mapping):
        p.add(key, 'must be an object of party code → amount, such as {"V01": "50000.00"}')
        return limits
    for code, value in raw.items():
        path = f"{key}.{code}"
        if codes is not None and code not in codes:
            p.add(path, f"no party has code {code}")
            continue
        amount = _amount(value, path, p, example="50000.00")
        if amount is not None:
            limits[str(code)] = amount
    return limits


# -- computing -------------------------------------------------------------------------------


def _half_up(value: Fraction) -> int:
    """Round a value ≥ 0 half-up to an integer (四舍五入)."""
    return math.floor(value + Fraction(1, 2))


def _percent_fen(fen: int, percent: Decimal) -> int:
    """``percent`` % of ``fen``, half-up: ``percent_of``, exact for any number of places."""
    return _half_up(fen * Fraction(percent) / 100)


def _distributable_fen(amount: Money, deductions: Iterable[Deduction]) -> int:
    whole = to_fen(amount)
    return whole - sum(_percent_fen(whole, d.percent) for d in deductions)


def _split(fen: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """``split`` in fen; in equal parts when every weight is zero."""
    if not any(weights.values()):
        weights = {code: Fraction(1) for code in weights}
    parts = split(from_fen(fen), weights)
    return {code: to_fen(parts[code]) for code in weights}


def _by_membership(parties: Sequence[Party]) -> dict[str, Fraction]:
    """Equal parts counted by membership: period_share / Σ period_share of every party."""
    whole = sum((Fraction(party.period_share) for party in parties), Fraction(0))
    return {party.code: Fraction(party.period_share) / whole for party in parties}


def _shares(tier: Tier, parties: Sequence[Party]) -> tuple[dict[str, Fraction], str | None]:
    """Each party's exact weight in a weighted, proportional or equal tier, and a note.

    Equal parts are by membership: period_share / Σ period_share (1/n when every party was a
    member for the whole period)."""
    equal = _by_membership(parties)
    if tier.kind == "equal":
        return equal, None
    weights = dict(tier.weights) if tier.kind == "weighted" else {cast(str, tier.basis): 1}
    totals = {b: sum((Fraction(q.bases[b]) for q in parties), Fraction(0)) for b in weights}
    kept = {b: Fraction(w) for b, w in weights.items() if w > 0 and totals[b] > 0}
    dropped = [b for b, w in weights.items() if w > 0 and totals[b] == 0]
    zero = f"{'basis' if len(dropped) == 1 else 'bases'} {', '.join(dropped)} total zero"
    if not kept:
        return equal, f"{zero} over the parties: split in equal parts"
    whole = sum(kept.values(), Fraction(0))
    exact = {
        party.code: sum(
            (w / whole * Fraction(party.bases[b]) / totals[b] for b, w in kept.items()),
            Fraction(0),
        )
        for party in parties
    }
    note = None
    if dropped:
        note = f"{zero} over the parties: dropped, the other weights renormalised"
    return exact, note


def _partial(rule: Rule) -> bool:
    """Whether some party was a member for only part of the period."""
    return any(party.period_share != 1 for party in rule.parties)


def _money_map(fen: Mapping[str, int]) -> Mapping[str, Money]:
    return _frozen({code: from_fen(value) for code, value in fen.items()})


def _tiers(rule: Rule, distributable: int) -> list[tuple[TierResult, dict[str, int]]]:
    results: list[tuple[TierResult, dict[str, int]]] = []
    left = distributable
    for index, tier in enumerate(rule.tiers):
        last = index == len(rule.tiers) - 1
        note: str | None = None
        weights: dict[str, Fraction] | None = None
        rates: dict[str, int] | None = None
        if tier.kind == "rate":
            basis, percent = cast(str, tier.basis), cast(Decimal, tier.percent)
            rates = {
                q.code: _half_up(Fraction(q.bases[basis]) * Fraction(percent)) for q in rule.parties
            }
            due = sum(rates.values())
            if last or due > left:
                by_rate = {code: Fraction(r) for code, r in rates.items()}
                parts = _split(left, by_rate if due else _by_membership(rule.parties))
                if due > left:
                    note = (
                        f"the rate amounts add up to {format_yuan(from_fen(due))}, more than "
                        f"the {format_yuan(from_fen(left))} left: scaled down in proportion"
                    )
                elif due < left:
                    how = "in proportion to the rate amounts" if due else "in equal parts"
                    note = f"the last tier takes everything left, {how}"
            else:
                parts = rates
        else:
            weights, note = _shares(tier, rule.parties)
            take = left
            if not last and tier.percent is not None:
                share = _percent_fen(distributable, tier.percent)
                take = min(share, left)
                if take < share:
                    short = (
                        f"{tier.percent:f}% of the distributable is "
                        f"{format_yuan(from_fen(share))}; only {format_yuan(from_fen(left))} "
                        "was left"
                    )
                    note = short if note is None else f"{note}; {short}"
            parts = _split(take, weights)
        amount = sum(parts.values())
        left -= amount
        result = TierResult(
            name=tier.name,
            kind=tier.kind,
            amount=from_fen(amount),
            parts=_money_map(parts),
            weights=None
            if weights is None or (tier.kind == "equal" and not _partial(rule))
            else _frozen(weights),
            rates=None if rates is None else _money_map(rates),
            note=note,
        )
        results.append((result, parts))
    assert left == 0, left
    return results


def _apply_floors(totals: dict[str, int], floors: Mapping[str, int]) -> None:
    """Raise every party below its floor; take the shortfall from the parties above their
    floors in proportion to their totals, never below a floor, until none is left."""
    short = 0
    for code, floor in floors.items():
        if totals[code] < floor:
            short += floor - totals[code]
            totals[code] = floor
    while short > 0:
        donors = {c: Fraction(t) for c, t in totals.items() if t > floors.get(c, 0)}
        if not donors:
            raise RuleError.of([("floors", "the floors cannot be met from the other parties")])
        for code, share in _split(short, donors).items():
            given = min(share, totals[code] - floors.get(code, 0))
            totals[code] -= given
            short -= given


def _apply_caps(totals: dict[str, int], caps: Mapping[str, int]) -> None:
    """Cut every party above its cap; give the excess to the parties below their caps in
    proportion to their totals, never above a cap, until none is left."""
    excess = 0
    for code, cap in caps.items():
        if totals[code] > cap:
            excess += totals[code] - cap
            totals[code] = cap
    while excess > 0:
        takers = {c: Fraction(t) for c, t in totals.items() if c not in caps or t < caps[c]}
        if not takers:
            raise RuleError.of([("caps", "the caps leave money that no party can take")])
        for code, share in _split(excess, takers).items():
            taken = share if code not in caps else min(share, caps[code] - totals[code])
            totals[code] += taken
            excess -= taken


def allocate(rule: Rule) -> Allocation:
    """Compute a rule exactly as RULES.md says: deductions, tiers in order, floors, caps.

    Raises:
        RuleError: if the floors no longer hold after the caps (never for a parsed rule).
    """
    whole = to_fen(rule.amount)
    deductions = tuple(
        DeductionResult(d.name, d.percent, from_fen(_percent_fen(whole, d.percent)))
        for d in rule.deductions
    )
    distributable = _distributable_fen(rule.amount, rule.deductions)
    tiers = _tiers(rule, distributable)
    codes = [party.code for party in rule.parties]
    before = {code: sum(parts[code] for _, parts in tiers) for code in codes}
    final = dict(before)
    floors = {code: to_fen(m) for code, m in rule.floors.items()}
    _apply_floors(final, floors)
    _apply_caps(final, {code: to_fen(m) for code, m in rule.caps.items()})
    broken = [
        (
            f"floors.{code}",
            f"after the caps {code} has {format_yuan(from_fen(final[code]))}, "
            f"below its floor {format_yuan(from_fen(floor))}",
        )
        for code, floor in floors.items()
        if final[code] < floor
    ]
    if broken:
        raise RuleError.of(broken)
    lines = tuple(
        Line(
            code=party.code,
            name=party.name,
            tiers=tuple(from_fen(parts[party.code]) for _, parts in tiers),
            adjustment=from_fen(final[party.code] - before[party.code]),
            total=from_fen(final[party.code]),
        )
        for party in rule.parties
    )
    total = sum(final.values())
    assert total == distributable, (total, distributable)
    return Allocation(
        amount=rule.amount,
        deductions=deductions,
        distributable=from_fen(distributable),
        tiers=tuple(result for result, _ in tiers),
        lines=lines,
        total=from_fen(total),
    )


# -- the result document ---------------------------------------------------------------------


def _weight_text(weight: Fraction) -> str:
    """Six places, half-up: ``0.443043``."""
    millionths = _half_up(weight * 10**6)
    return f"{millionths // 10**6}.{millionths % 10**6:06d}"


def _tier_document(tier: TierResult) -> dict[str, object]:
    item: dict[str, object] = {
        "name": tier.name,
        "kind": tier.kind,
        "amount": amount_str(tier.amount),
    }
    if tier.weights is not None:
        item["weights"] = {code: _weight_text(w) for code, w in tier.weights.items()}
        item["exact_weights"] = {
            code: f"{w.numerator}/{w.denominator}" for code, w in tier.weights.items()
        }
    if tier.note is not None:
        item["note"] = tier.note
    return item


def allocation_document(allocation: Allocation) -> dict[str, object]:
    """The output document of RULES.md (amounts as strings with two places), with each tier's
    kind and, for weighted and proportional tiers, every party's weight (six places and exact)."""
    names = [tier.name for tier in allocation.tiers]
    return {
        "amount": amount_str(allocation.amount),
        "deductions": [
            {"name": d.name, "percent": f"{d.percent:f}", "amount": amount_str(d.amount)}
            for d in allocation.deductions
        ],
        "distributable": amount_str(allocation.distributable),
        "tiers": [_tier_document(tier) for tier in allocation.tiers],
        "lines": [
            {
                "code": line.code,
                "name": line.name,
                "tiers": {name: amount_str(m) for name, m in zip(names, line.tiers, strict=True)},
                "adjustment": amount_str(line.adjustment),
                "total": amount_str(line.total),
            }
            for line in allocation.lines
        ],
        "total": amount_str(allocation.total),
    }


def allocate_document(document: object) -> dict[str, object]:
    """Check, compute and write a rule document in one call (the API and the CLI use it).

    Raises:
        RuleError: listing every problem of the document with its JSON path.
    """
    return allocation_document(allocate(parse_rule(document)))


def exact_shares(document: object) -> dict[str, dict[str, Fraction]]:
    """Each weighted, proportional or equal tier's exact share per party, by tier name: the
    fractions the allocation splits by (a public page prints them, so that a villager can
    recompute a line from paper; the stored weights are rounded to six places)."""
    rule = parse_rule(document)
    return {tier.name: _shares(tier, rule.parties)[0] for tier in rule.tiers if tier.kind != "rate"}
