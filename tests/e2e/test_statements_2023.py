"""Statements in the 2023 formats over HTTP: 其他转入 in the 收益及收益分配表 (公积公益金 covering a
loss), 行次 and subtotals, and a township's 汇总 of its villages by 行次 as XLSX."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import code
from tests.e2e.conftest import Api
from tests.e2e.test_chart import get, p, post

pytestmark = pytest.mark.one_store  # statement arithmetic over HTTP, not storage


def village(api: Api, township: str = "唐坊镇", balances: list[Any] | None = None) -> str:
    """A village opened on 2025-01-01: ¥105,000 in the bank, ¥100,000 capital and ¥5,000
    公积公益金 unless ``balances`` says otherwise."""
    v = code("V")
    post(
        api,
        "/v1/villages",
        {
            "code": v,
            "name": f"{v}村",
            "township": township,
            "county": "高青县",
            "population": 100,
            "households": 30,
        },
    )
    post(
        api,
        f"/v1/entities/{v}/opening-balances",
        {
            "as_of": "2025-01-01",
            "balances": balances
            or [
                p("102", "debit", "105000.00"),
                p("301", "credit", "100000.00"),
                p("311", "credit", "5000.00"),
            ],
        },
        status=200,
    )
    return v


def entry(api: Api, v: str, date: str, memo: str, *postings: dict[str, str]) -> None:
    post(api, f"/v1/entities/{v}/entries", {"date": date, "memo": memo, "postings": list(postings)})


def amounts(statement: dict[str, Any]) -> dict[str, str]:
    return {line["line"]: line["amount"] for line in statement["lines"]}


def test_reserves_covering_a_loss_are_an_other_transfer_in(api: Api) -> None:
    """借 311 / 贷 32202: the 公积公益金 covers ¥1,000 of a ¥3,000 loss. The 收益及收益分配表 shows it
    as 其他转入, so 年末未分配收益 is the books' −2,000.00 and the statement's check holds."""
    v = village(api)
    entry(api, v, "2025-04-01", "办公费", p("513", "debit", "3000.00"), p("102", "credit", "3000.00"))
    entry(
        api,
        v,
        "2025-12-20",
        "公积公益金弥补亏损",
        p("311", "debit", "1000.00"),
        p("32202", "credit", "1000.00"),
    )
    income = get(api, f"/v1/entities/{v}/statements/income", period="2025")
    found = amounts(income)
    assert found["本年收益"] == "-3000.00"
    assert found["年初未分配收益"] == "0.00"
    assert found["其他转入"] == "1000.00"
    assert found["可分配收益"] == "-2000.00"
    assert found["年末未分配收益"] == "-2000.00"
    assert [(c["holds"], c["left"], c["right"]) for c in income["checks"]] == [
        (True, "-2000.00", "-2000.00")
    ]
    sheet = get(api, f"/v1/entities/{v}/statements/balance-sheet", period="2025")
    assert {x["line"]: x["amount"] for x in sheet["equity"]}["未分配收益"] == "-2000.00"
    assert sheet["checks"][0]["holds"]
