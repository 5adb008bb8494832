"""财务计划 (``/budgets``): the annual financial plans of the books a person keeps.

- ``GET /budgets``: the plans (book, year, version, state, what each waits for) and the form to
  draw up a plan (编制: a book, a year, the lines — the 2023 chart's income and expense accounts
  listed, a named line mapped to accounts below them);
- ``GET /budgets/{entity}/{year}``: the plan — its latest version's lines, the earlier versions,
  the steps of 四议两公开 with the form of the next one (the fields of ``POST
  /v1/budgets/{entity}/{year}/steps``), and the revision form (调整, a new version with its
  reason) once the latest version is rejected, or approved and its 决议 published;
- ``GET /budgets/{entity}/{year}/comparison?through=``: the plan against the books
  (``documents.budget.comparison``): each month from January, the year to date, the difference
  and %, the lines past their plan marked; ``/comparison/print`` (A4 landscape, no menu) and
  ``/comparison.xlsx`` beside it.

The writes build the commands of ``domain.budget.commands`` and run them through the runner
(``workbench.render.run_form``), with the duty ``plan.prepare`` (起草分配方案和财务计划、记录
四议两公开). Every path naming a book asks ``workbench.scope`` first: another township's book is
404, as one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.budget import comparison
from documents.budget_warnings import next_step
from domain.bounds import MONTH_PATTERN
from domain.budget import KIND_ZH, STATE_ZH
from domain.budget.commands import (
    ProposeFinancialPlan,
    RecordFinancialPlanStep,
    ReviseFinancialPlan,
)
from domain.commands import Command
from domain.plan import RESOLUTION_PUBLISHED, STEPS
from ledger.accounts import ChartOfAccounts
from ledger.money import fen_text
from ledger.statement_forms import COSTS, REVENUES
from projections import queries
from projections.budget_queries import plan_list, plan_of, versions_in_force
from rendering.budget import comparison_xlsx
from web.tokens import Principal
from workbench import scope
from workbench.distribution import STEP_HELP, VOTING, _step_details
from workbench.registers import day, engine_of, form_of, text, today
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

EXTRA_ROWS = 4  # blank rows under the chart's accounts, for named lines
MAX_ROWS = 200
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]")
_SPLIT = re.compile(r"[\s,，、;；]+")


def standard_rows() -> list[dict[str, str]]:
    """One row a chart account of income or expense (501 … 521), amount blank."""
    chart = ChartOfAccounts.standard()
    return [
        {"name": "", "accounts": code, "amount": "", "hint": chart.get(code).name}
        for code in (*REVENUES, *COSTS)
    ]


def rows_of(lines: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A version's lines as form rows, then the chart accounts it has no line for, then blank
    rows."""
    rows = [
        {
            "name": line["name"],
            "accounts": "、".join(line["accounts"]),
            "amount": fen_text(line["amount_fen"]),
            "hint": "",
        }
        for line in lines
    ]
    used = {a for line in lines for a in line["accounts"]}
    rows += [r for r in standard_rows() if r["accounts"] not in used]
    return rows + [{"name": "", "accounts": "", "amount": "", "hint": ""}] * EXTRA_ROWS


def typed_rows(form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The rows as the clerk typed them (shown again when a form is refused)."""
    found = {int(m.group(1)) for k in form if (m := _LINE_FIELD.match(k))}
    rows = []
    for i in range(min(max(found, default=-1) + 1, MAX_ROWS)):
        keys = (f"lines[{i}].name", f"lines[{i}].accounts", f"lines[{i}].amount")
        rows.append(
            {
                "name": text(form, keys[0]),
                "accounts": text(form, keys[1]),
                "amount": text(form, keys[2]),
                "hint": text(form, f"lines[{i}].hint"),
            }
        )
    return rows


def lines_of_form(form: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
    """The lines of the rows with an amount (a row left blank is no line), and the row of each
    line (to name the row a refusal is about)."""
    lines, rows = [], []
    for i, row in enumerate(typed_rows(form)):
        if not row["amount"]:
            continue
        accounts = [a for a in _SPLIT.split(row["accounts"]) if a]
        if not accounts:
            raise FormRefused(f"第{i + 1}行：请填写科目", field=f"lines[{i}].accounts")
        lines.append(
            {"name": row["name"], "accounts": accounts, "amount": row["amount"].replace(",", "")}
        )
        rows.append(i)
    if not lines:
        raise FormRefused("请至少为一项填写全年计划金额", field="lines")
    return lines, rows


def by_row(refused: FormRefused, rows: list[int]) -> FormRefused:
    """A refusal of line k (``lines[k].amount``, 第k+1项) named by its row of the form."""
    found = _LINE_FIELD.match(refused.field or "")
    if not found or int(found.group(1)) >= len(rows):
        return refused
    k = int(found.group(1))
    row = rows[k]
    return FormRefused(
        refused.message.replace(f"第{k + 1}项", f"第{row + 1}行"),
        field=_LINE_FIELD.sub(f"lines[{row}]", refused.field or ""),
        status=refused.status,
        kind=refused.kind,
    )


def _sees(request: Request, user: Principal, entity: str) -> bool:
    with engine_of(request).connect() as conn:
        return scope.sees_entity(conn, user, entity)


def missing(request: Request, user: Principal, entity: str, year: int) -> Response:
    return page(request, user, "budget_missing.html", status=404, entity=entity, year=year)


# -- the list and 编制 --------------------------------------------------------------------------


def _index_context(request: Request, user: Principal) -> dict[str, Any]:
    now = today(request)
    with engine_of(request).connect() as conn:
        books = scope.seen(user, queries.list_entities(conn))
        codes = [b["code"] for b in books]
        plans = plan_list(conn, codes)
    for p in plans:
        p["next_step"] = next_step(p, now)
        p["state_name"] = STATE_ZH.get(p["state"], p["state"])
    return {"plans": plans, "books": books, "today": now, "year": now.year}


@router.get("/budgets")
def index(request: Request, user: PageUser) -> Response:
    return page(
        request,
        user,
        "budget_index.html",
        form={},
        error=None,
        rows=rows_of([]),
        **_index_context(request, user),
    )


@router.post("/budgets")
async def propose(request: Request, user: FormUser) -> Response:
    form = await form_of(request)
    form["which"] = "propose"
    rows: list[int] = []
    try:
        require(user, "plan.prepare")
        entity = text(form, "entity")
        if not entity or not _sees(request, user, entity):
            raise FormRefused(f"没有单位 {entity}", field="entity", status=404, kind="not-found")
        year_text = text(form, "year")
        if not year_text.isdigit():
            raise FormRefused("请填写年度，如 2026", field="year")
        lines, rows = lines_of_form(form)
        command = ProposeFinancialPlan(
            entity=entity,
            year=int(year_text),
            lines=lines,
            proposed_on=day(form, "proposed_on", "编制日期"),
            note=text(form, "note"),
        )
        return run_form(
            request, user, form, command, lambda _: f"/budgets/{entity}/{int(year_text)}"
        )
    except FormRefused as refused:
        return page(
            request,
            user,
            "budget_index.html",
            status=refused.status,
            error=by_row(refused, rows),
            form=form,
            rows=typed_rows(form) or rows_of([]),
            **_index_context(request, user),
        )


# -- one plan -----------------------------------------------------------------------------------


def _plan_context(request: Request, entity: str, year: int) -> dict[str, Any] | None:
    now = today(request)
    with engine_of(request).connect() as conn:
        plan = plan_of(conn, entity, year)
        books = queries.entity(conn, entity)
        in_force = versions_in_force(conn, [entity], year, now).get(entity)
    if plan is None or books is None:
        return None
    latest = plan["versions"][-1]
    done = {s["step"] for s in latest["steps"]}
    waiting = next_step({"state": latest["state"], "steps": done, "year": year}, now)
    revisable = latest["state"] == "rejected" or (
        latest["state"] == "approved" and RESOLUTION_PUBLISHED in done
    )
    return {
        "plan": plan,
        "books": books,
        "year": year,
        "latest": latest,
        "in_force": None if in_force is None else in_force["version"],
        "next_step": waiting if waiting in STEPS else None,
        "waiting": waiting,
        "revisable": revisable,
        "rows": rows_of(latest["lines"]),
        "states": STATE_ZH,
        "kinds": KIND_ZH,
        "step_help": STEP_HELP,
        "voting": VOTING,
        "today": now,
    }


@router.get("/budgets/{entity}/{year}")
def show(request: Request, user: PageUser, entity: str, year: int) -> Response:
    context = _plan_context(request, entity, year) if _sees(request, user, entity) else None
    if context is None:
        return missing(request, user, entity, year)
    return page(request, user, "budget_show.html", form={}, error=None, **context)


def _plan_write(
    request: Request,
    user: Principal,
    entity: str,
    year: int,
    form: dict[str, Any],
    command: Callable[[list[int]], Command[Any]],
) -> Response:
    """Run a command on the plan of ``entity`` for ``year`` (built from the form)."""
    if not _sees(request, user, entity):  # before anything is run or shown
        return missing(request, user, entity, year)
    rows: list[int] = []
    try:
        require(user, "plan.prepare")
        return run_form(request, user, form, command(rows), lambda _: f"/budgets/{entity}/{year}")
    except FormRefused as refused:
        context = _plan_context(request, entity, year)
        if context is None:
            return missing(request, user, entity, year)
        if form.get("which") == "revise":
            context["rows"] = typed_rows(form) or context["rows"]
        return page(
            request,
            user,
            "budget_show.html",
            status=refused.status,
            error=by_row(refused, rows),
            form=form,
            **context,
        )


@router.post("/budgets/{entity}/{year}/steps")
async def record_step(request: Request, user: FormUser, entity: str, year: int) -> Response:
    form = await form_of(request)
    form["which"] = "step"
    step = text(form, "step")

    def command(rows: list[int]) -> RecordFinancialPlanStep:
        if step not in STEPS:
            raise FormRefused("未知的步骤", field="step")
        version = text(form, "version")
        return RecordFinancialPlanStep(
            entity=entity,
            year=year,
            step=step,
            date=day(form, "date", "日期"),
            version=int(version) if version.isdigit() else None,
            details=_step_details(form, step),
        )

    return _plan_write(request, user, entity, year, form, command)


@router.post("/budgets/{entity}/{year}/revisions")
async def revise(request: Request, user: FormUser, entity: str, year: int) -> Response:
    form = await form_of(request)
    form["which"] = "revise"

    def command(rows: list[int]) -> ReviseFinancialPlan:
        reason = text(form, "reason")
        if not reason:
            raise FormRefused("请填写调整计划的原因", field="reason")
        lines, found = lines_of_form(form)
        rows.extend(found)
        return ReviseFinancialPlan(
            entity=entity,
            year=year,
            lines=lines,
            proposed_on=day(form, "proposed_on", "修订日期"),
            reason=reason,
            note=text(form, "note"),
        )

    return _plan_write(request, user, entity, year, form, command)


# -- the plan against the books ---------------------------------------------------------------


def _comparison(
    request: Request, user: Principal, entity: str, year: int, through: str
) -> dict[str, Any] | Response:
    if not _sees(request, user, entity):
        return missing(request, user, entity, year)
    if through and not (re.match(MONTH_PATTERN, through) and through[:4] == f"{year:04d}"):
        return page(
            request,
            user,
            "budget_missing.html",
            status=422,
            entity=entity,
            year=year,
            error=f"月份要写成 {year}-03 这样（{year} 年的月份）",
        )
    with engine_of(request).connect() as conn:
        found = comparison(conn, entity, year, through or None, today(request))
    return missing(request, user, entity, year) if found is None else found


@router.get("/budgets/{entity}/{year}/comparison")
def comparison_page(
    request: Request, user: PageUser, entity: str, year: int, through: str = ""
) -> Response:
    found = _comparison(request, user, entity, year, through)
    if isinstance(found, Response):
        return found
    return page(request, user, "budget_comparison.html", c=found, printing=False)


@router.get("/budgets/{entity}/{year}/comparison/print")
def comparison_print(
    request: Request, user: PageUser, entity: str, year: int, through: str = ""
) -> Response:
    found = _comparison(request, user, entity, year, through)
    if isinstance(found, Response):
        return found
    return page(request, user, "budget_print.html", c=found, printing=True)


@router.get("/budgets/{entity}/{year}/comparison.xlsx")
def comparison_download(
    request: Request, user: PageUser, entity: str, year: int, through: str = ""
) -> Response:
    found = _comparison(request, user, entity, year, through)
    if isinstance(found, Response):
        return found
    name = f"{found['entity']['name']}{year}年财务计划执行情况（截至{found['through']}）.xlsx"
    return Response(
        comparison_xlsx(found),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        },
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "budget")
