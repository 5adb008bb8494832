"""The read model ``resources``: the 资源 register (``domain.resources``) and the 经济合同 register
(``domain.contracts``), as the pages, the API, the 工作台 and the 三公开 parts read them.

Amounts are whole fen. An instalment keeps what is due and what was settled against it; whether
it still counts (a closed contract's instalments after the day it closed do not) is read from its
contract's ``closed_on``. A natural person's ID number is kept only masked (3703**********1234,
``domain.privacy``: opened with the store's vault, as the member registers are), and 已删除 when
its key is gone. The queries are ``projections.resources_queries``.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    String,
    Table,
    Text,
    select,
    update,
)

from domain.contracts import party_subject
from domain.privacy import FORGOTTEN, PersonalDataVault, mask_id_number
from ledger.money import text_fen, to_fen
from projections.pages import PageWriter, Stored
from projections.tables import metadata

resources = Table(
    "lz_resources",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("township", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("area", Text, nullable=False),  # a decimal, in ``unit``
    Column("unit", String(8), nullable=False),
    Column("location", Text, nullable=False),
    Column("boundaries", Text, nullable=False),  # JSON {side: text}
    Column("certificates", Text, nullable=False),  # JSON [{name, number, issuer, issued_on}]
    Column("use", String(16), nullable=False),
    Column("status", String(8), nullable=False),  # active | retired
    Column("registered_on", Date, nullable=False),
    Column("retired_on", Date),
    Column("retired_reason", Text),
    Column("label", String(16), nullable=False, unique=True),
)

resource_changes = Table(
    "lz_resource_changes",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("date", Date, nullable=False),
    Column("what", String(16), nullable=False),  # registered | changed | retired
    Column("area", Text, nullable=False),  # the area after it
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
)

resource_land_shares = Table(
    "lz_resource_land_shares",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("resource_code", String(32), primary_key=True),
    Column("joint_code", String(32), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("mu", String(24), primary_key=True),
)

contracts = Table(
    "lz_contracts",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("township", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("direction", String(16), nullable=False),  # receivable | payable
    Column("party_kind", String(16), nullable=False),
    Column("party_name", Text, nullable=False),
    Column("party_id", Text, nullable=False),  # masked, '' none given, 已删除 forgotten
    Column("party_code", String(32), nullable=False),
    Column("subject_kind", String(16), nullable=False),
    Column("subject_code", Text, nullable=False),
    Column("area", Text, nullable=False),  # '' when it lets no resource
    Column("start_on", Date, nullable=False),
    Column("end_on", Date, nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # in-force | ended | terminated
    Column("closed_on", Date),
    Column("reason", Text),
)

contract_instalments = Table(
    "lz_contract_instalments",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("contract_code", String(32), primary_key=True),
    Column("due_on", Date, primary_key=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("settled_fen", BigInteger, nullable=False),
)

contract_payments = Table(
    "lz_contract_payments",
    metadata,
    Column("entity_code", String(32), primary_key=True),
    Column("contract_code", String(32), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("date", Date, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("entry", Text, nullable=False),
    Column("memo", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("allocation", Text, nullable=False),  # JSON [[due_on, fen]]: what it settled
    Column("reversed", Boolean, nullable=False),
    Column("reversed_on", Date),
    Column("reversal_reason", Text),
)

RESOURCE_TABLES = (
    resources,
    resource_changes,
    resource_land_shares,
    contracts,
    contract_instalments,
    contract_payments,
)

_RESOURCE = "domain.resources:Resource."
_CONTRACT = "domain.contracts:Contract."


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class ResourcesProjection:
    """One row per resource and per contract, with their history, instalments and payments:
    rare events, read from the decoded event."""

    name = "resources"
    tables = RESOURCE_TABLES

    def __init__(self, vault: PersonalDataVault | None = None) -> None:
        self.vault = vault or PersonalDataVault.in_memory()
        self._keys: dict[str, tuple[str, str]] = {}  # aggregate id → (entity, code)

    def apply(self, w: PageWriter, event: Stored, position: int) -> None:
        topic = event.topic
        if topic.startswith(_RESOURCE):
            handler = getattr(self, "_" + topic[len(_RESOURCE) :].split(".")[-1], None)
        elif topic.startswith(_CONTRACT):
            handler = getattr(self, "_" + topic[len(_CONTRACT) :].split(".")[-1], None)
        else:
            return
        if handler is not None:
            handler(w, event, position)

    def _key(self, w: PageWriter, ev: Stored, table: Table) -> tuple[str, str]:
        """(entity, code) of the aggregate of ``ev`` (remembered, or read once from ``table``)."""
        found = self._keys.get(ev.originator_id)
        if found is None:
            row = w.execute(
                select(table.c.entity_code, table.c.code).where(
                    table.c.aggregate_id == ev.originator_id
                )
            ).one()
            found = self._keys[ev.originator_id] = (row.entity_code, row.code)
        return found

    # -- resources -----------------------------------------------------------------------------

    def _description(self, e: Any) -> dict[str, Any]:
        return {
            "name": e.name,
            "kind": e.kind,
            "area": str(e.area),
            "unit": e.unit,
            "location": e.location,
            "boundaries": _dumps(e.boundaries),
            "certificates": _dumps(e.certificates),
            "use": e.use,
        }

    def _change(
        self, w: PageWriter, entity: str, code: str, position: int, e: Any, what: str, area: str
    ) -> None:
        w.insert(
            resource_changes,
            {
                "entity_code": entity,
                "code": code,
                "position": position,
                "date": e.date,
                "what": what,
                "area": area,
                "reason": getattr(e, "reason", ""),
                "actor": e.actor,
            },
        )

    def _ResourceRegistered(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._keys[ev.originator_id] = (e.entity, e.code)
        w.insert(
            resources,
            {
                "entity_code": e.entity,
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "township": e.township,
                **self._description(e),
                "status": "active",
                "registered_on": e.date,
                "retired_on": None,
                "retired_reason": None,
                "label": e.label,
            },
        )
        self._change(w, e.entity, e.code, position, e, "registered", str(e.area))

    def _ResourceChanged(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        entity, code = self._key(w, ev, resources)
        w.update(resources, {"entity_code": entity, "code": code}, self._description(e))
        self._change(w, entity, code, position, e, "changed", str(e.area))

    def _ResourceRetired(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        entity, code = self._key(w, ev, resources)
        w.update(
            resources,
            {"entity_code": entity, "code": code},
            {"status": "retired", "retired_on": e.date, "retired_reason": e.reason},
        )
        area = w.execute(
            select(resources.c.area).where(
                (resources.c.entity_code == entity) & (resources.c.code == code)
            )
        ).scalar_one()
        self._change(w, entity, code, position, e, "retired", area)

    def _LandShareLinked(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        entity, code = self._key(w, ev, resources)
        w.insert(
            resource_land_shares,
            {
                "entity_code": entity,
                "resource_code": code,
                "joint_code": e.joint,
                "date": w.day(e.share_date),
                "mu": e.mu,
            },
        )

    # (ContractLinked and ContractReleased: the contract's own events say the same)

    # -- contracts -----------------------------------------------------------------------------

    def _masked_id(self, entity: str, code: str, sealed: str) -> str:
        if not sealed:
            return ""
        revealed = self.vault.reveal(party_subject(entity, code), sealed)
        return FORGOTTEN if revealed is None else mask_id_number(revealed)

    def _ContractRegistered(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        self._keys[ev.originator_id] = (e.entity, e.code)
        w.insert(
            contracts,
            {
                "entity_code": e.entity,
                "code": e.code,
                "aggregate_id": ev.originator_id,
                "township": e.township,
                "title": e.title,
                "kind": e.kind,
                "direction": e.direction,
                "party_kind": e.party_kind,
                "party_name": e.party_name,
                "party_id": self._masked_id(e.entity, e.code, e.party_id),
                "party_code": e.party_code,
                "subject_kind": e.subject_kind,
                "subject_code": e.subject_code,
                "area": e.area,
                "start_on": e.start,
                "end_on": e.end,
                "signed_on": e.signed_on,
                "status": "in-force",
                "closed_on": None,
                "reason": None,
            },
        )
        for row in e.instalments:
            w.insert(
                contract_instalments,
                {
                    "entity_code": e.entity,
                    "contract_code": e.code,
                    "due_on": w.day(row["due_on"]),
                    "amount_fen": text_fen(row["amount"]),
                    "settled_fen": 0,
                },
            )

    def _settle(self, w: PageWriter, entity: str, code: str, allocation: Any, sign: int) -> None:
        for due_on, fen in allocation:
            w.execute(
                update(contract_instalments)
                .where(
                    (contract_instalments.c.entity_code == entity)
                    & (contract_instalments.c.contract_code == code)
                    & (contract_instalments.c.due_on == datetime.date.fromisoformat(due_on))
                )
                .values(settled_fen=contract_instalments.c.settled_fen + sign * fen)
            )

    def _ContractPaymentRecorded(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        entity, code = self._key(w, ev, contracts)
        allocation = [[row["due_on"], text_fen(row["amount"])] for row in e.allocation]
        w.insert(
            contract_payments,
            {
                "entity_code": entity,
                "contract_code": code,
                "number": e.number,
                "date": e.date,
                "amount_fen": to_fen(e.amount),
                "entry": e.entry,
                "memo": e.memo,
                "actor": e.actor,
                "allocation": _dumps(allocation),
                "reversed": False,
                "reversed_on": None,
                "reversal_reason": None,
            },
        )
        self._settle(w, entity, code, allocation, 1)

    def _ContractPaymentReversed(self, w: PageWriter, ev: Stored, position: int) -> None:
        e = ev.event
        entity, code = self._key(w, ev, contracts)
        key = {"entity_code": entity, "contract_code": code, "number": e.number}
        settled = w.execute(  # what the payment settled, as it recorded it
            select(contract_payments.c.allocation).where(
                (contract_payments.c.entity_code == entity)
                & (contract_payments.c.contract_code == code)
                & (contract_payments.c.number == e.number)
            )
        ).scalar_one()
        self._settle(w, entity, code, json.loads(settled), -1)
        w.update(
            contract_payments,
            key,
            {"reversed": True, "reversed_on": e.date, "reversal_reason": e.reason},
        )

    def _closed(self, w: PageWriter, ev: Stored, status: str) -> None:
        e = ev.event
        entity, code = self._key(w, ev, contracts)
        w.update(
            contracts,
            {"entity_code": entity, "code": code},
            {"status": status, "closed_on": e.date, "reason": getattr(e, "reason", None)},
        )

    def _ContractEnded(self, w: PageWriter, ev: Stored, position: int) -> None:
        self._closed(w, ev, "ended")

    def _ContractTerminated(self, w: PageWriter, ev: Stored, position: int) -> None:
        self._closed(w, ev, "terminated")
