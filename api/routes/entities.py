"""Books of each accounting entity: opening balances, entries, reversals, closing, trial balance."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr

from api.responses import AccountListing, AccountPublic, YearClosingPublic
from api.schemas import (
    CloseMonth,
    EntityPublic,
    EntryCreate,
    EntryList,
    EntryPublic,
    OffsetQuery,
    OpeningBalancesCreate,
    ReversalCreate,
    Strict,
    Text,
    TrialBalancePublic,
)
from domain.books import commands as books
from domain.bounds import FIRST_DAY, LAST_DAY, MONTH_PATTERN
from domain.ids import entity_id
from domain.periods import parse_month
from ledger.accounts import ChartOfAccounts
from ledger.entries import JournalEntry
from ledger.money import amount_str, from_fen, to_fen
from ledger.trial_balance import TrialBalance
from projections import queries
from projections.chart_view import account_listing, year_closing, year_closings_of
from projections.queries import EntryLine, EntryView
from web.answers import as_read, saved_event
from web.deps import ReaderDep, Writer, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/entities", tags=["books"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or invalid token"},
    403: {"description": "not allowed"},
    404: {"description": "unknown entity or entry"},
    409: {"description": "conflicts with what is recorded (closed month, double reversal …)"},
    422: {"description": "invalid request (unbalanced, unknown account, bad amount …)"},
}


def described(model: Any, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``PROBLEMS`` and the success body of a read that returns what ``projections`` built:
    documented by ``model`` (api.responses) without passing the answer through it."""
    return {**PROBLEMS, status: {"model": model}}


def _entity_public(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["flags"] = [f for f in (row.get("flags") or "").split(",") if f]
    return EntityPublic.model_validate(row).model_dump(mode="json")


def entity_body(holder: Any, code: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        row = queries.entity(conn, code)
    if row is None:
        raise Problem(
            404, "entity-not-found", f"accounting entity {code} does not exist", field="code"
        )
    return _entity_public(row), f"/v1/entities/{code}"


def entry_public(view: EntryView) -> dict[str, Any]:
    return EntryPublic(
        entity=view.entity,
        number=view.number,
        date=view.date,
        memo=view.memo,
        reverses=view.reverses,
        reversed_by=view.reversed_by,
        reason=view.reason,
        actor=view.actor,
        actor_name=view.actor_name or view.actor,
        recorded_at=view.recorded_at,
        total=amount_str(view.total),
        lines=[
            {
                "account": line.account,
                "account_name": line.account_name,
                "side": line.side,
                "amount": amount_str(line.amount),
                "memo": line.memo,
            }
            for line in view.lines
        ],
    ).model_dump(mode="json")


def entry_body(holder: Any, code: str, number: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        view = queries.entry(conn, code, number)
    if view is None:
        raise Problem(
            404,
            "entry-not-found",
            f"entry {number} is not in the books of {code}",
            field="number",
        )
    return entry_public(view), f"/v1/entities/{code}/entries/{number}"


def entry_answer(
    cmd: Writer, code: str, entry: JournalEntry, saved: tuple[Any, ...]
) -> tuple[dict[str, Any], str] | None:
    """The body :func:`entry_body` reads back, from the entry the command posted and the
    event that recorded it (``web.answers``); None when a line's account is a sub-account,
    whose name (a household head's in full) only the read model gives."""
    if any(len(posting.account) > 3 for posting in entry.postings):
        return None
    kind = "EntryReversed" if entry.reverses else "EntryPosted"
    event = saved_event(saved, kind, entity_id(code))
    if event is None:
        return None
    chart = ChartOfAccounts.standard()
    view = EntryView(
        entity=code,
        number=entry.number,
        date=entry.date,
        memo=entry.memo,
        reverses=entry.reverses,
        reversed_by=None,  # a new entry; its reversal is another write
        reason=event.reason if entry.reverses else None,
        actor=event.actor,
        recorded_at=as_read(cmd.runtime.engine, event.timestamp),
        total=from_fen(sum(to_fen(p.amount) for p in entry.postings if p.side == "debit")),
        position=0,
        lines=tuple(
            EntryLine(
                account=p.account,
                account_name=chart.get(p.account).name,
                side=str(p.side),
                amount=p.amount,
                memo=p.memo,
            )
            for p in entry.postings
        ),
        actor_name=cmd.principal.actor_name if event.actor == cmd.actor else event.actor,
    )
    return entry_public(view), f"/v1/entities/{code}/entries/{entry.number}"


def _require_entity(holder: Any, code: str) -> None:
    entity_body(holder, code)


@router.get("", response_model=list[EntityPublic], responses=PROBLEMS)
def list_entities(reader: ReaderDep) -> list[dict[str, Any]]:
    with reader.runtime.engine.connect() as conn:
        return [_entity_public(r) for r in queries.list_entities(conn)]


@router.get("/{code}", response_model=EntityPublic, responses=PROBLEMS)
def get_entity(code: str, reader: ReaderDep) -> dict[str, Any]:
    return entity_body(reader, code)[0]


@router.post(
    "/{code}/opening-balances", status_code=200, response_model=EntityPublic, responses=PROBLEMS
)
def set_opening_balances(code: str, body: OpeningBalancesCreate, cmd: WriterDep) -> JSONResponse:
    """Set the balances the books start from (期初余额); they must balance."""

    command = books.SetOpeningBalances(
        entity=code, as_of=body.as_of, balances=tuple(p.model_dump() for p in body.balances)
    )
    return cmd.run(command, lambda c: entity_body(cmd, c), status=200)


@router.post("/{code}/entries", status_code=201, response_model=EntryPublic, responses=PROBLEMS)
def post_entry(code: str, body: EntryCreate, cmd: WriterDep) -> JSONResponse:
    """Post a balanced journal entry; the books give it the next voucher number."""

    command = books.PostEntry(
        entity=code,
        date=body.date,
        memo=body.memo,
        postings=tuple(p.model_dump() for p in body.postings),
        word=body.word,
    )
    return cmd.run(
        command,
        lambda entry: entry_body(cmd, code, entry.number),
        answer=lambda entry, saved: entry_answer(cmd, code, entry, saved),
    )


@router.get("/{code}/entries", response_model=EntryList, responses=PROBLEMS)
def list_entries(
    code: str,
    reader: ReaderDep,
    date_from: Annotated[
        datetime.date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY)
    ] = None,
    date_to: Annotated[datetime.date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, OffsetQuery] = 0,
) -> dict[str, Any]:
    _require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        total, views = queries.list_entries(
            conn, code, date_from=date_from, date_to=date_to, limit=limit, offset=offset
        )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [entry_public(v) for v in views],
    }


@router.get("/{code}/entries/{number}", response_model=EntryPublic, responses=PROBLEMS)
def get_entry(code: str, number: str, reader: ReaderDep) -> dict[str, Any]:
    _require_entity(reader, code)
    return entry_body(reader, code, number)[0]


@router.post(
    "/{code}/entries/{number}/reversal",
    status_code=201,
    response_model=EntryPublic,
    responses=PROBLEMS,
)
def reverse_entry(code: str, number: str, body: ReversalCreate, cmd: WriterDep) -> JSONResponse:
    """Reverse a whole entry in red ink (红字冲销), once, with the reason."""

    command = books.ReverseEntry(entity=code, number=number, date=body.date, reason=body.reason)
    return cmd.run(
        command,
        lambda entry: entry_body(cmd, code, entry.number),
        answer=lambda entry, saved: entry_answer(cmd, code, entry, saved),
    )


@router.post(
    "/{code}/closed-months", status_code=200, response_model=EntityPublic, responses=PROBLEMS
)
def close_month(code: str, body: CloseMonth, cmd: WriterDep) -> JSONResponse:
    """Close the books through a month (结账): no entry may be dated in it afterwards.
    Refused (409) while a voucher dated in a month it closes is not posted (draft, submitted,
    returned: the problem's ``vouchers`` lists their ids, its detail their links) or the trial
    balance at the end of the month does not balance."""

    command = books.CloseMonth(entity=code, month=body.month)
    return cmd.run(command, lambda c: entity_body(cmd, c), status=200)


class MonthReopening(Strict):
    reason: Text
    new_version_follows: bool = Field(
        default=False,
        description="a 三公开 sheet covering the month is published and a new version of it "
        "will follow (without it, reopening such a month is refused)",
    )


MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")]


@router.post(
    "/{code}/closed-months/{month}/reopening",
    status_code=200,
    response_model=EntityPublic,
    responses=PROBLEMS,
)
def reopen_month(code: str, month: MonthPath, body: MonthReopening, cmd: WriterDep) -> JSONResponse:
    """反结账: reopen the latest closed month, with the reason (recorded); the books are then
    closed through the month before. Refused in a year closed by 年终结转, and where a
    published 三公开 sheet covers the month unless ``new_version_follows``."""

    command = books.ReopenMonth(
        entity=code,
        month=month,
        reason=body.reason,
        new_version_follows=body.new_version_follows,
    )
    return cmd.run(command, lambda c: entity_body(cmd, c), status=200)


def trial_balance_public(
    code: str, month: str, cumulative: bool, tb: TrialBalance
) -> dict[str, Any]:
    return TrialBalancePublic(
        entity=code,
        month=month,
        cumulative=cumulative,
        balanced=tb.is_balanced,
        lines=[
            {
                "account": line.account.code,
                "name": line.account.name,
                "category": line.account.category.value,
                "normal_side": line.account.normal_side.value,
                "opening_debit": amount_str(line.opening_debit),
                "opening_credit": amount_str(line.opening_credit),
                "debit": amount_str(line.debit),
                "credit": amount_str(line.credit),
                "closing_debit": amount_str(line.closing_debit),
                "closing_credit": amount_str(line.closing_credit),
            }
            for line in tb.lines
        ],
        totals={
            "opening_debit": amount_str(tb.opening_debit_total),
            "opening_credit": amount_str(tb.opening_credit_total),
            "debit": amount_str(tb.debit_total),
            "credit": amount_str(tb.credit_total),
            "closing_debit": amount_str(tb.closing_debit_total),
            "closing_credit": amount_str(tb.closing_credit_total),
        },
    ).model_dump(mode="json")


@router.get("/{code}/trial-balance", response_model=TrialBalancePublic, responses=PROBLEMS)
def get_trial_balance(
    code: str,
    reader: ReaderDep,
    month: Annotated[
        str, Query(description="YYYY-MM", examples=["2025-12"], pattern=MONTH_PATTERN)
    ],
    cumulative: Annotated[
        bool, Query(description="from the opening balances through the month")
    ] = False,
) -> dict[str, Any]:
    """Trial balance (科目余额表) for one month, or cumulative through it."""
    try:
        parse_month(month)
    except Exception as error:
        raise Problem(422, "invalid", str(error), field="month") from None
    _require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        tb = queries.trial_balance_for(conn, code, month, cumulative=cumulative)
    return trial_balance_public(code, month, cumulative, tb)


# -- chart of the books: sub-accounts (domain/books/chart.py) ---------------------------------


class AccountCreate(Strict):
    code: Annotated[
        StrictStr, Field(min_length=4, max_length=32, pattern=r"^[0-9]{3}[A-Za-z0-9]+$")
    ] = Field(examples=["211V01"])
    name: Annotated[StrictStr, Field(min_length=1, max_length=60)] = Field(
        examples=["应付款-仉家村"]
    )
    parent: Annotated[StrictStr, Field(pattern=r"^[0-9]{3}$")] = Field(examples=["211"])
    kind: Literal["household", "unit", "project"] | None = Field(
        default=None, description="what the sub-account is kept for (农户, 单位, 项目)"
    )


class AccountRename(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=60)] = Field(
        examples=["应付款-仉家村"]
    )


AccountPath = Annotated[str, Path(min_length=4, max_length=32, pattern=r"^[0-9]{3}[A-Za-z0-9]+$")]


def _account_body(holder: Any, code: str, account: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        rows = account_listing(conn, code)
    found = next(r for r in rows if r["code"] == account)
    return found, f"/v1/entities/{code}/accounts"


@router.post("/{code}/accounts", status_code=201, response_model=AccountPublic, responses=PROBLEMS)
def open_account(code: str, body: AccountCreate, cmd: WriterDep) -> JSONResponse:
    """Open a sub-account (开设明细科目): the parent's code followed by letters or digits,
    under one of the 42 chart accounts, with a name (应付款-仉家村). Entries may post only to
    open sub-accounts, and no longer to their parent."""

    command = books.OpenAccount(
        entity=code, code=body.code, name=body.name, parent=body.parent, kind=body.kind
    )
    return cmd.run(command, lambda account: _account_body(cmd, code, account))


@router.post(
    "/{code}/accounts/{account}/name",
    status_code=200,
    response_model=AccountPublic,
    responses=PROBLEMS,
)
def rename_account(
    code: str, account: AccountPath, body: AccountRename, cmd: WriterDep
) -> JSONResponse:
    """Give an open sub-account another name (明细科目改名); chart accounts keep theirs."""

    command = books.RenameAccount(entity=code, code=account, name=body.name)
    return cmd.run(command, lambda a: _account_body(cmd, code, a), status=200)


class AccountRetired(BaseModel):
    entity: str
    code: str
    retired: bool


@router.post(
    "/{code}/accounts/{account}/retirement",
    status_code=200,
    response_model=AccountRetired,
    responses=PROBLEMS,
)
def retire_account(code: str, account: AccountPath, cmd: WriterDep) -> JSONResponse:
    """Stop using (停用) a sub-account never posted to (no entry, no opening balance): it is
    no longer open, and its parent takes postings again when it was the last one. The code
    may be opened again later."""

    command = books.RetireAccount(entity=code, code=account)
    return cmd.run(
        command,
        lambda a: ({"entity": code, "code": a, "retired": True}, f"/v1/entities/{code}/accounts"),
        status=200,
    )


@router.get("/{code}/accounts", responses=described(AccountListing))
def list_accounts(
    code: str,
    reader: ReaderDep,
    month: Annotated[
        str | None, Query(description="balances at the end of YYYY-MM (default: all posted)")
    ] = None,
) -> dict[str, Any]:
    """The chart of these books: the 42 accounts and every open sub-account, with balances."""
    if month is not None:
        try:
            parse_month(month)
        except Exception as error:
            raise Problem(422, "invalid", str(error), field="month") from None
    _require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        rows = account_listing(conn, code, month)
    return {"entity": code, "month": month, "accounts": rows}


# -- year-end closing (domain/books/closing.py) ------------------------------------------------


class YearEndClosingCreate(Strict):
    year: Annotated[int, Field(ge=1950, le=2100, strict=True)] = Field(examples=[2025])


YearPath = Annotated[int, Path(ge=1950, le=2100, description="a calendar year, 1950–2100")]


class YearReopening(Strict):
    reason: Text


def _closing_body(holder: Any, code: str, year: int) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        found = year_closing(conn, code, year)
    assert found is not None
    return found, f"/v1/entities/{code}/year-end-closings/{year}"


@router.post(
    "/{code}/year-end-closings",
    status_code=201,
    response_model=YearClosingPublic,
    responses=PROBLEMS,
)
def close_year(code: str, body: YearEndClosingCreate, cmd: WriterDep) -> JSONResponse:
    """年终结转 of a year that is over: 5xx → 321 本年收益 → 32202 未分配收益, 32201 各项分配
    → 32202, dated 31 December; the year then takes no entries until it is reopened."""

    command = books.CloseYear(entity=code, year=body.year)
    return cmd.run(command, lambda year: _closing_body(cmd, code, year))


@router.get(
    "/{code}/year-end-closings",
    responses=described(list[YearClosingPublic]),
)
def list_year_closings(code: str, reader: ReaderDep) -> list[dict[str, Any]]:
    _require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        return year_closings_of(conn, code)


@router.get(
    "/{code}/year-end-closings/{year}",
    responses=described(YearClosingPublic),
)
def get_year_closing(code: str, year: YearPath, reader: ReaderDep) -> dict[str, Any]:
    _require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        found = year_closing(conn, code, year)
    if found is None:
        raise Problem(
            404, "not-found", f"year {year} of {code} has never been closed", field="year"
        )
    return found


@router.post(
    "/{code}/year-end-closings/{year}/reopening",
    status_code=200,
    response_model=YearClosingPublic,
    responses=PROBLEMS,
)
def reopen_year(code: str, year: YearPath, body: YearReopening, cmd: WriterDep) -> JSONResponse:
    """Reopen a closed year (recorded with the reason): its closing entries are reversed in
    red ink, dated 31 December, and the year takes entries again."""

    command = books.ReopenYear(entity=code, year=year, reason=body.reason)
    return cmd.run(command, lambda y: _closing_body(cmd, code, y), status=200)


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger",)
DUTIES = {
    ("POST", "/v1/entities/{code}/accounts"): "books.write",
    ("POST", "/v1/entities/{code}/accounts/{account}/name"): "books.write",
    ("POST", "/v1/entities/{code}/accounts/{account}/retirement"): "books.write",
    ("POST", "/v1/entities/{code}/closed-months"): "period.close",
    ("POST", "/v1/entities/{code}/closed-months/{month}/reopening"): "period.close",
    ("POST", "/v1/entities/{code}/year-end-closings"): "period.close",
    ("POST", "/v1/entities/{code}/year-end-closings/{year}/reopening"): "period.close",
}
