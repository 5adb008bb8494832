"""Distribution statements (收益分配明细表), one per plan: the rule in plain words, every input
basis, the exact weights, each tier's amount, floors and caps, totals in figures and capitals,
and the approval record of 四议两公开. Names of households are already masked in the plan."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from ledger.capitals import to_capitals
from ledger.money import format_yuan, money
from ledger.words import basis_name, rule_in_words
from projections import audit, economy_queries, queries

STATE_NAMES = {
    "drafted": "审批中",
    "rejected": "已否决",
    "executed": "已执行",
    "superseded": "已被更正",
}


def _with_capitals(amount: str) -> dict[str, str]:
    value = money(amount, allow_negative=True)
    return {"amount": amount, "figures": format_yuan(value), "capitals": to_capitals(value)}


def distribution_statement(conn: Connection, code: str) -> dict[str, Any] | None:
    plan = economy_queries.plan(conn, code)
    if plan is None:
        return None
    rule, result = plan["rule"], plan["result"]
    payer = queries.entity(conn, plan["payer"]) or {"name": plan["payer"]}
    tiers = result["tiers"]
    parties = {p["code"]: p for p in rule["parties"]}
    lines = []
    for line in result["lines"]:
        party = parties[line["code"]]
        lines.append(
            {
                "code": line["code"],
                "name": line["name"],
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
    return {
        "code": plan["code"],
        "title": plan["title"],
        "scope": plan["scope"],
        "payer": {"code": plan["payer"], "name": payer["name"]},
        "period": plan["period"],
        "as_of": str(plan["as_of"]),
        "state": plan["state"],
        "state_name": STATE_NAMES.get(plan["state"], plan["state"]),
        "executed_on": str(plan["executed_on"]) if plan["executed_on"] else None,
        "supersedes": plan["supersedes"],
        "superseded_by": plan["superseded_by"],
        "rejection": plan["rejection"],
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
        "ledger": audit.head(conn),  # the fingerprint of the log this statement was made from
        "steps": [
            {
                "step": s["step"],
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
            for s in plan["steps"]
        ],
    }
