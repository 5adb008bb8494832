"""Read functions over the economy read model: equity register, agreement status, member
registers and distribution plans. Plain values out; ``api/`` makes JSON of them."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select

from domain.distribution import plain_decimal
from domain.periods import add_years, day_in_year
from domain.privacy import FORGOTTEN, mask_id_number
from domain.programmes import PROGRAMMES
from ledger.allocation import percent_of
from ledger.money import ZERO, amount_str, from_fen
from projections.tables import (
    agreement_payments,
    agreements,
    equity_capital,
    grants,
    households,
    land_shares,
    member_shares,
    members,
    plan_comparisons,
    plan_entries,
    plan_lines,
    plan_requests,
    plan_steps,
    plans,
    registers,
)


def equity_register(conn: Connection, joint: str, as_of: datetime.date) -> dict[str, Any]:
    """Each village's capital by programme and land shares in force on ``as_of``."""
    villages: dict[str, dict[str, Any]] = {}

    def row(code: str) -> dict[str, Any]:
        return villages.setdefault(
            code, {"village": code, "capital": {}, "capital_total_fen": 0, "land": []}
        )

    for r in conn.execute(
        select(equity_capital).where(
            and_(equity_capital.c.joint_code == joint, equity_capital.c.date <= as_of)
        )
    ).mappings():
        entry = row(r["village_code"])
        entry["capital"][r["programme"]] = entry["capital"].get(r["programme"], 0) + r["amount_fen"]
        entry["capital_total_fen"] += r["amount_fen"]
    for r in conn.execute(
        select(land_shares)
        .where(and_(land_shares.c.joint_code == joint, land_shares.c.date <= as_of))
        .order_by(land_shares.c.position)
    ).mappings():
        start = r["date"]
        end = add_years(start, r["term_years"])  # total: 02-29 + 1 year = 02-28
        if as_of < end:
            row(r["village_code"])["land"].append(
                {
                    "date": start,
                    "mu": r["mu"],
                    "grade": r["grade"],
                    "basis": plain_decimal(Decimal(r["mu"]) * Decimal(r["grade"])),
                    "value_per_mu": amount_str(from_fen(r["value_per_mu_fen"])),
                    "term_years": r["term_years"],
                    "until": end,
                }
            )
    total_fen = sum(v["capital_total_fen"] for v in villages.values())
    out = []
    for code in sorted(villages):
        v = villages[code]
        land_basis = sum((Decimal(x["basis"]) for x in v["land"]), Decimal(0))
        out.append(
            {
                "village": code,
                "capital": {
                    p: {"name": PROGRAMMES.get(p, p), "amount": amount_str(from_fen(f))}
                    for p, f in sorted(v["capital"].items())
                },
                "capital_total": amount_str(from_fen(v["capital_total_fen"])),
                "capital_share": (
                    f"{Decimal(v['capital_total_fen']) * 100 / total_fen:.4f}"
                    if total_fen
                    else "0.0000"
                ),
                "land": v["land"],
                "land_basis": plain_decimal(land_basis),
            }
        )
    grant_rows = [
        {
            "programme": r["programme"],
            "name": PROGRAMMES.get(r["programme"], r["programme"]),
            "date": r["date"],
            "amount": amount_str(from_fen(r["amount_fen"])),
            "entry": r["entry_number"],
        }
        for r in conn.execute(
            select(grants)
            .where(and_(grants.c.joint_code == joint, grants.c.date <= as_of))
            .order_by(grants.c.date, grants.c.entry_number)
        ).mappings()
    ]
    return {
        "joint_entity": joint,
        "as_of": as_of,
        "capital_total": amount_str(from_fen(total_fen)),
        "villages": out,
        "grants": grant_rows,
    }


def agreement_status(conn: Connection, code: str, today: datetime.date) -> dict[str, Any] | None:
    """Terms and, per year of the agreement, what is due, declared, received and in arrears.

    Due for a year is the larger of the guaranteed minimum (保底) and what was declared;
    outstanding is due − received; it is in arrears once that year's payment day has passed.
    """
    terms = conn.execute(select(agreements).where(agreements.c.code == code)).mappings().first()
    if terms is None:
        return None
    payments: dict[int, dict[str, int]] = {}
    for r in conn.execute(
        select(agreement_payments).where(agreement_payments.c.agreement_code == code)
    ).mappings():
        year = payments.setdefault(r["year"], {"declared": 0, "received": 0})
        year[r["kind"]] += r["amount_fen"]
    invested = from_fen(terms["invested_fen"])
    guarantee_value = Decimal(terms["guarantee_value"])
    guaranteed = (
        percent_of(invested, guarantee_value)
        if terms["guarantee_kind"] == "percent"
        else from_fen(int(guarantee_value * 100))
    )
    years = []
    for year in range(terms["start_year"], terms["start_year"] + terms["years"]):
        declared = from_fen(payments.get(year, {}).get("declared", 0))
        received = from_fen(payments.get(year, {}).get("received", 0))
        due = max(guaranteed, declared)
        outstanding = due - received if due > received else ZERO
        payment_day = day_in_year(year, terms["payment_due"])  # 02-29 → 02-28 in common years
        years.append(
            {
                "year": year,
                "payment_due": payment_day,
                "guaranteed": amount_str(guaranteed),
                "declared": amount_str(declared),
                "received": amount_str(received),
                "due": amount_str(due),
                "outstanding": amount_str(outstanding),
                "in_arrears": amount_str(outstanding if today > payment_day else ZERO),
            }
        )
    return {
        "code": terms["code"],
        "alliance_code": terms["alliance_code"],
        "joint_entity_code": terms["joint_entity_code"],
        "enterprise_code": terms["enterprise_code"],
        "signed_on": terms["signed_on"],
        "start_year": terms["start_year"],
        "years": terms["years"],
        "invested_capital": amount_str(invested),
        "guarantee": {"kind": terms["guarantee_kind"], "value": terms["guarantee_value"]},
        "profit_share_percent": terms["profit_share_percent"],
        "payment_due": terms["payment_due"],
        "by_year": years,
    }


def list_agreements(conn: Connection) -> list[str]:
    return list(conn.execute(select(agreements.c.code).order_by(agreements.c.code)).scalars())


def member_register(conn: Connection, village: str, as_of: datetime.date) -> dict[str, Any] | None:
    """Households and members with the shares in force on ``as_of``; ID numbers masked."""
    register = (
        conn.execute(select(registers).where(registers.c.village_code == village))
        .mappings()
        .first()
    )
    if register is None:
        return None
    kinds: list[str] = json.loads(register["share_kinds"])
    shares: dict[str, dict[str, str]] = {}
    for r in conn.execute(
        select(member_shares)
        .where(and_(member_shares.c.village_code == village, member_shares.c.effective <= as_of))
        .order_by(member_shares.c.effective, member_shares.c.position)
    ).mappings():
        shares[r["member"]] = json.loads(r["shares"])
    out: dict[str, dict[str, Any]] = {}
    for h in conn.execute(
        select(households).where(households.c.village_code == village).order_by(households.c.number)
    ).mappings():
        out[h["number"]] = {
            "number": h["number"],
            "head": h["head"],
            "registered_on": h["registered_on"],
            "members": [],
            "shares": {k: "0" for k in kinds},
            "total_shares": "0",
        }
    for m in conn.execute(
        select(members).where(members.c.village_code == village).order_by(members.c.number)
    ).mappings():
        current = m["joined_on"] <= as_of and (m["left_on"] is None or m["left_on"] > as_of)
        held = shares.get(m["number"], {}) if current else {}
        household = out[m["household"]]
        household["members"].append(
            {
                "number": m["number"],
                "name": m["name"],
                # the view keeps the masked form (older stores the full number: mask again)
                "id_number": m["id_number"]
                if m["id_number"] == FORGOTTEN
                else mask_id_number(m["id_number"]),
                "forgotten": m["id_number"] == FORGOTTEN,
                "joined_on": m["joined_on"],
                "left_on": m["left_on"],
                "current": current,
                "shares": held,
            }
        )
        for kind, units in held.items():
            household["shares"][kind] = _add(household["shares"].get(kind, "0"), units)
            household["total_shares"] = _add(household["total_shares"], units)
    return {
        "village": village,
        "as_of": as_of,
        "share_kinds": kinds,
        "households": list(out.values()),
    }


def _add(a: str, b: str) -> str:
    return plain_decimal(Decimal(a) + Decimal(b))


def plan(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(select(plans).where(plans.c.code == code)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["rule"] = json.loads(found["rule"])
    found["result"] = json.loads(found["result"])
    found["deduction_accounts"] = json.loads(found["deduction_accounts"])
    found["amount"] = amount_str(from_fen(found.pop("amount_fen")))
    found["distributable"] = amount_str(from_fen(found.pop("distributable_fen")))
    found.pop("aggregate_id")
    asked = (
        conn.execute(select(plan_requests).where(plan_requests.c.plan_code == code))
        .mappings()
        .first()
    )
    if asked is not None:  # (absent for a plan nobody asked to execute)
        found["execution_request"] = {"on": asked["requested_on"], "actor": asked["actor"]}
    found["steps"] = [
        dict(r)
        for r in conn.execute(
            select(plan_steps)
            .where(plan_steps.c.plan_code == code)
            .order_by(plan_steps.c.position, plan_steps.c.step)
        ).mappings()
    ]
    found["lines"] = [
        {
            "code": r["party"],
            "name": r["name"],
            "tiers": json.loads(r["tiers"]),
            "adjustment": amount_str(from_fen(r["adjustment_fen"])),
            "total": amount_str(from_fen(r["total_fen"])),
        }
        for r in conn.execute(
            select(plan_lines).where(plan_lines.c.plan_code == code).order_by(plan_lines.c.party)
        ).mappings()
    ]
    found["entries"] = [
        {"entity": r["entity_code"], "number": r["number"], "kind": r["kind"]}
        for r in conn.execute(
            select(plan_entries)
            .where(plan_entries.c.plan_code == code)
            .order_by(plan_entries.c.kind, plan_entries.c.entity_code, plan_entries.c.number)
        ).mappings()
    ]
    return found


def plan_comparisons_of(conn: Connection, code: str) -> list[dict[str, Any]]:
    """The comparisons attached to a plan, in order, with their content."""
    return [
        {**dict(r), "content": json.loads(r["content"])}
        for r in conn.execute(
            select(plan_comparisons)
            .where(plan_comparisons.c.plan_code == code)
            .order_by(plan_comparisons.c.number)
        ).mappings()
    ]


def public_plan_codes(conn: Connection) -> set[str]:
    """Plans whose resolution has been made public (决议公开): only these are public."""
    return set(
        conn.execute(
            select(plan_steps.c.plan_code).where(plan_steps.c.step == "决议公开")
        ).scalars()
    )


def list_plans(conn: Connection) -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "title": r["title"],
            "scope": r["scope"],
            "payer": r["payer"],
            "period": r["period"],
            "state": r["state"],
            "amount": amount_str(from_fen(r["amount_fen"])),
        }
        for r in conn.execute(select(plans).order_by(plans.c.code)).mappings()
    ]
