"""A distribution rule in plain Chinese words, as a villager reads it on a notice board:
"按资金50%、土地30%、人口20%加权分配"."""

from __future__ import annotations

from typing import Any

from ledger.money import format_yuan, money

BASIS_NAMES = {
    "capital": "资金",
    "land": "土地",
    "population": "人口",
    "households": "户数",
    "shares": "股份",
}


def basis_name(basis: str) -> str:
    return BASIS_NAMES.get(basis, basis)


def _percent(text: str) -> str:
    return f"{text}%"


def rule_in_words(rule: dict[str, Any]) -> list[str]:
    """The rule as sentences a villager reads: one per deduction, tier, floor and cap."""
    names = {p["code"]: p.get("name", p["code"]) for p in rule.get("parties", [])}
    words = [f"提取{d['name']}{_percent(d['percent'])}" for d in rule.get("deductions", [])]
    tiers = rule.get("tiers", [])
    for index, tier in enumerate(tiers):
        kind = tier["kind"]
        name = tier.get("name") or f"第{index + 1}档"
        share = (
            f"（占可分配收益的{_percent(tier['percent'])}）"
            if kind != "rate" and "percent" in tier and index < len(tiers) - 1
            else ""
        )
        rest = "其余" if index > 0 and not share else ""
        if kind == "rate":
            text = f"按{basis_name(tier['basis'])}的{_percent(tier['percent'])}计付{name}"
        elif kind == "weighted":
            parts = "、".join(
                f"{basis_name(b)}{_percent(w)}" for b, w in tier["weights"].items() if w != "0"
            )
            text = f"{rest}按{parts}加权分配{share}"
        elif kind == "proportional":
            text = f"{rest}按{basis_name(tier['basis'])}比例分配{share}"
        else:
            text = f"{rest}平均分配{share}"
        named = "name" in tier and name not in text
        words.append(f"{name}：{text}" if named else text)
    for code, amount in rule.get("floors", {}).items():
        words.append(f"{names.get(code, code)}保底{format_yuan(money(amount))}")
    for code, amount in rule.get("caps", {}).items():
        words.append(f"{names.get(code, code)}封顶{format_yuan(money(amount))}")
    return words
