"""The ``resources`` read model on SQLite and PostgreSQL: what the 工作台 warns of (an instalment
due within 30 days, a rent overdue, an idle resource), the registers' figures, the 三公开 parts
各类资源 and 经济合同 for a year, and a resource's public card, masked — each against figures
worked out by hand."""

from __future__ import annotations

import datetime

from documents.registers_resources import (
    contract_card,
    contract_register,
    disclosure_parts,
    public_resource,
    resource_card,
)
from domain.periods import parse_period
from domain.privacy import with_check_digit
from ledger.money import money
from projections import dashboard_queries as q
from runtime.bootstrap import Runtime
from tests import builders

D = datetime.date
TODAY = D(2026, 11, 23)  # tests/conftest.py
ID_NUMBER = with_check_digit("37032219800101001")


def build(runtime: Runtime) -> str:
    app, village = runtime.app, builders.village(runtime.app, name="仉家村")
    for code, name, area, use in (
        ("ZY-1", "东洼", "100", "contracting"),
        ("ZY-2", "西洼", "50", "contracting"),
        ("ZY-3", "村道", "3", "public"),
    ):
        app.resources.register(
            entity=village, code=code, name=name, kind="cropland", area=area, use=use,
            date=D(2025, 1, 10), actor="t",
        )  # fmt: skip
    app.contracts.register(
        entity=village, code="HT-1", title="东洼发包", kind="contracting", party_kind="person",
        party_name="张建国", party_id=ID_NUMBER, subject_kind="resource", subject_code="ZY-1",
        start=D(2025, 4, 1), end=D(2027, 3, 31), signed_on=D(2025, 3, 20), actor="t",
        instalments=[(D(2025, 4, 1), "12000.00"), (D(2026, 4, 1), "12000.00")],
    )  # fmt: skip
    for day, amount in ((D(2025, 4, 2), "12000.00"), (D(2026, 4, 10), "5000.00")):
        app.contracts.record_payment(
            entity=village, code="HT-1", date=day, amount=amount, actor="t"
        )
    app.contracts.register(
        entity=village, code="GC-1", title="村道硬化", kind="construction",
        party_kind="organisation", party_name="高青县路桥公司", subject_kind="resource",
        subject_code="ZY-3", start=D(2026, 6, 1), end=D(2026, 12, 31), signed_on=D(2026, 5, 20),
        instalments=[(D(2026, 6, 1), "30000.00"), (D(2026, 12, 10), "20000.00")], actor="t",
    )  # fmt: skip
    app.contracts.record_payment(
        entity=village, code="GC-1", date=D(2026, 6, 2), amount="30000.00", actor="t"
    )
    runtime.views.catch_up()
    return village


def test_the_read_model_answers_as_worked_out_by_hand(runtime: Runtime) -> None:
    village = build(runtime)
    with runtime.engine.connect() as conn:
        # the 工作台: GC-1's second instalment within 30 days; HT-1's 2026 rent 7,000 short
        due, overdue = q.contract_warnings(
            conn, [village], TODAY, TODAY + datetime.timedelta(days=30)
        )
        assert [(r["contract"], r["due_on"], r["lacking"], r["direction"]) for r in due] == [
            ("GC-1", D(2026, 12, 10), 2_000_000, "payable")
        ]
        assert [(r["contract"], r["since"], r["overdue"]) for r in overdue] == [
            ("HT-1", D(2026, 4, 1), 700_000)
        ]
        assert [r["code"] for r in q.idle_resources(conn, [village], TODAY)] == ["ZY-2"]
        assert q.idle_resources(conn, [village], D(2027, 4, 1))[0]["code"] == "ZY-1"

        # the registers
        register = contract_register(conn, [village], TODAY)
        receivable = register["totals"]["receivable"]
        assert (receivable["total"], receivable["received"], receivable["overdue"]) == (
            money("24000.00"),
            money("17000.00"),
            money("7000.00"),
        )
        card = contract_card(conn, village, "HT-1", TODAY)
        assert card is not None and card["party_id"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
        assert [(i["due_on"], i["lacking"], i["overdue"]) for i in card["instalments"]] == [
            (D(2025, 4, 1), money("0.00"), False),
            (D(2026, 4, 1), money("7000.00"), True),
        ]
        resource = resource_card(conn, village, "ZY-1", TODAY)
        assert resource is not None and [c["code"] for c in resource["running"]] == ["HT-1"]
        assert [h["what"] for h in resource["history"]] == ["registered"]

        # 三公开, 2026: 各类资源 by group with the holders masked; 经济合同 with the year's figures
        parts = disclosure_parts(conn, village, parse_period("2026"))
        land = parts["resources"]["groups"][0]
        assert (land["group"], land["total"]) == ("土地", "153 亩")
        assert [(r["code"], r["holders"]) for r in land["resources"]] == [
            ("ZY-1", ["张*国"]),
            ("ZY-2", []),
            ("ZY-3", ["高青县路桥公司"]),
        ]
        lines = {c["code"]: c for c in parts["contracts"]["contracts"]}
        assert {k: lines["HT-1"][k] for k in ("party", "due", "received", "arrears")} == {
            "party": "张*国",
            "due": "12000.00",
            "received": "5000.00",
            "arrears": "7000.00",
        }
        assert (lines["GC-1"]["due"], lines["GC-1"]["received"], lines["GC-1"]["arrears"]) == (
            "50000.00",
            "30000.00",
            "20000.00",
        )
        assert parts["contracts"]["totals"]["应收"]["arrears"] == "7000.00"
        assert ID_NUMBER not in str(parts) and "张建国" not in str(parts)

        # the public card: the person masked, no ID number
        label = runtime.app.resources.get_resource(village, "ZY-1").label
        public = public_resource(conn, label, TODAY)
        assert public is not None and public["entity_name"] == "仉家村"
        assert [(c["party"], c["received"], c["overdue"]) for c in public["contracts"]] == [
            ("张*国", money("17000.00"), money("7000.00"))
        ]
        assert ID_NUMBER not in str(public) and "张建国" not in str(public)
        assert public_resource(conn, "2" * 12, TODAY) is None
