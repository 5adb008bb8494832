"""Bank accounts of a set of books (银行存款账户), their statements (银行对账单), the matches of
statement lines with postings (勾对) and the monthly 银行存款余额调节表 confirmed by the clerk.

``BankAccount`` — one per bank account of an entity (``bank_account_id(entity, account)``),
kept on a 102 银行存款 account of the books: a sub-account (10201 高青农商银行) or, for books
with one bank account and no sub-accounts, 102 itself:

- ``Registered``: the account code and name, the bank (高青农商银行), branch (唐坊支行), the
  full account number (shown masked to its last four digits on printed and public pages), the
  statement format it is exported in, the day it is kept from (``start``) and its balance per
  statement that day (``opening``);
- ``StatementImported``: one statement, its number (1, 2, …), period, opening and closing
  balances, lines (``domain.bank.statements``; each line's ``amount`` and ``balance`` in fen,
  its id ``S<number>-<n>``), the file's name, SHA-256 and format, and a fingerprint of its
  content; statements chain (``statements.chain_problem``), never overlap, never repeat;
- ``Matched``: lines of the statement and postings of the books that are one and the same
  money (one to one, one to many, a posting with its red-ink reversal), their amounts adding up
  alike; ``kind`` says whether the clerk confirmed a proposal (``proposed``) or matched by hand
  (``manual``). The postings are recorded as they were (voucher, date, amount, 摘要);
- ``MatchUndone``: a match taken back, with the reason (a match is never edited);
- ``MonthReconciled``: the clerk's confirmation of a month's 调节表 (``domain.bank.
  reconciliation``), with both balances and every 未达账项 as they stood; 结账 reads it.

``StatementFormats`` — one per township (``statement_formats_id(township)``): the columns of
each bank's statements as a clerk mapped them once (``Remembered``), so the next file of the
same bank is read without asking.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.bank.reconciliation import BANK, BOOK, Line, Reconciliation
from domain.bank.statements import (
    DAY,
    Previous,
    Statement,
    chain_problem,
    checked_lines,
    fingerprint,
    masked,
    running_problem,
    same_account,
    yuan,
)
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.ids import NAMESPACE
from domain.owned import Townships
from ledger.money import MAX_AMOUNT, from_fen, money, to_fen

MAX_MATCH_LINES = 200
"""Lines of one match (a payroll of 150 transfers against one voucher fits)."""


class BankAccountNotFoundError(NotFoundError):
    kind = "bank-account-not-found"


class MatchNotFoundError(NotFoundError):
    kind = "match-not-found"


def bank_account_id(entity: str, account: str) -> UUID:
    return uuid5(NAMESPACE, f"bank-account:{entity}:{account}")


def statement_formats_id(township: str) -> UUID:
    return uuid5(NAMESPACE, f"bank-statement-formats:{township}")


class BankAccount(Aggregate):
    """One bank account of one set of books (see the module docstring)."""

    def township_in(self, townships: Townships) -> str | None:
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"bank account {self.account} of {self.entity}"

    @staticmethod
    def create_id(entity: str, account: str) -> UUID:
        return bank_account_id(entity, account)

    @event("Registered")
    def __init__(
        self,
        *,
        entity: str,
        township: str,
        account: str,
        name: str,
        bank: str,
        branch: str,
        number: str,
        format: str,
        start: datetime.date,
        opening: Money,
        actor: str,
    ) -> None:
        self.entity = entity
        self.township = township
        self.account = account
        self.name = name
        self.bank = bank
        self.branch = branch
        self.number = number
        self.format = format
        self.start = start
        self.opening_fen = to_fen(opening)
        self.statements: list[dict[str, Any]] = []  # seq, start, end, opening, closing …
        self.lines: dict[str, dict[str, Any]] = {}  # line id → the stored line
        self.matches: dict[str, dict[str, Any]] = {}  # match id → its lines, kind, undone
        self.matched: dict[str, str] = {}  # "bank:S1-2" / "book:2026-0012#1" → match id
        self.reconciled: dict[str, dict[str, Any]] = {}  # month → balances, actor

    # -- reading ------------------------------------------------------------------------------

    @property
    def masked_number(self) -> str:
        return masked(self.number)

    @property
    def label(self) -> str:
        """How a clerk names it: ``10201 高青农商银行（****3021）``."""
        return f"{self.account} {self.name}（{self.masked_number}）"

    @property
    def covered_through(self) -> datetime.date:
        """The last day the statements imported cover (the day before ``start`` when none)."""
        if not self.statements:
            return self.start - DAY
        return datetime.date.fromisoformat(self.statements[-1]["end"])

    @property
    def closing_fen(self) -> int:
        return int(self.statements[-1]["closing"]) if self.statements else self.opening_fen

    def bank_balance(self, day: datetime.date) -> int:
        """The balance per statement at the end of ``day`` (fen)."""
        balance = self.opening_fen
        for line in self.lines.values():
            if datetime.date.fromisoformat(line["date"]) <= day:
                balance += int(line["amount"])
        return balance

    def bank_lines(self) -> list[Line]:
        return [
            Line(
                side=BANK,
                id=i,
                date=datetime.date.fromisoformat(line["date"]),
                amount=int(line["amount"]),
                memo=line["memo"],
                reference=line["reference"],
                counterparty=line["counterparty"],
            )
            for i, line in self.lines.items()
        ]

    def active_matches(self) -> dict[str, list[tuple[str, str]]]:
        """Every match not undone: id → its line keys (side, id)."""
        return {
            m: [(BANK, i) for i in match["bank"]] + [(BOOK, b["id"]) for b in match["book"]]
            for m, match in self.matches.items()
            if not match["undone"]
        }

    def matched_book_lines(self) -> list[Line]:
        """The postings of active matches as recorded when they were matched."""
        return [
            Line(
                side=BOOK,
                id=b["id"],
                date=datetime.date.fromisoformat(b["date"]),
                amount=int(b["amount"]),
                memo=b["memo"],
                entry=b["entry"],
            )
            for match in self.matches.values()
            if not match["undone"]
            for b in match["book"]
        ]

    # -- statements ---------------------------------------------------------------------------

    def previous(self) -> Previous:
        if not self.statements:
            return Previous(end=self.start - DAY, closing=self.opening_fen, seq=0, start=None)
        last = self.statements[-1]
        return Previous(
            end=datetime.date.fromisoformat(last["end"]),
            closing=int(last["closing"]),
            seq=int(last["seq"]),
            start=datetime.date.fromisoformat(last["start"]),
        )

    def import_statement(self, statement: Statement, *, today: datetime.date, actor: str) -> int:
        """Record ``statement`` (see ``domain.bank.statements``); answers its number. Refused
        with nothing recorded: another account's, a duplicate, an overlap, a gap, an opening
        that is not the previous closing, a line outside the period or out of date order, a
        running balance or closing that does not add up, a day after ``today``."""
        if statement.account_number and not same_account(statement.account_number, self.number):
            stated = masked(statement.account_number)
            raise ConflictError(
                f"the statement is of account {stated}, not of {self.masked_number}",
                field="account_number",
                zh=f"这张对账单的账号（{stated}）不是 {self.label} 的账号：请选择对应的银行账户",
            )
        lines = checked_lines(statement)
        previous = self.previous()
        if not lines and (statement.start is None or statement.end is None):
            raise InvalidRequestError(
                "a statement without lines states its period",
                field="lines",
                zh="对账单没有交易：请填写对账单的起止日期",
            )
        start = statement.start or previous.end + DAY
        end = statement.end or datetime.date.fromisoformat(str(lines[-1]["date"]))
        digest = statement.digest.strip().lower()
        content = fingerprint(start, end, lines)
        for known in self.statements:
            if (digest and known["digest"] == digest) or known["fingerprint"] == content:
                seq, first, last = known["seq"], known["start"], known["end"]
                name = known["file"] or "无文件名"
                raise ConflictError(
                    f"this statement was imported already (statement {seq})",
                    field="file",
                    zh=f"这张对账单已经导入过（第{seq}张，{first}～{last}，{name}）：没有重复导入",
                )
        if end < start:
            raise InvalidRequestError(
                f"the statement ends ({end}) before it starts ({start})",
                field="end",
                zh=f"对账单的截止日期 {end} 早于起始日期 {start}",
            )
        if end > today:
            raise InvalidRequestError(
                f"the statement ends on {end}, after today ({today})",
                field="end",
                zh=f"对账单的截止日期 {end} 晚于今天（{today}）",
            )
        day = start
        for line in lines:
            line_day = datetime.date.fromisoformat(str(line["date"]))
            row = line["row"]
            if not start <= line_day <= end:
                raise InvalidRequestError(
                    f"row {row} is dated {line_day}, outside {start}..{end}",
                    field="lines",
                    zh=f"第{row}行的日期 {line_day} 不在对账单期间 {start}～{end} 内",
                )
            if line_day < day:
                raise InvalidRequestError(
                    f"row {row} is dated before the row above it",
                    field="lines",
                    zh=f"第{row}行的日期 {line_day} 早于上一行：对账单应按日期先后排列",
                )
            day = line_day
        opening = previous.closing
        if statement.opening not in (None, ""):
            opening = to_fen(_money(statement.opening, "opening", "期初余额"))
        problem = chain_problem(previous, start, end, opening)
        if problem is not None:
            raise problem
        trouble = running_problem(opening, lines)
        if trouble is not None:
            raise ConflictError(trouble, field="lines", zh=trouble)
        closing = opening + sum(int(line["amount"]) for line in lines)  # type: ignore[call-overload]
        if statement.closing not in (None, ""):
            given = to_fen(_money(statement.closing, "closing", "期末余额"))
            if given != closing:
                raise ConflictError(
                    f"the statement closes with {yuan(given)}, its lines give {yuan(closing)}",
                    field="closing",
                    zh=f"对账单的期末余额 {yuan(given)} 与期初余额加减各笔交易 "
                    f"{yuan(closing)} 不符",
                )
        seq = previous.seq + 1
        for index, line in enumerate(lines, start=1):
            line["id"] = f"S{seq}-{index}"
        self._statement_imported(
            seq=seq,
            start=start,
            end=end,
            opening=from_fen(opening),
            closing=from_fen(closing),
            lines=lines,
            digest=digest,
            fingerprint=content,
            file_name=statement.file_name[:200],
            format=statement.format[:32],
            actor=actor,
        )
        return seq

    @event("StatementImported")
    def _statement_imported(
        self,
        *,
        seq: int,
        start: datetime.date,
        end: datetime.date,
        opening: Money,
        closing: Money,
        lines: list[dict[str, Any]],
        digest: str,
        fingerprint: str,
        file_name: str,
        format: str,
        actor: str,
    ) -> None:
        """Statement ``seq`` of ``start`` … ``end``: its lines (each ``id``, ``row``, ``date``
        ISO, ``amount`` and ``balance`` in fen, ``counterparty``, ``reference``, ``memo``)."""
        self.statements.append(
            {
                "seq": seq,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "opening": to_fen(opening),
                "closing": to_fen(closing),
                "count": len(lines),
                "digest": digest,
                "fingerprint": fingerprint,
                "file": file_name,
            }
        )
        for line in lines:
            self.lines[str(line["id"])] = dict(line)

    # -- matches ------------------------------------------------------------------------------

    def match(
        self,
        *,
        bank: list[str],
        book: list[Line],
        kind: str,
        note: str,
        actor: str,
    ) -> str:
        """Record that statement lines ``bank`` and postings ``book`` are the same money;
        answers the match's id (``M1`` …). Refused: an unknown or already matched line, no
        line, more than ``MAX_MATCH_LINES``, sums that differ."""
        if not bank and not book:
            raise InvalidRequestError("a match has lines", field="bank", zh="请选择要勾对的行")
        if len(bank) + len(book) > MAX_MATCH_LINES:
            raise InvalidRequestError(
                f"a match has at most {MAX_MATCH_LINES} lines",
                field="bank",
                zh=f"一次勾对最多 {MAX_MATCH_LINES} 行",
            )
        if len(set(bank)) != len(bank) or len({b.id for b in book}) != len(book):
            raise InvalidRequestError("a line is named twice", field="bank", zh="同一行选了两次")
        for line_id in bank:
            if line_id not in self.lines:
                raise InvalidRequestError(
                    f"statement line {line_id} is not of this account",
                    field="bank",
                    zh=f"对账单行 {line_id} 不属于 {self.label}",
                )
            if f"{BANK}:{line_id}" in self.matched:
                raise ConflictError(
                    f"statement line {line_id} is matched already",
                    field="bank",
                    zh=f"对账单行 {line_id} 已经勾对（{self.matched[f'{BANK}:{line_id}']}）",
                )
        for line in book:
            if f"{BOOK}:{line.id}" in self.matched:
                raise ConflictError(
                    f"posting {line.id} is matched already",
                    field="book",
                    zh=f"凭证 {line.entry} 的这笔分录已经勾对"
                    f"（{self.matched[f'{BOOK}:{line.id}']}）",
                )
        bank_sum = sum(int(self.lines[i]["amount"]) for i in bank)
        book_sum = sum(line.amount for line in book)
        if bank_sum != book_sum or ((not bank or not book) and len(bank) + len(book) < 2):
            raise ConflictError(
                f"the statement lines add up to {yuan(bank_sum)}, the postings to {yuan(book_sum)}",
                field="book",
                zh=f"勾对的两边金额不等：对账单 {yuan(bank_sum)}，账簿 {yuan(book_sum)}"
                "（收入对借方，支出对贷方）",
            )
        if kind not in ("proposed", "manual"):
            raise InvalidRequestError(f"kind {kind!r}", field="kind")
        number = f"M{len(self.matches) + 1}"
        self._matched(
            match=number,
            kind=kind,
            bank=list(bank),
            book=[
                {
                    "id": line.id,
                    "entry": line.entry,
                    "date": line.date.isoformat(),
                    "amount": line.amount,
                    "memo": line.memo[:200],
                }
                for line in book
            ],
            note=note,
            actor=actor,
        )
        return number

    @event("Matched")
    def _matched(
        self,
        *,
        match: str,
        kind: str,
        bank: list[str],
        book: list[dict[str, Any]],
        note: str,
        actor: str,
    ) -> None:
        """Match ``match``: statement line ids ``bank``, postings ``book`` as they were (``id``
        ``<voucher>#<n>``, ``entry``, ``date``, ``amount`` fen, ``memo``)."""
        self.matches[match] = {
            "bank": list(bank),
            "book": list(book),
            "kind": kind,
            "undone": False,
        }
        for line_id in bank:
            self.matched[f"{BANK}:{line_id}"] = match
        for line in book:
            self.matched[f"{BOOK}:{line['id']}"] = match

    def undo_match(self, *, match: str, reason: str, actor: str) -> None:
        """Take back match ``match`` (recorded with the reason; its lines are free again)."""
        found = self.matches.get(match)
        if found is None:
            raise MatchNotFoundError(
                f"{self.label} has no match {match}", field="match", zh=f"没有勾对 {match}"
            )
        if found["undone"]:
            raise ConflictError(
                f"match {match} was undone already", field="match", zh=f"勾对 {match} 已经撤销"
            )
        if not reason.strip():
            raise InvalidRequestError(
                "say why the match is undone", field="reason", zh="请写明撤销勾对的原因"
            )
        self._match_undone(match=match, reason=reason.strip(), actor=actor)

    @event("MatchUndone")
    def _match_undone(self, *, match: str, reason: str, actor: str) -> None:
        found = self.matches[match]
        found["undone"] = True
        for line_id in found["bank"]:
            self.matched.pop(f"{BANK}:{line_id}", None)
        for line in found["book"]:
            self.matched.pop(f"{BOOK}:{line['id']}", None)

    # -- the month's table --------------------------------------------------------------------

    def record_reconciliation(self, table: Reconciliation, *, actor: str) -> bool:
        """Record the clerk's confirmation of ``table``; answers whether anything was recorded
        (the same month confirmed with the same balances again records nothing)."""
        known = self.reconciled.get(table.month)
        if known is not None and (known["book"], known["bank"]) == (
            table.book_balance,
            table.bank_balance,
        ):
            return False
        self._month_reconciled(
            month=table.month,
            end=table.end,
            book_balance=from_fen(table.book_balance),
            bank_balance=from_fen(table.bank_balance),
            adjusted=from_fen(table.adjusted_book),
            items=table.snapshot(),
            actor=actor,
        )
        return True

    @event("MonthReconciled")
    def _month_reconciled(
        self,
        *,
        month: str,
        end: datetime.date,
        book_balance: Money,
        bank_balance: Money,
        adjusted: Money,
        items: list[dict[str, Any]],
        actor: str,
    ) -> None:
        """The 调节表 of ``month`` confirmed: both balances at ``end``, the adjusted balance
        both sides reach, every 未达账项 (``kind``, ``side``, ``line``, ``date``, ``amount`` fen,
        ``memo``)."""
        self.reconciled[month] = {
            "book": to_fen(book_balance),
            "bank": to_fen(bank_balance),
            "actor": actor,
        }


def _money(value: object, field: str, zh: str) -> Money:
    try:
        return money(value, allow_negative=True, field=field, maximum=MAX_AMOUNT)
    except Exception:
        raise InvalidRequestError(
            f"{field} {str(value)[:40]!r} is not an amount", field=field, zh=f"{zh}有误"
        ) from None


class StatementFormats(Aggregate):
    """The statement columns of each bank, as a township's clerks mapped them."""

    def township_in(self, townships: Townships) -> str | None:
        township: str = self.township
        return township

    def described(self) -> str:
        return f"the bank statement formats of township {self.township}"

    @staticmethod
    def create_id(township: str) -> UUID:
        return statement_formats_id(township)

    @event("Opened")
    def __init__(self, *, township: str) -> None:
        self.township = township
        self.formats: dict[str, dict[str, str]] = {}  # bank → field → column as the file names it

    def remember(self, *, bank: str, columns: dict[str, str], actor: str) -> bool:
        """Remember ``bank``'s columns; answers whether anything changed."""
        if self.formats.get(bank) == columns:
            return False
        self._remembered(bank=bank, columns=dict(columns), actor=actor)
        return True

    @event("Remembered")
    def _remembered(self, *, bank: str, columns: dict[str, str], actor: str) -> None:
        """The columns of ``bank``'s statements: field (date, amount_in, amount_out, amount,
        direction, balance, counterparty, reference, memo) → the column's heading."""
        self.formats[bank] = dict(columns)
