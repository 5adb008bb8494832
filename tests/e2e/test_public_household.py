"""Issue 11 item 5: a household's lines by its number and the short code on its notice; a wrong
code is refused exactly as a household that does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from projections.household_lookup import ALPHABET, LENGTH, household_code
from scripts import scenario_a as A
from tests.e2e.public_demo import demo_client, text_of


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with demo_client(tmp_path_factory.mktemp("demo")) as found:
        yield found


def ask(client: Any, number: str, code: str) -> Any:
    return client.get(
        "/public/households", params={"village": "V03", "number": number, "code": code}
    )


def test_the_right_code_shows_the_household_masked(demo: Any) -> None:
    client, runtime = demo
    code = household_code(runtime.signer, "V03", "H01")
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert household_code(runtime.signer, "V03", "H02") != code
    response = ask(client, "h01", code.lower())  # typed in small letters on a phone
    assert response.status_code == 200
    text = text_of(response.text)
    assert "¥6,055.94" in text and "陆仟零伍拾伍元玖角肆分" in text and "李*国" in text
    assert A.HOUSEHOLD_PLAN in response.text
    for member in A.members():
        assert member["name"] not in response.text
        assert member["id_number"] not in response.text


def test_a_wrong_code_tells_nothing(demo: Any) -> None:
    client, runtime = demo
    wrong = ask(client, "H01", "222222")
    missing = ask(client, "H99", "222222")
    assert wrong.status_code == missing.status_code == 403
    assert wrong.text.replace("H01", "H99") == missing.text
    assert "¥6,055.94" not in wrong.text
    right_elsewhere = household_code(runtime.signer, "V03", "H02")
    assert ask(client, "H01", right_elsewhere).status_code == 403
    assert client.get("/public/households").status_code == 200  # the empty form


def test_the_clerk_prints_the_codes(demo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e.command import run

    _client, runtime = demo
    monkeypatch.setenv("LIANZHANG_DATABASE_URL", runtime.database_url)
    done = run(["household-code", "V03", "H01", "H02"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [
        f"V03 H01 {household_code(runtime.signer, 'V03', 'H01')}",
        f"V03 H02 {household_code(runtime.signer, 'V03', 'H02')}",
    ]


def test_a_corrected_plan_is_marked_where_its_households_appear(tmp_path: Any) -> None:
    import datetime

    from scripts.demo import ACTOR

    with demo_client(tmp_path) as (client, runtime):
        app = runtime.app
        body = A.HOUSEHOLD_PLAN_BODY
        app.plans.draft_plan(
            code="P2025-V03-FIX",
            title="更正：李孟德村按户平均分配",
            scope="village",
            target="V03",
            period=body["period"],
            as_of=body["as_of"],
            amount=body["amount"],
            rule={**A.HOUSEHOLD_RULE, "tiers": [{"name": "按户平均", "kind": "equal"}]},
            supersedes=A.HOUSEHOLD_PLAN,
            actor=ACTOR,
        )
        for step in A.HOUSEHOLD_STEPS:
            app.plans.record_plan_step(
                code="P2025-V03-FIX", actor=ACTOR, **{**step, "date": step["date"].replace(month=2)}
            )
        fixed_on = datetime.date(2026, 2, 28)
        app.plans.request_execution(code="P2025-V03-FIX", date=fixed_on, actor="requester")
        app.plans.execute_plan(code="P2025-V03-FIX", date=fixed_on, actor=ACTOR)
        runtime.views.catch_up()
        sheet = text_of(client.get("/public/sheets/V03/2026-Q1/v1").text)
        assert "已被更正：本方案已被方案 P2025-V03-FIX 更正" in sheet
        assert sheet.count("已被更正") >= 10  # every household of the old plan is marked
        old = text_of(client.get(f"/public/plans/{A.HOUSEHOLD_PLAN}").text)
        assert "已被更正" in old and "P2025-V03-FIX" in old
        new = text_of(client.get("/public/plans/P2025-V03-FIX").text)
        assert "¥9,083.91" in new and "¥5,147.55" in new  # H05: old, new, and the difference
        code = household_code(runtime.signer, "V03", "H05")
        mine = text_of(ask(client, "H05", code).text)
        assert "已被更正：以方案 P2025-V03-FIX 为准" in mine and "¥5,147.55" in mine
