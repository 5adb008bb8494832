"""Jointly built projects (联建项目): what a joint entity (or a village) builds with the capital
its member villages designate, grants and other money, from its budget to the finished asset.

One aggregate per project, named by a code unique in the store (``XM2025-NC``), kept in the
books of one entity (``entity``: the joint entity J01, or a village for its own project):

- **planned** (``Planned``): name, kind, budget by item (fen), funding sources (fen), whether
  the budget makes it a major matter decided by 四议两公开 (``domain/projects/approval.py``),
  the sub-accounts it uses: ``153<code>`` 在建工程-<name> (costs) and, when grants fund it,
  ``241<code>`` 专项应付款-<name> (the grant money already spent on it, waiting for the
  completion to move it to 311);
- **approved** by the steps of 四议两公开 (``ApprovalStepRecorded``, in the shape of a plan's
  ``StepRecorded``; a failed vote ``ApprovalRejected``: the names differ from the plan's so the
  read models that know a plan's steps by their short name never take a project's for one);
- **costs** (``CostRecorded``): each payment 借 153<code> / 贷 102 with its voucher number, the
  budget item and, when charged to a grant, the part paid from it (then the same voucher moves
  that part 借 241<programme> / 贷 241<code>: the grant money is spent on the project and no
  longer in the bank);
- **completed** (``Completed``, one save with the books and the asset cards): 借 151 (132 for
  breeding stock …) / 贷 153<code> the whole cost, and 借 241<code> / 贷 311 the grant-funded
  part; the asset card numbers and the ownership shares of the finished asset per village
  (by the capital each designated, or as the project's agreement says: exactly 1 together);
- **income** (``IncomeRecorded``): rent of its assets, a dividend tied to it, other income, each
  with its voucher and each owner's share of it (fen, split by the ownership shares).

Funding source records (``funding``, in ``Planned``): ``{"kind", "source", "programme",
"amount"}`` with amount in fen; kinds: ``capital`` (source: the village code, programme: the
fund programme of its capital in the joint entity), ``grant`` (source and programme: the fund
programme held on 241), ``enterprise`` (source: the enterprise), ``loan`` (source: the
lender), ``own`` (source: the entity itself, a village's own money).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.meetings import put_step
from domain.owned import Townships
from domain.plan import RESOLUTION
from domain.projects.approval import BEFORE_WORK, step_problem
from ledger.money import format_yuan, from_fen, to_fen

KINDS = {
    "building": "房屋建筑物",
    "facility": "生产设施",
    "equipment": "机器设备",
    "breeding": "种畜种禽（生产性生物资产）",
    "orchard": "经济林木（生产性生物资产）",
    "infrastructure": "公益基础设施",
    "other": "其他",
}
FUNDING_KINDS = {
    "capital": "成员村投入资本",
    "grant": "专项资金（241 专项应付款）",
    "enterprise": "企业投入",
    "loan": "借款",
    "own": "自有资金",
}
PLANNED, REJECTED, COMPLETED = "planned", "rejected", "completed"
STATE_ZH = {PLANNED: "在建", REJECTED: "已否决", COMPLETED: "已竣工"}
INCOME_KINDS = {"rent": "租金收入", "dividend": "分红收入", "other": "其他收入"}


def project_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"project:{code}")


def account_suffix(code: str) -> str:
    """The suffix of the project's sub-accounts: its code without ``-`` and ``_``
    (XM2025-NC → 153XM2025NC)."""
    return "".join(c for c in code if c.isalnum())


class Project(Aggregate):
    """One jointly built project, from its plan to its income (see the module docstring)."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of the books it is kept in (``domain.tenancy``)."""
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"project {self.code}"

    @staticmethod
    def create_id(code: str) -> UUID:
        return project_id(code)

    @event("Planned")
    def __init__(
        self,
        *,
        code: str,
        entity: str,
        name: str,
        kind: str,
        budget: dict[str, int],
        funding: list[dict[str, Any]],
        approval_required: bool,
        planned_on: datetime.date,
        account: str,
        grant_account: str | None,
        actor: str,
    ) -> None:
        """立项: ``budget`` item → fen; ``funding`` as the module docstring says; ``account``
        and ``grant_account`` the sub-accounts of 153 and 241 the project posts to."""
        self.code = code
        self.entity = entity
        self.name = name
        self.kind = kind
        self.budget = dict(budget)
        self.funding = [dict(f) for f in funding]
        self.approval_required = approval_required
        self.planned_on = planned_on
        self.account = account
        self.grant_account = grant_account
        self.steps: dict[str, dict[str, Any]] = {}
        self.state = PLANNED
        self.rejection: str | None = None
        self.costs: dict[str, int] = {}  # item → fen paid
        self.last_cost_on: str | None = None
        self.grant_charged: dict[str, int] = {}  # programme → fen paid from the grant
        self.completed_on: datetime.date | None = None
        self.assets: list[str] = []
        self.owners: dict[str, str] = {}  # village → share (decimal text)
        self.income: list[list[Any]] = []  # [ISO date, kind, fen, entry]

    # -- what it holds ------------------------------------------------------------------------

    @property
    def budget_total(self) -> Money:
        return from_fen(sum(self.budget.values()))

    @property
    def cost(self) -> Money:
        """Costs to date (153<code>)."""
        return from_fen(sum(self.costs.values()))

    @property
    def grant_part(self) -> Money:
        """What was paid from grants (moved 241 → 311 on completion)."""
        return from_fen(sum(self.grant_charged.values()))

    def designated(self, kind: str, source: str | None = None) -> Money:
        """The funding of ``kind`` (from ``source`` when given) in the project's plan."""
        return from_fen(
            sum(
                f["amount"]
                for f in self.funding
                if f["kind"] == kind and (source is None or f["source"] == source)
            )
        )

    def capital_by_village(self) -> dict[str, Money]:
        """The capital each village designated to the project (the basis of its ownership
        share when the agreement says nothing else)."""
        found: dict[str, int] = {}
        for f in self.funding:
            if f["kind"] == "capital":
                found[f["source"]] = found.get(f["source"], 0) + f["amount"]
        return {village: from_fen(fen) for village, fen in sorted(found.items())}

    def capital_designated(self, village: str, programme: str) -> Money:
        return from_fen(
            sum(
                f["amount"]
                for f in self.funding
                if f["kind"] == "capital" and f["source"] == village and f["programme"] == programme
            )
        )

    def income_between(self, first: datetime.date, last: datetime.date) -> Money:
        """Income recorded against the project dated from ``first`` to ``last``."""
        return from_fen(
            sum(
                fen
                for day, _, fen, _ in self.income
                if first.isoformat() <= day <= last.isoformat()
            )
        )

    @property
    def approved(self) -> bool:
        """Whether work may go on: no approval needed, or 决议 passed."""
        return not self.approval_required or (RESOLUTION in self.steps and self.state != REJECTED)

    def shares(self) -> dict[str, Decimal]:
        """The recorded ownership shares of the finished asset (empty before completion)."""
        return {village: Decimal(share) for village, share in self.owners.items()}

    # -- guards -------------------------------------------------------------------------------

    def require_work(self, doing: str, doing_zh: str) -> None:
        """Refuse ``doing`` on a project that is finished, rejected or not yet approved."""
        if self.state != PLANNED:
            raise ConflictError(
                f"project {self.code} is {self.state}; it cannot {doing}",
                field="project",
                zh=f"项目 {self.code} {STATE_ZH[self.state]}，不能{doing_zh}",
            )
        if not self.approved:
            missing = [s for s in BEFORE_WORK if s not in self.steps]
            raise ConflictError(
                f"project {self.code} has a budget of {format_yuan(self.budget_total)}, a major "
                f"matter decided by 四议两公开: it cannot {doing} before its 决议 "
                f"(missing: {', '.join(missing)})",
                field="project",
                zh=f"项目 {self.code} 预算 {format_yuan(self.budget_total)}，属于须经四议两公开"
                f"决定的重大事项：决议通过前不能{doing_zh}（尚缺：{'、'.join(missing)}）",
            )

    # -- 四议两公开 ----------------------------------------------------------------------------

    def record_step(
        self,
        *,
        step: str,
        date: datetime.date,
        body: str,
        place: str = "",
        expected: int | None = None,
        present: int | None = None,
        votes_for: int | None = None,
        votes_against: int | None = None,
        abstentions: int | None = None,
        assembly: str | None = None,
        merged: bool = False,
        note: str = "",
        adult_villagers: int | None = None,
        households: int | None = None,
        households_present: int | None = None,
        actor: str,
    ) -> str | None:
        """Record one step of 四议两公开 (the plans' rules); returns the reason when the vote
        rejects the project."""
        if self.state == REJECTED:
            raise ConflictError(
                f"project {self.code} was rejected ({self.rejection})",
                field="project",
                zh=f"项目 {self.code} 已被否决：{self.rejection}",
            )
        quorum = {
            "adult_villagers": adult_villagers,
            "households": households,
            "households_present": households_present,
        }
        counts = {
            "expected": expected,
            "present": present,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "abstentions": abstentions,
        }
        reason = step_problem(
            code=self.code,
            steps=self.steps,
            completed=self.state == COMPLETED,
            planned_on=self.planned_on,
            step=step,
            date=date,
            body=body,
            place=place,
            assembly=assembly,
            merged=merged,
            **counts,
            **quorum,
        )
        self._step_recorded(
            step=step,
            date=date,
            body=body.strip(),
            place=place.strip(),
            assembly=assembly,
            merged=merged,
            note=note,
            actor=actor,
            **counts,
            **quorum,
        )
        if reason is not None:
            self._rejected(step=step, reason=reason, actor=actor)
        return reason

    @event("ApprovalStepRecorded")
    def _step_recorded(
        self,
        *,
        step: str,
        date: datetime.date,
        body: str,
        place: str,
        expected: int | None,
        present: int | None,
        votes_for: int | None,
        votes_against: int | None,
        abstentions: int | None,
        assembly: str | None,
        merged: bool,
        note: str,
        actor: str,
        adult_villagers: int | None = None,
        households: int | None = None,
        households_present: int | None = None,
    ) -> None:
        """A step of 四议两公开, in the shape of a plan's ``StepRecorded``."""
        put_step(
            self.steps,
            step,
            date=date,
            body=body,
            place=place,
            expected=expected,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            assembly=assembly,
            merged=merged,
            note=note,
            adult_villagers=adult_villagers,
            households=households,
            households_present=households_present,
        )

    @event("ApprovalRejected")
    def _rejected(self, *, step: str, reason: str, actor: str) -> None:
        """A vote below its threshold: the project takes no cost."""
        self.state = REJECTED
        self.rejection = reason

    # -- costs --------------------------------------------------------------------------------

    def check_cost(
        self,
        *,
        date: datetime.date,
        item: str,
        amount: Money,
        grant: str | None,
        grant_amount: Money,
    ) -> None:
        """Refuse a cost the project cannot take: finished, not approved, before it was planned,
        an item outside the budget or beyond it, more from a grant than the project was
        given from it. (Whether the grant still holds the money is the books': the service.)"""
        self.require_work("take costs", "记录工程支出")
        if date < self.planned_on:
            raise InvalidRequestError(
                f"a cost of project {self.code} cannot be dated {date}, before the project was "
                f"planned ({self.planned_on})",
                field="date",
                zh=f"项目 {self.code} 的支出日期 {date} 早于立项日期 {self.planned_on}",
            )
        if item not in self.budget:
            raise InvalidRequestError(
                f"{item!r} is not an item of the budget of project {self.code} "
                f"({', '.join(self.budget)})",
                field="item",
                zh=f"“{item}”不是项目 {self.code} 的预算项目：请选 {'、'.join(self.budget)} 之一",
            )
        after = self.costs.get(item, 0) + to_fen(amount)
        if after > self.budget[item]:
            left = from_fen(self.budget[item] - self.costs.get(item, 0))
            raise ConflictError(
                f"item {item} of project {self.code} has {format_yuan(left)} of its budget left; "
                f"a cost of {format_yuan(amount)} would pass it",
                field="amount",
                zh=f"项目 {self.code} 的“{item}”预算还剩 {format_yuan(left)}，"
                f"这笔支出 {format_yuan(amount)} 超出预算",
            )
        if grant is None:
            return
        given = self.designated("grant", grant)
        left = given - from_fen(self.grant_charged.get(grant, 0))
        if to_fen(given) == 0:
            raise InvalidRequestError(
                f"project {self.code} is not funded by the grant {grant}",
                field="grant",
                zh=f"项目 {self.code} 的资金来源中没有专项资金 {grant}",
            )
        if grant_amount > left:
            raise ConflictError(
                f"project {self.code} was given {format_yuan(given)} of the grant {grant}, of "
                f"which {format_yuan(left)} is left; it cannot pay {format_yuan(grant_amount)} "
                "from it",
                field="grant_amount",
                zh=f"项目 {self.code} 的专项资金 {grant} 共 {format_yuan(given)}，尚可使用 "
                f"{format_yuan(left)}，不能从中支付 {format_yuan(grant_amount)}",
            )

    def record_cost(
        self,
        *,
        date: datetime.date,
        item: str,
        amount: Money,
        grant: str | None,
        grant_amount: Money,
        entry: str,
        memo: str,
        actor: str,
    ) -> None:
        """Record a cost the books posted as voucher ``entry`` (checked as ``check_cost``)."""
        self.check_cost(date=date, item=item, amount=amount, grant=grant, grant_amount=grant_amount)
        self._cost_recorded(
            date=date,
            item=item,
            amount=amount,
            grant=grant,
            grant_amount=grant_amount,
            entry=entry,
            memo=memo,
            actor=actor,
        )

    @event("CostRecorded")
    def _cost_recorded(
        self,
        *,
        date: datetime.date,
        item: str,
        amount: Money,
        grant: str | None,
        grant_amount: Money,
        entry: str,
        memo: str,
        actor: str,
    ) -> None:
        """A payment for the project, posted as voucher ``entry`` (借 153<code> / 贷 102, and
        借 241<programme> / 贷 241<code> for the part ``grant_amount`` paid from ``grant``)."""
        self.costs[item] = self.costs.get(item, 0) + to_fen(amount)
        self.last_cost_on = max(self.last_cost_on or "", date.isoformat())
        if grant is not None and to_fen(grant_amount):
            self.grant_charged[grant] = self.grant_charged.get(grant, 0) + to_fen(grant_amount)

    # -- completion and income ----------------------------------------------------------------

    def check_completion(self, date: datetime.date) -> None:
        self.require_work("be completed", "竣工")
        if not self.costs or self.cost.amount == 0:
            raise ConflictError(
                f"project {self.code} has no costs; a project is completed into an asset "
                "worth what it cost",
                field="project",
                zh=f"项目 {self.code} 还没有任何工程支出，不能竣工转为资产",
            )
        if self.last_cost_on and date.isoformat() < self.last_cost_on:
            raise InvalidRequestError(
                f"project {self.code} cannot be completed on {date}, before its last cost "
                f"({self.last_cost_on})",
                field="date",
                zh=f"项目 {self.code} 的竣工日期 {date} 早于最后一笔支出（{self.last_cost_on}）",
            )

    def complete(
        self,
        *,
        date: datetime.date,
        asset_account: str,
        entries: list[str],
        assets: list[str],
        owners: dict[str, str],
        basis: str,
        actor: str,
    ) -> None:
        """Record the completion the books posted (``entries``) into the cards ``assets``."""
        self.check_completion(date)
        self._completed(
            date=date,
            cost=self.cost,
            grant_part=self.grant_part,
            asset_account=asset_account,
            entries=list(entries),
            assets=list(assets),
            owners=dict(owners),
            basis=basis,
            actor=actor,
        )

    @event("Completed")
    def _completed(
        self,
        *,
        date: datetime.date,
        cost: Money,
        grant_part: Money,
        asset_account: str,
        entries: list[str],
        assets: list[str],
        owners: dict[str, str],
        basis: str,
        actor: str,
    ) -> None:
        """竣工: ``entries`` the vouchers (借 ``asset_account`` / 贷 153<code> ``cost``; 借
        241<code> / 贷 311 ``grant_part``), ``assets`` the card numbers, ``owners`` village →
        share (decimal text, exactly 1 together), ``basis`` ``capital`` (by the capital each
        designated) or ``agreed`` (as the project's agreement says)."""
        self.state = COMPLETED
        self.completed_on = date
        self.assets = list(assets)
        self.owners = dict(owners)

    def check_income(self, date: datetime.date) -> None:
        if self.state != COMPLETED or self.completed_on is None:
            raise ConflictError(
                f"project {self.code} is {self.state}; income is recorded against a completed "
                "project",
                field="project",
                zh=f"项目 {self.code} {STATE_ZH[self.state]}：竣工后才能记录项目收益",
            )
        if date < self.completed_on:
            raise InvalidRequestError(
                f"income of project {self.code} cannot be dated {date}, before its completion "
                f"({self.completed_on})",
                field="date",
                zh=f"项目 {self.code} 的收益日期 {date} 早于竣工日期 {self.completed_on}",
            )

    def record_income(
        self,
        *,
        date: datetime.date,
        kind: str,
        amount: Money,
        account: str,
        entry: str,
        reference: str,
        owners: dict[str, int],
        memo: str,
        actor: str,
    ) -> None:
        """Record income the books posted as voucher ``entry`` against the project."""
        self.check_income(date)
        if kind not in INCOME_KINDS:
            raise InvalidRequestError(
                f"income kind {kind!r} is not one of {', '.join(INCOME_KINDS)}",
                field="kind",
                zh=f"收益类别请选{'、'.join(INCOME_KINDS.values())}之一",
            )
        self._income_recorded(
            date=date,
            kind=kind,
            amount=amount,
            account=account,
            entry=entry,
            reference=reference,
            owners=dict(owners),
            memo=memo,
            actor=actor,
        )

    @event("IncomeRecorded")
    def _income_recorded(
        self,
        *,
        date: datetime.date,
        kind: str,
        amount: Money,
        account: str,
        entry: str,
        reference: str,
        owners: dict[str, int],
        memo: str,
        actor: str,
    ) -> None:
        """Income of the project (``kind`` rent, dividend or other), posted as voucher ``entry``
        (借 102 / 贷 ``account``), ``reference`` the lease or agreement it came under, ``owners``
        each owner's share of it in fen (recorded, not posted in the villages' books)."""
        self.income.append([date.isoformat(), kind, to_fen(amount), entry])
