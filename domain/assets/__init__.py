"""Asset cards (资产卡片) and the asset register of a set of books (资产台账): fixed assets
(151/152), productive biological assets (132/133), public-welfare biological assets (134, not
depreciated), intangible assets (161/162, amortised).

``AssetCard`` — one per asset of an entity (``asset_card_id(entity, number)``):

- ``Registered``: number, name, category (``domain/assets/vocabulary.py``), the accounts it
  sits on, 原值, how it came (built, bought, donated, contributed) and when, useful life in
  months, residual rate, method (平均年限法 ``straight_line``, the default, or 工作量法
  ``units`` with its total units), use (productive → 511, administration → 513, public → 514),
  location, user, owners and their shares (village → decimal text, exactly 1 together; a
  village's own asset: the village alone), the project it was built by, the voucher that
  booked it, and what was depreciated before the card was kept here (opening figures);
  depreciation starts the month after it came (当月增加，下月计提);
- ``Depreciated``: one month's depreciation or amortisation, with each owner's share (fen);
- ``Leased`` / ``RentReceived`` / ``LeaseEnded``: 资产出租, the rent of each period received
  (借 102 / 贷 501) with each owner's share;
- ``Disposed``: 清理 through 154 (sale, scrap, loss), the vouchers and the result (gain to 504
  其他收入, loss to 515 其他支出); a disposed card takes nothing more.

``AssetRegister`` — one per entity (``asset_register_id(entity)``): the card numbers and the
project codes of the books, and the monthly depreciation runs (``DepreciationRun``: the month,
its voucher and each card's amount), so a run is made once per month and in one save with the
books and every card.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event
from moneyed import Money

from domain.assets.leases import period_of
from domain.assets.vocabulary import DISPOSALS, DISPOSED, IN_USE, known
from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships
from ledger.money import ZERO, format_yuan, from_fen, to_fen


def asset_card_id(entity: str, number: str) -> UUID:
    return uuid5(NAMESPACE, f"asset:{entity}:{number}")


def asset_register_id(entity: str) -> UUID:
    return uuid5(NAMESPACE, f"asset-register:{entity}")


def next_month(month: str) -> str:
    """The month after ``month`` (``2025-12`` → ``2026-01``)."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def month_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class AssetCard(Aggregate):
    """One asset of one set of books (see the module docstring)."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of the books it is kept in (``domain.tenancy``)."""
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"asset {self.number} of {self.entity}"

    @staticmethod
    def create_id(entity: str, number: str) -> UUID:
        return asset_card_id(entity, number)

    @event("Registered")
    def __init__(
        self,
        *,
        entity: str,
        number: str,
        name: str,
        category: str,
        account: str,
        contra: str | None,
        original: Money,
        acquisition: str,
        acquired_on: datetime.date,
        life_months: int,
        residual_rate: Decimal,
        method: str,
        total_units: Decimal | None,
        use: str,
        location: str,
        user: str,
        owners: dict[str, str],
        project: str | None,
        entry: str | None,
        accumulated: Money,
        months_done: int,
        start_month: str,
        actor: str,
    ) -> None:
        """建卡. ``entry``: the voucher that booked it (None: booked before, e.g. at 建账, or by
        its project's completion, which names the card); ``accumulated`` and ``months_done``:
        depreciated before the card was kept here; ``start_month``: the first month to
        depreciate (the month after ``acquired_on`` unless given)."""
        self.entity = entity
        self.number = number
        self.name = name
        self.category = category
        self.account = account
        self.contra = contra
        self.original = original
        self.acquisition = acquisition
        self.acquired_on = acquired_on
        self.life_months = life_months
        self.residual_rate = residual_rate
        self.method = method
        self.total_units = total_units
        self.use = use
        self.location = location
        self.user = user
        self.owners = dict(owners)
        self.project = project
        self.entry = entry
        self.accumulated_fen = to_fen(accumulated)
        self.months_done = months_done
        self.units_done = "0"
        self.start_month = start_month
        self.last_month: str | None = None  # the last month depreciated here
        self.by_month: dict[str, int] = {}  # month → fen depreciated here
        self.status = IN_USE
        self.disposed_on: datetime.date | None = None
        self.leases: dict[str, dict[str, Any]] = {}  # code → terms (ISO dates, fen)
        self.rents: dict[str, dict[str, int]] = {}  # lease → period (YYYY-MM) → fen received

    # -- what it holds ------------------------------------------------------------------------

    @property
    def accumulated(self) -> Money:
        """累计折旧 (or 摊销) to date."""
        return from_fen(self.accumulated_fen)

    @property
    def net(self) -> Money:
        """净值: 原值 less what was depreciated."""
        return self.original - self.accumulated

    @property
    def due_month(self) -> str:
        """The next month to depreciate."""
        return next_month(self.last_month) if self.last_month else self.start_month

    def shares(self) -> dict[str, Decimal]:
        return {owner: Decimal(share) for owner, share in self.owners.items()}

    def depreciated_between(self, first: str, last: str) -> Money:
        """What was depreciated here in the months ``first`` … ``last`` (YYYY-MM)."""
        return from_fen(sum(fen for month, fen in self.by_month.items() if first <= month <= last))

    def require_in_use(self, doing: str, doing_zh: str) -> None:
        if self.status != IN_USE:
            raise ConflictError(
                f"asset {self.number} of {self.entity} was disposed of on {self.disposed_on}; "
                f"it cannot {doing}",
                field="number",
                zh=f"资产 {self.number} 已于 {self.disposed_on} 清理，不能{doing_zh}",
            )

    # -- depreciation -------------------------------------------------------------------------

    def depreciate(
        self,
        *,
        month: str,
        amount: Money,
        units: Decimal | None,
        account: str,
        owners: dict[str, int],
        entry: str,
        actor: str,
    ) -> None:
        """Record the depreciation of ``month`` (the run's voucher ``entry``): refused for a
        card disposed of, out of its month order, or past what it may take."""
        self.require_in_use("be depreciated", "计提折旧")
        if month != self.due_month:
            raise ConflictError(
                f"asset {self.number} is depreciated for {self.due_month} next, not {month}",
                field="month",
                zh=f"资产 {self.number} 下一个应计提的月份是 {self.due_month}，不是 {month}",
            )
        if self.contra is None or amount < ZERO or amount > self.net:
            raise ConflictError(
                f"asset {self.number} cannot be depreciated by {amount}",
                field="month",
                zh=f"资产 {self.number} 不能计提 {amount}",
            )
        if sum(owners.values()) != to_fen(amount):
            raise ConflictError(
                f"the owners' shares of asset {self.number} do not add up to {amount}",
                field="owners",
            )
        self._depreciated(
            month=month,
            amount=amount,
            units=units,
            account=account,
            owners=owners,
            entry=entry,
            actor=actor,
        )

    @event("Depreciated")
    def _depreciated(
        self,
        *,
        month: str,
        amount: Money,
        units: Decimal | None,
        account: str,
        owners: dict[str, int],
        entry: str,
        actor: str,
    ) -> None:
        """The depreciation (or amortisation) of ``month``: 借 ``account`` (511/513/514) / 贷 the
        contra account, in voucher ``entry`` of the month's run; ``owners`` each owner's share
        in fen; ``units`` the units used (工作量法)."""
        self.accumulated_fen += to_fen(amount)
        self.months_done += 1
        self.last_month = month
        self.by_month[month] = to_fen(amount)
        if units is not None:
            self.units_done = str(Decimal(self.units_done) + units)

    # -- disposal -----------------------------------------------------------------------------

    def check_disposal(self, *, date: datetime.date, kind: str) -> None:
        """Refuse a disposal of a card already disposed of, or dated before what it records."""
        self.require_in_use("be disposed of again", "再次清理")
        known(kind, dict(DISPOSALS), field="kind", what="清理方式")
        if date < self.acquired_on or (self.last_month and month_of(date) < self.last_month):
            after = self.last_month or self.acquired_on.isoformat()
            raise InvalidRequestError(
                f"asset {self.number} cannot be disposed of on {date}, before {after}",
                field="date",
                zh=f"资产 {self.number} 的清理日期 {date} 早于 {after}",
            )

    def dispose(
        self,
        *,
        date: datetime.date,
        kind: str,
        proceeds: Money,
        costs: Money,
        entries: list[str],
        reason: str,
        actor: str,
    ) -> Money:
        """Record the disposal the books posted as ``entries``; returns its result."""
        self.check_disposal(date=date, kind=kind)
        net = self.net
        result = proceeds - costs - net
        self._disposed(
            date=date,
            kind=kind,
            proceeds=proceeds,
            costs=costs,
            net=net,
            result=result,
            entries=list(entries),
            reason=reason,
            actor=actor,
        )
        return result

    @event("Disposed")
    def _disposed(
        self,
        *,
        date: datetime.date,
        kind: str,
        proceeds: Money,
        costs: Money,
        net: Money,
        result: Money,
        entries: list[str],
        reason: str,
        actor: str,
    ) -> None:
        """清理 (``kind``: sale, scrap, loss) through 154: ``net`` the carrying amount moved
        there, ``proceeds`` received, ``costs`` paid, ``result`` = proceeds − costs − net
        (a gain to 504, a loss, negative, to 515), posted as ``entries``."""
        self.status = DISPOSED
        self.disposed_on = date
        for lease in self.leases.values():
            if lease["end"] > date.isoformat():
                lease["end"] = date.isoformat()

    # -- leases -------------------------------------------------------------------------------

    def lease(
        self,
        *,
        lease: str,
        lessee: str,
        rent: Money,
        every_months: int,
        start: datetime.date,
        end: datetime.date,
        due_day: int,
        contract: str | None,
        actor: str,
    ) -> None:
        """资产出租: refused for a disposed card, a lease code taken, dates or periods that
        mean nothing, or a term that overlaps another lease of the same asset."""
        self.require_in_use("be leased", "出租")
        if lease in self.leases:
            raise ConflictError(
                f"asset {self.number} already has a lease {lease}",
                field="lease",
                zh=f"资产 {self.number} 已有编号为 {lease} 的租约",
            )
        if end < start or start < self.acquired_on:
            raise InvalidRequestError(
                f"a lease of asset {self.number} runs from {start} to {end}: it must end on or "
                f"after it starts, and start on or after {self.acquired_on}",
                field="end",
                zh=f"租期 {start} 至 {end} 不合理：结束日不能早于开始日，开始日不能早于资产取得日"
                f" {self.acquired_on}",
            )
        if every_months not in (1, 3, 6, 12):
            raise InvalidRequestError(
                "rent is paid every 1, 3, 6 or 12 months",
                field="every_months",
                zh="租金按 1、3、6 或 12 个月一期收取",
            )
        if not 1 <= due_day <= 31 or rent <= ZERO:
            raise InvalidRequestError(
                "a lease needs a rent above zero and a due day from 1 to 31",
                field="rent" if rent <= ZERO else "due_day",
                zh="租金应大于零，每期应收日为 1 到 31 日",
            )
        for code, other in self.leases.items():
            # (its own names: the lessee of this lease is recorded below)
            holder, first, last = other["lessee"], other["start"], other["end"]
            if first <= end.isoformat() and start.isoformat() <= last:
                raise ConflictError(
                    f"asset {self.number} is leased to {holder} ({code}) from {first} to "
                    f"{last}; the terms overlap",
                    field="start",
                    zh=f"资产 {self.number} 已租给 {holder}（{code}，{first} 至 {last}），租期重叠",
                )
        self._leased(
            lease=lease,
            lessee=lessee,
            rent=rent,
            every_months=every_months,
            start=start,
            end=end,
            due_day=due_day,
            contract=contract,
            actor=actor,
        )

    def check_rent(self, *, lease: str, period: str, amount: Money) -> None:
        """Refuse rent of a lease or period this card does not have, or more than is owed."""
        terms = self.leases.get(lease)
        if terms is None:
            raise InvalidRequestError(
                f"asset {self.number} has no lease {lease}",
                field="lease",
                zh=f"资产 {self.number} 没有编号为 {lease} 的租约",
            )
        due = period_of(terms, period)
        if due is None:
            raise InvalidRequestError(
                f"lease {lease} has no period beginning in {period}",
                field="period",
                zh=f"租约 {lease} 没有从 {period} 开始的租期",
            )
        owed = from_fen(due.rent - self.rents.get(lease, {}).get(period, 0))
        if amount <= ZERO or amount > owed:
            raise ConflictError(
                f"the rent of {period} under lease {lease} still owed is {owed}; "
                f"{amount} cannot be received for it",
                field="amount",
                zh=f"租约 {lease} {period} 期尚欠租金 {format_yuan(owed)}，不能收取 "
                f"{format_yuan(amount)}",
            )

    def receive_rent(
        self,
        *,
        lease: str,
        period: str,
        date: datetime.date,
        amount: Money,
        entry: str,
        project: str | None,
        owners: dict[str, int],
        actor: str,
    ) -> None:
        """Record rent the books posted as voucher ``entry`` (checked as ``check_rent``)."""
        self.check_rent(lease=lease, period=period, amount=amount)
        self._rent_received(
            lease=lease,
            period=period,
            date=date,
            amount=amount,
            entry=entry,
            project=project,
            owners=owners,
            actor=actor,
        )

    def end_lease(self, *, lease: str, date: datetime.date, reason: str, actor: str) -> None:
        """End a lease early (its last day ``date``), with the reason."""
        terms = self.leases.get(lease)
        if terms is None or not terms["start"] <= date.isoformat() < terms["end"]:
            raise ConflictError(
                f"lease {lease} of asset {self.number} cannot end on {date}",
                field="date",
                zh=f"资产 {self.number} 的租约 {lease} 不能在 {date} 终止（须在租期内）",
            )
        if not reason.strip():
            raise InvalidRequestError("say why the lease ends", field="reason", zh="请写明终止原因")
        self._lease_ended(lease=lease, date=date, reason=reason.strip(), actor=actor)

    @event("Leased")
    def _leased(
        self,
        *,
        lease: str,
        lessee: str,
        rent: Money,
        every_months: int,
        start: datetime.date,
        end: datetime.date,
        due_day: int,
        contract: str | None,
        actor: str,
    ) -> None:
        """资产出租 to ``lessee``: ``rent`` for each period of ``every_months`` months from
        ``start`` to ``end`` (the last day of the lease), due on day ``due_day`` of a period's
        first month; ``contract`` the economic contract it is written in, when registered."""
        self.leases[lease] = {
            "lessee": lessee,
            "rent": to_fen(rent),
            "every": every_months,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "due_day": due_day,
            "contract": contract,
        }
        self.rents[lease] = {}
        self.user = lessee

    @event("RentReceived")
    def _rent_received(
        self,
        *,
        lease: str,
        period: str,
        date: datetime.date,
        amount: Money,
        entry: str,
        project: str | None,
        owners: dict[str, int],
        actor: str,
    ) -> None:
        """Rent of the period beginning in month ``period`` received on ``date`` (借 102 / 贷 501
        in voucher ``entry``, tagged with ``project`` when the asset is a project's);
        ``owners`` each owner's share in fen."""
        received = self.rents.setdefault(lease, {})
        received[period] = received.get(period, 0) + to_fen(amount)

    @event("LeaseEnded")
    def _lease_ended(self, *, lease: str, date: datetime.date, reason: str, actor: str) -> None:
        """The lease ends early, on ``date`` (its last day); no rent falls due after it."""
        self.leases[lease]["end"] = date.isoformat()


class AssetRegister(Aggregate):
    """The asset register of one set of books: its cards, its projects, its monthly
    depreciation runs (see the module docstring)."""

    def township_in(self, townships: Townships) -> str | None:
        return townships.entity_township(self.entity)

    def described(self) -> str:
        return f"the asset register of {self.entity}"

    @staticmethod
    def create_id(entity: str) -> UUID:
        return asset_register_id(entity)

    @event("Opened")
    def __init__(self, *, entity: str, actor: str) -> None:
        self.entity = entity
        self.cards: list[str] = []
        self.projects: list[str] = []
        self.runs: dict[str, list[str]] = {}  # month → the vouchers of its runs

    @event("CardAdded")
    def _card_added(self, *, number: str, project: str | None, actor: str) -> None:
        """A card of these books (``project``: the project that built it)."""
        self.cards.append(number)

    def add_card(self, number: str, project: str | None, actor: str) -> None:
        if number in self.cards:
            raise ConflictError(
                f"asset {number} is already registered in the books of {self.entity}",
                field="number",
                zh=f"{self.entity} 已有编号为 {number} 的资产卡片：请换一个编号",
            )
        self._card_added(number=number, project=project, actor=actor)

    @event("ProjectAdded")
    def _project_added(self, *, code: str, actor: str) -> None:
        """A project kept in these books."""
        self.projects.append(code)

    def add_project(self, code: str, actor: str) -> None:
        if code not in self.projects:
            self._project_added(code=code, actor=actor)

    def record_run(
        self,
        *,
        month: str,
        date: datetime.date,
        entry: str | None,
        lines: list[dict[str, Any]],
        owners: dict[str, int],
        total: Money,
        actor: str,
    ) -> None:
        """Record a run of ``month`` whose cards were each depreciated in the same save."""
        if sum(line["amount"] for line in lines) != to_fen(total):
            raise ConflictError(f"the lines of the run of {month} do not add up to {total}")
        self._depreciation_run(
            month=month,
            date=date,
            entry=entry,
            lines=lines,
            owners=owners,
            total=total,
            actor=actor,
        )

    @event("DepreciationRun")
    def _depreciation_run(
        self,
        *,
        month: str,
        date: datetime.date,
        entry: str | None,
        lines: list[dict[str, Any]],
        owners: dict[str, int],
        total: Money,
        actor: str,
    ) -> None:
        """The run of ``month``, dated ``date`` (the month's last day): voucher ``entry`` (借
        511/513/514 / 贷 152/133/162, one line per account), ``lines`` per card (``number``,
        ``amount`` fen, ``account``, ``contra``, ``units``), ``owners`` each owner's share of the
        month in fen over all cards, ``total``."""
        self.runs.setdefault(month, []).extend([entry] if entry else [])
