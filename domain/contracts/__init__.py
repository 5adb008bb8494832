"""The 经济合同 register (经济合同登记簿): every contract a village or joint entity signs —
enterprise agreements, leases of assets, 承包 and 流转 of resources, construction, purchases,
services — with its counterparty, its subject, its term, the amounts due by date (a schedule of
instalments) and what was received or paid against them.

Decisions:

- **Direction.** A contract is receivable (对方付给本集体: rents, 承包费, an enterprise's
  payments) or payable (本集体付给对方: construction, land taken in); one schedule either way.
- **The term** runs from ``start`` to ``end``, both days included; every instalment falls due
  within it (a contract ending before it starts, or an instalment outside its term, is refused).
- **Receipts and payments** are allocated to the instalments: to the one named, or oldest first;
  never more than is still due (the allocation is recorded in the event, so it never changes).
  A receipt may name the entry (凭证号) that took the money into the books; the contract
  register does not post (the voucher goes through 制单, 审核 and 记账 like any other).
- **Closing.** A contract is ended (到期终止: on or after the last day of its term) or
  terminated (解除, with the reason, any day from its signing). Instalments due after the day it
  closed are no longer due; those due before stay due (arrears are still collected).
- **Overdue** means due before the day asked about and not fully received or paid.
- **Counterparties.** A natural person's ID number is sealed with a key of its own
  (``domain.privacy``); the register keeps it for the staff, masked, and nothing public shows it
  (nor the person's full name).
- **The subject** is a resource of the same books (checked, and the resource records the
  contract: ``domain.resources``), an asset (its code, kept as given: the asset register links
  it) or something else (a code or nothing).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships
from domain.periods import add_months
from ledger.errors import LedgerError
from ledger.money import MAX_AMOUNT, amount_str, format_yuan, from_fen, money, text_fen, to_fen

KINDS: dict[str, str] = {
    "enterprise": "企业合作协议",
    "lease": "资产租赁",
    "contracting": "资源发包（承包）",
    "transfer": "土地流转",
    "construction": "工程建设",
    "purchase": "采购",
    "service": "服务、劳务",
    "other": "其他",
}
DIRECTIONS: dict[str, str] = {"receivable": "应收", "payable": "应付"}
DEFAULT_DIRECTION: dict[str, str] = {
    "enterprise": "receivable",
    "lease": "receivable",
    "contracting": "receivable",
    "transfer": "receivable",
    "construction": "payable",
    "purchase": "payable",
    "service": "payable",
    "other": "receivable",
}
PARTIES: dict[str, str] = {
    "person": "自然人",
    "organisation": "企业或单位",
    "collective": "集体经济组织",
}
SUBJECTS: dict[str, str] = {"resource": "资源", "asset": "资产", "other": "其他"}
STATUSES: dict[str, str] = {"in-force": "履行中", "ended": "已到期终止", "terminated": "已解除"}
MAX_INSTALMENTS = 1200
MAX_YEARS = 99
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
"""统一社会信用代码 (GB 32100): 18 characters, no I, O, S, V, Z."""
EVERY: dict[int, str] = {1: "每月", 3: "每季", 6: "每半年", 12: "每年"}


def contract_id(entity: str, code: str) -> UUID:
    return uuid5(NAMESPACE, f"contract:{entity}:{code}")


def party_subject(entity: str, code: str) -> str:
    """Whose key seals the counterparty's ID number (``domain.privacy``)."""
    return f"contract:{entity}:{code}"


def checked_term(start: datetime.date, end: datetime.date, signed_on: datetime.date) -> None:
    if end < start:
        raise InvalidRequestError(
            f"the contract ends on {end}, before it starts on {start}",
            field="end",
            zh=f"合同止日 {end} 早于起日 {start}，请检查合同期限",
        )
    if end.year - start.year > MAX_YEARS:
        raise InvalidRequestError(
            f"a contract runs at most {MAX_YEARS} years",
            field="end",
            zh=f"合同期限最长 {MAX_YEARS} 年",
        )
    if signed_on > end:
        raise InvalidRequestError(
            f"the contract is signed on {signed_on}, after its term ends ({end})",
            field="signed_on",
            zh=f"签订日期 {signed_on} 晚于合同止日 {end}",
        )


def checked_schedule(
    rows: Sequence[tuple[datetime.date, object]], start: datetime.date, end: datetime.date
) -> list[dict[str, str]]:
    """The instalments (due date, amount) in date order: each due within the term, above zero,
    one per date."""
    if len(rows) > MAX_INSTALMENTS:
        raise InvalidRequestError(
            f"at most {MAX_INSTALMENTS} instalments",
            field="instalments",
            zh=f"一份合同最多 {MAX_INSTALMENTS} 期",
        )
    found: dict[str, str] = {}
    for index, (due_on, amount) in enumerate(rows, start=1):
        where = f"instalments[{index - 1}]"
        if not isinstance(due_on, datetime.date) or not start <= due_on <= end:
            raise InvalidRequestError(
                f"{where}.due_on {due_on} is outside the term {start} to {end}",
                field=f"{where}.due_on",
                zh=f"第{index}期的应付日 {due_on} 不在合同期限 {start} 至 {end} 之内",
            )
        try:
            value = money(amount, allow_zero=False, field=f"{where}.amount", maximum=MAX_AMOUNT)
        except LedgerError:
            raise InvalidRequestError(
                f"{where}.amount {str(amount)[:20]!r} is not an amount above zero",
                field=f"{where}.amount",
                zh=f"第{index}期的金额要大于 0，最多两位小数，不超过 100 亿元",
            ) from None
        key = due_on.isoformat()
        if key in found:
            raise InvalidRequestError(
                f"two instalments fall due on {key}",
                field=f"{where}.due_on",
                zh=f"有两期都在 {key} 到期，请合并为一期",
            )
        found[key] = amount_str(value)
    return [{"due_on": day, "amount": found[day]} for day in sorted(found)]


def regular_schedule(
    start: datetime.date, end: datetime.date, amount: object, every_months: int
) -> list[tuple[datetime.date, str]]:
    """The same amount due every ``every_months`` months from ``start`` through ``end``
    (a month's day the month lacks is its last day): what a form offers for a plain rent."""
    if every_months not in EVERY:
        raise InvalidRequestError(
            f"every_months is one of {', '.join(str(m) for m in EVERY)}",
            field="every",
            zh="付款周期只能是每月、每季、每半年或每年",
        )
    value = amount_str(money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT))
    days: list[tuple[datetime.date, str]] = []
    index = 0
    while True:
        day = add_months(start, index * every_months)
        if day > end:
            return days
        if len(days) >= MAX_INSTALMENTS:
            raise InvalidRequestError(
                "too many instalments",
                field="every",
                zh=f"按这个周期超过 {MAX_INSTALMENTS} 期，请改用较长的周期",
            )
        days.append((day, value))
        index += 1


class Contract(Aggregate):
    """One economic contract of one set of books, its schedule and what was received or paid."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its books (``domain.tenancy``)."""
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"contract {self.code} of {self.entity}"

    @staticmethod
    def create_id(entity: str, code: str) -> UUID:
        return contract_id(entity, code)

    @event("ContractRegistered")
    def __init__(
        self,
        *,
        entity: str,
        township: str,
        code: str,
        title: str,
        kind: str,
        direction: str,
        party_kind: str,
        party_name: str,
        party_id: str,
        party_code: str,
        subject_kind: str,
        subject_code: str,
        area: str,
        start: datetime.date,
        end: datetime.date,
        signed_on: datetime.date,
        instalments: list[dict[str, str]],
        actor: str,
    ) -> None:
        self.entity = entity
        self.township = township
        self.code = code
        self.title = title
        self.kind = kind
        self.direction = direction
        self.party_kind = party_kind
        self.party_name = party_name
        self.party_id = party_id  # sealed (domain.privacy), '' when none was given
        self.party_code = party_code  # 统一社会信用代码 of an organisation
        self.subject_kind = subject_kind
        self.subject_code = subject_code
        self.area = area
        self.start = start
        self.end = end
        self.signed_on = signed_on
        # [due_on (iso), due (fen), settled (fen)], in date order
        self.schedule: list[list[Any]] = [
            [row["due_on"], text_fen(row["amount"]), 0] for row in instalments
        ]
        self.status = "in-force"
        self.closed_on: datetime.date | None = None
        self.reason = ""
        # number, date (iso), fen, allocation [[due_on, fen]], entry, reversed
        self.payments: list[dict[str, Any]] = []

    # -- what it says ------------------------------------------------------------------------

    @property
    def words(self) -> str:
        """收 or 付: what a payment under it is called."""
        return "收" if self.direction == "receivable" else "付"

    def counted(self) -> list[list[Any]]:
        """The instalments still due under it (those after the day it closed are not)."""
        if self.closed_on is None:
            return self.schedule
        last = self.closed_on.isoformat()
        return [row for row in self.schedule if row[0] <= last]

    @property
    def total_due(self) -> Money:
        return from_fen(sum(row[1] for row in self.counted()))

    @property
    def settled(self) -> Money:
        return from_fen(sum(row[2] for row in self.schedule))

    @property
    def outstanding(self) -> Money:
        return from_fen(sum(row[1] - row[2] for row in self.counted()))

    def overdue(self, on: datetime.date) -> Money:
        """What fell due before ``on`` and is not yet received (paid)."""
        day = on.isoformat()
        return from_fen(sum(row[1] - row[2] for row in self.counted() if row[0] < day))

    @property
    def last_day(self) -> datetime.date:
        """The last day it is in force: its end, or the day it closed when earlier."""
        if self.closed_on is not None and self.closed_on < self.end:
            return self.closed_on
        return self.end

    def in_force(self, on: datetime.date) -> bool:
        return self.start <= on <= self.last_day

    def require_open(self) -> None:
        if self.status != "in-force":
            raise ConflictError(
                f"contract {self.code} was {self.status} on {self.closed_on}",
                field="date",
                zh=f"合同 {self.code} 已于 {self.closed_on} {STATUSES[self.status]}",
            )

    # -- receipts and payments ---------------------------------------------------------------

    def allocate(self, amount: Money, instalment: datetime.date | None) -> list[list[Any]]:
        """Where ``amount`` goes: [[due_on, fen]], to ``instalment`` or oldest first; refused
        when it is more than is still due (there, or in all)."""
        fen = to_fen(amount)
        rows = self.counted()
        if instalment is not None:
            day = instalment.isoformat()
            rows = [row for row in rows if row[0] == day]
            if not rows:
                raise InvalidRequestError(
                    f"contract {self.code} has no instalment due on {day}",
                    field="instalment",
                    zh=f"合同 {self.code} 没有 {day} 到期的一期",
                )
        left = sum(row[1] - row[2] for row in rows)
        if fen > left:
            where = f"{instalment} 这一期" if instalment is not None else ""
            raise ConflictError(
                f"contract {self.code} has {format_yuan(from_fen(left))} still due"
                + (f" on {instalment}" if instalment is not None else "")
                + f"; {format_yuan(amount)} is more than that",
                field="amount",
                zh=f"合同 {self.code} {where}尚未{self.words}的只有 {format_yuan(from_fen(left))}，"
                f"{format_yuan(amount)} 超出了应{self.words}的金额",
            )
        allocation = []
        for row in rows:
            if fen == 0:
                break
            part = min(fen, row[1] - row[2])
            if part > 0:
                allocation.append([row[0], part])
                fen -= part
        return allocation

    def record_payment(
        self,
        *,
        date: datetime.date,
        amount: Money,
        instalment: datetime.date | None,
        entry: str,
        memo: str,
        actor: str,
    ) -> int:
        """A receipt (or payment) under the contract; answers its number in the contract."""
        if date < self.signed_on:
            raise InvalidRequestError(
                f"{date} is before the contract was signed ({self.signed_on})",
                field="date",
                zh=f"{self.words}款日期 {date} 早于合同签订日期 {self.signed_on}",
            )
        allocation = self.allocate(amount, instalment)
        number = len(self.payments) + 1
        self._payment_recorded(
            number=number,
            date=date,
            amount=amount,
            allocation=[
                {"due_on": day, "amount": amount_str(from_fen(f))} for day, f in allocation
            ],
            entry=entry,
            memo=memo,
            actor=actor,
        )
        return number

    @event("ContractPaymentRecorded")
    def _payment_recorded(
        self,
        *,
        number: int,
        date: datetime.date,
        amount: Money,
        allocation: list[dict[str, str]],
        entry: str,
        memo: str,
        actor: str,
    ) -> None:
        parts = {row["due_on"]: text_fen(row["amount"]) for row in allocation}
        for row in self.schedule:
            row[2] += parts.get(row[0], 0)
        self.payments.append(
            {
                "number": number,
                "date": date.isoformat(),
                "fen": to_fen(amount),
                "allocation": [[day, fen] for day, fen in parts.items()],
                "entry": entry,
                "reversed": False,
            }
        )

    def reverse_payment(self, *, number: int, date: datetime.date, reason: str, actor: str) -> None:
        """A receipt (payment) recorded by mistake is taken back, with the reason: what it
        settled is due again."""
        if not 1 <= number <= len(self.payments):
            raise InvalidRequestError(
                f"contract {self.code} has no payment number {number}",
                field="number",
                zh=f"合同 {self.code} 没有第 {number} 笔{self.words}款",
            )
        payment = self.payments[number - 1]
        if payment["reversed"]:
            raise ConflictError(
                f"payment {number} of contract {self.code} is already reversed",
                field="number",
                zh=f"合同 {self.code} 的第 {number} 笔{self.words}款已经冲销过",
            )
        paid_on = payment["date"]
        if date.isoformat() < paid_on:
            raise InvalidRequestError(
                f"{date} is before the payment ({paid_on})",
                field="date",
                zh=f"冲销日期 {date} 早于这笔{self.words}款的日期 {paid_on}",
            )
        self._payment_reversed(number=number, date=date, reason=reason, actor=actor)

    @event("ContractPaymentReversed")
    def _payment_reversed(
        self, *, number: int, date: datetime.date, reason: str, actor: str
    ) -> None:
        payment = self.payments[number - 1]
        parts = dict((day, fen) for day, fen in payment["allocation"])
        for row in self.schedule:
            row[2] -= parts.get(row[0], 0)
        payment["reversed"] = True

    # -- closing -----------------------------------------------------------------------------

    def end_term(self, *, date: datetime.date, actor: str) -> None:
        """到期终止: the term has run (on or after its last day)."""
        self.require_open()
        if date < self.end:
            raise InvalidRequestError(
                f"contract {self.code} runs until {self.end}; terminate it (with the reason) "
                "to close it earlier",
                field="date",
                zh=f"合同 {self.code} 到 {self.end} 才到期；提前终止请办理合同解除并写明原因",
            )
        self._ended(date=date, actor=actor)

    @event("ContractEnded")
    def _ended(self, *, date: datetime.date, actor: str) -> None:
        self.status = "ended"
        self.closed_on = date

    def terminate(self, *, date: datetime.date, reason: str, actor: str) -> None:
        """解除: closed on ``date`` (from its signing), with the reason."""
        self.require_open()
        if date < self.signed_on:
            raise InvalidRequestError(
                f"{date} is before the contract was signed ({self.signed_on})",
                field="date",
                zh=f"解除日期 {date} 早于合同签订日期 {self.signed_on}",
            )
        self._terminated(date=date, reason=reason, actor=actor)

    @event("ContractTerminated")
    def _terminated(self, *, date: datetime.date, reason: str, actor: str) -> None:
        self.status = "terminated"
        self.closed_on = date
        self.reason = reason
