"""The 三资 routes over HTTP, on one store: a refusal is problem details in Chinese naming the
field, and writes nothing; a clerk of another township is refused before anything is written."""

from __future__ import annotations

import pytest

from tests import builders
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store

ZH = {"Accept-Language": "zh-CN"}


def test_refusals_are_chinese_and_write_nothing(api: Api) -> None:
    village = builders.village(api.runtime.app)
    api.runtime.app.resources.register(
        entity=village, code="ZY-1", name="东洼", kind="cropland", area="100",
        date=builders.OPENING, actor="t",
    )  # fmt: skip
    api.runtime.views.catch_up()
    head = api.runtime.views.head()
    contract = {
        "code": "HT-1",
        "title": "东洼发包",
        "kind": "contracting",
        "party": {"kind": "person", "name": "张三"},
        "subject": {"kind": "resource", "code": "ZY-1"},
        "start": "2026-01-01",
        "end": "2026-12-31",
        "signed_on": "2026-01-01",
        "instalments": [{"due_on": "2027-01-01", "amount": "100.00"}],
    }
    cases = [
        (
            f"/v1/entities/{village}/contracts",
            contract,
            422,
            "第1期的应付日 2027-01-01 不在合同期限",
        ),
        (
            f"/v1/entities/{village}/contracts",
            {**contract, "end": "2025-12-31", "signed_on": "2025-12-01", "instalments": []},
            422,
            "合同止日 2025-12-31 早于起日 2026-01-01",
        ),
        (
            f"/v1/entities/{village}/resources",
            {
                "code": "ZY-2",
                "name": "西洼",
                "kind": "cropland",
                "area": "-5",
                "date": "2026-01-01",
            },
            422,
            "面积",
        ),
        (
            f"/v1/entities/{village}/resources/ZY-1/retirement",
            {"reason": "征收", "date": "2026-12-01"},
            422,
            "晚于今天",
        ),
    ]
    for path, body, status, words in cases:
        answer = api.client.post(path, json=body, headers={**api.admin, **ZH})
        assert answer.status_code == status, answer.text
        assert words in answer.json()["detail"], answer.json()
    # another township's clerk: 403 in Chinese
    answer = api.client.post(
        f"/v1/entities/{village}/contracts",
        json={**contract, "instalments": []},
        headers={**api.other_clerk, **ZH},
    )
    assert answer.status_code == 403 and "唐坊镇" in answer.json()["detail"]
    assert api.runtime.views.head() == head  # nothing written
