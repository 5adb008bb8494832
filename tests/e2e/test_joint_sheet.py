"""The joint entity's own public sheet (issue 11 item 3: the 联合社 handles the alliance's
money): published through the API as a village's is, listed on /public under its name, with
its income and expenditure item by item, the capital it received by fund programme and its
distributions to villages; its PDF and XLSX open; no full name or ID number anywhere; verify
re-derives its digest. Tenancy: it belongs to the joint entity's township."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.verify import verify
from documents import publishing
from projections import queries
from scripts import scenario_a as A
from tests.e2e.conftest import Api
from tests.e2e.test_disclosure import CHECKERS, private_strings


def publish_joint(api: Api, period: str, headers: dict[str, str] | None = None, **extra: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/v1/joint-entities/{A.JOINT}/disclosures",
        json={"period": period, "checked_by": CHECKERS, "checked_on": "2026-04-03", **extra},
        headers=headers or api.clerk,
    )


@pytest.mark.one_store  # rendering and tenancy, not storage
def test_the_joint_entity_publishes_its_own_sheet(scenario_a_api: Api) -> None:
    api = scenario_a_api
    refused = publish_joint(api, "2026-Q1", headers=api.other_clerk)  # another township's clerk
    assert refused.status_code == 403, refused.text
    as_village = api.client.post(
        f"/v1/villages/{A.JOINT}/disclosures",
        json={"period": "2026-Q1", "checked_by": CHECKERS, "checked_on": "2026-04-03"},
        headers=api.clerk,
    )
    assert as_village.status_code == 422  # a joint entity is published as one
    published = publish_joint(api, "2026-Q1")
    assert published.status_code == 201, published.text
    meta = published.json()
    assert meta["village_code"] == A.JOINT and meta["version"] == 1
    listed = api.client.get(f"/v1/joint-entities/{A.JOINT}/disclosures", headers=api.auditor)
    assert listed.status_code == 200 and listed.json()[0]["digest"] == meta["digest"]

    index = api.client.get("/public").text
    with api.runtime.engine.connect() as conn:
        name = queries.entity(conn, A.JOINT)["name"]  # type: ignore[index]
    assert name in index and f"/public/sheets/{A.JOINT}/2026-Q1/v1" in index

    html = api.client.get(meta["urls"]["html"]).text
    assert f"{name}2026年第1季度财务公开表" in html
    assert "一、各项收入" in html and "二、各项支出" in html
    assert "二之二、入股资金（按资金项目）" in html and "期末持有合计" in html
    assert meta["digest"] in html and "民主理财小组" in html
    content = publishing.published(api.runtime, A.JOINT, "2026-Q1")["content"]  # type: ignore[index]
    assert content["kind"] == "joint"
    assert content["capital"]["held"], content["capital"]
    # its distributions go to villages (村编号, 村名称), not households
    paid = [d for d in content["distributions"] if d["role"] == "paid"]
    assert paid, content["distributions"]
    with api.runtime.engine.connect() as conn:
        kinds = {
            line["code"]: (queries.entity(conn, line["code"]) or {}).get("kind")
            for d in paid
            for line in d["lines"]
        }
    assert kinds and set(kinds.values()) == {"village"}, kinds
    assert "村名称" in html and "户主" not in html and "本村" not in html
    assert "本联合社收益分配（方案" in html  # 资金来源 of its own plan's payments

    pdf = api.client.get(meta["urls"]["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "入股资金" in text
    xlsx = api.client.get(meta["urls"]["xlsx"])
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "入股资金" in book.sheetnames and "收入明细" in book.sheetnames
    cells = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row)
    for body in (index, html, text, cells):
        for secret in private_strings():
            assert secret not in body
    report = verify(api.runtime)
    assert report["ok"], report


@pytest.mark.one_store  # rendering and tenancy, not storage
def test_the_joint_entitys_draft_is_what_publishing_then_stores(scenario_a_api: Api) -> None:
    """All but the check (who, when) and the ledger checkpoint, which publishing adds."""
    api = scenario_a_api
    draft = api.client.get(
        f"/v1/joint-entities/{A.JOINT}/disclosures/2026-Q1/draft", headers=api.auditor
    )
    assert draft.status_code == 200, draft.text
    assert draft.json()["kind"] == "joint"
    assert (
        api.client.get(
            "/v1/joint-entities/V01/disclosures/2026-Q1/draft", headers=api.auditor
        ).status_code
        == 422
    )  # a village is not a joint entity (422 `joint`, as publishing)
    published = publish_joint(api, "2026-Q1")
    assert published.status_code == 201, published.text
    stored = publishing.published(api.runtime, A.JOINT, "2026-Q1")["content"]  # type: ignore[index]
    mine = {k: v for k, v in draft.json().items() if k not in ("checked", "ledger")}
    assert mine == {k: v for k, v in stored.items() if k not in ("checked", "ledger")}
