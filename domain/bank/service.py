"""The commands on bank accounts (``app.bank``): register an account, import a statement, match
lines (confirmed proposals and by hand), undo a match, confirm a month's 银行存款余额调节表, and
the check 结账 makes (``check_closing``).

``BankService`` receives the application's port (``domain.port``), the books' service (their
own event stream: the postings to the account, its balance on a day) and the township's
settings (whether 结账 waits for the reconciliation). Every command saves what it changed in
one save: an account registered on a sub-account not open yet opens it in the books in the same
save; a statement whose columns the clerk mapped remembers them for the bank in the same save.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from domain.bank import (
    BankAccount,
    BankAccountNotFoundError,
    StatementFormats,
    bank_account_id,
    statement_formats_id,
)
from domain.bank.matching import WINDOW, Proposal, propose
from domain.bank.reconciliation import BANK, BOOK, Line, Reconciliation, reconcile
from domain.bank.statements import Statement, clean_text, digits, yuan
from domain.books import Books
from domain.books.batch import entries_of
from domain.books.chart import open_sub_accounts
from domain.books.closing import month_end, require_month
from domain.books.service import BooksService
from domain.bounds import check_text
from domain.errors import AlreadyExistsError, ConflictError, InvalidRequestError
from domain.periods import month_of, require_not_after
from domain.port import Port
from domain.township.service import TownshipService
from ledger.money import MAX_AMOUNT, money, to_fen

FIELDS = (
    "date",
    "amount_in",
    "amount_out",
    "amount",
    "direction",
    "balance",
    "counterparty",
    "reference",
    "memo",
)
"""What a statement's columns may be mapped to (``StatementFormats``)."""


class BankNotReconciledError(ConflictError):
    """结账 refused: a bank account of the books is not reconciled for a month it closes."""

    kind = "bank-not-reconciled"


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    found = []
    month = first
    while month <= last:
        found.append(month)
        month = _next_month(month)
    return found


class BookSide:
    """The postings of one account in one set of books, read once from their event stream:
    the latest opening balance of the account and every posting (signed fen, dated)."""

    def __init__(self, opening: int, lines: list[Line]) -> None:
        self.opening = opening
        self.lines = lines

    def balance(self, day: datetime.date) -> int:
        return self.opening + sum(line.amount for line in self.lines if line.date <= day)

    def by_id(self) -> dict[str, Line]:
        return {line.id: line for line in self.lines}


class BankService:
    """Bank accounts, statements, matches and the monthly reconciliation; ``app.bank``."""

    def __init__(self, port: Port, books: BooksService, township: TownshipService) -> None:
        self.port = port
        self.books = books
        self.township = township

    # -- loading ------------------------------------------------------------------------------

    def find_account(self, entity: str, account: str) -> BankAccount | None:
        found = self.port.find(bank_account_id(entity, account))
        assert found is None or isinstance(found, BankAccount)
        return found

    def get_account(self, entity: str, account: str) -> BankAccount:
        return self.port.load(
            bank_account_id(entity, account),
            BankAccount,
            BankAccountNotFoundError(
                f"{entity} has no bank account on {account}",
                field="account",
                zh=f"{entity} 没有登记在科目 {account} 上的银行账户",
            ),
        )

    def accounts_of(self, books: Books) -> list[BankAccount]:
        """The bank accounts of ``books``: on 102 or any of its open sub-accounts."""
        codes = ["102", *(c for c in open_sub_accounts(books) if c.startswith("102"))]
        found = [self.find_account(books.code, code) for code in codes]
        return [account for account in found if account is not None]

    def formats(self, township: str) -> StatementFormats | None:
        found = self.port.find(statement_formats_id(township))
        assert found is None or isinstance(found, StatementFormats)
        return found

    def format_of(self, township: str, bank: str) -> dict[str, str] | None:
        """The columns a clerk of ``township`` mapped for ``bank``'s statements, if any."""
        formats = self.formats(township)
        return None if formats is None else formats.formats.get(bank)

    # -- registering --------------------------------------------------------------------------

    def register_account(
        self,
        *,
        entity: str,
        account: str,
        name: str = "",
        bank: str,
        branch: str = "",
        number: str,
        format: str = "",
        start: datetime.date,
        opening: object,
        actor: str,
    ) -> BankAccount:
        """登记银行账户 on ``account`` (102, or a 102 sub-account, opened in the same save
        when it is not open yet), kept from ``start`` with ``opening`` the balance per
        statement that day."""
        if not (account == "102" or (account.startswith("102") and 3 < len(account) <= 32)) or not (
            account.isascii() and account.isalnum()
        ):
            raise InvalidRequestError(
                f"a bank account is kept on 102 or a sub-account of it, not {account[:40]!r}",
                field="account",
                zh=f"银行账户应记在 102 银行存款或其明细科目（如 10201）上，不是 {account[:40]}",
            )
        name = clean_text(name, field="name", zh="科目名称").strip() or bank
        bank = clean_text(bank, field="bank", zh="开户银行")
        if not bank:
            raise InvalidRequestError("name the bank", field="bank", zh="请填写开户银行")
        branch = clean_text(branch, field="branch", zh="开户网点")
        format = check_text(format, field="format", max_length=32).strip()
        found = digits(number)
        if not 6 <= len(found) <= 32 or any(not (c.isdigit() or c in " -") for c in number):
            raise InvalidRequestError(
                "an account number has 6 to 32 digits",
                field="number",
                zh="银行账号应为 6 到 32 位数字（可带空格或短横线）",
            )
        balance = money(opening, allow_negative=False, field="opening", maximum=MAX_AMOUNT)
        require_not_after(
            start, self.port.today(), what="a bank account's first day", field="start"
        )

        def command() -> BankAccount:
            books = self.port.get_books(entity)
            if self.find_account(entity, account) is not None:
                raise AlreadyExistsError(
                    f"{entity} has a bank account on {account} already",
                    field="account",
                    zh=f"{entity} 的科目 {account} 上已经登记了银行账户",
                )
            for other in self.accounts_of(books):
                if digits(other.number) == found:
                    raise AlreadyExistsError(
                        f"account number {other.masked_number} is registered on {other.account}",
                        field="number",
                        zh=f"账号 {other.masked_number} 已登记在 {other.label}",
                    )
            if account == "102":
                if books.has_sub_accounts("102"):
                    raise InvalidRequestError(
                        "102 has sub-accounts: keep the bank account on one of them",
                        field="account",
                        zh="102 银行存款已有明细科目：请把银行账户登记在明细科目上",
                    )
            elif account not in open_sub_accounts(books):
                books.open_account(code=account, name=name, parent="102", actor=actor, kind="unit")
            created = BankAccount(
                entity=entity,
                township=books.township,
                account=account,
                name=open_sub_accounts(books).get(account, name) if account != "102" else name,
                bank=bank,
                branch=branch,
                number=found,
                format=format,
                start=start,
                opening=balance,
                actor=actor,
            )
            self.port.save(books, created)
            return created

        return self.port.retrying(command)

    # -- the books' side ----------------------------------------------------------------------

    def book_side(self, books: Books, account: str) -> BookSide:
        """Every posting of ``books`` to ``account`` (one pass over the books' stream)."""
        opening = 0
        lines: list[Line] = []
        for event in self.port.stream(books.id, lte=books.version):
            if type(event).__name__ == "OpeningBalancesSet":
                opening = sum(to_fen(p.signed()) for p in event.postings if p.account == account)
            for entry in entries_of(event):
                for index, posting in enumerate(entry.postings, start=1):
                    if posting.account == account:
                        lines.append(
                            Line(
                                side=BOOK,
                                id=f"{entry.number}#{index}",
                                date=entry.date,
                                amount=to_fen(posting.signed()),
                                memo=posting.memo or entry.memo,
                                entry=entry.number,
                                reverses=entry.reverses,
                            )
                        )
        return BookSide(opening, lines)

    # -- statements ---------------------------------------------------------------------------

    def import_statement(
        self,
        *,
        entity: str,
        account: str,
        statement: Statement,
        columns: Mapping[str, str] | None = None,
        actor: str,
    ) -> int:
        """导入对账单: record ``statement`` on the account (``BankAccount.import_statement``);
        with ``columns`` (the mapping the file was read with), remember them for the bank."""
        mapping = dict(columns or {})
        for key, heading in mapping.items():
            if key not in FIELDS:
                raise InvalidRequestError(
                    f"columns: {key!r} is not one of {', '.join(FIELDS)}",
                    field="columns",
                    zh=f"列的用途 {key[:20]} 不认识",
                )
            clean_text(heading, field=f"columns.{key}", zh="列名")

        def command() -> int:
            found = self.get_account(entity, account)
            seq = found.import_statement(statement, today=self.port.today(), actor=actor)
            written: list[Any] = [found]
            if mapping:
                formats = self.formats(found.township) or StatementFormats(township=found.township)
                if formats.remember(bank=found.bank, columns=mapping, actor=actor):
                    written.append(formats)
            self.port.save(*written)
            return seq

        return self.port.retrying(command)

    # -- matches ------------------------------------------------------------------------------

    def unmatched(self, entity: str, account: str) -> tuple[list[Line], list[Line]]:
        """The lines of both sides not matched (postings from the account's first day on)."""
        found = self.get_account(entity, account)
        side = self.book_side(self.port.get_books(entity), account)
        bank = [line for line in found.bank_lines() if f"{BANK}:{line.id}" not in found.matched]
        book = [
            line
            for line in side.lines
            if line.date >= found.start and f"{BOOK}:{line.id}" not in found.matched
        ]
        return bank, book

    def proposals(self, entity: str, account: str, *, window: int = WINDOW) -> list[Proposal]:
        """What the matching page proposes now (nothing recorded)."""
        bank, book = self.unmatched(entity, account)
        return propose(bank, book, window=window)

    def match(
        self,
        *,
        entity: str,
        account: str,
        groups: Sequence[tuple[Sequence[str], Sequence[str]]],
        kind: str = "manual",
        note: str = "",
        actor: str,
    ) -> list[str]:
        """勾对: each group (statement line ids, posting ids) recorded as one match, all in one
        save (a refused group: nothing recorded); answers the matches' ids."""
        note = clean_text(note, field="note", zh="备注")
        if not groups:
            raise InvalidRequestError("no lines to match", field="matches", zh="请选择要勾对的行")

        def command() -> list[str]:
            found = self.get_account(entity, account)
            known = self.book_side(self.port.get_books(entity), account).by_id()
            made = []
            for bank, book in groups:
                lines = []
                for line_id in book:
                    line = known.get(line_id)
                    if line is None:
                        raise InvalidRequestError(
                            f"posting {line_id} is not a posting to {account} of {entity}",
                            field="book",
                            zh=f"分录 {line_id} 不是 {entity} 科目 {account} 的分录",
                        )
                    lines.append(line)
                made.append(
                    found.match(bank=list(bank), book=lines, kind=kind, note=note, actor=actor)
                )
            self.port.save(found)
            return made

        return self.port.retrying(command)

    def undo_match(
        self, *, entity: str, account: str, match: str, reason: str, actor: str
    ) -> BankAccount:
        """撤销勾对 (recorded with the reason)."""
        reason = clean_text(reason, field="reason", zh="原因")

        def command() -> BankAccount:
            found = self.get_account(entity, account)
            found.undo_match(match=match, reason=reason, actor=actor)
            self.port.save(found)
            return found

        return self.port.retrying(command)

    # -- the month's table --------------------------------------------------------------------

    def reconciliation(self, entity: str, account: str, month: str) -> Reconciliation:
        """The 调节表 of ``month`` as it stands now (nothing recorded)."""
        found = self.get_account(entity, account)
        books = self.port.get_books(entity)
        return self._table(found, self.book_side(books, account), require_month(month))

    @staticmethod
    def _table(found: BankAccount, side: BookSide, month: str) -> Reconciliation:
        end = month_end(month)
        book_lines = {line.id: line for line in side.lines if line.date >= found.start}
        for line in found.matched_book_lines():  # a posting matched before the first day
            book_lines.setdefault(line.id, line)
        return reconcile(
            month,
            end,
            book_balance=side.balance(end),
            bank_balance=found.bank_balance(end),
            lines=[*found.bank_lines(), *book_lines.values()],
            matches=found.active_matches(),
        )

    def reconcile_month(
        self, *, entity: str, account: str, month: str, actor: str
    ) -> Reconciliation:
        """确认余额调节表 of ``month``: refused before the account's first month, while the
        statements do not reach the month's end, and when the adjusted balances differ."""
        require_month(month)

        def command() -> Reconciliation:
            found = self.get_account(entity, account)
            end = month_end(month)
            if month < month_of(found.start):
                raise InvalidRequestError(
                    f"{found.label} is kept from {found.start}",
                    field="month",
                    zh=f"{found.label} 从 {found.start} 起才在本系统对账",
                )
            if found.covered_through < end:
                raise ConflictError(
                    f"the statements of {found.label} reach {found.covered_through}, not {end}",
                    field="month",
                    zh=f"{found.label} 的对账单只导入到 {found.covered_through}："
                    f"请先导入截至 {end} 的对账单",
                )
            table = self._table(found, self.book_side(self.port.get_books(entity), account), month)
            if not table.balanced:
                raise ConflictError(
                    f"the adjusted balances differ by {yuan(table.difference)}",
                    field="month",
                    zh=f"调节后余额不相等：账面调节后 {yuan(table.adjusted_book)}，银行调节后 "
                    f"{yuan(table.adjusted_bank)}，相差 {yuan(table.difference)}；请先查明原因"
                    "（漏记、错记或账户启用时的余额不一致）",
                )
            if found.record_reconciliation(table, actor=actor):
                self.port.save(found)
            return table

        return self.port.retrying(command)

    # -- 结账 ---------------------------------------------------------------------------------

    def closing_problems(self, books: Books, month: str) -> list[str]:
        """What is not reconciled among the months ``books`` would close through ``month``:
        one sentence (Chinese) per account and month."""
        closed = books.closed_through
        problems = []
        for found in self.accounts_of(books):
            first = month_of(found.start)
            if closed is not None and closed >= first:
                first = _next_month(closed)
            side: BookSide | None = None
            for each in months_between(first, month):
                known = found.reconciled.get(each)
                if known is None:
                    problems.append(f"{found.label} {each} 尚未对账（未确认银行存款余额调节表）")
                    continue
                side = side or self.book_side(books, found.account)
                if side.balance(month_end(each)) != known["book"]:
                    problems.append(
                        f"{found.label} {each} 确认调节表后账簿余额有变动：请重新对账并确认"
                    )
        return problems

    def check_closing(self, books: Books, month: str) -> list[str]:
        """Before 结账 through ``month``: the accounts not reconciled, as warnings; refused
        (``BankNotReconciledError``) when the township's setting says 结账 waits for them."""
        problems = self.closing_problems(books, month)
        if problems and self.township.choices(books.township).bank_reconciled_to_close:
            raise BankNotReconciledError(
                f"{books.code} cannot be closed through {month}: bank accounts are not "
                f"reconciled ({len(problems)})",
                field="month",
                zh="银行存款未对账，本乡镇设置为不能结账：" + "；".join(problems),
            )
        return problems
