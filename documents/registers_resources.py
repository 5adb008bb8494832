"""The facts the 资源 and 经济合同 pages print, and the 三公开 parts 各类资源 and 经济合同.

Read from ``projections.resources_queries``; the workbench's pages, the API's answers, the
public page of a resource (its QR 身份证) and the disclosure sheet print these.

Decisions:

- **What a contract's figures mean** (as of a day): 应收/应付 (``due``) the instalments due on or
  before it that still count (a closed contract's later ones do not); 已收/已付 (``received``)
  everything received (paid) under it; 未收/未付 (``outstanding``) what every counted instalment
  still lacks, due or not; 逾期 (``overdue``) what fell due before the day and is still lacking.
- **Idle** (闲置): a resource in the register, kept for letting (``use`` contracting), with no
  contract in force that day.
- **Public** (the QR page, the 三公开 parts): a natural person is named masked (张*国), an ID
  number never appears, entry numbers and who recorded what are left out; an organisation is
  named in full.
- **三公开 parts** (财务公开规定 2011, 各类资源 and 经济合同), for a book and a period: every
  resource in the register at the period's end, by group (土地, 林木, 水域, 四荒地, 其他), with
  what changed during the period and who holds it under contract; every contract in force at
  some day of the period or signed in it, with what fell due and what was received during the
  period and the arrears at its end (due through the end less received through the end).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from moneyed import Money
from sqlalchemy import Connection

from domain.contracts import DIRECTIONS, KINDS, PARTIES, STATUSES, SUBJECTS
from domain.periods import Period
from domain.privacy import mask_name
from domain.resources import GROUP_ORDER, GROUPS, SIDES, UNITS, USES
from domain.resources import KINDS as RESOURCE_KINDS
from domain.resources import STATUSES as RESOURCE_STATUSES
from ledger.money import ZERO, amount_str, from_fen
from projections import queries
from projections import resources_queries as q

CHANGES = {"registered": "登记", "changed": "变更", "retired": "注销"}


def area_text(area: str, unit: str) -> str:
    """``120.5 亩``: the area as written, with its unit in Chinese."""
    shown = f"{Decimal(area):f}"
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return f"{shown} {UNITS.get(unit, unit)}"


def party_shown(row: dict[str, Any], *, public: bool) -> str:
    """The counterparty as a page names it: a natural person masked where it is public."""
    if public and row["party_kind"] == "person":
        return mask_name(row["party_name"])
    return str(row["party_name"])


def status_words(row: dict[str, Any], today: datetime.date) -> str:
    """履行中, 未开始, 期满未办结 (its term has run and it was not ended), 已到期终止, 已解除."""
    if row["status"] != "in-force":
        return STATUSES[row["status"]]
    if today < row["start_on"]:
        return "未开始"
    if today > row["end_on"]:
        return "期满未办结"
    return STATUSES["in-force"]


def is_in_force(row: dict[str, Any], day: datetime.date) -> bool:
    closed = row.get("closed_on")
    return row["start_on"] <= day <= row["end_on"] and (closed is None or day <= closed)


def contract_facts(
    row: dict[str, Any],
    instalments: list[dict[str, Any]],
    today: datetime.date,
    *,
    public: bool = False,
) -> dict[str, Any]:
    """A contract as its lines print it (see the module's decisions)."""
    counted = [i for i in instalments if i["counts"]]
    due = sum(i["amount_fen"] for i in counted if i["due_on"] <= today)
    outstanding = sum(i["amount_fen"] - i["settled_fen"] for i in counted)
    overdue = sum(i["amount_fen"] - i["settled_fen"] for i in counted if i["due_on"] < today)
    coming = [i for i in counted if i["amount_fen"] > i["settled_fen"] and i["due_on"] >= today]
    words = "收" if row["direction"] == "receivable" else "付"
    facts: dict[str, Any] = {
        "entity": row["entity"],
        "code": row["code"],
        "title": row["title"],
        "kind": row["kind"],
        "kind_name": KINDS.get(row["kind"], row["kind"]),
        "direction": row["direction"],
        "direction_name": DIRECTIONS.get(row["direction"], row["direction"]),
        "words": words,
        "party_kind": row["party_kind"],
        "party_kind_name": PARTIES.get(row["party_kind"], row["party_kind"]),
        "party": party_shown(row, public=public),
        "subject_kind": row["subject_kind"],
        "subject_name": SUBJECTS.get(row["subject_kind"], row["subject_kind"]),
        "subject_code": row["subject_code"],
        "area": row["area"],
        "start": row["start_on"],
        "end": row["end_on"],
        "signed_on": row["signed_on"],
        "status": row["status"],
        "status_name": status_words(row, today),
        "closed_on": row["closed_on"],
        "in_force": is_in_force(row, today),
        "total": from_fen(sum(i["amount_fen"] for i in counted)),
        "due": from_fen(due),
        "received": from_fen(sum(i["settled_fen"] for i in instalments)),
        "outstanding": from_fen(outstanding),
        "overdue": from_fen(overdue),
        "next_due": (
            {
                "due_on": coming[0]["due_on"],
                "amount": from_fen(coming[0]["amount_fen"] - coming[0]["settled_fen"]),
            }
            if coming
            else None
        ),
    }
    if not public:
        facts.update(
            party_id=row["party_id"],
            party_code=row["party_code"],
            reason=row["reason"] or "",
        )
    return facts


def _contracts(
    conn: Connection, rows: list[dict[str, Any]], today: datetime.date, *, public: bool = False
) -> list[dict[str, Any]]:
    keys = [(r["entity"], r["code"]) for r in rows]
    schedules = q.instalments_of(conn, keys)
    return [
        contract_facts(r, schedules[(r["entity"], r["code"])], today, public=public) for r in rows
    ]


def resource_facts(
    row: dict[str, Any], on_it: list[dict[str, Any]], today: datetime.date
) -> dict[str, Any]:
    """A resource as its lines print it, with the contracts on it (facts) and whether it is
    idle."""
    running = [c for c in on_it if c["in_force"]]
    return {
        **row,
        "kind_name": RESOURCE_KINDS.get(row["kind"], row["kind"]),
        "group": GROUPS.get(row["kind"], "其他"),
        "area_text": area_text(row["area"], row["unit"]),
        "unit_name": UNITS.get(row["unit"], row["unit"]),
        "use_name": USES.get(row["use"], row["use"]),
        "status_name": RESOURCE_STATUSES.get(row["status"], row["status"]),
        "sides": [(SIDES[s], row["boundaries"][s]) for s in SIDES if s in row["boundaries"]],
        "contracts": on_it,
        "running": running,
        "idle": row["status"] == "active" and row["use"] == "contracting" and not running,
    }


def resource_register(
    conn: Connection, codes: list[str] | None, today: datetime.date
) -> list[dict[str, Any]]:
    """The resources of the books ``codes`` (None: all), each with its contracts."""
    rows = q.resource_rows(conn, codes)
    on: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in _contracts(
        conn, [c for c in q.contract_rows(conn, codes) if c["subject_kind"] == "resource"], today
    ):
        on.setdefault((c["entity"], c["subject_code"]), []).append(c)
    return [resource_facts(r, on.get((r["entity"], r["code"]), []), today) for r in rows]


def resource_card(
    conn: Connection, entity: str, code: str, today: datetime.date
) -> dict[str, Any] | None:
    """One resource: its facts, its history, its land shares and its contracts."""
    row = q.resource_row(conn, entity, code)
    if row is None:
        return None
    on_it = _contracts(conn, q.contract_rows(conn, [entity], subject=("resource", code)), today)
    card = resource_facts(row, on_it, today)
    card["history"] = [
        {**h, "what_name": CHANGES.get(h["what"], h["what"])}
        for h in q.resource_history(conn, entity, code)
    ]
    card["land_shares"] = q.land_shares_of(conn, entity, code)
    return card


def contract_register(
    conn: Connection, codes: list[str] | None, today: datetime.date
) -> dict[str, Any]:
    """The contracts of the books ``codes`` (None: all), with totals by direction."""
    lines = _contracts(conn, q.contract_rows(conn, codes), today)
    totals = {}
    for direction in DIRECTIONS:
        mine = [c for c in lines if c["direction"] == direction]
        totals[direction] = {
            what: sum((c[what] for c in mine), ZERO)
            for what in ("total", "due", "received", "outstanding", "overdue")
        }
    return {"contracts": lines, "totals": totals}


def contract_card(
    conn: Connection, entity: str, code: str, today: datetime.date
) -> dict[str, Any] | None:
    """One contract: its facts, each instalment (due, settled, lacking, overdue) and each
    receipt (payment)."""
    row = q.contract_row(conn, entity, code)
    if row is None:
        return None
    schedule = q.instalments_of(conn, [(entity, code)])[(entity, code)]
    card = contract_facts(row, schedule, today)
    card["instalments"] = [
        {
            "due_on": i["due_on"],
            "amount": from_fen(i["amount_fen"]),
            "settled": from_fen(i["settled_fen"]),
            "lacking": from_fen(i["amount_fen"] - i["settled_fen"]),
            "counts": i["counts"],
            "overdue": i["counts"] and i["due_on"] < today and i["amount_fen"] > i["settled_fen"],
        }
        for i in schedule
    ]
    card["payments"] = [
        {**p, "amount": from_fen(p["amount_fen"])} for p in q.payments_of(conn, entity, code)
    ]
    if row["subject_kind"] == "resource":
        resource = q.resource_row(conn, entity, row["subject_code"])
        card["resource"] = resource
        if resource is not None and row["area"]:
            card["area_text"] = area_text(row["area"], resource["unit"])
    return card


# -- public: the QR 身份证 of a resource --------------------------------------------------------


def public_resource(conn: Connection, label: str, today: datetime.date) -> dict[str, Any] | None:
    """What the public page of the resource with label ``label`` shows (masked: see the
    module's decisions), or None for a label no resource has."""
    row = q.resource_by_label(conn, label)
    if row is None:
        return None
    entity, code = row["entity"], row["code"]
    on_it = _contracts(
        conn, q.contract_rows(conn, [entity], subject=("resource", code)), today, public=True
    )
    card = resource_facts(row, on_it, today)
    books = queries.entity(conn, entity) or {}
    return {
        "code": code,
        "name": card["name"],
        "kind_name": card["kind_name"],
        "group": card["group"],
        "area_text": card["area_text"],
        "unit_name": card["unit_name"],
        "location": card["location"],
        "sides": card["sides"],
        "certificates": [
            {k: c[k] for k in ("name", "number", "issuer", "issued_on")}
            for c in card["certificates"]
        ],
        "use_name": card["use_name"],
        "status_name": card["status_name"],
        "retired_on": card["retired_on"],
        "idle": card["idle"],
        "entity_name": books.get("name", entity),
        "township": row["township"],
        "contracts": [
            {
                k: c[k]
                for k in (
                    "title",
                    "kind_name",
                    "party",
                    "area",
                    "start",
                    "end",
                    "status_name",
                    "in_force",
                    "words",
                    "total",
                    "due",
                    "received",
                    "overdue",
                )
            }
            for c in sorted(on_it, key=lambda c: (c["start"], c["code"]), reverse=True)
        ],
        "today": today,
    }


# -- 三公开: 各类资源 and 经济合同 ---------------------------------------------------------------


def _yuan(fen: int | Money) -> str:
    return amount_str(fen if isinstance(fen, Money) else from_fen(fen))


def resources_part(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """各类资源 of ``entity`` for ``period``: the register at the period's end by group, what
    changed during it, and who holds each under contract at its end (masked)."""
    end = period.end
    rows = [
        r
        for r in q.resource_rows(conn, [entity])
        if r["registered_on"] <= end
        and (r["retired_on"] is None or r["retired_on"] >= period.start)
    ]
    holders: dict[str, list[str]] = {}
    for c in q.contract_rows(conn, [entity]):
        if c["subject_kind"] == "resource" and is_in_force(c, end):
            holders.setdefault(c["subject_code"], []).append(party_shown(c, public=True))
    changes: dict[str, list[dict[str, str]]] = {}
    for h in q.resource_history(conn, entity, first=period.start, last=end):
        changes.setdefault(h["code"], []).append(
            {
                "date": h["date"].isoformat(),
                "what": CHANGES.get(h["what"], h["what"]),
                "area": area_text(h["area"], _unit(rows, h["code"])),
                "reason": h["reason"],
            }
        )
    groups = []
    for group in GROUP_ORDER:
        mine = [r for r in rows if GROUPS.get(r["kind"], "其他") == group]
        if not mine:
            continue
        areas: dict[str, Decimal] = {}
        for r in mine:
            if r["retired_on"] is None or r["retired_on"] > end:
                areas[r["unit"]] = areas.get(r["unit"], Decimal(0)) + Decimal(r["area"])
        groups.append(
            {
                "group": group,
                "total": "，".join(area_text(str(a), u) for u, a in sorted(areas.items())),
                "resources": [
                    {
                        "code": r["code"],
                        "name": r["name"],
                        "kind": RESOURCE_KINDS.get(r["kind"], r["kind"]),
                        "area": area_text(r["area"], r["unit"]),
                        "location": r["location"],
                        "use": USES.get(r["use"], r["use"]),
                        "status": "已注销"
                        if r["retired_on"] and r["retired_on"] <= end
                        else "在册",
                        "holders": holders.get(r["code"], []),
                        "changes": changes.get(r["code"], []),
                    }
                    for r in mine
                ],
            }
        )
    return {"period": period.text, "groups": groups}


def _unit(rows: list[dict[str, Any]], code: str) -> str:
    return next((r["unit"] for r in rows if r["code"] == code), "mu")


def contracts_part(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """经济合同 of ``entity`` for ``period`` (see the module's decisions), amounts as strings,
    with totals by direction."""
    first, end = period.start, period.end
    rows = [
        c
        for c in q.contract_rows(conn, [entity])
        if (c["start_on"] <= end and _last_day(c) >= first) or first <= c["signed_on"] <= end
    ]
    schedules = q.instalments_of(conn, [(c["entity"], c["code"]) for c in rows])
    in_period = q.received_between(conn, entity, first, end)
    to_end = q.received_between(conn, entity, datetime.date(1900, 1, 1), end)
    lines = []
    totals: dict[str, dict[str, int]] = {}
    for c in rows:
        counted = [i for i in schedules[(c["entity"], c["code"])] if i["counts"]]
        due_in = sum(i["amount_fen"] for i in counted if first <= i["due_on"] <= end)
        due_to_end = sum(i["amount_fen"] for i in counted if i["due_on"] <= end)
        received = in_period.get(c["code"], 0)
        arrears = max(0, due_to_end - to_end.get(c["code"], 0))
        figures = {
            "total": sum(i["amount_fen"] for i in counted),
            "due": due_in,
            "received": received,
            "arrears": arrears,
        }
        sums = totals.setdefault(c["direction"], dict.fromkeys(figures, 0))
        for what, fen in figures.items():
            sums[what] += fen
        lines.append(
            {
                "code": c["code"],
                "title": c["title"],
                "kind": KINDS.get(c["kind"], c["kind"]),
                "direction": DIRECTIONS.get(c["direction"], c["direction"]),
                "party": party_shown(c, public=True),
                "subject": SUBJECTS.get(c["subject_kind"], c["subject_kind"])
                + (f" {c['subject_code']}" if c["subject_code"] else ""),
                "start": c["start_on"].isoformat(),
                "end": c["end_on"].isoformat(),
                "signed_on": c["signed_on"].isoformat(),
                "status": status_words(c, end),
                **{what: _yuan(fen) for what, fen in figures.items()},
            }
        )
    return {
        "period": period.text,
        "contracts": lines,
        "totals": {
            DIRECTIONS[d]: {what: _yuan(fen) for what, fen in sums.items()}
            for d, sums in sorted(totals.items())
        },
    }


def _last_day(c: dict[str, Any]) -> datetime.date:
    closed = c["closed_on"]
    return closed if closed is not None and closed < c["end_on"] else c["end_on"]


def disclosure_parts(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """The 三公开 parts 各类资源 and 经济合同 of ``entity`` for ``period``, as a sheet's content
    holds them (plain JSON-shaped values, masked): what the sheet helper adds to the sheet."""
    return {
        "resources": resources_part(conn, entity, period),
        "contracts": contracts_part(conn, entity, period),
    }
