"""The read model ``assets`` (三资: jointly built projects and asset cards), from the events of
``domain.projects`` and ``domain.assets``; its queries are ``projections.assets_queries``.

Rows follow the events one for one, amounts in whole fen; running figures (costs to date,
accumulated depreciation, rent received) are sums of line rows taken by the queries, so every
event is an insert or a plain update:

- ``lz_projects`` one per project (its state, completion, basis of its shares), with
  ``lz_project_budget`` (item → budget), ``lz_project_funding`` (its sources),
  ``lz_project_steps`` (四议两公开), ``lz_project_costs`` (each payment, its voucher and the part
  from a grant), ``lz_project_owners`` (the recorded shares), ``lz_project_income`` (each
  income, its voucher) and ``lz_project_income_owners`` (each owner's share of it);
- ``lz_asset_cards`` one per card (its terms, status, disposal), with ``lz_asset_owners``,
  ``lz_depreciation`` (each card's month), ``lz_depreciation_owners`` (each owner's share of
  it), ``lz_depreciation_runs`` (a book's runs by month), ``lz_leases`` and ``lz_rents``.

Child rows of a card or a project are keyed by the aggregate's id (``card_id``,
``project_id``), which the parent row carries, so no event needs a lookup.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)

from projections.pages import PageWriter, Stored, dashed, data, fen
from projections.tables import metadata

projects = Table(
    "lz_projects",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("entity", String(32), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("approval_required", Integer, nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("account", String(40), nullable=False),
    Column("grant_account", String(40)),
    Column("state", String(16), nullable=False),  # planned | rejected | completed
    Column("rejection", Text),
    Column("completed_on", Date),
    Column("asset_account", String(40)),
    Column("assets", Text),  # card numbers, '\n'-separated
    Column("basis", String(16)),  # capital | agreed
    Column("completion_entries", Text),  # voucher numbers, '\n'-separated
)

project_budget = Table(
    "lz_project_budget",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("budget_fen", BigInteger, nullable=False),
)

project_funding = Table(
    "lz_project_funding",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("programme", String(32)),
    Column("amount_fen", BigInteger, nullable=False),
)

project_steps = Table(
    "lz_project_steps",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("step", String(16), primary_key=True),
    Column("date", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("details", Text, nullable=False),  # JSON: attendance, votes, assembly, note
    Column("actor", Text, nullable=False),
)

project_costs = Table(
    "lz_project_costs",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("entry", String(32), primary_key=True),
    Column("date", Date, nullable=False),
    Column("item", String(64), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("grant", String(32)),
    Column("grant_fen", BigInteger, nullable=False),
    Column("memo", Text, nullable=False),
)

project_owners = Table(
    "lz_project_owners",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("owner", String(32), primary_key=True),
    Column("share", String(24), nullable=False),
)

project_income = Table(
    "lz_project_income",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("entry", String(32), primary_key=True),
    Column("date", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("account", String(40), nullable=False),
    Column("reference", Text, nullable=False),
    Column("memo", Text, nullable=False),
)

project_income_owners = Table(
    "lz_project_income_owners",
    metadata,
    Column("project_id", String(36), primary_key=True),
    Column("entry", String(32), primary_key=True),
    Column("owner", String(32), primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
)

asset_cards = Table(
    "lz_asset_cards",
    metadata,
    Column("card_id", String(36), primary_key=True),
    Column("entity", String(32), nullable=False),
    Column("number", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("account", String(40), nullable=False),
    Column("contra", String(40)),
    Column("original_fen", BigInteger, nullable=False),
    Column("acquisition", String(16), nullable=False),
    Column("acquired_on", Date, nullable=False),
    Column("life_months", Integer, nullable=False),
    Column("residual_rate", String(24), nullable=False),
    Column("method", String(16), nullable=False),
    Column("total_units", String(24)),
    Column("use", String(16), nullable=False),
    Column("location", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("project", String(32), index=True),
    Column("entry", String(32)),
    Column("opening_fen", BigInteger, nullable=False),  # depreciated before the card was kept
    Column("opening_months", Integer, nullable=False),
    Column("start_month", String(7), nullable=False),
    Column("status", String(16), nullable=False),  # in_use | disposed
    Column("disposed_on", Date),
    Column("disposal_kind", String(16)),
    Column("proceeds_fen", BigInteger),
    Column("costs_fen", BigInteger),
    Column("net_fen", BigInteger),
    Column("result_fen", BigInteger),
    Column("disposal_entries", Text),
    UniqueConstraint("entity", "number", name="lz_asset_cards_number"),
)

asset_registers = Table(
    "lz_asset_registers",
    metadata,
    Column("register_id", String(36), primary_key=True),
    Column("entity", String(32), nullable=False, unique=True),
)

asset_owners = Table(
    "lz_asset_owners",
    metadata,
    Column("card_id", String(36), primary_key=True),
    Column("owner", String(32), primary_key=True),
    Column("share", String(24), nullable=False),
)

depreciation = Table(
    "lz_depreciation",
    metadata,
    Column("card_id", String(36), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("units", String(24)),
    Column("account", String(40), nullable=False),
    Column("entry", String(32), nullable=False),
)

depreciation_owners = Table(
    "lz_depreciation_owners",
    metadata,
    Column("card_id", String(36), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("owner", String(32), primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
)

depreciation_runs = Table(
    "lz_depreciation_runs",
    metadata,
    Column("entity", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("entry", String(32)),
    Column("total_fen", BigInteger, nullable=False),
    Column("cards", Integer, nullable=False),
)

leases = Table(
    "lz_leases",
    metadata,
    Column("card_id", String(36), primary_key=True),
    Column("lease", String(32), primary_key=True),
    Column("lessee", Text, nullable=False),
    Column("rent_fen", BigInteger, nullable=False),
    Column("every_months", Integer, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("due_day", Integer, nullable=False),
    Column("contract", String(32)),
    Column("ended_reason", Text),
)

rents = Table(
    "lz_rents",
    metadata,
    Column("card_id", String(36), primary_key=True),
    Column("entry", String(32), primary_key=True),
    Column("lease", String(32), nullable=False),
    Column("period", String(7), nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
)

ASSETS_TABLES = (
    projects,
    project_budget,
    project_funding,
    project_steps,
    project_costs,
    project_owners,
    project_income,
    project_income_owners,
    asset_cards,
    asset_registers,
    asset_owners,
    depreciation,
    depreciation_owners,
    depreciation_runs,
    leases,
    rents,
)


def _date(value: Any) -> datetime.date:
    """A stored date as a ``date``: what an update binds (the page's inserts take either)."""
    return datetime.date.fromisoformat(str(data(value)))


def _lines(values: Any) -> str:
    return "\n".join(str(v) for v in values or ())


class AssetsProjection:
    """Projects and asset cards, one statement set per event (they are few)."""

    name = "assets"
    tables = ASSETS_TABLES

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        topic = event.topic
        if topic.startswith("domain.projects:Project."):
            handler = getattr(self, "_project_" + event.name.rpartition(".")[2], None)
        elif topic.startswith("domain.assets:AssetCard."):
            handler = getattr(self, "_card_" + event.name.rpartition(".")[2], None)
        elif topic == "domain.assets:AssetRegister.DepreciationRun":
            handler = self._run
        elif topic == "domain.assets:AssetRegister.Opened":
            handler = self._register
        else:
            return
        if handler is not None:
            handler(w, event, dashed(event.originator_id), event.state)

    # -- projects -----------------------------------------------------------------------------

    def _project_Planned(self, w: PageWriter, e: Stored, pid: str, s: dict[str, Any]) -> None:
        w.insert(
            projects,
            {
                "code": s["code"],
                "project_id": pid,
                "entity": s["entity"],
                "name": s["name"],
                "kind": s["kind"],
                "approval_required": 1 if s["approval_required"] else 0,
                "planned_on": w.day(data(s["planned_on"])),
                "account": s["account"],
                "grant_account": s.get("grant_account"),
                "state": "planned",
                "rejection": None,
                "completed_on": None,
                "asset_account": None,
                "assets": None,
                "basis": None,
                "completion_entries": None,
            },
        )
        for seq, (item, amount) in enumerate(s["budget"].items()):
            w.insert(
                project_budget, {"project_id": pid, "item": item, "seq": seq, "budget_fen": amount}
            )
        for seq, source in enumerate(s["funding"]):
            w.insert(
                project_funding,
                {
                    "project_id": pid,
                    "seq": seq,
                    "kind": source["kind"],
                    "source": source["source"],
                    "programme": source.get("programme"),
                    "amount_fen": source["amount"],
                },
            )

    def _project_ApprovalStepRecorded(
        self, w: PageWriter, e: Stored, pid: str, s: dict[str, Any]
    ) -> None:
        keys = ("expected", "present", "votes_for", "votes_against", "abstentions", "assembly")
        details = {k: s.get(k) for k in (*keys, "merged", "note") if s.get(k) not in (None, "")}
        steps = [s["step"]] + (["商议"] if s["step"] == "提议" and s.get("merged") else [])
        for step in steps:
            w.insert(
                project_steps,
                {
                    "project_id": pid,
                    "step": step,
                    "date": w.day(data(s["date"])),
                    "body": s["body"],
                    "place": s["place"],
                    "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
                    "actor": s["actor"],
                },
            )

    def _project_ApprovalRejected(
        self, w: PageWriter, e: Stored, pid: str, s: dict[str, Any]
    ) -> None:
        w.update(projects, {"project_id": pid}, {"state": "rejected", "rejection": s["reason"]})

    def _project_CostRecorded(self, w: PageWriter, e: Stored, pid: str, s: dict[str, Any]) -> None:
        w.insert(
            project_costs,
            {
                "project_id": pid,
                "entry": s["entry"],
                "date": w.day(data(s["date"])),
                "item": s["item"],
                "amount_fen": fen(s["amount"]),
                "grant": s.get("grant"),
                "grant_fen": fen(s["grant_amount"]),
                "memo": s["memo"],
            },
        )

    def _project_Completed(self, w: PageWriter, e: Stored, pid: str, s: dict[str, Any]) -> None:
        w.update(
            projects,
            {"project_id": pid},
            {
                "state": "completed",
                "completed_on": _date(s["date"]),
                "asset_account": s["asset_account"],
                "assets": _lines(s["assets"]),
                "basis": s["basis"],
                "completion_entries": _lines(s["entries"]),
            },
        )
        for owner, share in s["owners"].items():
            w.insert(project_owners, {"project_id": pid, "owner": owner, "share": share})

    def _project_IncomeRecorded(
        self, w: PageWriter, e: Stored, pid: str, s: dict[str, Any]
    ) -> None:
        w.insert(
            project_income,
            {
                "project_id": pid,
                "entry": s["entry"],
                "date": w.day(data(s["date"])),
                "kind": s["kind"],
                "amount_fen": fen(s["amount"]),
                "account": s["account"],
                "reference": s["reference"],
                "memo": s["memo"],
            },
        )
        for owner, amount in s["owners"].items():
            w.insert(
                project_income_owners,
                {"project_id": pid, "entry": s["entry"], "owner": owner, "amount_fen": amount},
            )

    # -- asset cards --------------------------------------------------------------------------

    def _card_Registered(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.insert(
            asset_cards,
            {
                "entity": s["entity"],
                "number": s["number"],
                "card_id": cid,
                "name": s["name"],
                "category": s["category"],
                "account": s["account"],
                "contra": s.get("contra"),
                "original_fen": fen(s["original"]),
                "acquisition": s["acquisition"],
                "acquired_on": w.day(data(s["acquired_on"])),
                "life_months": s["life_months"],
                "residual_rate": str(data(s["residual_rate"])),
                "method": s["method"],
                "total_units": None
                if s.get("total_units") is None
                else str(data(s["total_units"])),
                "use": s["use"],
                "location": s["location"],
                "user": s["user"],
                "project": s.get("project"),
                "entry": s.get("entry"),
                "opening_fen": fen(s["accumulated"]),
                "opening_months": s["months_done"],
                "start_month": s["start_month"],
                "status": "in_use",
                "disposed_on": None,
                "disposal_kind": None,
                "proceeds_fen": None,
                "costs_fen": None,
                "net_fen": None,
                "result_fen": None,
                "disposal_entries": None,
            },
        )
        for owner, share in s["owners"].items():
            w.insert(asset_owners, {"card_id": cid, "owner": owner, "share": share})

    def _card_Depreciated(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        units = s.get("units")
        w.insert(
            depreciation,
            {
                "card_id": cid,
                "month": s["month"],
                "amount_fen": fen(s["amount"]),
                "units": None if units is None else str(data(units)),
                "account": s["account"],
                "entry": s["entry"],
            },
        )
        for owner, amount in s["owners"].items():
            w.insert(
                depreciation_owners,
                {"card_id": cid, "month": s["month"], "owner": owner, "amount_fen": amount},
            )

    def _card_Disposed(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.update(
            asset_cards,
            {"card_id": cid},
            {
                "status": "disposed",
                "disposed_on": _date(s["date"]),
                "disposal_kind": s["kind"],
                "proceeds_fen": fen(s["proceeds"]),
                "costs_fen": fen(s["costs"]),
                "net_fen": fen(s["net"]),
                "result_fen": fen(s["result"]),
                "disposal_entries": _lines(s["entries"]),
            },
        )

    def _card_Leased(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.insert(
            leases,
            {
                "card_id": cid,
                "lease": s["lease"],
                "lessee": s["lessee"],
                "rent_fen": fen(s["rent"]),
                "every_months": s["every_months"],
                "start": w.day(data(s["start"])),
                "end": w.day(data(s["end"])),
                "due_day": s["due_day"],
                "contract": s.get("contract"),
                "ended_reason": None,
            },
        )
        w.update(asset_cards, {"card_id": cid}, {"user": s["lessee"]})

    def _card_RentReceived(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.insert(
            rents,
            {
                "card_id": cid,
                "entry": s["entry"],
                "lease": s["lease"],
                "period": s["period"],
                "date": w.day(data(s["date"])),
                "amount_fen": fen(s["amount"]),
            },
        )

    def _card_LeaseEnded(self, w: PageWriter, e: Stored, cid: str, s: dict[str, Any]) -> None:
        w.update(
            leases,
            {"card_id": cid, "lease": s["lease"]},
            {"end": _date(s["date"]), "ended_reason": s["reason"]},
        )

    # -- runs ---------------------------------------------------------------------------------

    def _register(self, w: PageWriter, e: Stored, rid: str, s: dict[str, Any]) -> None:
        w.insert(asset_registers, {"register_id": rid, "entity": s["entity"]})

    def _run(self, w: PageWriter, e: Stored, rid: str, s: dict[str, Any]) -> None:
        """A run of a book's month (a month run again for cards registered late is another
        row: ``seq`` is the run's version in the register's stream)."""
        found = w.pending(asset_registers, {"register_id": rid})
        if found is not None:
            entity = str(found["entity"])
        else:
            query = select(asset_registers.c.entity).where(asset_registers.c.register_id == rid)
            entity = str(w.execute(query).scalar_one())
        w.insert(
            depreciation_runs,
            {
                "entity": entity,
                "month": s["month"],
                "seq": e.originator_version,
                "entry": s.get("entry"),
                "total_fen": fen(s["total"]),
                "cards": len(s["lines"]),
            },
        )
