"""建账 (``/setup``): a village's or joint entity's books set up from a 科目余额表 XLSX — the chart
with its sub-accounts, the 期初余额 on the first day of a month and, for books starting during a
year, the 年初余额 and 本年累计 before it — in one save (``books.SetUpBooks``,
``domain/books/setup.py``); then the vouchers kept since that day through the voucher import.

- ``GET /setup``: the entities the person keeps, which have books to set up;
- ``GET /setup/template.xlsx``: the 科目余额表 to fill in (``adapters.balance_template``);
- ``GET /setup/{entity}``: the upload form (the month the books start, the file), or, for books
  set up already, what they start from and where to go on;
- ``POST /setup/{entity}``: the preview: the file read (``adapters.balance_files``: every
  problem by row and column), then checked by the books themselves without saving (a dry run of
  the command); the chart as a tree with every figure, the checks, and what would be opened —
  nothing written; only a file without problems gets the confirm button;
- ``POST /setup/{entity}/confirm``: the same bytes (kept for 30 minutes under the person's login
  and their SHA-256, ``adapters.upload_previews``, as the other imports) read again and set up
  through ``run_form`` (CSRF, Idempotency-Key: a double click sets up once); any refusal writes
  nothing.

The forms need 直接记账 (``books.write``, 记账/主管), as ``POST /v1/entities/{code}/setup`` does;
the entity must be one of the person's townships (404 otherwise, as every page)."""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adapters import balance_files, upload_previews
from adapters.balance_files import BalanceFile, BalanceProblem, BalanceRow
from adapters.upload_checks import off_loop
from domain.books.commands import SetUpBooks
from domain.books.setup import SetupPlan, refuse_started
from domain.errors import DomainError
from ledger.errors import LedgerError
from ledger.money import fen_text
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import FormRefused, may_write_in, page, refusal, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

DUTY = "books.write"  # as POST /v1/entities/{code}/setup (api.routes.book_setup)
MAX_BYTES = 10 * 1024 * 1024
SHOWN_ROWS = 2_000  # rows of the chart the preview lists
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _entity(request: Request, user: Principal, code: str) -> dict[str, Any]:
    with books_engine(request).connect() as conn:
        found = entity_or_none(conn, user, code)
    if found is None:
        raise FormRefused(f"没有单位 {code}，或您无权查看", status=404, kind="entity-not-found")
    return found


def _form_page(
    request: Request,
    user: Principal,
    code: str,
    *,
    values: dict[str, str] | None = None,
    error: FormRefused | None = None,
) -> Response:
    try:
        entity = _entity(request, user, code)
    except FormRefused as refused:
        return page(
            request, user, "setup_index.html", entities=[], error=refused.message, status=404
        )
    today = request.app.state.runtime.app.today()
    return page(
        request,
        user,
        "setup_form.html",
        entity=entity,
        values=values or {"month": f"{today.year:04d}-{today.month:02d}"},
        error=error,
        done=request.query_params.get("done") == "1",
        opened=request.query_params.get("opened", ""),
        may_edit=user.may(DUTY),
        status=error.status if error is not None else 200,
    )


@router.get("/setup")
def setup_index(request: Request, user: PageUser) -> Response:
    with books_engine(request).connect() as conn:
        entities = visible_entities(conn, user)
    return page(request, user, "setup_index.html", entities=entities, error=None)


@router.get("/setup/template.xlsx")
def setup_template(request: Request, user: PageUser) -> Response:
    return Response(
        balance_files.template_xlsx(),
        media_type=XLSX,
        headers={
            "Content-Disposition": 'attachment; filename="setup-template.xlsx"; '
            "filename*=UTF-8''%E5%BB%BA%E8%B4%A6%E7%A7%91%E7%9B%AE%E4%BD%99%E9%A2%9D%E8%A1%A8.xlsx"
        },
    )


@router.get("/setup/{entity}")
def setup_form(entity: str, request: Request, user: PageUser) -> Response:
    return _form_page(request, user, entity)


def _as_of(form: dict[str, Any]) -> datetime.date:
    month = str(form.get("month") or "").strip()
    try:
        year, number = int(month[:4]), int(month[5:7])
        if len(month) != 7 or month[4] != "-":
            raise ValueError(month)
        return datetime.date(year, number, 1)
    except ValueError:
        raise FormRefused(
            f"建账月份“{month}”写法有误：请写成 2026-07 的样子（从该月1日起在本系统记账）",
            field="month",
        ) from None


async def _upload(form: dict[str, Any]) -> bytes:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FormRefused("请选择科目余额表文件（.xlsx）", field="file")
    data = await upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FormRefused("文件太大：科目余额表最多 10 MB", field="file")
    if not data:
        raise FormRefused("文件是空的", field="file")
    return data


def _writer(request: Request, user: Principal, code: str) -> dict[str, Any]:
    """The entity, when the person may set up its books (403 / 404 otherwise)."""
    entity = _entity(request, user, code)
    require(user, DUTY)
    may_write_in(user, entity["township"], f"单位 {code}")
    return entity


def check_file(
    app: Any, entity: str, as_of: datetime.date, data: bytes
) -> tuple[BalanceFile, list[BalanceProblem], SetupPlan | None]:
    """The file read, then checked by the books without saving; every problem found."""
    parsed = balance_files.parse_balances(data)
    problems = list(parsed.problems)
    if problems:
        return parsed, problems, None
    try:
        plan = app.books.set_up_books(
            entity=entity, as_of=as_of, accounts=parsed.accounts(), actor="preview", dry_run=True
        )
    except (DomainError, LedgerError) as error:
        refused = refusal(error)
        return parsed, [parsed.locate(refused.field, refused.message)], None
    return parsed, [], plan


def _balance(fen: int) -> str:
    if fen == 0:
        return ""
    return f"{'借' if fen > 0 else '贷'} {fen_text(abs(fen), separators=True)}"


def _amount(fen: int) -> str:
    return fen_text(fen, separators=True) if fen else ""


def _tree_rows(parsed: BalanceFile, plan: SetupPlan | None) -> list[dict[str, Any]]:
    """The chart as the preview lists it: each row indented by its depth, with its figures
    and what 建账 does with it."""
    opened = plan.opened if plan is not None else {}
    renamed = plan.renamed if plan is not None else {}

    def doing(r: BalanceRow) -> str:
        if r.children:
            return "下级合计（核对）"
        name = parsed.names.get(r.code)
        if r.code in opened:
            return f"开设明细科目“{opened[r.code]}”" if name else "开设明细科目"
        if r.code in renamed:
            return f"已开设，改名为“{renamed[r.code]}”"
        return "记入账簿"

    return [
        {
            "row": r.row,
            "code": r.code,
            "name": r.name,
            "depth": r.depth,
            "parent": bool(r.children),
            "year_start": _balance(r.year_start),
            "year_debit": _amount(r.year_debit),
            "year_credit": _amount(r.year_credit),
            "opening": _balance(r.opening),
            "doing": doing(r),
        }
        for r in parsed.rows[:SHOWN_ROWS]
    ]


def _checks(parsed: BalanceFile) -> list[dict[str, Any]]:
    return [
        {
            **c,
            "left": fen_text(c["left"], separators=True),
            "right": fen_text(c["right"], separators=True),
        }
        for c in parsed.checks()
    ]


@router.post("/setup/{entity}")
async def setup_preview(entity: str, request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    values = {"month": str(form.get("month") or "")}
    try:
        _writer(request, user, entity)
        app = request.app.state.runtime.app
        try:  # books set up already (or with entries) are refused before any file is read
            refuse_started(app.get_books(entity))
        except DomainError as error:
            raise refusal(error) from None
        as_of = _as_of(form)
        data = await _upload(form)
        try:  # parsed and checked in a worker thread (adapters.upload_checks.off_loop)
            parsed, problems, plan = await off_loop(lambda: check_file(app, entity, as_of, data))
        except balance_files.BalanceFileError as error:
            raise FormRefused(str(error), field="file") from None
    except FormRefused as refused:
        if refused.status == 404:
            return page(
                request, user, "setup_index.html", entities=[], error=refused.message, status=404
            )
        return _form_page(request, user, entity, values=values, error=refused)
    engine = books_engine(request)
    digest = (
        ""
        if problems
        else await off_loop(lambda: upload_previews.Previews(engine).put(user.key_owner, data))
    )
    leaves = parsed.leaves
    return page(
        request,
        user,
        "setup_preview.html",
        status=422 if problems else 200,
        entity=_entity(request, user, entity),
        file_name=getattr(form.get("file"), "filename", ""),
        month=values["month"],
        as_of=as_of,
        problems=sorted(problems, key=lambda p: (p.row is not None, p.row or 0)),
        layout=parsed.layout,
        rows=_tree_rows(parsed, plan),
        more=max(len(parsed.rows) - SHOWN_ROWS, 0),
        checks=_checks(parsed),
        plan=plan,
        leaves=len(leaves),
        digest=digest,
    )


@router.post("/setup/{entity}/confirm")
async def setup_confirm(entity: str, request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    values = {"month": str(form.get("month") or "")}

    def command() -> SetUpBooks:
        data = upload_previews.Previews(books_engine(request)).get(
            user.key_owner, str(form.get("digest") or "")
        )
        if data is None:
            raise FormRefused(
                "预览过的文件已经不在服务器上（超过30分钟），请重新上传", field="file"
            )
        try:
            parsed = balance_files.parse_balances(data)
        except balance_files.BalanceFileError as error:
            raise FormRefused(str(error), field="file") from None
        if parsed.problems:
            raise FormRefused("文件有问题，请重新上传预览", field="file")
        return SetUpBooks(entity=entity, as_of=_as_of(form), accounts=tuple(parsed.accounts()))

    def done(plan: SetupPlan) -> str:
        return f"/setup/{entity}?done=1&opened={len(plan.opened)}"

    try:
        _writer(request, user, entity)
        return await off_loop(lambda: run_form(request, user, form, command(), done))
    except FormRefused as refused:
        if refused.status == 404:
            return page(
                request, user, "setup_index.html", entities=[], error=refused.message, status=404
            )
        return _form_page(request, user, entity, values=values, error=refused)


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "economy")
