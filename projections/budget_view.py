"""The read model ``budget`` (财务计划: the annual financial plans), from the events of
``domain.budget``; what it answers is ``projections.budget_queries``.

Rows follow the events one for one, amounts in whole fen:

- ``lz_budgets`` one per book and year, with the number of its latest version;
- ``lz_budget_versions`` each version: when it was proposed, why (a revision's reason), its
  state (``proposed``, ``approved``, ``rejected``), the rejection, the day its 决议 passed;
- ``lz_budget_lines`` a version's lines (name, kind, accounts '\\n'-separated, the plan);
- ``lz_budget_steps`` a version's steps of 四议两公开 (a merged 提议 is 商议 too).

Child rows are keyed by the aggregate's id (``plan_id``) and the version, so no event needs a
lookup.
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
)

from projections.pages import PageWriter, Stored, dashed, data
from projections.tables import metadata

budgets = Table(
    "lz_budgets",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("entity", String(32), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("latest", Integer, nullable=False),
    UniqueConstraint("entity", "year", name="lz_budgets_entity_year"),
)

budget_versions = Table(
    "lz_budget_versions",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("proposed_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("state", String(16), nullable=False),  # proposed | approved | rejected
    Column("rejection", Text),
    Column("approved_on", Date),
    Column("actor", Text, nullable=False),
)

budget_lines = Table(
    "lz_budget_lines",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(8), nullable=False),  # income | expense
    Column("accounts", Text, nullable=False),  # '\n'-separated
    Column("amount_fen", BigInteger, nullable=False),
)

budget_steps = Table(
    "lz_budget_steps",
    metadata,
    Column("plan_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("step", String(16), primary_key=True),
    Column("date", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("place", Text, nullable=False),
    Column("details", Text, nullable=False),  # JSON: attendance, votes, assembly, note
    Column("actor", Text, nullable=False),
)

BUDGET_TABLES = (budgets, budget_versions, budget_lines, budget_steps)

TOPIC = "domain.budget:FinancialPlan."
_COUNTS = ("expected", "present", "votes_for", "votes_against", "abstentions", "assembly")
_QUORUM = ("adult_villagers", "households", "households_present")


def _date(value: Any) -> datetime.date:
    """A stored date as a ``date``: what an update binds (the page's inserts take either)."""
    return datetime.date.fromisoformat(str(data(value)))


class BudgetProjection:
    """Financial plans, one statement set per event (they are few)."""

    name = "budget"
    tables = BUDGET_TABLES

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        if not event.topic.startswith(TOPIC):
            return
        handler = getattr(self, "_" + event.name.rpartition(".")[2], None)
        if handler is not None:
            handler(w, dashed(event.originator_id), event.state)

    def _version(
        self, w: PageWriter, pid: str, version: int, s: dict[str, Any], reason: str
    ) -> None:
        w.insert(
            budget_versions,
            {
                "plan_id": pid,
                "version": version,
                "proposed_on": w.day(data(s["proposed_on"])),
                "reason": reason,
                "note": s.get("note") or "",
                "state": "proposed",
                "rejection": None,
                "approved_on": None,
                "actor": s["actor"],
            },
        )
        for seq, line in enumerate(s["lines"]):
            w.insert(
                budget_lines,
                {
                    "plan_id": pid,
                    "version": version,
                    "seq": seq,
                    "name": line["name"],
                    "kind": line["kind"],
                    "accounts": "\n".join(line["accounts"]),
                    "amount_fen": line["amount"],
                },
            )

    def _Proposed(self, w: PageWriter, pid: str, s: dict[str, Any]) -> None:
        w.insert(budgets, {"plan_id": pid, "entity": s["entity"], "year": s["year"], "latest": 1})
        self._version(w, pid, 1, s, "")

    def _Revised(self, w: PageWriter, pid: str, s: dict[str, Any]) -> None:
        version = s["version"]
        w.update(budgets, {"plan_id": pid}, {"latest": version})
        self._version(w, pid, version, s, s["reason"])

    def _ApprovalStepRecorded(self, w: PageWriter, pid: str, s: dict[str, Any]) -> None:
        keys = (*_COUNTS, *_QUORUM, "merged", "note")
        # a count of 0 is kept (0 反对); nothing, "" and an unmerged 提议 are left out
        details = {k: v for k in keys if (v := s.get(k)) is not None and v != "" and v is not False}
        steps = [s["step"]] + (["商议"] if s["step"] == "提议" and s.get("merged") else [])
        for step in steps:
            w.insert(
                budget_steps,
                {
                    "plan_id": pid,
                    "version": s["version"],
                    "step": step,
                    "date": w.day(data(s["date"])),
                    "body": s["body"],
                    "place": s["place"],
                    "details": json.dumps(details, ensure_ascii=False, sort_keys=True),
                    "actor": s["actor"],
                },
            )

    def _ApprovalRejected(self, w: PageWriter, pid: str, s: dict[str, Any]) -> None:
        w.update(
            budget_versions,
            {"plan_id": pid, "version": s["version"]},
            {"state": "rejected", "rejection": s["reason"]},
        )

    def _Approved(self, w: PageWriter, pid: str, s: dict[str, Any]) -> None:
        w.update(
            budget_versions,
            {"plan_id": pid, "version": s["version"]},
            {"state": "approved", "approved_on": _date(s["date"])},
        )
