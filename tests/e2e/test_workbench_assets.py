"""The workbench's 三资 pages (项目, 资产, 计提折旧, the label) on the demo store with the cold
store of ``tests/assets_world.py`` (TestClient, no browser; one store: the pages are pinned
here, the rules by the application tests): a bookkeeper plans a project, records its cost,
completes it, runs a month (preview first, a second run says it is done), leases and disposes
of a card, each refusal shown on its form in Chinese with nothing written; an auditor sees the
pages without a write button; the label's QR code opens the public page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scripts.demo import load_demo
from tests.assets_world import CARD, JOINT, PERSON, PROJECT, TRACTOR, cold_store
from tests.e2e.test_workbench_books_support import person_session, signed_in_app

pytestmark = pytest.mark.one_store


def csrf(client: TestClient, path: str = "/projects") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    token = csrf(client)
    key = path + str(data)
    return client.post(path, data={"csrf_token": token, "idempotency_key": key, **data})


def test_the_sanzi_pages_of_a_bookkeeper_and_an_auditor(runtime: Any) -> None:
    load_demo(runtime.app, say=lambda _: None)
    cold_store(runtime.app, rent_and_run=False)
    runtime.views.catch_up()
    app = signed_in_app(runtime)
    with TestClient(app, follow_redirects=False) as c:
        person_session(c, app, "sz-book", "bookkeeper", ["唐坊镇"])
        listed = c.get("/projects")
        assert listed.status_code == 200 and PROJECT in listed.text and "三资" in listed.text
        assert 'action="/projects"' in listed.text  # the 立项 form
        # 立项 with a funding that does not add up: the form again, in Chinese, nothing written
        head = runtime.views.head()
        plan = {
            "entity": JOINT,
            "code": "XM-W",
            "name": "围栏",
            "kind": "facility",
            "planned_on": "2026-05-01",
            "item_0": "材料",
            "budget_0": "1000.00",
            "fkind_0": "own",
            "fsource_0": "联合社自有资金",
            "famount_0": "900.00",
        }
        wrong = post(c, "/projects", plan)
        assert wrong.status_code == 422 and "资金来源合计" in wrong.text
        assert runtime.views.head() == head
        done = post(c, "/projects", {**plan, "famount_0": "1000.00"})
        assert done.status_code == 303 and done.headers["location"] == "/projects/XM-W?saved=1"
        cost = post(
            c, "/projects/XM-W/costs", {"date": "2026-05-02", "item": "材料", "amount": "1000.00"}
        )
        assert cost.status_code == 303
        shares = {"owner_0": "V01", "share_0": "0.6", "owner_1": "V02", "share_1": "0.3"}
        completion = {
            "date": "2026-05-31",
            "number": "WL-1",
            "name": "围栏",
            "life_months": "60",
            "residual_rate": "0.05",
            "category": "fixed",
            "use": "productive",
            **shares,
        }
        short = post(c, "/projects/XM-W/completion", completion)
        assert short.status_code == 422 and "份额" in short.text  # 0.9 is not the whole
        completion["share_1"] = "0.4"
        assert post(c, "/projects/XM-W/completion", completion).status_code == 303
        shown = c.get("/projects/XM-W?period=2026")
        assert "已竣工" in shown.text and "WL-1" in shown.text and "投资收益表" in shown.text
        # the project of the world: its statement, owners
        world = c.get(f"/projects/{PROJECT}")
        assert "冷库" in world.text and "0.5" in world.text
        # cards
        cards = c.get(f"/assets?entity={JOINT}")
        assert CARD in cards.text and "WL-1" in cards.text and "40,000.00" in cards.text
        card = c.get(f"/assets/{JOINT}/{CARD}")
        assert card.status_code == 200 and PERSON in card.text and "打印二维码标签" in card.text
        # the monthly run: preview, run, run again
        preview = c.get(f"/depreciation?entity={JOINT}&month=2026-04")
        assert "316.67" in preview.text and "尚未记账" in preview.text
        assert runtime.views.head() == runtime.views.head()
        run = post(c, f"/depreciation/{JOINT}", {"month": "2026-04"})
        assert run.status_code == 303
        after = c.get(run.headers["location"])
        # the month's two vouchers: the demo's barn (3,562.50, run when the demo loaded) and the
        # cold store's 316.67 just run
        assert "已经计提过" in after.text and "¥3,879.17（2 张卡片）" in after.text
        head = runtime.views.head()
        again = post(c, f"/depreciation/{JOINT}", {"month": "2026-04"})
        assert again.status_code == 303 and runtime.views.head() == head
        skipped = post(c, f"/depreciation/{JOINT}", {"month": "2026-06"})
        assert skipped.status_code == 422 and "请先计提 2026-05" in skipped.text
        # the township's run of May: every book with cards, each its own voucher
        township = post(c, "/depreciation/townships/唐坊镇", {"month": "2026-05"})
        assert township.status_code == 200
        assert "计提结果" in township.text and "V01" in township.text and "已计提" in township.text
        table = c.get(f"/depreciation/{JOINT}?period=2026")
        assert "固定资产折旧表" in table.text and "633.34" in table.text  # April and May
        # a lease overlapping another: refused on its form; the tractor disposed of, then again
        lease = {
            "lease": "ZL-9",
            "lessee": "某公司",
            "rent": "100.00",
            "start": "2026-08-01",
            "end": "2026-12-31",
            "every_months": "1",
        }
        overlap = post(c, f"/assets/{JOINT}/{CARD}/leases", lease)
        assert overlap.status_code == 422 and "租期重叠" in overlap.text
        scrap = {"date": "2026-05-31", "kind": "scrap", "costs": "10.00"}
        assert post(c, f"/assets/V01/{TRACTOR}/disposal", scrap).status_code == 303
        disposed = c.get(f"/assets/V01/{TRACTOR}")
        assert "已清理" in disposed.text
        assert 'action="/assets/V01/JQ-T/disposal"' not in disposed.text
        # the label: its QR code holds the public page's address with its code
        label = c.get(f"/assets/{JOINT}/{CARD}/label")
        assert label.status_code == 200 and "<svg" in label.text
        url = re.search(r"(http://testserver/public/assets/[^\s<\"]+)", label.text)
        assert url
        public = c.get(url.group(1).replace("&amp;", "&"))
        assert public.status_code == 200 and "张*明" in public.text and PERSON not in public.text
        # an auditor: the pages, no write button
        person_session(c, app, "sz-audit", "auditor", [])
        for path in ("/projects", f"/projects/{PROJECT}", f"/assets/{JOINT}/{CARD}", "/assets"):
            page = c.get(path)
            assert page.status_code == 200 and 'method="post" action="/' not in page.text.replace(
                'action="/logout"', ""
            ), path
        seen = c.get(f"/depreciation?entity={JOINT}&month=2026-06")
        assert seen.status_code == 200 and "计提 2026-06 折旧" not in seen.text
