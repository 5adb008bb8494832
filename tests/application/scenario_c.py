"""Scenario C (issue 22's acceptance scenario): 仉家村 V01's account at 高青农商银行 (ending
3021) on 102 sub-account 10201, kept here from 2026-09-01, reconciled for September, October
(two 未达账项 carried over the month end: the interest the bank paid on 10-31, booked on
11-05; the cheque to the 施工队 written on 10-30, paid by the bank on 11-03) and November.
Every write goes through the one runner, as a front end would. No tests here: the application
test and the integration test (on both stores, from the statement files of ``tests/data/bank``)
tell the story with it.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from domain.application import LianzhangApplication
from domain.bank.commands import ImportStatement, RegisterBankAccount
from domain.bank.statements import Statement, StatementLine
from domain.books.commands import PostEntry, RegisterVillage, SetOpeningBalances
from domain.commands import Command
from domain.runner import Caller, Runner

D = datetime.date
TOWNSHIP, COUNTY = "唐坊镇", "高青县"
VILLAGE, ACCOUNT, NUMBER = "V01", "10201", "9001 0001 2365 3021"
TODAY = D(2026, 12, 7)
FILES = Path(__file__).resolve().parents[1] / "data" / "bank"
CLERK = Caller("clerk-1", frozenset({TOWNSHIP}))

# the books: (date, memo, account debited, account credited, amount)
BOOKS: dict[str, list[tuple[datetime.date, str, str, str, str]]] = {
    "before": [
        (D(2026, 3, 15), "收到土地承包费", ACCOUNT, "501", "20000.00"),
        (D(2026, 6, 10), "支付保洁员工资", "513", ACCOUNT, "1500.00"),
    ],
    "2026-09": [
        (D(2026, 9, 12), "收到村级组织运转补助", ACCOUNT, "503", "3000.00"),
        (D(2026, 9, 25), "购买办公用品", "513", ACCOUNT, "1500.00"),
    ],
    "2026-10": [
        (D(2026, 10, 8), "收到土地租金", ACCOUNT, "501", "12000.00"),
        (D(2026, 10, 20), "支付10月电费", "513", ACCOUNT, "860.50"),
        (D(2026, 10, 30), "支付施工队维修款 支票号10300001", "511", ACCOUNT, "5000.00"),
    ],
    "2026-11": [
        (D(2026, 11, 5), "收到银行10月利息", ACCOUNT, "504", "23.45"),
        (D(2026, 11, 15), "收到厂房租金", ACCOUNT, "501", "8000.00"),
    ],
}

# the bank: (date, amount, balance, counterparty, reference, memo), month by month
BANK: dict[str, list[tuple[datetime.date, str, str, str, str, str]]] = {
    "2026-09": [
        (D(2026, 9, 12), "3000.00", "251500.00", "唐坊镇财政所", "ZZ2609120001", "补助款"),
        (D(2026, 9, 26), "-1500.00", "250000.00", "高青县文具商店", "ZZ2609260003", "货款"),
    ],
    "2026-10": [
        (
            D(2026, 10, 8),
            "12000.00",
            "262000.00",
            "纽澜地农业科技有限公司",
            "ZZ2610080007",
            "土地租金",
        ),
        (D(2026, 10, 21), "-860.50", "261139.50", "国网高青县供电公司", "DF2610210002", "电费代扣"),
        (D(2026, 10, 31), "23.45", "261162.95", "", "LX2610310001", "结息"),
    ],
    "2026-11": [
        (D(2026, 11, 3), "-5000.00", "256162.95", "高青县众力施工队", "10300001", "转账支票"),
        (
            D(2026, 11, 15),
            "8000.00",
            "264162.95",
            "纽澜地农业科技有限公司",
            "ZZ2611150011",
            "厂房租金",
        ),
        (D(2026, 11, 30), "-15.00", "264147.95", "", "SXF2611300001", "手续费"),
    ],
}
MONTHS = ("2026-09", "2026-10", "2026-11")
PERIODS = {
    "2026-09": (D(2026, 9, 1), D(2026, 9, 30)),
    "2026-10": (D(2026, 10, 1), D(2026, 10, 31)),
    "2026-11": (D(2026, 11, 1), D(2026, 11, 30)),
}
OPENING_PER_STATEMENT = "248500.00"  # books and bank agree on 2026-09-01


def application() -> LianzhangApplication:
    return LianzhangApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: TODAY)


def statement(month: str, **changes: Any) -> Statement:
    """The month's statement as the bank exported it (``changes``: a field made otherwise)."""
    start, end = PERIODS[month]
    lines = tuple(
        StatementLine(
            date=day,
            amount=amount,
            balance=balance,
            counterparty=party,
            reference=reference,
            memo=memo,
            row=index + 6,
        )
        for index, (day, amount, balance, party, reference, memo) in enumerate(BANK[month])
    )
    fields: dict[str, Any] = {
        "lines": lines,
        "start": start,
        "end": end,
        "account_number": "900100012365" + "3021",
        "file_name": f"高青农商银行对账单{month}.csv",
        "digest": f"{month}-file",
        "format": "nongshang",
    }
    fields.update(changes)
    return Statement(**fields)


class Story:
    """The scenario on one application, through the runner."""

    def __init__(self, app: LianzhangApplication | None = None) -> None:
        self.app = app or application()
        self.runner = Runner(self.app)

    def run(self, command: Command[Any], caller: Caller = CLERK) -> Any:
        return self.runner.run(command, caller).result

    def village(self) -> None:
        """仉家村, its bank account on 10201 (opened with it), its 期初余额 of 2026-01-01 and
        the year's entries before September."""
        self.run(
            RegisterVillage(
                code=VILLAGE,
                name="仉家村",
                township=TOWNSHIP,
                county=COUNTY,
                population=1200,
                households=380,
            )
        )
        self.run(
            RegisterBankAccount(
                entity=VILLAGE,
                account=ACCOUNT,
                name="高青农商银行",
                bank="高青农商银行",
                branch="唐坊支行",
                number=NUMBER,
                format="nongshang",
                start=D(2026, 9, 1),
                opening=OPENING_PER_STATEMENT,
            )
        )
        self.run(
            SetOpeningBalances(
                entity=VILLAGE,
                as_of=D(2026, 1, 1),
                balances=(
                    {"account": ACCOUNT, "side": "debit", "amount": "230000.00"},
                    {"account": "101", "side": "debit", "amount": "3000.00"},
                    {"account": "301", "side": "credit", "amount": "200000.00"},
                    {"account": "311", "side": "credit", "amount": "33000.00"},
                ),
            )
        )
        self.post("before")

    def post(self, month: str) -> list[str]:
        """The month's entries in the books; answers their voucher numbers."""
        numbers = []
        for day, memo, debit, credit, amount in BOOKS[month]:
            entry = self.run(
                PostEntry(
                    entity=VILLAGE,
                    date=day,
                    memo=memo,
                    postings=(
                        {"account": debit, "side": "debit", "amount": amount},
                        {"account": credit, "side": "credit", "amount": amount},
                    ),
                )
            )
            numbers.append(entry.number)
        return numbers

    def import_month(self, month: str, **changes: Any) -> int:
        seq: int = self.run(
            ImportStatement(entity=VILLAGE, account=ACCOUNT, statement=statement(month, **changes))
        )
        return seq
