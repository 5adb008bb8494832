"""The alliance economy read model: the joint entity's equity register, enterprise agreements
and their payments, member registers, and distribution plans with their steps and lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from domain.privacy import FORGOTTEN, PersonalDataVault, mask_id_number, member_subject
from ledger.canonical import canonical_bytes
from ledger.money import money, to_fen
from projections.codes import CodeLookup
from projections.pages import PageWriter, Stored, data, fen
from projections.tables import (
    ECONOMY_TABLES,
    agreement_payments,
    agreements,
    entities,
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
    sheets,
)


def dumps(value: Any) -> str:
    """Canonical JSON for the text columns: sorted keys, UTF-8 kept, decimals as strings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _shares(value: dict[str, Any]) -> str:
    """``{kind: units}`` as stored (units are decimal strings) → the view's JSON text."""
    return dumps({k: str(data(v)) for k, v in value.items()})


class EconomyProjection:
    """Frequent events (capital, grants, dividends, households, members, shares) are read
    from their stored fields; the rare, rich ones (agreements, plans, sheets) from the decoded
    event. Rows go through the page's writer (``projections.pages``)."""

    name = "economy"
    tables = ECONOMY_TABLES

    def __init__(self, vault: PersonalDataVault | None = None) -> None:
        # Opens sealed ID numbers to keep their masked form (3703**********1234) in the view;
        # the view never holds an ID number in full, and shows 已删除 once a member is forgotten.
        self.vault = vault or PersonalDataVault.in_memory()
        self._code = CodeLookup()
        self._handlers: dict[str, Callable[[PageWriter, Stored, int], None]] = {
            "CapitalContributed": self._capital,
            "CapitalRefunded": self._capital_refunded,
            "LandShareContributed": self._land,
            "GrantReceived": self._grant,
            "EnterpriseAgreement.Signed": self._signed,
            "DividendDeclared": self._declared,
            "DividendReceived": self._received,
            "DividendCorrected": self._corrected,
            "MemberRegister.Opened": self._opened,
            "VillageRegister.Opened": self._opened,  # the bounded shape (domain.members)
            "HouseholdRegistered": self._household,
            "MemberRegistered": self._member,
            "SharesAdjusted": self._shares,
            "MemberLeft": self._left,
            "MemberForgotten": self._forgotten,
            "DistributionPlan.Drafted": self._drafted,
            "StepRecorded": self._step,
            "Rejected": self._rejected,
            "Executed": self._executed,
            "ExecutionRequested": self._execution_requested,
            "ExecutionRequestCancelled": self._execution_request_cancelled,
            "Superseded": self._superseded,
            "DisclosureSheet.Published": self._sheet_published,
            "ComparisonAttached": self._comparison,
        }

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        qualname = event.name
        # Generic names (Signed, Opened, Drafted) are keyed by their full qualified name.
        handler = self._handlers.get(qualname) or self._handlers.get(qualname.rsplit(".", 1)[-1])
        if handler is not None:
            handler(w, event, position)

    # -- joint entity --------------------------------------------------------------------------

    def _joint(self, w: PageWriter, e: Stored) -> str:
        return self._code(w, entities, entities.c.code, e)

    def _capital(self, w: PageWriter, ev: Stored, position: int, sign: int = 1) -> None:
        state = ev.state
        entry = state["entry"]["_data_"]
        w.insert(
            equity_capital,
            {
                "joint_code": self._joint(w, ev),
                "entry_number": entry["number"],
                "village_code": state["village"],
                "programme": state["programme"],
                "date": w.day(data(entry["date"])),
                "amount_fen": sign * fen(state["amount"]),
            },
        )

    def _capital_refunded(self, w: PageWriter, ev: Stored, position: int) -> None:
        """A refund is a negative row of its programme, from its date on."""
        self._capital(w, ev, position, sign=-1)

    def _land(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        w.insert(
            land_shares,
            {
                "joint_code": self._joint(w, ev),
                "position": position,
                "village_code": e.village,
                "date": e.date,
                "mu": str(e.mu),
                "grade": str(e.grade),
                "value_per_mu_fen": to_fen(e.value_per_mu),
                "term_years": e.term_years,
            },
        )

    def _grant(self, w: PageWriter, ev: Stored, position: int) -> None:
        state = ev.state
        entry = state["entry"]["_data_"]
        w.insert(
            grants,
            {
                "joint_code": self._joint(w, ev),
                "entry_number": entry["number"],
                "programme": state["programme"],
                "date": w.day(data(entry["date"])),
                "amount_fen": fen(state["amount"]),
            },
        )

    # -- agreements ----------------------------------------------------------------------------

    def _signed(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._code.remember(ev.originator_id, e.code)
        w.insert(
            agreements,
            {
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "alliance_code": e.alliance_code,
                "joint_entity_code": e.joint_entity_code,
                "enterprise_code": e.enterprise_code,
                "signed_on": e.signed_on,
                "start_year": e.start_year,
                "years": e.years,
                "invested_fen": to_fen(e.invested_capital),
                "guarantee_kind": e.guarantee_kind,
                "guarantee_value": str(e.guarantee_value),
                "profit_share_percent": str(e.profit_share_percent),
                "payment_due": e.payment_due,
            },
        )

    def _agreement(self, w: PageWriter, e: Stored) -> str:
        return self._code(w, agreements, agreements.c.code, e)

    def _payment(self, w: PageWriter, ev: Stored, position: int, kind: str) -> None:
        state = ev.state
        w.insert(
            agreement_payments,
            {
                "agreement_code": self._agreement(w, ev),
                "position": position,
                "year": state["year"],
                "kind": kind,
                "date": w.day(data(state["date"])),
                "amount_fen": fen(state["amount"]),
            },
        )

    def _declared(self, w: PageWriter, ev: Stored, position: int) -> None:
        self._payment(w, ev, position, "declared")

    def _received(self, w: PageWriter, ev: Stored, position: int) -> None:
        self._payment(w, ev, position, "received")

    def _corrected(self, w: PageWriter, ev: Stored, position: int) -> None:
        """A corrected dividend counts the difference, on the correction's date."""
        e = ev.event
        w.insert(
            agreement_payments,
            {
                "agreement_code": self._agreement(w, ev),
                "position": position,
                "year": e.year,
                "kind": e.kind,
                "date": e.date,
                "amount_fen": to_fen(e.new_amount) - to_fen(e.old_amount),
            },
        )

    # -- member registers ----------------------------------------------------------------------

    def _village(self, w: PageWriter, e: Stored) -> str:
        """The village of a register event: carried by the bounded shape's household events
        (same names and fields as the legacy register's, plus ``village``), else looked up."""
        village = e.state.get("village")
        if village is not None:
            return str(village)
        return self._code(w, registers, registers.c.village_code, e)

    def _opened(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._code.remember(ev.originator_id, e.village)
        w.insert(
            registers,
            {
                "village_code": e.village,
                "aggregate_id": ev.originator_id,
                "share_kinds": dumps(list(e.share_kinds)),
            },
        )

    def _household(self, w: PageWriter, ev: Stored, position: int) -> None:
        state = ev.state
        w.insert(
            households,
            {
                "village_code": self._village(w, ev),
                "number": state["number"],
                "head": state["head"],
                "registered_on": w.day(data(state["registered_on"])),
            },
        )

    def _masked_id(self, village: str, member: str, stored: str) -> str:
        revealed = self.vault.reveal(member_subject(village, member), stored)
        return FORGOTTEN if revealed is None else mask_id_number(revealed)

    def _forgotten(self, w: PageWriter, ev: Stored, position: int) -> None:
        w.update(
            members,
            {"village_code": self._village(w, ev), "number": ev.state["member"]},
            {"id_number": FORGOTTEN},
        )

    def _member(self, w: PageWriter, ev: Stored, position: int) -> None:
        state = ev.state
        village = self._village(w, ev)
        number = state["number"]
        joined_on = w.day(data(state["joined_on"]))
        w.insert(
            members,
            {
                "village_code": village,
                "number": number,
                "household": state["household"],
                "name": state["name"],
                "id_number": self._masked_id(village, number, state["id_number"]),
                "joined_on": joined_on,
                "left_on": None,
                "left_reason": None,
            },
        )
        w.insert(
            member_shares,
            {
                "village_code": village,
                "member": number,
                "position": position,
                "effective": joined_on,
                "shares": _shares(state["shares"]),
                "reason": None,
            },
        )

    def _shares(self, w: PageWriter, ev: Stored, position: int) -> None:
        state = ev.state
        w.insert(
            member_shares,
            {
                "village_code": self._village(w, ev),
                "member": state["member"],
                "position": position,
                "effective": w.day(data(state["effective"])),
                "shares": _shares(state["shares"]),
                "reason": state["reason"],
            },
        )

    def _left(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        w.update(
            members,
            {"village_code": self._village(w, ev), "number": e.member},
            {"left_on": e.left_on, "left_reason": e.reason},
        )

    # -- plans ---------------------------------------------------------------------------------

    def _plan(self, w: PageWriter, e: Stored) -> str:
        return self._code(w, plans, plans.c.code, e)

    def _drafted(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        result = e.result
        self._code.remember(ev.originator_id, e.code)
        w.insert(
            plans,
            {
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "title": e.title,
                "scope": e.scope,
                "payer": e.payer,
                "alliance_code": e.alliance_code,
                "township": e.township,
                "period": e.period,
                "as_of": e.as_of,
                "state": "drafted",
                "amount_fen": to_fen(money(result["amount"])),
                "distributable_fen": to_fen(money(result["distributable"])),
                "rule": dumps(e.rule),
                "result": dumps(result),
                "deduction_accounts": dumps(e.deduction_accounts),
                "supersedes": e.supersedes,
                "superseded_by": None,
                "executed_on": None,
                "rejection": None,
                "drafted_by": e.actor,
            },
        )
        w.insert_many(
            plan_lines,
            (
                {
                    "plan_code": e.code,
                    "party": line["code"],
                    "name": line["name"],
                    "tiers": dumps(line["tiers"]),
                    "adjustment_fen": to_fen(money(line["adjustment"], allow_negative=True)),
                    "total_fen": to_fen(money(line["total"])),
                }
                for line in result["lines"]
            ),
        )

    def _step(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        code = self._plan(w, ev)
        row = {
            "plan_code": code,
            "position": position,
            "date": e.date,
            "body": e.body,
            "place": e.place,
            "expected": e.expected,
            "present": e.present,
            "votes_for": e.votes_for,
            "votes_against": e.votes_against,
            "abstentions": e.abstentions,
            "assembly": e.assembly,
            "merged": int(bool(e.merged)),
            "note": e.note,
            "actor": e.actor,
        }
        w.insert(plan_steps, {"step": e.step, **row})
        if e.step == "提议" and e.merged:
            w.insert(plan_steps, {"step": "商议", **row})

    def _rejected(self, w: PageWriter, ev: Stored, position: int) -> None:
        w.update(
            plans,
            {"code": self._plan(w, ev)},
            {"state": "rejected", "rejection": ev.event.reason},
        )

    def _executed(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        code = self._plan(w, ev)
        w.update(plans, {"code": code}, {"state": "executed", "executed_on": e.on})
        w.insert_many(
            plan_entries,
            (
                {"plan_code": code, "entity_code": entity, "number": number, "kind": "posted"}
                for entity, number in e.entries
            ),
        )

    def _execution_requested(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        w.insert(
            plan_requests,
            {"plan_code": self._plan(w, ev), "actor": e.actor, "requested_on": e.on},
        )

    def _execution_request_cancelled(self, w: PageWriter, ev: Stored, position: int) -> None:
        w.delete(plan_requests, {"plan_code": self._plan(w, ev)})

    def _superseded(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        code = self._plan(w, ev)
        w.update(plans, {"code": code}, {"state": "superseded", "superseded_by": e.by})
        w.insert_many(
            plan_entries,
            (
                {"plan_code": code, "entity_code": entity, "number": number, "kind": "reversal"}
                for entity, number in e.reversals or ()
            ),
        )

    # -- disclosure sheets ---------------------------------------------------------------------

    def _sheet_published(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        w.insert(
            sheets,
            {
                "village_code": e.content["village"]["code"],
                "period": e.content["period"]["text"],
                "version": e.version,
                "digest": e.digest,
                "content": canonical_bytes(e.content).decode("utf-8"),
                "checked_by": dumps(e.checked_by),
                "checked_on": e.checked_on,
                "replaces": e.replaces,
                "reason": e.reason,
                "published_at": e.timestamp,
                "published_by": e.actor,
                "position": position,
            },
        )

    def _comparison(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        w.insert(
            plan_comparisons,
            {
                "plan_code": self._plan(w, ev),
                "number": e.number,
                "for_step": e.for_step,
                "digest": e.digest,
                "content": canonical_bytes(e.comparison).decode("utf-8"),
                "attached_by": e.actor,
                "position": position,
            },
        )
