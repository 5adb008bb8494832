"""The ``assets`` read model on both stores after Scenario B: the rows the pages read (projects,
cards, depreciation by month and owner, leases and rent, the per-project statement), the same
after a rebuild from the log."""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select

from projections.assets_queries import asset_detail, asset_list, depreciation_table, rent_status
from projections.assets_view import ASSETS_TABLES
from projections.project_queries import project_detail, project_list, project_statement
from runtime.bootstrap import Runtime
from tests.application.scenario_b import CARD, JOINT, MONTHS_2025, MONTHS_2026, PROJECT, Story

D = datetime.date


def rows(rt: Runtime) -> dict[str, list[tuple[str, ...]]]:
    with rt.engine.connect() as conn:
        return {
            t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
            for t in ASSETS_TABLES
        }


def test_the_assets_read_model_after_scenario_b(runtime: Runtime) -> None:
    story = Story(runtime.app)
    story.until_completion()
    story.lease()
    for month in MONTHS_2025:
        story.month(month)
    story.distribute()
    for month in MONTHS_2026:
        story.month(month, rent=False)
    runtime.views.catch_up()
    assert runtime.views.stuck == {}  # no read model stops on an event of 三资
    with runtime.engine.connect() as conn:
        (listed,) = project_list(conn, township="唐坊镇")
        assert project_list(conn, township="别的镇") == []
        assert {k: listed[k] for k in ("code", "state", "budget", "cost", "grant_part")} == {
            "code": PROJECT,
            "state": "completed",
            "budget": "900000.00",
            "cost": "900000.00",
            "grant_part": "300000.00",
        }
        assert listed["progress"] == "100.00" and listed["approved"]
        detail: Any = project_detail(conn, PROJECT)
        assert [(c["date"], c["amount"]) for c in detail["costs"]] == [
            (D(2025, 4, 10), "350000.00"),
            (D(2025, 6, 15), "420000.00"),
            (D(2025, 8, 20), "130000.00"),
        ]
        assert [i["left"] for i in detail["items"]] == ["0.00", "0.00"]
        assert [s["step"] for s in detail["steps"]] == ["提议", "商议", "审议", "决议"]
        statement: Any = project_statement(conn, PROJECT, "2025")
        assert {k: statement[k] for k in ("invested", "depreciated", "earned", "result")} == {
            "invested": "900000.00",
            "depreciated": "14250.00",
            "earned": "32000.00",
            "result": "17750.00",
        }
        assert statement["return_percent"] == "1.97"
        assert [
            (o["owner"], o["share"], o["capital"], o["result"]) for o in statement["owners"]
        ] == [
            ("V01", "0.45", "270000.00", "7987.50"),
            ("V02", "0.25", "150000.00", "4437.50"),
            ("V03", "0.3", "180000.00", "5325.00"),
        ]
        (card,) = asset_list(conn, entity=JOINT)
        assert (card["original"], card["accumulated"], card["net"], card["status"]) == (
            "900000.00",
            "42750.00",
            "857250.00",
            "in_use",
        )
        assert card["owners"] == [
            {"owner": "V01", "share": "0.45"},
            {"owner": "V02", "share": "0.25"},
            {"owner": "V03", "share": "0.3"},
        ]
        one: Any = asset_detail(conn, JOINT, CARD, today=D(2026, 1, 10))
        assert len(one["months"]) == 12
        assert one["months"][0]["owners"] == {"V01": "1603.13", "V02": "890.62", "V03": "1068.75"}
        (lease,) = one["leases"]
        # September to January due by 10 January 2026, four received: January outstanding
        assert (lease["due"], lease["received"], lease["outstanding"]) == (
            "40000.00",
            "32000.00",
            "8000.00",
        )
        assert rent_status(conn, township="唐坊镇", today=D(2026, 1, 10))[0]["lease"] == "ZL-001"
        table = depreciation_table(conn, JOINT, "2025")
        assert table["total"] == "14250.00"
        assert table["owners"] == {"V01": "6412.52", "V02": "3562.48", "V03": "4275.00"}
        assert table["cards"][0]["accumulated"] == "14250.00"
    before = rows(runtime)
    runtime.views.rebuild()
    assert rows(runtime) == before
