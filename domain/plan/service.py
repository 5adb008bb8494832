"""The commands on distribution plans: build a plan's rule document from the registers, draft
it, record its steps (votes, publication), attach a comparison of rules, ask for its execution
and execute it, by two people (or a correction of an executed plan,
``domain/plan/corrections.py``). ``PlanService`` receives the
application's port (``domain.port``), the books' service and the members' service.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from moneyed import Money

from domain.books import Books
from domain.books.chart import operation_accounts
from domain.books.rules import require_cash
from domain.books.service import BooksService
from domain.bounds import check_people, check_text
from domain.codes import require_code
from domain.distribution import (
    DEFAULT_DEDUCTION_ACCOUNTS,
    alliance_parties,
    declarations,
    household_parties,
    payout_entries,
    plain_decimal,
    receipt_postings,
)
from domain.errors import (
    ConflictError,
    InvalidRequestError,
    OverDistributionError,
    PlanNotFoundError,
)
from domain.members.service import MembersService
from domain.periods import parse_period, period_bounds, require_not_after
from domain.plan import DistributionPlan, OwnRequestError, plan_id
from domain.plan.corrections import correction_entries, require_free_cash, reverse_declaration
from domain.port import Port
from ledger.accounts import ChartOfAccounts
from ledger.canonical import digest
from ledger.money import MAX_AMOUNT, ZERO, amount_str, format_yuan, money
from ledger.rule_types import OWNERSHIP, ownership_codes
from ledger.rules import allocate_document


def plan_account_names(
    plan_result: Mapping[str, Any], deduction_accounts: Mapping[str, Any]
) -> dict[str, str]:
    """Names of the sub-accounts a plan's execution posts to: 应付款-仉家村 per payee (a
    household as 应付款-张*明（H01）), and 应付款-福利费 for a deduction set aside in one."""
    names: dict[str, str] = {}
    for line in plan_result.get("lines", []):
        code, name = str(line["code"]), str(line.get("name") or line["code"])
        shown = f"{name}（{code}）" if "*" in name else name  # a masked head: 张*明（H01）
        names[f"211{code}"] = f"应付款-{shown}"
    for deduction, account in deduction_accounts.items():
        if isinstance(account, str) and len(account) > 3:
            parent = ChartOfAccounts.standard().get(account[:3]).name
            names.setdefault(account, f"{parent}-{deduction}")
    return names


class ProjectFacts(Protocol):
    """What a plan reads of a jointly built project (``app.projects``): the books it is kept in
    with its recorded ownership shares, and its result in a period."""

    def ownership(self, code: str) -> tuple[str, dict[str, Decimal]]: ...

    def result(self, code: str, period: str) -> Money: ...


class PlanService:
    """Distribution plans; ``app.plans``."""

    def __init__(
        self,
        port: Port,
        books: BooksService,
        members: MembersService,
        same_person: Callable[[str, str], bool] = lambda one, other: one == other,
        projects: ProjectFacts | None = None,
    ) -> None:
        self.port = port
        self.books = books
        self.members = members
        # whether two actors are one natural person (a login, its token, a second login)
        self.same_person = same_person
        self.projects = projects

    def get_plan(self, code: str) -> DistributionPlan:
        return self.port.load(
            plan_id(code),
            DistributionPlan,
            PlanNotFoundError(
                f"distribution plan {code} does not exist; draft it first", field="plan"
            ),
        )

    def plan_document(
        self,
        *,
        scope: str,
        target: str,
        as_of: datetime.date,
        amount: str,
        rule: Mapping[str, Any],
        period: str = "",
    ) -> tuple[str, str | None, dict[str, Any], dict[str, Any]]:
        """Build a plan's full rule document from the registers as of ``as_of``.

        Returns (payer, alliance code, document, sources) where ``sources`` keeps each party's
        capital by fund programme (alliance plans) so every yuan stays traceable to where it
        came from, and the part of the period each late joiner was a member.
        """
        for key in ("parties", "amount"):
            if key in rule:
                raise InvalidRequestError(
                    f"rule.{key} is filled in by the plan from its registers and amount; leave "
                    "it out",
                    field=f"rule.{key}",
                )
        sources: dict[str, Any] = {}
        if scope == "alliance":
            alliance = self.port.get_alliance(target)
            if alliance.joint_entity_code is None:
                raise ConflictError(
                    f"alliance {target} has no joint entity to distribute from", field="alliance"
                )
            pool = self.port.get_joint(alliance.joint_entity_code)
            membership: dict[str, Fraction] = {}
            last_days: dict[str, datetime.date] = {}
            member_days: dict[str, list[int]] = {}
            bounds = period_bounds(period)
            codes = alliance.members_on(as_of)
            if bounds is not None and bounds[0] <= as_of:
                # every village that was a member on some day of the period up to the record
                # date, those that left during it included: each counts its days (docs/rules.md)
                first, last = bounds[0], min(bounds[1], as_of)
                days = (last - first).days + 1
                spells = [s for s in alliance.memberships if s.joined <= last]
                counted = {s.village: alliance.member_days(s.village, first, last) for s in spells}
                codes = sorted(c for c, n in counted.items() if n > 0)
                membership = {c: Fraction(counted[c], days) for c in codes}
                member_days = {c: [counted[c], days] for c in codes if counted[c] != days}
                for c in codes:
                    if c not in alliance.members_on(as_of):
                        left = max(s.left for s in spells if s.village == c and s.left)
                        last_days[c] = min(as_of, left - datetime.timedelta(days=1))
            villages = [self.port.get_village(c) for c in codes]
            if not villages:
                raise ConflictError(
                    f"alliance {target} has no member villages on {as_of}", field="as_of"
                )
            parties = alliance_parties(pool, villages, as_of, membership, last_days)
            late = {
                code: f"{part.numerator}/{part.denominator}"
                for code, part in membership.items()
                if part != 1
            }
            sources = {
                **({"membership": late, "member_days": member_days} if late else {}),
                "capital_by_programme": {
                    v.code: {
                        p: amount_str(m)
                        for p, m in pool.capital_by_programme(
                            v.code, last_days.get(v.code, as_of)
                        ).items()
                    }
                    for v in villages
                },
            }
            payer, alliance_code = pool.code, alliance.code
        elif scope == "village":
            village = self.port.get_village(target)
            register = self.members.register_view(target)
            bounds = period_bounds(period)
            window = None
            if bounds is not None and bounds[0] <= as_of:
                window = (bounds[0], min(bounds[1], as_of))
            parties, partial = household_parties(register, as_of, window)
            if partial:
                sources = {"member_days": partial}
            if not parties:
                raise ConflictError(
                    f"the register of {target} has no members on {as_of}", field="as_of"
                )
            payer, alliance_code = village.code, None
        else:
            raise InvalidRequestError(
                f"scope {scope!r} is not known; use 'alliance' (joint entity → villages) or "
                "'village' (village → households)",
                field="scope",
            )
        for code in ownership_codes(rule):
            sources.setdefault("ownership", {})[code] = self._ownership(code, scope, payer, parties)
        document = {"amount": amount, **rule, "parties": parties}
        return payer, alliance_code, document, sources

    def _ownership(
        self, code: str, scope: str, payer: str, parties: list[dict[str, Any]]
    ) -> dict[str, str]:
        """Give every party its recorded share of project ``code`` as the basis
        ``ownership:<code>`` (0 for a party that owns none of it); answers the shares."""
        if self.projects is None or scope != "alliance":
            raise InvalidRequestError(
                f"the basis {OWNERSHIP}{code} is the villages' shares of a jointly built project: "
                "a plan of an alliance (joint entity → villages) uses it",
                field="rule.tiers",
                zh=f"{OWNERSHIP}{code} 是成员村对联建项目的所有权份额，"
                "只能用于联合社向成员村的分配方案",
            )
        entity, shares = self.projects.ownership(code)
        if entity != payer:
            raise InvalidRequestError(
                f"project {code} is kept in the books of {entity}, not of {payer}",
                field="project",
                zh=f"项目 {code} 记在 {entity} 的账上，不是 {payer}",
            )
        listed = {str(p["code"]) for p in parties}
        missing = sorted(set(shares) - listed)
        if missing:
            raise ConflictError(
                f"{', '.join(missing)} own part of project {code} but are not parties of the "
                "plan (not members of the alliance on its record date)",
                field="rule.tiers",
                zh=f"{'、'.join(missing)} 持有项目 {code} 的份额，但不是本方案的分配对象"
                "（记录日不是成员村）",
            )
        for party in parties:
            share = shares.get(str(party["code"]), Decimal(0))
            party["bases"][f"{OWNERSHIP}{code}"] = plain_decimal(share)
        return {owner: plain_decimal(share) for owner, share in sorted(shares.items())}

    def from_project(
        self, project: str, period: str, amount: str, rule: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """A plan drafted from a project: its amount is the project's result in ``period``
        (income less the depreciation of its assets) unless given, its tier the ownership
        shares (``proportional`` on ``ownership:<project>``) unless the rule has tiers."""
        if self.projects is None:  # pragma: no cover - the application always gives it
            raise InvalidRequestError("projects are not available here", field="project")
        if not amount:
            result = self.projects.result(project, period)
            if result <= ZERO:
                raise OverDistributionError(
                    f"project {project} has a result of {format_yuan(result)} in {period}; there "
                    "is nothing to distribute",
                    field="project",
                    zh=f"项目 {project} 在 {period} 的收益为 {format_yuan(result)}，"
                    "没有可分配的金额",
                )
            amount = amount_str(result)
        if not rule.get("tiers"):
            tier = {
                "name": "按所有权份额",
                "kind": "proportional",
                "basis": f"{OWNERSHIP}{project}",
            }
            rule = {**rule, "tiers": [tier]}
        return amount, dict(rule)

    def draft_plan(
        self,
        *,
        code: str,
        title: str,
        scope: str,
        target: str,
        period: str,
        as_of: datetime.date,
        amount: str,
        rule: Mapping[str, Any],
        deduction_accounts: Mapping[str, str | None] | None = None,
        supersedes: str | None = None,
        project: str | None = None,
        actor: str,
    ) -> DistributionPlan:
        """Draft a plan: compute its lines from the registers and the rule, and record both.
        ``project``: a plan drafted from a jointly built project (``from_project``)."""
        require_code(code)
        if not title.strip():
            raise InvalidRequestError("a plan needs a title", field="title")
        parse_period(period)  # 2025, 2025-Q1 or 2025-03; anything else would lose pro-rating
        if project is not None:
            amount, rule = self.from_project(project, period, amount, rule)
        require_not_after(
            as_of, self.port.today(), what=f"the record date of plan {code}", field="as_of"
        )
        money(amount, field="amount", maximum=MAX_AMOUNT)
        payer_code, alliance_code, document, sources = self.plan_document(
            scope=scope, target=target, as_of=as_of, amount=amount, rule=rule, period=period
        )
        if project is not None:
            sources = {**sources, "project": project}
        result = allocate_document(document)
        accounts = {**DEFAULT_DEDUCTION_ACCOUNTS, **dict(deduction_accounts or {})}
        for name, account in accounts.items():
            if account is not None and account not in ChartOfAccounts.standard():
                raise InvalidRequestError(
                    f"deduction {name}: account {account!r} is not in the chart of accounts",
                    field=f"deduction_accounts.{name}",
                )
        payer = self.port.get_books(payer_code)
        if supersedes is not None:
            old = self.get_plan(supersedes)
            if old.state != "executed" or old.payer != payer_code:
                raise ConflictError(
                    f"plan {supersedes} is {old.state} and paid by {old.payer}; a plan can only "
                    "correct an executed plan of the same payer",
                    field="supersedes",
                )
        else:
            self._require_income(payer, money(result["amount"]))
        plan = DistributionPlan(
            code=code,
            title=title.strip(),
            scope=scope,
            payer=payer_code,
            alliance_code=alliance_code,
            period=period,
            as_of=as_of,
            rule={**document, "sources": sources} if sources else document,
            result=result,
            deduction_accounts=accounts,
            supersedes=supersedes,
            township=payer.township,
            actor=actor,
        )
        self.port.save_new(plan, what=f"distribution plan {code}")
        return plan

    @staticmethod
    def _require_income(payer: Books, amount: Money) -> None:
        available = payer.available_income()
        if amount > available:
            raise OverDistributionError(
                f"{payer.code} has {format_yuan(available)} of undistributed income; a plan "
                f"cannot distribute {format_yuan(amount)}",
                field="amount",
                details={"available": amount_str(available), "requested": amount_str(amount)},
            )

    def record_plan_step(
        self, *, code: str, step: str, date: datetime.date, actor: str, **details: Any
    ) -> DistributionPlan:
        check_people(details)

        def command() -> DistributionPlan:
            plan = self.get_plan(code)
            plan.record_step(step=step, date=date, actor=actor, **details)
            self.port.save(plan)
            return plan

        return self.port.retrying(command)

    def request_execution(self, *, code: str, date: datetime.date, actor: str) -> DistributionPlan:
        """提请执行: ask for the plan to be executed on ``date``; every payout is checked as the
        execution would post it (income, cash, accounts) and nothing is written to the books."""

        def command() -> DistributionPlan:
            plan = self.get_plan(code)
            plan.check_executable(date)
            # what the execution would post, into the books in memory only: they are not
            # saved, so they leave the cache when this attempt ends (domain/repository.py)
            self._pay_out(plan, date=date, actor=actor, acknowledged=True, paid_villages=())
            plan.request_execution(on=date, actor=actor)
            self.port.save(plan)
            return plan

        return self.port.retrying(command)

    def cancel_execution_request(self, *, code: str, reason: str, actor: str) -> DistributionPlan:
        """撤回 or 退回 the request to execute the plan, with the reason."""
        text = check_text(reason, field="reason").strip()
        if not text:
            raise InvalidRequestError(
                "say why the request is withdrawn", field="reason", zh="请写明撤回或退回的原因"
            )

        def command() -> DistributionPlan:
            plan = self.get_plan(code)
            plan.cancel_execution_request(reason=text, actor=actor)
            self.port.save(plan)
            return plan

        return self.port.retrying(command)

    def execute_plan(
        self,
        *,
        code: str,
        date: datetime.date,
        actor: str,
        acknowledge_paid_villages: bool = False,
        paid_villages: Sequence[str] = (),
    ) -> DistributionPlan:
        """Pay the plan out: every payout into the payer's and each payee's books, one save; by
        another natural person than the one who asked for it, on the date asked.

        A correction (``supersedes``) does not touch cash already paid: it reverses the old
        plan's declaration and posts its own (``domain.plan_corrections``); each payee's difference
        stays owed (211) or becomes a claim to recover (112 / 113). ``paid_villages`` are the
        payees of a superseded alliance plan that have since paid their own households (the
        caller reads them from the plans' read model); superseding it then needs
        ``acknowledge_paid_villages``.
        """

        def command() -> DistributionPlan:
            plan = self.get_plan(code)
            plan.check_executable(date)
            requester = plan.check_requested(date)
            if self.same_person(requester, actor):
                raise OwnRequestError(
                    f"plan {code} was asked to be executed by {requester!r}; another person "
                    f"executes it, not {actor!r}",
                    field="actor",
                    zh=f"分配方案 {code} 由 {requester} 提请执行，不能由同一人执行："
                    "请由另一位记账/主管人员审核执行",
                )
            books, old, posted = self._pay_out(
                plan,
                date=date,
                actor=actor,
                acknowledged=acknowledge_paid_villages,
                paid_villages=paid_villages,
            )
            plan.execute(on=date, entries=posted, actor=actor)
            self.port.save(plan, *books.values(), *([old] if old is not None else []))
            return plan

        return self.port.retrying(command)

    def _pay_out(
        self,
        plan: DistributionPlan,
        *,
        date: datetime.date,
        actor: str,
        acknowledged: bool,
        paid_villages: Sequence[str],
    ) -> tuple[dict[str, Books], DistributionPlan | None, list[list[str]]]:
        """Every payout of ``plan`` recorded in the books (in memory; the caller saves them, or
        not): the books touched, the plan it supersedes (marked so) and the entries posted."""
        code = plan.code
        books: dict[str, Books] = {plan.payer: self.port.get_books(plan.payer)}
        payer = books[plan.payer]
        old: DistributionPlan | None = None
        posted: list[list[str]] = []
        if plan.supersedes is not None:
            old = self.get_plan(plan.supersedes)
            if paid_villages and not acknowledged:
                raise ConflictError(
                    f"plan {old.code} was paid on to households by "
                    f"{', '.join(sorted(paid_villages))} after {old.executed_on}; their own "
                    f"plans are not changed by correcting {old.code}. Execute {code} with "
                    "acknowledge_paid_villages: true to correct it all the same",
                    field="acknowledge_paid_villages",
                )
            reversals = [
                [payer.code, reversal.number]
                for reversal in reverse_declaration(
                    payer,
                    old,
                    [self.books.find_entry(e, n) for e, n in old.entries if e == payer.code],
                    date=date,
                    reason=f"方案{code}更正{old.code}",
                    actor=actor,
                )
            ]
            old.supersede(by=code, entries=reversals, actor=actor)
        self._require_income(payer, money(plan.result["amount"]))
        entries, paid = payout_entries(
            plan_code=code,
            title=plan.title,
            result=plan.result,
            deduction_accounts=plan.deduction_accounts,
        )
        if old is None:
            require_cash(payer, sum(paid.values(), ZERO), f"that plan {code} pays out")
            require_free_cash(payer, sum(paid.values(), ZERO), code)
        else:
            entries = declarations(entries)  # the differences are not paid here
        names = plan_account_names(plan.result, plan.deduction_accounts)
        for _, postings in entries:
            operation_accounts(postings, names, payer, actor=actor, source=f"plan:{code}")
        for memo, postings in entries:
            entry = payer.post_entry(
                date=date, memo=memo, postings=postings, actor=actor, source=f"plan:{code}"
            )
            posted.append([payer.code, entry.number])
        if old is not None:
            for entity, memo, postings in correction_entries(
                payer=payer, old=old, new_result=plan.result, title=plan.title, code=code
            ):
                target = books.setdefault(entity, self.port.get_books(entity))
                operation_accounts(postings, names, target, actor=actor, source=f"plan:{code}")
                entry = target.post_entry(
                    date=date, memo=memo, postings=postings, actor=actor, source=f"plan:{code}"
                )
                posted.append([entity, entry.number])
        elif plan.scope == "alliance":
            # a village that left after the record date still receives its days' share
            # (docs/rules.md period_share): the plan counted only the days it was a member
            for village, amount in sorted(paid.items()):
                target = books.setdefault(village, self.port.get_books(village))
                entry = target.post_entry(
                    date=date,
                    memo=f"收到{payer.name}分配 {code} {plan.title}",
                    postings=receipt_postings(amount, payer.name),
                    actor=actor,
                    source=f"plan:{code}",
                )
                posted.append([village, entry.number])
        return books, old, posted

    def attach_comparison(
        self, *, code: str, for_step: str, comparison: dict[str, Any], actor: str
    ) -> int:
        """Record a comparison of alternative rules on a plan, before the vote it informs."""

        def command() -> int:
            plan = self.get_plan(code)
            number = plan.attach_comparison(
                for_step=for_step, comparison=comparison, digest=digest(comparison), actor=actor
            )
            self.port.save(plan)
            return number

        return self.port.retrying(command)
