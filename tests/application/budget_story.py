"""仉家村's financial plan for 2026 (README "财务计划"), told through the one runner as a front end
would: the plan proposed in January and approved by 四议两公开, the first half year's vouchers,
a voucher in August that takes 管理费用 past its plan, a revision in September. No tests here:
the application test and the e2e test on both stores tell the story with it.

The figures (hand computation):

- plan, version 1: 经营收入 (501) 120,000.00, 补助收入 (503) 50,000.00; 管理费用 (513) 30,000.00,
  公益支出 (514) 40,000.00, 其他支出 (515) 5,000.00 — income 170,000.00, expenses 75,000.00;
- posted to the end of July: 501 60,000.00 (Feb), 503 50,000.00 (Apr), 504 800.00 (Jul, no
  line: 未列入计划的收入); 513 12,000.00 (Mar) + 16,500.00 (Jun) = 28,500.00, 514 25,000.00 (May);
- August: 管理费用 3,200.00 → 31,700.00 > 30,000.00 (over by 1,700.00; 105.67%);
- through August: income 110,800.00 (65.18% of 170,000.00), expenses 56,700.00 (75.60% of
  75,000.00), result 54,100.00 against 95,000.00 planned;
- version 2 (September, 管理费用 35,000.00): in force from its 决议 on 2026-09-20; through
  September 管理费用 is 31,700.00 of 35,000.00 (90.57%).
"""

from __future__ import annotations

import datetime
from typing import Any

from domain.application import LianzhangApplication
from domain.books.commands import PostEntry, RegisterVillage, SetOpeningBalances
from domain.budget.commands import (
    ProposeFinancialPlan,
    RecordFinancialPlanStep,
    ReviseFinancialPlan,
)
from domain.commands import Command
from domain.runner import Caller, Runner
from domain.vouchers.commands import DraftVoucher, SubmitVoucher

D = datetime.date
TOWNSHIP, COUNTY = "唐坊镇", "高青县"
VILLAGE, NAME, YEAR = "V01", "仉家村", 2026

LINES: list[dict[str, Any]] = [
    {"accounts": ["501"], "amount": "120000.00"},
    {"accounts": ["503"], "amount": "50000.00"},
    {"accounts": ["513"], "amount": "30000.00"},
    {"accounts": ["514"], "amount": "40000.00"},
    {"name": "其他支出", "accounts": ["515"], "amount": "5000.00"},
]
VOTE = {"expected": 7, "present": 7, "votes_for": 7, "votes_against": 0, "abstentions": 0}


def steps(start: datetime.date) -> list[tuple[str, datetime.date, dict[str, Any]]]:
    """提议 … 决议公开, a few days apart from ``start``."""
    day = datetime.timedelta(days=1)
    return [
        ("提议", start, {"body": "村党支部"}),
        ("商议", start + 3 * day, {"body": "村两委联席会议", **VOTE}),
        (
            "审议",
            start + 7 * day,
            {
                "body": "党员大会",
                "expected": 30,
                "present": 25,
                "votes_for": 24,
                "votes_against": 1,
                "abstentions": 0,
            },
        ),
        (
            "决议",
            start + 15 * day,
            {
                "body": "村民代表会议",
                "assembly": "representatives",
                "expected": 35,
                "present": 30,
                "votes_for": 28,
                "votes_against": 1,
                "abstentions": 1,
            },
        ),
        ("决议公开", start + 16 * day, {"body": "村委会", "place": "村务公开栏"}),
    ]


POSTED = [  # date, memo, debit, credit, amount
    (D(2026, 2, 10), "收到土地流转费", "102", "501", "60000.00"),
    (D(2026, 3, 15), "支付办公费", "513", "102", "12000.00"),
    (D(2026, 4, 20), "收到上级补助", "102", "503", "50000.00"),
    (D(2026, 5, 10), "村内道路维修", "514", "102", "25000.00"),
    (D(2026, 6, 30), "支付上半年村干部报酬", "513", "102", "16500.00"),
    (D(2026, 7, 5), "收到存款利息", "102", "504", "800.00"),
]
OVER = (D(2026, 8, 12), "支付会议费和办公用品", "513", "102", "3200.00")


class BudgetStory:
    """The story on one application, through the runner (``tester`` writes; ``reviewer``
    reviews a voucher)."""

    def __init__(self, app: LianzhangApplication) -> None:
        self.app = app
        self.runner = Runner(app)

    def run(self, command: Command[Any], actor: str = "tester") -> Any:
        return self.runner.run(command, Caller(actor)).result

    def village(self) -> None:
        self.run(
            RegisterVillage(
                code=VILLAGE,
                name=NAME,
                township=TOWNSHIP,
                county=COUNTY,
                population=1200,
                households=360,
            )
        )
        self.run(
            SetOpeningBalances(
                entity=VILLAGE,
                as_of=D(2026, 1, 1),
                balances=[
                    {"account": "102", "side": "debit", "amount": "500000.00"},
                    {"account": "301", "side": "credit", "amount": "500000.00"},
                ],
            )
        )

    def propose(self) -> None:
        self.run(
            ProposeFinancialPlan(entity=VILLAGE, year=YEAR, lines=LINES, proposed_on=D(2026, 1, 4))
        )

    def approve(self, start: datetime.date | None = None, version: int | None = None) -> None:
        for step, day, details in steps(start or D(2026, 1, 5)):
            self.run(
                RecordFinancialPlanStep(
                    entity=VILLAGE,
                    year=YEAR,
                    step=step,
                    date=day,
                    version=version,
                    details=details,
                )
            )

    def post(self) -> None:
        for day, memo, debit, credit, amount in POSTED:
            self.post_one(day, memo, debit, credit, amount)

    def post_one(self, day: datetime.date, memo: str, debit: str, credit: str, amount: str) -> Any:
        return self.run(
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

    def over_voucher(self) -> str:
        """The August voucher, drafted and submitted (not yet in the books): its id."""
        day, memo, debit, credit, amount = OVER
        draft: str = self.run(
            DraftVoucher(
                entity=VILLAGE,
                date=day,
                summary=memo,
                lines=(
                    {"account": debit, "debit": amount, "credit": None, "memo": ""},
                    {"account": credit, "debit": None, "credit": amount, "memo": ""},
                ),
            )
        )
        self.run(SubmitVoucher(draft=draft))
        return draft

    def revise(self) -> int:
        lines = [dict(line) for line in LINES]
        lines[2] = {"accounts": ["513"], "amount": "35000.00"}
        version: int = self.run(
            ReviseFinancialPlan(
                entity=VILLAGE,
                year=YEAR,
                lines=lines,
                proposed_on=D(2026, 9, 1),
                reason="村干部报酬标准调整",
            )
        )
        self.approve(D(2026, 9, 5), version=version)
        return version

    def first_half(self) -> None:
        """The village's plan approved, the vouchers posted to the end of July."""
        self.propose()
        self.approve()
        self.post()
