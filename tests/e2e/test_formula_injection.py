"""No text a clerk types becomes a live formula in a spreadsheet the project writes (issue "Trust
an attacker cannot turn", item 8): memos, names and a correction's reason beginning with ``=``,
``+``, ``-`` or ``@`` are stored as text in every XLSX (never a formula cell) and written
behind a ``'`` in every CSV; amounts stay numbers.

Every writer is found, not listed by hand: the app's routes that answer XLSX or CSV (paths
ending ``.xlsx``/``.csv`` and OpenAPI answers of those media types) must each be called below,
and the command line's writers (``sheet --format xlsx``, ``import-vouchers --template``,
``setup-books --template``) too."""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from rendering import spreadsheets
from runtime.bootstrap import Runtime
from scripts import cli
from tests import builders
from tests.apps import app_for
from tests.e2e.test_workbench_registers_forms import sign_in
from web.tokens import TokenStore

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
EVIL = (
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@SUM(A1)",
    "#REF!",
)
RISKY = ("=", "+", "-", "@", "\t", "\r")


def formula_free(data: bytes) -> list[str]:
    """Every string cell of the workbook; fails on any formula (or error) cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    texts = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(RISKY):  # Excel keeps it text when it is edited
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    return texts


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    app = app_for(runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def route_paths(routes: list[Any], prefix: str = "") -> Iterator[str]:
    """Every route's path, through included routers (the workbench's are out of the schema)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from route_paths(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path


def writer_routes(client: TestClient) -> set[str]:
    """The paths of every route that answers a workbook or a CSV file."""
    found = {path for path in route_paths(client.app.routes) if path.endswith((".xlsx", ".csv"))}  # type: ignore[attr-defined]
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                if {XLSX, CSV} & set(answer.get("content", {})):
                    found.add(path)
    return found


@SQLITE_ONLY
def test_no_spreadsheet_the_project_writes_holds_a_formula(
    runtime: Runtime, client: TestClient, tmp_path: Path
) -> None:
    app = runtime.app
    village = builders.village(app, name=EVIL[0])
    for day, memo in enumerate(EVIL, start=2):
        app.books.post_entry(
            entity=village,
            date=datetime.date(2025, 3, day),
            memo=memo,
            postings=builders.receipt("100.00"),
            actor="tester",
        )
    admin = {"Authorization": f"Bearer {TokenStore(runtime.engine).create('adm', 'admin')}"}
    body = {"period": "2025", "checked_by": ["=1+1", "@张三"], "checked_on": "2026-01-05"}
    first = client.post(f"/v1/villages/{village}/disclosures", json=body, headers=admin)
    assert first.status_code == 201, first.text
    app.books.post_entry(
        entity=village,
        date=datetime.date(2025, 4, 1),
        memo="-2 更正",
        postings=builders.receipt("5.00"),
        actor="tester",
    )
    second = client.post(
        f"/v1/villages/{village}/disclosures",
        json={**body, "reason": '=HYPERLINK("http://x","更正")'},
        headers=admin,
    )
    assert second.status_code == 201, second.text

    # issue 21: a donated card named as a formula; issue 22: a financial plan whose line is named
    # as one, and a bank account at a bank named as one
    from domain.assets.service import CardTerms

    app.assets.register_asset(
        entity=village,
        terms=CardTerms(number="GZ-1", name=EVIL[1], life_months=36, original="3600.00"),
        acquisition="donated",
        acquired_on=datetime.date(2025, 3, 20),
        actor="tester",
    )
    app.budgets.propose(
        entity=village,
        year=2025,
        lines=[{"name": EVIL[2], "accounts": ["504"], "amount": "100.00"}],
        proposed_on=datetime.date(2025, 1, 2),
        actor="tester",
    )
    app.bank.register_account(
        entity=village,
        account="102",
        bank=EVIL[3],
        number="9001000123653021",
        start=datetime.date(2025, 1, 1),
        opening="0.00",
        actor="tester",
    )
    calls = {
        "/asset-reports/{entity}/{kind}.xlsx": [
            f"/asset-reports/{village}/{kind}.xlsx?period=2025"
            for kind in ("depreciation", "construction", "assets")
        ],
        "/budgets/{entity}/{year}/comparison.xlsx": [f"/budgets/{village}/2025/comparison.xlsx"],
        "/public/sheets/{village}/{period}/{version}": [
            f"/public/sheets/{village}/2025/v1.xlsx",
            f"/public/sheets/{village}/2025/v2.xlsx",
        ],
        "/statements/{entity}/{kind}.xlsx": [
            f"/statements/{village}/balance-sheet.xlsx?period=2025",
            f"/statements/{village}/income.xlsx?period=2025",
        ],
        "/imports/register-template.xlsx": ["/imports/register-template.xlsx"],
        "/imports/vouchers-template.xlsx": ["/imports/vouchers-template.xlsx"],
        "/setup/template.xlsx": ["/setup/template.xlsx"],
        # the 汇总 names the villages (the first is called a formula)
        "/statement-summaries.xlsx": ["/statement-summaries.xlsx?township=唐坊镇&period=2025"],
        "/v1/statement-summaries.xlsx": [
            "/v1/statement-summaries.xlsx?township=唐坊镇&period=2025"
        ],
    }
    assert writer_routes(client) == set(calls), "a new XLSX/CSV writer: call it here"
    # a writer answering ?format=xlsx, which writer_routes cannot see (issue 22: the 调节表)
    calls["?format=xlsx"] = [f"/bank/{village}/102/reconciliation/2025-03?format=xlsx"]
    sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    seen: list[str] = []
    for urls in calls.values():
        for url in urls:
            answer = client.get(url, headers=admin if url.startswith("/v1") else None)
            assert answer.status_code == 200, (url, answer.text[-300:])
            seen += formula_free(answer.content)
    for text in (*EVIL, "-2 更正", '=HYPERLINK("http://x","更正")'):
        assert any(text in found for found in seen), text  # written, as text

    sheet = load_workbook(io.BytesIO(client.get(calls[next(iter(calls))][1]).content))
    amounts = [
        c.value
        for ws in sheet.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.number_format == "#,##0.00"
    ]
    assert amounts and all(isinstance(a, int | float) for a in amounts)  # numbers stay numbers

    umask = os.umask(0o022)
    os.umask(umask)
    url = runtime.database_url
    try:
        out = tmp_path / "sheet.xlsx"
        assert cli.main(["--database-url", url, "sheet", village, "2025", "--format", "xlsx",
                         "-o", str(out)]) == 0  # fmt: skip
        assert EVIL[0] in " ".join(formula_free(out.read_bytes()))
        template = tmp_path / "t.xlsx"
        assert (
            cli.main(["--database-url", url, "import-vouchers", "--template", str(template)]) == 0
        )
        formula_free(template.read_bytes())
        setup = tmp_path / "setup.xlsx"
        assert cli.main(["--database-url", url, "setup-books", "--template", str(setup)]) == 0
        formula_free(setup.read_bytes())
        plain = tmp_path / "t.csv"
        assert cli.main(["--database-url", url, "import-vouchers", "--template", str(plain)]) == 0
        for row in csv.reader(io.StringIO(plain.read_text(encoding="utf-8-sig"))):
            assert not any(field.startswith(RISKY) for field in row)
    finally:
        os.umask(umask)


def test_the_helpers_neutralise_every_risky_start() -> None:
    for text in (*EVIL, "\t=1", "\r=1", "=1"):
        assert spreadsheets.csv_text(text) == ("" if text == "#REF!" else "'") + text
        assert spreadsheets.csv_text("收到" + text) == "收到" + text
    assert spreadsheets.csv_text(Decimal("-1.00")) == "-1.00"  # a number stays a number
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["\t=1", "=1+1", Decimal("-3.50"), "#N/A", "好"])
    texts = formula_free(spreadsheets.workbook_bytes(book))
    assert texts == ["\t=1", "=1+1", "#N/A", "好"]
    assert re.match(r"^=", texts[1])
