"""导入 (``/imports``): a member register (成员名册) XLSX and a period's vouchers XLSX, each with
its template to download.

The flow, for both: upload → a preview page listing every row's problem (row, column, what, in
Chinese), nothing written → when the whole file is valid, a 确认导入 button → ONE import through
``run_form`` (CSRF, Idempotency-Key: a double click imports once) → the result page.

Decision: **the file's content is carried by a server-side hash.** The preview keeps the
uploaded bytes in the database (``adapters/upload_previews.py``, table
``lz_upload_previews``) under the person's login and their SHA-256, for 30 minutes, at most 8
files and 40 MB per person (a person's new preview drops only that person's oldest); the
confirm form sends only the hash, and the import parses those same bytes again, so what is
imported is exactly what was previewed. Any server process behind a proxy can take the
confirm. A confirm whose file is gone (30 minutes passed) asks for the upload again; nothing
is written then.

Files are checked before they are parsed (``adapters/upload_checks.py``: the inflated size,
entity declarations, a bounded row width) and parsed, like the confirm's import, in a worker
thread (at most two at a time), never in the event loop; a file that cannot be read is a 422
in Chinese.

The member register is imported by ``app.members.import_register``
(``domain/members/register_import.py``: all rows checked, then every household and member in
one save; rows already registered are skipped). The vouchers go through the bulk path
``app.bulk.import_vouchers`` (``domain/bulk.py``: checked as single postings, ``dry_run`` for
the preview, all or nothing; the same file again imports nothing twice); the confirm runs it
as the command ``domain.vouchers.commands.ImportVouchers``, as the API and the command line do.
The vouchers are submitted for review by the importer (待审核), never posted from here: the
result page links the batch review page (``/review?import=``), where another person reviews
them and a person with the 记账 duty posts them."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adapters import register_files, upload_previews, voucher_files
from adapters.upload_checks import off_loop
from domain.bulk import ImportResult, VouchersRefusedError
from domain.errors import DomainError, RegisterNotFoundError
from domain.members.commands import ImportRegister
from domain.members.register_import import RegisterImportResult, RegisterRefusedError
from domain.vouchers.commands import ImportVouchers
from ledger.errors import LedgerError
from web.problems import chinese_detail
from web.tokens import Principal
from workbench.registers import app_of, engine_of, entities, form_of, may_write_in, text, villages
from workbench.render import FormRefused, page, refusal, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

MAX_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _previewed(request: Request, user: Principal, digest: str) -> bytes:
    """The file ``user`` previewed under ``digest``; refused when it is no longer kept."""
    data = upload_previews.Previews(engine_of(request)).get(user.key_owner, digest)
    if data is None:
        raise FormRefused("预览过的文件已经不在服务器上（超过30分钟），请重新上传", field="file")
    return data


def _keep(request: Request, user: Principal, data: bytes) -> str:
    """Keep the previewed file for ``user``'s confirm; returns its SHA-256."""
    return upload_previews.Previews(engine_of(request)).put(user.key_owner, data)


def _file_error(error: Exception) -> FormRefused:
    """A file that cannot be read: its sentence when in Chinese, else the catalogue's."""
    message = str(error)
    if message.isascii():
        message = chinese_detail("invalid-file", message)
    return FormRefused(message, field="file")


def _context(request: Request, user: Principal, **extra: Any) -> dict[str, Any]:
    engine = engine_of(request)
    return {  # the person's townships' only (workbench.scope)
        "villages": villages(engine, user),
        "entities": entities(engine, user),
        "village": request.query_params.get("village", ""),
        "form": {},
        "error": None,
        **extra,
    }


@router.get("/imports")
def index(request: Request, user: PageUser) -> Response:
    entity = request.query_params.get("entity", "")  # the books just set up (/setup)
    form = {"which": "vouchers", "entity": entity} if entity else {}
    return page(request, user, "import_index.html", **_context(request, user, form=form))


@router.get("/imports/register-template.xlsx")
def register_template(request: Request, user: PageUser, village: str = "") -> Response:
    kinds: list[str] = list(register_files.DEFAULT_SHARE_KINDS)
    if village and any(v["code"] == village for v in villages(engine_of(request), user)):
        try:  # the share kinds of a register of the person's townships only
            kinds = list(app_of(request).members.get_register(village).share_kinds)
        except (RegisterNotFoundError, DomainError):
            pass
    return Response(
        register_files.template_xlsx(kinds),
        media_type=XLSX,
        headers={
            "Content-Disposition": 'attachment; filename="register-template.xlsx"; '
            "filename*=UTF-8''%E6%88%90%E5%91%98%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"
        },
    )


@router.get("/imports/vouchers-template.xlsx")
def vouchers_template(request: Request, user: PageUser) -> Response:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vouchers.xlsx"
        voucher_files.write_template(path)
        data = path.read_bytes()
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": 'attachment; filename="vouchers-template.xlsx"; '
            "filename*=UTF-8''%E5%87%AD%E8%AF%81%E6%A8%A1%E6%9D%BF.xlsx"
        },
    )


async def _upload(form: dict[str, Any]) -> bytes:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FormRefused("请选择要上传的 Excel 文件（.xlsx）", field="file")
    data = await upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FormRefused("文件太大：最多 10 MB，请分成几个文件", field="file")
    if not data:
        raise FormRefused("文件是空的", field="file")
    return data


# -- the member register ------------------------------------------------------------------------


def _register_problems(
    app: Any, village: str, data: bytes
) -> tuple[
    register_files.RegisterFile, list[register_files.RowProblem], RegisterImportResult | None
]:
    """Parse the file and check it against the register (nothing written)."""
    try:
        kinds: list[str] | None = list(app.members.get_register(village).share_kinds)
    except RegisterNotFoundError:
        kinds = None
    parsed = register_files.parse_register(data, share_kinds=kinds)
    problems = list(parsed.problems)
    bad_rows = {p.row for p in problems}
    households = [h for h in parsed.households if h.row not in bad_rows]
    members = [m for m in parsed.members if m.row not in bad_rows]
    result: RegisterImportResult | None = None
    if members or households:  # the rows read well are checked against the register too
        try:
            result = app.members.import_register(
                village=village,
                households=households,
                members=members,
                share_kinds=parsed.share_kinds,
                actor="preview",
                dry_run=True,
            )
        except RegisterRefusedError as refused:
            found = {}
            for p in refused.problems:
                if p.row in bad_rows or (p.field == "household" and problems):
                    continue  # a member of a household whose own row is wrong
                column = parsed.columns.get(p.field or "", p.field) if p.field else None
                found[(p.row, column, p.message)] = register_files.RowProblem(
                    p.row, column, p.message
                )
            problems.extend(found.values())
    if problems:
        return parsed, sorted(problems, key=lambda p: p.row), None
    assert result is not None
    return parsed, [], result


def _register_user(request: Request, user: Principal, village: str) -> None:
    require(user, "register.edit")
    if not village:
        raise FormRefused("请选择村", field="village")
    try:
        township = app_of(request).entity_township(village)
    except DomainError as error:
        raise refusal(error) from None
    may_write_in(user, township, f"村 {village}")


@router.post("/imports/register")
async def register_preview(request: Request, user: FormUser) -> Response:
    form = await form_of(request)
    village = text(form, "village")
    shown = {"which": "register", "village": village}
    try:
        _register_user(request, user, village)
        data = await _upload(form)
        app = app_of(request)
        try:  # parsed in a worker thread: the event loop keeps serving (upload_checks)
            parsed, problems, result = await off_loop(
                lambda: _register_problems(app, village, data)
            )
        except register_files.RegisterFileError as error:
            raise _file_error(error) from None
    except FormRefused as refused:
        return page(
            request,
            user,
            "import_index.html",
            status=refused.status,
            **_context(request, user, form=shown, error=refused),
        )
    digest = await off_loop(lambda: _keep(request, user, data)) if not problems else ""
    name = getattr(form.get("file"), "filename", "")
    return page(
        request,
        user,
        "import_register_preview.html",
        status=422 if problems else 200,
        village=village,
        file_name=name,
        problems=problems,
        parsed=parsed,
        result=result,
        digest=digest,
        rows=len(parsed.members) + len({p.row for p in problems}),
    )


@router.post("/imports/register/confirm")
async def register_confirm(request: Request, user: FormUser) -> Response:
    form = await form_of(request)
    village, digest = text(form, "village"), text(form, "digest")

    def rows(kinds: list[str] | None) -> register_files.RegisterFile:
        found = register_files.parse_register(_previewed(request, user, digest), share_kinds=kinds)
        if found.problems:
            raise FormRefused("文件有问题，请重新上传预览", field="file")
        return found

    def done(result: RegisterImportResult) -> str:
        return "/imports/result?" + urlencode(
            {
                "kind": "register",
                "village": village,
                "households": len(result.households_added),
                "members": len(result.members_added),
                "skipped_households": len(result.households_skipped),
                "skipped_members": len(result.members_skipped),
            }
        )

    try:
        require(user, "register.edit")
        if not village:
            raise FormRefused("请选择村", field="village")
        command = ImportRegister(village=village, rows=rows)
        try:
            return await off_loop(lambda: run_form(request, user, form, command, done))
        except FormRefused as refused:
            if isinstance(refused.__cause__, RegisterRefusedError):
                rows_refused = {p.row for p in refused.__cause__.problems}
                raise FormRefused(
                    f"文件有{len(rows_refused)}行不能登记，什么也没写入；请重新上传预览",
                    field="file",
                ) from None
            raise
    except FormRefused as refused:
        return page(
            request,
            user,
            "import_index.html",
            status=refused.status,
            **_context(
                request, user, form={"which": "register", "village": village}, error=refused
            ),
        )


# -- vouchers -----------------------------------------------------------------------------------


def _voucher_problems(
    request: Request, user: Principal, data: bytes, entity: str
) -> tuple[voucher_files.VoucherFile, list[voucher_files.FileProblem], ImportResult | None]:
    app = app_of(request)
    parsed = voucher_files.parse_vouchers(data, "xlsx", entity=entity or None)
    problems = list(parsed.problems)
    for index, voucher in enumerate(parsed.vouchers):  # tenancy, per voucher
        try:
            township = app.entity_township(voucher.entity)
        except DomainError:
            continue  # the import names an unknown entity itself
        if not user.may_write_in(township):
            where = parsed.located[index]
            problems.append(
                voucher_files.FileProblem(
                    where.first_row,
                    parsed.columns.get("entity"),
                    f"单位 {voucher.entity} 属于{township}，您不能在那里记账",
                    "forbidden-township",
                )
            )
    if problems or not parsed.vouchers:
        if not parsed.vouchers and not problems:
            problems.append(
                voucher_files.FileProblem(1, None, "文件里没有凭证：表头下面一行一笔分录")
            )
        return parsed, problems, None
    try:
        result = app.bulk.import_vouchers(parsed.vouchers, actor=user.actor, dry_run=True)
    except VouchersRefusedError as refused:
        return parsed, [parsed.locate(p) for p in refused.problems], None
    except (DomainError, LedgerError) as error:
        raise refusal(error) from None
    return parsed, [], result


def _chinese(problem: voucher_files.FileProblem) -> str:
    """A voucher row's problem in Chinese (the problem catalogue's sentence for its type, the
    English specifics in brackets); a sentence already in Chinese as it is."""
    if not problem.message.isascii():
        return problem.message
    return chinese_detail(problem.kind, problem.message)


@router.post("/imports/vouchers")
async def vouchers_preview(request: Request, user: FormUser) -> Response:
    form = await form_of(request)
    entity = text(form, "entity")
    shown = {"which": "vouchers", "entity": entity}
    try:
        require(user, "vouchers.import")
        data = await _upload(form)
        started = time.perf_counter()
        try:  # parsed in a worker thread: the event loop keeps serving (upload_checks)
            parsed, problems, result = await off_loop(
                lambda: _voucher_problems(request, user, data, entity)
            )
        except voucher_files.VoucherFileError as error:
            raise _file_error(error) from None
        seconds = time.perf_counter() - started
    except FormRefused as refused:
        return page(
            request,
            user,
            "import_index.html",
            status=refused.status,
            **_context(request, user, form=shown, error=refused),
        )
    digest = await off_loop(lambda: _keep(request, user, data)) if not problems else ""
    return page(
        request,
        user,
        "import_vouchers_preview.html",
        status=422 if problems else 200,
        entity=entity,
        file_name=getattr(form.get("file"), "filename", ""),
        problems=[(p, _chinese(p)) for p in problems],
        parsed=parsed,
        result=result,
        digest=digest,
        seconds=seconds,
    )


@router.post("/imports/vouchers/confirm")
async def vouchers_confirm(request: Request, user: FormUser) -> Response:
    form = await form_of(request)
    entity, digest = text(form, "entity"), text(form, "digest")

    def command() -> ImportVouchers:
        data = _previewed(request, user, digest)
        parsed = voucher_files.parse_vouchers(data, "xlsx", entity=entity or None)
        if parsed.problems:
            raise FormRefused("文件有问题，请重新上传预览", field="file")
        return ImportVouchers(tuple(parsed.vouchers))

    def run() -> Response:
        try:
            return run_form(request, user, form, command(), done)
        except FormRefused as exc:
            found = exc.__cause__  # run_form's refusal of the import's own error
            if not isinstance(found, VouchersRefusedError):
                raise
            raise FormRefused(
                f"有{len({p.voucher for p in found.problems})}张凭证不能导入，什么也没写入；"
                "请重新上传预览",
                field="file",
            ) from None

    def done(result: ImportResult) -> str:
        return "/imports/result?" + urlencode(
            {
                "kind": "vouchers",
                "count": len(result.posted),
                "entities": "、".join(result.entities),
                "import": result.import_id,
                "skipped": result.skipped_batches,
            }
        )

    try:
        require(user, "vouchers.import")
        return await off_loop(run)
    except FormRefused as refused:
        return page(
            request,
            user,
            "import_index.html",
            status=refused.status,
            **_context(request, user, form={"which": "vouchers", "entity": entity}, error=refused),
        )


@router.get("/imports/result")
def result(request: Request, user: PageUser) -> Response:
    return page(request, user, "import_result.html", q=request.query_params)


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
READ_MODELS_OF_PATHS = {
    "/imports/vouchers-template.xlsx": ("ledger", "vouchers"),
    "/imports/vouchers": ("ledger", "vouchers"),
    "/imports/vouchers/confirm": ("ledger", "vouchers"),
}
