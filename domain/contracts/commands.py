"""The 经济合同 register's commands as data (``domain.commands``): each names the township of the
books the contract is in and calls ``app.contracts`` (``domain.contracts.service``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.commands import Command, Place, Recorded, Words, books_place

Schedule = tuple[tuple[datetime.date, str], ...]
"""Instalments: (due date, amount in yuan as text), in any order."""


def contract_place(entity: str, app: Any) -> Place:
    """The township of the books of ``entity`` (404 when there are none)."""
    return books_place(app, entity, Words(f"books of {entity}", f"{entity} 的合同登记簿"))


@dataclass(frozen=True)
class RegisterContract(Command[str]):
    """Register a signed contract with its schedule; answers its code."""

    entity: str
    code: str
    title: str
    kind: str
    party_kind: str
    party_name: str
    subject_kind: str
    start: datetime.date
    end: datetime.date
    signed_on: datetime.date
    instalments: Schedule
    direction: str | None = None
    party_id: str = ""
    party_code: str = ""
    subject_code: str = ""
    area: str | None = None

    def places(self, app: Any) -> Iterable[Place]:
        return (contract_place(self.entity, app),)

    def execute(self, app: Any, actor: str) -> str:
        app.contracts.register(
            entity=self.entity,
            code=self.code,
            title=self.title,
            kind=self.kind,
            direction=self.direction,
            party_kind=self.party_kind,
            party_name=self.party_name,
            party_id=self.party_id,
            party_code=self.party_code,
            subject_kind=self.subject_kind,
            subject_code=self.subject_code,
            area=self.area,
            start=self.start,
            end=self.end,
            signed_on=self.signed_on,
            instalments=list(self.instalments),
            actor=actor,
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class ContractCommand(Command[Any]):
    """A command on contract ``code`` of ``entity``."""

    entity: str
    code: str

    def places(self, app: Any) -> Iterable[Place]:
        return (contract_place(self.entity, app),)


@dataclass(frozen=True)
class RecordContractPayment(ContractCommand):
    """A receipt (payment) against the contract's instalments (the one due on ``instalment``,
    or oldest first); answers its number in the contract."""

    date: datetime.date
    amount: str
    instalment: datetime.date | None = None
    entry: str = ""
    memo: str = ""

    def execute(self, app: Any, actor: str) -> int:
        number: int = app.contracts.record_payment(
            entity=self.entity,
            code=self.code,
            date=self.date,
            amount=self.amount,
            instalment=self.instalment,
            entry=self.entry,
            memo=self.memo,
            actor=actor,
        )
        return number

    def replayed(self, recorded: Recorded) -> int:
        return int(recorded.value("number"))


@dataclass(frozen=True)
class ReverseContractPayment(ContractCommand):
    """Take back receipt (payment) ``number`` of the contract, with the reason; answers it."""

    number: int
    date: datetime.date
    reason: str

    def execute(self, app: Any, actor: str) -> int:
        number: int = app.contracts.reverse_payment(
            entity=self.entity,
            code=self.code,
            number=self.number,
            date=self.date,
            reason=self.reason,
            actor=actor,
        )
        return number

    def replayed(self, recorded: Recorded) -> int:
        return self.number


@dataclass(frozen=True)
class EndContract(ContractCommand):
    """到期终止: the contract's term has run; answers its code."""

    date: datetime.date

    def execute(self, app: Any, actor: str) -> str:
        app.contracts.end(entity=self.entity, code=self.code, date=self.date, actor=actor)
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code


@dataclass(frozen=True)
class TerminateContract(ContractCommand):
    """解除 the contract on ``date`` with the reason; answers its code."""

    date: datetime.date
    reason: str

    def execute(self, app: Any, actor: str) -> str:
        app.contracts.terminate(
            entity=self.entity, code=self.code, date=self.date, reason=self.reason, actor=actor
        )
        return self.code

    def replayed(self, recorded: Recorded) -> str:
        return self.code
