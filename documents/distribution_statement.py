"""Distribution statements (收益分配明细表), one per plan: the rule in plain words, every input
basis, the exact weights, each tier's amount, floors and caps, totals in figures and capitals,
and the approval record of 四议两公开. Names of households are already masked in the plan."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from audit import chain
from domain.plan.corrections import claim_account, differences
from domain.programmes import PROGRAMMES
from ledger.canonical import digest as canonical_digest
from ledger.capitals import to_capitals
from ledger.money import ZERO, amount_str, format_yuan, money
from ledger.rules import RuleError, exact_shares
from ledger.words import basis_name, rule_in_words
from projections import economy_queries, queries
from projections.tables import plan_steps, plans

STATE_NAMES = {
    "drafted": "审批中",
    "rejected": "已否决",
    "executed": "已执行",
    "superseded": "已被更正",
}


def _with_capitals(amount: str) -> dict[str, str]:
    value = money(amount, allow_negative=True)
    return {"amount": amount, "figures": format_yuan(value), "capitals": to_capitals(value)}


def corrections(conn: Connection, plan: dict[str, Any]) -> list[dict[str, Any]]:
    """A correction's differences per payee: what the superseded plan gave (and paid), what
    this one gives, and where the difference goes — still owed on 211 应付款, or a claim to
    recover on 112 应收款 (households) / 113 内部往来 (villages); see
    ``domain.plan.corrections``."""
    old = economy_queries.plan(conn, plan["supersedes"]) if plan["supersedes"] else None
    if old is None:
        return []
    names = {line["code"]: line["name"] for line in old["result"]["lines"]}
    names.update({line["code"]: line["name"] for line in plan["result"]["lines"]})
    out = []
    for code, (before, after) in differences(old["result"], plan["result"]).items():
        difference = after - before
        if difference > ZERO:
            outcome, account = "应付款（尚欠，待付）", f"211{code}"
        elif difference < ZERO:
            outcome, account = "应收款（多付，待收回）", claim_account(old["scope"], code)
        else:
            outcome, account = "无差额", None
        out.append(
            {
                "code": code,
                "name": names[code],
                "old": amount_str(before),
                "new": amount_str(after),
                "difference": amount_str(difference),
                "outcome": outcome,
                "account": account,
            }
        )
    return out


def villages_paid_on(conn: Connection, code: str) -> list[str]:
    """For a plan correcting an executed alliance plan: the villages of that plan that have
    since executed a plan of their own paying their households (on or after its execution)."""
    plan = conn.execute(select(plans.c.supersedes).where(plans.c.code == code)).scalar()
    if not plan:
        return []
    old = economy_queries.plan(conn, plan)
    if old is None or old["scope"] != "alliance" or old["executed_on"] is None:
        return []
    villages = {line["code"] for line in old["result"]["lines"] if money(line["total"]) > ZERO}
    rows = conn.execute(
        select(plans.c.payer).where(
            plans.c.scope == "village",
            plans.c.state.in_(("executed", "superseded")),
            plans.c.executed_on >= old["executed_on"],
        )
    ).scalars()
    return sorted({payer for payer in rows if payer in villages})


# A plan's rule and result never change once it is drafted (a correction is a new plan), so
# what the statement makes of them — every line with its figures and capitals, the rule in
# words, each line's capital by programme — is made once per process and kept, by the plan's
# code, with the stored rule and result it was made from: it is used only while the stored texts
# are equal to those (the same code in another store, or rebuilt differently, is made again).
# Comparing the texts costs a memcmp; a digest of them would encode and hash a village of 5,000
# households' 1.2 MB on every request. Only the approval steps, state, corrections,
# alternatives and ledger fingerprint are read per request. Statements are read-only: their
# parts are shared with this cache.
_CORES: OrderedDict[str, tuple[str, str, dict[str, Any]]] = OrderedDict()
_CORES_KEPT = 64
_CORES_LOCK = threading.Lock()


def _core(code: str, rule_text: str, result_text: str, scope: str) -> dict[str, Any]:
    with _CORES_LOCK:
        found = _CORES.get(code)
        if found is not None and found[0] == rule_text and found[1] == result_text:
            _CORES.move_to_end(code)
            return found[2]
    rule, result = json.loads(rule_text), json.loads(result_text)
    tiers = result["tiers"]
    parties = {p["code"]: p for p in rule["parties"]}
    member_days = rule.get("sources", {}).get("member_days", {})
    joined = "入盟" if scope == "alliance" else "在册"
    lines = []
    for line in result["lines"]:
        party = parties[line["code"]]
        days = member_days.get(line["code"])
        lines.append(
            {
                "code": line["code"],
                "name": line["name"],
                **(
                    {
                        "period_share": party.get("period_share", "1"),
                        "membership": f"{joined} {days[0]} 天 / {days[1]} 天",
                    }
                    if days
                    else {}
                ),
                "bases": party.get("bases", {}),
                "weights": {t["name"]: t["weights"][line["code"]] for t in tiers if "weights" in t},
                "tiers": line["tiers"],
                "adjustment": line["adjustment"],
                "total": _with_capitals(line["total"]),
            }
        )
    used = sorted(
        {
            b
            for t in rule["tiers"]
            for b in ([t["basis"]] if "basis" in t else list(t.get("weights", {})))
        }
    )
    # What a villager needs to recompute a line from paper: each basis's column
    # total, each tier's exact share per party as a fraction (the stored weights are rounded to
    # six places, and a 6-place weight times the amount can miss by a fen).
    base_totals = {
        b: str(sum((Decimal(str(p["bases"][b])) for p in rule["parties"]), Decimal(0)))
        for b in used
    }
    try:
        shares = exact_shares({k: v for k, v in rule.items() if k != "sources"})
    except RuleError:  # a rule stored by an older version the parser no longer reads
        shares = {}
    for line in lines:
        line["fractions"] = {}
        for t in rule["tiers"]:
            name = t.get("name")
            if name not in shares:
                continue
            if t["kind"] == "proportional":
                b = t["basis"]
                text = f"{line['bases'][b]}/{base_totals[b]}"
            else:
                f = shares[name][line["code"]]
                text = str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
            line["fractions"][name] = text
    core = {
        # names this rule and result (never changed once drafted): printed in the QR code
        "digest": canonical_digest({"rule": rule, "result": result}),
        "rule": rule,
        "base_totals": base_totals,
        "tier_rules": [
            {
                "name": t.get("name"),
                "kind": t["kind"],
                "basis": t.get("basis"),
                "basis_name": basis_name(t["basis"]) if t.get("basis") else None,
                "percent": t.get("percent"),
                "weights": [
                    {"key": b, "name": basis_name(b), "percent": w}
                    for b, w in t.get("weights", {}).items()
                ],
            }
            for t in rule["tiers"]
        ],
        "result": result,
        "rule_words": rule_in_words(rule),
        "bases": [{"key": b, "name": basis_name(b)} for b in used],
        "amount": _with_capitals(result["amount"]),
        "deductions": [
            {"name": d["name"], "percent": d["percent"], **_with_capitals(d["amount"])}
            for d in result["deductions"]
        ],
        "distributable": _with_capitals(result["distributable"]),
        "tiers": [
            {"name": t["name"], "kind": t["kind"], **_with_capitals(t["amount"])} for t in tiers
        ],
        "lines": lines,
        "total": _with_capitals(result["total"]),
        "sources": rule.get("sources", {}),
    }
    programmes = core["sources"].get("capital_by_programme", {})
    core["capital_by_programme"] = [
        {
            "code": line["code"],
            "name": line["name"],
            "programmes": [
                {"name": PROGRAMMES.get(k, k), **_with_capitals(v)}
                for k, v in sorted(programmes[line["code"]].items())
            ],
        }
        for line in lines
        if line["code"] in programmes
    ]
    # what a disclosure sheet prints of each line (``line_totals``)
    core["line_totals"] = [
        {"code": line["code"], "name": line["name"], "total": line["total"]} for line in lines
    ]
    with _CORES_LOCK:
        _CORES[code] = (rule_text, result_text, core)
        _CORES.move_to_end(code)
        while len(_CORES) > _CORES_KEPT:
            _CORES.popitem(last=False)
    return core


def distribution_statement(conn: Connection, code: str) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(
                plans.c.code,
                plans.c.title,
                plans.c.scope,
                plans.c.payer,
                plans.c.period,
                plans.c.as_of,
                plans.c.state,
                plans.c.executed_on,
                plans.c.supersedes,
                plans.c.superseded_by,
                plans.c.rejection,
                plans.c.rule,
                plans.c.result,
            ).where(plans.c.code == code)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    core = _core(code, row["rule"], row["result"], row["scope"])
    payer = queries.entity(conn, row["payer"]) or {"name": row["payer"]}
    steps = [
        dict(r)
        for r in conn.execute(
            select(plan_steps)
            .where(plan_steps.c.plan_code == code)
            .order_by(plan_steps.c.position, plan_steps.c.step)
        ).mappings()
    ]
    plan = {**dict(row), "rule": core["rule"], "result": core["result"]}
    return {
        "code": row["code"],
        "title": row["title"],
        "scope": row["scope"],
        "payer": {"code": row["payer"], "name": payer["name"]},
        "period": row["period"],
        "as_of": str(row["as_of"]),
        "state": row["state"],
        "state_name": STATE_NAMES.get(row["state"], row["state"]),
        "executed_on": str(row["executed_on"]) if row["executed_on"] else None,
        "supersedes": row["supersedes"],
        **({"corrections": corrections(conn, plan)} if row["supersedes"] else {}),
        "superseded_by": row["superseded_by"],
        "rejection": row["rejection"],
        "digest": core["digest"],
        "rule_words": core["rule_words"],
        "bases": core["bases"],
        "base_totals": core["base_totals"],
        "tier_rules": core["tier_rules"],
        "amount": core["amount"],
        "deductions": core["deductions"],
        "distributable": core["distributable"],
        "tiers": core["tiers"],
        "lines": core["lines"],
        "total": core["total"],
        "sources": core["sources"],
        "capital_by_programme": core["capital_by_programme"],
        "alternatives": [
            {
                "number": c["number"],
                "for_step": c["for_step"],
                "digest": c["digest"],
                "reference": c["content"]["reference"],
                "candidates": [
                    {
                        "name": k["name"],
                        "rule_words": k["rule_words"],
                        "lines": k["lines"],
                        "gini": k["measures"]["gini"],
                    }
                    for k in c["content"]["candidates"]
                ],
            }
            for c in economy_queries.plan_comparisons_of(conn, code)
        ],
        "ledger": chain.head(conn),  # the fingerprint of the log this statement was made from
        "steps": _steps(steps),
    }


def _steps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The approval record in the order of 四议两公开. A 商议 merged into 提议 is one row, 提议
    labelled "提议（与商议合并）" (its vote is the 商议's); unmerged rows carry no label, so a
    sheet published before labels existed re-derives to the same content."""
    merged = any(s["step"] == "提议" and s["merged"] for s in rows)
    out = []
    for s in rows:
        if merged and s["step"] == "商议":
            continue
        out.append(
            {
                "step": s["step"],
                **({"label": "提议（与商议合并）"} if merged and s["step"] == "提议" else {}),
                "date": str(s["date"]),
                "body": s["body"],
                "place": s["place"],
                "expected": s["expected"],
                "present": s["present"],
                "votes_for": s["votes_for"],
                "votes_against": s["votes_against"],
                "abstentions": s["abstentions"],
                "assembly": s["assembly"],
                "merged": bool(s["merged"]),
            }
        )
    return out


def line_totals(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """Each line's code, name and total (with capitals) of ``statement``: what a disclosure
    sheet prints of a plan it paid. Made once with the statement's cached part (read-only)."""
    with _CORES_LOCK:
        for _, _, core in _CORES.values():
            if core["lines"] is statement["lines"]:
                found: list[dict[str, Any]] = core["line_totals"]
                return found
    return [
        {"code": line["code"], "name": line["name"], "total": line["total"]}
        for line in statement["lines"]
    ]
