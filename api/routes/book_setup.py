"""建账 over the API: a set of books set up from what a township already has (the rows of a
科目余额表: ``domain/books/setup.py``), in one save or not at all. The workbench's ``/setup``
reads the same rows from an XLSX file (``adapters.balance_files``) and runs the same command."""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.routes.entities import PROBLEMS
from api.schemas import Account, Amount, Day, OptionalText, Strict
from domain.books.commands import SetUpBooks
from domain.books.setup import COLUMNS, MAX_ACCOUNTS, SetupPlan
from ledger.money import fen_text
from web.deps import WriterDep

router = APIRouter(prefix="/v1/entities", tags=["books"])

EXAMPLE: dict[str, Any] = {
    "as_of": "2026-07-01",
    "accounts": [
        {
            "code": "102",
            "year_start_debit": "300000.00",
            "year_debit": "60000.00",
            "year_credit": "12000.00",
            "opening_debit": "348000.00",
        },
        {
            "code": "11301",
            "name": "张三",
            "year_start_debit": "5000.00",
            "year_credit": "3000.00",
            "opening_debit": "2000.00",
        },
        {"code": "301", "year_start_credit": "305000.00", "opening_credit": "305000.00"},
        {"code": "501", "year_credit": "60000.00", "opening_credit": "60000.00"},
        {"code": "513", "year_debit": "15000.00", "opening_debit": "15000.00"},
    ],
    "dry_run": True,
}
ZERO = "0.00"


class SetupAccountIn(Strict):
    """One account of the 科目余额表: a chart account without sub-accounts, or a sub-account
    (opened with its ``name``); balances in a 借方 and a 贷方 column, both ≥ 0."""

    code: Account
    name: OptionalText = Field(default="", description="the sub-account's name (科目名称)")
    year_start_debit: Amount = Field(default=ZERO, description=COLUMNS["year_start_debit"])
    year_start_credit: Amount = Field(default=ZERO, description=COLUMNS["year_start_credit"])
    year_debit: Amount = Field(default=ZERO, description=COLUMNS["year_debit"])
    year_credit: Amount = Field(default=ZERO, description=COLUMNS["year_credit"])
    opening_debit: Amount = Field(default=ZERO, description=COLUMNS["opening_debit"])
    opening_credit: Amount = Field(default=ZERO, description=COLUMNS["opening_credit"])


class BooksSetupCreate(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    as_of: Day = Field(description="the first day of the month the books start (建账日)")
    accounts: list[SetupAccountIn] = Field(min_length=1, max_length=MAX_ACCOUNTS)
    dry_run: bool = Field(default=False, description="check everything, write nothing")


class SetupAccountPublic(BaseModel):
    code: str
    name: str
    year_start: str = Field(description="年初余额, debit positive")
    year_debit: str = Field(description="本年累计借方")
    year_credit: str = Field(description="本年累计贷方")
    opening: str = Field(description="期初余额 on as_of, debit positive")


class BooksSetupPublic(BaseModel):
    entity: str
    as_of: datetime.date
    dry_run: bool
    mid_year: bool = Field(description="年初余额 and 本年累计 recorded for the year's statements")
    opened: list[str] = Field(description="sub-accounts opened")
    renamed: list[str] = Field(description="sub-accounts open before, given the file's name")
    totals: dict[str, str] = Field(description="each column added up over the accounts")
    accounts: list[SetupAccountPublic]


def _body(plan: SetupPlan, dry_run: bool) -> dict[str, Any]:
    return BooksSetupPublic(
        entity=plan.entity,
        as_of=plan.as_of,
        dry_run=dry_run,
        mid_year=plan.mid_year,
        opened=sorted(plan.opened),
        renamed=sorted(plan.renamed),
        totals={name: fen_text(fen) for name, fen in plan.totals().items()},
        accounts=[
            SetupAccountPublic(
                code=a.code,
                name=a.name,
                year_start=fen_text(a.year_start),
                year_debit=fen_text(a.year_debit),
                year_credit=fen_text(a.year_credit),
                opening=fen_text(a.opening),
            )
            for a in plan.accounts
        ],
    ).model_dump(mode="json")


@router.post(
    "/{code}/setup",
    status_code=201,
    response_model=BooksSetupPublic,
    responses={
        **PROBLEMS,
        200: {"model": BooksSetupPublic, "description": "a dry run: nothing written"},
    },
)
def set_up_books(code: str, body: BooksSetupCreate, cmd: WriterDep) -> JSONResponse:
    """建账: open the sub-accounts, set the 期初余额 as of the first day of a month and, for
    books starting during a year, record each account's 年初余额 and 本年累计 before that day
    (the balance sheet's 年初数 and the year's income statement count them), in one save.
    Per account 年初余额 + 本年累计借方 − 本年累计贷方 = 期初余额; every column balances.
    Refused (409) when the books already have opening balances, entries or closed months."""
    command = SetUpBooks(
        entity=code,
        as_of=body.as_of,
        accounts=tuple(a.model_dump() for a in body.accounts),
        dry_run=body.dry_run,
    )
    return cmd.run(
        command,
        lambda plan: (_body(plan, body.dry_run), None),
        status=200 if body.dry_run else 201,
    )


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger",)
DUTIES: dict[tuple[str, str], str] = {}  # books.write (直接记账), every write's default
