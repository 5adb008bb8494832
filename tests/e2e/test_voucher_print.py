"""Printing vouchers (记账凭证), on both stores: the HTML page of a draft and of a posted
voucher, the PDF (text, the CJK font embedded), and any posted entry printed as its voucher —
one posted directly says it was not reviewed. The signatures (issue 20): 会计主管, 记账 (who
posted it, not its reviewer), 审核, 出纳, 制单; a township that chose 审核即记账 prints so."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from rendering.voucher_print import (
    NOT_REVIEWED,
    printable_from_draft,
    printable_from_entry,
    voucher_html,
)
from tests.builders import receipt
from tests.e2e.conftest import Api, bearer
from tests.e2e.test_api import assert_problem, post_entry, register_village
from tests.e2e.test_attachments import PNG, upload
from tests.e2e.test_voucher_workflow_api import act, drafted
from web.tokens import TokenStore

# pages, prints and problem texts, not storage: SQLite only (conftest.py, one_store)
pytestmark = pytest.mark.one_store


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(f.get("/BaseFont"))
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    return text, fonts


def test_a_draft_prints_as_草稿_and_a_posted_voucher_with_its_number_and_names(api: Api) -> None:
    village = register_village(api)
    draft = drafted(api, village, amount="60559.39")["draft"]
    assert upload(api, draft, "收据.png", PNG, "image/png").status_code == 201
    api.runtime.views.catch_up()
    printable = printable_from_draft(api.runtime.engine, draft)
    assert printable is not None
    page = voucher_html(printable)
    assert "记账凭证" in page and "仉家村" in page
    assert "草稿" in page and "凭证号" in page
    assert "合计" in page and "大写" in page and "陆万零伍佰伍拾玖元叁角玖分" in page
    assert "60,559.39" in page
    assert "附单据 1 张" in page
    assert "102" in page and "银行存款" in page and "504" in page and "其他收入" in page
    assert "制单" in page and "clerk-tangfang" in page
    assert "size: A5 landscape" in page
    assert not re.search(r"(src|href)=\"https?://", page)  # nothing loaded from outside
    reviewer = bearer(
        TokenStore(api.runtime.engine).create("clerk-tangfang-2", "clerk", ["唐坊镇"])
    )
    assert act(api, draft, "submit", api.clerk).status_code == 200
    assert act(api, draft, "approve", reviewer).status_code == 200
    api.runtime.views.catch_up()
    reviewed = printable_from_draft(api.runtime.engine, draft)  # 已审核, not in the books
    assert reviewed is not None and reviewed["number"] is None
    assert (reviewed["reviewer"], reviewed["bookkeeper"]) == ("clerk-tangfang-2", "")
    assert "已审核 · 未记账" in voucher_html(reviewed)
    assert act(api, draft, "post", api.admin).status_code == 200  # a third person posts
    api.runtime.views.catch_up()
    posted = printable_from_draft(api.runtime.engine, draft)
    assert posted is not None and posted["number"] == "2026-0001"
    assert posted["preparer"] == "clerk-tangfang"
    # issue 20: 记账 is who posted it, not the reviewer
    assert (posted["reviewer"], posted["bookkeeper"]) == ("clerk-tangfang-2", "admin-1")
    assert posted["review_posted"] is False
    page = voucher_html(posted)
    assert "记 2026-0001" in page and "草稿" not in page
    assert "clerk-tangfang-2" in page and "admin-1" in page and "审核即记账" not in page
    for label in ("会计主管：", "记账：", "审核：", "出纳：", "制单："):
        assert label in page
    # the entry prints as the voucher that posted it
    assert printable_from_entry(api.runtime.engine, village, "2026-0001") == posted
    response = api.client.get(f"/v1/vouchers/{draft}/print.pdf", headers=api.auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text, fonts = pdf_text(response.content)
    assert "记账凭证" in text
    assert "陆万零伍佰伍拾玖元叁角玖分" in text
    assert "2026-0001" in text and "附单据 1 张" in text
    assert any("WenQuanYi" in font for font in fonts)  # the CJK font is embedded


def test_a_direct_post_prints_honestly_as_not_reviewed(api: Api) -> None:
    village = register_village(api)
    posted = post_entry(api, village, receipt("800.00"), memo="收到租金", headers=api.clerk)
    assert posted.status_code == 201, posted.text
    number = posted.json()["number"]
    api.runtime.views.catch_up()  # read straight from the read models: a request would catch up
    printable = printable_from_entry(api.runtime.engine, village, number)
    assert printable is not None
    assert printable["preparer"] == printable["bookkeeper"] == "clerk-tangfang"
    assert printable["reviewer"] == NOT_REVIEWED
    assert printable["attachments"] == 0
    page = voucher_html(printable)
    assert "直接记账" in page and "捌佰元整" in page and "收到租金" in page
    response = api.client.get(
        f"/v1/entities/{village}/entries/{number}/print.pdf", headers=api.auditor
    )
    assert response.status_code == 200
    text, _ = pdf_text(response.content)
    assert "记账凭证" in text and "捌佰元整" in text and "直接记账" in text
    missing = api.client.get(
        f"/v1/entities/{village}/entries/2020-0009/print.pdf", headers=api.auditor
    )
    assert_problem(missing, 404, "entry-not-found")
    assert_problem(
        api.client.get("/v1/vouchers/" + "f" * 32 + "/print.pdf", headers=api.auditor),
        404,
        "voucher-not-found",
    )


def test_people_print_as_their_names(api: Api) -> None:
    """制单/审核/记账 print 姓名 (``projections.people_view``): a login as 姓名, a person's
    integration token (``login@token``) as 姓名（接口）."""
    import datetime

    app = api.runtime.app
    village = register_village(api)
    app.people.register_person(login="zhang", name="张三", role="preparer", townships=["唐坊镇"])
    app.people.register_person(login="li", name="李四", role="reviewer", townships=["唐坊镇"])
    voucher = app.vouchers.draft_voucher(
        entity=village,
        date=datetime.date(2026, 3, 5),
        summary="收款",
        lines=[{"account": "102", "debit": "10.00"}, {"account": "504", "credit": "10.00"}],
        actor="zhang",
    )
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    app.vouchers.approve_voucher(draft=voucher.draft, actor="li@li-token")
    app.people.register_person(login="wang", name="王五", role="bookkeeper", townships=["唐坊镇"])
    app.vouchers.post_voucher(draft=voucher.draft, actor="wang")
    api.runtime.views.catch_up()
    printable = printable_from_draft(api.runtime.engine, voucher.draft)
    assert printable is not None
    assert printable["preparer"] == "张三"
    assert printable["reviewer"] == "李四（接口）" and printable["bookkeeper"] == "王五"
    page = voucher_html(printable)
    assert "张三" in page and "李四（接口）" in page and "王五" in page
    detail = api.client.get(f"/v1/vouchers/{voucher.draft}", headers=api.auditor).json()
    assert detail["preparer_name"] == "张三" and detail["reviewer_name"] == "李四（接口）"
    assert [h["actor_name"] for h in detail["history"]] == ["张三", "张三", "李四（接口）", "王五"]


def test_a_township_that_chose_review_posts_prints_so_with_its_signers(api: Api) -> None:
    """审核即记账 printed as such (its 记账 is the reviewer, and the print says why), and the
    township's 会计主管 and the books' 出纳 by name."""
    import datetime

    app = api.runtime.app
    village = register_village(api)
    app.township.choose("唐坊镇", numbering="yearly", review_posts=True, actor="zhuguan")
    app.township.name_signers(
        "唐坊镇", supervisor="赵国庆", cashiers={village: "仉春燕"}, actor="zhuguan"
    )
    voucher = app.vouchers.draft_voucher(
        entity=village,
        date=datetime.date(2026, 3, 5),
        summary="收款",
        lines=[{"account": "102", "debit": "10.00"}, {"account": "504", "credit": "10.00"}],
        actor="zhang",
    )
    app.vouchers.submit_voucher(draft=voucher.draft, actor="zhang")
    app.vouchers.approve_voucher(draft=voucher.draft, actor="li")
    api.runtime.views.catch_up()
    printable = printable_from_draft(api.runtime.engine, voucher.draft, app.township.signers_of)
    assert printable is not None and printable["number"]
    assert printable["review_posted"] is True
    assert printable["reviewer"] == printable["bookkeeper"] == "li"
    assert (printable["supervisor"], printable["cashier"]) == ("赵国庆", "仉春燕")
    page = voucher_html(printable)
    assert "li（审核即记账）" in page and "本凭证审核即记账" in page
    assert "赵国庆" in page and "仉春燕" in page
    # the API's and the workbench's prints name the signers too
    response = api.client.get(f"/v1/vouchers/{voucher.draft}/print.pdf", headers=api.auditor)
    text, _ = pdf_text(response.content)
    assert "审核即记账" in text and "赵国庆" in text and "仉春燕" in text
