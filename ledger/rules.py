"""Distribution rules (docs/rules.md): a rule is data, checked as a whole, then computed to the fen.

``parse_rule`` checks a decoded JSON document and reports every problem at once with its JSON
path (``tiers[1].weights.capital: not a decimal``); ``allocate`` computes the rule;
``allocation_document`` writes the result document; ``allocate_document`` does all three.
Arithmetic is exact: integer fen and ``Fraction``, never a float, never a rounded ``Decimal``.

Decisions where docs/rules.md is silent, applied the same way everywhere:

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
- Floors are applied before caps (docs/rules.md): a party with both is raised to its floor, then
  held to its cap; as a floor is never above the same party's cap, the floors still hold after
  the caps (checked all the same).
- Floors first, then caps, each repeated until stable, amounts moved split by ``split`` in
  proportion to the current totals; when every receiver of a cap's excess has a zero total,
  the excess is split among them in equal parts.
- The floors-total check runs whenever the amount and deductions are valid; the caps-total
  check only when every party has a cap. A floor above the same party's cap is refused.
- An ``ownership:<project>`` basis (a jointly built project's recorded shares) is checked as
  shares: a project code after the colon, each value at most 1, the parties' values adding up to
  exactly 1 (``ledger.rule_parsing``); it is then computed like any other basis.
- Lines and per-party maps follow the order of ``parties`` in the document; the figures do
  not depend on that order. Percents are written back as plain decimals (``"2"``, ``"2.50"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import cast

from moneyed import Money

from ledger.allocation import split
from ledger.money import amount_str, format_yuan, from_fen, to_fen
from ledger.rule_parsing import parse_rule
from ledger.rule_types import (
    KINDS,
    ROOT,
    Allocation,
    Deduction,
    DeductionResult,
    Kind,
    Line,
    Party,
    Rule,
    RuleError,
    Tier,
    TierResult,
    distributable_fen,
    frozen,
    half_up,
    percent_fen,
)

__all__ = [
    "KINDS",
    "ROOT",
    "Allocation",
    "Deduction",
    "DeductionResult",
    "Kind",
    "Line",
    "Party",
    "Rule",
    "RuleError",
    "Tier",
    "TierResult",
    "allocate",
    "allocate_document",
    "allocation_document",
    "exact_shares",
    "parse_rule",
]

# -- computing -------------------------------------------------------------------------------


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
    return frozen({code: from_fen(value) for code, value in fen.items()})


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
                q.code: half_up(Fraction(q.bases[basis]) * Fraction(percent)) for q in rule.parties
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
                share = percent_fen(distributable, tier.percent)
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
            else frozen(weights),
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
    """Compute a rule exactly as docs/rules.md says: deductions, tiers in order, floors, caps.

    Raises:
        RuleError: if the floors no longer hold after the caps (never for a parsed rule).
    """
    whole = to_fen(rule.amount)
    deductions = tuple(
        DeductionResult(d.name, d.percent, from_fen(percent_fen(whole, d.percent)))
        for d in rule.deductions
    )
    distributable = distributable_fen(rule.amount, rule.deductions)
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
    millionths = half_up(weight * 10**6)
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
    """The output document of docs/rules.md (amounts as strings with two places), with each tier's
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
