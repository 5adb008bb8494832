"""The register forms of the workbench (issue 20 item 10), through the test client as a
township's 记账/主管 logs in and posts them: forming an alliance, registering a village and its
books, a village joining and leaving the alliance, an enterprise joining, the joint entity,
capital and land contributions, signing an agreement, a dividend declared and received, a 保底
shortfall. Each form changes the register (and the books where it posts); a wrong field is
refused in Chinese beside it with nothing written; a clerk of another township is refused with
nothing written; an auditor (审计) and a reviewer see the pages without a form, and a forged
post of theirs is 403."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from projections import economy_queries, queries
from tests.builders import TOWNSHIP, alliance, village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

# pages and their forms, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store

OTHER = "花沟镇"


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, Any]]:
    app = signed_in_app(runtime)
    with TestClient(app, follow_redirects=False) as c:
        yield c, app


def hidden(html: str, action: str) -> dict[str, str]:
    """The CSRF token and the fresh Idempotency-Key of the form posting to ``action``."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form for {action}"
    return dict(re.findall(r'name="(csrf_token|idempotency_key)" value="([^"]*)"', form.group(0)))


def post(c: TestClient, page: str, action: str, **data: str) -> Any:
    """Open ``page`` and post its form ``action`` with ``data``, as the browser would."""
    shown = c.get(page)
    assert shown.status_code == 200, shown.text
    return c.post(action, data={**hidden(shown.text, action), **data})


def beside(html: str, field_id: str) -> str:
    """The error shown beside the input ``field_id`` ('' when none)."""
    found = re.search(
        rf'id="{re.escape(field_id)}"[^>]*>\s*(?:</select>\s*)?'
        r'<span class="error field-error" role="alert">([^<]+)',
        html,
    )
    return found.group(1) if found else ""


def read(runtime: Any, query: Any, *args: Any) -> Any:
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        return query(conn, *args)


def bookkeeper(c: TestClient, app: Any, township: str = TOWNSHIP) -> None:
    login = "zhao" if township == TOWNSHIP else "hgbook"
    person_session(c, app, login, "bookkeeper", [township])


def pool(runtime: Any) -> dict[str, str]:
    """An alliance of 唐坊镇 with two member villages (¥500,000 in the bank each), a partner
    enterprise and its joint entity."""
    app = runtime.app
    a = alliance(app)
    v1, v2 = village(app, name="仉家村"), village(app, name="和店村")
    day = datetime.date(2025, 1, 1)
    for v in (v1, v2):
        app.alliances.join_village(alliance=a, village=v, joined_on=day, actor="tester")
    app.alliances.join_enterprise(alliance=a, code="NLD", name="纽澜地", joined_on=day, actor="t")
    joint = f"J{a[1:]}"
    app.alliances.register_joint_entity(alliance=a, code=joint, name="黑牛养殖联合社", actor="t")
    return {"alliance": a, "v1": v1, "v2": v2, "joint": joint}


def signed(runtime: Any, world: dict[str, str]) -> str:
    code = f"AG{world['alliance'][1:]}"
    runtime.app.agreements.sign_agreement(
        code=code,
        alliance=world["alliance"],
        enterprise="NLD",
        signed_on=datetime.date(2025, 1, 20),
        start_year=2025,
        years=5,
        invested_capital="1500000.00",
        guarantee_kind="percent",
        guarantee_value=Decimal("8"),
        profit_share_percent=Decimal("0"),
        payment_due="12-31",
        actor="tester",
    )
    return code


# -- the 登记簿 page: an alliance, a village -------------------------------------------------


def test_a_bookkeeper_forms_an_alliance_and_registers_a_village(client: Any, runtime: Any) -> None:
    c, app = client
    bookkeeper(c, app)
    made = post(
        c,
        "/registers",
        "/registers/alliances",
        code="QC2026",
        name="青城联村党委",
        township=TOWNSHIP,
        county="高青县",
        model="强村带动",
        formed_on="2026-03-01",
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/registers/alliances/QC2026?saved=1"
    found = read(runtime, queries.alliance, "QC2026")
    assert found["name"] == "青城联村党委" and found["township"] == TOWNSHIP
    assert found["model"] == "强村带动" and found["formed_on"] == datetime.date(2026, 3, 1)
    page = c.get(made.headers["location"])
    assert page.status_code == 200 and "已保存" in page.text and "青城联村党委" in page.text

    registered = post(
        c,
        "/registers",
        "/registers/villages",
        code="V88",
        name="新立村",
        township=TOWNSHIP,
        county="高青县",
        population="1,050",
        households="320",
        flags="脱贫村",
    )
    assert registered.status_code == 303, registered.text
    assert registered.headers["location"] == "/registers/villages/V88?saved=village"
    assert "已登记，账簿已开设" in c.get(registered.headers["location"]).text
    entity = read(runtime, queries.entity, "V88")
    assert entity["name"] == "新立村" and entity["kind"] == "village"
    assert (entity["population"], entity["households"]) == (1050, 320)
    assert runtime.app.get_village("V88").flags == ["脱贫村"]
    # its books are open: the 科目 page shows the 2023 chart
    assert "银行存款" in c.get("/chart/V88").text
    assert "新立村" in c.get("/registers").text


def test_an_administrator_registers_a_village_in_a_new_township(client: Any, runtime: Any) -> None:
    c, app = client
    village(runtime.app, name="仉家村")
    person_session(c, app, "wbadmin", "admin", [])
    shown = c.get("/registers").text
    assert '<datalist id="townships"><option value="唐坊镇">' in shown
    assert 'list="townships"' in shown  # a township typed, or picked from those known
    made = post(
        c,
        "/registers",
        "/registers/villages",
        code="G01",
        name="高城村",
        township="高城镇",
        county="高青县",
        population="900",
        households="280",
    )
    assert made.status_code == 303, made.text
    assert read(runtime, queries.entity, "G01")["township"] == "高城镇"


def test_a_wrong_field_is_refused_in_chinese_beside_it_and_nothing_is_written(
    client: Any, runtime: Any
) -> None:
    c, app = client
    bookkeeper(c, app)
    head = runtime.views.head()
    refused = post(
        c,
        "/registers",
        "/registers/alliances",
        code="青城",
        name="青城联村党委",
        township=TOWNSHIP,
        county="高青县",
        model="强村带动",
        formed_on="2026-03-01",
    )
    assert refused.status_code == 422
    assert "英文字母、数字" in beside(refused.text, "alliance-code")
    assert 'value="青城联村党委"' in refused.text  # what was typed is kept
    refused = post(
        c,
        "/registers",
        "/registers/villages",
        code="V88",
        name="新立村",
        township=TOWNSHIP,
        county="高青县",
        population="很多",
        households="320",
    )
    assert refused.status_code == 422
    assert "人口要填 0 到 1,000,000 的整数" in beside(refused.text, "village-population")
    refused = post(
        c,
        "/registers",
        "/registers/alliances",
        code="QC2026",
        name="青城联村党委",
        township=TOWNSHIP,
        county="高青县",
        model="强村带动",
        formed_on="2026-02-30",
    )
    assert refused.status_code == 422
    assert "YYYY-MM-DD" in beside(refused.text, "alliance-formed_on")
    assert runtime.views.head() == head
    assert read(runtime, queries.alliance, "QC2026") is None


def test_a_clerk_registers_nothing_in_another_township(client: Any, runtime: Any) -> None:
    c, app = client
    bookkeeper(c, app, OTHER)
    shown = c.get("/registers")
    assert (
        f'<option value="{OTHER}"' in shown.text and f'<option value="{TOWNSHIP}"' not in shown.text
    )
    head = runtime.views.head()
    for action, data in (
        ("/registers/alliances", {"code": "QC1", "name": "青城", "model": "强村带动"}),
        ("/registers/villages", {"code": "V77", "name": "新村", "population": "1"}),
    ):
        refused = post(
            c,
            "/registers",
            action,
            township=TOWNSHIP,
            county="高青县",
            formed_on="2026-03-01",
            households="1",
            **data,
        )
        assert refused.status_code == 403, refused.text
        assert f"您只能在{OTHER}写入" in refused.text and TOWNSHIP in refused.text
    assert runtime.views.head() == head


# -- the alliance's page ----------------------------------------------------------------------


def test_villages_join_and_leave_an_enterprise_joins_and_the_joint_entity_is_registered(
    client: Any, runtime: Any
) -> None:
    c, app = client
    a = alliance(runtime.app)
    v = village(runtime.app, name="李孟德村")
    bookkeeper(c, app)
    page = f"/registers/alliances/{a}"
    shown = c.get(page)
    assert f'<option value="{v}">{v} 李孟德村</option>' in shown.text

    joined = post(c, page, f"{page}/villages", village=v, date="2025-02-01")
    assert joined.status_code == 303 and joined.headers["location"] == f"{page}?saved=1"
    (member,) = read(runtime, queries.alliance, a)["members"]
    assert member["village_code"] == v and member["joined_on"] == datetime.date(2025, 2, 1)

    left = post(c, page, f"{page}/villages/{v}/leave", date="2026-06-30", reason="并入邻镇")
    assert left.status_code == 303, left.text
    (member,) = read(runtime, queries.alliance, a)["members"]
    assert member["left_on"] == datetime.date(2026, 6, 30) and member["reason"] == "并入邻镇"

    enterprise = post(c, page, f"{page}/enterprises", code="NLD", name="纽澜地", date="2025-01-05")
    assert enterprise.status_code == 303, enterprise.text
    (found,) = read(runtime, queries.alliance, a)["enterprises"]
    assert (found["code"], found["name"]) == ("NLD", "纽澜地")

    joint = post(c, page, f"{page}/joint-entity", code=f"J{a[1:]}", name="黑牛养殖联合社")
    assert joint.status_code == 303, joint.text
    entity = read(runtime, queries.entity, f"J{a[1:]}")
    assert entity["kind"] == "joint" and entity["alliance_code"] == a
    assert entity["township"] == TOWNSHIP
    after = c.get(page).text
    assert f'href="/registers/joint/J{a[1:]}"' in after and f"{page}/joint-entity" not in after


def test_a_village_leaving_without_a_reason_is_refused_beside_the_field(
    client: Any, runtime: Any
) -> None:
    c, app = client
    world = pool(runtime)
    bookkeeper(c, app)
    page = f"/registers/alliances/{world['alliance']}"
    head = runtime.views.head()
    refused = post(c, page, f"{page}/villages/{world['v1']}/leave", date="2026-06-30", reason="")
    assert refused.status_code == 422
    assert beside(refused.text, f"leave:{world['v1']}-reason") == "请填写退出原因"
    assert "<details open><summary>退出</summary>" in refused.text  # the form stays open
    assert runtime.views.head() == head
    refused = post(c, page, f"{page}/enterprises", code="NLD", name="纽澜地", date="2025-01-05")
    assert refused.status_code in (409, 422)
    assert "NLD" in refused.text and runtime.views.head() == head


# -- the joint entity's equity: capital and land --------------------------------------------


def test_capital_and_land_contributions_go_into_both_books_and_the_register(
    client: Any, runtime: Any
) -> None:
    c, app = client
    world = pool(runtime)
    joint, v1 = world["joint"], world["v1"]
    bookkeeper(c, app)
    page = f"/registers/joint/{joint}"
    paid = post(
        c,
        page,
        f"{page}/capital",
        village=v1,
        programme="CZFC",
        amount="¥300,000",
        date="2025-03-01",
    )
    assert paid.status_code == 303 and paid.headers["location"] == f"{page}?saved=1"
    equity = read(runtime, economy_queries.equity_register, joint, datetime.date(2025, 12, 31))
    (row,) = equity["villages"]
    assert row["village"] == v1 and row["capital"]["CZFC"]["amount"] == "300000.00"
    _, (entry,) = read(runtime, lambda conn: queries.list_entries(conn, joint))
    assert {(x.account, x.side, str(x.amount.amount)) for x in entry.lines} == {
        ("102", "debit", "300000.00"),
        (f"301{v1}", "credit", "300000.00"),
    }
    _, found = read(runtime, lambda conn: queries.list_entries(conn, v1))
    assert any(x.account == f"141{joint}" and x.side == "debit" for e in found for x in e.lines)

    land = post(
        c,
        page,
        f"{page}/land",
        village=world["v2"],
        mu="120.5",
        grade="1.2",
        value_per_mu="20000",
        term_years="10",
        date="2025-03-01",
    )
    assert land.status_code == 303, land.text
    equity = read(runtime, economy_queries.equity_register, joint, datetime.date(2025, 12, 31))
    (share,) = next(v for v in equity["villages"] if v["village"] == world["v2"])["land"]
    assert (share["mu"], share["grade"], share["value_per_mu"]) == ("120.5", "1.2", "20000.00")
    assert share["until"] == datetime.date(2035, 3, 1)
    shown = c.get(page).text
    assert "¥300,000.00" in shown and "120.5" in shown


def test_a_double_click_pays_capital_in_once(client: Any, runtime: Any) -> None:
    c, app = client
    world = pool(runtime)
    bookkeeper(c, app)
    page = f"/registers/joint/{world['joint']}"
    action = f"{page}/capital"
    data = {
        **hidden(c.get(page).text, action),
        "village": world["v1"],
        "programme": "CZFC",
        "amount": "1000",
        "date": "2025-03-01",
    }
    assert c.post(action, data=data).status_code == 303
    head = runtime.views.head()
    assert c.post(action, data=data).status_code == 303
    assert runtime.views.head() == head


def test_a_wrong_amount_is_refused_in_chinese_and_nothing_is_paid(
    client: Any, runtime: Any
) -> None:
    c, app = client
    world = pool(runtime)
    bookkeeper(c, app)
    page = f"/registers/joint/{world['joint']}"
    head = runtime.views.head()
    refused = post(
        c,
        page,
        f"{page}/capital",
        village=world["v1"],
        programme="CZFC",
        amount="12.345",
        date="2025-03-01",
    )
    assert refused.status_code == 422
    assert "最多两位小数" in beside(refused.text, "capital-amount")
    refused = post(
        c,
        page,
        f"{page}/capital",
        village=world["v1"],
        programme="CZFC",
        amount="900000",
        date="2025-03-01",
    )
    assert refused.status_code == 422
    assert "的银行存款（102）只有 ¥500,000.00，少于要付出的 ¥900,000.00" in beside(
        refused.text, "capital-amount"
    )
    refused = post(
        c,
        page,
        f"{page}/land",
        village=world["v1"],
        mu="0",
        value_per_mu="1",
        term_years="10",
        date="2025-03-01",
    )
    assert refused.status_code == 422
    assert "亩数要填大于 0" in beside(refused.text, "land-mu")
    assert runtime.views.head() == head


# -- agreements -----------------------------------------------------------------------------


def test_an_agreement_is_signed_and_its_dividend_declared_received_and_its_shortfall_booked(
    client: Any, runtime: Any
) -> None:
    c, app = client
    world = pool(runtime)
    bookkeeper(c, app)
    page = f"/registers/alliances/{world['alliance']}"
    made = post(
        c,
        page,
        f"{page}/agreements",
        code="NLD-2025",
        enterprise="NLD",
        signed_on="2025-01-20",
        start_year="2025",
        years="5",
        invested_capital="1,500,000",
        guarantee_kind="percent",
        guarantee_value="8",
        profit_share_percent="10",
        payment_due="12-31",
    )
    assert made.status_code == 303, made.text
    status = read(runtime, economy_queries.agreement_status, "NLD-2025", datetime.date(2026, 1, 1))
    assert status["joint_entity_code"] == world["joint"]
    assert status["invested_capital"] == "1500000.00" and status["guarantee"]["value"] == "8"
    assert status["by_year"][0]["guaranteed"] == "120000.00"

    agreement = "/registers/agreements/NLD-2025"
    declared = post(
        c, agreement, f"{agreement}/dividends", year="2025", amount="100000", date="2025-12-20"
    )
    assert declared.status_code == 303 and declared.headers["location"] == f"{agreement}?saved=1"
    received = post(
        c,
        agreement,
        f"{agreement}/dividend-receipts",
        year="2025",
        amount="100000",
        date="2025-12-28",
    )
    assert received.status_code == 303, received.text
    shortfall = post(
        c, agreement, f"{agreement}/guarantee-shortfalls", year="2025", date="2026-01-05"
    )
    assert shortfall.status_code == 303, shortfall.text
    (year, *_) = read(
        runtime, economy_queries.agreement_status, "NLD-2025", datetime.date(2026, 1, 10)
    )["by_year"]
    assert (year["declared"], year["received"], year["due"]) == (
        "100000.00",
        "100000.00",
        "120000.00",
    )
    _, entries = read(runtime, lambda conn: queries.list_entries(conn, world["joint"]))
    accounts = [sorted((x.account[:3], x.side) for x in e.lines) for e in entries]
    assert accounts == [
        [("112", "debit"), ("502", "credit")],
        [("102", "debit"), ("112", "credit")],
        [("112", "debit"), ("502", "credit")],
    ]
    assert 'href="/corrections#dividend"' in c.get(agreement).text


def test_an_agreement_with_a_wrong_field_is_refused_in_chinese(client: Any, runtime: Any) -> None:
    c, app = client
    world = pool(runtime)
    code = signed(runtime, world)
    bookkeeper(c, app)
    page = f"/registers/alliances/{world['alliance']}"
    head = runtime.views.head()
    refused = post(
        c,
        page,
        f"{page}/agreements",
        code="NLD-2",
        enterprise="NLD",
        signed_on="2025-01-20",
        start_year="2025",
        years="5",
        invested_capital="1000",
        guarantee_kind="percent",
        guarantee_value="8",
        payment_due="31/12",
    )
    assert refused.status_code == 422
    assert "月-日" in beside(refused.text, "agreement-payment_due")
    assert '<details class="card no-print" id="agreement-form" open>' in refused.text
    refused = post(
        c,
        page,
        f"{page}/agreements",
        code="NLD-2",
        enterprise="NLD",
        signed_on="2025-01-20",
        start_year="2025",
        years="5",
        invested_capital="1000",
        guarantee_kind="percent",
        guarantee_value="180",
        payment_due="12-31",
    )
    assert refused.status_code == 422
    assert "保底百分比要填0到 100" in beside(refused.text, "agreement-guarantee_value")
    agreement = f"/registers/agreements/{code}"
    refused = post(
        c, agreement, f"{agreement}/dividends", year="2025", amount="", date="2025-12-20"
    )
    assert refused.status_code == 422
    assert "请填写宣告的分红" in beside(refused.text, "declare-amount")
    refused = post(
        c,
        agreement,
        f"{agreement}/dividend-receipts",
        year="2025",
        amount="5000",
        date="2025-12-28",
    )
    assert refused.status_code == 422  # nothing is declared yet
    assert "已宣告、尚未收到的只有 ¥0.00，¥5,000.00 超出了" in beside(
        refused.text, "receive-amount"
    )
    assert runtime.views.head() == head


# -- another township, other roles -----------------------------------------------------------


def register_posts(world: dict[str, str], agreement: str) -> list[tuple[str, dict[str, str]]]:
    """Every form of an alliance, a joint entity and an agreement, filled in correctly."""
    a, j, v1 = world["alliance"], world["joint"], world["v1"]
    signing = {
        "code": "AG9",
        "enterprise": "NLD",
        "signed_on": "2025-01-20",
        "start_year": "2025",
        "years": "5",
        "invested_capital": "1000",
        "guarantee_kind": "amount",
        "guarantee_value": "100",
        "payment_due": "12-31",
    }
    land = {"village": v1, "mu": "1", "value_per_mu": "1", "term_years": "1", "date": "2025-03-01"}
    dividend = {"year": "2025", "amount": "10", "date": "2025-12-20"}
    return [
        (f"/registers/alliances/{a}/villages", {"village": world["v2"], "date": "2025-02-01"}),
        (f"/registers/alliances/{a}/villages/{v1}/leave", {"date": "2026-01-01", "reason": "并"}),
        (
            f"/registers/alliances/{a}/enterprises",
            {"code": "E2", "name": "企", "date": "2025-02-01"},
        ),
        (f"/registers/alliances/{a}/joint-entity", {"code": "J9", "name": "联合社"}),
        (f"/registers/alliances/{a}/agreements", signing),
        (f"/registers/joint/{j}/capital", {**land, "programme": "CZFC", "amount": "10"}),
        (f"/registers/joint/{j}/land", land),
        (f"/registers/agreements/{agreement}/dividends", dividend),
        (f"/registers/agreements/{agreement}/dividend-receipts", dividend),
        (f"/registers/agreements/{agreement}/guarantee-shortfalls", dividend),
    ]


def test_a_clerk_of_another_township_finds_none_of_these_pages_and_writes_nothing(
    client: Any, runtime: Any
) -> None:
    c, app = client
    world = pool(runtime)
    agreement = signed(runtime, world)
    bookkeeper(c, app, OTHER)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/registers").text)
    assert csrf
    for page in (
        f"/registers/alliances/{world['alliance']}",
        f"/registers/joint/{world['joint']}",
        f"/registers/agreements/{agreement}",
    ):
        assert c.get(page).status_code == 404, page
    head = runtime.views.head()
    for action, data in register_posts(world, agreement):
        refused = c.post(
            action, data={"csrf_token": csrf.group(1), "idempotency_key": action, **data}
        )
        assert refused.status_code == 404, (action, refused.status_code)
        assert "仉家村" not in refused.text and "黑牛" not in refused.text
    assert runtime.views.head() == head


@pytest.mark.parametrize("role", ["auditor", "reviewer"])
def test_an_auditor_or_a_reviewer_sees_the_registers_without_a_form(
    client: Any, runtime: Any, role: str
) -> None:
    c, app = client
    world = pool(runtime)
    agreement = signed(runtime, world)
    person_session(c, app, f"see{role}", role, [] if role == "auditor" else [TOWNSHIP])
    pages = [
        "/registers",
        f"/registers/alliances/{world['alliance']}",
        f"/registers/joint/{world['joint']}",
        f"/registers/agreements/{agreement}",
    ]
    for page in pages:
        shown = c.get(page)
        assert shown.status_code == 200, page
        forms = re.findall(r'<form method="post" action="(/registers[^"]*)"', shown.text)
        assert forms == [], (page, forms)
    assert "黑牛养殖联合社" in c.get(pages[1]).text  # the page is there, only without forms
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/registers").text)
    assert csrf
    head = runtime.views.head()
    alliance_form = {
        "code": "QC1",
        "name": "青城",
        "township": TOWNSHIP,
        "county": "高青县",
        "model": "强村带动",
        "formed_on": "2026-03-01",
    }
    forged = [("/registers/alliances", alliance_form), *register_posts(world, agreement)]
    for action, data in forged:
        refused = c.post(
            action, data={"csrf_token": csrf.group(1), "idempotency_key": action, **data}
        )
        assert refused.status_code == 403, (action, refused.status_code)
        assert "不能办理这项登记；由记账/主管、管理员办理" in refused.text, action
    assert runtime.views.head() == head
