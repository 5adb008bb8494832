"""Compare candidate distribution rules on the same inputs, before a plan is approved.

Every candidate is computed by the same rule engine on the same parties, amount and (unless it
names its own) deductions; each gets the measures of ``ledger.fairness``, its difference from a
reference candidate, and sentences a village meeting reads. A Shapley view can be added as one
more candidate when the worth of coalitions (or each party's stand-alone worth) is given.
Nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from ledger.allocation import split
from ledger.errors import LedgerError
from ledger.fairness import (
    EXPLAINED,
    EXPLAINED_ZH,
    FairnessError,
    as_decimal,
    gini,
    max_min,
    shapley_exact,
    shapley_sampled,
    share_ratio,
    theil,
)
from ledger.money import amount_str, from_fen, money, to_fen
from ledger.rules import RuleError, allocate_document
from ledger.words import basis_name, rule_in_words

RULE_KEYS = ("deductions", "tiers", "floors", "caps")


class ComparisonError(LedgerError):
    """A comparison request is invalid; ``errors`` names the JSON paths."""


def _fen(text: str) -> Fraction:
    return Fraction(to_fen(money(text, allow_negative=True)))


def _rule_document(base: Mapping[str, Any], rule: Mapping[str, Any]) -> dict[str, Any]:
    document = {"amount": base["amount"], "parties": base["parties"]}
    document["deductions"] = rule.get("deductions", base.get("deductions", []))
    for key in ("tiers", "floors", "caps"):
        if key in rule:
            document[key] = rule[key]
    return document


def _measures(
    result: Mapping[str, Any], parties: Sequence[Mapping[str, Any]], per_capita_basis: str
) -> dict[str, Any]:
    totals = {line["code"]: _fen(line["total"]) for line in result["lines"]}
    whole = sum(totals.values(), Fraction(0))
    bases = sorted({b for p in parties for b in p.get("bases", {})})
    basis_totals = {
        b: sum((Fraction(Decimal(p["bases"].get(b, "0"))) for p in parties), Fraction(0))
        for b in bases
    }
    ratios = {
        p["code"]: {
            b: _ratio(
                share_ratio(
                    totals[p["code"]],
                    whole,
                    Fraction(Decimal(p["bases"].get(b, "0"))),
                    basis_totals[b],
                )
            )
            for b in bases
        }
        for p in parties
    }
    per_capita: dict[str, str | None] = {}
    values: list[Fraction] = []
    for p in parties:
        people = Fraction(Decimal(p.get("bases", {}).get(per_capita_basis, "0")))
        if people > 0:
            value = totals[p["code"]] / 100 / people
            per_capita[p["code"]] = f"{_round(value, '0.01')}"
            values.append(value)
        else:
            per_capita[p["code"]] = None
    complete = len(values) == len(parties)
    gave = {
        line["code"]: line["adjustment"]
        for line in result["lines"]
        if line["adjustment"].startswith("-")
    }
    received = {
        line["code"]: line["adjustment"]
        for line in result["lines"]
        if not line["adjustment"].startswith("-") and line["adjustment"] != "0.00"
    }
    moved = sum((_fen(v) for v in received.values()), Fraction(0))
    return {
        "share_ratio": ratios,
        "per_capita": per_capita,
        "per_capita_basis": per_capita_basis,
        "gini": as_decimal(gini(values)) if complete else None,
        "theil": f"{theil(values)}" if complete else None,
        "max_min": as_decimal(max_min(values)) if complete else None,
        "cross_subsidy": {
            "gave": gave,
            "received": received,
            "moved": amount_str(from_fen(int(moved))),
        },
    }


def _ratio(value: Fraction | None) -> str | None:
    return None if value is None else f"{_round(value, '0.01')}"


def _round(value: Fraction, places: str) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


def _sentences(candidate: Mapping[str, Any], parties: Sequence[Mapping[str, Any]]) -> list[str]:
    names = {p["code"]: p.get("name", p["code"]) for p in parties}
    out = []
    for code, ratios in candidate["measures"]["share_ratio"].items():
        parts = [f"按{basis_name(b)}计为其比例份额的{r}倍" for b, r in ratios.items() if r]
        if parts:
            out.append(f"{names[code]}：" + "，".join(parts))
    m = candidate["measures"]
    if m["gini"] is not None:
        out.append(
            f"人均分配额基尼系数 {m['gini']}，泰尔指数 {m['theil']}，"
            f"最高与最低人均之比 {m['max_min'] or '—'}"
        )
    if m["cross_subsidy"]["received"]:
        gave = "、".join(f"{names[c]}{a}" for c, a in m["cross_subsidy"]["gave"].items())
        got = "、".join(f"{names[c]}+{a}" for c, a in m["cross_subsidy"]["received"].items())
        out.append(f"保底/封顶调剂 {m['cross_subsidy']['moved']} 元：{gave} → {got}")
    return out


def _shapley(
    document: Mapping[str, Any], spec: Mapping[str, Any], distributable: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    codes = [p["code"] for p in document["parties"]]
    worth: dict[str, Fraction] = {}
    try:
        for key, value in spec.get("coalitions", {}).items():
            members = key.split("+")
            if not set(members) <= set(codes):
                raise ComparisonError(
                    f"shapley.coalitions.{key}: names a party that is not in the comparison",
                    field=f"shapley.coalitions.{key}",
                )
            worth["+".join(sorted(members))] = _fen(value)
        for code, value in spec.get("standalone", {}).items():
            if code not in codes:
                raise ComparisonError(
                    f"shapley.standalone.{code}: no such party", field=f"shapley.standalone.{code}"
                )
            worth[code] = _fen(value)
    except RuleError:
        raise
    except LedgerError as error:
        if isinstance(error, ComparisonError):
            raise
        raise ComparisonError(f"shapley: {error}", field="shapley") from None
    grand = "+".join(sorted(codes))
    worth.setdefault(grand, _fen(distributable))
    exact = len(codes) <= 12
    if exact:
        values, errors = shapley_exact(codes, worth), dict[str, Decimal]()
    else:
        values, errors = shapley_sampled(codes, worth, samples=int(spec.get("samples", 2000)))
    weights = {c: max(v, Fraction(0)) for c, v in values.items()}
    if not any(weights.values()):
        raise ComparisonError(
            "shapley: every Shapley value is zero or negative; no rule follows", field="shapley"
        )
    shares = split(money(distributable), weights)
    block = {
        "method": "exact" if exact else f"sampled ({spec.get('samples', 2000)} orders, seeded)",
        "values": {c: f"{_round(v / 100, '0.01')}" for c, v in values.items()},
        "error_95": {c: f"{e / 100:.2f}" for c, e in errors.items()} if errors else None,
        "grand_coalition": amount_str(from_fen(int(worth[grand]))),
        "explained": EXPLAINED["shapley"],
    }
    lines = [
        {
            "code": p["code"],
            "name": p.get("name", p["code"]),
            "tiers": {},
            "adjustment": "0.00",
            "total": amount_str(shares[p["code"]]),
        }
        for p in document["parties"]
    ]
    result = {"distributable": distributable, "lines": lines}
    return block, result


def compare(
    document: Mapping[str, Any],
    candidates: Sequence[Mapping[str, Any]],
    *,
    reference: str | None = None,
    shapley: Mapping[str, Any] | None = None,
    per_capita_basis: str = "population",
) -> dict[str, Any]:
    """Compute every candidate on ``document``'s parties and amount and measure each.

    Args:
        document: a rule document (docs/rules.md); when it has tiers, its own rule is the first
            candidate (named ``方案规则``).
        candidates: ``{"name": ..., "rule": {deductions?, tiers, floors?, caps?}}``; two to six
            candidates in all.
        reference: the candidate the others are compared with (default: the first).
        shapley: ``{"coalitions": {"V01+V02": "…"}}`` and/or ``{"standalone": {"V01": "…"}}``.
    """
    named: list[tuple[str, Mapping[str, Any]]] = []
    if document.get("tiers"):
        named.append(("方案规则", {k: document[k] for k in RULE_KEYS if k in document}))
    for index, candidate in enumerate(candidates):
        name = candidate.get("name")
        rule = candidate.get("rule")
        if not isinstance(name, str) or not name.strip() or not isinstance(rule, Mapping):
            raise ComparisonError(
                f'candidates[{index}]: give a name and a rule ({{"name": ..., "rule": '
                '{"tiers": [...]}}})',
                field=f"candidates[{index}]",
            )
        named.append((name.strip(), rule))
    if not 2 <= len(named) <= 6:
        raise ComparisonError(
            f"a comparison needs two to six candidate rules, not {len(named)}",
            field="candidates",
        )
    if len({n for n, _ in named}) != len(named):
        raise ComparisonError("candidate names must differ", field="candidates")
    results: list[dict[str, Any]] = []
    for index, (name, rule) in enumerate(named):
        extra = set(rule) - set(RULE_KEYS)
        if extra:
            raise ComparisonError(
                f"candidates[{index}].rule: {', '.join(sorted(extra))} not allowed; a candidate "
                f"rule has only {', '.join(RULE_KEYS)}",
                field=f"candidates[{index}].rule",
            )
        rule_document = _rule_document(document, rule)
        try:
            result = allocate_document(rule_document)
        except RuleError as error:
            raise ComparisonError(
                f"candidate {name}: {error}",
                field=f"candidates[{index}].rule",
                errors=tuple((f"{name}.{p}", m) for p, m in error.errors),
            ) from None
        results.append(
            {
                "name": name,
                "rule_words": rule_in_words(rule_document),
                "rule": dict(rule),
                "result": result,
            }
        )
    distributables = {r["result"]["distributable"] for r in results}
    shapley_block = None
    if shapley:
        shapley_block, result = _shapley(document, shapley, results[0]["result"]["distributable"])
        results.append(
            {
                "name": "Shapley值",
                "rule_words": ["按各村联合的边际贡献（Shapley值）分配"],
                "rule": {},
                "result": result,
            }
        )
    reference_name = reference or results[0]["name"]
    by_name = {r["name"]: r for r in results}
    if reference_name not in by_name:
        raise ComparisonError(
            f"reference {reference_name!r} is not one of the candidates", field="reference"
        )
    ref_totals = {
        line["code"]: _fen(line["total"]) for line in by_name[reference_name]["result"]["lines"]
    }
    parties = list(document["parties"])
    out_candidates = []
    for r in results:
        lines = {line["code"]: line["total"] for line in r["result"]["lines"]}
        difference = {}
        for code, total in lines.items():
            diff = _fen(total) - ref_totals[code]
            percent = (
                f"{_round(diff * 100 / ref_totals[code], '0.01')}" if ref_totals[code] else None
            )
            difference[code] = {"yuan": amount_str(from_fen(int(diff))), "percent": percent}
        candidate = {
            "name": r["name"],
            "rule_words": r["rule_words"],
            "rule": r["rule"],
            "distributable": r["result"]["distributable"],
            "lines": lines,
            "difference": difference,
            "measures": _measures(r["result"], parties, per_capita_basis),
        }
        candidate["sentences"] = _sentences(candidate, parties)
        out_candidates.append(candidate)
    return {
        "amount": document["amount"],
        "distributable": sorted(distributables),
        "parties": [
            {"code": p["code"], "name": p.get("name", p["code"]), "bases": p.get("bases", {})}
            for p in parties
        ],
        "reference": reference_name,
        "candidates": out_candidates,
        "shapley": shapley_block,
        "explained": {k: v for k, v in EXPLAINED.items() if k != "shapley" or shapley_block},
        "explained_zh": {k: v for k, v in EXPLAINED_ZH.items() if k != "shapley" or shapley_block},
    }


__all__ = ["ComparisonError", "FairnessError", "compare"]
