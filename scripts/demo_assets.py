"""The demo's 三资: Scenario B's cattle barn (``scripts.scenario_b``, docs/scenario-b.md) in the
books of 黑牛养殖联合社 (J01), written through the one runner with the capabilities' commands:
the villages' capital designated to it and the grant (March 2025), the project approved through
四议两公开, its three payments, its completion on 2025-08-31 into the card GZ-001 (45% / 25% /
30%), the lease to 纽澜地 with each month's rent received on the 5th, the monthly depreciation run
of every month that has ended by the store's today (from September 2025), and the plan that
divides its 2025 result by ownership (executed on 2026-01-25).

Loaded after Scenario A, whose alliance plan (drafted as of 2025-12-31) keeps the capital bases
Scenario A gives it. Idempotent like the rest of the demo: each step first asks whether it
already happened, so running the demo again writes only the months that ended since.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from domain.application import LianzhangApplication
from domain.assets import next_month
from domain.assets.commands import LeaseAsset, ReceiveRent, RunDepreciation
from domain.assets.service import CardTerms
from domain.books.commands import PostEntry
from domain.commands import Command
from domain.plan import plan_id
from domain.plan.commands import DraftPlan, ExecutePlan, RecordPlanStep, RequestExecution
from domain.pooling.commands import ContributeCapital, ReceiveGrant
from domain.projects import project_id
from domain.projects.commands import (
    CompleteProject,
    PlanProject,
    RecordProjectCost,
    RecordProjectStep,
)
from domain.runner import Caller, Runner
from ledger.money import money, to_fen
from scripts import scenario_b as B

D = datetime.date


def _last_day(month: str) -> datetime.date:
    year, number = int(month[:4]), int(month[5:7])
    return D(year, number, calendar.monthrange(year, number)[1])


def _rent_day(month: str) -> datetime.date:
    return D(int(month[:4]), int(month[5:7]), B.RENT_DAY)


def months_due(today: datetime.date) -> tuple[list[str], list[str]]:
    """The months whose rent is received by ``today`` (on the 5th) and the months whose
    depreciation is run by then (once the month has ended), from September 2025."""
    rents, runs = [], []
    month = B.FIRST_MONTH
    while _rent_day(month) <= today:
        rents.append(month)
        if _last_day(month) <= today:
            runs.append(month)
        month = next_month(month)
    return rents, runs


# what the barn writes besides its months on a store without it: the villages' funds and their
# capital (3 each), the grant, the
# project, its steps, its payments, its completion, the lease, and the plan (its draft, its steps,
# the request and the execution, its 实施结果公开)
FIXED_STEPS = (
    2 * len(B.CAPITAL) + 1 + 1 + len(B.PROJECT_STEPS) + len(B.COSTS) + 1 + 1 + len(B.PLAN_STEPS) + 4
)


def steps_on_a_new_store(today: datetime.date) -> int:
    """How many commands :func:`load_barn` writes on a store without the barn, by ``today``."""
    rents, runs = months_due(today)
    return FIXED_STEPS + len(rents) + len(runs)


class BarnLoader:
    """Writes what is missing of the barn, as ``actor`` (``preparer`` asks for the plan's
    execution: two people, as for every plan of the demo)."""

    def __init__(
        self, app: LianzhangApplication, *, joint: str, alliance: str, actor: str, preparer: str
    ) -> None:
        self.app, self.joint, self.alliance = app, joint, alliance
        self.actor, self.preparer = actor, preparer
        self.runner = Runner(app)
        self.wrote = 0

    def run(self, command: Command[Any], actor: str | None = None) -> Any:
        self.wrote += 1
        return self.runner.run(command, Caller(actor or self.actor)).result

    def load(self) -> int:
        self._funding()
        self._project()
        self._months(until="2025-12")
        self._plan()
        self._months(until=None)
        return self.wrote

    def _funding(self) -> None:
        joint = self.app.get_joint(self.joint)
        for village, amount in B.CAPITAL.items():
            record = [B.CONTRIBUTED_ON.isoformat(), to_fen(money(amount))]
            if record not in joint.capital.get(village, {}).get(B.PROGRAMME, []):
                # the programme's money reaches the village first (a village's bank never
                # goes below nothing: 仉家村 holds ¥250,000.00 in March 2025)
                self.run(
                    PostEntry(
                        entity=village,
                        date=B.FUNDS_ON,
                        memo="收到财政扶持壮大村级集体经济资金（入股联合社牛舍项目）",
                        postings=(
                            {"account": "102", "side": "debit", "amount": amount},
                            {"account": "503", "side": "credit", "amount": amount},
                        ),
                    )
                )
                self.run(
                    ContributeCapital(
                        joint=self.joint,
                        village=village,
                        programme=B.PROGRAMME,
                        amount=amount,
                        date=B.CONTRIBUTED_ON,
                    )
                )
        if f"241{B.GRANT}" not in self.app.get_joint(self.joint).open_accounts:
            self.run(
                ReceiveGrant(
                    joint=self.joint,
                    programme=B.GRANT,
                    amount=B.GRANT_AMOUNT,
                    date=B.GRANT_ON,
                    memo="收到畜牧业发展专项资金（牛舍项目）",
                )
            )

    def _project(self) -> None:
        if not self.app.exists(project_id(B.PROJECT)):
            funding = [
                {"kind": "capital", "source": v, "programme": B.PROGRAMME, "amount": a}
                for v, a in B.CAPITAL.items()
            ]
            funding.append({"kind": "grant", "source": B.GRANT, "amount": B.GRANT_AMOUNT})
            self.run(
                PlanProject(
                    code=B.PROJECT,
                    entity=self.joint,
                    name="牛舍",
                    kind="building",
                    budget=B.BUDGET,
                    funding=funding,
                    planned_on=B.PLANNED_ON,
                )
            )
        for step, day, details in B.PROJECT_STEPS:
            if step not in self.app.projects.get_project(B.PROJECT).steps:
                self.run(RecordProjectStep(project=B.PROJECT, step=step, date=day, details=details))
        paid = 0
        for day, item, amount, grant in B.COSTS:
            paid += to_fen(money(amount))
            if to_fen(self.app.projects.get_project(B.PROJECT).cost) < paid:
                self.run(
                    RecordProjectCost(
                        project=B.PROJECT,
                        date=day,
                        item=item,
                        amount=amount,
                        memo=f"牛舍{item}款",
                        grant=B.GRANT if grant else None,
                        grant_amount=grant,
                    )
                )
        if self.app.projects.get_project(B.PROJECT).state != "completed":
            terms = CardTerms(**B.CARD_TERMS)
            self.run(CompleteProject(project=B.PROJECT, date=B.COMPLETED_ON, assets=[terms]))
        if B.LEASE not in self.app.assets.get_card(self.joint, B.CARD).leases:
            self.run(
                LeaseAsset(
                    entity=self.joint,
                    number=B.CARD,
                    lease=B.LEASE,
                    lessee=B.LESSEE,
                    rent=B.RENT,
                    start=B.LEASE_START,
                    end=B.LEASE_END,
                )
            )

    def _months(self, *, until: str | None) -> None:
        """Each month from September 2025 (to ``until``, else as far as the store's today
        reaches): its rent received on the 5th, its depreciation run once the month has
        ended (:func:`months_due`)."""
        rents, runs = months_due(self.app.today())
        for month in rents:
            if until is not None and month > until:
                break
            card = self.app.assets.get_card(self.joint, B.CARD)
            if month not in card.rents.get(B.LEASE, {}):
                self.run(
                    ReceiveRent(
                        entity=self.joint,
                        number=B.CARD,
                        lease=B.LEASE,
                        period=month,
                        date=_rent_day(month),
                    )
                )
            if month in runs and (card.last_month or "") < month:
                self.run(RunDepreciation(entity=self.joint, month=month))

    def _plan(self) -> None:
        if not self.app.exists(plan_id(B.PLAN)):
            self.run(
                DraftPlan(
                    code=B.PLAN,
                    title=B.PLAN_TITLE,
                    scope="alliance",
                    target=self.alliance,
                    period="2025",
                    as_of=D(2025, 12, 31),
                    amount="",
                    rule={},
                    project=B.PROJECT,
                )
            )
        for step, day, details in B.PLAN_STEPS:
            if step not in self.app.plans.get_plan(B.PLAN).steps:
                self.run(RecordPlanStep(code=B.PLAN, step=step, date=day, details=details))
        plan = self.app.plans.get_plan(B.PLAN)
        if plan.state == "drafted":
            if plan.execution_request is None:
                self.run(RequestExecution(code=B.PLAN, date=B.PLAN_EXECUTED_ON), self.preparer)
            self.run(ExecutePlan(code=B.PLAN, date=B.PLAN_EXECUTED_ON))
        step, day, details = B.PLAN_RESULT_STEP
        if step not in self.app.plans.get_plan(B.PLAN).steps:
            self.run(RecordPlanStep(code=B.PLAN, step=step, date=day, details=details))


def load_barn(
    app: LianzhangApplication, *, joint: str, alliance: str, actor: str, preparer: str
) -> int:
    """Write what is missing of the demo's barn; returns how many commands wrote."""
    return BarnLoader(app, joint=joint, alliance=alliance, actor=actor, preparer=preparer).load()
