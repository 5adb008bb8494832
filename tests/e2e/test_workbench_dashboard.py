"""工作台 as a township's dashboard (issue 20): per set of books 库存现金 and 银行存款, 收入 and
支出 by month as inline SVG with the figures as a table, and the warnings a supervisor acts on,
each linking to where it is resolved.

The figures are checked to the fen against the ledger (the trial balance, and each month's
收益及收益分配表) and against sums written out by hand; every warning appears when its condition
holds and goes when it is resolved; another township's books never appear; the charts load
nothing from anywhere."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from documents.dashboard import dashboard
from documents.statements import filled_forms
from domain.periods import parse_period
from ledger.money import ZERO, from_fen, money
from projections.dashboard_queries import year_end_moves
from projections.queries import list_entities, trial_balance_between
from runtime.bootstrap import Runtime
from tests.builders import OPENING, TOWNSHIP, code, posting, village
from tests.e2e.browser import served
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

D = datetime.date
ELSEWHERE = "花沟镇"
INCOME_ROWS = (1, 2, 7, 8)  # 经营收入, 投资收益, 补助收入, 其他收入
EXPENSE_ROWS = (3, 4, 5, 9, 10, 12)  # 经营支出 … 其他支出, 所得税费用


def post(app: Any, entity: str, day: D, memo: str, *lines: tuple[str, str, str]) -> str:
    entry = app.books.post_entry(
        entity=entity,
        date=day,
        memo=memo,
        postings=[posting(account, side, amount) for account, side, amount in lines],
        actor="tester",
    )
    return str(entry.number)


def joint_with_agreement(app: Any, township: str, name: str) -> tuple[str, str, str]:
    """An alliance of ``township`` with its joint entity (no money) and an agreement whose
    保底 of ¥5,000.00 a year was due on 30 June 2025 and 2026 and not paid: (joint, agreement,
    enterprise)."""
    alliance, joint, enterprise, agreement = code("A"), code("J"), code("E"), code("AG")
    app.alliances.form_alliance(
        code=alliance,
        name="测试联村党委",
        township=township,
        county="高青县",
        model="村企联建",
        formed_on=OPENING,
        actor="tester",
    )
    app.alliances.register_joint_entity(alliance=alliance, code=joint, name=name, actor="tester")
    app.books.set_opening_balances(entity=joint, as_of=OPENING, balances=[], actor="tester")
    app.alliances.join_enterprise(
        alliance=alliance, code=enterprise, name="企业", joined_on=OPENING, actor="tester"
    )
    app.agreements.sign_agreement(
        code=agreement,
        alliance=alliance,
        enterprise=enterprise,
        signed_on=OPENING,
        start_year=2025,
        years=3,
        invested_capital="100000.00",
        guarantee_kind="amount",
        guarantee_value=Decimal("5000.00"),
        profit_share_percent=Decimal("10"),
        payment_due="06-30",
        actor="tester",
    )
    return joint, agreement, enterprise


@pytest.fixture
def books(runtime: Runtime) -> dict[str, str]:
    """Today is 2026-11-23. 仉家村 (opening: 102 ¥500,000.00, 101 ¥2,000.00) with income, a
    refund, expenses, a deposit, a production cost and a red-ink reversal in 2026; 和店村
    (opening: 101 ¥500.00, 102 ¥20,000.00) spending ¥6,000.00 a month from August to October;
    a joint entity with an agreement in arrears; and the same kinds of books in 花沟镇."""
    app = runtime.app
    small = [
        posting("101", "debit", "500.00"),
        posting("102", "debit", "20000.00"),
        posting("301", "credit", "20500.00"),
    ]
    a = village(app, name="仉家村")
    b = village(app, name="和店村", opening=small)
    post(
        app,
        a,
        D(2026, 3, 5),
        "土地流转费",
        ("102", "debit", "12000.00"),
        ("501", "credit", "12000.00"),
    )
    post(app, a, D(2026, 3, 9), "办公用品", ("513", "debit", "350.50"), ("101", "credit", "350.50"))
    post(
        app,
        a,
        D(2026, 3, 20),
        "退回多收的流转费",
        ("501", "debit", "200.00"),
        ("102", "credit", "200.00"),
    )
    post(app, a, D(2026, 7, 1), "分红", ("102", "debit", "8000.00"), ("502", "credit", "8000.00"))
    post(
        app,
        a,
        D(2026, 8, 10),
        "提取现金",
        ("101", "debit", "1000.00"),
        ("102", "credit", "1000.00"),
    )
    post(
        app,
        a,
        D(2026, 8, 15),
        "工资和办公费",
        ("511", "debit", "600.00"),
        ("513", "debit", "400.00"),
        ("101", "credit", "600.00"),
        ("102", "credit", "400.00"),
    )
    post(
        app, a, D(2026, 9, 2), "育苗成本", ("401", "debit", "3000.00"), ("102", "credit", "3000.00")
    )
    wrong = post(
        app, a, D(2026, 10, 8), "修路", ("514", "debit", "2500.00"), ("102", "credit", "2500.00")
    )
    app.books.reverse_entry(
        entity=a, number=wrong, date=D(2026, 10, 9), reason="记错单位", actor="tester"
    )
    post(app, a, D(2026, 10, 12), "其他支出", ("515", "debit", "99.99"), ("102", "credit", "99.99"))
    for month in (8, 9, 10):
        post(
            app,
            b,
            D(2026, month, 5),
            "雇工",
            ("511", "debit", "6000.00"),
            ("102", "credit", "6000.00"),
        )
    joint, agreement, enterprise = joint_with_agreement(app, TOWNSHIP, "测试联合社")
    other = village(app, name="外镇村", township=ELSEWHERE)
    post(
        app,
        other,
        D(2026, 10, 1),
        "外镇支出",
        ("511", "debit", "499000.00"),
        ("102", "credit", "499000.00"),
    )
    other_joint, other_agreement, _ = joint_with_agreement(app, ELSEWHERE, "外镇联合社")
    return {
        "a": a,
        "b": b,
        "joint": joint,
        "agreement": agreement,
        "enterprise": enterprise,
        "other": other,
        "other_joint": other_joint,
        "other_agreement": other_agreement,
    }  # fmt: skip


@pytest.fixture
def client(runtime: Runtime) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        yield c, app


def board_of(runtime: Runtime, townships: list[str] | None, today: D) -> Any:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        entities = [
            e for e in list_entities(conn) if townships is None or e["township"] in townships
        ]
        return dashboard(conn, entities, today, townships)


def warnings(html: str) -> dict[str, list[str]]:
    """kind → the text of each warning in the 提醒 list (tags dropped)."""
    section = html.split('id="warnings"')[1].split("</section>")[0]
    found: dict[str, list[str]] = {}
    for kind, body in re.findall(
        r'<li class="warning" data-warning="(\w+)"[^>]*>(.*?)</li>', section, re.S
    ):
        found.setdefault(kind, []).append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)).strip())
    return found


def links(html: str, kind: str) -> list[str]:
    section = html.split('id="warnings"')[1].split("</section>")[0]
    items = re.findall(rf'<li class="warning" data-warning="{kind}"[^>]*>(.*?)</li>', section, re.S)
    return [
        href.replace("&amp;", "&") for body in items for href in re.findall(r'href="([^"]+)"', body)
    ]


# -- the figures -------------------------------------------------------------------------------


@pytest.mark.one_store  # the figures, not storage (the query count stays on both)
def test_the_figures_are_the_ledgers_to_the_fen(runtime: Runtime, books: dict[str, str]) -> None:
    """Balances equal the trial balance's, every month's 收入 and 支出 equal that month's
    收益及收益分配表, and both equal the sums written out by hand (on both stores: the
    dashboard's grouped queries are its own SQL)."""
    board = board_of(runtime, [TOWNSHIP], D(2026, 11, 23))
    by_code = {b.code: b for b in board.books}
    assert set(by_code) == {books["a"], books["b"], books["joint"]}
    a, b = by_code[books["a"]], by_code[books["b"]]
    # by hand
    assert (a.cash, a.bank) == (money("2049.50"), money("515300.01"))
    assert (b.cash, b.bank) == (money("500.00"), money("2000.00"))
    months = {m.month: (m.income, m.expense) for m in a.months}
    assert len(a.months) == 12
    assert months["2026-03"] == (money("11800.00"), money("350.50"))  # the refund reduces 收入
    assert months["2026-07"] == (money("8000.00"), ZERO)
    assert months["2026-08"] == (ZERO, money("1000.00"))
    assert months["2026-09"] == (ZERO, ZERO)  # 401 is a cost, not 支出
    assert months["2026-10"] == (ZERO, money("99.99"))  # 2,500.00 reversed in red
    assert (a.income, a.expense) == (money("19800.00"), money("1450.49"))
    # a month's spending: Aug–Oct paid out 1,000.00 + 3,000.00 + 99.99 (the withdrawal of
    # cash from the bank pays nothing out; the red ink takes back the 2,500.00) over 3 months
    assert a.spending_months == ("2026-08", "2026-09", "2026-10")
    assert a.spending == money("1366.66") and not a.short
    assert b.spending == money("6000.00") and b.short
    # the ledger's own figures
    with runtime.engine.connect() as conn:
        for book in board.books:
            tb = trial_balance_between(conn, book.code, None, "2026-11")
            for account, shown in (("101", book.cash), ("102", book.bank)):
                ledger = sum(
                    (line.closing for line in tb.lines if line.account.code.startswith(account)),
                    ZERO,
                )
                assert shown == ledger, (book.code, account)
            for m in book.months:
                rows = {
                    r.row: r.amount
                    for r in filled_forms(conn, book.code, parse_period(m.month))["income"]
                }
                assert m.income == sum((rows[r] for r in INCOME_ROWS), ZERO), (book.code, m.month)
                assert m.expense == sum((rows[r] for r in EXPENSE_ROWS), ZERO), (book.code, m.month)
    totals = {name: board.total(name) for name in ("cash", "bank", "income", "expense")}
    assert totals == {
        "cash": money("2549.50"),
        "bank": money("517300.01"),
        "income": money("19800.00"),
        "expense": money("19450.49"),
    }


def test_a_closed_year_reads_as_it_did_open(database: tuple[str, str | None]) -> None:
    """The 年终结转 entries move the year's income and expenses into 本年收益: they are neither,
    so December reads the same after the year is closed (and each month equals its statement)."""
    url, schema = database
    runtime = Runtime(url, schema=schema, today=lambda: D(2027, 1, 10))
    try:
        app = runtime.app
        v = village(app, name="结转村")
        post(
            app,
            v,
            D(2026, 12, 5),
            "补助",
            ("102", "debit", "3000.00"),
            ("503", "credit", "3000.00"),
        )
        post(
            app,
            v,
            D(2026, 12, 6),
            "管理费",
            ("513", "debit", "700.00"),
            ("101", "credit", "700.00"),
        )
        before = board_of(runtime, [TOWNSHIP], D(2026, 12, 31)).books[0].months[-1]
        app.books.close_month(entity=v, month="2026-12", actor="tester")
        for year in (2025, 2026):
            app.books.close_year(entity=v, year=year, actor="tester")
        board = board_of(runtime, [TOWNSHIP], D(2026, 12, 31))
        after = board.books[0].months[-1]
        assert (after.income, after.expense) == (before.income, before.expense)
        assert (after.income, after.expense) == (money("3000.00"), money("700.00"))
        with runtime.engine.connect() as conn:
            rows = {
                r.row: r.amount for r in filled_forms(conn, v, parse_period("2026-12"))["income"]
            }
            # the closing entries are there, in December, and were left out
            closing = year_end_moves(conn, [v], 2026)[v]["2026-12"]
        assert closing == {"503": 300000, "513": -70000}
        assert after.income == sum((rows[r] for r in INCOME_ROWS), ZERO)
        assert after.expense == sum((rows[r] for r in EXPENSE_ROWS), ZERO)
        # and in the new year nothing is left open before January
        assert board_of(runtime, [TOWNSHIP], D(2027, 1, 10)).books[0].unclosed is None
    finally:
        runtime.close()


def test_the_page_costs_the_same_queries_for_three_books_or_twelve(runtime: Runtime) -> None:
    """One or a few queries for every book together, never one per book or month."""
    app = runtime.app

    def statements_for_dashboard() -> int:
        runtime.views.catch_up()
        count = 0

        def counted(*_: Any) -> None:
            nonlocal count
            count += 1

        with runtime.engine.connect() as conn:
            entities = [e for e in list_entities(conn) if e["township"] == TOWNSHIP]
            event.listen(conn, "before_cursor_execute", counted)
            dashboard(conn, entities, D(2026, 11, 23), [TOWNSHIP])
            event.remove(conn, "before_cursor_execute", counted)
        return count

    def more_books(n: int) -> None:
        for i in range(n):
            v = village(app, name=f"第{i}村")
            for month in range(1, 11):
                post(
                    app,
                    v,
                    D(2026, month, 3),
                    "收入",
                    ("102", "debit", "10.00"),
                    ("504", "credit", "10.00"),
                )
                post(
                    app,
                    v,
                    D(2026, month, 4),
                    "支出",
                    ("513", "debit", "1.00"),
                    ("101", "credit", "1.00"),
                )

    more_books(3)
    few = statements_for_dashboard()
    more_books(9)
    # 12: two of them the 资源 and 经济合同 registers' (issue 21: contracts short, idle
    # resources), one the 财务计划's (issue 22: the plans of the year)
    assert statements_for_dashboard() == few <= 12


# -- the page: warnings, links, townships, the charts -------------------------------------------


@pytest.mark.one_store
def test_each_warning_appears_links_and_goes_when_resolved(
    client: Any, runtime: Runtime, books: dict[str, str]
) -> None:
    c, app = client
    a, b, agreement = books["a"], books["b"], books["agreement"]
    voucher = runtime.app.vouchers.draft_voucher(
        entity=a,
        date=D(2026, 11, 2),
        summary="收到会议补助",
        lines=[
            {"account": "102", "debit": "100.00", "credit": "", "memo": ""},
            {"account": "503", "debit": "", "credit": "100.00", "memo": ""},
        ],
        actor="lihua",
    )
    runtime.app.vouchers.submit_voucher(draft=voucher.draft, actor="lihua")
    person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    page = c.get("/")
    assert page.status_code == 200, page.text
    found = warnings(page.text)
    # the three books a month behind since their opening are one line
    (unclosed,) = found["unclosed"]
    assert unclosed.startswith("未结账：测试联合社、") and unclosed.endswith(
        " 2025-01 至 2026-10 尚未结账"
    )
    assert "仉家村" in unclosed and "和店村" in unclosed
    assert found["waiting"] == ["待审核：仉家村 1 张凭证待审核，合计 ¥100.00"]
    assert found["short"] == [
        "现金不足：和店村 库存现金和银行存款共 ¥2,500.00，不足一个月的支出 ¥6,000.00"
        "（2026-08 至 2026-10 月均付出）：现金日记账、银行存款日记账"
    ]
    assert found["arrears"] == [
        f"协议欠款：{agreement}（{books['enterprise']}）"
        f"{year} 年应于 {year}-06-30 付款，欠 ¥5,000.00"
        for year in (2025, 2026)
    ]
    assert "negative" not in found  # the books refuse cash below zero
    # every link answers, and is the page that resolves the warning
    assert f"/periods/{a}" in links(page.text, "unclosed")
    assert links(page.text, "waiting") == [f"/vouchers?status=submitted&entity={a}"]
    assert links(page.text, "short") == [
        f"/ledgers/{b}/cash/101?period=2026",
        f"/ledgers/{b}/cash/102?period=2026",
    ]
    assert links(page.text, "arrears") == [f"/registers/agreements/{agreement}"] * 2
    for kind in ("unclosed", "waiting", "short", "arrears"):
        for href in links(page.text, kind):
            answer = c.get(href)
            assert answer.status_code == 200, (href, answer.text[-300:])
    listed = c.get(f"/vouchers?status=submitted&entity={a}").text
    assert f"/vouchers/{voucher.draft}" in listed
    # the same warnings on the books' cards
    card = page.text.split(f'id="book-{b}"')[1].split("</article>")[0]
    assert f'href="/periods/{b}"' in card and "现金不足一个月支出（月均 ¥6,000.00）" in card

    # resolved, each goes
    runtime.app.vouchers.approve_voucher(draft=voucher.draft, actor="wangfang")
    runtime.app.vouchers.post_voucher(draft=voucher.draft, actor="tester")  # 记账, another person
    runtime.app.books.close_month(entity=b, month="2026-09", actor="tester")
    behind = warnings(c.get("/").text)["unclosed"]
    assert behind == [  # the others as before, 和店村 on its own line now
        "未结账：测试联合社、仉家村 2025-01 至 2026-10 尚未结账",
        "未结账：和店村 2026-10 至 2026-10 尚未结账（已结账至 2026-09）",
    ]
    runtime.app.books.close_month(entity=b, month="2026-10", actor="tester")
    post(
        runtime.app,
        b,
        D(2026, 11, 10),
        "补助到账",
        ("102", "debit", "10000.00"),
        ("503", "credit", "10000.00"),
    )
    for year in (2025, 2026):
        runtime.app.agreements.declare_dividend(
            agreement=agreement, year=year, amount="5000.00", date=D(2026, 11, 20), actor="t"
        )
        runtime.app.agreements.receive_dividend(
            agreement=agreement, year=year, amount="5000.00", date=D(2026, 11, 21), actor="t"
        )
    after = warnings(c.get("/").text)
    assert "waiting" not in after and "short" not in after and "arrears" not in after
    assert after["unclosed"] == ["未结账：测试联合社、仉家村 2025-01 至 2026-10 尚未结账"]
    # 19,800.00 + the voucher's 100.00; 和店村's 10,000.00; the two dividends declared
    assert board_of(runtime, [TOWNSHIP], D(2026, 11, 23)).total("income") == money("39900.00")


@pytest.mark.one_store
def test_another_townships_books_never_appear(
    client: Any, runtime: Runtime, books: dict[str, str]
) -> None:
    c, app = client
    person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    page = c.get("/").text
    for hidden in (
        books["other"],
        books["other_joint"],
        books["other_agreement"],
        "外镇村",
        "外镇联合社",
        ELSEWHERE,
    ):
        assert hidden not in page, hidden
    assert "¥517,300.01" in page  # 银行存款 of 唐坊镇's books only
    # the auditor sees every township, the same figures, and nothing to write
    person_session(c, app, "shen", "auditor", [])
    seen = c.get("/").text
    for shown in (books["a"], books["other"], "外镇村", books["other_agreement"], ELSEWHERE):
        assert shown in seen, shown
    assert '<h3 class="township">花沟镇</h3>' in seen and '<h3 class="township">唐坊镇</h3>' in seen
    card = seen.split(f'id="book-{books["a"]}"')[1].split("</article>")[0]
    assert "¥2,049.50" in card and "¥515,300.01" in card
    assert "/vouchers/new" not in seen and "<form" not in seen.split("<main>")[1]


@pytest.mark.one_store
def test_the_chart_is_inline_svg_with_its_figures_as_a_table(
    client: Any, runtime: Runtime, books: dict[str, str]
) -> None:
    c, app = client
    person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    page = c.get("/").text
    card = page.split(f'id="book-{books["a"]}"')[1].split("</article>")[0]
    svg = re.search(r"<svg.*?</svg>", card, re.S)
    assert svg is not None
    drawing = svg.group(0)
    # nothing from anywhere: no link, image, font, stylesheet or url() of any kind
    outside = re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", drawing)
    for reference in (
        "href",
        "http",
        "url(",
        "<image",
        "<use",
        "@import",
        "<foreignObject",
        "<script",
    ):
        assert reference not in outside, reference
    # accessible: a name and a description the <svg> points to, a <title> on every bar
    assert f'aria-labelledby="chart-{books["a"]}-t chart-{books["a"]}-d"' in drawing
    assert f'<title id="chart-{books["a"]}-t">仉家村 2026年逐月收入和支出</title>' in drawing
    assert "2026年收入合计 ¥19,800.00，支出合计 ¥1,450.49" in drawing
    assert "<title>3月 收入 ¥11,800.00</title>" in drawing
    assert "<title>10月 支出 ¥99.99</title>" in drawing
    assert drawing.count("<rect") == 2 + 24  # the legend's two, two bars a month
    # the figures as a table, months to this one
    table = card.split('<details class="figures">')[1].split("</details>")[0]
    rows = re.findall(
        r'<th scope="row">(\S+)</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td>', table
    )
    assert rows[0] == ("1月", "¥0.00", "¥0.00") and len(rows) == 11 + 1
    assert ("3月", "¥11,800.00", "¥350.50") in rows and rows[-1] == (
        "合计",
        "¥19,800.00",
        "¥1,450.49",
    )


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_dashboard_in_chromium_asks_nothing_of_another_host(
    runtime: Runtime, books: dict[str, str], browser: Any
) -> None:
    app = signed_in_app(runtime)
    with TestClient(app) as c:
        cookies = person_session(c, app, "zhang", "bookkeeper", [TOWNSHIP])
    with served(app) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.add_cookies([{**cookie, "url": base} for cookie in cookies])
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/")
        chart = page.locator(f"#book-{books['a']} svg")
        box = chart.bounding_box()
        assert box is not None and 250 <= box["width"] <= 480 and box["height"] > 80
        assert page.locator(f"#book-{books['a']} details.figures table").is_hidden()
        page.click(f"#book-{books['a']} details.figures summary")
        assert "¥11,800.00" in page.inner_text(f"#book-{books['a']} details.figures table")
        page.click("#warnings li[data-warning='short'] a >> nth=0")
        page.wait_for_url(f"{base}/ledgers/{books['b']}/cash/101?period=2026")
        outside = [url for url in requested if not url.startswith(base)]
        assert outside == [], outside
        context.close()


def test_a_book_with_cash_below_zero_says_so() -> None:
    """The books refuse cash below zero; books kept before that rule may hold it, and the 提醒
    and the card say which account, linking its 日记账 (the page's template rendered with
    such a book: no store can hold one any more)."""
    from documents.dashboard import Book, Dashboard, month_figures, unclosed_months
    from web.tokens import Principal
    from workbench.render import ENV

    today = D(2026, 11, 23)
    book = Book(
        code="V01",
        name="仉家村",
        kind="village",
        township=TOWNSHIP,
        closed_through="2026-10",
        cash=from_fen(-3000),
        bank=from_fen(100),
        months=month_figures(2026, {"2026-03": (120000, 3050)}, {}),
        spending=None,
        spending_months=(),
        unclosed=unclosed_months("2026-10", OPENING, today),
        waiting=0,
        waiting_total=ZERO,
    )
    assert book.negative == (("101", from_fen(-3000)),)
    assert book.unclosed is None and not book.short and book.warnings == 1
    assert (book.income, book.expense) == (money("1200.00"), money("30.50"))
    user = Principal(name="zhang", role="bookkeeper", townships=frozenset({TOWNSHIP}))
    html = ENV.get_template("home.html").render(
        user=user,
        csrf="",
        form_fields=lambda: "",
        may=user.may,
        path="/",
        board=Dashboard(today=today, year=2026, books=(book,)),
        waiting={"review": [], "returned": [], "drafts": []},
        today=today,
        year=2026,
    )
    assert warnings(html) == {"negative": ["现金为负：仉家村 101 库存现金 余额 -¥30.00"]}
    assert links(html, "negative") == ["/ledgers/V01/cash/101?period=2026"]
    card = html.split('id="book-V01"')[1].split("</article>")[0]
    assert '<dd class="num error">-¥30.00</dd>' in card and "101 余额为负" in card
