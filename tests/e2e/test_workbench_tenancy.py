"""Every workbench page is scoped by township (security issue item 6).

The store holds the demo (Scenario A, all in 唐坊镇: villages V01–V03, the joint entity J01,
the agreement, the plans, published sheets) plus a 唐坊镇 voucher with a PDF attached, and a
village of 花沟镇. A bookkeeper of 花沟镇 then asks for **every** GET route of the workbench
(enumerated from the app's routes, not listed by hand), its path parameters filled with
唐坊镇's objects: each must answer 404 — the same answer as for an object that does not exist,
so a page does not even tell that it exists (decision: 404, not 403). An administrator asking
for the same URL gets 200, which shows the URL names a real object. A new route with a path
parameter the test does not know fails until it is added to ``FILL`` (and scoped).

Pages without path parameters (the lists: ``/registers``, ``/vouchers``, ``/distribution`` …)
are asked for with 唐坊镇's codes in their query, and must not show a name of 唐坊镇; the
administrator's lists show them. Every POST route with a path parameter is tried too: refused
(403 or 404), nothing written, and the refusal page shows nothing of 唐坊镇.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from adapters import attachments
from projections import queries
from scripts import scenario_a as A
from scripts.demo import load_demo
from tests.assets_world import CARD, LEASE, PROJECT, cold_store
from tests.builders import village
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

ON_SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

HOME = "花沟镇"
# what of 唐坊镇 a page of a 花沟镇 person must never show (names, not codes: codes are short
# enough to turn up by chance in a random token)
FOREIGN_MARKS = ("唐坊镇", "仉家村", "和店村", "李孟德村", "黑牛", "纽澜地")

# GET routes without township data, so not checked (a comment says why for each)
NO_TOWNSHIP_DATA = {
    "/login",  # the login form
    "/password",  # the person's own password form
    "/users",  # administrators only (403 to everyone else); people, not books
    "/imports/vouchers-template.xlsx",  # an empty template
    "/setup/template.xlsx",  # an empty template (and its example)
    "/imports/result",  # echoes the counts of the person's own import from its query
}

# a minimal PDF (the attachment store checks the content's type, not its validity)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(runtime: Any) -> dict[str, str]:
    """The demo in 唐坊镇, a 唐坊镇 voucher with a PDF, one village of 花沟镇."""
    app = runtime.app
    load_demo(app, say=lambda _: None)
    voucher = app.vouchers.draft_voucher(
        entity="V01",
        date=datetime.date(2026, 2, 1),
        summary="收款",
        lines=[{"account": "102", "debit": "1.00"}, {"account": "504", "credit": "1.00"}],
        actor="zhuguan",
    )
    sha256 = attachments.put(runtime.engine, PDF, "application/pdf")
    app.vouchers.attach_document(
        draft=voucher.draft,
        sha256=sha256,
        name="发票.pdf",
        media_type="application/pdf",
        size=len(PDF),
        actor="zhuguan",
    )
    home = village(app, name="花沟村", township=HOME)
    for entity in ("V01", "J01"):  # issue 21: a resource and a contract on it in each
        day = datetime.date
        app.resources.register(
            entity=entity,
            code="ZY-T",
            name="东洼",
            kind="cropland",
            area="50",
            date=day(2025, 1, 2),
            actor="zhuguan",
        )
        app.contracts.register(
            entity=entity,
            code="HT-T",
            title="发包",
            kind="contracting",
            party_kind="person",
            party_name="张三",
            subject_kind="resource",
            subject_code="ZY-T",
            start=day(2025, 4, 1),
            end=day(2027, 3, 31),
            signed_on=day(2025, 3, 1),
            instalments=[(day(2025, 4, 1), "1000.00")],
            actor="zhuguan",
        )
    cold_store(app)  # issue 21: a project of J01, its card leased, V01's tractor
    for books in ("V01", "J01"):  # a financial plan of each (/budgets/{entity}/{year})
        app.budgets.propose(
            entity=books,
            year=2026,
            lines=[{"accounts": ["513"], "amount": "100.00"}],
            proposed_on=datetime.date(2026, 2, 1),
            actor="zhuguan",
        )
    bank_and_cash(app)
    runtime.views.catch_up()
    with runtime.engine.connect() as conn:
        _, entries = queries.list_entries(conn, "V01", limit=1)
        member = conn.exec_driver_sql(
            "select number from lz_members where village_code = 'V03' limit 1"
        ).scalar()
    return {
        "draft": voucher.draft,
        "sha256": sha256,
        "number": str(entries[0].number),
        "member": str(member),
        "home": home,
    }


def bank_and_cash(app: Any) -> None:
    """issue 22: a bank account on 102 of V01 and of J01 with an October statement, and a cash
    count of each on 2026-11-01 (``PD20261101``)."""
    from domain.bank.statements import Statement, StatementLine

    day = datetime.date
    for entity, number in (("V01", "9001000123653021"), ("J01", "9001000123654444")):
        app.bank.register_account(
            entity=entity, account="102", bank="高青农商银行", number=number,
            start=day(2026, 10, 1), opening="0.00", actor="zhuguan",
        )  # fmt: skip
        lines = (
            StatementLine(day(2026, 10, 8), "10.00"),
            StatementLine(day(2026, 10, 9), "-10.00"),
        )
        statement = Statement(lines=lines, start=day(2026, 10, 1), end=day(2026, 10, 31))
        app.bank.import_statement(entity=entity, account="102", statement=statement, actor="x")
        app.bank.match(entity=entity, account="102", groups=[(("S1-1", "S1-2"), ())], actor="x")
        app.cash.count(entity=entity, date=day(2026, 11, 1), pieces={"100": 1}, actor="x")


@pytest.fixture
def client(runtime: Any) -> Iterator[tuple[TestClient, FastAPI]]:
    app = signed_in_app(runtime)
    with TestClient(app, follow_redirects=False) as c:
        yield c, app


def fill(path: str, name: str, world: dict[str, str]) -> list[str]:
    """The values of 唐坊镇 to put in path parameter ``name`` of ``path``."""
    codes = {  # ``{code}`` means another thing under each prefix
        "/registers/joint/": ["J01"],
        "/registers/agreements/": [A.AGREEMENT],
        "/registers/alliances/": [A.ALLIANCE],
        "/distribution/": [A.ALLIANCE_PLAN, A.HOUSEHOLD_PLAN],
        "/ledgers/": ["102"],  # an account, in /ledgers/{entity}/accounts/{code}
        "/chart/": ["301"],  # an account, in /chart/{entity}/{code}/rename and retire
        "/resources/": ["ZY-T"],  # a resource (issue 21)
        "/contracts/": ["HT-T"],  # a contract (issue 21)
        "/projects/": [PROJECT],  # a project (issue 21)
    }
    by_prefix = {  # a card of J01 and its lease (issue 21): the number is not an entry's
        ("/assets/", "entity"): ["J01"],
        ("/assets/", "number"): [CARD],
        ("/assets/", "lease"): [LEASE],
    }
    for (prefix, param), found in by_prefix.items():
        if path.startswith(prefix) and name == param:
            return found
    values = {
        "entity": ["V01", "J01"],
        "village": ["V03"] if path.startswith("/registers/") else ["V01", "J01"],
        "period": ["2025"],
        "draft": [world["draft"]],
        "sha256": [world["sha256"]],
        "number": [world["number"]],
        "kind": ["balance-sheet"],
        "member": [world["member"]],
        "login": ["zhuguan"],
        "township": ["唐坊镇"],  # the settings of a township (its choices, its signers)
        "year": ["2026"],  # a financial plan's year (/budgets/{entity}/{year})
        "account": ["102"],  # a bank account (issue 22), of V01 and of J01
        "month": ["2026-10"],  # its 调节表
        "match": ["M1"],  # a match of its lines
        "count": ["PD20261101"],  # a cash count
    }
    if name == "kind" and path.startswith("/asset-reports/"):  # 报表 › 资产 (issue 21)
        return ["depreciation", "assets"]
    if name == "code":
        for prefix, found in codes.items():
            if path.startswith(prefix):
                return found
    if name in values:
        return values[name]
    raise AssertionError(
        f"{path}: the test does not know what of another township to put in {{{name}}}; add "
        "it to FILL in tests/e2e/test_workbench_tenancy.py (and scope the route by township)"
    )


def urls(path: str, world: dict[str, str]) -> list[str]:
    found = [path]
    for name in re.findall(r"{(\w+)(?::\w+)?}", path):
        found = [
            re.sub("{" + name + r"(?::\w+)?}", value, url)
            for url in found
            for value in fill(path, name, world)
        ]
    return found


def every_route(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(path, route) of every API route, through included routers (FastAPI keeps an included
    router as one entry holding the original router and its prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from every_route(inner.routes, prefix + getattr(context, "prefix", ""))


def workbench_routes(app: FastAPI, method: str) -> list[str]:
    """The paths of the workbench's routes of ``method`` (by the module of their endpoint)."""
    routes = [
        path
        for path, r in every_route(app.routes)
        if method in r.methods and r.endpoint.__module__.startswith("workbench.")
    ]
    assert len(routes) > 10, routes  # the enumeration found the workbench
    return routes


def shows_foreign(text: str) -> list[str]:
    return [mark for mark in FOREIGN_MARKS if mark in text]


@ON_SQLITE
def test_every_page_with_an_object_of_another_township_is_404(
    client: tuple[TestClient, FastAPI], world: dict[str, str]
) -> None:
    c, app = client
    checked: list[str] = []
    wrong: list[str] = []
    admin_views: dict[str, int] = {}
    person_session(c, app, "wbadmin", "admin", [])
    routes = [r for r in workbench_routes(app, "GET") if "{" in r]
    for route in routes:
        for url in urls(route, world):
            if not url.endswith(".pdf"):  # made by weasyprint (slow); their page is checked
                admin_views[url] = c.get(url).status_code
    person_session(c, app, "hgbook", "bookkeeper", [HOME])
    for route in routes:
        for url in urls(route, world):
            checked.append(url)
            answer = c.get(url)
            if answer.status_code != 404:
                wrong.append(f"{url}: {answer.status_code}")
            elif shows_foreign(answer.text):
                wrong.append(f"{url}: 404 showing {shows_foreign(answer.text)}")
    assert wrong == [], wrong
    # the URLs name real objects: the administrator (every township) sees each of them
    assert {u: s for u, s in admin_views.items() if s != 200} == {}
    assert len(checked) >= 25, checked


@ON_SQLITE
def test_lists_show_nothing_of_another_township(
    client: tuple[TestClient, FastAPI], world: dict[str, str]
) -> None:
    c, app = client
    query = "?entity=V01&village=V03&period=2025&status=submitted"
    routes = [r for r in workbench_routes(app, "GET") if "{" not in r and r not in NO_TOWNSHIP_DATA]
    person_session(c, app, "hgbook", "bookkeeper", [HOME])
    wrong = []
    for route in routes:
        answer = c.get(route + query)
        if answer.status_code not in (200, 303, 404, 422):
            wrong.append(f"{route}: {answer.status_code}")
        elif shows_foreign(answer.text):
            wrong.append(f"{route}: shows {shows_foreign(answer.text)}")
    assert wrong == [], wrong
    own = c.get("/registers")
    assert "花沟村" in own.text and world["home"] in own.text
    # an administrator's lists show every township
    person_session(c, app, "wbadmin", "admin", [])
    for path, mark in (
        ("/registers", "李孟德村"),
        ("/distribution", A.HOUSEHOLD_PLAN),
        ("/disclosure", "仉家村"),
        ("/vouchers", "仉家村"),
    ):
        listed = c.get(path)
        assert listed.status_code == 200 and mark in listed.text, path
        assert "花沟村" in c.get("/registers").text


@ON_SQLITE
def test_every_write_on_an_object_of_another_township_is_refused_and_shows_nothing(
    client: tuple[TestClient, FastAPI], world: dict[str, str], runtime: Any
) -> None:
    c, app = client
    person_session(c, app, "hgbook", "bookkeeper", [HOME])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").text)
    assert csrf
    head = runtime.views.head()
    wrong = []
    for route in [r for r in workbench_routes(app, "POST") if "{" in r]:
        for url in urls(route, world):
            answer = c.post(url, data={"csrf_token": csrf.group(1), "idempotency_key": url})
            if answer.status_code not in (403, 404):
                wrong.append(f"{url}: {answer.status_code}")
            elif shows_foreign(answer.text):
                wrong.append(
                    f"POST {url}: {answer.status_code} showing {shows_foreign(answer.text)}"
                )
    assert wrong == [], wrong
    assert runtime.views.head() == head  # nothing written
