"""What the 三资 documents read of one set of books, once, from the ``assets`` read model
(``projections.assets_view``) and the ledger: its cards with their months, owners, leases and
rent; its projects with their budget, funding, costs and income; the books' balances at the end
of a month. Plain values in whole fen; ``documents.asset_tables`` (the clerk's tables) and
``documents.asset_sheet`` (the 三公开 parts) make them into pages.

A card's state at a day: it **exists** from the day it came (``acquired_on``) until the day it
was disposed of (清理: its 原值 and 累计折旧 leave the books that day); its **accumulated
depreciation** at the end of a month is what it came with (``opening``) and every month run up
to that month (a run is dated the month's last day).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from domain.assets.vocabulary import ACQUISITIONS, CATEGORIES, DISPOSALS, METHOD_ZH, USES
from domain.periods import Period
from domain.programmes import PROGRAMMES
from domain.projects import FUNDING_KINDS, KINDS, STATE_ZH
from ledger.money import fen_text
from projections.assets_view import (
    asset_cards,
    asset_owners,
    depreciation,
    depreciation_owners,
    depreciation_runs,
    leases,
    project_budget,
    project_costs,
    project_funding,
    project_income,
    project_income_owners,
    project_owners,
    projects,
    rents,
)
from projections.tables import account_months, entities, opening_balances


def yuan(fen: int) -> str:
    """Whole fen as the JSON amounts are written (``"1234.50"``)."""
    return fen_text(fen)


def percent_text(share: str) -> str:
    """A share (``"0.45"``) as a percentage (``"45%"``; ``"33.3333%"`` as exact as given)."""
    value = (Decimal(share) * 100).normalize()
    return f"{value:f}%"


@dataclass
class Card:
    """One card of the books, with everything recorded on it (fen)."""

    row: dict[str, Any]
    shares: dict[str, str] = field(default_factory=dict)
    months: dict[str, int] = field(default_factory=dict)  # month → fen
    owner_months: dict[str, dict[str, int]] = field(default_factory=dict)  # month → owner → fen
    leases: list[dict[str, Any]] = field(default_factory=list)
    rents: list[dict[str, Any]] = field(default_factory=list)  # date, amount_fen, lease

    @property
    def number(self) -> str:
        return str(self.row["number"])

    @property
    def original(self) -> int:
        return int(self.row["original_fen"])

    @property
    def acquired_on(self) -> datetime.date:
        return day_of(self.row["acquired_on"])

    @property
    def disposed_on(self) -> datetime.date | None:
        found = self.row["disposed_on"]
        return None if found is None else day_of(found)

    def exists_on(self, day: datetime.date) -> bool:
        """Held on ``day`` (at its end): came on or before it, not disposed of by then."""
        gone = self.disposed_on
        return self.acquired_on <= day and (gone is None or gone > day)

    def accumulated_to(self, month: str) -> int:
        """累计折旧 at the end of ``month`` (what it came with and every month since)."""
        return int(self.row["opening_fen"]) + sum(
            fen for m, fen in self.months.items() if m <= month
        )

    def depreciated_in(self, first: str, last: str) -> int:
        return sum(fen for m, fen in self.months.items() if first <= m <= last)

    def owners_in(self, first: str, last: str) -> dict[str, int]:
        """Each owner's share of the months ``first`` … ``last`` as each month recorded it."""
        parts: dict[str, int] = {}
        for month, owners in self.owner_months.items():
            if first <= month <= last:
                for owner, fen in owners.items():
                    parts[owner] = parts.get(owner, 0) + fen
        return dict(sorted(parts.items()))

    def rent_between(self, start: datetime.date, end: datetime.date) -> int:
        return sum(r["amount_fen"] for r in self.rents if start <= r["date"] <= end)

    def lessee_on(self, day: datetime.date) -> str | None:
        """Who leases it on ``day`` (a lease in force that day), else None."""
        for lease in self.leases:
            if day_of(lease["start"]) <= day <= day_of(lease["end"]):
                return str(lease["lessee"])
        return None

    def words(self) -> dict[str, str]:
        """Its terms in words: category, acquisition, method, use, disposal."""
        row = self.row
        category = CATEGORIES.get(row["category"])
        return {
            "category_zh": category.zh if category else str(row["category"]),
            "wear": category.wear if category else "",
            "acquisition_zh": ACQUISITIONS.get(row["acquisition"], (None, row["acquisition"]))[1],
            "method_zh": METHOD_ZH.get(row["method"], row["method"]),
            "use_zh": USES.get(row["use"], ("", row["use"]))[1],
            "disposal_zh": DISPOSALS.get(row["disposal_kind"] or "", row["disposal_kind"] or ""),
        }


def day_of(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def cards_of(conn: Connection, entity: str) -> list[Card]:
    """Every card of ``entity``'s books, by number, with its months, owners, leases and rent."""
    rows = list(
        conn.execute(
            select(asset_cards).where(asset_cards.c.entity == entity).order_by(asset_cards.c.number)
        ).mappings()
    )
    cards = {str(r["card_id"]): Card(dict(r)) for r in rows}
    ids = list(cards) or [""]
    for r in conn.execute(
        select(asset_owners).where(asset_owners.c.card_id.in_(ids)).order_by(asset_owners.c.owner)
    ):
        cards[r.card_id].shares[r.owner] = r.share
    for r in conn.execute(select(depreciation).where(depreciation.c.card_id.in_(ids))):
        cards[r.card_id].months[r.month] = int(r.amount_fen)
    for r in conn.execute(
        select(depreciation_owners).where(depreciation_owners.c.card_id.in_(ids))
    ):
        cards[r.card_id].owner_months.setdefault(r.month, {})[r.owner] = int(r.amount_fen)
    for r in conn.execute(
        select(leases).where(leases.c.card_id.in_(ids)).order_by(leases.c.start, leases.c.lease)
    ).mappings():
        cards[r["card_id"]].leases.append(dict(r))
    for r in conn.execute(
        select(rents).where(rents.c.card_id.in_(ids)).order_by(rents.c.date, rents.c.entry)
    ).mappings():
        cards[r["card_id"]].rents.append({**r, "date": day_of(r["date"])})
    return list(cards.values())


@dataclass
class ProjectFacts:
    """One project of the books (fen): its row, budget items, funding, costs, owners, income."""

    row: dict[str, Any]
    budget: list[tuple[str, int]] = field(default_factory=list)
    funding: list[dict[str, Any]] = field(default_factory=list)
    costs: list[dict[str, Any]] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    income: list[dict[str, Any]] = field(default_factory=list)  # with "owners": owner → fen

    @property
    def code(self) -> str:
        return str(self.row["code"])

    @property
    def completed_on(self) -> datetime.date | None:
        found = self.row["completed_on"]
        return None if found is None else day_of(found)

    def cost_to(self, day: datetime.date) -> int:
        return sum(c["amount_fen"] for c in self.costs if c["date"] <= day)

    def state_on(self, day: datetime.date) -> str:
        """在建, 已竣工 (completed by ``day``) or 已否决, in words."""
        if self.row["state"] == "rejected":
            return STATE_ZH["rejected"]
        done = self.completed_on
        return STATE_ZH["completed"] if done is not None and done <= day else STATE_ZH["planned"]

    def open_on(self, day: datetime.date) -> int:
        """What its 153 sub-account holds at the end of ``day``: its costs, until its
        completion moves them to the asset."""
        done = self.completed_on
        return 0 if done is not None and done <= day else self.cost_to(day)

    def kind_zh(self) -> str:
        return KINDS.get(self.row["kind"], self.row["kind"])


def projects_of(conn: Connection, entity: str) -> list[ProjectFacts]:
    """Every project of ``entity``'s books, by code."""
    rows = list(
        conn.execute(
            select(projects).where(projects.c.entity == entity).order_by(projects.c.code)
        ).mappings()
    )
    found = {str(r["project_id"]): ProjectFacts(dict(r)) for r in rows}
    ids = list(found) or [""]
    for r in conn.execute(
        select(project_budget)
        .where(project_budget.c.project_id.in_(ids))
        .order_by(project_budget.c.seq)
    ):
        found[r.project_id].budget.append((r.item, int(r.budget_fen)))
    for r in conn.execute(
        select(project_funding)
        .where(project_funding.c.project_id.in_(ids))
        .order_by(project_funding.c.seq)
    ).mappings():
        found[r["project_id"]].funding.append(dict(r))
    for r in conn.execute(
        select(project_costs)
        .where(project_costs.c.project_id.in_(ids))
        .order_by(project_costs.c.date, project_costs.c.entry)
    ).mappings():
        found[r["project_id"]].costs.append({**r, "date": day_of(r["date"])})
    for r in conn.execute(
        select(project_owners)
        .where(project_owners.c.project_id.in_(ids))
        .order_by(project_owners.c.owner)
    ):
        found[r.project_id].owners[r.owner] = r.share
    parts: dict[tuple[str, str], dict[str, int]] = {}
    for r in conn.execute(
        select(project_income_owners).where(project_income_owners.c.project_id.in_(ids))
    ):
        parts.setdefault((r.project_id, r.entry), {})[r.owner] = int(r.amount_fen)
    for r in conn.execute(
        select(project_income)
        .where(project_income.c.project_id.in_(ids))
        .order_by(project_income.c.date, project_income.c.entry)
    ).mappings():
        owners = dict(sorted(parts.get((r["project_id"], r["entry"]), {}).items()))
        found[r["project_id"]].income.append({**r, "date": day_of(r["date"]), "owners": owners})
    return list(found.values())


def projects_owned_by(conn: Connection, village: str) -> list[str]:
    """Codes of the projects (of other books) ``village`` owns a share of or funds, by code."""
    owned = select(project_owners.c.project_id).where(project_owners.c.owner == village)
    funds = select(project_funding.c.project_id).where(
        project_funding.c.kind == "capital", project_funding.c.source == village
    )
    query = (
        select(projects.c.code)
        .where(projects.c.project_id.in_(owned) | projects.c.project_id.in_(funds))
        .where(projects.c.entity != village)
        .order_by(projects.c.code)
    )
    return [str(c) for c in conn.execute(query).scalars()]


def runs_of(conn: Connection, entity: str, first: str, last: str) -> list[dict[str, Any]]:
    """The monthly runs of ``entity``'s books in the months ``first`` … ``last``."""
    query = (
        select(depreciation_runs)
        .where(
            depreciation_runs.c.entity == entity,
            depreciation_runs.c.month >= first,
            depreciation_runs.c.month <= last,
        )
        .order_by(depreciation_runs.c.month, depreciation_runs.c.seq)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def balances_at(conn: Connection, entity: str, last_month: str) -> dict[str, int]:
    """Each account's balance (fen, debit positive) of ``entity``'s books at the end of
    ``last_month``: its opening balances and every month's movements up to it."""
    found: dict[str, int] = {}
    for r in conn.execute(
        select(opening_balances.c.account, opening_balances.c.balance_fen).where(
            opening_balances.c.entity_code == entity
        )
    ):
        found[r.account] = found.get(r.account, 0) + int(r.balance_fen)
    net = func.sum(account_months.c.debit_fen - account_months.c.credit_fen)
    for r in conn.execute(
        select(account_months.c.account, net.label("net"))
        .where(account_months.c.entity_code == entity, account_months.c.month <= last_month)
        .group_by(account_months.c.account)
    ):
        found[r.account] = found.get(r.account, 0) + int(r.net or 0)
    return found


def under(balances: dict[str, int], prefix: str) -> int:
    """The balance of ``prefix`` and its sub-accounts (fen, debit positive)."""
    return sum(fen for account, fen in balances.items() if account.startswith(prefix))


def names_of(conn: Connection) -> dict[str, str]:
    """Every set of books' name by code (owners and contributing villages are named)."""
    return {r.code: r.name for r in conn.execute(select(entities.c.code, entities.c.name))}


def entity_row(conn: Connection, code: str) -> dict[str, Any] | None:
    found = conn.execute(select(entities).where(entities.c.code == code)).mappings().first()
    return dict(found) if found is not None else None


def funding_source(source: dict[str, Any], names: dict[str, str]) -> str:
    """A funding source in words: a village by name (and its programme), a grant by its
    programme's name, anything else as written."""
    kind, text, programme = source["kind"], str(source["source"]), source.get("programme")
    if kind == "capital":
        name = names.get(text, text)
        return (
            f"{name}（{PROGRAMMES.get(programme or '', programme or '')}）" if programme else name
        )
    if kind == "grant":
        return PROGRAMMES.get(text, text)
    return text


def funding_kind(kind: str) -> str:
    return FUNDING_KINDS.get(kind, kind)


def period_facts(period: Period) -> dict[str, str]:
    return {
        "text": period.text,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
