"""The 三资 documents of a village's books on the in-memory store (its read models kept by a pull
loop over it): a tractor bought, depreciated and scrapped within a year — the 资产清单's 新增 and
清理, the 折旧表, the balance sheet against the cards —, a project under construction at a
period's end, and the sheet's parts: 资产清单, 各类资源 and 经济合同 when the books have them (a
person masked, no ID number), none at all when they do not (so the sheets of books without 三资
keep their content and digest)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from documents.asset_tables import (
    asset_list,
    books_against_cards,
    construction_table,
    depreciation_schedule,
)
from documents.disclosure import disclosure_content
from domain.assets.commands import DisposeAsset, RegisterAsset, RunDepreciation
from domain.assets.service import CardTerms
from domain.periods import parse_period
from domain.privacy import PersonalDataVault, with_check_digit
from domain.projects.commands import PlanProject, RecordProjectCost
from domain.runner import Caller, Runner
from projections.assets_view import AssetsProjection
from projections.economy_view import EconomyProjection
from projections.ledger_view import LedgerProjection
from projections.people_view import PeopleProjection
from projections.resources_view import ResourcesProjection
from projections.runner import PullLoop
from rendering.render import sheet_html, sheet_xlsx
from tests import builders
from tests.application.small import application

D = datetime.date
ID_NUMBER = with_check_digit("37032219800101001")


class Books:
    """A village's books on the in-memory store and its read models."""

    def __init__(self) -> None:
        self.app = application()
        self.runner = Runner(self.app)
        self.code = builders.village(self.app, name="仉家村")
        self.engine = create_engine("sqlite://", poolclass=StaticPool)
        vault = PersonalDataVault.in_memory()
        self.views = PullLoop(
            self.app,
            self.engine,
            [
                LedgerProjection(),
                EconomyProjection(vault),
                PeopleProjection(),
                AssetsProjection(),
                ResourcesProjection(vault),
            ],
        )
        self.views.create_tables()

    def run(self, command: Any) -> Any:
        return self.runner.run(command, Caller("tester")).result

    def read(self, make: Any, period: str) -> Any:
        self.views.catch_up()
        assert self.views.stuck == {}
        with self.engine.connect() as conn:
            return make(conn, self.code, parse_period(period))

    def sheet(self, period: str) -> dict[str, Any]:
        def content(conn: Any, code: str, found: Any) -> dict[str, Any]:
            return disclosure_content(
                conn,
                code,
                found,
                checked_by=["王建华"],
                checked_on=D(2026, 1, 6),
                opinion="",
                made_on=D(2026, 1, 6),
            )

        found: dict[str, Any] = self.read(content, period)
        return found


@pytest.fixture
def books() -> Iterator[Books]:
    found = Books()
    yield found
    found.engine.dispose()


def test_a_tractor_bought_depreciated_and_scrapped_in_one_year(books: Books) -> None:
    tractor = CardTerms(
        number="NJ-1", name="拖拉机", life_months=100, residual_rate="0", original="12000.00"
    )
    books.run(
        RegisterAsset(
            entity=books.code, terms=tractor, acquisition="bought", acquired_on=D(2025, 2, 10)
        )
    )
    for month in ("2025-03", "2025-04", "2025-05"):  # 12,000.00 / 100 = 120.00 a month
        books.run(RunDepreciation(entity=books.code, month=month))
    books.run(
        DisposeAsset(
            entity=books.code,
            number="NJ-1",
            date=D(2025, 6, 20),
            kind="scrap",
            proceeds="500.00",
            reason="事故报废",
        )
    )
    # 资产清单 of the first half: added and disposed of; nothing at the end
    listed = books.read(asset_list, "2025-Q2")
    (card,) = listed["cards"]
    assert card["status"] == "已清理"
    # net 12,000.00 − 360.00 = 11,640.00; 500.00 received: a loss of 11,140.00 (to 515)
    assert card["changes"] == ["清理（报废，2025-06-20，净损失 11140.00）"]
    assert listed["categories"][0] == {
        "category_zh": "固定资产",
        "start": "12000.00",  # bought in February, before 2025-Q2
        "added": "0.00",
        "disposed": "12000.00",
        "end": "0.00",
        "accumulated": "0.00",
        "net": "0.00",
    }
    year = books.read(asset_list, "2025")
    assert year["cards"][0]["changes"][0] == "新增（购入，2025-02-10）"
    assert all(c["holds"] for c in year["checks"])
    # the 折旧表 of the year: three months, then gone
    schedule = books.read(depreciation_schedule, "2025")
    assert [(c["months"], c["depreciation"], c["status"]) for c in schedule["cards"]] == [
        (3, "360.00", "已清理")
    ]
    # 151 and 152 leave the books with the card: the balance sheet agrees with the cards
    assert [
        (r["account"], r["books"], r["cards"]) for r in books.read(books_against_cards, "2025")
    ] == [
        ("151", "0.00", "0.00"),
        ("152", "0.00", "0.00"),
    ]
    march = books.read(books_against_cards, "2025-03")
    assert [(r["books"], r["holds"]) for r in march] == [("12000.00", True), ("120.00", True)]


def test_a_project_under_construction_at_the_periods_end(books: Books) -> None:
    books.run(
        PlanProject(
            code="XM-QD",
            entity=books.code,
            name="晒场",
            kind="facility",
            budget={"土建": "40000.00"},
            funding=[{"kind": "own", "source": "村集体自有资金", "amount": "40000.00"}],
            planned_on=D(2025, 5, 1),
        )
    )
    books.run(
        RecordProjectCost(project="XM-QD", date=D(2025, 5, 20), item="土建", amount="15000.00")
    )
    table = books.read(construction_table, "2025-05")
    (project,) = table["projects"]
    assert (
        project["state_zh"],
        project["cost_to_date"],
        project["balance"],
        project["progress"],
    ) == (
        "在建",
        "15000.00",
        "15000.00",
        "37.50",
    )
    assert all(c["holds"] for c in table["checks"])
    assert books.read(books_against_cards, "2025") == [
        {
            "line": "在建工程",
            "account": "153",
            "books": "15000.00",
            "cards": "15000.00",
            "source": "在建项目",
            "difference": "0.00",
            "holds": True,
        }
    ]
    # a village's own project is on its sheet, without villages' shares
    (own,) = books.sheet("2025")["projects"]
    assert (own["code"], own["state_zh"], own["cost"], own["villages"]) == (
        "XM-QD",
        "在建",
        "15000.00",
        [],
    )


def test_the_sheets_parts_are_there_only_when_the_books_have_them(books: Books) -> None:
    import io

    from openpyxl import load_workbook

    plain = books.sheet("2025")
    assert not {"asset_register", "projects", "project_shares", "resources", "contracts"} & set(
        plain
    )
    html = sheet_html(plain)
    assert "四之" not in html
    assert "资产清单" not in load_workbook(io.BytesIO(sheet_xlsx(plain))).sheetnames

    app = books.app
    app.resources.register(
        entity=books.code, code="ZY-1", name="东洼", kind="cropland", area="100",
        use="contracting", date=D(2025, 1, 10), actor="t",
    )  # fmt: skip
    app.contracts.register(
        entity=books.code, code="HT-1", title="东洼发包", kind="contracting", party_kind="person",
        party_name="张建国", party_id=ID_NUMBER, subject_kind="resource", subject_code="ZY-1",
        start=D(2025, 4, 1), end=D(2027, 3, 31), signed_on=D(2025, 3, 20), actor="t",
        instalments=[(D(2025, 4, 1), "12000.00"), (D(2026, 4, 1), "12000.00")],
    )  # fmt: skip
    app.contracts.record_payment(
        entity=books.code, code="HT-1", date=D(2025, 4, 2), amount="12000.00", actor="t"
    )
    content = books.sheet("2025")
    assert [g["group"] for g in content["resources"]["groups"]] == ["土地"]
    (contract,) = content["contracts"]["contracts"]
    assert (contract["party"], contract["due"], contract["received"]) == (
        "张*国",
        "12000.00",
        "12000.00",
    )
    html = sheet_html(content)
    assert "四之三、各类资源" in html and "四之四、经济合同" in html and "张*国" in html
    assert "张建国" not in html and ID_NUMBER not in html
    book = load_workbook(io.BytesIO(sheet_xlsx(content)))
    assert {"各类资源", "经济合同"} <= set(book.sheetnames)
    rows = list(book["经济合同"].iter_rows(min_row=4, values_only=True))
    assert rows[0][3] == "张*国" and rows[0][9] == 12000
