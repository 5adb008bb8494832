"""A chart of accounts a clerk can see and cannot typo, over HTTP on SQLite and PostgreSQL:
sub-accounts are opened before use (by the clerk, or by the operation that needs them), the
chart is listed with balances, statements print names, and a store written before the rule
still loads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from audit.verify import verify
from documents.disclosure import disclosure_content
from documents.statements import parse_period
from ledger.entries import build_entry
from runtime.bootstrap import Runtime
from tests.builders import code
from tests.conftest import TODAY
from tests.e2e.conftest import Api


def post(api: Api, path: str, body: dict[str, Any], status: int = 201) -> Any:
    response = api.client.post(path, json=body, headers=api.clerk)
    assert response.status_code == status, f"{path}: {response.text}"
    return response.json()


def get(api: Api, path: str, **params: str) -> Any:
    response = api.client.get(path, params=params, headers=api.auditor)
    assert response.status_code == 200, f"{path}: {response.text}"
    return response.json()


def p(account: str, side: str, amount: str) -> dict[str, str]:
    return {"account": account, "side": side, "amount": amount}


def village(api: Api, name: str = "仉家村", *, opened: str = "2025-01-01") -> str:
    v = code("V")
    post(
        api,
        "/v1/villages",
        {
            "code": v,
            "name": name,
            "township": "唐坊镇",
            "county": "高青县",
            "population": 100,
            "households": 30,
        },
    )
    post(
        api,
        f"/v1/entities/{v}/opening-balances",
        {
            "as_of": opened,
            "balances": [p("102", "debit", "100000.00"), p("301", "credit", "100000.00")],
        },
        status=200,
    )
    return v


def entries_of(api: Api, v: str) -> int:
    return int(get(api, f"/v1/entities/{v}/entries")["total"])


@pytest.mark.one_store  # a rule over HTTP, not storage
def test_a_sub_account_is_opened_before_it_is_posted_to(api: Api) -> None:
    v = village(api)
    typo = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-03-01",
            "memo": "欠款",
            "postings": [p("513", "debit", "50.00"), p("211V9", "credit", "50.00")],
        },
        headers=api.clerk,
    )
    assert typo.status_code == 422
    assert typo.json()["type"] == "urn:lianzhang:problem:account-not-open"
    assert typo.json()["field"] == "postings[1].account"
    assert typo.json()["detail"] == (
        f"account 211V9 is not open in the books of {v}; open it first (POST /v1/entities/{v}/"
        "accounts with code 211V9, a name and parent 211) or post to an open one"
    )
    assert entries_of(api, v) == 0
    opened = post(
        api,
        f"/v1/entities/{v}/accounts",
        {"code": "211V02", "name": "应付款-和店村", "parent": "211"},
    )
    assert opened == {
        **opened,
        "code": "211V02",
        "name": "应付款-和店村",
        "parent": "211",
        "postable": True,
    }
    typo = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-03-01",
            "memo": "欠款",
            "postings": [p("513", "debit", "50.00"), p("211V03", "credit", "50.00")],
        },
        headers=api.clerk,
    )
    assert "the open sub-accounts of 211 应付款 are 211V02 应付款-和店村" in typo.json()["detail"]
    parent = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-03-01",
            "memo": "欠款",
            "postings": [p("513", "debit", "50.00"), p("211", "credit", "50.00")],
        },
        headers=api.clerk,
    )
    assert parent.status_code == 422
    assert parent.json()["detail"] == (
        f"account 211 应付款 has sub-accounts in the books of {v} (211V02 应付款-和店村); post to "
        "one of them, or open a new one under 211"
    )
    prescribed = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-03-01",
            "memo": "分配",
            "postings": [p("322", "debit", "50.00"), p("102", "credit", "50.00")],
        },
        headers=api.clerk,
    )
    assert "(32201 各项分配, 32202 未分配收益)" in prescribed.json()["detail"]
    assert entries_of(api, v) == 0
    entry = post(
        api,
        f"/v1/entities/{v}/entries",
        {
            "date": "2025-03-01",
            "memo": "欠款",
            "postings": [p("513", "debit", "50.00"), p("211V02", "credit", "50.00")],
        },
    )
    assert entry["lines"][1]["account_name"] == "应付款-和店村"
    for body, status, field in (
        ({"code": "211V02", "name": "应付款-又一个", "parent": "211"}, 409, "code"),
        ({"code": "211V05", "name": "应付款-和店村", "parent": "211"}, 409, "name"),
        ({"code": "999V05", "name": "x", "parent": "999"}, 422, "parent"),
        ({"code": "212V05", "name": "x", "parent": "211"}, 422, "code"),
        ({"code": "32105", "name": "x", "parent": "321"}, 422, "parent"),
    ):
        refused = api.client.post(f"/v1/entities/{v}/accounts", json=body, headers=api.clerk)
        assert (refused.status_code, refused.json()["field"]) == (status, field), refused.text
    listing = {a["code"]: a for a in get(api, f"/v1/entities/{v}/accounts")["accounts"]}
    assert len([a for a in listing.values() if a["level"] == 1]) == 42
    assert listing["211"] == {
        **listing["211"],
        "postable": False,
        "balance": "50.00",
        "credit": "50.00",
    }
    assert listing["211V02"] == {
        **listing["211V02"],
        "name": "应付款-和店村",
        "balance": "50.00",
        "opened_by": "clerk:clerk-tangfang",
    }
    assert listing["32201"]["name"] == "各项分配" and listing["32202"]["name"] == "未分配收益"
    assert listing["322"]["postable"] is False and listing["102"]["balance"] == "100000.00"
    assert (
        get(api, f"/v1/entities/{v}/accounts", month="2025-02")["accounts"][20]["balance"] == "0.00"
    )
    tb = get(api, f"/v1/entities/{v}/statements/trial-balance", period="2025")
    assert {line["account"]: line["name"] for line in tb["lines"]}["211V02"] == "应付款-和店村"
    sheet = get(api, f"/v1/villages/{v}/disclosures/2025/draft")
    content = sheet.get("content", sheet)
    debts = {line["line"]: line for line in content["debts"]["lines"]}
    assert [(d["name"], d["amount"]) for d in debts["应付款项"]["detail"]] == [
        ("应付款-和店村", "50.00")
    ]
    with api.runtime.engine.connect() as conn:  # a sheet published before names re-derives
        old = disclosure_content(  # as it was made (verify passes its layout)
            conn,
            v,
            parse_period("2025"),
            checked_by=[],
            checked_on=TODAY,
            opinion="",
            made_on=TODAY,
            layout=1,
        )
    assert "layout" not in old and "detail" not in str(old["debts"])


@pytest.mark.one_store  # a rule over HTTP, not storage
def test_operations_open_the_sub_accounts_they_need_named_after_the_counterparty(api: Api) -> None:
    alliance = code("A")
    post(
        api,
        "/v1/alliances",
        {
            "code": alliance,
            "name": "联村党委",
            "township": "唐坊镇",
            "county": "高青县",
            "model": "村企联建",
            "formed_on": "2025-01-01",
        },
    )
    v = village(api, "仉家村")
    post(api, f"/v1/alliances/{alliance}/villages", {"village": v, "date": "2025-01-01"})
    joint = code("J")
    post(api, f"/v1/alliances/{alliance}/joint-entity", {"code": joint, "name": "黑牛养殖联合社"})
    post(
        api,
        f"/v1/entities/{joint}/opening-balances",
        {"as_of": "2025-01-01", "balances": []},
        status=200,
    )
    result = post(
        api,
        f"/v1/joint-entities/{joint}/capital-contributions",
        {"village": v, "programme": "CZFC", "amount": "60000.00", "date": "2025-02-01"},
    )
    assert result["village_entry"]["lines"][0]["account_name"] == "长期投资-黑牛养殖联合社"
    assert result["joint_entry"]["lines"][1]["account_name"] == "资本-仉家村"
    post(
        api,
        f"/v1/joint-entities/{joint}/grants",
        {"programme": "XCZX", "amount": "1000.00", "date": "2025-02-02", "memo": ""},
    )
    listing = {a["code"]: a for a in get(api, f"/v1/entities/{joint}/accounts")["accounts"]}
    assert listing[f"301{v}"] == {
        **listing[f"301{v}"],
        "name": "资本-仉家村",
        "opened_by": f"capital:{v}",
        "balance": "60000.00",
    }
    assert listing["241XCZX"]["name"] == "专项应付款-乡村振兴示范片区奖补资金"
    sheet = get(
        api, f"/v1/entities/{v}/statements/account-detail", period="2025", account=f"141{joint}"
    )
    assert sheet["name"] == "长期投资-黑牛养殖联合社"
    assert sheet["lines"][0]["account_name"] == "长期投资-黑牛养殖联合社"


def test_a_store_written_before_accounts_were_opened_still_loads(api: Api) -> None:
    """Entries of older books used sub-accounts nobody opened, and their snapshots have no
    chart: they replay as they were, the sub-accounts count as open and are listed."""
    v = village(api)
    app = api.runtime.app
    books = app.get_books(v)
    entry = build_entry(  # as the code before this rule posted it: no opening, no guard
        date=datetime.date(2025, 3, 1),
        number="2025-0001",
        memo="旧账",
        postings=[p("102", "debit", "10.00"), p("113V02", "credit", "10.00")],
        chart=books.chart,
    )
    books._entry_posted(entry=entry, actor="old", source=None)
    app.save(books)
    state = app.get_books(v)
    del state.__dict__["account_names"], state.__dict__["closed_years"]  # an old snapshot
    assert app.snapshots is not None
    app.snapshots.put([type(state).Snapshot.take(state)])
    again = Runtime(api.runtime.database_url, schema=api.runtime.schema, today=lambda: TODAY)
    try:
        loaded = again.app.get_books(v)
        assert loaded.version == state.version
        assert loaded.open_accounts["113V02"] == "内部往来-V02"
        again.app.books.post_entry(
            entity=v,
            date=datetime.date(2025, 3, 2),
            memo="还款",
            postings=[p("113V02", "debit", "10.00"), p("102", "credit", "10.00")],
            actor="a",
        )
        again.app.books.close_month(entity=v, month="2025-12", actor="a")  # its twelve months
        closed, _ = again.app.books.close_year(entity=v, year=2025, actor="a")
        assert closed == []  # nothing to move: no income in 2025
        again.views.catch_up()
    finally:
        again.close()
    listing = {a["code"]: a for a in get(api, f"/v1/entities/{v}/accounts")["accounts"]}
    assert listing["113V02"]["opened_by"] is None and listing["113V02"]["balance"] == "0.00"
    assert verify(api.runtime)["ok"] is True


@pytest.mark.one_store  # a rule over HTTP, not storage
def test_a_payment_to_an_unopened_account_names_the_account_field(api: Api) -> None:
    """/payments and /receipts take one account: the refusal names that field, not the
    posting of the entry the books would have built from it."""
    v = village(api)
    before = entries_of(api, v)
    for direction, account in (("payments", "211V9"), ("receipts", "113V9")):
        refused = api.client.post(
            f"/v1/entities/{v}/{direction}",
            json={"date": "2025-03-01", "amount": "10.00", "account": account, "memo": "x"},
            headers=api.clerk,
        )
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["type"] == "urn:lianzhang:problem:account-not-open"
        assert problem["field"] == "account"
        assert account in problem["detail"]
    assert entries_of(api, v) == before


@pytest.mark.one_store  # commands over HTTP, not storage
def test_a_sub_account_is_renamed_and_one_never_posted_to_is_retired(api: Api) -> None:
    v = village(api)
    opened = post(
        api,
        f"/v1/entities/{v}/accounts",
        {"code": "141J01", "name": "长期投资-联合社", "parent": "141", "kind": "unit"},
    )
    assert (opened["code"], opened["postable"]) == ("141J01", True)
    renamed = post(
        api, f"/v1/entities/{v}/accounts/141J01/name", {"name": "长期投资-联村公司"}, status=200
    )
    assert renamed["name"] == "长期投资-联村公司"
    other = api.client.post(
        f"/v1/entities/{v}/accounts/141J01/name", json={"name": "x"}, headers=api.other_clerk
    )
    assert other.status_code == 403
    read_only = api.client.post(f"/v1/entities/{v}/accounts/141J01/retirement", headers=api.auditor)
    assert read_only.status_code == 403
    # the Chinese default names the 科目 page, not an API path
    parent = api.client.post(
        f"/v1/entities/{v}/entries",
        json={
            "date": "2025-03-01",
            "memo": "投资",
            "postings": [p("141", "debit", "50.00"), p("102", "credit", "50.00")],
        },
        headers={**api.clerk, "Accept-Language": "zh-CN"},
    )
    assert parent.status_code == 422
    assert "141J01 长期投资-联村公司" in parent.json()["detail"]
    assert "「科目」页" in parent.json()["detail"] and "/v1/" not in parent.json()["detail"]
    retired = post(api, f"/v1/entities/{v}/accounts/141J01/retirement", {}, status=200)
    assert retired == {"entity": v, "code": "141J01", "retired": True}
    listing = {a["code"]: a for a in get(api, f"/v1/entities/{v}/accounts")["accounts"]}
    assert "141J01" not in listing and listing["141"]["postable"] is True
    again = api.client.post(f"/v1/entities/{v}/accounts/141J01/retirement", headers=api.clerk)
    assert again.status_code == 404
    post(
        api,
        f"/v1/entities/{v}/accounts",
        {"code": "211H01", "name": "应付款-张三", "parent": "211"},
    )
    post(
        api,
        f"/v1/entities/{v}/entries",
        {
            "date": "2025-03-01",
            "memo": "欠款",
            "postings": [p("513", "debit", "50.00"), p("211H01", "credit", "50.00")],
        },
    )
    used = api.client.post(f"/v1/entities/{v}/accounts/211H01/retirement", headers=api.clerk)
    assert used.status_code == 409 and used.json()["field"] == "code"
