"""Scenario B (README "三资: projects and assets"): the cattle barn
(牛舍) XM2025-NC built by 黑牛养殖联合社 J01 with the capital of 仉家村 V01, 和店村 V02 and 李孟德村
V03 and a ¥300,000.00 grant, completed, leased to 纽澜地 and depreciated, its income divided by
ownership. Every write goes through the one runner with the capability's commands, as a front end
would. No tests here: the application test and the read model's e2e test tell the story with it.
"""

from __future__ import annotations

import datetime
from typing import Any

from domain.application import LianzhangApplication
from domain.assets.commands import LeaseAsset, ReceiveRent, RunDepreciation
from domain.assets.service import CardTerms, DepreciationResult
from domain.books.commands import RegisterVillage, SetOpeningBalances
from domain.commands import Command
from domain.plan.commands import DraftPlan, ExecutePlan, RecordPlanStep, RequestExecution
from domain.pooling.commands import ContributeCapital, ReceiveGrant
from domain.projects.commands import (
    CompleteProject,
    PlanProject,
    RecordProjectCost,
    RecordProjectStep,
)
from domain.runner import Caller, Runner

D = datetime.date
TOWNSHIP, COUNTY = "唐坊镇", "高青县"
ALLIANCE, JOINT, PROJECT, CARD, LEASE = "A-HN", "J01", "XM2025-NC", "GZ-001", "ZL-001"
VILLAGES = {"V01": "仉家村", "V02": "和店村", "V03": "李孟德村"}
CAPITAL = {"V01": "270000.00", "V02": "150000.00", "V03": "180000.00"}
COSTS = [  # date, item, amount, part paid from the grant
    (D(2025, 4, 10), "土建工程", "350000.00", "300000.00"),
    (D(2025, 6, 15), "土建工程", "420000.00", None),
    (D(2025, 8, 20), "设备安装", "130000.00", None),
]
MONTHS_2025 = ["2025-09", "2025-10", "2025-11", "2025-12"]
MONTHS_2026 = [f"2026-{m:02d}" for m in range(1, 9)]
PLAN = "FP-XM2025"

VOTE = {"expected": 9, "present": 9, "votes_for": 9, "votes_against": 0, "abstentions": 0}
STEPS: list[tuple[str, datetime.date, dict[str, Any]]] = [
    ("提议", D(2025, 3, 12), {"body": "联村党委"}),
    ("商议", D(2025, 3, 13), {"body": "联合社理事会", **VOTE}),
    ("审议", D(2025, 3, 15), {"body": "党员大会", **VOTE}),
    (
        "决议",
        D(2025, 3, 20),
        {"body": "成员代表会议", "assembly": "representatives", **VOTE},
    ),
    ("决议公开", D(2025, 3, 21), {"body": "联合社", "place": "村务公开栏"}),
]


class Story:
    """The scenario on one application, through the runner (``tester`` writes; a second
    person asks for a plan's execution)."""

    def __init__(self, app: LianzhangApplication) -> None:
        self.app = app
        self.runner = Runner(app)

    def run(self, command: Command[Any], actor: str = "tester") -> Any:
        return self.runner.run(command, Caller(actor)).result

    def alliance(self) -> None:
        """The alliance, its three villages and J01, the capital designated to the barn and
        the grant (March 2025)."""
        app = self.app
        app.alliances.form_alliance(
            code=ALLIANCE,
            name="黑牛盒马联村党委",
            township=TOWNSHIP,
            county=COUNTY,
            model="村企联建",
            formed_on=D(2025, 1, 1),
            actor="tester",
        )
        for code, name in VILLAGES.items():
            self.run(
                RegisterVillage(
                    code=code,
                    name=name,
                    township=TOWNSHIP,
                    county=COUNTY,
                    population=1000,
                    households=300,
                )
            )
            self.run(
                SetOpeningBalances(
                    entity=code,
                    as_of=D(2025, 1, 1),
                    balances=[
                        {"account": "102", "side": "debit", "amount": "500000.00"},
                        {"account": "301", "side": "credit", "amount": "500000.00"},
                    ],
                )
            )
            app.alliances.join_village(
                alliance=ALLIANCE, village=code, joined_on=D(2025, 1, 1), actor="tester"
            )
        app.alliances.register_joint_entity(
            alliance=ALLIANCE, code=JOINT, name="黑牛养殖联合社", actor="tester"
        )
        self.run(SetOpeningBalances(entity=JOINT, as_of=D(2025, 1, 1), balances=[]))
        for code, amount in CAPITAL.items():
            self.run(
                ContributeCapital(
                    joint=JOINT, village=code, programme="CZFC", amount=amount, date=D(2025, 3, 3)
                )
            )
        self.run(
            ReceiveGrant(
                joint=JOINT,
                programme="XMFZ",
                amount="300000.00",
                date=D(2025, 3, 5),
                memo="收到畜牧业发展专项资金",
            )
        )

    def plan_project(self) -> None:
        funding = [
            {"kind": "capital", "source": code, "programme": "CZFC", "amount": amount}
            for code, amount in CAPITAL.items()
        ]
        funding.append({"kind": "grant", "source": "XMFZ", "amount": "300000.00"})
        self.run(
            PlanProject(
                code=PROJECT,
                entity=JOINT,
                name="牛舍",
                kind="building",
                budget={"土建工程": "770000.00", "设备安装": "130000.00"},
                funding=funding,
                planned_on=D(2025, 3, 10),
            )
        )

    def approve_project(self) -> None:
        for step, day, details in STEPS[:4]:
            assert (
                self.run(RecordProjectStep(project=PROJECT, step=step, date=day, details=details))
                is None
            )

    def build(self) -> list[Any]:
        return [
            self.run(
                RecordProjectCost(
                    project=PROJECT,
                    date=day,
                    item=item,
                    amount=amount,
                    grant="XMFZ" if grant else None,
                    grant_amount=grant,
                )
            )
            for day, item, amount, grant in COSTS
        ]

    def complete(self, owners: dict[str, str] | None = None) -> Any:
        terms = CardTerms(
            number=CARD,
            name="牛舍",
            life_months=240,
            residual_rate="0.05",
            use="productive",
            location="唐坊镇仉家村北",
            user="黑牛养殖联合社",
        )
        return self.run(
            CompleteProject(
                project=PROJECT, date=D(2025, 8, 31), assets=[terms], owners=owners or {}
            )
        )

    def lease(self) -> None:
        self.run(
            LeaseAsset(
                entity=JOINT,
                number=CARD,
                lease=LEASE,
                lessee="纽澜地",
                rent="8000.00",
                start=D(2025, 9, 1),
                end=D(2030, 8, 31),
            )
        )

    def month(self, month: str, *, rent: bool = True) -> DepreciationResult:
        """A month of the barn: its rent received on the 5th, its depreciation run."""
        if rent:
            self.run(
                ReceiveRent(
                    entity=JOINT,
                    number=CARD,
                    lease=LEASE,
                    period=month,
                    date=D(int(month[:4]), int(month[5:]), 5),
                )
            )
        result: DepreciationResult = self.run(RunDepreciation(entity=JOINT, month=month))
        return result

    def until_completion(self) -> None:
        self.alliance()
        self.plan_project()
        self.approve_project()
        self.build()
        self.complete()

    def distribute(self) -> Any:
        """The plan drafted from the project for 2025, approved, executed by two people."""
        self.run(
            DraftPlan(
                code=PLAN,
                title="牛舍2025年收益分配",
                scope="alliance",
                target=ALLIANCE,
                period="2025",
                as_of=D(2025, 12, 31),
                amount="",
                rule={},
                project=PROJECT,
            )
        )
        for step, day, details in STEPS:
            later = D(2026, 1, day.day)
            self.run(RecordPlanStep(code=PLAN, step=step, date=later, details=details))
        self.run(RequestExecution(code=PLAN, date=D(2026, 1, 25)), actor="requester")
        return self.run(ExecutePlan(code=PLAN, date=D(2026, 1, 25)))
