"""The commands on asset cards (``app.assets``): register a card, the monthly depreciation run
of a set of books, disposal through 154, leases and their rent. ``AssetService`` receives the
application's port (``domain.port``); every command saves the books, the cards and the register
it changed in one save.

Accounting (《农村集体经济组织会计制度》 2023, as this system keeps it):

- a card bought, donated or contributed is booked when it is registered: 借 151 (132, 134, 161)
  / 贷 102 (bought), 311 (donated), 301 (contributed); one already in the books (建账) is
  registered with what was depreciated before, and nothing is posted; a built one is booked by
  its project's completion (``domain.projects``);
- the monthly run (``run_depreciation``) posts one voucher dated the month's last day: 借 511
  经营支出 (productive use), 513 管理费用 (administration), 514 公益支出 (public welfare) / 贷
  152 累计折旧, 133 生产性生物资产累计折旧, 162 累计摊销, one line per account; each card's amount
  is split among its owners by their shares (``ledger.depreciation.owners_split``), recorded
  on the card and the run, not posted in the owners' books; a month is run once (a second run
  writes nothing and says so), cards month after month (a card whose earlier month was not run
  refuses the run), never into a closed month (the books refuse it), never past 原值 × (1 −
  残值率); public-welfare biological assets (134) are not depreciated;
- disposal (清理) through 154 固定资产清理 in one save: 借 154 net value, 借 152 (133, 162)
  accumulated / 贷 151 (…) 原值; proceeds 借 102 / 贷 154; costs 借 154 / 贷 102; the result
  to 504 其他收入 (gain) or 515 其他支出 (loss). A disposed card takes nothing more;
- rent of a lease (资产出租) received: 借 102 / 贷 501 经营收入, tagged with the asset's project
  (``project:XM2025-NC``) or the asset (``asset:GZ-001``); a project's rent is also recorded as
  the project's income, with each owner's share.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from moneyed import Money

from domain.assets import (
    AssetCard,
    AssetRegister,
    asset_card_id,
    asset_register_id,
    next_month,
    operations,
)
from domain.assets.vocabulary import ACQUISITIONS, CATEGORIES, USES, known
from domain.books import Books
from domain.bounds import check_text
from domain.codes import require_code
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.periods import month_of, parse_month, require_not_after
from domain.port import Port
from domain.projects import Project, project_id
from ledger.depreciation import (
    METHODS,
    depreciable_base,
    owners_split,
    shares_problem,
    straight_line,
    units_of_production,
)
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, format_yuan, from_fen, money, to_fen

MAX_LIFE_MONTHS = 1200  # a hundred years


class AssetNotFoundError(NotFoundError):
    kind = "asset-not-found"


@dataclass(frozen=True)
class CardTerms:
    """What a card says about its asset (a registration's, or each card of a project's
    completion): number, name, category, useful life in months, residual rate (0.05 is 5%),
    method, total units (工作量法), use, location, user; ``original`` its 原值 (for a project
    with several cards, its part of the cost; one card takes the whole cost)."""

    number: str
    name: str
    life_months: int
    residual_rate: str = "0.05"
    category: str = "fixed"
    method: str = "straight_line"
    total_units: str | None = None
    use: str = "productive"
    location: str = ""
    user: str = ""
    original: str | None = None


@dataclass(frozen=True)
class DepreciationResult:
    """What a monthly run did: its voucher (None when nothing was posted), the total, each
    card's line (number, amount, account, contra), each owner's share of the month, and what
    the clerk is told (``message``, Chinese)."""

    entity: str
    month: str
    entry: str | None
    total: Money
    lines: list[dict[str, Any]] = field(default_factory=list)
    owners: dict[str, Money] = field(default_factory=dict)
    message: str = ""

    @property
    def written(self) -> bool:
        return self.entry is not None


def last_day(month: str) -> datetime.date:
    year, number = int(month[:4]), int(month[5:7])
    return datetime.date(year, number, calendar.monthrange(year, number)[1])


def _decimal(value: object, *, field: str, zh: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or isinstance(value, (bool, float)):
        raise InvalidRequestError(f"{field} {value!r} is not a decimal", field=field, zh=zh)
    return number


def checked_shares(owners: Mapping[str, object], *, field: str = "owners") -> dict[str, str]:
    """Ownership shares as given (village → fraction): each 0 … 1, together exactly 1;
    refused in Chinese otherwise. Returned as decimal text."""
    shares: dict[str, Decimal] = {}
    for code, value in owners.items():
        require_code(code)
        shares[code] = _decimal(
            value, field=f"{field}.{code}", zh=f"{code} 的份额应写成小数，如 0.45"
        )
    problem = shares_problem(shares)
    if problem is not None:
        raise InvalidRequestError(
            f"the ownership shares must each be from 0 to 1 and add up to exactly 1: {problem}",
            field=field,
            zh=problem,
        )
    return {code: f"{share.normalize():f}" for code, share in sorted(shares.items())}


class AssetService:
    """Asset cards, depreciation runs, disposals and leases; ``app.assets``."""

    def __init__(self, port: Port) -> None:
        self.port = port

    # -- loading ------------------------------------------------------------------------------

    def get_card(self, entity: str, number: str) -> AssetCard:
        return self.port.load(
            asset_card_id(entity, number),
            AssetCard,
            AssetNotFoundError(
                f"asset {number} is not registered in the books of {entity}",
                field="number",
                zh=f"{entity} 没有编号为 {number} 的资产卡片",
            ),
        )

    def find_register(self, entity: str) -> AssetRegister | None:
        found = self.port.find(asset_register_id(entity))
        assert found is None or isinstance(found, AssetRegister)
        return found

    def register_of(self, entity: str, actor: str) -> AssetRegister:
        """The asset register of ``entity``'s books, opened (not saved) when there is none."""
        return self.find_register(entity) or AssetRegister(entity=entity, actor=actor)

    def cards_of(self, entity: str) -> list[AssetCard]:
        register = self.find_register(entity)
        return [self.get_card(entity, n) for n in register.cards] if register else []

    # -- cards --------------------------------------------------------------------------------

    def new_card(
        self,
        books: Books,
        register: AssetRegister,
        terms: CardTerms,
        *,
        original: Money,
        acquisition: str,
        acquired_on: datetime.date,
        owners: Mapping[str, str],
        project: str | None,
        entry: str | None,
        accumulated: Money = ZERO,
        months_done: int = 0,
        start_month: str | None = None,
        actor: str,
    ) -> AssetCard:
        """A new card of ``books`` on ``terms``, added to ``register`` (neither saved)."""
        require_code(terms.number)
        check_text(terms.name, field="name", required=True)
        check_text(terms.location, field="location")
        check_text(terms.user, field="user")
        category = CATEGORIES[
            known(terms.category, dict(CATEGORIES), field="category", what="资产类别")
        ]
        known(terms.method, dict(METHODS), field="method", what="折旧方法")
        known(terms.use, dict(USES), field="use", what="用途")
        if not 1 <= terms.life_months <= MAX_LIFE_MONTHS:
            raise InvalidRequestError(
                f"the useful life is 1 to {MAX_LIFE_MONTHS} months, not {terms.life_months}",
                field="life_months",
                zh=f"使用年限应为 1 到 {MAX_LIFE_MONTHS} 个月",
            )
        rate = _decimal(terms.residual_rate, field="residual_rate", zh="残值率应写成小数，如 0.05")
        depreciable_base(original, rate)  # refuses a rate outside 0 … 1
        units: Decimal | None = None
        if terms.method == "units":
            units = _decimal(terms.total_units, field="total_units", zh="工作量法需要预计总工作量")
            if units <= 0:
                raise InvalidRequestError(
                    "工作量法 needs the total units, above 0",
                    field="total_units",
                    zh="工作量法需要填写预计总工作量（大于 0）",
                )
        if original <= ZERO:
            raise InvalidRequestError(
                "an asset's 原值 is above zero", field="original", zh="资产原值应大于零"
            )
        if not ZERO <= accumulated <= original or months_done < 0:
            raise InvalidRequestError(
                "what was depreciated before is from 0 to the 原值",
                field="accumulated",
                zh="已提折旧应在 0 到原值之间",
            )
        start = parse_month(start_month) if start_month else next_month(month_of(acquired_on))
        register.add_card(terms.number, project, actor)
        return AssetCard(
            entity=books.code,
            number=terms.number,
            name=terms.name.strip(),
            category=terms.category,
            account=category.account,
            contra=category.contra,
            original=original,
            acquisition=acquisition,
            acquired_on=acquired_on,
            life_months=terms.life_months,
            residual_rate=rate,
            method=terms.method,
            total_units=units,
            use=terms.use,
            location=terms.location.strip(),
            user=terms.user.strip(),
            owners=dict(owners),
            project=project,
            entry=entry,
            accumulated=accumulated,
            months_done=months_done,
            start_month=start,
            actor=actor,
        )

    def register_asset(
        self,
        *,
        entity: str,
        terms: CardTerms,
        acquisition: str,
        acquired_on: datetime.date,
        owners: Mapping[str, object] | None = None,
        booked: bool = False,
        accumulated: str = "0",
        months_done: int = 0,
        start_month: str | None = None,
        actor: str,
    ) -> AssetCard:
        """建卡: a card for an asset bought, donated or contributed (booked now: 借 the
        category's account / 贷 102, 311 or 301), or already in the books (``booked``: nothing
        posted; ``accumulated`` and ``months_done`` what was depreciated before)."""
        known(acquisition, dict(ACQUISITIONS), field="acquisition", what="取得方式")
        credit, _ = ACQUISITIONS[acquisition]
        if credit is None and not booked:
            raise InvalidRequestError(
                "a built asset is booked by its project's completion; register it here only "
                "when it is already in the books (booked)",
                field="acquisition",
                zh="自建资产由项目竣工时转入；只有已入账的自建资产才在这里登记（已入账）",
            )
        if booked and not start_month:
            raise InvalidRequestError(
                "a card for an asset already in the books says the first month this system "
                "depreciates it (start_month), after what was depreciated before",
                field="start_month",
                zh="已入账资产建卡时，请填写在本系统开始计提折旧的月份（此前已提的折旧另填）",
            )
        original = money(terms.original, allow_zero=False, field="original", maximum=MAX_AMOUNT)
        before = money(accumulated, field="accumulated", maximum=MAX_AMOUNT)
        require_not_after(acquired_on, self.port.today(), what="an asset's acquisition")
        shares = checked_shares(owners or {entity: "1"})
        for owner in shares:
            if owner != entity:
                self.port.get_books(owner)  # an owner is a village or joint entity

        def command() -> AssetCard:
            books = self.port.get_books(entity)
            register = self.register_of(entity, actor)
            entry = None
            if not booked:
                account = CATEGORIES[terms.category].account if terms.category in CATEGORIES else ""
                assert credit is not None
                posted = books.post_entry(
                    date=acquired_on,
                    memo=f"{ACQUISITIONS[acquisition][1]}{terms.name.strip()}",
                    postings=[
                        {"account": account, "side": "debit", "amount": original},
                        {"account": credit, "side": "credit", "amount": original},
                    ],
                    actor=actor,
                    source=f"asset:{terms.number}",
                )
                entry = posted.number
            card = self.new_card(
                books,
                register,
                terms,
                original=original,
                acquisition=acquisition,
                acquired_on=acquired_on,
                owners=shares,
                project=None,
                entry=entry,
                accumulated=before,
                months_done=months_done,
                start_month=start_month,
                actor=actor,
            )
            self.port.save(books, register, card)
            return card

        return self.port.retrying(command)

    # -- the monthly run ----------------------------------------------------------------------

    def run_depreciation(
        self,
        *,
        entity: str,
        month: str,
        units: Mapping[str, object] | None = None,
        actor: str,
    ) -> DepreciationResult:
        """计提折旧 of ``month`` for every card of ``entity``'s books, in one save (``units``:
        the units each 工作量法 card gave in the month). A month already run writes nothing
        and says so."""
        parse_month(month)
        given = {
            number: _decimal(value, field=f"units.{number}", zh=f"{number} 的本月工作量应为数字")
            for number, value in (units or {}).items()
        }

        def command() -> DepreciationResult:
            register = self.find_register(entity)
            books = self.port.get_books(entity)
            cards = [self.get_card(entity, n) for n in (register.cards if register else [])]
            due = [c for c in cards if self._takes(c) and c.due_month <= month]
            late = [c for c in due if c.due_month < month]
            if late:
                first = min(c.due_month for c in late)
                raise ConflictError(
                    f"asset {late[0].number} of {entity} has not been depreciated for "
                    f"{late[0].due_month}; run {first} first",
                    field="month",
                    zh=f"{entity} 的资产 {late[0].number} 还没有计提 {late[0].due_month} 的折旧："
                    f"请先计提 {first}",
                )
            if not due or register is None:
                return self._nothing(entity, month, register)
            date = last_day(month)
            lines: list[dict[str, Any]] = []
            owners: dict[str, Money] = {}
            debits: dict[str, int] = {}
            credits: dict[str, int] = {}
            splits: list[tuple[AssetCard, Money, Decimal | None, dict[str, Money]]] = []
            for card in due:
                amount, used = self._month_amount(card, given)
                parts = owners_split(amount, card.shares()) if amount > ZERO else {}
                splits.append((card, amount, used, parts))
                expense = USES[card.use][0]
                assert card.contra is not None
                if amount > ZERO:
                    debits[expense] = debits.get(expense, 0) + to_fen(amount)
                    credits[card.contra] = credits.get(card.contra, 0) + to_fen(amount)
                for owner, part in parts.items():
                    owners[owner] = owners.get(owner, ZERO) + part
                lines.append(
                    {
                        "number": card.number,
                        "amount": to_fen(amount),
                        "account": expense,
                        "contra": card.contra,
                        "units": None if used is None else str(used),
                    }
                )
            total = sum((amount for _, amount, _, _ in splits), ZERO)
            entry_number = None
            if total > ZERO:
                wear = {CATEGORIES[c.category].wear for c, amount, _, _ in splits if amount}
                what = "折旧及摊销" if len(wear) > 1 else wear.pop()
                entry = books.post_entry(
                    date=date,
                    memo=f"计提{month[:4]}年{int(month[5:])}月{what}",
                    postings=[
                        *(
                            {"account": a, "side": "debit", "amount": from_fen(fen)}
                            for a, fen in sorted(debits.items())
                        ),
                        *(
                            {"account": a, "side": "credit", "amount": from_fen(fen)}
                            for a, fen in sorted(credits.items())
                        ),
                    ],
                    actor=actor,
                    source=f"depreciation:{month}",
                )
                entry_number = entry.number
            for card, amount, used, parts in splits:
                card.depreciate(
                    month=month,
                    amount=amount,
                    units=used,
                    account=USES[card.use][0],
                    owners={o: to_fen(p) for o, p in parts.items()},
                    entry=entry_number or "",
                    actor=actor,
                )
            register.record_run(
                month=month,
                date=date,
                entry=entry_number,
                lines=lines,
                owners={o: to_fen(p) for o, p in sorted(owners.items())},
                total=total,
                actor=actor,
            )
            self.port.save(books, register, *(card for card, _, _, _ in splits))
            shown = f"凭证 {entry_number}" if entry_number else "无金额"
            return DepreciationResult(
                entity=entity,
                month=month,
                entry=entry_number,
                total=total,
                lines=lines,
                owners=dict(sorted(owners.items())),
                message=f"{entity} {month} 计提折旧 {format_yuan(total)}"
                f"（{len(lines)} 张卡片，{shown}）",
            )

        return self.port.retrying(command)

    @staticmethod
    def _takes(card: AssetCard) -> bool:
        """Whether ``card`` is depreciated at all any more."""
        if card.status != "in_use" or card.contra is None:
            return False
        return card.accumulated < depreciable_base(card.original, card.residual_rate)

    @staticmethod
    def _month_amount(
        card: AssetCard, given: Mapping[str, Decimal]
    ) -> tuple[Money, Decimal | None]:
        base = depreciable_base(card.original, card.residual_rate)
        if card.method != "units":
            return straight_line(base, card.life_months, card.accumulated, card.months_done), None
        if card.number not in given:
            raise InvalidRequestError(
                f"asset {card.number} is depreciated by units (工作量法): give the units it "
                "gave this month",
                field=f"units.{card.number}",
                zh=f"资产 {card.number} 按工作量法计提折旧：请填写本月工作量",
            )
        assert card.total_units is not None
        used = given[card.number]
        amount = units_of_production(
            base, card.total_units, Decimal(card.units_done), used, card.accumulated
        )
        return amount, used

    @staticmethod
    def _nothing(entity: str, month: str, register: AssetRegister | None) -> DepreciationResult:
        runs = register.runs.get(month) if register else None
        if runs is not None:
            shown = "、".join(runs) or "无金额"
            message = f"{entity} {month} 的折旧已经计提过（{shown}），本次没有记账"
            return DepreciationResult(entity, month, None, ZERO, message=message)
        return DepreciationResult(
            entity, month, None, ZERO, message=f"{entity} {month} 没有需要计提折旧的资产"
        )

    # -- disposal and leases (domain/assets/operations.py) --------------------------------------

    def dispose(self, **request: Any) -> tuple[Money, list[JournalEntry]]:
        """清理 through 154 (``operations.dispose``: entity, number, date, kind, proceeds,
        costs, reason, actor); a disposed card is refused a second disposal."""
        return operations.dispose(self.port, self.get_card, **request)

    def lease(self, **request: Any) -> AssetCard:
        """资产出租 (``operations.lease``: entity, number, lease, lessee, rent, start, end,
        every_months, due_day, contract, actor)."""
        return operations.lease(self.port, self.get_card, **request)

    def receive_rent(self, **request: Any) -> JournalEntry:
        """Rent received (``operations.receive_rent``: entity, number, lease, period, date,
        amount, actor): 借 102 / 贷 501, and the project's income when it is a project's."""
        return operations.receive_rent(self.port, self.get_card, self.project_of, **request)

    def end_lease(self, **request: Any) -> AssetCard:
        """A lease ended early (entity, number, lease, date, reason, actor)."""
        return operations.end_lease(self.port, self.get_card, **request)

    # -- project links ------------------------------------------------------------------------

    def project_of(self, card: AssetCard) -> Project | None:
        if card.project is None:
            return None
        found = self.port.find(project_id(card.project))
        assert found is None or isinstance(found, Project)
        return found
