"""收益分配 (``/distribution``): the plans; draft a plan from the registers (what ``POST
/v1/plans`` takes: scope and target, period, record date, amount, rule); its fairness comparison
(``documents.fairness.comparison`` on the plan's inputs, as ``POST /v1/fairness/comparisons``
with ``plan``); each step of 四议两公开 with date, attendance and votes (``record_plan_step``,
the fields of ``POST /v1/plans/{code}/steps``); execution (记账/主管); the distribution statement
(the public page's HTML and PDF, ``rendering.render.plan_html``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from documents import distribution_statement, fairness
from domain.commands import Command
from domain.plan import STEPS
from domain.plan.commands import (
    AttachComparison,
    CancelExecutionRequest,
    DraftPlan,
    ExecutePlan,
    RecordPlanStep,
    RequestExecution,
)
from projections import economy_queries, queries, tables
from projections.chart_view import full_head_names
from projections.people_view import display_actor, display_names
from rendering.render import pdf, plan_html
from web.tokens import Principal
from workbench import scope
from workbench.registers import (
    day,
    engine_of,
    form_of,
    text,
    today,
    whole,
)
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

SCOPES = {"village": "村 → 农户", "alliance": "联合社 → 成员村"}
# rule presets a clerk picks from (docs/rules.md terms; parties and amount come from the registers)
PRESETS: dict[str, dict[str, Any]] = {
    "village-shares": {
        "label": "村：按股分配（人口股、劳龄股等合计）",
        "scope": "village",
        "tiers": [{"name": "按股分配", "kind": "proportional", "basis": "shares"}],
    },
    "village-households": {
        "label": "村：按户平均",
        "scope": "village",
        "tiers": [{"name": "按户平均", "kind": "equal"}],
    },
    "alliance-capital": {
        "label": "联合社：按出资比例",
        "scope": "alliance",
        "tiers": [{"name": "按出资", "kind": "proportional", "basis": "capital"}],
    },
    "alliance-weighted": {
        "label": "联合社：保底6% + 按资金50/土地30/人口20加权",
        "scope": "alliance",
        "tiers": [
            {"name": "保底收益", "kind": "rate", "basis": "capital", "percent": "6"},
            {
                "name": "按权重分配",
                "kind": "weighted",
                "weights": {"capital": "50", "land": "30", "population": "20"},
            },
        ],
    },
}
STEP_HELP = {
    "提议": "村党组织提议（一人兼任书记、主任时可与商议合并）",
    "商议": "村“两委”会议商议：到会过半数同意",
    "审议": "党员大会审议：应到三分之二以上到会，全体党员过半数同意",
    "决议": "村民会议或村民代表会议决议",
    "决议公开": "决议在公开栏公布（地点）",
    "实施结果公开": "执行后公布实施结果（地点）",
}
VOTING = ("商议", "审议", "决议")


def _targets(request: Request, user: Principal) -> dict[str, list[dict[str, Any]]]:
    engine = engine_of(request)
    with engine.connect() as conn:
        villages = [e for e in queries.list_entities(conn) if e["kind"] == "village"]
        alliances = queries.list_alliances(conn)
    return {"village": scope.seen(user, villages), "alliance": scope.seen(user, alliances)}


def _index_context(request: Request, user: Principal) -> dict[str, Any]:
    engine = engine_of(request)
    with engine.connect() as conn:
        seen = scope.seen_codes(conn, user, tables.plans)
        plans = [p for p in economy_queries.list_plans(conn) if p["code"] in seen]
    return {
        "plans": plans,
        "targets": _targets(request, user),
        "presets": PRESETS,
        "scopes": SCOPES,
        "today": today(request),
    }


@router.get("/distribution")
def index(request: Request, user: PageUser) -> Response:
    return page(
        request, user, "plan_index.html", form={}, error=None, **_index_context(request, user)
    )


@router.post("/distribution")
async def draft(request: Request, user: FormUser) -> Response:
    form = await form_of(request)
    form["which"] = "draft"

    def command() -> DraftPlan:
        scope, target = text(form, "scope"), text(form, "target")
        if scope not in SCOPES:
            raise FormRefused("请选择分配范围", field="scope")
        if not target:
            raise FormRefused("请选择村或联村党组织", field="target")
        if not any(t["code"] == target for t in _targets(request, user)[scope]):
            what = "联村党组织" if scope == "alliance" else "村"  # none, or another township's
            raise FormRefused(f"没有{what} {target}", field="target", status=404, kind="not-found")
        preset = PRESETS.get(text(form, "preset"))
        if preset is None or preset["scope"] != scope:
            raise FormRefused("请选择与分配范围相符的分配规则", field="preset")
        rule: dict[str, Any] = {"tiers": preset["tiers"]}
        reserve = text(form, "reserve_percent")
        if reserve and reserve != "0":
            rule["deductions"] = [{"name": "公积公益金", "percent": reserve}]
        for name, what in (
            ("code", "方案编号"),
            ("title", "方案名称"),
            ("period", "所属期间"),
            ("amount", "分配金额"),
        ):
            if not text(form, name):
                raise FormRefused(f"请填写{what}", field=name)
        return DraftPlan(
            code=text(form, "code"),
            title=text(form, "title"),
            scope=scope,
            target=target,
            period=text(form, "period"),
            as_of=day(form, "as_of", "基准日（登记簿截至）"),
            amount=text(form, "amount").replace(",", ""),
            rule=rule,
        )

    try:
        require(user, "plan.prepare")
        return run_form(request, user, form, command(), lambda code: f"/distribution/{code}")
    except FormRefused as refused:
        return page(
            request,
            user,
            "plan_index.html",
            status=refused.status,
            error=refused,
            form=form,
            **_index_context(request, user),
        )


def _candidates(plan: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The usual alternatives to a plan's rule (the comparison puts the plan's own first), and
    the basis the measures are per unit of."""
    if plan["scope"] == "village":
        others = [
            ("按户平均", {"tiers": [{"kind": "equal"}]}),
            ("按股分配", {"tiers": [{"kind": "proportional", "basis": "shares"}]}),
        ]
        return [{"name": n, "rule": r} for n, r in others], "shares"
    others = [
        ("各村平均", {"tiers": [{"kind": "equal"}]}),
        ("按出资", {"tiers": [{"kind": "proportional", "basis": "capital"}]}),
    ]
    return [{"name": n, "rule": r} for n, r in others], "population"


def _compare(request: Request, code: str, plan: dict[str, Any]) -> dict[str, Any]:
    candidates, basis = _candidates(plan)
    with engine_of(request).connect() as conn:
        return fairness.comparison(
            conn,
            document=None,
            plan=code,
            candidates=candidates,
            per_capita_basis=basis,
            today=today(request),
        )


def _comparison(request: Request, plan: dict[str, Any]) -> dict[str, Any] | None:
    """The plan's rule beside the usual alternatives, measured (nothing is written)."""
    try:
        return _compare(request, plan["code"], plan)
    except Exception:  # a comparison that cannot be made leaves the page as it is
        return None


def _attached(request: Request, code: str) -> list[dict[str, Any]]:
    with engine_of(request).connect() as conn:
        return [
            {k: c[k] for k in ("number", "for_step", "digest")}
            for c in economy_queries.plan_comparisons_of(conn, code)
        ]


def _plan_context(request: Request, code: str) -> dict[str, Any] | None:
    with engine_of(request).connect() as conn:
        plan = economy_queries.plan(conn, code)
        if plan is not None and plan["scope"] == "village":
            full_head_names(conn, plan["payer"], plan["lines"])  # the clerk sees whom it pays
    if plan is None:
        return None
    done = {s["step"] for s in plan["steps"]}
    following = None
    if plan["state"] == "drafted":
        following = next((s for s in STEPS[:5] if s not in done), None)
    elif plan["state"] == "executed" and "实施结果公开" not in done:
        following = "实施结果公开"
    executable = plan["state"] == "drafted" and all(s in done for s in STEPS[:5])
    asked = plan.get("execution_request")
    if asked is not None:  # who asked, by 姓名
        with engine_of(request).connect() as conn:
            asked["actor_name"] = display_actor(asked["actor"], display_names(conn))
    return {
        "plan": plan,
        "next_step": following,
        "executable": executable,
        "step_help": STEP_HELP,
        "voting": VOTING,
        "today": today(request),
        "comparison": _comparison(request, plan),
        "attached": _attached(request, code),
        "scopes": SCOPES,
    }


@router.get("/distribution/{code}")
def show(request: Request, user: PageUser, code: str) -> Response:
    if not _sees(request, user, code):
        return page(request, user, "plan_missing.html", status=404, code=code)
    context = _plan_context(request, code)
    if context is None:
        return page(request, user, "plan_missing.html", status=404, code=code)
    return page(request, user, "plan_show.html", form={}, error=None, **context)


def _sees(request: Request, user: Principal, code: str) -> bool:
    """Whether plan ``code`` exists in a township ``user`` sees (``workbench.scope``)."""
    with engine_of(request).connect() as conn:
        return scope.sees_plan(conn, user, code)


def _plan_write(
    request: Request,
    user: Principal,
    code: str,
    form: dict[str, Any],
    action: str,
    command: Callable[[], Command[Any]],
) -> Response:
    """Run a command on plan ``code`` (built from the form: refused when it does not parse)."""
    if not _sees(request, user, code):  # before anything is run or shown
        return page(request, user, "plan_missing.html", status=404, code=code)
    try:
        require(user, action)
        return run_form(request, user, form, command(), lambda _: f"/distribution/{code}")
    except FormRefused as refused:
        context = _plan_context(request, code)
        if context is None:
            return page(request, user, "plan_missing.html", status=404, code=code)
        return page(
            request,
            user,
            "plan_show.html",
            status=refused.status,
            error=refused,
            form=form,
            **context,
        )


def _step_details(form: Mapping[str, Any], step: str) -> dict[str, Any]:
    details: dict[str, Any] = {
        "body": text(form, "body"),
        "place": text(form, "place"),
        "note": text(form, "note"),
    }
    merged = step == "提议" and text(form, "merged") == "1"
    if merged:
        details["merged"] = True
    if step in VOTING or merged:
        for name, what in (
            ("expected", "应到人数"),
            ("present", "实到人数"),
            ("votes_for", "同意票"),
            ("votes_against", "反对票"),
            ("abstentions", "弃权票"),
        ):
            details[name] = whole(form, name, what)
    if step == "决议":
        assembly = text(form, "assembly")
        if assembly not in ("villagers", "representatives"):
            raise FormRefused("请选择村民会议或村民代表会议", field="assembly")
        details["assembly"] = assembly
        if assembly == "villagers":
            for name, what in (
                ("adult_villagers", "十八周岁以上村民数"),
                ("households", "本村户数"),
                ("households_present", "到会户数"),
            ):
                value = whole(form, name, what, required=False)
                if value is not None:
                    details[name] = value
    if not details["body"]:
        raise FormRefused("请填写会议或组织（如 村党支部、村两委联席会议）", field="body")
    return details


@router.post("/distribution/{code}/steps")
async def record_step(request: Request, user: FormUser, code: str) -> Response:
    form = await form_of(request)
    form["which"] = "step"
    step = text(form, "step")

    def command() -> RecordPlanStep:
        if step not in STEPS:
            raise FormRefused("未知的步骤", field="step")
        details = _step_details(form, step)
        return RecordPlanStep(code=code, step=step, date=day(form, "date", "日期"), details=details)

    return _plan_write(request, user, code, form, "plan.prepare", command)


@router.post("/distribution/{code}/execution-request")
async def request_execution(request: Request, user: FormUser, code: str) -> Response:
    """提请执行: the plan's execution asked for on a date (checked, nothing posted)."""
    form = await form_of(request)
    form["which"] = "request"

    def command() -> RequestExecution:
        return RequestExecution(code=code, date=day(form, "date", "执行日期"))

    return _plan_write(request, user, code, form, "plan.prepare", command)


@router.post("/distribution/{code}/execution-request/cancellation")
async def cancel_execution_request(request: Request, user: FormUser, code: str) -> Response:
    """撤回 (who asked) or 退回 (who would execute) the request, with the reason."""
    form = await form_of(request)
    form["which"] = "cancel"

    def command() -> CancelExecutionRequest:
        reason = text(form, "reason")
        if not reason:
            raise FormRefused("请写明撤回或退回的原因", field="reason")
        return CancelExecutionRequest(code=code, reason=reason)

    return _plan_write(request, user, code, form, "plan.prepare", command)


@router.post("/distribution/{code}/execution")
async def execute(request: Request, user: FormUser, code: str) -> Response:
    form = await form_of(request)
    form["which"] = "execute"

    def paid(c: str) -> list[str]:
        with engine_of(request).connect() as conn:
            return distribution_statement.villages_paid_on(conn, c)

    def command() -> ExecutePlan:
        return ExecutePlan(
            code=code,
            date=day(form, "date", "执行日期"),
            acknowledge_paid_villages=text(form, "acknowledge_paid_villages") == "1",
            paid_villages=paid,
        )

    return _plan_write(request, user, code, form, "plan.execute", command)


def _statement(request: Request, code: str) -> dict[str, Any] | None:
    with engine_of(request).connect() as conn:
        return distribution_statement.distribution_statement(conn, code)


@router.post("/distribution/{code}/comparisons")
async def attach_comparison(request: Request, user: FormUser, code: str) -> Response:
    """Record the comparison on the plan before the vote of 审议 or 决议 (as ``POST
    /v1/plans/{code}/comparisons``): the statement then shows what was on the table."""
    form = await form_of(request)
    form["which"] = "compare"

    def comparison() -> dict[str, Any]:
        with engine_of(request).connect() as conn:
            plan = economy_queries.plan(conn, code)
        assert plan is not None  # the command found the plan
        return _compare(request, code, plan)

    def command() -> AttachComparison:
        return AttachComparison(code=code, for_step=text(form, "for_step"), comparison=comparison)

    return _plan_write(request, user, code, form, "plan.prepare", command)


@router.get("/distribution/{code}/statement")
def statement(request: Request, user: PageUser, code: str) -> Response:
    found = _statement(request, code) if _sees(request, user, code) else None
    if found is None:
        return page(request, user, "plan_missing.html", status=404, code=code)
    return HTMLResponse(plan_html(found))


@router.get("/distribution/{code}/statement.pdf")
def statement_pdf(request: Request, user: PageUser, code: str) -> Response:
    found = _statement(request, code) if _sees(request, user, code) else None
    if found is None:
        return page(request, user, "plan_missing.html", status=404, code=code)
    return Response(
        pdf(plan_html(found)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{code}.pdf"'},
    )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
