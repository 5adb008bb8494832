"""Uploaded spreadsheets cannot hurt the server (issue "Trust an attacker cannot turn", item 7):
a file that inflates far beyond its size, an XML entity or "billion laughs", a file that is not
a workbook, a truncated one, bad XML or a chart as its first sheet is a 422 in Chinese, never a
500; previews are kept per person in the database, so one person's many uploads evict only
their own, and a preview made through one server process is confirmed through another."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Iterator

import anyio
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from adapters import upload_checks, upload_previews
from adapters.register_files import to_xlsx
from adapters.voucher_files import HEADER, VoucherFileError, parse_vouchers
from runtime.bootstrap import Runtime
from tests import builders
from tests.apps import app_for
from tests.e2e.test_workbench_registers_forms import XLSX, register_file, sign_in

SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    app = app_for(runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def voucher_file(code: str, memo: str = "收到土地承包费") -> bytes:
    return to_xlsx(
        [
            list(HEADER),
            [code, "2025-01-05", "1", memo, "102", "银行存款", "100.00", ""],
            ["", "", "", "", "504", "其他收入", "", "100.00"],
        ]
    )


def with_sheet(xml: bytes, *, level: int = 9) -> bytes:
    """A valid workbook whose first worksheet's XML is ``xml``."""
    original = zipfile.ZipFile(io.BytesIO(to_xlsx([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = xml
            z.writestr(info.filename, data)
    return out.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def one_huge_cell(megabytes: int) -> bytes:
    cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * (megabytes << 20)
    return with_sheet(SHEET_HEAD + cell + b"</t></is></c></row>" + SHEET_TAIL)


def billion_laughs() -> bytes:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    return with_sheet(
        b'<?xml version="1.0"?><!DOCTYPE worksheet [' + entities + b"]>"
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        + SHEET_TAIL
    )


def chart_first() -> bytes:
    book = Workbook()
    book.create_chartsheet("图表", 0)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BAD_FILES = {
    "inflates": one_huge_cell(64),
    "billion-laughs": billion_laughs(),
    "not-a-zip": b"PK\x03\x04 this is not a workbook at all",
    "truncated": voucher_file("V01")[:3000],
    "bad-xml": with_sheet(SHEET_HEAD + b"<row><c><v>1</v></row>"),
    "chart-first": chart_first(),
}


def test_the_huge_cell_is_refused_before_it_is_inflated() -> None:
    data = one_huge_cell(300)  # the report's file: ~0.3 MB, one 300 MB cell
    assert len(data) < 1 << 20
    with pytest.raises(upload_checks.UnsafeFileError, match="解压"):
        upload_checks.check_xlsx(data)
    upload_checks.check_xlsx(voucher_file("V01"))  # a real workbook passes


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@SQLITE_ONLY
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_a_422_in_chinese_and_writes_nothing(
    runtime: Runtime, client: TestClient, name: str
) -> None:
    csrf = sign_in(runtime, client, "zhuguan", "bookkeeper", "唐坊镇")
    village = builders.village(runtime.app)
    before = runtime.views.head()
    for path, extra in (
        ("/imports/vouchers", {"entity": village}),
        ("/imports/register", {"village": village}),
    ):
        answer = client.post(
            path,
            data={"csrf_token": csrf, **extra},
            files={"file": (f"{name}.xlsx", BAD_FILES[name], XLSX)},
        )
        assert answer.status_code == 422, (path, answer.status_code, answer.text[-400:])
        error = re.search(r'class="error[^"]*"[^>]*>([^<]+)<', answer.text)
        assert error and re.search(r"[\u4e00-\u9fff]", error.group(1)), answer.text[-800:]
        assert "Error" not in error.group(1) and "(" not in error.group(1)
    assert runtime.views.head() == before


def test_the_cli_refuses_the_same_files_in_one_line() -> None:
    for name, data in BAD_FILES.items():
        with pytest.raises(VoucherFileError):
            parse_vouchers(data, "xlsx", entity="V01")
        assert name


def test_csv_files_are_bounded() -> None:
    long_line = ("日期,摘要,科目代码,借方,贷方\n2025-01-05," + "x" * 200_000 + ",102,1,\n").encode()
    with pytest.raises(VoucherFileError, match="line"):
        parse_vouchers(long_line, "csv", entity="V01")
    many = ("日期,摘要,科目代码,借方,贷方\n" + "\n" * 400_000).encode()
    with pytest.raises(VoucherFileError, match="rows"):
        parse_vouchers(many, "csv", entity="V01")
    big = b"x" * (upload_checks.MAX_CSV_BYTES + 1)
    with pytest.raises(VoucherFileError, match="MB"):
        parse_vouchers(big, "csv", entity="V01")


def test_the_parse_runs_off_the_event_loop() -> None:
    async def main() -> tuple[int, int]:
        return threading.get_ident(), await upload_checks.off_loop(threading.get_ident)

    loop_thread, parse_thread = anyio.run(main)
    assert loop_thread != parse_thread


def preview(client: TestClient, csrf: str, village: str, data: bytes) -> str:
    answer = client.post(
        "/imports/vouchers",
        data={"csrf_token": csrf, "entity": village},
        files={"file": ("凭证.xlsx", data, XLSX)},
    )
    assert answer.status_code == 200, answer.text[-600:]
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', answer.text)
    assert found
    return found.group(1)


def confirm(client: TestClient, csrf: str, village: str, digest: str, key: str) -> int:
    answer = client.post(
        "/imports/vouchers/confirm",
        data={"csrf_token": csrf, "entity": village, "digest": digest, "idempotency_key": key},
    )
    return answer.status_code


@SQLITE_ONLY
def test_one_persons_uploads_evict_only_their_own_previews(
    runtime: Runtime, client: TestClient
) -> None:
    village = builders.village(runtime.app)
    app = app_for(runtime)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as other:
        victim = sign_in(runtime, other, "lixiao", "bookkeeper", "唐坊镇")
        kept = preview(other, victim, village, voucher_file(village, "受害人的凭证"))
        attacker = sign_in(runtime, client, "zhangsan", "bookkeeper", "唐坊镇")
        for n in range(upload_previews.KEPT_FILES + 2):
            preview(client, attacker, village, voucher_file(village, f"凭证{n}"))
        assert upload_previews.count(runtime.engine, "user:zhangsan") == upload_previews.KEPT_FILES
        assert confirm(other, victim, village, kept, "victim-1") == 303


def test_previews_expire_and_are_kept_per_person(runtime: Runtime) -> None:
    store = upload_previews.Previews(runtime.engine)
    digest = store.put("a", b"one")
    assert store.get("a", digest) == b"one"
    assert store.get("b", digest) is None  # another person cannot confirm it
    assert (
        store.get("a", digest, at=upload_previews.now() + upload_previews.KEPT_SECONDS + 1) is None
    )


def test_a_preview_through_one_process_is_confirmed_through_another(
    runtime: Runtime, database: tuple[str, str | None]
) -> None:
    village = builders.village(runtime.app)
    posted = len(runtime.app.get_books(village).entry_numbers())
    second = Runtime(database[0], schema=database[1])
    try:
        one = app_for(runtime)
        two = app_for(second)
        with (
            TestClient(one, base_url="http://testserver", follow_redirects=False) as a,
            TestClient(two, base_url="http://testserver", follow_redirects=False) as b,
        ):
            csrf = sign_in(runtime, a, "zhuguan", "bookkeeper", "唐坊镇")
            digest = preview(a, csrf, village, voucher_file(village))
            assert upload_previews.count(runtime.engine, "user:zhuguan") == 1  # in the database
            b.cookies.update(a.cookies)
            assert confirm(b, csrf, village, digest, "through-two") == 303
        # the confirm imported the file for review (issue 20): one voucher waits, none posted
        imported = list(second.app.events_of_topic("domain.vouchers:Voucher.Imported"))
        assert len(imported) == 1
        assert second.app.vouchers.get_voucher(imported[0].originator_id).entity == village
        assert len(second.app.get_books(village).entry_numbers()) == posted
    finally:
        second.close()


@SQLITE_ONLY
def test_a_register_still_previews_and_confirms(runtime: Runtime, client: TestClient) -> None:
    village = builders.village(runtime.app)
    csrf = sign_in(runtime, client, "wangfang", "preparer", "唐坊镇")
    answer = client.post(
        "/imports/register",
        data={"csrf_token": csrf, "village": village},
        files={"file": ("名册.xlsx", register_file(), XLSX)},
    )
    assert answer.status_code == 200, answer.text[-600:]
