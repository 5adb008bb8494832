"""The 三资 pages of the workbench (资源, 经济合同) and a resource's public page, on one store:
a bookkeeper registers a resource and a contract on it through the forms, records a receipt,
prints the label; the 工作台 warns of the idle resource, the instalment due and the rent
overdue; the public page (no login) shows the contract with the person masked; a refused form
says why in Chinese beside its field and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from domain.privacy import with_check_digit
from runtime.bootstrap import Runtime
from server.main import create_app
from tests import builders
from tests.e2e.test_workbench_registers_forms import sign_in
from web.settings import Settings

pytestmark = pytest.mark.one_store

ID_NUMBER = with_check_digit("37032219800101001")


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=runtime.database_url), runtime=runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def post(client: TestClient, url: str, data: dict[str, str]) -> object:
    page = client.get("/resources")
    return client.post(url, data={"csrf_token": csrf_of(page.text), "idempotency_key": url, **data})


def test_a_clerk_keeps_a_resource_and_its_contract_and_the_public_sees_it_masked(
    runtime: Runtime, client: TestClient
) -> None:
    village = builders.village(runtime.app, name="仉家村")
    sign_in(runtime, client, "zhuguan", "bookkeeper", builders.TOWNSHIP)
    answer = post(
        client,
        f"/resources/{village}",
        {
            "code": "ZY-001",
            "date": "2025-01-10",
            "name": "东洼耕地",
            "kind": "cropland",
            "area": "120.5",
            "unit": "mu",
            "use": "contracting",
            "location": "村东",
            "east": "乡道",
            "cert_name_1": "集体土地所有权证",
            "cert_number_1": "鲁集(2012)0031",
        },
    )
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    listed = client.get(f"/resources?entity={village}&idle=1")
    assert "东洼耕地" in listed.text and "闲置" in listed.text
    home = client.get("/")
    assert 'data-warning="idle"' in home.text and "东洼耕地（120.5 亩）" in home.text

    # a contract that ends before it starts: refused beside its field, nothing written
    head = runtime.views.head()
    contract = {
        "code": "HT-1",
        "title": "东洼耕地发包",
        "kind": "contracting",
        "party_kind": "person",
        "party_name": "张建国",
        "party_id": ID_NUMBER,
        "subject_kind": "resource",
        "subject_code": "ZY-001",
        "signed_on": "2025-11-01",
        "start": "2025-12-01",
        "end": "2025-11-30",
        "every": "12",
        "every_amount": "12000",
    }
    refused = post(client, f"/contracts/{village}", contract)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "合同止日 2025-11-30 早于起日 2025-12-01" in refused.text  # type: ignore[attr-defined]
    assert runtime.views.head() == head
    answer = post(client, f"/contracts/{village}", {**contract, "end": "2027-11-30"})
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    shown = client.get(f"/contracts/{village}/HT-1")
    assert "2025-12-01" in shown.text and "2026-12-01" in shown.text  # two yearly instalments
    assert ID_NUMBER not in shown.text and ID_NUMBER[:4] + "**********" in shown.text
    # the first year overdue, the second due within 30 days of today (2026-11-23)
    home = client.get("/")
    assert (
        'data-warning="overdue-rent"' in home.text and "自 2025-12-01 起欠 ¥12,000.00" in home.text
    )
    assert 'data-warning="due"' in home.text and "2026-12-01 应收 ¥12,000.00" in home.text
    assert f'href="/contracts/{village}/HT-1"' in home.text
    assert 'data-warning="idle"' not in home.text
    answer = post(
        client,
        f"/contracts/{village}/HT-1/payments",
        {"date": "2026-01-05", "amount": "¥12,000", "memo": "承包费"},
    )
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    home = client.get("/")
    assert 'data-warning="overdue-rent"' not in home.text

    card = client.get(f"/resources/{village}/ZY-001")
    assert card.status_code == 200
    for text in ("集体土地所有权证", "HT-1", "张建国", "打印二维码标签", "登记"):
        assert text in card.text, text
    listed = client.get(f"/contracts?entity={village}")
    assert "东洼耕地发包" in listed.text and "合计（应收）" in listed.text

    # the label and the public page
    resource = runtime.app.resources.get_resource(village, "ZY-001")
    label = client.get(f"/resources/{village}/ZY-001/label")
    assert label.status_code == 200 and "<svg" in label.text
    assert f"/public/resources/{resource.label}" in label.text
    client.cookies.clear()  # the public needs no login
    public = client.get(f"/public/resources/{resource.label.lower()}")
    assert public.status_code == 200
    for shown_text in ("东洼耕地", "120.5 亩", "东至乡道", "张*国", "2025-12-01 至 2027-11-30"):
        assert shown_text in public.text, shown_text
    assert "张建国" not in public.text and ID_NUMBER not in public.text
    missing = client.get("/public/resources/" + "2" * 12)
    assert missing.status_code == 404 and "找不到这个资源" in missing.text


def test_a_land_share_is_linked_to_its_resource_and_both_pages_show_it(
    runtime: Runtime, client: TestClient
) -> None:
    import datetime
    from decimal import Decimal

    from tests.application.small import small_alliance

    app = runtime.app
    _, joint, village, _ = small_alliance(app)
    app.pooling.contribute_land(
        joint=joint, village=village, mu=Decimal("80"), grade=Decimal("1"),
        value_per_mu="500.00", term_years=10, date=datetime.date(2025, 5, 1), actor="t",
    )  # fmt: skip
    app.resources.register(
        entity=village, code="ZY-9", name="北洼", kind="cropland", area="80",
        date=datetime.date(2025, 1, 10), actor="t",
    )  # fmt: skip
    sign_in(runtime, client, "zhuguan", "bookkeeper", builders.TOWNSHIP)
    wrong = post(
        client,
        f"/resources/{village}/ZY-9/land-shares",
        {"joint": joint, "share_date": "2025-05-02", "mu": "80"},
    )
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert "已记录的土地入股：2025-05-01 80 亩" in wrong.text  # type: ignore[attr-defined]
    assert client.get(f"/registers/joint/{joint}").text.count("未关联") == 1
    linked = post(
        client,
        f"/resources/{village}/ZY-9/land-shares",
        {"joint": joint, "share_date": "2025-05-01", "mu": "80"},
    )
    assert linked.status_code == 303, linked.text  # type: ignore[attr-defined]
    assert f'href="/registers/joint/{joint}"' in client.get(f"/resources/{village}/ZY-9").text
    equity = client.get(f"/registers/joint/{joint}").text
    assert f'href="/resources/{village}/ZY-9"' in equity and "未关联" not in equity
