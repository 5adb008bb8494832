"""凭证号 at entry over the API, in a township that numbers monthly and keeps 收/付/转 apart: a
draft says the number it would take, and what it took once posted; a line's 摘要 is in the
entry and the account detail; the entry's number is a key the API takes back (its print, a
reversal)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import register_village
from web.tokens import TokenStore

pytestmark = pytest.mark.one_store  # the HTTP contract; numbering itself: tests/application

DAY = "2026-03-05"


@pytest.fixture
def reviewer(api: Api) -> dict[str, str]:
    return bearer(TokenStore(api.runtime.engine).create("clerk-tangfang-2", "clerk", ["唐坊镇"]))


def test_a_voucher_shows_its_number_at_entry_and_keeps_it_when_posted(
    api: Api, reviewer: dict[str, str]
) -> None:
    chosen = api.client.post(
        "/v1/townships/唐坊镇/settings",
        json={"numbering": "monthly", "review_posts": False, "words": "split"},
        headers=api.admin,
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["words"] == "split" and "收、付、转" in chosen.json()["words_label"]
    village = register_village(api)
    drafted = api.client.post(
        f"/v1/entities/{village}/vouchers",
        json={
            "date": DAY,
            "summary": "提取备用金",
            "lines": [
                {"account": "101", "debit": "300.00", "memo": "备用金（出纳李华）"},
                {"account": "102", "credit": "300.00"},
            ],
        },
        headers=api.clerk,
    )
    assert drafted.status_code == 201, drafted.text
    draft = drafted.json()["draft"]
    number: dict[str, Any] = api.client.get(
        f"/v1/vouchers/{draft}/number", headers=api.clerk
    ).json()
    assert number == {
        "draft": draft,
        "status": "draft",
        "entity": village,
        "number": "2026-03-F-0001",  # 提现: a 付款凭证, or 收 if chosen
        "label": "2026年3月 付字第1号",
        "word": "付",
        "numbering": "monthly",
        "words": ["付", "收"],
        "posted": False,
    }
    edited = api.client.put(
        f"/v1/vouchers/{draft}",
        json={
            "date": DAY,
            "summary": "提取备用金",
            "lines": [
                {"account": "101", "debit": "300.00", "memo": "备用金（出纳李华）"},
                {"account": "102", "credit": "300.00"},
            ],
            "word": "收",
        },
        headers=api.clerk,
    )
    assert edited.status_code == 200, edited.text
    assert api.client.get(f"/v1/vouchers/{draft}/number", headers=api.clerk).json()["label"] == (
        "2026年3月 收字第1号"
    )
    nxt = api.client.get(
        f"/v1/entities/{village}/next-number",
        params={"date": "2026-03-31", "debit": "511", "credit": "102"},
        headers=api.auditor,
    ).json()
    assert (nxt["label"], nxt["posted"]) == ("2026年3月 付字第1号", False)
    for step, who in (("submit", api.clerk), ("approve", reviewer), ("post", api.clerk)):
        answer = api.client.post(f"/v1/vouchers/{draft}/{step}", headers=who)
        assert answer.status_code == 200, answer.text
    posted = api.client.get(f"/v1/vouchers/{draft}/number", headers=api.auditor).json()
    assert (posted["number"], posted["posted"], posted["status"]) == (
        "2026-03-S-0001",
        True,
        "posted",
    )
    entry = api.client.get(
        f"/v1/entities/{village}/entries/2026-03-S-0001", headers=api.auditor
    ).json()
    assert [line["memo"] for line in entry["lines"]] == ["备用金（出纳李华）", ""]
    detail = api.client.get(
        f"/v1/entities/{village}/statements/account-detail",
        params={"period": "2026", "account": "101"},
        headers=api.auditor,
    ).json()
    assert [line["memo"] for line in detail["lines"]] == ["备用金（出纳李华）"]
    bank = api.client.get(
        f"/v1/entities/{village}/statements/account-detail",
        params={"period": "2026", "account": "102"},
        headers=api.auditor,
    ).json()
    assert [line["memo"] for line in bank["lines"]] == ["提取备用金"]  # the voucher's 摘要
    printed = api.client.get(
        f"/v1/entities/{village}/entries/2026-03-S-0001/print.pdf", headers=api.auditor
    )
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    reversed_ = api.client.post(
        f"/v1/entities/{village}/entries/2026-03-S-0001/reversal",
        json={"date": "2026-04-02", "reason": "重复提取"},
        headers=api.admin,
    )
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["number"] == "2026-04-S-0001"
    assert reversed_.json()["memo"] == "冲销 2026年3月 收字第1号: 重复提取"


def test_a_word_that_does_not_fit_is_a_chinese_refusal(api: Api) -> None:
    api.client.post(
        "/v1/townships/唐坊镇/settings",
        json={"numbering": "monthly", "review_posts": False, "words": "split"},
        headers=api.admin,
    )
    village = register_village(api)
    refused = api.client.post(
        f"/v1/entities/{village}/entries",
        json={
            "date": DAY,
            "memo": "收到租金",
            "postings": [
                {"account": "102", "side": "debit", "amount": "50.00"},
                {"account": "504", "side": "credit", "amount": "50.00"},
            ],
            "word": "付",
        },
        headers={**api.admin, "Accept-Language": "zh-CN"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "word"
    assert "只能是“收”字" in refused.json()["detail"]
    posted = api.client.post(
        f"/v1/entities/{village}/entries",
        json={
            "date": DAY,
            "memo": "收到租金",
            "postings": [
                {"account": "102", "side": "debit", "amount": "50.00"},
                {"account": "504", "side": "credit", "amount": "50.00"},
            ],
        },
        headers=api.admin,
    )
    assert posted.json()["number"] == "2026-03-S-0001"
