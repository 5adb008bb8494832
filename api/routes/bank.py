"""Bank accounts of a set of books and the cash counts (``domain.bank``, ``domain.cash``):
register an account, import a statement (its lines as JSON), see both sides and the proposed
matches, match and undo, the month's 银行存款余额调节表 and its confirmation, 现金盘点 and the
settling of its difference. Statement imports, matches and confirmations take the duty
``bank.reconcile``; registering an account and a cash count (they post) ``books.write``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from adapters.bank_formats import TEMPLATES
from api.routes.entities import entry_body
from api.schemas.bank import (
    BankAccountCreate,
    BankAccountPublic,
    BankLinePublic,
    BankLinesPublic,
    CashCountCreate,
    CashCountPublic,
    CashResolutionCreate,
    ItemPublic,
    MatchCreate,
    MatchesPublic,
    MatchUndo,
    ProposalPublic,
    ReconcileCreate,
    ReconciliationPublic,
    StatementCreate,
    StatementPublic,
    TemplatePublic,
)
from api.schemas.books import EntryPublic
from documents import bank_reconciliation as doc
from domain.bank.commands import (
    ImportStatement,
    MatchLines,
    ReconcileMonth,
    RegisterBankAccount,
    UndoMatch,
)
from domain.bank.matching import MAX_WINDOW, WINDOW
from domain.bank.reconciliation import Item
from domain.bank.statements import Statement, StatementLine
from domain.bounds import MONTH_PATTERN
from domain.cash.commands import CountCash, ResolveCashDifference
from ledger.money import fen_text
from projections import bank_queries, queries
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1", tags=["bank"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or invalid token"},
    403: {"description": "not allowed"},
    404: {"description": "unknown entity, bank account, match or count"},
    409: {"description": "conflicts with what is recorded (a statement imported twice, "
          "overlapping or not chaining, a line matched already, a closed month …)"},
    422: {"description": "invalid request"},
}  # fmt: skip

EntityPath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
AccountPath = Annotated[str, Path(min_length=3, max_length=32, pattern=r"^102[A-Za-z0-9]*$")]
MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")]
MatchPath = Annotated[str, Path(min_length=2, max_length=16, pattern=r"^M[0-9]+$")]
CountPath = Annotated[str, Path(min_length=10, max_length=24, pattern=r"^PD[0-9]{8}(-[0-9]+)?$")]


def _yuan(fen: int) -> str:
    return fen_text(fen)


def _entity(conn: Any, code: str) -> dict[str, Any]:
    found = queries.entity(conn, code)
    if found is None:
        raise Problem(404, "entity-not-found", f"accounting entity {code} does not exist")
    return found


def _account_public(row: dict[str, Any]) -> dict[str, Any]:
    return BankAccountPublic(
        entity=row["entity"],
        township=row["township"],
        account=row["account"],
        name=row["name"],
        bank=row["bank"],
        branch=row["branch"],
        number=row["number"],
        masked=row["masked"],
        format=row["format"],
        start=bank_queries.as_date(row["start"]),
        opening=_yuan(row["opening_fen"]),
        statements=row["statements"],
        covered_through=row["covered_through"],
    ).model_dump(mode="json")


def _state(conn: Any, code: str, account: str) -> doc.AccountState:
    _entity(conn, code)
    state = doc.state_of(conn, code, account)
    if state is None:
        raise Problem(
            404,
            "bank-account-not-found",
            f"{code} has no bank account on {account}",
            zh=f"{code} 没有登记在科目 {account} 上的银行账户",
            field="account",
        )
    return state


def account_body(holder: Any, code: str, account: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        state = _state(conn, code, account)
    return _account_public(state.account), f"/v1/entities/{code}/bank-accounts/{account}"


@router.get("/bank-formats", response_model=list[TemplatePublic], responses=PROBLEMS)
def bank_formats(reader: ReaderDep) -> list[dict[str, Any]]:
    """The named statement templates (农商银行, 农信社, 工行, 农行, 中行, 建行) and their
    columns: field → the heading the bank's export writes."""
    return [
        TemplatePublic(name=t.name, label=t.label, columns=dict(t.columns)).model_dump()
        for t in TEMPLATES.values()
    ]


@router.get(
    "/entities/{code}/bank-accounts", response_model=list[BankAccountPublic], responses=PROBLEMS
)
def list_accounts(code: EntityPath, reader: ReaderDep) -> list[dict[str, Any]]:
    """The bank accounts of the books, with how far their statements reach."""
    with reader.engine.connect() as conn:
        _entity(conn, code)
        return [_account_public(row) for row in bank_queries.accounts(conn, code)]


@router.post(
    "/entities/{code}/bank-accounts",
    status_code=201,
    response_model=BankAccountPublic,
    responses=PROBLEMS,
)
def register_account(code: EntityPath, body: BankAccountCreate, cmd: WriterDep) -> JSONResponse:
    """登记银行账户 on 102 or a 102 sub-account (opened in the same save when it is not)."""
    command = RegisterBankAccount(
        entity=code,
        account=body.account,
        bank=body.bank,
        number=body.number,
        start=body.start,
        opening=body.opening,
        name=body.name,
        branch=body.branch,
        format=body.format,
    )
    return cmd.run(command, lambda account: account_body(cmd, code, account))


@router.get(
    "/entities/{code}/bank-accounts/{account}",
    response_model=BankAccountPublic,
    responses=PROBLEMS,
)
def get_account(code: EntityPath, account: AccountPath, reader: ReaderDep) -> dict[str, Any]:
    return account_body(reader, code, account)[0]


def _statement_public(row: dict[str, Any]) -> dict[str, Any]:
    return StatementPublic(
        seq=row["seq"],
        start=bank_queries.as_date(row["start"]),
        end=bank_queries.as_date(row["end"]),
        opening=_yuan(row["opening_fen"]),
        closing=_yuan(row["closing_fen"]),
        lines=row["lines"],
        file_name=row["file_name"],
        format=row["format"],
    ).model_dump(mode="json")


@router.get(
    "/entities/{code}/bank-accounts/{account}/statements",
    response_model=list[StatementPublic],
    responses=PROBLEMS,
)
def list_statements(code: EntityPath, account: AccountPath, reader: ReaderDep) -> list[Any]:
    with reader.engine.connect() as conn:
        state = _state(conn, code, account)
        rows = bank_queries.statements(conn, state.account["account_id"])
    return [_statement_public(row) for row in rows]


@router.post(
    "/entities/{code}/bank-accounts/{account}/statements",
    status_code=201,
    response_model=StatementPublic,
    responses=PROBLEMS,
)
def import_statement(
    code: EntityPath, account: AccountPath, body: StatementCreate, cmd: WriterDep
) -> JSONResponse:
    """导入对账单: refused with nothing written when it was imported already, overlaps or does
    not follow the last one (its opening is not the last closing), is another account's (its
    ``account_number``), or its balances do not add up."""
    statement = Statement(
        lines=tuple(
            StatementLine(
                date=line.date,
                amount=line.amount,
                balance=line.balance,
                counterparty=line.counterparty,
                reference=line.reference,
                memo=line.memo,
                row=index + 1,
            )
            for index, line in enumerate(body.lines)
        ),
        start=body.start,
        end=body.end,
        opening=body.opening,
        closing=body.closing,
        account_number=body.account_number,
        file_name=body.file_name,
        digest=body.digest,
        format="api",
    )
    command = ImportStatement(entity=code, account=account, statement=statement)

    def read(seq: int) -> tuple[dict[str, Any], str]:
        with cmd.runtime.engine.connect() as conn:
            state = _state(conn, code, account)
            rows = bank_queries.statements(conn, state.account["account_id"])
        row = next(r for r in rows if r["seq"] == seq)
        where = f"/v1/entities/{code}/bank-accounts/{account}/statements"
        return _statement_public(row), where

    return cmd.run(command, read)


def _line_public(line: Any, match: str | None, balance: int | None = None) -> dict[str, Any]:
    return BankLinePublic(
        id=line.id,
        date=line.date,
        amount=_yuan(line.amount),
        balance=None if balance is None else _yuan(balance),
        counterparty=line.counterparty,
        reference=line.reference,
        memo=line.memo,
        entry=line.entry or None,
        match=match,
    ).model_dump(mode="json")


@router.get(
    "/entities/{code}/bank-accounts/{account}/lines",
    response_model=BankLinesPublic,
    responses=PROBLEMS,
)
def lines(code: EntityPath, account: AccountPath, reader: ReaderDep) -> dict[str, Any]:
    """Both sides: every statement line and every posting to the account from its first day,
    each with its match (None: unmatched)."""
    with reader.engine.connect() as conn:
        state = _state(conn, code, account)
    book = [x for x in state.book if x.date >= state.start or x.key in state.matched]
    return {
        "bank": [_line_public(x, state.matched.get(x.key)) for x in state.bank],
        "book": [_line_public(x, state.matched.get(x.key)) for x in book],
    }


@router.get(
    "/entities/{code}/bank-accounts/{account}/proposals",
    response_model=list[ProposalPublic],
    responses=PROBLEMS,
)
def proposals(
    code: EntityPath,
    account: AccountPath,
    reader: ReaderDep,
    window: Annotated[int, Query(ge=0, le=MAX_WINDOW, description="days apart")] = WINDOW,
) -> list[dict[str, Any]]:
    """The matches proposed for the lines not matched yet (same amount within ``window``
    days, the reference first; a posting with its red-ink reversal); nothing is recorded."""
    with reader.engine.connect() as conn:
        state = _state(conn, code, account)
    return [
        ProposalPublic(
            bank=list(p.bank), book=list(p.book), amount=_yuan(p.amount), days=p.days,
            reason=p.reason,
        ).model_dump()
        for p in doc.proposals_of(state, window)
    ]  # fmt: skip


@router.post(
    "/entities/{code}/bank-accounts/{account}/matches",
    status_code=201,
    response_model=MatchesPublic,
    responses=PROBLEMS,
)
def match(
    code: EntityPath, account: AccountPath, body: MatchCreate, cmd: WriterDep
) -> JSONResponse:
    """勾对: each group one match (statement line ids, posting ids ``<voucher>#<n>``), all or
    none; ``kind`` ``proposed`` when the clerk confirms proposals."""
    groups = tuple((tuple(g.bank), tuple(g.book)) for g in body.matches)
    command = MatchLines(code, account, groups, kind=body.kind, note=body.note)
    where = f"/v1/entities/{code}/bank-accounts/{account}/lines"
    return cmd.run(command, lambda made: ({"matches": list(made)}, where))


@router.post(
    "/entities/{code}/bank-accounts/{account}/matches/{match}/undo",
    status_code=200,
    response_model=MatchesPublic,
    responses=PROBLEMS,
)
def undo(
    code: EntityPath, account: AccountPath, match: MatchPath, body: MatchUndo, cmd: WriterDep
) -> JSONResponse:
    """撤销勾对 with the reason (recorded; the lines are free again)."""
    command = UndoMatch(code, account, match, body.reason)
    where = f"/v1/entities/{code}/bank-accounts/{account}/lines"
    return cmd.run(command, lambda undone: ({"matches": [undone]}, where), status=200)


def _item(item: Item) -> dict[str, Any]:
    return ItemPublic(
        kind=item.kind,  # type: ignore[arg-type]
        kind_label=item.kind_label,
        side=item.line.side,  # type: ignore[arg-type]
        line=item.line.id,
        date=item.line.date,
        amount=_yuan(item.amount),
        memo=item.line.memo,
        settled_on=item.settled_on,
    ).model_dump(mode="json")


def table_body(table: doc.Table) -> dict[str, Any]:
    r = table.reconciliation
    t = r.totals
    account = table.state.account
    return ReconciliationPublic(
        entity=account["entity"], account=account["account"], masked=account["masked"],
        month=table.month, end=r.end,
        book_balance=_yuan(r.book_balance), bank_in=_yuan(t["bank_in"]),
        bank_out=_yuan(t["bank_out"]), adjusted_book=_yuan(r.adjusted_book),
        bank_balance=_yuan(r.bank_balance), book_in=_yuan(t["book_in"]),
        book_out=_yuan(t["book_out"]), adjusted_bank=_yuan(r.adjusted_bank),
        difference=_yuan(r.difference), balanced=r.balanced, covered=table.covered,
        status=table.status,
        confirmed_by=table.confirmed["actor"] if table.confirmed else None,
        items=[_item(i) for i in r.items], carried=[_item(i) for i in table.carried],
    ).model_dump(mode="json")  # fmt: skip


def _table(holder: Any, code: str, account: str, month: str) -> tuple[dict[str, Any], str]:
    with holder.engine.connect() as conn:
        state = _state(conn, code, account)
    where = f"/v1/entities/{code}/bank-accounts/{account}/reconciliations/{month}"
    return table_body(doc.table_of(state, month)), where


@router.get(
    "/entities/{code}/bank-accounts/{account}/reconciliations/{month}",
    response_model=ReconciliationPublic,
    responses=PROBLEMS,
)
def reconciliation(
    code: EntityPath, account: AccountPath, month: MonthPath, reader: ReaderDep
) -> dict[str, Any]:
    """银行存款余额调节表 of the month as it stands: both balances, the four kinds of 未达账项,
    both adjusted balances (equal, or the difference), whether it was confirmed and still
    stands, and the month before's items as settled since."""
    return _table(reader, code, account, month)[0]


@router.post(
    "/entities/{code}/bank-accounts/{account}/reconciliations",
    status_code=200,
    response_model=ReconciliationPublic,
    responses=PROBLEMS,
)
def reconcile(
    code: EntityPath, account: AccountPath, body: ReconcileCreate, cmd: WriterDep
) -> JSONResponse:
    """确认 the month's table (结账 reads it): refused while the statements do not reach the
    month's end or the adjusted balances differ."""
    command = ReconcileMonth(code, account, body.month)
    return cmd.run(command, lambda _: _table(cmd.runtime, code, account, body.month), status=200)


def _count_public(row: dict[str, Any]) -> dict[str, Any]:
    return CashCountPublic(
        entity=row["entity"], number=row["number"], date=bank_queries.as_date(row["date"]),
        account=row["account"], pieces=row["pieces"], counted=_yuan(row["counted_fen"]),
        book=_yuan(row["book_fen"]), difference=_yuan(row["difference_fen"]),
        outstanding=_yuan(row["outstanding_fen"]), entry=row["entry"], cashier=row["cashier"],
        supervisor=row["supervisor"], note=row["note"],
    ).model_dump(mode="json")  # fmt: skip


@router.get(
    "/entities/{code}/cash-counts", response_model=list[CashCountPublic], responses=PROBLEMS
)
def list_counts(code: EntityPath, reader: ReaderDep) -> list[dict[str, Any]]:
    """现金盘点 of the books, newest first."""
    with reader.engine.connect() as conn:
        _entity(conn, code)
        return [_count_public(row) for row in bank_queries.counts(conn, code)]


@router.post(
    "/entities/{code}/cash-counts", status_code=201, response_model=CashCountPublic,
    responses=PROBLEMS,
)  # fmt: skip
def count_cash(code: EntityPath, body: CashCountCreate, cmd: WriterDep) -> JSONResponse:
    """现金盘点 at the end of ``date``: a difference from the books is booked to 181 待处理财产
    损溢 in the same save (借 181 / 贷 101 short, 借 101 / 贷 181 over)."""
    command = CountCash(
        entity=code,
        date=body.date,
        pieces=tuple((d, str(n)) for d, n in sorted(body.pieces.items())),
        cashier=body.cashier,
        supervisor=body.supervisor,
        note=body.note,
        account=body.account,
    )

    def read(number: str) -> tuple[dict[str, Any], str]:
        with cmd.runtime.engine.connect() as conn:
            row = bank_queries.count(conn, code, number)
        assert row is not None
        return _count_public(row), f"/v1/entities/{code}/cash-counts"

    return cmd.run(command, read)


@router.post(
    "/entities/{code}/cash-counts/{number}/resolution",
    status_code=201,
    response_model=EntryPublic,
    responses=PROBLEMS,
)
def resolve(
    code: EntityPath, number: CountPath, body: CashResolutionCreate, cmd: WriterDep
) -> JSONResponse:
    """处理 a count's difference by a voucher (a shortage to 112, 113 or 515; a surplus to 504,
    211 or 113), all that is left unless ``amount`` says less."""
    command = ResolveCashDifference(
        code, number, body.date, body.account, amount=body.amount, memo=body.memo
    )
    return cmd.run(command, lambda entry: entry_body(cmd, code, entry.number))


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "bank")
DUTIES = {
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/statements"): "bank.reconcile",
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/matches"): "bank.reconcile",
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/matches/{match}/undo"): "bank.reconcile",
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/reconciliations"): "bank.reconcile",
}
