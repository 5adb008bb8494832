"""Year-end closing (年终结转) over HTTP, on SQLite and PostgreSQL: the entries the 2023 system
posts, the lock it puts on the year, reopening, and the statements before and after."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from audit.verify import verify
from tests.e2e.conftest import Api
from tests.e2e.test_chart import get, p, post, village

# domain rules and refusals over HTTP, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def village_with_two_years(api: Api) -> str:
    """A village opened on 2024-01-01 with income, costs and a distribution in 2024 and 2025."""
    v = village(api, opened="2024-01-01")
    post(
        api,
        f"/v1/entities/{v}/accounts",
        {"code": "211H01", "name": "应付款-张*明（H01）", "parent": "211"},
    )
    for year, income, cost, shared in (
        ("2024", "10000.00", "2000.00", "3000.00"),
        ("2025", "20000.00", "5000.00", "4000.00"),
    ):
        post(
            api,
            f"/v1/entities/{v}/entries",
            {
                "date": f"{year}-03-01",
                "memo": "承包费",
                "postings": [p("102", "debit", income), p("501", "credit", income)],
            },
        )
        post(
            api,
            f"/v1/entities/{v}/entries",
            {
                "date": f"{year}-04-01",
                "memo": "办公费",
                "postings": [p("513", "debit", cost), p("102", "credit", cost)],
            },
        )
        post(
            api,
            f"/v1/entities/{v}/entries",
            {
                "date": f"{year}-11-01",
                "memo": "成员分配",
                "postings": [p("32201", "debit", shared), p("211H01", "credit", shared)],
            },
        )
    return v


def lines(statement: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {line["line"]: (line["amount"], line["prior"]["amount"]) for line in statement["lines"]}


def test_year_end_closing_as_the_2023_system_posts_it(api: Api) -> None:
    v = village_with_two_years(api)
    before = {
        kind: get(api, f"/v1/entities/{v}/statements/{kind}", period="2025")
        for kind in ("income", "balance-sheet")
    }
    refused = api.client.post(
        f"/v1/entities/{v}/year-end-closings", json={"year": 2025}, headers=api.clerk
    )
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"year 2024 of {v} is not closed; years are closed in order, close 2024 first"
    )
    for year, status, says in (
        (2026, 422, "year 2026 is not over (today is 2026-11-23)"),
        (2023, 422, "the first year they can close is 2024"),
    ):
        refused = api.client.post(
            f"/v1/entities/{v}/year-end-closings", json={"year": year}, headers=api.clerk
        )
        assert refused.status_code == status and says in refused.json()["detail"], refused.text

    # the twelve months first (结账 through December)
    unclosed = api.client.post(
        f"/v1/entities/{v}/year-end-closings", json={"year": 2024}, headers=api.clerk
    )
    assert unclosed.status_code == 409
    assert unclosed.json()["detail"] == (
        f"the months of 2024 of {v} are not all closed (closed through none); close the books "
        "through 2024-12 (结账) first: a year is closed after its twelve months"
    )
    post(api, f"/v1/entities/{v}/closed-months", {"month": "2024-12"}, status=200)
    closed_2024 = post(api, f"/v1/entities/{v}/year-end-closings", {"year": 2024})
    assert closed_2024["state"] == "closed" and closed_2024["date"] == "2024-12-31"
    assert {b["account"]: (b["side"], b["amount"]) for b in closed_2024["carried_balances"]} == {
        "102": ("debit", "108000.00"),  # the distribution is owed, not paid
        "211H01": ("credit", "3000.00"),
        "301": ("credit", "100000.00"),
        "32202": ("credit", "5000.00"),  # 10000 − 2000 − 3000
    }
    closing = [get(api, f"/v1/entities/{v}/entries/{n}") for n in closed_2024["entries"]]
    assert [
        (
            e["date"],
            e["memo"],
            [(x["account"], x["account_name"], x["side"], x["amount"]) for x in e["lines"]],
        )
        for e in closing
    ] == [
        (
            "2024-12-31",
            "结转本年收益",
            [
                ("501", "经营收入", "debit", "10000.00"),
                ("513", "管理费用", "credit", "2000.00"),
                ("321", "本年收益", "credit", "8000.00"),
            ],
        ),
        (
            "2024-12-31",
            "结转本年收益至未分配收益",
            [("321", "本年收益", "debit", "8000.00"), ("32202", "未分配收益", "credit", "8000.00")],
        ),
        (
            "2024-12-31",
            "结转各项分配至未分配收益",
            [
                ("32201", "各项分配", "credit", "3000.00"),
                ("32202", "未分配收益", "debit", "3000.00"),
            ],
        ),
    ]
    assert [e["number"] for e in closing] == ["2024-0004", "2024-0005", "2024-0006"]

    post(api, f"/v1/entities/{v}/closed-months", {"month": "2025-12"}, status=200)
    closed = post(api, f"/v1/entities/{v}/year-end-closings", {"year": 2025})
    carried = {b["account"]: b["amount"] for b in closed["carried_balances"]}
    assert carried["32202"] == "16000.00"  # 5000 + 20000 − 5000 − 4000
    assert not any(a.startswith(("5", "321", "32201")) for a in carried)

    # the year is locked: no entry, no reversal of its closing, no second closing
    late = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-12-20",
            "memo": "补记",
            "postings": [p("102", "debit", "1.00"), p("504", "credit", "1.00")],
        },
        headers=api.clerk,
    )
    assert late.status_code == 409
    assert late.json()["type"] == "urn:lianzhang:problem:closed-period"
    # December is closed (结账); its month is reopened only after the year
    month = api.client.post(
        f"/v1/entities/{v}/closed-months/2025-12/reopening",
        json={"reason": "补记"},
        headers=api.clerk,
    )
    assert month.status_code == 409
    assert (
        month.json()["detail"] == f"year 2025 of {v} is closed by 年终结转; reopen the year first"
    )
    undo = api.client.post(
        f"/v1/entities/{v}/entries/2025-0004/reversal",
        json={"date": "2026-01-05", "reason": "错"},
        headers=api.clerk,
    )
    assert undo.status_code == 409 and "undone only by reopening the year" in undo.json()["detail"]
    again = api.client.post(
        f"/v1/entities/{v}/year-end-closings", json={"year": 2025}, headers=api.clerk
    )
    assert again.status_code == 409 and "already closed" in again.json()["detail"]
    early = api.client.post(
        f"/v1/entities/{v}/year-end-closings/2024/reopening",
        json={"reason": "x"},
        headers=api.clerk,
    )
    assert early.status_code == 409 and "reopen 2025 first" in early.json()["detail"]

    # statements read the same closed as open; the next year has its 年初数 and 上年同期数
    after = {
        kind: get(api, f"/v1/entities/{v}/statements/{kind}", period="2025")
        for kind in ("income", "balance-sheet")
    }
    for kind in after:
        assert {
            k: after[kind][k]
            for k in ("lines", "assets", "liabilities", "equity", "totals")
            if k in after[kind]
        } == {
            k: before[kind][k]
            for k in ("lines", "assets", "liabilities", "equity", "totals")
            if k in before[kind]
        }, kind
        assert all(c["holds"] for c in after[kind]["checks"])
    income = lines(after["income"])
    assert income["本年收益"] == ("15000.00", "8000.00")
    assert income["年初未分配收益"] == ("5000.00", "0.00")
    assert income["成员分配"] == ("4000.00", "3000.00")
    assert income["年末未分配收益"] == ("16000.00", "5000.00")
    sheet = get(api, f"/v1/entities/{v}/statements/balance-sheet", period="2026-Q1")
    equity = {
        line["line"]: (line["year_start"]["amount"], line["amount"]) for line in sheet["equity"]
    }
    assert equity["未分配收益"] == ("16000.00", "16000.00")
    assert sheet["columns"] == {"year_start": "年初数", "amount": "期末数"}
    assert all(c["holds"] for c in sheet["checks"])
    quarter = get(api, f"/v1/entities/{v}/statements/income", period="2025-Q4")
    assert not any("年末" in line["line"] or "年初" in line["line"] for line in quarter["lines"])
    assert lines(quarter)["期末未分配收益"] == ("16000.00", "5000.00")
    tb = {
        line["account"]: line
        for line in get(api, f"/v1/entities/{v}/trial-balance", month="2025-12", cumulative="true")[
            "lines"
        ]
    }
    assert tb["32202"]["closing_credit"] == "16000.00" and tb["501"]["closing_credit"] == "0.00"

    # reopening (recorded, with a reason) reverses the closing; the year takes entries again
    reopened = post(
        api,
        f"/v1/entities/{v}/year-end-closings/2025/reopening",
        {"reason": "漏记12月电费"},
        status=200,
    )
    assert reopened["state"] == "reopened" and reopened["reason"] == "漏记12月电费"
    assert len(reopened["reversals"]) == 3
    reversal = get(api, f"/v1/entities/{v}/entries/{reopened['reversals'][0]}")
    assert reversal["reverses"] == "2025-0006" and reversal["date"] == "2025-12-31"
    assert lines(get(api, f"/v1/entities/{v}/statements/income", period="2025")) == income
    still = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-12-20",
            "memo": "电费",
            "postings": [p("513", "debit", "600.00"), p("102", "credit", "600.00")],
        },
        headers=api.clerk,
    )
    assert still.status_code == 409  # December is still closed (结账)
    reopened_month = post(
        api,
        f"/v1/entities/{v}/closed-months/2025-12/reopening",
        {"reason": "漏记12月电费"},
        status=200,
    )
    assert reopened_month["closed_through"] == "2025-11"
    post(
        api,
        f"/v1/entities/{v}/entries",
        {
            "date": "2025-12-20",
            "memo": "电费",
            "postings": [p("513", "debit", "600.00"), p("102", "credit", "600.00")],
        },
    )
    post(api, f"/v1/entities/{v}/closed-months", {"month": "2025-12"}, status=200)
    closed = post(api, f"/v1/entities/{v}/year-end-closings", {"year": 2025})
    assert {b["account"]: b["amount"] for b in closed["carried_balances"]}["32202"] == "15400.00"
    assert lines(get(api, f"/v1/entities/{v}/statements/income", period="2025"))["本年收益"] == (
        "14400.00",
        "8000.00",
    )
    listed = get(api, f"/v1/entities/{v}/year-end-closings")
    assert [(c["year"], c["state"]) for c in listed] == [(2024, "closed"), (2025, "closed")]
    trail = get(api, "/v1/audit/trail", entity=v)
    assert "YearReopened" in str(trail) and "漏记12月电费" in str(trail)
    assert "MonthReopened" in str(trail)
    assert verify(api.runtime)["ok"] is True


def test_a_year_is_closed_once_december_is_closed(api: Api) -> None:
    v = village_with_two_years(api)
    post(api, f"/v1/entities/{v}/closed-months", {"month": "2024-12"}, status=200)
    closed = post(api, f"/v1/entities/{v}/year-end-closings", {"year": 2024})
    assert len(closed["entries"]) == 3
    assert get(api, f"/v1/entities/{v}/entries/{closed['entries'][0]}")["date"] == "2024-12-31"
    refused = api.client.post(
        f"/v1/entities/{v}/year-end-closings/2024/reopening",
        json={"reason": " "},
        headers=api.clerk,
    )
    assert refused.status_code == 422


def test_a_month_closes_once_its_vouchers_are_posted_and_the_latest_reopens(api: Api) -> None:
    """结账 over HTTP lists the vouchers that hold the month (ids, links); 反结账 takes the
    latest closed month with a reason, in Chinese for a clerk."""
    v = village(api, opened="2025-01-01")
    draft = api.runtime.app.vouchers.draft_voucher(
        entity=v,
        date=datetime.date(2025, 2, 3),
        summary="二月草稿",
        lines=[{"account": "102", "debit": "1.00"}, {"account": "504", "credit": "1.00"}],
        actor="zhang",
    ).draft
    refused = api.client.post(
        f"/v1/entities/{v}/closed-months", json={"month": "2025-03"}, headers=api.clerk
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["vouchers"] == draft
    assert f"/v1/vouchers/{draft} (2025-02-03 二月草稿, draft)" in refused.json()["detail"]
    chinese = api.client.post(
        f"/v1/entities/{v}/closed-months",
        json={"month": "2025-03"},
        headers={**api.clerk, "Accept-Language": "zh-CN"},
    )
    assert "2025-02-03 二月草稿（草稿）" in chinese.json()["detail"]
    post(api, f"/v1/entities/{v}/closed-months", {"month": "2025-01"}, status=200)

    wrong = api.client.post(
        f"/v1/entities/{v}/closed-months/2024-12/reopening",
        json={"reason": "错"},
        headers={**api.clerk, "Accept-Language": "zh-CN"},
    )
    assert wrong.status_code == 409
    assert "只能反结账最近结账的月份（2025-01）" in wrong.json()["detail"]
    reopened = post(
        api, f"/v1/entities/{v}/closed-months/2025-01/reopening", {"reason": "复核"}, status=200
    )
    assert reopened["closed_through"] is None  # the books open in January
    trail = get(api, "/v1/audit/trail", entity=v)
    assert "MonthReopened" in str(trail) and "复核" in str(trail)
