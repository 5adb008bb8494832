"""银行 (``/bank``): the bank accounts of the books the person keeps, each account's page, and the
import of a statement with a preview and a confirm.

- ``GET /bank``: every bank account of the person's books (masked number, how far the statements
  reach, the months confirmed) and the form that registers one (``RegisterBankAccount``, as
  ``POST /v1/entities/{code}/bank-accounts``);
- ``GET /bank/{entity}/{account}``: the account (its whole number: the clerk's own books), its
  statements, every month from its first with the state of its 调节表, links to the matching
  page and each month's table, the import form;
- ``POST /bank/{entity}/{account}/import``: a CSV or XLSX statement read (``adapters.bank_files``:
  the template its headings name, or the columns remembered for the bank, else a form to map
  them once), shown line by line with its period, balances and what would be refused, nothing
  written; the file waits in ``adapters.upload_previews`` under the person and its SHA-256;
- ``POST /bank/{entity}/{account}/import/confirm``: those very bytes read again and imported
  (``ImportStatement``, through ``run_form``: a double click imports once); a mapping the clerk
  made is remembered for the bank in the same save.

Matching and the 调节表 are ``workbench.bank_matching``; 现金盘点 ``workbench.cash``.
"""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from adapters import bank_files, upload_previews
from adapters.bank_formats import FIELDS, TEMPLATES, columns_problem
from adapters.upload_checks import off_loop
from documents import bank_reconciliation as doc
from domain.bank.commands import ImportStatement, RegisterBankAccount
from domain.bank.statements import same_account
from ledger.money import fen_text, text_fen
from projections import bank_queries
from web.tokens import Principal
from workbench.accounts import books_engine, entity_or_none, visible_entities
from workbench.render import FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()


def money(fen: Any) -> str:
    """Whole fen as a page shows an amount (``256,139.50``)."""
    return fen_text(int(fen), separators=True)


def month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def months_from(first: datetime.date, last: datetime.date) -> list[str]:
    """Every month from ``first``'s to ``last``'s."""
    found = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return found


def entity_of(request: Request, user: Principal, code: str) -> dict[str, Any]:
    """The entity ``code`` when the person sees it, else 404 (``workbench.scope``)."""
    with books_engine(request).connect() as conn:
        found = entity_or_none(conn, user, code)
    if found is None:
        raise FormRefused(f"没有单位 {code}，或您无权查看", status=404)
    return found


def state_of(request: Request, user: Principal, code: str, account: str) -> doc.AccountState:
    """The bank account ``account`` of ``code`` when the person sees it, else 404."""
    entity_of(request, user, code)
    with books_engine(request).connect() as conn:
        state = doc.state_of(conn, code, account)
    if state is None:
        raise FormRefused(f"{code} 没有登记在科目 {account} 上的银行账户", status=404)
    return state


def refused_page(request: Request, user: Principal, refused: FormRefused) -> Response:
    return page(request, user, "bank_refused.html", error=refused.message, status=refused.status)


# -- the accounts ---------------------------------------------------------------------------------


def index_page(
    request: Request,
    user: Principal,
    *,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    with books_engine(request).connect() as conn:
        entities = visible_entities(conn, user)
        codes = {e["code"] for e in entities}
        accounts = [a for a in bank_queries.accounts(conn) if a["entity"] in codes]
        confirmed = {
            a["account_id"]: sorted(bank_queries.reconciliations(conn, a["account_id"]))
            for a in accounts
        }
    names = {e["code"]: e["name"] for e in entities}
    return page(
        request,
        user,
        "bank_index.html",
        entities=entities,
        accounts=accounts,
        names=names,
        confirmed=confirmed,
        templates=TEMPLATES,
        month_label=month_label,
        money=money,
        error=error,
        form=form or {},
        status=status,
    )


@router.get("/bank")
def index(request: Request, user: PageUser) -> Response:
    return index_page(request, user)


@router.post("/bank/accounts")
async def register(request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    shown = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        require(user, "books.write")
        entity = shown.get("entity", "")
        entity_of(request, user, entity)
        try:
            start = datetime.date.fromisoformat(shown.get("start", ""))
        except ValueError:
            raise FormRefused("启用日期写法有误：请写成 2026-09-01 的样子", field="start") from None
        account = shown.get("account", "").strip()
        command = RegisterBankAccount(
            entity=entity,
            account=account,
            bank=shown.get("bank", "").strip(),
            number=shown.get("number", "").strip(),
            start=start,
            opening=shown.get("opening", "").strip() or "0",
            name=shown.get("name", "").strip(),
            branch=shown.get("branch", "").strip(),
            format=shown.get("format", "").strip(),
        )
        return run_form(request, user, form, command, lambda code: f"/bank/{entity}/{code}")
    except FormRefused as refused:
        return index_page(request, user, error=refused.message, form=shown, status=refused.status)


def account_page(
    request: Request,
    user: Principal,
    entity: str,
    account: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    try:
        found = entity_of(request, user, entity)
        state = state_of(request, user, entity, account)
    except FormRefused as refused:
        return refused_page(request, user, refused)
    with books_engine(request).connect() as conn:
        statements = bank_queries.statements(conn, state.account["account_id"])
    today = request.app.state.runtime.app.today()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    covered = state.account["covered_through"]
    months = []
    for month in reversed(months_from(state.start, max(last_month, state.start))):
        table = doc.table_of(state, month)
        months.append(
            {
                "month": month,
                "label": month_label(month),
                "status": table.status,
                "items": len(table.reconciliation.items),
                "difference": table.reconciliation.difference,
            }
        )
    return page(
        request,
        user,
        "bank_account.html",
        entity=found,
        account=state.account,
        statements=statements,
        months=months,
        covered=covered,
        unmatched=sum(len(x) for x in state.unmatched()),
        imported=request.query_params.get("imported", ""),
        money=money,
        error=error,
        status=status,
    )


@router.get("/bank/{entity}/{account}")
def account_view(entity: str, account: str, request: Request, user: PageUser) -> Response:
    return account_page(request, user, entity, account)


# -- importing a statement ----------------------------------------------------------------------

MAX_BYTES = bank_files.MAX_BYTES


def _mapping(form: dict[str, Any]) -> dict[str, str]:
    """The clerk's mapping of the columns (``col_<field>``), blank ones left out."""
    found = {f: str(form.get(f"col_{f}") or "").strip() for f in FIELDS}
    return {f: h for f, h in found.items() if h}


def _period(form: dict[str, Any]) -> tuple[datetime.date | None, datetime.date | None]:
    found = []
    for name, what in (("start", "起始日期"), ("end", "截止日期")):
        value = str(form.get(name) or "").strip()
        try:
            found.append(datetime.date.fromisoformat(value) if value else None)
        except ValueError:
            raise FormRefused(f"{what}写法有误：请写成 2026-10-01 的样子", field=name) from None
    return found[0], found[1]


async def _file(request: Request, user: Principal, form: dict[str, Any]) -> tuple[bytes, str]:
    """The uploaded file (or the one previewed, by its digest) and its name."""
    digest = str(form.get("digest") or "")
    name = str(form.get("file_name") or "")
    upload = form.get("file")
    previews = upload_previews.Previews(books_engine(request))
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise FormRefused("文件太大：最多 10 MB，请按月分开导出", field="file")
        if not data:
            raise FormRefused("文件是空的", field="file")
        return data, upload.filename[:200]
    if digest:
        data = previews.get(user.key_owner, digest)
        if data is None:
            raise FormRefused(
                "预览过的文件已经不在服务器上（超过30分钟），请重新上传", field="file"
            )
        return data, name
    raise FormRefused("请选择银行导出的对账单文件（.xlsx 或 .csv）", field="file")


def _read(
    data: bytes, name: str, remembered: dict[str, str] | None, mapping: dict[str, str]
) -> bank_files.ParsedStatement:
    return bank_files.parse(
        data, bank_files.file_kind(name), remembered=remembered, columns=mapping or None
    )


@router.post("/bank/{entity}/{account}/import")
async def preview(entity: str, account: str, request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    try:
        require(user, "bank.reconcile")
        state = state_of(request, user, entity, account)
        if not user.may_write_in(state.account["township"]):
            raise FormRefused(f"您不能在{state.account['township']}导入对账单", status=403)
        data, name = await _file(request, user, form)
        mapping = _mapping(form)
        problem = columns_problem(mapping) if mapping else None
        if problem:
            raise FormRefused(problem, field="columns")
        with books_engine(request).connect() as conn:
            remembered = bank_queries.formats(conn, state.account["township"]).get(
                state.account["bank"]
            )
        digest = await off_loop(
            lambda: upload_previews.Previews(books_engine(request)).put(user.key_owner, data)
        )
        try:
            parsed = await off_loop(lambda: _read(data, name, remembered, mapping))
        except bank_files.MappingNeeded as needed:
            return page(
                request, user, "bank_mapping.html", account=state.account, entity=entity,
                headings=needed.headings, fields=FIELDS, digest=digest, file_name=name,
                message=str(needed), status=422,
            )  # fmt: skip
        except bank_files.BankFileError as error:
            raise FormRefused(str(error), field="file") from None
    except FormRefused as refused:
        return account_page(
            request, user, entity, account, error=refused.message, status=refused.status
        )
    start, end = _period(form)
    statement = parsed.statement(file_name=name, digest=digest, start=start, end=end)
    return page(
        request,
        user,
        "bank_preview.html",
        entity=entity,
        account=state.account,
        parsed=parsed,
        statement=statement,
        checks=_checks(state, parsed, statement),
        mapping=mapping,
        digest=digest,
        file_name=name,
        known=TEMPLATES.get(parsed.format),
        fields=FIELDS,
        money=money,
        status=422 if parsed.problems else 200,
    )


def _checks(
    state: doc.AccountState, parsed: bank_files.ParsedStatement, statement: Any
) -> list[str]:
    """What the confirm would refuse, as far as the preview can tell (the confirm decides)."""
    found = []
    account = state.account
    if statement.account_number and not same_account(statement.account_number, account["number"]):
        found.append(f"文件上的账号不是 {account['label']} 的账号：请选择对应的银行账户")
    covered = account.get("covered_through")
    last_end = q_date(covered) if covered else state.start - datetime.timedelta(days=1)
    closing = state.bank_balance(last_end)
    if statement.start and statement.start != last_end + datetime.timedelta(days=1):
        found.append(
            f"上一张对账单截至 {last_end}，这张从 {statement.start} 开始：期间重叠或不连续"
        )
    if parsed.opening is not None and text_fen(parsed.opening) != closing:
        found.append(
            f"期初余额 {money(text_fen(parsed.opening))} 不等于上期期末余额 {money(closing)}"
        )
    return found


def q_date(value: Any) -> datetime.date:
    return bank_queries.as_date(value)


@router.post("/bank/{entity}/{account}/import/confirm")
async def confirm(entity: str, account: str, request: Request, user: FormUser) -> Response:
    form = dict(await request.form())
    try:
        require(user, "bank.reconcile")
        state = state_of(request, user, entity, account)
        data, name = await _file(request, user, form)
        mapping = _mapping(form)
        with books_engine(request).connect() as conn:
            remembered = bank_queries.formats(conn, state.account["township"]).get(
                state.account["bank"]
            )
        try:
            parsed = await off_loop(lambda: _read(data, name, remembered, mapping))
        except bank_files.BankFileError as error:
            raise FormRefused(str(error), field="file") from None
        if parsed.problems:
            raise FormRefused("文件有问题，请重新上传预览", field="file")
        start, end = _period(form)
        statement = parsed.statement(
            file_name=name, digest=str(form.get("digest") or ""), start=start, end=end
        )
        command = ImportStatement(
            entity=entity,
            account=account,
            statement=statement,
            columns=tuple(sorted(mapping.items())),
        )
        return await off_loop(
            lambda: run_form(
                request, user, form, command, lambda seq: f"/bank/{entity}/{account}?imported={seq}"
            )
        )
    except FormRefused as refused:
        return account_page(
            request, user, entity, account, error=refused.message, status=refused.status
        )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "bank")
