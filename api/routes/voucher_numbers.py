"""凭证号 at entry: the number a voucher has, or would take if it were posted now, and the next
number of a set of books for a date and 凭证字 (``domain/books/numbering.py``).

Numbers are given when a voucher posts, in the order of posting within its month and 凭证字 (or
its year, under yearly numbering), so the number shown before then is what it would take as the
books stand: another voucher of the same month posted first takes it. Read from the books
themselves (the township's setting and their counters), not a read model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.routes.vouchers import DraftPath, draft_key
from api.schemas import Day
from web.deps import ReaderDep

router = APIRouter(tags=["vouchers (记账凭证)"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or invalid token"},
    404: {"description": "unknown voucher or entity"},
    422: {"description": "invalid request"},
}

Word = Literal["记", "收", "付", "转"]


class NumberPublic(BaseModel):
    """A voucher number as stored and as a clerk reads it."""

    entity: str
    number: str | None = Field(
        description="the stored form: 2026-07-J-0003 (monthly) or 2025-0015 (yearly); null for "
        "a voided voucher",
        examples=["2026-07-J-0003"],
    )
    label: str | None = Field(examples=["2026年7月 记字第3号"])
    word: Word | None = Field(description="凭证字 (null under yearly numbering)")
    numbering: Literal["monthly", "yearly"] = Field(
        description="the scheme of the date's year in these books"
    )
    words: list[Word] = Field(
        description="the 凭证字 the lines allow under the township's words, the automatic one "
        "first (empty under yearly numbering)"
    )
    posted: bool = Field(description="true: the number it has; false: the one it would take now")


class VoucherNumberPublic(NumberPublic):
    draft: str
    status: Literal["draft", "submitted", "returned", "reviewed", "posted", "voided"]


@router.get(
    "/v1/vouchers/{draft}/number",
    response_model=VoucherNumberPublic,
    responses=PROBLEMS,
    summary="凭证号: the number a voucher has, or would take if it were posted now",
)
def voucher_number(draft: DraftPath, reader: ReaderDep) -> dict[str, Any]:
    app = reader.runtime.app
    voucher = app.vouchers.get_voucher(draft_key(draft))
    found = app.vouchers.number_at_entry(voucher).as_dict()
    return {"draft": voucher.draft, "status": voucher.status, **found}


@router.get(
    "/v1/entities/{code}/next-number",
    response_model=NumberPublic,
    responses=PROBLEMS,
    summary="凭证号: the number a voucher of these books dated ?date would take now",
)
def next_number(
    code: str,
    date: Annotated[Day, Query(description="the voucher's date")],
    reader: ReaderDep,
    word: Annotated[Word | None, Query(description="凭证字 (left out: from the accounts)")] = None,
    debit: Annotated[
        list[str] | None, Query(max_length=100, description="accounts debited (101/102: 收)")
    ] = None,
    credit: Annotated[
        list[str] | None, Query(max_length=100, description="accounts credited (101/102: 付)")
    ] = None,
) -> dict[str, Any]:
    """The date's year's next number, or the next of its month and 凭证字: ``word`` where the
    township's words and the accounts allow it, else the one the accounts make (记 in a
    township that uses 记 only; 收, 付 or 转 by 101/102 debited or credited)."""
    rows = [{"account": a[:40], "side": "debit"} for a in debit or ()]
    rows += [{"account": a[:40], "side": "credit"} for a in credit or ()]
    found = reader.runtime.app.books.number_at_entry(
        entity=code, date=date, postings=rows, word=word
    )
    return found.as_dict()  # type: ignore[no-any-return]


# What this router's paths read (web.views): the books themselves, no read model
READ_MODELS: tuple[str, ...] = ()
DUTIES: dict[tuple[str, str], str] = {}
