"""Reading a rule document (docs/rules.md): ``parse_rule`` checks a decoded JSON document as a whole
and reports every problem at once with its JSON path (``tiers[1].weights.capital: not a
decimal``), or gives the checked ``Rule`` (``ledger.rule_types``). The decisions it applies are
listed in ``ledger.rules``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext
from typing import Any, cast

from moneyed import Money

from ledger.money import CNY, FEN, LIMIT, ZERO, format_yuan, from_fen
from ledger.rule_types import (
    KINDS,
    OWNERSHIP,
    ROOT,
    Deduction,
    Kind,
    Party,
    Rule,
    RuleError,
    Tier,
    distributable_fen,
)

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
    """Check a decoded rule document (docs/rules.md) and return it as a :class:`Rule`.

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
        distributable = from_fen(distributable_fen(amount, deductions))
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
    if parties is not None:
        _check_ownership(uses, parties, p)
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


def _check_ownership(uses: list[tuple[str, str]], parties: list[Party], p: _Problems) -> None:
    """An ``ownership:<project>`` basis names a project, and its values are the parties'
    shares of that project: each at most 1, together exactly 1 (docs/rules.md)."""
    for basis in dict.fromkeys(b for b, _ in uses if b.startswith(OWNERSHIP)):
        if not basis[len(OWNERSHIP) :].strip():
            p.add("tiers", f'the basis "{basis}" names no project; write ownership:XM2025-NC')
            continue
        values = [party.bases.get(basis, Decimal(0)) for party in parties]
        for index, value in enumerate(values):
            if value > 1:
                p.add(
                    f"parties[{index}].bases.{basis}",
                    f"{value} is more than 1; an ownership share is a fraction (45% is 0.45)",
                )
        total = _exact_sum(values)
        if total != 1 and all(value <= 1 for value in values):
            p.add(
                "parties",
                f"the shares of {basis} add up to {total:f}, not 1: every owner of the project "
                "is a party, and the recorded shares add up to exactly 1",
            )
