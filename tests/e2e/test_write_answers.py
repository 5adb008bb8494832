"""Cheap writes: an entry answered from its command's own result (no read model read back, none
caught up in the request), the same body a read of it gives; the token cache, revoked at once in
this process and looked up again past its expiry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from projections.tables import tracking
from tests.builders import posting, receipt
from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import post_entry, register_village
from tests.e2e.test_duties import person_token
from web.tokens import TokenStore, api_tokens


def ledger_position(api: Api) -> int:
    with api.runtime.engine.connect() as conn:
        found = conn.execute(
            select(tracking.c.position).where(tracking.c.projection == "ledger")
        ).scalar_one()
    return int(found)


def read_back(api: Api, location: str, headers: dict[str, str]) -> dict[str, Any]:
    found = api.client.get(location, headers=headers)
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def test_an_entry_is_answered_from_its_result_as_a_read_gives_it(api: Api) -> None:
    village = register_village(api)
    zhidan = person_token(api, "zhidan", "clerk", "bookkeeper")
    lines = [posting("102", "debit", "12.34", "转账"), posting("504", "credit", "12.34")]
    posted = post_entry(api, village, lines, memo="租金 一月", headers=zhidan)
    assert posted.status_code == 201, posted.text
    # nothing was read back: the request caught no read model up (the next read does)
    assert ledger_position(api) < int(posted.headers["Lianzhang-Position"])
    answer = posted.json()
    assert answer["actor_name"] == "人zhidan（接口）"
    assert answer["lines"][0]["account_name"] == "银行存款" and answer["total"] == "12.34"
    # read-your-writes: a read right after the write sees it, exactly as the write answered
    assert read_back(api, posted.headers["Location"], zhidan) == answer

    reversed_ = api.client.post(
        f"{posted.headers['Location']}/reversal",
        json={"date": "2025-03-02", "reason": " 重复入账 "},
        headers=api.admin,
    )
    assert reversed_.status_code == 201, reversed_.text
    reversal = reversed_.json()
    assert reversal["reason"] == "重复入账" and reversal["total"] == "-12.34"
    assert reversal["actor_name"] == "admin-1"
    assert read_back(api, reversed_.headers["Location"], api.admin) == reversal
    assert (
        read_back(api, posted.headers["Location"], api.admin)["reversed_by"] == (reversal["number"])
    )


def test_an_entry_on_a_sub_account_reads_its_name_back(api: Api) -> None:
    village = register_village(api)
    opened = api.client.post(
        f"/v1/entities/{village}/accounts",
        json={"code": "10201", "name": "高青农商银行", "parent": "102"},
        headers=api.admin,
    )
    assert opened.status_code == 201, opened.text
    posted = post_entry(api, village, [*receipt("5.00")[1:], posting("10201", "debit", "5.00")])
    assert posted.status_code == 201, posted.text
    assert posted.json()["lines"][1]["account_name"] == "高青农商银行"
    # the answer came from the read model: the request caught the ledger up to its write
    assert ledger_position(api) >= int(posted.headers["Lianzhang-Position"])
    assert read_back(api, posted.headers["Location"], api.admin) == posted.json()


def test_a_token_revoked_in_this_process_is_refused_at_once(api: Api) -> None:
    village = register_village(api)
    token = TokenStore(api.runtime.engine).create("soon-gone", "admin")
    headers = bearer(token)
    assert post_entry(api, village, receipt("1.00"), headers=headers).status_code == 201
    # revoked through another store of this process (as `lianzhang token revoke` run here)
    TokenStore(api.runtime.engine).revoke("soon-gone")
    refused = post_entry(api, village, receipt("2.00"), headers=headers)
    assert refused.status_code == 401, refused.text


def test_a_cached_token_is_looked_up_again_past_its_expiry(api: Api) -> None:
    village = register_village(api)
    tokens: TokenStore = api.client.app.state.tokens  # type: ignore[attr-defined]
    assert tokens.cache_seconds == 10  # the default
    now = [1000.0]
    tokens.clock = lambda: now[0]
    headers = bearer(TokenStore(api.runtime.engine).create("elsewhere", "admin"))
    assert post_entry(api, village, receipt("1.00"), headers=headers).status_code == 201
    # revoked by another process: only the row changes, this process is not told
    with api.runtime.engine.begin() as conn:
        conn.execute(
            update(api_tokens).where(api_tokens.c.name == "elsewhere").values(revoked_at=now_utc())
        )
    now[0] += 9.5  # within the expiry the cached caller still writes
    assert post_entry(api, village, receipt("2.00"), headers=headers).status_code == 201
    now[0] += 1.0  # past it the token is read again, and refused
    refused = post_entry(api, village, receipt("3.00"), headers=headers)
    assert refused.status_code == 401, refused.text


def now_utc() -> Any:
    import datetime

    return datetime.datetime.now(datetime.UTC)
