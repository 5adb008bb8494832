"""The commands on bank accounts, as data (``domain.commands``): each names the township of the
books the account belongs to and calls ``app.bank`` (``domain.bank.service``). The API's routes,
the workbench's forms and the command line (``lianzhang import-statement``) build the same
commands."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.bank.reconciliation import Reconciliation
from domain.bank.statements import Statement
from domain.commands import Command, Place, Recorded, books_place


@dataclass(frozen=True)
class RegisterBankAccount(Command[str]):
    """登记银行账户 of ``entity`` on ``account`` (102 or a 102 sub-account, opened when it is
    not), kept from ``start`` with ``opening`` the balance per statement that day; answers the
    account code."""

    entity: str
    account: str
    bank: str
    number: str
    start: datetime.date
    opening: str
    name: str = ""
    branch: str = ""
    format: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.bank.register_account(
            entity=self.entity,
            account=self.account,
            name=self.name,
            bank=self.bank,
            branch=self.branch,
            number=self.number,
            format=self.format,
            start=self.start,
            opening=self.opening,
            actor=actor,
        )
        return self.account

    def replayed(self, recorded: Recorded) -> str:
        return self.account


@dataclass(frozen=True)
class ImportStatement(Command[int]):
    """导入对账单 on the bank account (``columns``: the mapping the file was read with,
    remembered for the bank); answers the statement's number."""

    entity: str
    account: str
    statement: Statement
    columns: tuple[tuple[str, str], ...] = ()

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> int:
        seq: int = app.bank.import_statement(
            entity=self.entity,
            account=self.account,
            statement=self.statement,
            columns=dict(self.columns),
            actor=actor,
        )
        return seq

    def replayed(self, recorded: Recorded) -> int:
        return int(recorded.value("seq"))


@dataclass(frozen=True)
class MatchLines(Command[tuple[str, ...]]):
    """勾对: each group (statement line ids, posting ids ``<voucher>#<n>``) one match, all in
    one save; ``kind`` ``proposed`` (the clerk confirmed the page's proposals) or ``manual``;
    answers the matches' ids."""

    entity: str
    account: str
    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    kind: str = "manual"
    note: str = ""

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> tuple[str, ...]:
        made = app.bank.match(
            entity=self.entity,
            account=self.account,
            groups=self.groups,
            kind=self.kind,
            note=self.note,
            actor=actor,
        )
        return tuple(made)

    def replayed(self, recorded: Recorded) -> tuple[str, ...]:
        return tuple(e.match for e in recorded.events if type(e).__name__ == "Matched")


@dataclass(frozen=True)
class UndoMatch(Command[str]):
    """撤销勾对 ``match`` with the reason; answers the match's id."""

    entity: str
    account: str
    match: str
    reason: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> str:
        app.bank.undo_match(
            entity=self.entity,
            account=self.account,
            match=self.match,
            reason=self.reason,
            actor=actor,
        )
        return self.match

    def replayed(self, recorded: Recorded) -> str:
        return self.match


@dataclass(frozen=True)
class ReconcileMonth(Command[Reconciliation]):
    """确认 the 银行存款余额调节表 of ``month`` (refused while the adjusted balances differ or
    the statements do not reach the month's end); answers the table."""

    entity: str
    account: str
    month: str

    def places(self, app: Any) -> Iterable[Place]:
        return (books_place(app, self.entity),)

    def execute(self, app: Any, actor: str) -> Reconciliation:
        table: Reconciliation = app.bank.reconcile_month(
            entity=self.entity, account=self.account, month=self.month, actor=actor
        )
        return table

    def replayed(self, recorded: Recorded) -> Reconciliation:
        table: Reconciliation = recorded.app.bank.reconciliation(
            self.entity, self.account, self.month
        )
        return table
