"""A varied store for comparing the rebuild's replay path with the pull loop: Scenario A with
its published sheets, then corrections of every kind, reversals, closed months, a year closed,
reopened and closed again, a village leaving its alliance, share changes, a member who left
and was forgotten, a rejected plan and a superseding one, 三资, a bank account reconciled and
a cash count."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adapters.balance_files import parse_balances
from domain.privacy import with_check_digit
from projections.tables import entries
from runtime.bootstrap import Runtime
from scripts import scenario_a as A
from scripts.demo import load_demo, publish_demo_sheets
from tests import builders
from tests.builders import receipt
from tests.setup_files import balance_file

D = datetime.date
ACTOR = "tester"


def _numbers(runtime: Runtime, entity: str, source: str) -> list[str]:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        return list(
            conn.execute(
                select(entries.c.number)
                .where(entries.c.entity_code == entity, entries.c.source == source)
                .order_by(entries.c.number)
            ).scalars()
        )


def build(runtime: Runtime) -> None:
    app = runtime.app
    load_demo(app, say=lambda _: None)
    publish_demo_sheets(runtime)

    # ordinary entries over several months, some reversed, months closed
    for month in range(1, 7):
        for day in (3, 17):
            app.books.post_entry(
                entity="V01",
                date=D(2026, month, day),
                memo=f"租金 {month}-{day}",
                postings=receipt(f"{month * 100 + day}.{day:02d}"),
                actor=ACTOR,
            )
    posted = app.books.post_entry(
        entity="V01", date=D(2026, 7, 1), memo="录错", postings=receipt("99.99"), actor=ACTOR
    )
    app.books.reverse_entry(
        entity="V01", number=posted.number, date=D(2026, 7, 2), reason="金额录错", actor=ACTOR
    )
    for month in ("2026-01", "2026-02", "2026-03"):
        app.books.close_month(entity="V01", month=month, actor=ACTOR)
    app.books.reopen_month(
        entity="V01", month="2026-03", reason="复核", new_version_follows=True, actor=ACTOR
    )  # 反结账 under the published 2026-Q1 sheet
    app.books.close_month(entity="V01", month="2026-03", actor=ACTOR)
    app.books.open_account(entity="V01", code="50401", name="租金收入", parent="504", actor=ACTOR)
    # the chart as a clerk keeps it: what sub-accounts are for, a rename, a retirement
    for code, name in (("153X01", "在建工程-村道"), ("153X02", "在建工程-水渠")):
        app.books.open_account(
            entity="V01", code=code, name=name, parent="153", actor=ACTOR, kind="project"
        )
    app.books.rename_account(entity="V01", code="153X01", name="在建工程-村道硬化", actor=ACTOR)
    app.books.rename_account(entity="V01", code="50401", name="租金收入-门面", actor=ACTOR)
    app.books.retire_account(entity="V01", code="153X02", actor=ACTOR)

    # the joint entity: a grant, land rent paid and corrected, a capital refund, a dividend
    # correction
    app.pooling.receive_grant(
        joint=A.JOINT, programme="CZFC", amount="5000.00", date=D(2026, 3, 1), memo="补助",
        actor=ACTOR,
    )  # fmt: skip
    rent = app.pooling.pay_land_rent(
        joint=A.JOINT, village="V01", mu=Decimal("10"), rate_per_mu="300.00", year=2026,
        date=D(2026, 5, 2), actor=ACTOR,
    )  # fmt: skip
    app.pooling.correct_land_rent(
        joint=A.JOINT, entry=rent[0].number, date=D(2026, 5, 5), reason="亩数录错",
        mu=Decimal("12"), rate_per_mu="300.00", year=2026, actor=ACTOR,
    )  # fmt: skip
    app.pooling.refund_capital(
        joint=A.JOINT, village="V02", programme=A.PROGRAMME, amount="100.00",
        date=D(2026, 4, 1), reason="退还部分资本", actor=ACTOR,
    )  # fmt: skip
    declared = _numbers(runtime, A.JOINT, f"agreement:{A.AGREEMENT}")
    app.agreements.correct_dividend(
        agreement=A.AGREEMENT, entry=declared[0], year=2025, amount="187000.00",
        date=D(2026, 4, 2), reason="宣告金额有误", actor=ACTOR,
    )  # fmt: skip

    # a village of its own: opening balances set twice, a year closed, reopened and closed
    # again; then it leaves
    alliance = builders.alliance(app)
    village = builders.village(app)
    app.books.set_opening_balances(  # set again before its first entry: the first ones are replaced
        entity=village,
        as_of=builders.OPENING,
        balances=[
            {"account": "102", "side": "debit", "amount": "5000.00"},
            {"account": "301", "side": "credit", "amount": "5000.00"},
        ],
        actor=ACTOR,
    )
    app.alliances.join_village(
        alliance=alliance, village=village, joined_on=builders.OPENING, actor=ACTOR
    )
    for month in (2, 5, 11):
        app.books.post_entry(
            entity=village, date=D(2025, month, 1), memo="收入", postings=receipt("250.00"),
            actor=ACTOR,
        )  # fmt: skip
    app.books.close_month(entity=village, month="2025-12", actor=ACTOR)
    app.books.close_year(entity=village, year=2025, actor=ACTOR)
    app.books.reopen_year(entity=village, year=2025, reason="补记一笔", actor=ACTOR)
    app.books.reopen_month(entity=village, month="2025-12", reason="补记一笔", actor=ACTOR)
    app.books.post_entry(
        entity=village, date=D(2025, 12, 30), memo="补记", postings=receipt("10.00"),
        actor=ACTOR,
    )  # fmt: skip
    app.books.close_month(entity=village, month="2025-12", actor=ACTOR)
    app.books.close_year(entity=village, year=2025, actor=ACTOR)
    app.alliances.leave_village(
        alliance=alliance, village=village, left_on=D(2026, 6, 30), reason="合并", actor=ACTOR
    )

    # 建账 during a year (domain/books/setup.py): sub-accounts, 期初余额 and the year's figures
    # in one save, an entry on them; a second set up, then given plain opening balances (its
    # year's figures go with the 期初余额 they came with)
    rows = parse_balances(balance_file()).accounts()
    kept, replaced = builders.village(app, opening=None), builders.village(app, opening=None)
    for code in (kept, replaced):
        app.books.set_up_books(entity=code, as_of=D(2026, 7, 1), accounts=rows, actor=ACTOR)
    app.books.post_entry(
        entity=kept, date=D(2026, 7, 15), memo="七月承包费", postings=receipt("500.00"),
        actor=ACTOR,
    )  # fmt: skip
    app.books.set_opening_balances(
        entity=replaced,
        as_of=D(2026, 7, 1),
        balances=[
            {"account": "102", "side": "debit", "amount": "1.00"},
            {"account": "301", "side": "credit", "amount": "1.00"},
        ],
        actor=ACTOR,
    )

    # members: shares adjusted, one leaves and is forgotten
    first, second = (m["number"] for m in A.members()[:2])
    app.members.adjust_shares(
        village="V03", member=first, shares={"人口股": Decimal("2")}, effective=D(2026, 1, 1),
        reason="新生儿", actor=ACTOR,
    )  # fmt: skip
    app.members.member_leaves(
        village="V03", member=second, left_on=D(2026, 2, 1), reason="迁出", actor=ACTOR
    )
    app.members.forget_member(village="V03", member=second, reason="本人申请", actor=ACTOR)

    # plans: one rejected by its vote, one superseding the alliance's plan
    app.plans.draft_plan(
        **_plan_body({**A.ALLIANCE_PLAN_BODY, "code": "P-REJ", "amount": "1000.00"}), actor=ACTOR
    )
    app.plans.record_plan_step(code="P-REJ", actor=ACTOR, **A.ALLIANCE_STEPS[0])
    app.plans.record_plan_step(
        code="P-REJ", actor=ACTOR, **{**A.ALLIANCE_STEPS[1], "votes_for": 6, "votes_against": 7}
    )
    correction = {
        **A.ALLIANCE_PLAN_BODY,
        "code": "P2025-FIX",
        "amount": "180000.00",
        "title": "更正：按资金与人口分配",
        "rule": {
            "deductions": [{"name": "管理费", "percent": "2"}],
            "tiers": [{"kind": "weighted", "weights": {"capital": "50", "population": "50"}}],
        },
    }
    app.plans.draft_plan(**_plan_body(correction), supersedes=A.ALLIANCE_PLAN, actor=ACTOR)
    for step in A.ALLIANCE_STEPS:
        app.plans.record_plan_step(
            code="P2025-FIX",
            actor=ACTOR,
            **{**step, "date": step["date"].replace(year=2026, month=8)},
        )
    # asked for by one person, executed by another (issue 20)
    app.plans.request_execution(code="P2025-FIX", date=D(2026, 8, 20), actor="requester")
    app.plans.execute_plan(code="P2025-FIX", date=D(2026, 8, 20), actor=ACTOR)
    # people: registered, changed, disabled and enabled again (the read model ``people``)
    app.people.register_person("wangfang", "王芳", "preparer", ["唐坊镇"], "13800001111", ACTOR)
    app.people.change_person(
        "wangfang", role="reviewer", townships=["唐坊镇", "花沟镇"], actor=ACTOR
    )
    app.people.disable_person("wangfang", ACTOR)
    app.people.enable_person("wangfang", ACTOR)
    app.people.register_person("liuqiang", "刘强", "auditor", [], None, ACTOR)

    # people (issue 10): the preparer of the vouchers below
    app.people.register_person(
        login="preparer", name="李晓红", role="preparer", townships=["唐坊镇"], actor=ACTOR
    )

    # vouchers (issue 10): returned, edited, approved; one with a document; one withdrawn
    lines = [{"account": "102", "debit": "88.00"}, {"account": "50401", "credit": "88.00"}]
    voucher = app.vouchers.draft_voucher(
        entity="V01", date=D(2026, 8, 3), summary="收款", lines=lines, actor="preparer"
    )
    app.vouchers.submit_voucher(draft=voucher.draft, actor="preparer")
    app.vouchers.return_voucher(draft=voucher.draft, reason="缺收据", actor=ACTOR)
    app.vouchers.edit_voucher(
        draft=voucher.draft, date=D(2026, 8, 4), summary="收款（补收据）", lines=lines,
        actor="preparer",
    )  # fmt: skip
    app.vouchers.attach_document(
        draft=voucher.draft, sha256="ab" * 32, name="收据.jpg", media_type="image/jpeg", size=10,
        actor="preparer",
    )  # fmt: skip
    app.vouchers.submit_voucher(draft=voucher.draft, actor="preparer")
    app.vouchers.approve_voucher(draft=voucher.draft, actor=ACTOR)
    withdrawn = app.vouchers.draft_voucher(
        entity="V01", date=D(2026, 8, 5), summary="付款", lines=lines, actor="preparer"
    )
    app.vouchers.submit_voucher(draft=withdrawn.draft, actor="preparer")
    app.vouchers.withdraw_voucher(draft=withdrawn.draft, actor="preparer")
    _three_assets(app)
    resources_and_contracts(app)
    financial_plan(app)
    _bank_and_cash(app)
    _vouchers_in_bulk(app)


def _bank_and_cash(app: Any) -> None:
    """A bank account of V02 on 102 with a statement (its columns remembered), matches, one
    undone, October reconciled; a cash count short by 0.50, settled."""
    from domain.bank.statements import Statement, StatementLine
    from ledger.money import fen_text

    books = app.get_books("V02")
    before = app.books.balances_through(books, D(2026, 9, 30)).get("102", 0)
    opening = fen_text(before)
    app.bank.register_account(
        entity="V02", account="102", name="银行存款", bank="高青农商银行", branch="唐坊支行",
        number="9001000123659999", format="nongshang", start=D(2026, 10, 1), opening=opening,
        actor=ACTOR,
    )  # fmt: skip
    rent = app.books.post_entry(
        entity="V02", date=D(2026, 10, 9), memo="租金", postings=receipt("700.00"), actor=ACTOR
    )
    lines = (StatementLine(D(2026, 10, 9), "700.00", reference="ZZ1"),)
    app.bank.import_statement(
        entity="V02", account="102", actor=ACTOR,
        statement=Statement(lines=lines, start=D(2026, 10, 1), end=D(2026, 10, 31)),
        columns={"date": "交易日期", "amount_in": "收入", "amount_out": "支出"},
    )  # fmt: skip
    group = (("S1-1",), (f"{rent.number}#1",))
    (first,) = app.bank.match(entity="V02", account="102", groups=[group], actor=ACTOR)
    app.bank.undo_match(entity="V02", account="102", match=first, reason="重勾", actor=ACTOR)
    app.bank.match(entity="V02", account="102", groups=[group], kind="proposed", actor=ACTOR)
    app.bank.reconcile_month(entity="V02", account="102", month="2026-10", actor=ACTOR)
    cash = app.books.balances_through(books, D(2026, 10, 30)).get("101", 0)
    pieces = {"0.01": str(cash - 50)}  # 0.50 short, counted in 分 coins for the test
    number = app.cash.count(entity="V02", date=D(2026, 10, 30), pieces=pieces, actor=ACTOR)
    app.cash.resolve(entity="V02", number=number, date=D(2026, 10, 31), account="515", actor=ACTOR)


def _three_assets(app: Any) -> None:
    """三资 on the joint entity: a grant-funded cold store approved, paid, completed into a card
    owned by three villages, leased, its rent and other income, two monthly runs, a lease
    ended early; a donated card scrapped."""
    from domain.assets.service import CardTerms

    code = "XM2026-LK"
    app.pooling.receive_grant(
        joint=A.JOINT, programme="XMFZ", amount="60000.00", date=D(2026, 8, 1), memo="", actor=ACTOR
    )
    app.projects.plan_project(
        code=code, entity=A.JOINT, name="冷库", kind="facility", budget={"建设": "60000.00"},
        funding=[{"kind": "grant", "source": "XMFZ", "amount": "60000.00"}],
        planned_on=D(2026, 8, 2), actor=ACTOR,
    )  # fmt: skip
    vote = {"expected": 5, "present": 5, "votes_for": 5, "votes_against": 0, "abstentions": 0}
    for day, step, details in (
        (3, "提议", {}),
        (4, "商议", vote),
        (5, "审议", vote),
        (6, "决议", {**vote, "assembly": "representatives"}),
    ):
        app.projects.record_step(
            code=code, step=step, date=D(2026, 8, day), body="联合社", actor=ACTOR, **details
        )
    app.projects.record_cost(
        code=code, date=D(2026, 8, 10), item="建设", amount="60000.00", grant="XMFZ", actor=ACTOR
    )
    app.projects.complete(
        code=code, date=D(2026, 8, 31), owners={"V01": "0.5", "V02": "0.3", "V03": "0.2"},
        assets=[CardTerms(number="LK-001", name="冷库", life_months=120)], actor=ACTOR,
    )  # fmt: skip
    app.assets.lease(
        entity=A.JOINT, number="LK-001", lease="ZL-LK", lessee="纽澜地", rent="500.00",
        start=D(2026, 9, 1), end=D(2027, 8, 31), actor=ACTOR,
    )  # fmt: skip
    app.assets.receive_rent(
        entity=A.JOINT, number="LK-001", lease="ZL-LK", period="2026-09", date=D(2026, 9, 5),
        actor=ACTOR,
    )  # fmt: skip
    app.projects.record_income(
        code=code, date=D(2026, 9, 20), kind="other", amount="100.00", actor=ACTOR
    )
    terms = CardTerms(number="JZ-001", name="捐赠电脑", life_months=36, original="3600.00")
    app.assets.register_asset(
        entity=A.JOINT, terms=terms, acquisition="donated", acquired_on=D(2026, 8, 20),
        actor=ACTOR,
    )  # fmt: skip
    for month in ("2026-09", "2026-10"):
        app.assets.run_depreciation(entity=A.JOINT, month=month, actor=ACTOR)
    app.assets.dispose(
        entity=A.JOINT, number="JZ-001", date=D(2026, 10, 31), kind="scrap", proceeds="0",
        costs="0", reason="损坏", actor=ACTOR,
    )  # fmt: skip
    app.assets.end_lease(
        entity=A.JOINT, number="LK-001", lease="ZL-LK", date=D(2026, 10, 31), reason="提前解约",
        actor=ACTOR,
    )  # fmt: skip


def resources_and_contracts(app: Any) -> None:
    """The 资源 and 经济合同 registers (issue 21): resources registered, changed, linked to a
    land share and retired; contracts on them with receipts, one reversed, one terminated."""
    app.resources.register(
        entity="V01", code="ZY-1", name="东洼", kind="cropland", area="520", date=D(2025, 1, 10),
        boundaries={"east": "乡道"}, certificates=[{"number": "鲁集(2012)0031"}], actor=ACTOR,
    )  # fmt: skip
    app.resources.register(
        entity="V01", code="ZY-2", name="西山", kind="barren-hill", area="80", date=D(2025, 1, 10),
        actor=ACTOR,
    )  # fmt: skip
    app.resources.change(
        entity="V01", code="ZY-1", name="东洼耕地", kind="cropland", area="530", location="村东",
        reason="重新测量", date=D(2025, 2, 1), actor=ACTOR,
    )  # fmt: skip
    app.resources.link_land_share(
        entity="V01", code="ZY-1", joint=A.JOINT, date=A.CONTRIBUTED_ON, mu="500", actor=ACTOR
    )
    app.contracts.register(
        entity="V01", code="HT-1", title="东洼发包", kind="contracting", party_kind="person",
        party_name="张建国", party_id=with_check_digit("37032219800101001"),
        subject_kind="resource", subject_code="ZY-1", area="30", start=D(2025, 4, 1),
        end=D(2027, 3, 31), signed_on=D(2025, 3, 20), actor=ACTOR,
        instalments=[(D(2025, 4, 1), "9000.00"), (D(2026, 4, 1), "9000.00")],
    )  # fmt: skip
    app.contracts.record_payment(
        entity="V01", code="HT-1", date=D(2025, 4, 2), amount="12000.00", actor=ACTOR
    )
    app.contracts.reverse_payment(
        entity="V01", code="HT-1", number=1, date=D(2025, 4, 3), reason="记错", actor=ACTOR
    )
    app.contracts.record_payment(
        entity="V01", code="HT-1", date=D(2025, 4, 4), amount="9000.00", actor=ACTOR,
        instalment=D(2025, 4, 1), memo="承包费",
    )  # fmt: skip
    app.contracts.register(
        entity="V01", code="HT-2", title="西山租赁", kind="lease", party_kind="organisation",
        party_name="纽澜地", subject_kind="resource", subject_code="ZY-2", start=D(2025, 5, 1),
        end=D(2030, 4, 30), signed_on=D(2025, 4, 20), actor=ACTOR,
        instalments=[(D(2025 + n, 5, 1), "2000.00") for n in range(5)],
    )  # fmt: skip
    app.contracts.terminate(
        entity="V01", code="HT-2", date=D(2026, 6, 1), reason="企业退租", actor=ACTOR
    )
    app.resources.retire(entity="V01", code="ZY-2", reason="征收", date=D(2026, 6, 2), actor=ACTOR)


def _plan_body(body: dict) -> dict:  # type: ignore[type-arg]
    return {
        "code": body["code"],
        "title": body["title"],
        "scope": body["scope"]["kind"],
        "target": body["scope"]["code"],
        "period": body["period"],
        "as_of": body["as_of"],
        "amount": body["amount"],
        "rule": body["rule"],
    }


def financial_plan(app: Any) -> None:
    """财务计划 (issue 22): V02's plan for 2026 through 四议两公开, then revised."""
    from tests.application.budget_story import LINES, steps

    app.budgets.propose(
        entity="V02", year=2026, lines=LINES, proposed_on=D(2026, 1, 4), actor=ACTOR
    )
    for step, day, details in steps(D(2026, 1, 5)):
        app.budgets.record_step(
            entity="V02", year=2026, step=step, date=day, actor=ACTOR, **details
        )
    app.budgets.revise(
        entity="V02", year=2026, lines=LINES[:3], proposed_on=D(2026, 6, 1), reason="调整",
        actor=ACTOR,
    )  # fmt: skip


def _vouchers_in_bulk(app: Any) -> None:
    """Vouchers posted directly through the bulk path (``VouchersPosted``, the rebuild makes
    their rows set-based): two batches of V03, lines with and without their own 摘要, then one
    of them reversed (the mark on a row the database made)."""
    from domain.bulk import Voucher

    def voucher(day: int, amount: str, memo: str) -> Voucher:
        return Voucher(
            entity="V03",
            date=D(2026, 9, day),
            memo=f"批量收款 {day}",
            postings=(
                {"account": "102", "side": "debit", "amount": amount, "memo": memo},
                {"account": "504", "side": "credit", "amount": amount, "memo": ""},
            ),
        )

    vouchers = [
        voucher(day, f"{day * 10}.{day:02d}", "逐行摘要" if day % 2 else "") for day in range(1, 8)
    ]
    result = app.bulk.import_vouchers(vouchers, actor=ACTOR, batch_size=4, post_directly=True)
    assert result.saved_batches == 2
    number = result.posted[2].number
    app.books.reverse_entry(
        entity="V03", number=number, date=D(2026, 9, 28), reason="重复录入", actor=ACTOR
    )
