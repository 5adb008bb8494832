"""The commands on financial plans (财务计划, ``app.budgets``): propose a book's plan for a year,
revise it by a new version with a reason, record the steps of 四议两公开 of a version.
``BudgetService`` receives the application's port (``domain.port``).

What is refused, with nothing written: a plan of books that do not exist, for a year outside
2000 … next year or a year the books have closed (年终结转: its figures are final), a second
plan of the same book and year (revise it instead), lines the chart does not take
(``domain.budget.lines``: an account that is not an income or expense account, an account in
two lines, a negative amount), a step out of order or below its vote's threshold (recorded, and
the version rejected), anything dated after today.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from domain.books import Books
from domain.bounds import check_people, check_text
from domain.budget import FinancialPlan, budget_id, plan_words
from domain.budget.lines import checked_lines
from domain.errors import AlreadyExistsError, ClosedPeriodError, InvalidRequestError, NotFoundError
from domain.periods import require_not_after
from domain.port import Port


class FinancialPlanNotFoundError(NotFoundError):
    kind = "financial-plan-not-found"


class BudgetService:
    """Financial plans; ``app.budgets``."""

    def __init__(self, port: Port) -> None:
        self.port = port

    def get_plan(self, entity: str, year: int) -> FinancialPlan:
        return self.port.load(
            budget_id(entity, year),
            FinancialPlan,
            FinancialPlanNotFoundError(
                f"{entity} has no financial plan for {year}; propose one first",
                field="year",
                zh=f"{plan_words(entity, year)}不存在：请先编制",
            ),
        )

    def _check_year(self, books: Books, year: int) -> None:
        today = self.port.today()
        whole = isinstance(year, int) and not isinstance(year, bool)
        if not whole or not 2000 <= year <= today.year + 1:
            raise InvalidRequestError(
                f"year {year!r} is not a year from 2000 to {today.year + 1}",
                field="year",
                zh=f"年度要填 2000 至 {today.year + 1} 之间的年份",
            )
        closing = books.years_closed.get(str(year))
        if closing is not None:
            raise ClosedPeriodError(
                f"year {year} of {books.code} is closed by 年终结转: its figures are final, a "
                "plan for it is neither proposed nor revised",
                field="year",
                zh=f"{books.code} 的 {year} 年度已年终结转，账已结清，"
                "不能再编制或修订该年度的财务计划",
            )

    def _check_date(self, day: datetime.date, year: int, field: str) -> None:
        require_not_after(day, self.port.today(), what="the plan", field=field)
        if day.year < year - 1:
            raise InvalidRequestError(
                f"a plan for {year} is proposed from {year - 1} on, not on {day}",
                field=field,
                zh=f"{year}年的财务计划最早于 {year - 1} 年编制，不能记为 {day}",
            )

    def propose(
        self,
        *,
        entity: str,
        year: int,
        lines: Sequence[Mapping[str, Any]],
        proposed_on: datetime.date,
        note: str = "",
        actor: str,
    ) -> FinancialPlan:
        """编制: the first version of ``entity``'s plan for ``year`` (``domain.budget.lines``)."""
        check_text(note, field="note", max_length=500, multiline=True)

        def command() -> FinancialPlan:
            books = self.port.get_books(entity)
            self._check_year(books, year)
            self._check_date(proposed_on, year, "proposed_on")
            stored = checked_lines(lines, books)
            if self.port.exists(budget_id(entity, year)):
                raise AlreadyExistsError(
                    f"{entity} already has a financial plan for {year}; revise it instead",
                    field="year",
                    zh=f"{plan_words(entity, year)}已经编制：如要调整，请修订",
                )
            plan = FinancialPlan(
                entity=entity,
                year=year,
                lines=stored,
                proposed_on=proposed_on,
                note=note.strip(),
                actor=actor,
            )
            self.port.save(plan)
            return plan

        return self.port.retrying(command)

    def revise(
        self,
        *,
        entity: str,
        year: int,
        lines: Sequence[Mapping[str, Any]],
        proposed_on: datetime.date,
        reason: str,
        note: str = "",
        actor: str,
    ) -> int:
        """调整: a new version of the plan with ``reason`` (the earlier ones kept); answers its
        number. It goes through 四议两公开 again; until its 决议 the earlier one is in force."""
        check_text(reason, field="reason")
        check_text(note, field="note", max_length=500, multiline=True)

        def command() -> int:
            plan = self.get_plan(entity, year)
            books = self.port.get_books(entity)
            self._check_year(books, year)
            self._check_date(proposed_on, year, "proposed_on")
            stored = checked_lines(lines, books)
            version = plan.revise(
                lines=stored, proposed_on=proposed_on, reason=reason, note=note.strip(), actor=actor
            )
            self.port.save(plan)
            return version

        found: int = self.port.retrying(command)
        return found

    def record_step(
        self,
        *,
        entity: str,
        year: int,
        step: str,
        date: datetime.date,
        actor: str,
        version: int | None = None,
        **details: Any,
    ) -> str | None:
        """A step of 四议两公开 of the latest version (the plans' rules); answers why a failed
        vote rejected it, or None."""
        check_people(details)
        for name in ("body", "note"):
            check_text(details.get(name, ""), field=name, max_length=500, multiline=True)
        check_text(details.get("place", ""), field="place")
        require_not_after(date, self.port.today(), what=f"step {step} of the plan")

        def command() -> str | None:
            plan = self.get_plan(entity, year)
            reason = plan.record_step(step=step, date=date, version=version, actor=actor, **details)
            self.port.save(plan)
            return reason

        result: str | None = self.port.retrying(command)
        return result
