"""Vouchers from a file (``lianzhang import-vouchers``) and from an integration
(``POST /v1/entities/{code}/voucher-batches``): all or nothing, every problem named."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from projections import queries
from projections.voucher_view import voucher_list
from runtime.bootstrap import Runtime
from tests.builders import posting, village
from tests.e2e.command import lianzhang
from tests.e2e.conftest import Api

HEADER = ["单位代码", "日期", "凭证号", "摘要", "科目代码", "科目名称", "借方", "贷方"]


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def a_month(code: str) -> list[list[Any]]:
    return [
        [code, datetime.date(2025, 1, 5), "1", "收到土地承包费", "102", "银行存款", 12000, None],
        [None, None, None, None, 504, "其他收入", None, 12000],
        [code, "2025/1/8", "2", "支付办公用品费", "513", "管理费用", 356.5, 0],
        [None, None, None, "购纸", "101", "库存现金", None, "356.50"],
    ]


def events(database: tuple[str, str | None]) -> int:
    runtime = Runtime(database[0], schema=database[1])
    try:
        return int(runtime.app.recorder.max_notification_id() or 0)
    finally:
        runtime.close()


def setup_village(database: tuple[str, str | None]) -> str:
    runtime = Runtime(database[0], schema=database[1])
    try:
        return village(runtime.app)
    finally:
        runtime.close()


def test_the_cli_imports_a_workbook_and_refuses_a_bad_one_whole(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    code = setup_village(database)
    bad = [
        *a_month(code),
        [code, "2025-01-09", "3", "付款", "999", "", 10, None],
        [None, None, None, None, "102", "", None, 10],
        [code, "2025-01-10", "4", "付款", "513", "", "1,000,000.00", None],
        [None, None, None, None, "102", "", None, "1000000.00"],
        [code, "2025-01-11", "5", "退款", "513", "", "abc", None],
        [None, None, None, None, "102", "", None, 1],
    ]
    before = events(database)
    result = lianzhang(
        database,
        tmp_path,
        "import-vouchers",
        str(workbook(tmp_path / "bad.xlsx", bad)),
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any("row 6, 科目代码 (E):" in line and "999" in line for line in lines), lines
    assert any("row 8, 借方 (G)/贷方 (H), rows 8–9:" in line for line in lines), lines
    assert any("row 10, 借方 (G):" in line and "'abc'" in line for line in lines), lines
    assert "3 problems" in lines[-1] and "nothing was written" in lines[-1]
    assert events(database) == before

    good = workbook(tmp_path / "good.xlsx", a_month(code))
    dry = lianzhang(database, tmp_path, "import-vouchers", str(good), "--dry-run")
    assert "nothing was written" in dry.stdout
    assert events(database) == before
    done = lianzhang(database, tmp_path, "import-vouchers", str(good))
    # issue 20: imported for review (待审核), not posted
    assert f"imported 2 vouchers for review (待审核: {code} 2)" in done.stdout
    again = lianzhang(database, tmp_path, "import-vouchers", str(good))
    assert "had been saved by an earlier run" in again.stdout
    runtime = Runtime(database[0], schema=database[1])
    try:
        runtime.views.catch_up()
        with runtime.engine.connect() as conn:
            assert queries.list_entries(conn, code)[1] == []
        waiting = voucher_list(runtime.engine, townships=None, entity=code)
        assert sorted((v["status"], v["summary"]) for v in waiting) == [
            ("submitted", "支付办公用品费"),
            ("submitted", "收到土地承包费"),
        ]
    finally:
        runtime.close()
    # what was reviewed elsewhere is posted directly: another import of the same file
    direct = lianzhang(database, tmp_path, "import-vouchers", str(good), "--post-directly")
    assert f"imported 2 vouchers into 1 books ({code} 2025-0001…2025-0002)" in direct.stdout
    runtime = Runtime(database[0], schema=database[1])
    try:
        runtime.views.catch_up()
        with runtime.engine.connect() as conn:
            _, views = queries.list_entries(conn, code)
    finally:
        runtime.close()
    assert [(v.number, v.memo, str(v.total.amount)) for v in views] == [
        ("2025-0001", "收到土地承包费", "12000.00"),
        ("2025-0002", "支付办公用品费", "356.50"),
    ]
    assert [line.memo for line in views[1].lines] == ["", "购纸"]


def test_the_cli_reads_csv_with_entity_and_writes_a_template(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    code = setup_village(database)
    csv_file = tmp_path / "v.csv"
    csv_file.write_text(
        "日期,摘要,科目代码,借方,贷方\n2025-03-01,收到租金,102,50.00,\n,,504,,50.00\n",
        encoding="gb18030",
    )
    done = lianzhang(database, tmp_path, "import-vouchers", str(csv_file), "--entity", code)
    assert "imported 1 vouchers" in done.stdout
    missing = lianzhang(database, tmp_path, "import-vouchers", str(csv_file), check=False)
    assert missing.returncode == 2 and "单位代码" in missing.stderr
    template = tmp_path / "template.xlsx"
    lianzhang(database, tmp_path, "import-vouchers", "--template", str(template))
    before = events(database)
    empty = lianzhang(database, tmp_path, "import-vouchers", str(template), check=False)
    assert empty.returncode == 2 and "no voucher rows" in empty.stderr
    assert events(database) == before


def test_the_api_posts_a_batch_and_refuses_every_bad_voucher(api: Api) -> None:
    code = village(api.runtime.app)
    body = {
        "vouchers": [
            {
                "date": "2025-01-05",
                "memo": "收到土地承包费",
                "postings": [posting("102", "debit", "100.00"), posting("504", "credit", "100.00")],
            },
            {
                "date": "2025-01-06",
                "memo": "付款",
                "postings": [posting("513", "debit", "40.00"), posting("102", "credit", "40.00")],
            },
        ]
    }
    path = f"/v1/entities/{code}/voucher-batches"
    dry = api.client.post(path, json={**body, "dry_run": True}, headers=api.clerk)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    # issue 20: by default the vouchers are submitted for review, nothing is posted
    review = api.client.post(path, json=body, headers=api.clerk)
    assert review.status_code == 201, review.text
    assert review.json()["for_review"] is True
    drafts = [e["draft"] for e in review.json()["entries"]]
    assert all(drafts) and [e["number"] for e in review.json()["entries"]] == ["", ""]
    assert api.client.get(f"/v1/entities/{code}/entries", headers=api.clerk).json()["total"] == 0
    waiting = api.client.get(
        "/v1/vouchers",
        params={"import_id": review.json()["import_id"], "status": "submitted"},
        headers=api.clerk,
    ).json()["items"]
    assert sorted(v["draft"] for v in waiting) == sorted(drafts)
    # posted directly (what was reviewed elsewhere): the 直接记账 duty, another import
    body = {**body, "post_directly": True}
    made = api.client.post(path, json=body, headers={**api.clerk, "Idempotency-Key": "b-1"})
    assert made.status_code == 201, made.text
    answer = made.json()
    assert [e["number"] for e in answer["entries"]] == ["2025-0001", "2025-0002"]
    assert (answer["batches"], answer["saved_batches"]) == (1, 1)
    listed = api.client.get(f"/v1/entities/{code}/entries", headers=api.clerk).json()
    assert [e["number"] for e in listed["items"]] == ["2025-0001", "2025-0002"]
    replayed = api.client.post(path, json=body, headers={**api.clerk, "Idempotency-Key": "b-1"})
    assert replayed.status_code == 201 and replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json() == answer
    # the same vouchers without a key: skipped, not posted twice
    same = api.client.post(path, json=body, headers=api.clerk).json()
    assert (same["saved_batches"], same["skipped_batches"]) == (0, 1)
    assert api.client.get(f"/v1/entities/{code}/entries", headers=api.clerk).json()["total"] == 2

    before = api.runtime.app.recorder.max_notification_id()
    bad = {
        "vouchers": [
            body["vouchers"][0],
            {**body["vouchers"][1], "date": "2025-02-01"},
            {
                "date": "2025-02-02",
                "memo": "透支",
                "postings": [
                    posting("513", "debit", "600000.00"),
                    posting("102", "credit", "600000.00"),
                ],
            },
            {
                "date": "2025-02-03",
                "memo": "错科目",
                "postings": [posting("998", "debit", "1.00"), posting("102", "credit", "1.00")],
            },
        ]
    }
    refused = api.client.post(path, json=bad, headers=api.clerk)  # for review: the same checks
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:lianzhang:problem:invalid-vouchers"
    assert [(e["voucher"], e["field"], e["type"]) for e in problem["errors"]] == [
        (2, "vouchers[2].postings", "urn:lianzhang:problem:cash-overdraft"),
        (3, "vouchers[3].postings[0].account", "urn:lianzhang:problem:unknown-account"),
    ]
    assert api.runtime.app.recorder.max_notification_id() == before


def test_another_townships_clerk_gets_403_and_nothing_is_written(api: Api) -> None:
    code = village(api.runtime.app)  # in 唐坊镇
    body = {
        "vouchers": [
            {
                "date": "2025-01-05",
                "memo": "收到",
                "postings": [posting("102", "debit", "1.00"), posting("504", "credit", "1.00")],
            }
        ]
    }
    before = api.runtime.app.recorder.max_notification_id()
    for headers in (api.other_clerk, api.auditor):
        answer = api.client.post(f"/v1/entities/{code}/voucher-batches", json=body, headers=headers)
        assert answer.status_code == 403, answer.text
    assert api.runtime.app.recorder.max_notification_id() == before
