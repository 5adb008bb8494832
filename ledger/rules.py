"""Distribution rules (RULES.md): a rule is data, parsed and checked as a whole, then computed
exactly to the fen.

``parse_rule`` validates a decoded JSON document and reports every problem at once with its
JSON path (``tiers[1].weights.capital: not a decimal``); ``allocate`` computes it;
``allocation_document`` writes the result document of RULES.md. Decisions where RULES.md is
silent, each applied the same way everywhere:

- A weighted, proportional or equal tier that is not the last and carries no ``percent`` takes
  everything that is left (later tiers get nothing).
- The last tier takes everything left whatever its kind: a last ``rate`` tier splits it in
  proportion to the parties' rate amounts (equally if those are all zero).
- If every basis of a weighted tier totals zero, the tier is split equally (and says so in
  ``note``).
- Floors then caps, each repeated until stable; the amount moved is split, largest remainder,
  in proportion to the parties' current totals (equally if those are all zero).
- Tier names default to 第1档, 第2档 …; party names default to the code.
- Unknown keys are refused, so a misspelt key never silently changes a distribution.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from moneyed import Money

from ledger.allocation import percent_of, split
from ledger.errors import LedgerError
from ledger.money import CNY, FEN, ZERO, amount_str, format_yuan

KINDS = ("rate", "weighted", "proportional", "equal")
_JSON_NUMBER = 'a JSON number is not accepted; write it as a string such as "{example}"'


class RuleError(LedgerError):
    """A rule document is invalid; ``errors`` lists every (JSON path, message)."""


@dataclass(frozen=True)
class Deduction:
    name: str
    percent: Decimal
    percent_text: str


@dataclass(frozen=True)
class Tier:
    name: str
    kind: str
    basis: str | None = None
    percent: Decimal | None = None
    percent_text: str | None = None
    weights: Mapping[str, Decimal] = field(default_factory=dict)

    def bases(self) -> tuple[str, ...]:
        if self.kind in ("rate", "proportional") and self.basis is not None:
            return (self.basis,)
        return tuple(self.weights)


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    bases: Mapping[str, Decimal]


@dataclass(frozen=True)
class Rule:
    amount: Money
    deductions: tuple[Deduction, ...]
    tiers: tuple[Tier, ...]
    floors: Mapping[str, Money]
    caps: Mapping[str, Money]
    parties: tuple[Party, ...]


@dataclass(frozen=True)
class TierResult:
    name: str
    kind: str
    amount: Money
    amounts: Mapping[str, Money]
    weights: Mapping[str, Fraction] | None = None
    rate_amounts: Mapping[str, Money] | None = None
    note: str | None = None


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    tiers: Mapping[str, Money]
    adjustment: Money
    total: Money


@dataclass(frozen=True)
class Allocation:
    amount: Money
    deductions: tuple[tuple[Deduction, Money], ...]
    distributable: Money
    tiers: tuple[TierResult, ...]
    lines: tuple[Line, ...]
    total: Money


# -- parsing ---------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise RuleError(
                "; ".join(f"{p}: {m}" for p, m in self.items),
                field=self.items[0][0],
                errors=tuple(self.items),
            )


def _keys(obj: Mapping[str, Any], allowed: tuple[str, ...], path: str, p: _Problems) -> None:
    for key in obj:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            p.add(where, f"unknown key; allowed here: {', '.join(allowed)}")


def _decimal(
    value: Any,
    path: str,
    p: _Problems,
    *,
    example: str,
    places: int | None = None,
    maximum: Decimal | None = None,
) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        p.add(path, f'not a decimal; write it as a string such as "{example}"')
        return None
    if isinstance(value, (int, float)):
        p.add(path, _JSON_NUMBER.format(example=example))
        return None
    if not isinstance(value, str):
        p.add(path, "not a decimal")
        return None
    text = value.strip()
    if not text or text != value or any(c not in "0123456789.-" for c in text):
        p.add(path, "not a decimal")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        p.add(path, "not a decimal")
        return None
    if not number.is_finite():
        p.add(path, "not a decimal")
        return None
    if number < 0:
        p.add(path, f"{text} is negative; it must be ≥ 0")
        return None
    exponent = number.as_tuple().exponent
    if places is not None and isinstance(exponent, int) and -exponent > places:
        p.add(path, f"{text} has more than {places} decimal places")
        return None
    if maximum is not None and number > maximum:
        p.add(path, f"{text} is more than {maximum}")
        return None
    return number


def _money(value: Any, path: str, p: _Problems, example: str = "186000.00") -> Money | None:
    number = _decimal(value, path, p, example=example, places=2)
    return None if number is None else Money(number.quantize(FEN), CNY)


def _text(value: Any, path: str, p: _Problems, *, required: bool = True) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None and not required:
        return None
    p.add(path, "must be a non-empty string")
    return None


def parse_rule(document: object) -> Rule:
    """Check a decoded rule document (RULES.md) and return it as a :class:`Rule`.

    Raises:
        RuleError: listing every problem with its JSON path.
    """
    p = _Problems()
    if not isinstance(document, Mapping):
        p.add("", "a rule document is a JSON object")
        p.raise_if_any()
        raise AssertionError  # pragma: no cover
    _keys(document, ("amount", "deductions", "tiers", "floors", "caps", "parties"), "", p)
    if "amount" not in document:
        p.add("amount", "missing")
    amount = _money(document.get("amount"), "amount", p) if "amount" in document else None

    deductions: list[Deduction] = []
    raw_deductions = document.get("deductions", [])
    if not isinstance(raw_deductions, list):
        p.add("deductions", "must be a list")
        raw_deductions = []
    for i, raw in enumerate(raw_deductions):
        path = f"deductions[{i}]"
        if not isinstance(raw, Mapping):
            p.add(path, "must be an object with name and percent")
            continue
        _keys(raw, ("name", "percent"), path, p)
        name = _text(raw.get("name"), f"{path}.name", p)
        percent = _decimal(
            raw.get("percent"), f"{path}.percent", p, example="2", maximum=Decimal(100)
        )
        if name is not None and percent is not None:
            deductions.append(Deduction(name, percent, str(raw["percent"])))
    if sum((d.percent for d in deductions), Decimal(0)) > 100:
        p.add("deductions", "the deductions add up to more than 100 percent")
    names = [d.name for d in deductions]
    for i, name in enumerate(names):
        if name in names[:i]:
            p.add(f"deductions[{i}].name", f"duplicate deduction {name}")

    tiers = _parse_tiers(document.get("tiers"), p)
    parties = _parse_parties(document.get("parties"), tiers, p)
    codes = {party.code for party in parties}
    floors = _parse_limits(document.get("floors"), "floors", codes, p)
    caps = _parse_limits(document.get("caps"), "caps", codes, p)
    for code in sorted(set(floors) & set(caps)):
        if floors[code] > caps[code]:
            p.add(
                f"floors.{code}",
                f"the floor {floors[code].amount} is above the cap {caps[code].amount}",
            )
    if amount is not None and not p.items:
        distributable = amount - sum((percent_of(amount, d.percent) for d in deductions), ZERO)
        floor_total = sum(floors.values(), ZERO)
        if floor_total > distributable:
            p.add(
                "floors",
                f"the floors add up to {format_yuan(floor_total)}, more than the "
                f"distributable {format_yuan(distributable)}",
            )
        if caps and set(caps) == codes:
            cap_total = sum(caps.values(), ZERO)
            if cap_total < distributable:
                p.add(
                    "caps",
                    f"the caps add up to {format_yuan(cap_total)}, less than the distributable "
                    f"{format_yuan(distributable)}: money would be left undistributed",
                )
    p.raise_if_any()
    assert amount is not None
    return Rule(amount, tuple(deductions), tuple(tiers), floors, caps, tuple(parties))


def _parse_tiers(raw_tiers: Any, p: _Problems) -> list[Tier]:
    tiers: list[Tier] = []
    if not isinstance(raw_tiers, list) or not raw_tiers:
        p.add("tiers", "at least one tier is needed")
        return tiers
    for i, raw in enumerate(raw_tiers):
        path = f"tiers[{i}]"
        if not isinstance(raw, Mapping):
            p.add(path, "must be an object")
            continue
        kind = raw.get("kind")
        if kind not in KINDS:
            p.add(f"{path}.kind", f"{kind!r} is not a kind; use one of {', '.join(KINDS)}")
            continue
        allowed = {
            "rate": ("name", "kind", "basis", "percent"),
            "weighted": ("name", "kind", "weights", "percent"),
            "proportional": ("name", "kind", "basis", "percent"),
            "equal": ("name", "kind", "percent"),
        }[kind]
        _keys(raw, allowed, path, p)
        name = (
            _text(raw.get("name"), f"{path}.name", p) if "name" in raw else f"第{i + 1}档"
        ) or f"第{i + 1}档"
        basis = None
        if kind in ("rate", "proportional"):
            basis = _text(raw.get("basis"), f"{path}.basis", p)
        percent = None
        if kind == "rate" or "percent" in raw:
            percent = _decimal(
                raw.get("percent"), f"{path}.percent", p, example="6", maximum=Decimal(100)
            )
        weights: dict[str, Decimal] = {}
        if kind == "weighted":
            raw_weights = raw.get("weights")
            if not isinstance(raw_weights, Mapping) or not raw_weights:
                p.add(f"{path}.weights", "give at least one basis with its weight")
            else:
                valid = True
                for b, w in raw_weights.items():
                    value = _decimal(w, f"{path}.weights.{b}", p, example="50")
                    valid = valid and value is not None
                    # an invalid weight still names a basis the parties must have
                    weights[str(b)] = value if value is not None else Decimal(0)
                if valid and sum(weights.values()) == 0:
                    p.add(f"{path}.weights", "the weights add up to zero")
        if any(t.name == name for t in tiers):
            p.add(f"{path}.name", f"duplicate tier name {name}")
        tiers.append(
            Tier(
                name=name,
                kind=kind,
                basis=basis,
                percent=percent,
                percent_text=str(raw.get("percent")) if "percent" in raw else None,
                weights=weights,
            )
        )
    return tiers


def _parse_parties(raw_parties: Any, tiers: list[Tier], p: _Problems) -> list[Party]:
    parties: list[Party] = []
    if not isinstance(raw_parties, list) or not raw_parties:
        p.add("parties", "at least one party is needed")
        return parties
    used = sorted({b for tier in tiers for b in tier.bases()})
    seen: set[str] = set()
    for i, raw in enumerate(raw_parties):
        path = f"parties[{i}]"
        if not isinstance(raw, Mapping):
            p.add(path, "must be an object with code, name and bases")
            continue
        _keys(raw, ("code", "name", "bases"), path, p)
        code = _text(raw.get("code"), f"{path}.code", p)
        if code is not None and code in seen:
            p.add(f"{path}.code", f"duplicate code {code}")
        if code is not None:
            seen.add(code)
        name = _text(raw.get("name"), f"{path}.name", p, required=False) or code or ""
        raw_bases = raw.get("bases", {})
        bases: dict[str, Decimal] = {}
        if not isinstance(raw_bases, Mapping):
            p.add(f"{path}.bases", "must be an object of basis values")
            raw_bases = {}
        for b, v in raw_bases.items():
            value = _decimal(v, f"{path}.bases.{b}", p, example="1200")
            if value is not None:
                bases[str(b)] = value
        for b in used:
            if b not in raw_bases:
                users = ", ".join(t.name for t in tiers if b in t.bases())
                p.add(f"{path}.bases.{b}", f"missing; tier {users} uses it")
        if code is not None:
            parties.append(Party(code, name, bases))
    return parties


def _parse_limits(raw: Any, key: str, codes: set[str], p: _Problems) -> dict[str, Money]:
    limits: dict[str, Money] = {}
    if raw is None:
        return limits
    if not isinstance(raw, Mapping):
        p.add(key, "must be an object of party code → amount")
        return limits
    for code, value in raw.items():
        if code not in codes:
            p.add(f"{key}.{code}", f"no party has code {code}")
            continue
        amount = _money(value, f"{key}.{code}", p, example="50000.00")
        if amount is not None:
            limits[str(code)] = amount
    return limits


# -- computing -------------------------------------------------------------------------------


def _rate_amount(value: Decimal, percent: Decimal) -> Money:
    return Money((value * percent / 100).quantize(FEN, rounding=ROUND_HALF_UP), CNY)


def _split_or_equal(total: Money, weights: Mapping[str, Fraction | Decimal]) -> dict[str, Money]:
    if any(w > 0 for w in weights.values()):
        return split(total, weights)
    return split(total, {code: 1 for code in weights})


def _weights(tier: Tier, parties: tuple[Party, ...]) -> tuple[dict[str, Fraction], str | None]:
    codes = [party.code for party in parties]
    if tier.kind == "equal":
        return {code: Fraction(1, len(codes)) for code in codes}, None
    weights = dict(tier.weights) if tier.kind == "weighted" else {tier.basis or "": Decimal(1)}
    totals = {b: sum((party.bases[b] for party in parties), Decimal(0)) for b in weights}
    kept = {b: w for b, w in weights.items() if totals[b] > 0 and w > 0}
    if not kept:
        equal = {code: Fraction(1, len(codes)) for code in codes}
        return equal, "every basis of this tier totals zero: split equally"
    whole = sum((Fraction(w) for w in kept.values()), Fraction(0))
    exact = {
        party.code: sum(
            (
                Fraction(w) / whole * Fraction(party.bases[b]) / Fraction(totals[b])
                for b, w in kept.items()
            ),
            Fraction(0),
        )
        for party in parties
    }
    dropped = sorted(set(weights) - set(kept))
    note = f"dropped (total zero): {', '.join(dropped)}" if dropped else None
    return exact, note


def allocate(rule: Rule) -> Allocation:
    """Compute a rule exactly as RULES.md says; the lines always add up to the distributable."""
    deductions = tuple((d, percent_of(rule.amount, d.percent)) for d in rule.deductions)
    distributable = rule.amount - sum((amount for _, amount in deductions), ZERO)
    left = distributable
    codes = [party.code for party in rule.parties]
    results: list[TierResult] = []
    exhausted = False
    for index, tier in enumerate(rule.tiers):
        last = index == len(rule.tiers) - 1
        zeros = {code: ZERO for code in codes}
        if tier.kind == "rate":
            assert tier.basis is not None and tier.percent is not None
            rates = {
                party.code: _rate_amount(party.bases[tier.basis], tier.percent)
                for party in rule.parties
            }
            if exhausted:
                amounts = zeros
            elif last or left < sum(rates.values(), ZERO):
                amounts = _split_or_equal(left, {c: r.amount for c, r in rates.items()})
                exhausted = True
            else:
                amounts = rates
            result = TierResult(
                tier.name, tier.kind, sum(amounts.values(), ZERO), amounts, rate_amounts=rates
            )
        else:
            weights, note = _weights(tier, rule.parties)
            if exhausted:
                take = ZERO
            elif last or tier.percent is None:
                take = left
            else:
                take = min(percent_of(distributable, tier.percent), left)
            amounts = split(take, weights) if take > ZERO else zeros
            if last or tier.percent is None:
                exhausted = True
            result = TierResult(tier.name, tier.kind, take, amounts, weights=weights, note=note)
        left -= result.amount
        results.append(result)
    before = {code: sum((r.amounts[code] for r in results), ZERO) for code in codes}
    final = _apply_limits(before, rule.floors, rule.caps)
    names = {party.code: party.name for party in rule.parties}
    lines = tuple(
        Line(
            code=code,
            name=names[code],
            tiers={r.name: r.amounts[code] for r in results},
            adjustment=final[code] - before[code],
            total=final[code],
        )
        for code in codes
    )
    total = sum((line.total for line in lines), ZERO)
    assert total == distributable, (total, distributable)
    return Allocation(rule.amount, deductions, distributable, tuple(results), lines, total)


def _apply_limits(
    totals: Mapping[str, Money], floors: Mapping[str, Money], caps: Mapping[str, Money]
) -> dict[str, Money]:
    final = dict(totals)
    pinned: set[str] = set()
    while True:  # floors: raise, take the shortfall from the others in proportion
        below = {c: floors[c] - final[c] for c in floors if final[c] < floors[c]}
        if not below:
            break
        for code in below:
            final[code] = floors[code]
            pinned.add(code)
        donors = {c: final[c].amount for c in final if c not in pinned and final[c] > ZERO}
        if not donors:
            raise RuleError("the floors cannot be met from the other parties", field="floors")
        taken = _split_or_equal(sum(below.values(), ZERO), donors)
        for code, amount in taken.items():
            final[code] -= amount
    pinned = set()
    while True:  # caps: cut, give the excess to the others in proportion
        above = {c: final[c] - caps[c] for c in caps if final[c] > caps[c]}
        if not above:
            break
        for code in above:
            final[code] = caps[code]
            pinned.add(code)
        takers = {
            c: final[c].amount
            for c in final
            if c not in pinned and (c not in caps or final[c] < caps[c])
        }
        if not takers:
            raise RuleError("the caps leave money that no party can take", field="caps")
        given = _split_or_equal(sum(above.values(), ZERO), takers)
        for code, amount in given.items():
            final[code] += amount
    for code, floor in floors.items():
        if final[code] < floor:
            raise RuleError(
                f"after the caps, {code} is below its floor ({format_yuan(final[code])} < "
                f"{format_yuan(floor)}); loosen the caps or the floors",
                field=f"floors.{code}",
            )
    return final


# -- the result document ---------------------------------------------------------------------


def _weight_text(weight: Fraction) -> str:
    value = Decimal(weight.numerator) / Decimal(weight.denominator)
    return f"{value.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP)}"


def allocation_document(allocation: Allocation) -> dict[str, Any]:
    """The output document of RULES.md (amounts as strings), plus each tier's kind and, for
    weighted and proportional tiers, every party's weight (six places and exact)."""
    tiers: list[dict[str, Any]] = []
    for r in allocation.tiers:
        item: dict[str, Any] = {"name": r.name, "kind": r.kind, "amount": amount_str(r.amount)}
        if r.weights is not None and r.kind != "equal":
            item["weights"] = {c: _weight_text(w) for c, w in r.weights.items()}
            item["exact_weights"] = {
                c: f"{w.numerator}/{w.denominator}" for c, w in r.weights.items()
            }
        if r.rate_amounts is not None:
            item["rate_amounts"] = {c: amount_str(m) for c, m in r.rate_amounts.items()}
        if r.note:
            item["note"] = r.note
        tiers.append(item)
    return {
        "amount": amount_str(allocation.amount),
        "deductions": [
            {"name": d.name, "percent": d.percent_text, "amount": amount_str(m)}
            for d, m in allocation.deductions
        ],
        "distributable": amount_str(allocation.distributable),
        "tiers": tiers,
        "lines": [
            {
                "code": line.code,
                "name": line.name,
                "tiers": {name: amount_str(m) for name, m in line.tiers.items()},
                "adjustment": amount_str(line.adjustment),
                "total": amount_str(line.total),
            }
            for line in allocation.lines
        ],
        "total": amount_str(allocation.total),
    }


def allocate_document(document: object) -> dict[str, Any]:
    """Parse, compute and write the result of a rule document in one call."""
    return allocation_document(allocate(parse_rule(document)))
