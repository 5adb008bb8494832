"""The alliance economy read model: the joint entity's equity register, enterprise agreements
and their payments, member registers, and distribution plans with their steps and lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, and_, insert, update

from domain.privacy import FORGOTTEN, PersonalDataVault, mask_id_number, member_subject
from ledger.canonical import canonical_bytes
from ledger.money import money, to_fen
from projections.codes import CodeLookup
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
    plan_steps,
    plans,
    registers,
    sheets,
)


def dumps(value: Any) -> str:
    """Canonical JSON for the text columns: sorted keys, UTF-8 kept, decimals as strings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class EconomyProjection:
    name = "economy"
    tables = ECONOMY_TABLES

    def __init__(self, vault: PersonalDataVault | None = None) -> None:
        # Opens sealed ID numbers to keep their masked form (3703**********1234) in the view;
        # the view never holds an ID number in full, and shows 已删除 once a member is forgotten.
        self.vault = vault or PersonalDataVault.in_memory()
        self._code = CodeLookup()
        self._handlers: dict[str, Callable[[Connection, Any, int], None]] = {
            "CapitalContributed": self._capital,
            "CapitalRefunded": self._capital_refunded,
            "LandShareContributed": self._land,
            "GrantReceived": self._grant,
            "EnterpriseAgreement.Signed": self._signed,
            "DividendDeclared": self._declared,
            "DividendReceived": self._received,
            "DividendCorrected": self._corrected,
            "MemberRegister.Opened": self._opened,
            "VillageRegister.Opened": self._opened,  # the bounded shape (domain/members.py)
            "HouseholdRegistered": self._household,
            "MemberRegistered": self._member,
            "SharesAdjusted": self._shares,
            "MemberLeft": self._left,
            "MemberForgotten": self._forgotten,
            "DistributionPlan.Drafted": self._drafted,
            "StepRecorded": self._step,
            "Rejected": self._rejected,
            "Executed": self._executed,
            "Superseded": self._superseded,
            "DisclosureSheet.Published": self._sheet_published,
            "ComparisonAttached": self._comparison,
        }

    def apply(self, conn: Connection, event: Any, position: int) -> None:
        qualname: str = type(event).__qualname__
        # Generic names (Signed, Opened, Drafted) are keyed by their full qualified name.
        handler = self._handlers.get(qualname) or self._handlers.get(qualname.rsplit(".", 1)[-1])
        if handler is not None:
            handler(conn, event, position)

    # -- joint entity --------------------------------------------------------------------------

    def _joint(self, conn: Connection, e: Any) -> str:
        return self._code(conn, entities, entities.c.code, e)

    def _capital(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(equity_capital).values(
                joint_code=self._joint(conn, e),
                entry_number=e.entry.number,
                village_code=e.village,
                programme=e.programme,
                date=e.entry.date,
                amount_fen=to_fen(e.amount),
            )
        )

    def _capital_refunded(self, conn: Connection, e: Any, position: int) -> None:
        """A refund is a negative row of its programme, from its date on."""
        conn.execute(
            insert(equity_capital).values(
                joint_code=self._joint(conn, e),
                entry_number=e.entry.number,
                village_code=e.village,
                programme=e.programme,
                date=e.entry.date,
                amount_fen=-to_fen(e.amount),
            )
        )

    def _land(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(land_shares).values(
                joint_code=self._joint(conn, e),
                position=position,
                village_code=e.village,
                date=e.date,
                mu=str(e.mu),
                grade=str(e.grade),
                value_per_mu_fen=to_fen(e.value_per_mu),
                term_years=e.term_years,
            )
        )

    def _grant(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(grants).values(
                joint_code=self._joint(conn, e),
                entry_number=e.entry.number,
                programme=e.programme,
                date=e.entry.date,
                amount_fen=to_fen(e.amount),
            )
        )

    # -- agreements ----------------------------------------------------------------------------

    def _signed(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(agreements).values(
                code=e.code,
                aggregate_id=str(e.originator_id),
                alliance_code=e.alliance_code,
                joint_entity_code=e.joint_entity_code,
                enterprise_code=e.enterprise_code,
                signed_on=e.signed_on,
                start_year=e.start_year,
                years=e.years,
                invested_fen=to_fen(e.invested_capital),
                guarantee_kind=e.guarantee_kind,
                guarantee_value=str(e.guarantee_value),
                profit_share_percent=str(e.profit_share_percent),
                payment_due=e.payment_due,
            )
        )

    def _payment(self, conn: Connection, e: Any, position: int, kind: str) -> None:
        conn.execute(
            insert(agreement_payments).values(
                agreement_code=self._code(conn, agreements, agreements.c.code, e),
                position=position,
                year=e.year,
                kind=kind,
                date=e.date,
                amount_fen=to_fen(e.amount),
            )
        )

    def _declared(self, conn: Connection, e: Any, position: int) -> None:
        self._payment(conn, e, position, "declared")

    def _received(self, conn: Connection, e: Any, position: int) -> None:
        self._payment(conn, e, position, "received")

    def _corrected(self, conn: Connection, e: Any, position: int) -> None:
        """A corrected dividend counts the difference, on the correction's date."""
        conn.execute(
            insert(agreement_payments).values(
                agreement_code=self._code(conn, agreements, agreements.c.code, e),
                position=position,
                year=e.year,
                kind=e.kind,
                date=e.date,
                amount_fen=to_fen(e.new_amount) - to_fen(e.old_amount),
            )
        )

    # -- member registers ----------------------------------------------------------------------

    def _village(self, conn: Connection, e: Any) -> str:
        """The village of a register event: carried by the bounded shape's household events
        (same names and fields as the legacy register's, plus ``village``), else looked up."""
        village = getattr(e, "village", None)
        if village is not None:
            return str(village)
        return self._code(conn, registers, registers.c.village_code, e)

    def _opened(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(registers).values(
                village_code=e.village,
                aggregate_id=str(e.originator_id),
                share_kinds=dumps(list(e.share_kinds)),
            )
        )

    def _household(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(households).values(
                village_code=self._village(conn, e),
                number=e.number,
                head=e.head,
                registered_on=e.registered_on,
            )
        )

    def _masked_id(self, village: str, member: str, stored: str) -> str:
        revealed = self.vault.reveal(member_subject(village, member), stored)
        return FORGOTTEN if revealed is None else mask_id_number(revealed)

    def _forgotten(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            update(members)
            .where(
                and_(members.c.village_code == self._village(conn, e), members.c.number == e.member)
            )
            .values(id_number=FORGOTTEN)
        )

    def _member(self, conn: Connection, e: Any, position: int) -> None:
        village = self._village(conn, e)
        conn.execute(
            insert(members).values(
                village_code=village,
                number=e.number,
                household=e.household,
                name=e.name,
                id_number=self._masked_id(village, e.number, e.id_number),
                joined_on=e.joined_on,
            )
        )
        conn.execute(
            insert(member_shares).values(
                village_code=village,
                member=e.number,
                position=position,
                effective=e.joined_on,
                shares=dumps({k: str(v) for k, v in e.shares.items()}),
            )
        )

    def _shares(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(member_shares).values(
                village_code=self._village(conn, e),
                member=e.member,
                position=position,
                effective=e.effective,
                shares=dumps({k: str(v) for k, v in e.shares.items()}),
                reason=e.reason,
            )
        )

    def _left(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            update(members)
            .where(
                and_(members.c.village_code == self._village(conn, e), members.c.number == e.member)
            )
            .values(left_on=e.left_on, left_reason=e.reason)
        )

    # -- plans ---------------------------------------------------------------------------------

    def _plan(self, conn: Connection, e: Any) -> str:
        return self._code(conn, plans, plans.c.code, e)

    def _drafted(self, conn: Connection, e: Any, position: int) -> None:
        result = e.result
        conn.execute(
            insert(plans).values(
                code=e.code,
                aggregate_id=str(e.originator_id),
                title=e.title,
                scope=e.scope,
                payer=e.payer,
                alliance_code=e.alliance_code,
                township=e.township,
                period=e.period,
                as_of=e.as_of,
                state="drafted",
                amount_fen=to_fen(money(result["amount"])),
                distributable_fen=to_fen(money(result["distributable"])),
                rule=dumps(e.rule),
                result=dumps(result),
                deduction_accounts=dumps(e.deduction_accounts),
                supersedes=e.supersedes,
                drafted_by=e.actor,
            )
        )
        conn.execute(
            insert(plan_lines),
            [
                {
                    "plan_code": e.code,
                    "party": line["code"],
                    "name": line["name"],
                    "tiers": dumps(line["tiers"]),
                    "adjustment_fen": to_fen(money(line["adjustment"], allow_negative=True)),
                    "total_fen": to_fen(money(line["total"])),
                }
                for line in result["lines"]
            ],
        )

    def _step(self, conn: Connection, e: Any, position: int) -> None:
        code = self._plan(conn, e)
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
        conn.execute(insert(plan_steps).values(step=e.step, **row))
        if e.step == "提议" and e.merged:
            conn.execute(insert(plan_steps).values(step="商议", **row))

    def _rejected(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            update(plans)
            .where(plans.c.code == self._plan(conn, e))
            .values(state="rejected", rejection=e.reason)
        )

    def _executed(self, conn: Connection, e: Any, position: int) -> None:
        code = self._plan(conn, e)
        conn.execute(
            update(plans).where(plans.c.code == code).values(state="executed", executed_on=e.on)
        )
        conn.execute(
            insert(plan_entries),
            [
                {"plan_code": code, "entity_code": entity, "number": number, "kind": "posted"}
                for entity, number in e.entries
            ],
        )

    def _superseded(self, conn: Connection, e: Any, position: int) -> None:
        code = self._plan(conn, e)
        conn.execute(
            update(plans).where(plans.c.code == code).values(state="superseded", superseded_by=e.by)
        )
        if e.reversals:
            conn.execute(
                insert(plan_entries),
                [
                    {"plan_code": code, "entity_code": entity, "number": number, "kind": "reversal"}
                    for entity, number in e.reversals
                ],
            )

    # -- disclosure sheets ---------------------------------------------------------------------

    def _sheet_published(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(sheets).values(
                village_code=e.content["village"]["code"],
                period=e.content["period"]["text"],
                version=e.version,
                digest=e.digest,
                content=canonical_bytes(e.content).decode("utf-8"),
                checked_by=dumps(e.checked_by),
                checked_on=e.checked_on,
                replaces=e.replaces,
                reason=e.reason,
                published_at=e.timestamp,
                published_by=e.actor,
                position=position,
            )
        )

    def _comparison(self, conn: Connection, e: Any, position: int) -> None:
        conn.execute(
            insert(plan_comparisons).values(
                plan_code=self._plan(conn, e),
                number=e.number,
                for_step=e.for_step,
                digest=e.digest,
                content=canonical_bytes(e.comparison).decode("utf-8"),
                attached_by=e.actor,
                position=position,
            )
        )
