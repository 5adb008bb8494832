"""The demo alliance of docs/scenario-a.md: 黑牛盒马联村党委 (唐坊镇, 高青县), its three villages,
the joint entity 黑牛养殖联合社 and the enterprise 纽澜地, with opening balances, taken through a
whole year of Scenario A: capital and land pooled, the agreement with 纽澜地, its 2025 dividend,
the alliance's distribution plan through 四议两公开 and its execution (asked for by the demo's
制单, executed by its 记账/主管), then 李孟德村's plan for its households; then Scenario B
(docs/scenario-b.md, ``scripts.demo_assets``): J01's cattle barn XM2025-NC built with the
villages' capital and a grant, depreciated and leased month by month up to the store's today,
its 2025 result divided by ownership; the township's
会计主管 and 出纳 for the printed vouchers, and four vouchers prepared by the 制单: two reviewed
by the 审核 and posted by the 记账/主管, one reviewed and waiting to be posted, one waiting for
review.

Loading is idempotent: every step first asks whether it already happened (ids are uuid5 of the
codes), so running the demo again writes nothing new. The population figures are those of
Scenario A; households and opening balances are illustrative, chosen to balance.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from documents import publishing
from domain.agreement import agreement_id
from domain.application import LianzhangApplication
from domain.books import VillageCollective
from domain.ids import alliance_id, entity_id
from domain.members import register_id
from domain.people import person_id
from domain.plan import STEPS, plan_id
from ledger.comparison import compare
from runtime.bootstrap import Runtime
from scripts import scenario_a as A
from scripts.demo_assets import load_barn

# the demo's bookkeeper (记账/主管) records the demo's year: 经办 on the sheets shows her 姓名
ACTOR = "zhuguan"
PREPARER = "zhidan"  # the demo's 制单: prepares vouchers, asks for the plans' execution
REVIEWER = "shenhe"  # the demo's 审核: reviews vouchers (the 记账/主管 posts them)
TOWNSHIP = "唐坊镇"
COUNTY = "高青县"
ALLIANCE = "HNHM"
JOINT_ENTITY = "J01"
ENTERPRISE = "NLD"
OPENING = datetime.date(2025, 1, 1)

VILLAGES = (
    # code, name, population, households, opening balances (account, side, amount)
    (
        "V01",
        "仉家村",
        1200,
        400,
        (
            ("101", "debit", "2000.00"),
            ("102", "debit", "850000.00"),
            ("151", "debit", "1200000.00"),
            ("152", "credit", "180000.00"),
            ("301", "credit", "1500000.00"),
            ("311", "credit", "372000.00"),
        ),
    ),
    (
        "V02",
        "和店村",
        800,
        260,
        (
            ("101", "debit", "1500.00"),
            ("102", "debit", "600000.00"),
            ("151", "debit", "800000.00"),
            ("152", "credit", "120000.00"),
            ("301", "credit", "1000000.00"),
            ("311", "credit", "281500.00"),
        ),
    ),
    (
        "V03",
        "李孟德村",
        1000,
        330,
        (
            ("101", "debit", "1800.00"),
            ("102", "debit", "720000.00"),
            ("151", "debit", "950000.00"),
            ("152", "credit", "150000.00"),
            ("301", "credit", "1200000.00"),
            ("311", "credit", "321800.00"),
        ),
    ),
)


CHECKERS = ["王建华", "刘秀梅", "赵德明"]  # 民主理财小组 (invented names)
SHEETS = (("2025", datetime.date(2026, 1, 6)), ("2026-Q1", datetime.date(2026, 4, 3)))


# The alternatives the demo's 审议 saw: Scenario A's three, and one by land. In Scenario A the
# capital is in proportion to the population, so 按资金比例 and 按人口 give the same columns; by
# land (500 / 120 / 300 亩) the result differs, which is what a comparison is there to show.
DEMO_ALTERNATIVES: list[dict[str, Any]] = [
    *A.ALTERNATIVES,
    {"name": "按土地", "rule": {"tiers": [{"kind": "proportional", "basis": "land"}]}},
]


def publish_demo_sheets(runtime: Runtime) -> int:
    """Each demo village's sheets, and the joint entity's (it handles the alliance's money),
    for 2025 and the first quarter of 2026, once."""
    wrote = 0
    for code in [*(v[0] for v in VILLAGES), JOINT_ENTITY]:
        for period, checked_on in SHEETS:
            if publishing.published(runtime, code, period) is None:
                publishing.publish_sheet(
                    runtime,
                    code,
                    period,
                    checked_by=CHECKERS,
                    checked_on=checked_on,
                    opinion="经民主理财小组逐笔审核，收支真实、分配符合决议。",
                    reason="",
                    actor=ACTOR,
                )
                wrote += 1
    return wrote


# one demo person per role, so every role can be tried: login, 姓名, role; all in the demo's
# township
DEMO_PEOPLE = (
    ("zhidan", "李晓红", "preparer"),
    ("shenhe", "王建国", "reviewer"),
    ("zhuguan", "张淑芬", "bookkeeper"),
    ("shenji", "陈立明", "auditor"),
    ("guanli", "刘志强", "admin"),
)


def demo_people(runtime: Runtime, secrets_file: Path) -> list[tuple[str, str, str, str | None]]:
    """Register the demo people who are missing, each with a new random password written to
    ``secrets_file`` (mode 0600, one ``login password`` line each). Returns ``(login, 姓名, role,
    password)`` for every demo person; the password only for those created now, so a second run
    prints no secret."""
    from web.users import UserStore

    users = UserStore(runtime.engine)
    found: list[tuple[str, str, str, str | None]] = []
    for login, name, role in DEMO_PEOPLE:
        if not runtime.app.exists(person_id(login)):
            townships = () if role in ("admin", "auditor") else (TOWNSHIP,)
            runtime.app.people.register_person(login, name, role, townships, actor="demo")
        password = None
        if not users.has_password(login):
            password = secrets.token_urlsafe(9)
            users.set_password(login, password)
            secrets_file.parent.mkdir(parents=True, exist_ok=True)
            with secrets_file.open("a", encoding="utf-8") as out:
                out.write(f"{login} {password}\n")
            secrets_file.chmod(0o600)
        found.append((login, name, role, password))
    return found


def load_demo(app: LianzhangApplication, say: Callable[[str], None] = print) -> int:
    """Load whatever part of the demo alliance is missing; returns how many steps wrote."""
    wrote = 0
    if not app.exists(alliance_id(ALLIANCE)):
        app.alliances.form_alliance(
            code=ALLIANCE,
            name="黑牛盒马联村党委",
            township=TOWNSHIP,
            county=COUNTY,
            model="村企联建",
            formed_on=OPENING,
            actor=ACTOR,
        )
        wrote += 1
    for code, name, population, households, balances in VILLAGES:
        if not app.exists(entity_id(code)):
            app.books.register_village(
                code=code,
                name=name,
                township=TOWNSHIP,
                county=COUNTY,
                population=population,
                households=households,
                actor=ACTOR,
            )
            wrote += 1
        village = app.get_books(code)
        assert isinstance(village, VillageCollective)
        if village.opening_date is None:
            app.books.set_opening_balances(
                entity=code,
                as_of=OPENING,
                balances=[{"account": a, "side": s, "amount": m} for a, s, m in balances],
                actor=ACTOR,
            )
            wrote += 1
        if app.get_alliance(ALLIANCE).current_spell(code) is None:
            app.alliances.join_village(
                alliance=ALLIANCE, village=code, joined_on=OPENING, actor=ACTOR
            )
            wrote += 1
    alliance = app.get_alliance(ALLIANCE)
    if ENTERPRISE not in alliance.enterprises:
        app.alliances.join_enterprise(
            alliance=ALLIANCE, code=ENTERPRISE, name="纽澜地", joined_on=OPENING, actor=ACTOR
        )
        wrote += 1
    if alliance.joint_entity_code is None:
        app.alliances.register_joint_entity(
            alliance=ALLIANCE, code=JOINT_ENTITY, name="黑牛养殖联合社", actor=ACTOR
        )
        wrote += 1
    if app.get_books(JOINT_ENTITY).opening_date is None:
        app.books.set_opening_balances(entity=JOINT_ENTITY, as_of=OPENING, balances=[], actor=ACTOR)
        wrote += 1
    wrote += _scenario_a(app)
    wrote += load_barn(  # Scenario B (docs/scenario-b.md): the 牛舍 of J01, after Scenario A
        app, joint=JOINT_ENTITY, alliance=ALLIANCE, actor=ACTOR, preparer=PREPARER
    )
    wrote += _signers(app)
    wrote += _vouchers(app)
    say(
        "demo alliance 黑牛盒马联村党委 is loaded"
        + (f" ({wrote} steps written)" if wrote else " (nothing new to write)")
    )
    return wrote


def _scenario_a(app: LianzhangApplication) -> int:
    """Scenario A, step by step, each step only if it has not happened yet."""
    wrote = 0
    for village, (capital, mu) in A.CONTRIBUTIONS.items():
        joint = app.get_joint(A.JOINT)
        if not joint.capital_of(village, A.CONTRIBUTED_ON):
            app.pooling.contribute_capital(
                joint=A.JOINT,
                village=village,
                programme=A.PROGRAMME,
                amount=capital,
                date=A.CONTRIBUTED_ON,
                actor=ACTOR,
            )
            wrote += 1
        if not joint.land.get(village):
            app.pooling.contribute_land(
                joint=A.JOINT,
                village=village,
                mu=Decimal(mu),
                grade=Decimal("1.0"),
                value_per_mu=A.LAND_VALUE_PER_MU,
                term_years=A.LAND_TERM_YEARS,
                date=A.CONTRIBUTED_ON,
                actor=ACTOR,
            )
            wrote += 1
    if not app.exists(agreement_id(A.AGREEMENT)):
        terms = dict(A.AGREEMENT_TERMS)
        guarantee = terms.pop("guarantee")
        share = Decimal(terms.pop("profit_share_percent"))
        app.agreements.sign_agreement(
            **terms,
            guarantee_kind=guarantee["kind"],
            guarantee_value=Decimal(guarantee["value"]),
            profit_share_percent=share,
            actor=ACTOR,
        )
        wrote += 1
    if not app.get_joint(A.JOINT).balance(f"141{A.ENTERPRISE}"):
        if f"141{A.ENTERPRISE}" not in app.get_joint(A.JOINT).open_accounts:
            app.books.open_account(  # part of the investment step: its sub-account, opened first
                entity=A.JOINT,
                code=f"141{A.ENTERPRISE}",
                name="长期投资-纽澜地",
                parent="141",
                actor=ACTOR,
            )
        app.pooling.record_cash(
            entity=A.JOINT,
            direction="payment",
            account=f"141{A.ENTERPRISE}",
            amount=A.AGREEMENT_TERMS["invested_capital"],
            date=A.INVESTED_ON,
            memo="投资纽澜地黑牛养殖项目",
            actor=ACTOR,
        )
        wrote += 1
    agreement = app.agreements.get_agreement(A.AGREEMENT)
    if not agreement.declared_for(2025):
        app.agreements.declare_dividend(
            agreement=A.AGREEMENT, year=2025, amount=A.DIVIDEND, date=A.DECLARED_ON, actor=ACTOR
        )
        wrote += 1
    if not agreement.received_for(2025):
        app.agreements.receive_dividend(
            agreement=A.AGREEMENT, year=2025, amount=A.DIVIDEND, date=A.RECEIVED_ON, actor=ACTOR
        )
        wrote += 1
    wrote += _plan(
        app, A.ALLIANCE_PLAN_BODY, A.ALLIANCE_STEPS, A.ALLIANCE_EXECUTED_ON, A.ALLIANCE_RESULT_STEP
    )
    if not app.exists(register_id("V03")):
        app.members.open_register(village="V03", share_kinds=A.SHARE_KINDS, actor=ACTOR)
        wrote += 1
    register = app.members.register_view("V03")
    for number in A.HOUSEHOLDS:
        if number not in register.households:
            app.members.register_household(
                village="V03",
                number=number,
                head=A.household_head(number),
                registered_on=A.REGISTERED_ON,
                actor=ACTOR,
            )
            wrote += 1
    for member in A.members():
        if member["number"] not in register.members:
            app.members.register_member(
                village="V03",
                **{**member, "shares": {k: Decimal(v) for k, v in member["shares"].items()}},
                actor=ACTOR,
            )
            wrote += 1
    wrote += _plan(
        app,
        A.HOUSEHOLD_PLAN_BODY,
        A.HOUSEHOLD_STEPS,
        A.HOUSEHOLD_EXECUTED_ON,
        A.HOUSEHOLD_RESULT_STEP,
    )
    return wrote


# who signs the printed vouchers besides the workflow's people (the township's settings)
SUPERVISOR = "赵国庆"  # 会计主管
CASHIERS = {"V01": "仉春燕", "V02": "和建华", "V03": "李红梅", "J01": "孙立新"}  # 出纳

# vouchers through the workflow, each as far as it goes: prepared by the 制单, reviewed by the
# 审核 and posted by the 记账/主管 (审核 and 记账 two steps by two people, the default);
# one waits for 记账 and one for 审核, so each role finds something on its 工作台
DEMO_VOUCHERS = (
    # entity, date, 摘要, lines (account, debit, credit), how far
    ("V01", "2026-05-08", "收到村民水费", (("101", "360.00", ""), ("504", "", "360.00")), "posted"),
    ("V02", "2026-05-12", "购买办公用品", (("513", "850.00", ""), ("102", "", "850.00")), "posted"),
    ("V03", "2026-06-03", "收到土地流转费", (("102", "12000.00", ""), ("501", "", "12000.00")),
     "reviewed"),
    ("V01", "2026-06-10", "支付保洁员工资", (("513", "1500.00", ""), ("102", "", "1500.00")),
     "submitted"),
)  # fmt: skip
VOUCHER_DRAFTED = "domain.vouchers:Voucher.Drafted"


def _signers(app: LianzhangApplication) -> int:
    if app.township.choices(TOWNSHIP).supervisor:
        return 0
    app.township.name_signers(TOWNSHIP, supervisor=SUPERVISOR, cashiers=CASHIERS, actor=ACTOR)
    return 1


def _vouchers(app: LianzhangApplication) -> int:
    """The demo vouchers, once (a demo voucher is known by its books, date and 摘要)."""
    known = {
        (e.entity, e.date.isoformat(), e.summary) for e in app.events_of_topic(VOUCHER_DRAFTED)
    }
    wrote = 0
    for entity, day, summary, lines, how_far in DEMO_VOUCHERS:
        if (entity, day, summary) in known:
            continue
        voucher = app.vouchers.draft_voucher(
            entity=entity,
            date=datetime.date.fromisoformat(day),
            summary=summary,
            lines=[
                {"account": a, "debit": d or None, "credit": c or None, "memo": ""}
                for a, d, c in lines
            ],
            actor=PREPARER,
        )
        app.vouchers.submit_voucher(draft=voucher.draft, actor=PREPARER)
        if how_far in ("reviewed", "posted"):
            app.vouchers.approve_voucher(draft=voucher.draft, actor=REVIEWER)
        if how_far == "posted":
            app.vouchers.post_voucher(draft=voucher.draft, actor=ACTOR)
        wrote += 1
    return wrote


def _plan(
    app: LianzhangApplication,
    body: dict[str, Any],
    steps: list[dict[str, Any]],
    executed_on: datetime.date,
    result_step: dict[str, Any],
) -> int:
    wrote = 0
    code = body["code"]
    if not app.exists(plan_id(code)):
        app.plans.draft_plan(
            code=code,
            title=body["title"],
            scope=body["scope"]["kind"],
            target=body["scope"]["code"],
            period=body["period"],
            as_of=body["as_of"],
            amount=body["amount"],
            rule=body["rule"],
            actor=ACTOR,
        )
        wrote += 1
    plan = app.plans.get_plan(code)
    if plan.scope == "alliance" and not plan.comparisons and "审议" not in plan.steps:
        document = {k: v for k, v in plan.rule.items() if k != "sources"}
        app.plans.attach_comparison(
            code=code,
            for_step="审议",
            comparison=compare(document, DEMO_ALTERNATIVES),
            actor=ACTOR,
        )
        wrote += 1
    for step in steps:
        if step["step"] not in app.plans.get_plan(code).steps:
            app.plans.record_plan_step(code=code, actor=ACTOR, **step)
            wrote += 1
    if app.plans.get_plan(code).state == "drafted":
        # asked for by the 制单, executed by the 记账/主管: two people
        if app.plans.get_plan(code).execution_request is None:
            app.plans.request_execution(code=code, date=executed_on, actor=PREPARER)
            wrote += 1
        app.plans.execute_plan(code=code, date=executed_on, actor=ACTOR)
        wrote += 1
    if STEPS[-1] not in app.plans.get_plan(code).steps:
        app.plans.record_plan_step(code=code, actor=ACTOR, **result_step)
        wrote += 1
    return wrote
