"""现金盘点: counts of a set of books' cash (库存现金, 101) by denomination, and the way their
differences are settled.

``CashCounts`` — one per set of books (``cash_counts_id(entity)``):

- ``Counted``: a count (``PD20261031``; a second count of the same day ``PD20261031-2``): the
  day, the cash account (101 or a sub-account), the pieces of each denomination (``DENOMINATIONS``:
  100 元 … 1 分), the total counted, the books' balance at the end of that day and the
  difference (counted − books: a surplus 长款 positive, a shortage 短款 negative), the voucher
  that booked the difference to 181 待处理财产损溢 (借 181 / 贷 101 for a shortage, 借 101 / 贷
  181 for a surplus; none when they agree), the 出纳 who counted and the 会计 or 监盘人 who
  watched, by name, and a note;
- ``Resolved``: part or all of a count's difference settled by a later voucher once its cause
  is known (a shortage: 借 112 应收款 from the person responsible, 113 内部往来 or 515 其他支出 /
  贷 181; a surplus: 借 181 / 贷 504 其他收入, 211 应付款 or 113).

A count is printed (库存现金盘点表) with the two signatures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.errors import NotFoundError
from domain.ids import NAMESPACE
from domain.owned import Townships
from ledger.money import from_fen, to_fen

# denomination (yuan, as text) → its name on the count sheet
DENOMINATIONS: dict[str, str] = {
    "100": "壹佰元",
    "50": "伍拾元",
    "20": "贰拾元",
    "10": "拾元",
    "5": "伍元",
    "2": "贰元",
    "1": "壹元",
    "0.5": "伍角",
    "0.2": "贰角",
    "0.1": "壹角",
    "0.05": "伍分",
    "0.02": "贰分",
    "0.01": "壹分",
}
MAX_PIECES = 1_000_000

# where a difference may be settled: (the accounts a voucher may use, in Chinese)
SHORTAGE_ACCOUNTS: dict[str, str] = {
    "112": "应收款（由责任人赔偿）",
    "113": "内部往来",
    "515": "其他支出（无法查明原因的短款）",
}
SURPLUS_ACCOUNTS: dict[str, str] = {
    "504": "其他收入（无法查明原因的长款）",
    "211": "应付款（应付给有关单位或个人）",
    "113": "内部往来",
}


class CashCountNotFoundError(NotFoundError):
    kind = "cash-count-not-found"


def cash_counts_id(entity: str) -> UUID:
    return uuid5(NAMESPACE, f"cash-counts:{entity}")


def denomination_fen(denomination: str) -> int:
    return int(Decimal(denomination) * 100)


class CashCounts(Aggregate):
    """The cash counts of one set of books (see the module docstring)."""

    def township_in(self, townships: Townships) -> str | None:
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"the cash counts of {self.entity}"

    @staticmethod
    def create_id(entity: str) -> UUID:
        return cash_counts_id(entity)

    @event("Opened")
    def __init__(self, *, entity: str, township: str) -> None:
        self.entity = entity
        self.township = township
        self.counts: dict[str, dict[str, Any]] = {}  # number → the count (fen, ISO dates)

    def number_for(self, day: datetime.date) -> str:
        """The next count's number on ``day``."""
        base = f"PD{day:%Y%m%d}"
        taken = sum(1 for n in self.counts if n == base or n.startswith(base + "-"))
        return base if not taken else f"{base}-{taken + 1}"

    def outstanding(self, number: str) -> int:
        """What of count ``number``'s difference is not settled yet (fen, positive)."""
        count = self.counts[number]
        return abs(int(count["difference"])) - int(count["resolved"])

    def count(
        self,
        *,
        date: datetime.date,
        account: str,
        pieces: dict[str, int],
        counted: Money,
        book: Money,
        entry: str | None,
        cashier: str,
        supervisor: str,
        note: str,
        actor: str,
    ) -> str:
        number = self.number_for(date)
        self._counted(
            number=number,
            date=date,
            account=account,
            pieces=pieces,
            counted=counted,
            book=book,
            difference=counted - book,
            entry=entry,
            cashier=cashier,
            supervisor=supervisor,
            note=note,
            actor=actor,
        )
        return number

    @event("Counted")
    def _counted(
        self,
        *,
        number: str,
        date: datetime.date,
        account: str,
        pieces: dict[str, int],
        counted: Money,
        book: Money,
        difference: Money,
        entry: str | None,
        cashier: str,
        supervisor: str,
        note: str,
        actor: str,
    ) -> None:
        """Count ``number`` of ``date``: ``pieces`` per denomination, ``counted`` the total,
        ``book`` the balance of ``account`` that day, ``difference`` counted − book, booked to
        181 by voucher ``entry`` (None when nil)."""
        self.counts[number] = {
            "date": date.isoformat(),
            "account": account,
            "pieces": dict(pieces),
            "counted": to_fen(counted),
            "book": to_fen(book),
            "difference": to_fen(difference),
            "entry": entry,
            "cashier": cashier,
            "supervisor": supervisor,
            "note": note,
            "resolved": 0,
            "resolutions": [],
        }

    @event("Resolved")
    def _resolved(
        self,
        *,
        number: str,
        date: datetime.date,
        amount: Money,
        account: str,
        entry: str,
        memo: str,
        actor: str,
    ) -> None:
        """``amount`` of count ``number``'s difference settled on ``date`` against ``account``
        by voucher ``entry``."""
        count = self.counts[number]
        count["resolved"] = int(count["resolved"]) + to_fen(amount)
        count["resolutions"].append(
            {"date": date.isoformat(), "amount": to_fen(amount), "account": account, "entry": entry}
        )

    def resolve(
        self,
        *,
        number: str,
        date: datetime.date,
        amount: Money,
        account: str,
        entry: str,
        memo: str,
        actor: str,
    ) -> None:
        self._resolved(
            number=number,
            date=date,
            amount=amount,
            account=account,
            entry=entry,
            memo=memo,
            actor=actor,
        )

    def difference(self, number: str) -> Money:
        return from_fen(int(self.counts[number]["difference"]))
