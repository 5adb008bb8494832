"""The commands on jointly built projects (``app.projects``): plan one, record its steps of
四议两公开, pay its costs, complete it into asset cards, record its income; and what the plans
read of a project (its ownership shares, its result in a period). ``ProjectService`` receives
the application's port (``domain.port``) and the asset service (completion creates the cards).

Accounting (《农村集体经济组织会计制度》 2023, as this system keeps it; README "三资"):

- the project's costs accumulate on its own 明细科目 of 153 在建工程 (``153XM2025NC``
  在建工程-牛舍), opened with the project, each payment 借 153<code> / 贷 102 tagged
  ``project:<code>``;
- a cost charged to a grant (241 专项应付款-<programme>) is refused beyond what the books still
  hold of that grant (its free balance) and beyond what the project was given of it; its voucher
  also moves that part 借 241<programme> / 贷 241<code> (专项应付款-牛舍): the grant is spent on
  the project, still owed to the programme until the asset exists;
- completion, one save: 借 151 (132 for breeding stock, 161 …) / 贷 153<code> the whole cost,
  and 借 241<code> / 贷 311 公积公益金 the grant-funded part; the asset cards; the ownership
  shares of the asset per village, from the capital each designated or as given (exactly 1);
- income of a project (rent of its assets, a dividend tied to it, other income) is posted 借 102
  / 贷 501/502/504 tagged with the project, or tied to a voucher already posted (a dividend
  the agreement's receipt booked), with each owner's share recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from moneyed import Money

from domain.assets.service import AssetService, CardTerms, checked_shares
from domain.assets.vocabulary import CATEGORIES
from domain.books import Books, JointEntity
from domain.bounds import check_people, check_text
from domain.codes import require_code
from domain.errors import (
    AlreadyExistsError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    OverDistributionError,
)
from domain.periods import parse_period, require_not_after
from domain.port import Port
from domain.programmes import programme_name
from domain.projects import (
    INCOME_KINDS,
    KINDS,
    Project,
    account_suffix,
    project_id,
)
from domain.projects.approval import needs_approval
from domain.projects.funding import (
    budget_items,
    check_sources,
    funding_source,
    open_project_account,
)
from ledger.depreciation import owners_split, shares_from
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, amount_str, format_yuan, from_fen, money, to_fen

INCOME_ACCOUNTS = {"rent": "501", "dividend": "502", "other": "504"}
MAX_ITEMS = 50


class ProjectNotFoundError(NotFoundError):
    kind = "project-not-found"


class ProjectService:
    """Jointly built projects; ``app.projects``."""

    def __init__(self, port: Port, assets: AssetService) -> None:
        self.port = port
        self.assets = assets

    def get_project(self, code: str) -> Project:
        return self.port.load(
            project_id(code),
            Project,
            ProjectNotFoundError(
                f"project {code} does not exist; plan it first",
                field="project",
                zh=f"没有编号为 {code} 的项目",
            ),
        )

    # -- planning -----------------------------------------------------------------------------

    def plan_project(
        self,
        *,
        code: str,
        entity: str,
        name: str,
        kind: str,
        budget: Mapping[str, object],
        funding: Sequence[Mapping[str, object]],
        planned_on: datetime.date,
        actor: str,
    ) -> Project:
        """立项: a project of ``entity``'s books with its budget by item and its funding
        sources (``domain.projects``), which must add up to the budget; capital designated by a
        village is at most what it paid in for that programme and has not designated to another
        project; a grant at most what the books hold of it, less what other projects were given."""
        require_code(code)
        check_text(name, field="name", required=True)
        if kind not in KINDS:
            raise InvalidRequestError(
                f"kind {kind!r} is not one of {', '.join(KINDS)}",
                field="kind",
                zh=f"项目类别请选{'、'.join(KINDS.values())}之一",
            )
        require_not_after(planned_on, self.port.today(), what=f"project {code}", field="planned_on")
        items = budget_items(budget)
        sources = [funding_source(i, f) for i, f in enumerate(funding)]
        total, given = sum(items.values()), sum(f["amount"] for f in sources)
        if total != given:
            raise InvalidRequestError(
                f"the funding sources add up to {amount_str(from_fen(given))}, not "
                f"the budget {amount_str(from_fen(total))}",
                field="funding",
                zh=f"资金来源合计 {format_yuan(from_fen(given))}，与预算 "
                f"{format_yuan(from_fen(total))} 不符",
            )
        suffix = account_suffix(code)
        if self.port.exists(project_id(code)):
            raise AlreadyExistsError(
                f"project {code} already exists", field="code", zh=f"项目 {code} 已存在"
            )

        def command() -> Project:
            books = self.port.get_books(entity)
            register = self.assets.register_of(entity, actor)
            check_sources(self.port, books, sources, register.projects, planned_on)
            account, grant_account = f"153{suffix}", None
            open_project_account(books, account, f"在建工程-{name.strip()}", actor)
            if any(f["kind"] == "grant" for f in sources):
                grant_account = f"241{suffix}"
                open_project_account(books, grant_account, f"专项应付款-{name.strip()}", actor)
            register.add_project(code, actor)
            project = Project(
                code=code,
                entity=entity,
                name=name.strip(),
                kind=kind,
                budget=items,
                funding=sources,
                approval_required=needs_approval(from_fen(total)),
                planned_on=planned_on,
                account=account,
                grant_account=grant_account,
                actor=actor,
            )
            self.port.save(books, register, project)
            return project

        return self.port.retrying(command)

    # -- approval -----------------------------------------------------------------------------

    def record_step(
        self, *, code: str, step: str, date: datetime.date, actor: str, **details: Any
    ) -> str | None:
        """A step of 四议两公开 (the plans' rules); answers why a failed vote rejected the
        project, or None."""
        check_people(details)
        require_not_after(date, self.port.today(), what=f"step {step} of project {code}")

        def command() -> str | None:
            project = self.get_project(code)
            reason = project.record_step(step=step, date=date, actor=actor, **details)
            self.port.save(project)
            return reason

        result: str | None = self.port.retrying(command)
        return result

    # -- costs --------------------------------------------------------------------------------

    def record_cost(
        self,
        *,
        code: str,
        date: datetime.date,
        item: str,
        amount: object,
        memo: str = "",
        grant: str | None = None,
        grant_amount: object | None = None,
        actor: str,
    ) -> JournalEntry:
        """A payment for the project: 借 153<code> / 贷 102, and for the part paid from
        ``grant`` (the whole amount unless ``grant_amount`` says less) 借 241<grant> / 贷
        241<code> in the same voucher; refused beyond the grant's free balance in the books."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)
        from_grant = ZERO
        if grant is not None:
            programme_name(grant, field="grant")
            from_grant = (
                value
                if grant_amount is None
                else money(grant_amount, allow_zero=False, field="grant_amount", maximum=MAX_AMOUNT)
            )
            if from_grant > value:
                raise InvalidRequestError(
                    "the part paid from the grant is at most the cost",
                    field="grant_amount",
                    zh="从专项资金中支付的部分不能超过这笔支出",
                )
        check_text(memo, field="memo")

        def command() -> JournalEntry:
            project = self.get_project(code)
            project.check_cost(
                date=date, item=item, amount=value, grant=grant, grant_amount=from_grant
            )
            books = self.port.get_books(project.entity)
            rows = [
                {"account": project.account, "side": "debit", "amount": value},
                {"account": "102", "side": "credit", "amount": value},
            ]
            if grant is not None:
                free = -books.balance(f"241{grant}")
                if from_grant > free:
                    raise OverDistributionError(
                        f"the grant {grant} has {format_yuan(free)} left in the books of "
                        f"{books.code} (241{grant}); {format_yuan(from_grant)} cannot be paid "
                        "from it",
                        field="grant_amount",
                        zh=f"{books.code} 的专项资金 {programme_name(grant)}（241{grant}）可用余额"
                        f"只有 {format_yuan(free)}，不能从中支付 {format_yuan(from_grant)}",
                        details={
                            "available": amount_str(free),
                            "requested": amount_str(from_grant),
                        },
                    )
                assert project.grant_account is not None
                rows += [
                    {"account": f"241{grant}", "side": "debit", "amount": from_grant},
                    {"account": project.grant_account, "side": "credit", "amount": from_grant},
                ]
            text = memo.strip() or f"{project.name}工程支出（{item}）"
            entry = books.post_entry(
                date=date, memo=text, postings=rows, actor=actor, source=f"project:{code}"
            )
            project.record_cost(
                date=date,
                item=item,
                amount=value,
                grant=grant,
                grant_amount=from_grant,
                entry=entry.number,
                memo=text,
                actor=actor,
            )
            self.port.save(books, project)
            return entry

        found: JournalEntry = self.port.retrying(command)
        return found

    # -- completion ---------------------------------------------------------------------------

    def complete(
        self,
        *,
        code: str,
        date: datetime.date,
        assets: Sequence[CardTerms],
        owners: Mapping[str, object] | None = None,
        actor: str,
    ) -> list[JournalEntry]:
        """竣工 in one save: 借 the cards' accounts (151, 132 …) / 贷 153<code> the cost, 借
        241<code> / 贷 311 the grant-funded part, the asset cards, and the ownership shares
        (``owners`` as the agreement says, each 0 … 1 and exactly 1 together; else by the
        capital each village designated; a project without village capital is its entity's)."""
        if not assets:
            raise InvalidRequestError(
                "a completed project gives at least one asset card",
                field="assets",
                zh="竣工时至少要登记一张资产卡片",
            )
        given = checked_shares(owners) if owners else None

        def command() -> list[JournalEntry]:
            project = self.get_project(code)
            project.check_completion(date)
            books = self.port.get_books(project.entity)
            if given is not None:
                shares, basis = given, "agreed"
                for owner in shares:
                    if owner != project.entity and not self._member(books, owner, date):
                        raise InvalidRequestError(
                            f"{owner} is not a member village of {books.code}'s alliance",
                            field=f"owners.{owner}",
                            zh=f"{owner} 不是 {books.code} 所在联村党组织的成员村",
                        )
            elif project.capital_by_village():
                found = shares_from(project.capital_by_village())
                shares, basis = {c: f"{s:f}" for c, s in found.items()}, "capital"
            else:
                shares, basis = {project.entity: "1"}, "capital"
            originals = self._originals(project.cost, assets)
            register = self.assets.register_of(project.entity, actor)
            by_account: dict[str, Money] = {}
            for terms, original in zip(assets, originals, strict=True):
                account = CATEGORIES[terms.category].account if terms.category in CATEGORIES else ""
                by_account[account] = by_account.get(account, ZERO) + original
            entries = [
                books.post_entry(
                    date=date,
                    memo=f"{project.name}竣工转入资产",
                    postings=[
                        *(
                            {"account": a, "side": "debit", "amount": m}
                            for a, m in sorted(by_account.items())
                        ),
                        {"account": project.account, "side": "credit", "amount": project.cost},
                    ],
                    actor=actor,
                    source=f"project:{code}",
                )
            ]
            if project.grant_part > ZERO:
                assert project.grant_account is not None
                entries.append(
                    books.post_entry(
                        date=date,
                        memo=f"{project.name}专项资金形成资产，转入公积公益金",
                        postings=[
                            {
                                "account": project.grant_account,
                                "side": "debit",
                                "amount": project.grant_part,
                            },
                            {"account": "311", "side": "credit", "amount": project.grant_part},
                        ],
                        actor=actor,
                        source=f"project:{code}",
                    )
                )
            cards = [
                self.assets.new_card(
                    books,
                    register,
                    terms,
                    original=original,
                    acquisition="built",
                    acquired_on=date,
                    owners=shares,
                    project=code,
                    entry=entries[0].number,
                    actor=actor,
                )
                for terms, original in zip(assets, originals, strict=True)
            ]
            project.complete(
                date=date,
                asset_account="、".join(sorted(by_account)),
                entries=[e.number for e in entries],
                assets=[c.number for c in cards],
                owners=shares,
                basis=basis,
                actor=actor,
            )
            self.port.save(books, project, register, *cards)
            return entries

        found: list[JournalEntry] = self.port.retrying(command)
        return found

    def _member(self, books: Books, village: str, day: datetime.date) -> bool:
        if not isinstance(books, JointEntity):
            return False
        return village in self.port.get_alliance(books.alliance_code).members_on(day)

    @staticmethod
    def _originals(cost: Money, assets: Sequence[CardTerms]) -> list[Money]:
        """Each card's 原值: the whole cost for one card; the parts given, adding up to the
        cost, for several."""
        if len(assets) == 1 and assets[0].original is None:
            return [cost]
        parts = [
            money(t.original, allow_zero=False, field=f"assets[{i}].original", maximum=MAX_AMOUNT)
            for i, t in enumerate(assets)
        ]
        if sum(parts, ZERO) != cost:
            raise InvalidRequestError(
                f"the cards' 原值 add up to {format_yuan(sum(parts, ZERO))}, not the project's "
                f"cost {format_yuan(cost)}",
                field="assets",
                zh=f"各资产卡片原值合计 {format_yuan(sum(parts, ZERO))}，与项目成本 "
                f"{format_yuan(cost)} 不符",
            )
        return parts

    # -- income -------------------------------------------------------------------------------

    def record_income(
        self,
        *,
        code: str,
        date: datetime.date,
        kind: str,
        amount: object,
        memo: str = "",
        reference: str = "",
        posted: str | None = None,
        actor: str,
    ) -> str:
        """Income of a completed project: posted 借 102 / 贷 501 (rent), 502 (dividend) or 504
        (other), tagged with the project; or, with ``posted``, a voucher already in the books
        (a dividend booked by its agreement) tied to the project without posting again.
        Answers the voucher number."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)
        if kind not in INCOME_KINDS:
            raise InvalidRequestError(
                f"income kind {kind!r} is not one of {', '.join(INCOME_KINDS)}",
                field="kind",
                zh=f"收益类别请选{'、'.join(INCOME_KINDS.values())}之一",
            )
        check_text(memo, field="memo")
        check_text(reference, field="reference")

        def command() -> str:
            project = self.get_project(code)
            project.check_income(date)
            books = self.port.get_books(project.entity)
            account = INCOME_ACCOUNTS[kind]
            text = memo.strip() or f"{project.name}{INCOME_KINDS[kind]}"
            if posted is not None:
                books.require_entry(posted)
                tied = [e for _, _, _, e in project.income if e == posted]
                if tied:
                    raise ConflictError(
                        f"voucher {posted} is already income of project {code}",
                        field="posted",
                        zh=f"凭证 {posted} 已记为项目 {code} 的收益",
                    )
                number = posted
            else:
                number = books.post_entry(
                    date=date,
                    memo=text,
                    postings=[
                        {"account": "102", "side": "debit", "amount": value},
                        {"account": account, "side": "credit", "amount": value},
                    ],
                    actor=actor,
                    source=f"project:{code}",
                ).number
            parts = owners_split(value, project.shares())
            project.record_income(
                date=date,
                kind=kind,
                amount=value,
                account=account,
                entry=number,
                reference=reference.strip(),
                owners={o: to_fen(p) for o, p in parts.items()},
                memo=text,
                actor=actor,
            )
            self.port.save(books, project)
            return number

        found: str = self.port.retrying(command)
        return found

    # -- what plans read ----------------------------------------------------------------------

    def ownership(self, code: str) -> tuple[str, dict[str, Decimal]]:
        """The entity whose books hold project ``code`` and the recorded ownership shares of
        its finished asset (refused before completion)."""
        project = self.get_project(code)
        if not project.owners:
            raise ConflictError(
                f"project {code} is not completed: it has no ownership shares yet",
                field="project",
                zh=f"项目 {code} 尚未竣工，还没有记录所有权份额",
            )
        return project.entity, project.shares()

    def result(self, code: str, period: str) -> Money:
        """The project's result in ``period``: its income less the depreciation of its assets
        (the amount a plan drafted from the project distributes)."""
        found = parse_period(period)
        project = self.get_project(code)
        income = project.income_between(found.start, found.end)
        worn = sum(
            (
                self.assets.get_card(project.entity, n).depreciated_between(
                    found.first_month, found.last_month
                )
                for n in project.assets
            ),
            ZERO,
        )
        return income - worn
