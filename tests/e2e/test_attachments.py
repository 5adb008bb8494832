"""Source documents (原始凭证) over HTTP, on both stores: upload and download round trip, the
same bytes stored once, the type read from the content, and what is refused."""

from __future__ import annotations

import hashlib
from typing import Any

from adapters import attachments as stored
from tests.e2e.conftest import Api
from tests.e2e.test_api import assert_problem, register_village
from tests.e2e.test_voucher_workflow_api import drafted

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 300 + b"\xff\xd9"


def upload(
    api: Api, draft: str, name: str, data: bytes, media: str, headers: dict[str, str] | None = None
) -> Any:
    return api.client.post(
        f"/v1/vouchers/{draft}/attachments",
        files={"file": (name, data, media)},
        headers=headers or api.clerk,
    )


def test_upload_download_round_trip_and_one_copy_per_file(api: Api) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    other = drafted(api, village, summary="另一张")["draft"]
    answered = upload(api, draft, "收据.png", PNG, "image/png")
    assert answered.status_code == 201, answered.text
    voucher = answered.json()
    sha = hashlib.sha256(PNG).hexdigest()
    assert voucher["attachment_count"] == 1
    assert voucher["attachments"] == [
        {
            "sha256": sha,
            "name": "收据.png",
            "media_type": "image/png",
            "size": len(PNG),
            "url": f"/v1/attachments/{sha}",
        }
    ]
    pdf = upload(api, draft, "合同.pdf", PDF, "application/pdf")
    assert pdf.status_code == 201, pdf.text
    jpeg = upload(api, draft, "photo.jpg", JPEG, "application/octet-stream")  # sniffed
    assert jpeg.status_code == 201, jpeg.text
    assert [a["media_type"] for a in jpeg.json()["attachments"]] == [
        "image/png",
        "application/pdf",
        "image/jpeg",
    ]
    again = upload(api, other, "同一张收据.png", PNG, "image/png")  # another voucher, same bytes
    assert again.status_code == 201, again.text
    assert stored.count(api.runtime.engine) == 3  # the PNG once
    got = api.client.get(f"/v1/attachments/{sha}", headers=api.auditor)
    assert got.status_code == 200
    assert got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("inline; filename=")
    got_pdf = api.client.get(pdf.json()["attachments"][1]["url"], headers=api.clerk)
    assert got_pdf.headers["content-type"] == "application/pdf" and got_pdf.content == PDF
    same = upload(api, draft, "收据.png", PNG, "image/png")
    assert_problem(same, 409, "conflict")  # already attached to this voucher
    assert_problem(api.client.get(f"/v1/attachments/{sha}"), 401, "unauthenticated")
    missing = api.client.get("/v1/attachments/" + "0" * 64, headers=api.auditor)
    assert_problem(missing, 404, "attachment-not-found")
    api.runtime.views.rebuild()  # the bytes are not a read model
    assert api.client.get(f"/v1/attachments/{sha}", headers=api.auditor).content == PNG
    detail = api.client.get(f"/v1/vouchers/{draft}", headers=api.auditor).json()
    assert detail["attachment_count"] == 3


def test_wrong_types_and_sizes_are_refused(api: Api) -> None:
    village = register_village(api)
    draft = drafted(api, village)["draft"]
    gif = upload(api, draft, "a.gif", b"GIF89a" + b"\x00" * 50, "image/gif")
    assert_problem(gif, 415, "unsupported-media-type")
    lying = upload(api, draft, "fake.png", b"MZ\x90\x00 this is an exe", "image/png")
    assert_problem(lying, 415, "unsupported-media-type")
    mismatch = upload(api, draft, "x.pdf", PNG, "application/pdf")
    assert_problem(mismatch, 415, "unsupported-media-type")
    empty = upload(api, draft, "empty.png", b"", "image/png")
    assert_problem(empty, 422, "invalid-attachment")
    big = upload(
        api, draft, "big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 100), "application/pdf"
    )
    assert_problem(big, 422, "invalid-attachment")
    no_file = api.client.post(
        f"/v1/vouchers/{draft}/attachments", data={"name": "x"}, headers=api.clerk
    )
    assert_problem(no_file, 422, "validation")
    assert_problem(upload(api, draft, "a.png", PNG, "image/png", api.auditor), 403, "read-only")
    assert stored.count(api.runtime.engine) == 0
    detail = api.client.get(f"/v1/vouchers/{draft}", headers=api.auditor).json()
    assert detail["attachment_count"] == 0


def test_only_the_preparer_attaches_while_it_is_editable(api: Api) -> None:
    from tests.e2e.conftest import bearer
    from web.tokens import TokenStore

    village = register_village(api)
    draft = drafted(api, village)["draft"]
    other = bearer(TokenStore(api.runtime.engine).create("clerk-tangfang-3", "clerk", ["唐坊镇"]))
    assert_problem(upload(api, draft, "a.png", PNG, "image/png", other), 403, "not-preparer")
    elsewhere = upload(api, draft, "a.png", PNG, "image/png", api.other_clerk)
    assert_problem(elsewhere, 403, "forbidden-township")
    assert api.client.post(f"/v1/vouchers/{draft}/submit", headers=api.clerk).status_code == 200
    assert_problem(upload(api, draft, "a.png", PNG, "image/png"), 409, "voucher-state")
    assert stored.count(api.runtime.engine) == 0  # refused before any byte was stored
