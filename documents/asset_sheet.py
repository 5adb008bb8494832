"""The 三资 parts of a disclosure sheet (三公开), from the ``assets`` read model:

- ``asset_register`` (资产, 2011 规定's 资产 group): the asset list of the books with the
  period's changes (added, disposed of), 原值 / 累计折旧 / 净值 at the period's end by category,
  each card's owners and shares, who leases it and the rent received in the period;
- ``projects`` (the books' own projects, on a joint entity's sheet the 联建项目): each project's
  budget, cost to date and progress, its funding, and each village's share — what it invested,
  its ownership share, and its part of the period's depreciation, income and result (each total
  split by the recorded shares, as ``projections.project_queries.project_statement`` does, so a
  village's result is what a distribution by ownership gives it);
- ``project_shares`` (a village's sheet): its shares of the projects of other books (the joint
  entity's) it funded or owns, with the same figures;
- ``resources`` and ``contracts`` (各类资源 and 经济合同, the 2011 规定's groups): the parts the
  registers give (``documents.registers_resources.disclosure_parts``: resources by group with the
  period's changes and holders, contracts with what fell due and was received in the period and
  the arrears at its end).

Each part is in a sheet's content only when there is something to show (a card held in the
period, a project planned by its end, a share), so sheets of books without 三资 — every sheet
published before 三资 existed among them — keep their content and digest (no new layout).

Public: a lessee is named in full when it is an organisation the service knows (an enterprise
of an alliance, a village or joint entity), else masked as a household head is (张*明); the
card's user, contracts and ID numbers never enter the content.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from documents.asset_facts import (
    cards_of,
    day_of,
    funding_source,
    names_of,
    projects_of,
    projects_owned_by,
    yuan,
)
from documents.asset_tables import asset_rows, owners_list
from documents.registers_resources import disclosure_parts
from domain.periods import Period
from domain.privacy import mask_name
from projections.assets_queries import percent
from projections.assets_view import projects
from projections.project_queries import project_statement
from projections.tables import enterprises


def _organisations(conn: Connection, names: dict[str, str]) -> set[str]:
    known = set(names.values())
    known.update(str(n) for n in conn.execute(select(enterprises.c.name)).scalars())
    return known


def _asset_register(conn: Connection, entity: str, period: Period) -> dict[str, Any] | None:
    names = names_of(conn)
    rows, totals = asset_rows(cards_of(conn, entity), period, names)
    if not rows:
        return None
    public = _organisations(conn, names)
    cards = []
    for r in rows:
        lessee = r["lessee"]
        cards.append(
            {
                key: r[key]
                for key in (
                    "number",
                    "name",
                    "category_zh",
                    "location",
                    "acquired_on",
                    "acquisition_zh",
                    "original",
                    "accumulated",
                    "net",
                    "status",
                    "rent",
                    "changes",
                )
            }
            | {
                "lessee": None
                if lessee is None
                else lessee
                if lessee in public
                else mask_name(lessee),
                "owners": [{"name": o["name"], "percent": o["percent"]} for o in r["owners"]],
            }
        )
    sums = {
        key: sum(t[key] for t in totals.values())
        for key in ("start", "added", "disposed", "end", "accumulated", "net")
    }
    return {
        "cards": cards,
        "categories": [
            {"category_zh": category, **{k: yuan(v) for k, v in t.items()}}
            for category, t in totals.items()
        ],
        "total": {k: yuan(v) for k, v in sums.items()},
    }


def _project(conn: Connection, p: Any, period: Period, names: dict[str, str]) -> dict[str, Any]:
    end = period.end
    done = p.completed_on is not None and p.completed_on <= end
    budget = sum(fen for _, fen in p.budget)
    cost = p.cost_to(end)
    invested: dict[str, int] = {}
    for s in p.funding:
        if s["kind"] == "capital":
            invested[s["source"]] = invested.get(s["source"], 0) + int(s["amount_fen"])
    totals = (project_statement(conn, p.code, period.text) if done else None) or {}
    figures = {o["owner"]: o for o in totals.get("owners", [])}
    villages = []
    for owner in sorted(set(invested) | (set(p.owners) if done else set())):
        line = figures.get(owner, {})
        share = p.owners.get(owner) if done else None
        villages.append(
            {
                "code": owner,
                "name": names.get(owner, owner),
                "invested": yuan(invested.get(owner, 0)),
                "share": share,
                "percent": owners_list({owner: share}, names)[0]["percent"] if share else "",
                "depreciated": line.get("depreciated", "0.00"),
                "earned": line.get("earned", "0.00"),
                "result": line.get("result", "0.00"),
            }
        )
    return {
        "code": p.code,
        "name": p.row["name"],
        "entity": p.row["entity"],
        "entity_name": names.get(p.row["entity"], p.row["entity"]),
        "kind_zh": p.kind_zh(),
        "state_zh": p.state_on(end),
        "completed_on": p.completed_on.isoformat() if done and p.completed_on else None,
        "budget": yuan(budget),
        "cost": yuan(cost),
        "progress": percent(cost, budget),
        "funding": [
            {"kind": s["kind"], "source": funding_source(s, names), "amount": yuan(s["amount_fen"])}
            for s in p.funding
        ],
        "depreciated": totals.get("depreciated", "0.00"),
        "earned": totals.get("earned", "0.00"),
        "result": totals.get("result", "0.00"),
        "villages": villages,
    }


def _projects(conn: Connection, entity: str, period: Period) -> list[dict[str, Any]]:
    names = names_of(conn)
    return [
        _project(conn, p, period, names)
        for p in projects_of(conn, entity)
        if day_of(p.row["planned_on"]) <= period.end and p.row["state"] != "rejected"
    ]


def _shares(conn: Connection, village: str, period: Period) -> list[dict[str, Any]]:
    """The projects of other books ``village`` funds or owns, with its own line of each."""
    names = names_of(conn)
    out = []
    for code in projects_owned_by(conn, village):
        entity = conn.execute(select(projects.c.entity).where(projects.c.code == code)).scalar()
        found = [p for p in projects_of(conn, str(entity)) if p.code == code]
        if not found or day_of(found[0].row["planned_on"]) > period.end:
            continue
        if found[0].row["state"] == "rejected":
            continue
        project = _project(conn, found[0], period, names)
        mine = [v for v in project["villages"] if v["code"] == village]
        if mine:
            out.append({**{k: v for k, v in project.items() if k != "villages"}, "mine": mine[0]})
    return out


def asset_parts(conn: Connection, entity: str, period: Period) -> dict[str, Any]:
    """The 三资 parts of ``entity``'s sheet for ``period`` that have something to show (see the
    module docstring): ``asset_register``, ``projects``, ``project_shares``, ``resources``,
    ``contracts``."""
    parts: dict[str, Any] = {}
    register = _asset_register(conn, entity, period)
    if register is not None:
        parts["asset_register"] = register
    own = _projects(conn, entity, period)
    if own:
        parts["projects"] = own
    shares = _shares(conn, entity, period)
    if shares:
        parts["project_shares"] = shares
    registers = disclosure_parts(conn, entity, period)  # 各类资源, 经济合同 (their registers')
    if registers["resources"]["groups"]:
        parts["resources"] = registers["resources"]
    if registers["contracts"]["contracts"]:
        parts["contracts"] = registers["contracts"]
    return parts
