"""The 工作台 as a township's dashboard: per set of books (village, joint entity) the money it
holds, its income and expenditure month by month for the year, and the warnings a supervisor
acts on. Read from ``projections.dashboard_queries`` (a few grouped queries for all the books
together, never one per book or month); the page (``workbench.home``) only shows it.

Decisions:

- **库存现金 and 银行存款**: the balances of 101 and 102 (their sub-accounts with them) from
  the opening balances and every movement through the current month, as the 科目余额表 has them.
- **收入 and 支出 of a month** are what the 收益及收益分配表 adds up, month by month: 收入 the
  net credit movement of the income accounts 501 经营收入, 502 投资收益, 503 补助收入 and 504
  其他收入 (credits less debits, so a refund debited to 501 or a red-ink reversal reduces it);
  支出 the net debit movement of the expense accounts 511 经营支出, 512 税金及附加, 513 管理费用,
  514 公益支出, 515 其他支出 and 521 所得税费用. The 年终结转 entries (and the red ink of a
  reopened year) are left out: they move the year's result into 本年收益 and are neither income
  nor expenditure. The twelve months of a year add up to the year's 收益及收益分配表, to the
  fen; 401 生产(劳务)成本 is not 支出 until it is sold (经营支出).
- **A month's spending** (for "cash below a month's spending") is the cash paid out per month
  on average over the last three complete calendar months before the current one: what the
  entries of those months credit to 101 and 102, less what they only move between the two (a
  deposit of cash into the bank pays nothing out); red ink reduces it. Complete, not closed:
  closing lags behind, and the warning should not wait for it. Months before the books' opening
  do not count; books opened less than a month ago have no such figure and no such warning.

Warnings, each for the page that resolves it (the page decides the links): months not closed
(every month before the current one after 结账至: from the opening month, or January of this
year for books without opening balances), vouchers waiting for review (待审核), 库存现金 and
银行存款 together below a month's spending, either of them below zero (the books refuse it; older
books may hold it), and agreement arrears (保底 or the declared amount due and not received
after the payment day, ``projections.economy_queries.agreement_status``); and beside the
books, distribution plans waiting for a step of 四议两公开 (or executed without 实施结果公开)
and villages whose 三公开 sheet of the last quarter is not published. From the 资源 and 经济合同
registers (``projections.resources_view``): instalments of contracts falling due within
:data:`DUE_DAYS` days and not yet settled (收 or 付), rents overdue (a receivable contract's
instalments due before today and not fully received), and resources kept for letting with no
contract in force (闲置), each linking to its contract or resource. The financial plans' expense
lines past this year's plan and plans waiting for a step (``documents.budget_warnings``).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from moneyed import Money
from sqlalchemy import Connection

from documents.budget_warnings import BudgetDue, LineOver, budget_dashboard
from documents.registers_resources import area_text
from domain.plan import DRAFTED, EXECUTED, RESULT_PUBLISHED, STEPS
from ledger.money import ZERO, from_fen, money
from ledger.statement_forms import COSTS, REVENUES
from projections import dashboard_queries as q
from projections.economy_queries import agreement_status

DUE_DAYS = 30  # instalments falling due within this many days are on the 工作台
WAITING = ("submitted",)  # 待审核: what a reviewer is to look at (已审核 ones: the 待我记账 list)
SPENDING_MONTHS = 3


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def add_month(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + n
    return month_key(index // 12, index % 12 + 1)


def month_last_day(month: str) -> datetime.date:
    return datetime.date.fromisoformat(add_month(month, 1) + "-01") - datetime.timedelta(days=1)


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    income: Money
    expense: Money

    @property
    def label(self) -> str:
        return f"{int(self.month[5:])}月"


@dataclass(frozen=True)
class Arrear:
    agreement: str
    enterprise: str
    year: int
    due_on: datetime.date
    amount: Money


@dataclass(frozen=True)
class ContractDue:
    """An instalment of a contract falling due soon (收: receivable, 付: payable)."""

    contract: str
    title: str
    party: str
    words: str  # 收 | 付
    due_on: datetime.date
    amount: Money


@dataclass(frozen=True)
class RentOverdue:
    """A receivable contract with instalments due before today not fully received."""

    contract: str
    title: str
    party: str
    since: datetime.date
    amount: Money


@dataclass(frozen=True)
class IdleResource:
    """A resource kept for letting with no contract in force."""

    code: str
    name: str
    area: str
    unit: str

    @property
    def area_text(self) -> str:
        return area_text(self.area, self.unit)


@dataclass(frozen=True)
class Book:
    """One set of books on the dashboard (what it adds up is computed once: a page reads each
    figure several times)."""

    code: str
    name: str
    kind: str  # village | joint
    township: str
    closed_through: str | None
    cash: Money  # 101 库存现金
    bank: Money  # 102 银行存款
    months: tuple[MonthFigures, ...]  # the year's twelve months
    spending: Money | None  # a month's spending; None: no complete month to tell
    spending_months: tuple[str, ...]
    unclosed: tuple[str, str] | None  # (first, last) month not closed
    waiting: int  # vouchers 待审核
    waiting_total: Money
    arrears: tuple[Arrear, ...] = field(default=())
    due_soon: tuple[ContractDue, ...] = field(default=())
    rents_overdue: tuple[RentOverdue, ...] = field(default=())
    idle: tuple[IdleResource, ...] = field(default=())

    @cached_property
    def funds(self) -> Money:
        return self.cash + self.bank

    @cached_property
    def income(self) -> Money:
        return sum((m.income for m in self.months), ZERO)

    @cached_property
    def expense(self) -> Money:
        return sum((m.expense for m in self.months), ZERO)

    @cached_property
    def series(self) -> tuple[tuple[str, Money, Money], ...]:
        """(label, 收入, 支出) a month, as ``rendering.charts.month_chart`` draws them."""
        return tuple((m.label, m.income, m.expense) for m in self.months)

    def months_through(self, today: datetime.date) -> tuple[MonthFigures, ...]:
        """The months of the year up to ``today``'s (the table under the chart)."""
        current = month_key(today.year, today.month)
        return tuple(m for m in self.months if m.month <= current)

    @cached_property
    def short(self) -> bool:
        """库存现金 and 银行存款 together below a month's spending."""
        return self.spending is not None and self.spending > ZERO and self.funds < self.spending

    @cached_property
    def negative(self) -> tuple[tuple[str, Money], ...]:
        """(account, balance) of 101 or 102 below zero."""
        return tuple(
            (account, balance)
            for account, balance in (("101", self.cash), ("102", self.bank))
            if balance < ZERO
        )

    @cached_property
    def warnings(self) -> int:
        return (
            (self.unclosed is not None)
            + (self.waiting > 0)
            + self.short
            + len(self.negative)
            + len(self.arrears)
            + bool(self.due_soon)  # one warning a book: its contracts' coming instalments
            + len(self.rents_overdue)
            + bool(self.idle)  # one a book: its idle resources
        )


@dataclass(frozen=True)
class PlanDue:
    """A distribution plan waiting for its next step of 四议两公开 (or for 执行)."""

    code: str
    title: str
    step: str


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    year: int
    books: tuple[Book, ...]
    plans: tuple[PlanDue, ...] = ()
    sheet_period: str = ""  # the last quarter
    sheets_missing: tuple[Book, ...] = ()  # villages without its published 三公开 sheet
    # 财务计划 (documents.budget_warnings): expense lines past this year's plan, plans waiting
    budget_over: tuple[LineOver, ...] = ()
    budget_due: tuple[BudgetDue, ...] = ()

    def total(self, what: str) -> Money:
        return sum((getattr(b, what) for b in self.books), ZERO)

    @property
    def unclosed(self) -> list[Book]:
        return [b for b in self.books if b.unclosed is not None]

    @property
    def unclosed_groups(self) -> list[tuple[tuple[str, str, str | None], list[Book]]]:
        """The books with months not closed, those with the same months (and the same
        结账至) together, earliest first: thirty villages a month behind are one line."""
        groups: dict[tuple[str, str, str | None], list[Book]] = {}
        for b in self.unclosed:
            assert b.unclosed is not None
            groups.setdefault((*b.unclosed, b.closed_through), []).append(b)
        return sorted(groups.items(), key=lambda item: (item[0][0], item[0][1]))

    @property
    def waiting(self) -> list[Book]:
        return [b for b in self.books if b.waiting]

    @property
    def short(self) -> list[Book]:
        return [b for b in self.books if b.short]

    @property
    def negative(self) -> list[tuple[Book, str, Money]]:
        return [(b, account, balance) for b in self.books for account, balance in b.negative]

    @property
    def arrears(self) -> list[tuple[Book, Arrear]]:
        return [(b, a) for b in self.books for a in b.arrears]

    @property
    def due_soon(self) -> list[Book]:
        return [b for b in self.books if b.due_soon]

    @property
    def rents_overdue(self) -> list[Book]:
        return [b for b in self.books if b.rents_overdue]

    @property
    def idle(self) -> list[Book]:
        return [b for b in self.books if b.idle]

    @property
    def warnings(self) -> int:
        books = sum(b.warnings for b in self.books)
        budget = len(self.budget_over) + len(self.budget_due)
        return books + len(self.plans) + len(self.sheets_missing) + budget


# -- pure: from the figures read -------------------------------------------------------------


def unclosed_months(
    closed_through: str | None, opening_date: datetime.date | None, today: datetime.date
) -> tuple[str, str] | None:
    """The months before ``today``'s that are not closed: (first, last), or None."""
    last = add_month(month_key(today.year, today.month), -1)
    if closed_through is not None:
        first = add_month(closed_through, 1)
    elif opening_date is not None:
        first = month_key(opening_date.year, opening_date.month)
    else:
        first = month_key(today.year, 1)
    if opening_date is not None:
        first = max(first, month_key(opening_date.year, opening_date.month))
    return (first, last) if first <= last else None


def spending_window(today: datetime.date, opening_date: datetime.date | None) -> tuple[str, ...]:
    """The complete months whose cash paid out makes a month's spending: the last three before
    ``today``'s month, none before the books' opening month."""
    current = month_key(today.year, today.month)
    months = [add_month(current, -n) for n in range(SPENDING_MONTHS, 0, -1)]
    if opening_date is not None:
        months = [m for m in months if m >= month_key(opening_date.year, opening_date.month)]
    return tuple(months)


def month_figures(
    year: int,
    movements: Mapping[str, tuple[int, int]],
    year_end: Mapping[str, Mapping[str, int]],
) -> tuple[MonthFigures, ...]:
    """The twelve months of ``year``: 收入 and 支出 (see the module's decisions) from each
    month's net movements (month → (income, expense) in fen) less what the 年终结转 entries
    moved (month → account → net debit)."""
    out = []
    for m in range(1, 13):
        month = month_key(year, m)
        income, expense = movements.get(month, (0, 0))
        closing = year_end.get(month, {})
        income += sum(fen for account, fen in closing.items() if account in REVENUES)
        expense -= sum(fen for account, fen in closing.items() if account in COSTS)
        out.append(MonthFigures(month, from_fen(income), from_fen(expense)))
    return tuple(out)


def next_step(state: str, done: set[str]) -> str | None:
    """What a plan waits for: the first step of 四议两公开 not recorded, 执行 after them, or
    实施结果公开 once executed; None when nothing is left."""
    if state == EXECUTED:
        return None if RESULT_PUBLISHED in done else RESULT_PUBLISHED
    missing = [s for s in STEPS if s not in done and s != RESULT_PUBLISHED]
    return missing[0] if missing else "执行"


def last_quarter(today: datetime.date) -> str:
    quarter = (today.month - 1) // 3 + 1
    return f"{today.year - 1}-Q4" if quarter == 1 else f"{today.year}-Q{quarter - 1}"


def arrears_of(status: Mapping[str, Any]) -> tuple[Arrear, ...]:
    """The years of one agreement (``agreement_status``) in arrears."""
    return tuple(
        Arrear(
            agreement=status["code"],
            enterprise=status["enterprise_code"],
            year=year["year"],
            due_on=year["payment_due"],
            amount=money(year["in_arrears"]),
        )
        for year in status["by_year"]
        if money(year["in_arrears"], allow_zero=True) > ZERO
    )


# -- read: every book at once ----------------------------------------------------------------


def dashboard(
    conn: Connection,
    entities: Sequence[Mapping[str, Any]],
    today: datetime.date,
    townships: Collection[str] | None,
) -> Dashboard:
    """The dashboard of ``entities`` (rows of ``lz_entities``: the books of ``townships`` the
    person sees; ``townships`` None: every book of every township, an administrator's or an
    auditor's, and the queries need no list of codes) as of ``today``."""
    year = today.year
    current = month_key(year, today.month)
    codes = None if townships is None else [e["code"] for e in entities]
    cash = q.cash_balances(conn, codes, current)
    results = q.income_and_expense(conn, codes, year, REVENUES, COSTS)
    year_end = q.year_end_moves(conn, codes, year)
    window = spending_window(today, None)
    paid = q.cash_paid_out(
        conn,
        codes,
        datetime.date.fromisoformat(window[0] + "-01"),
        month_last_day(window[-1]),
    )
    waiting = q.vouchers_waiting(conn, codes, WAITING)
    arrears: dict[str, list[Arrear]] = {}
    for agreement in q.agreements_of(conn, codes):
        status = agreement_status(conn, agreement, today)
        if status is not None:
            arrears.setdefault(status["joint_entity_code"], []).extend(arrears_of(status))
    coming, behind = q.contract_warnings(
        conn, codes, today, today + datetime.timedelta(days=DUE_DAYS)
    )
    due: dict[str, list[ContractDue]] = {}
    for r in coming:
        due.setdefault(r["entity"], []).append(
            ContractDue(
                contract=r["contract"],
                title=r["title"],
                party=r["party"],
                words="收" if r["direction"] == "receivable" else "付",
                due_on=r["due_on"],
                amount=from_fen(r["lacking"]),
            )
        )
    overdue: dict[str, list[RentOverdue]] = {}
    for r in behind:
        overdue.setdefault(r["entity"], []).append(
            RentOverdue(
                contract=r["contract"],
                title=r["title"],
                party=r["party"],
                since=r["since"],
                amount=from_fen(r["overdue"]),
            )
        )
    idle: dict[str, list[IdleResource]] = {}
    for r in q.idle_resources(conn, codes, today):
        idle.setdefault(r["entity"], []).append(
            IdleResource(code=r["code"], name=r["name"], area=r["area"], unit=r["unit"])
        )
    books = []
    for e in entities:
        code = e["code"]
        months = spending_window(today, e.get("opening_date"))
        # no entry is dated before the books' opening, so the window's cash paid out is that
        # of the months since the opening
        spending = from_fen(round_half_up(paid.get(code, 0), len(months))) if months else None
        count, total = waiting.get(code, (0, 0))
        books.append(
            Book(
                code=code,
                name=e["name"],
                kind=e["kind"],
                township=e["township"],
                closed_through=e.get("closed_through"),
                cash=from_fen(cash.get(code, {}).get("101", 0)),
                bank=from_fen(cash.get(code, {}).get("102", 0)),
                months=month_figures(year, results.get(code, {}), year_end.get(code, {})),
                spending=spending,
                spending_months=months,
                unclosed=unclosed_months(e.get("closed_through"), e.get("opening_date"), today),
                waiting=count,
                waiting_total=from_fen(total),
                arrears=tuple(arrears.get(code, ())),
                due_soon=tuple(due.get(code, ())),
                rents_overdue=tuple(overdue.get(code, ())),
                idle=tuple(idle.get(code, ())),
            )
        )
    plans = tuple(
        PlanDue(p["code"], p["title"], step)
        for p in q.plans_in(conn, townships, (DRAFTED, EXECUTED))
        if (step := next_step(p["state"], p["done"])) is not None
    )
    period = last_quarter(today)
    published = q.published_villages(conn, codes, period)
    budget_over, budget_due = budget_dashboard(conn, codes, today)
    return Dashboard(
        today=today,
        year=year,
        books=tuple(books),
        plans=plans,
        sheet_period=period,
        sheets_missing=tuple(b for b in books if b.kind == "village" and b.code not in published),
        budget_over=budget_over,
        budget_due=budget_due,
    )


def round_half_up(fen: int, months: int) -> int:
    """``fen / months`` to the fen, halves away from zero."""
    quotient, remainder = divmod(abs(fen), months)
    if 2 * remainder >= months:
        quotient += 1
    return quotient if fen >= 0 else -quotient
