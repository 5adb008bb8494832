"""The commands on cash counts (``app.cash``): count the cash of a set of books, booking the
difference to 181 待处理财产损溢 in the same save, and settle a difference by a later voucher.

Accounting (《农村集体经济组织会计制度》 2023): a shortage found by the count (短款) is 借 181 /
贷 101, a surplus (长款) 借 101 / 贷 181, dated the day of the count; once its cause is known
the difference leaves 181: a shortage to 112 应收款 (the person responsible pays it), 113 or 515
其他支出, a surplus to 504 其他收入, 211 应付款 or 113. The books refuse a count's voucher in a
closed month like any other.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from domain.bank.statements import clean_text
from domain.books.service import BooksService
from domain.cash import (
    DENOMINATIONS,
    MAX_PIECES,
    SHORTAGE_ACCOUNTS,
    SURPLUS_ACCOUNTS,
    CashCountNotFoundError,
    CashCounts,
    cash_counts_id,
    denomination_fen,
)
from domain.errors import ConflictError, InvalidRequestError
from domain.periods import require_not_after
from domain.port import Port
from domain.township.service import TownshipService
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, format_yuan, from_fen, money

SUSPENSE = "181"  # 待处理财产损溢


def checked_pieces(pieces: Mapping[str, object]) -> dict[str, int]:
    """The pieces of each denomination, whole numbers 0 … ``MAX_PIECES``; blank ones dropped."""
    found: dict[str, int] = {}
    for denomination, value in pieces.items():
        if denomination not in DENOMINATIONS:
            raise InvalidRequestError(
                f"{denomination!r} is not a denomination ({', '.join(DENOMINATIONS)})",
                field=f"pieces.{denomination}",
                zh=f"面额 {str(denomination)[:12]} 不是人民币的面额",
            )
        if value in (None, "", 0, "0"):
            continue
        try:
            count = int(str(value).strip())
        except ValueError:
            count = -1
        if isinstance(value, (bool, float)) or not 0 <= count <= MAX_PIECES:
            raise InvalidRequestError(
                f"pieces.{denomination}: a whole number of pieces, 0 to {MAX_PIECES}",
                field=f"pieces.{denomination}",
                zh=f"{DENOMINATIONS[denomination]}的张（枚）数应为 0 到 {MAX_PIECES} 的整数",
            )
        if count:
            found[denomination] = count
    return dict(sorted(found.items(), key=lambda item: -denomination_fen(item[0])))


class CashService:
    """Cash counts and the settling of their differences; ``app.cash``."""

    def __init__(self, port: Port, books: BooksService, township: TownshipService) -> None:
        self.port = port
        self.books = books
        self.township = township

    def find(self, entity: str) -> CashCounts | None:
        found = self.port.find(cash_counts_id(entity))
        assert found is None or isinstance(found, CashCounts)
        return found

    def get_count(self, entity: str, number: str) -> tuple[CashCounts, dict[str, object]]:
        counts = self.find(entity)
        if counts is None or number not in counts.counts:
            raise CashCountNotFoundError(
                f"{entity} has no cash count {number}",
                field="number",
                zh=f"{entity} 没有编号为 {number} 的现金盘点",
            )
        return counts, counts.counts[number]

    def count(
        self,
        *,
        entity: str,
        date: datetime.date,
        pieces: Mapping[str, object],
        cashier: str = "",
        supervisor: str = "",
        note: str = "",
        account: str = "101",
        actor: str,
    ) -> str:
        """现金盘点 of ``entity``'s cash at the end of ``date``; a difference from the books is
        booked to 181 in the same save. Answers the count's number."""
        counted_pieces = checked_pieces(pieces)
        counted = from_fen(sum(denomination_fen(d) * n for d, n in counted_pieces.items()))
        if counted.amount > MAX_AMOUNT:
            raise InvalidRequestError("too much cash", field="pieces", zh="盘点金额过大")
        if not (account == "101" or (account.startswith("101") and account.isalnum())):
            raise InvalidRequestError(
                "a cash count counts 101 or a sub-account of it",
                field="account",
                zh="现金盘点只针对 101 库存现金（或其明细科目）",
            )
        note = clean_text(note, field="note", zh="备注")
        require_not_after(date, self.port.today(), what="a cash count")
        default_supervisor, default_cashier = self.township.signers_of(entity)
        cashier = clean_text(cashier, field="cashier", zh="出纳姓名")[:32] or default_cashier
        supervisor = (
            clean_text(supervisor, field="supervisor", zh="监盘人姓名")[:32] or default_supervisor
        )

        def command() -> str:
            books = self.port.get_books(entity)
            if account == "101" and books.has_sub_accounts("101"):
                raise InvalidRequestError(
                    "101 has sub-accounts: count one of them",
                    field="account",
                    zh="101 库存现金有明细科目：请选择要盘点的明细科目",
                )
            counts = self.find(entity) or CashCounts(entity=entity, township=books.township)
            book = from_fen(self.books.balances_through(books, date).get(account, 0))
            difference = counted - book
            number = counts.number_for(date)
            entry = None
            if difference != ZERO:
                shortage = difference < ZERO
                amount = -difference if shortage else difference
                debit, credit = (SUSPENSE, account) if shortage else (account, SUSPENSE)
                what = "短款" if shortage else "长款"
                posted = books.post_entry(
                    date=date,
                    memo=f"现金盘点{what}（{number}）",
                    postings=[
                        {"account": debit, "side": "debit", "amount": amount},
                        {"account": credit, "side": "credit", "amount": amount},
                    ],
                    actor=actor,
                    source=f"cash-count:{number}",
                )
                entry = posted.number
            counts.count(
                date=date,
                account=account,
                pieces=counted_pieces,
                counted=counted,
                book=book,
                entry=entry,
                cashier=cashier,
                supervisor=supervisor,
                note=note,
                actor=actor,
            )
            self.port.save(*([books] if entry else []), counts)
            return number

        return self.port.retrying(command)

    def resolve(
        self,
        *,
        entity: str,
        number: str,
        date: datetime.date,
        account: str,
        amount: object = None,
        memo: str = "",
        actor: str,
    ) -> JournalEntry:
        """处理盘盈盘亏: settle ``amount`` (all that is left when None) of count ``number``'s
        difference against ``account`` by a voucher dated ``date``."""
        memo = clean_text(memo, field="memo", zh="摘要")
        require_not_after(date, self.port.today(), what="a settled cash difference")

        def command() -> JournalEntry:
            counts, count = self.get_count(entity, number)
            difference = int(count["difference"])  # type: ignore[call-overload]
            if difference == 0:
                raise ConflictError(
                    f"count {number} found no difference",
                    field="number",
                    zh=f"盘点 {number} 账实相符，没有需要处理的差额",
                )
            left = counts.outstanding(number)
            if left <= 0:
                raise ConflictError(
                    f"the difference of count {number} is settled",
                    field="number",
                    zh=f"盘点 {number} 的差额已经处理完毕",
                )
            shortage = difference < 0
            allowed = SHORTAGE_ACCOUNTS if shortage else SURPLUS_ACCOUNTS
            if not account.startswith(tuple(allowed)) or not account.isalnum():
                shown = "、".join(f"{c} {n}" for c, n in allowed.items())
                raise InvalidRequestError(
                    f"a {'shortage' if shortage else 'surplus'} is settled to one of "
                    f"{', '.join(allowed)}",
                    field="account",
                    zh=f"{'短款' if shortage else '长款'}可转入：{shown}",
                )
            counted_on = datetime.date.fromisoformat(str(count["date"]))
            if date < counted_on:
                raise InvalidRequestError(
                    "a difference is settled after its count",
                    field="date",
                    zh=f"处理日期不能早于盘点日期 {counted_on}",
                )
            value = (
                from_fen(left)
                if amount in (None, "")
                else money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)
            )
            if value > from_fen(left):
                raise ConflictError(
                    f"{format_yuan(value)} is more than the {format_yuan(from_fen(left))} left",
                    field="amount",
                    zh=f"处理金额 {format_yuan(value)} 超过尚未处理的差额 "
                    f"{format_yuan(from_fen(left))}",
                )
            books = self.port.get_books(entity)
            debit, credit = (account, SUSPENSE) if shortage else (SUSPENSE, account)
            what = "短款" if shortage else "长款"
            entry = books.post_entry(
                date=date,
                memo=memo or f"处理现金盘点{what}（{number}）",
                postings=[
                    {"account": debit, "side": "debit", "amount": value},
                    {"account": credit, "side": "credit", "amount": value},
                ],
                actor=actor,
                source=f"cash-count:{number}",
            )
            counts.resolve(
                number=number,
                date=date,
                amount=value,
                account=account,
                entry=entry.number,
                memo=entry.memo,
                actor=actor,
            )
            self.port.save(books, counts)
            return entry

        return self.port.retrying(command)
