"""Asset cards (资产卡片) through the API: register a card, the monthly depreciation run of a
set of books (preview, run, the runs made) and of every book of a township, disposal through
154, leases (资产出租) and their rent; the cards of a book, one card (its months, owners,
leases with rent due and received) and the 固定资产折旧表.

Every write builds a command of ``domain.assets.commands`` and runs it through
``web.deps.Writer`` (the one runner): a token of another township is refused (403) before
anything is written. A township's run is one ``RunDepreciation`` per book that keeps cards,
each in its own save with a claim of its own (``web.each``): a book refused (a closed month, a
month before not run) says why in its line, the others still run. Reads are open to every
token, as the API's other reads are.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.routes.entities import PROBLEMS, described
from api.routes.projects import card_terms
from api.schemas.assets import (
    AssetCreate,
    AssetPublic,
    AssetSummary,
    AssetWritten,
    DepreciationPreview,
    DepreciationRunCreate,
    DepreciationRunPublic,
    DepreciationTable,
    DisposalCreate,
    LeaseCreate,
    LeaseEnd,
    RentCreate,
    RunRecord,
    TownshipRunCreate,
    TownshipRunPublic,
)
from api.schemas.common import PeriodText
from domain.assets.commands import (
    DisposeAsset,
    EndLease,
    LeaseAsset,
    ReceiveRent,
    RegisterAsset,
    RunDepreciation,
)
from domain.assets.preview import preview_depreciation
from domain.assets.service import DepreciationResult
from domain.errors import InvalidRequestError
from ledger.entries import JournalEntry
from ledger.money import amount_str
from projections import asset_runs, assets_queries
from projections.queries import entity as entity_row
from web.deps import ReaderDep, Writer, WriterDep
from web.each import commit_each
from web.problems import Problem

router = APIRouter(tags=["三资: asset cards (资产卡片)"])

BOOK = "/v1/entities/{code}"
CARD = BOOK + "/assets/{number}"


def missing(code: str, number: str) -> Problem:
    return Problem(
        404,
        "asset-not-found",
        f"asset {number} is not registered in the books of {code}",
        zh=f"{code} 没有编号为 {number} 的资产卡片",
    )


def no_books(code: str) -> Problem:
    return Problem(404, "entity-not-found", f"no village or joint entity {code}")


def asset_body(holder: Any, code: str, number: str) -> dict[str, Any]:
    with holder.runtime.engine.connect() as conn:
        found = assets_queries.asset_detail(conn, code, number, today=holder.runtime.app.today())
    if found is None:
        raise missing(code, number)
    return AssetPublic.model_validate(found).model_dump(mode="json")


def written(
    cmd: Writer,
    code: str,
    number: str,
    entries: list[str],
    *,
    lease: str | None = None,
    result: str | None = None,
) -> tuple[dict[str, Any], str]:
    body = {
        "asset": asset_body(cmd, code, number),
        "entries": entries,
        "lease": lease,
        "result": result,
    }
    location = f"/v1/entities/{code}/assets/{number}"
    return AssetWritten.model_validate(body).model_dump(mode="json"), location


def require_books(holder: Any, code: str) -> None:
    with holder.engine.connect() as conn:
        if entity_row(conn, code) is None:
            raise no_books(code)


# -- cards --------------------------------------------------------------------------------------


@router.post(
    BOOK + "/assets",
    status_code=201,
    response_model=AssetWritten,
    responses=PROBLEMS,
    summary="建卡: a card for an asset bought, donated, contributed, or already in the books",
)
def register(code: str, body: AssetCreate, cmd: WriterDep) -> JSONResponse:
    """Bought: 借 151 (132, 134, 161) / 贷 102; donated: 贷 311; contributed: 贷 301; already
    in the books (``booked``): nothing posted."""
    if body.terms.original is None:
        raise Problem(
            422, "validation", "terms.original (the 原值) is required", field="terms.original"
        )
    command = RegisterAsset(
        entity=code,
        terms=card_terms(body.terms),
        acquisition=body.acquisition,
        acquired_on=body.acquired_on,
        owners=dict(body.owners),
        booked=body.booked,
        accumulated=body.accumulated,
        months_done=body.months_done,
        start_month=body.start_month,
    )

    def read(number: str) -> tuple[dict[str, Any], str]:
        posted = cmd.runtime.app.assets.get_card(code, number).entry  # None: booked before
        return written(cmd, code, number, [posted] if posted else [])

    return cmd.run(command, read)


@router.get(
    BOOK + "/assets", responses=described(list[AssetSummary]), summary="A book's asset cards"
)
def list_assets(code: str, reader: ReaderDep) -> list[dict[str, Any]]:
    """原值, 累计折旧, 净值, status and owners of every card of the books."""
    require_books(reader, code)
    with reader.engine.connect() as conn:
        found = assets_queries.asset_list(conn, entity=code)
    return [AssetSummary.model_validate(c).model_dump(mode="json") for c in found]


@router.get(CARD, responses=described(AssetPublic), summary="One asset card")
def get_asset(code: str, number: str, reader: ReaderDep) -> dict[str, Any]:
    """The card, its owners, its depreciation by month with each owner's part, its leases
    with rent due, received and overdue today, and its disposal."""
    return asset_body(reader, code, number)


# -- the monthly run ----------------------------------------------------------------------------


def run_body(
    holder: Any, code: str, month: str, result: DepreciationResult | None
) -> dict[str, Any]:
    """A book's month as the read model shows it after the run: its vouchers and total;
    ``written`` when this request posted it."""
    with holder.runtime.engine.connect() as conn:
        found = asset_runs.run_summary(conn, code, month, result)
    return DepreciationRunPublic.model_validate(found).model_dump(mode="json")


@router.post(
    BOOK + "/depreciation-runs",
    status_code=200,
    response_model=DepreciationRunPublic,
    responses=PROBLEMS,
    summary="计提折旧 of a month for every card of the books, in one save (once a month)",
)
def run_month(code: str, body: DepreciationRunCreate, cmd: WriterDep) -> JSONResponse:
    """One voucher dated the month's last day (借 511/513/514 / 贷 152/133/162); a month
    already run writes nothing and says so (``written`` false); a closed month, or a month
    before it not yet run, is refused."""
    command = RunDepreciation(entity=code, month=body.month, units=dict(body.units))
    location = f"/v1/entities/{code}/depreciation-runs"
    return cmd.run(
        command, lambda result: (run_body(cmd, code, body.month, result), location), status=200
    )


@router.get(
    BOOK + "/depreciation-runs",
    responses=described(list[RunRecord]),
    summary="The monthly runs made in the books",
)
def list_runs(code: str, reader: ReaderDep) -> list[dict[str, Any]]:
    require_books(reader, code)
    with reader.engine.connect() as conn:
        found = assets_queries.depreciation_runs(conn, code)
    return [RunRecord.model_validate(r).model_dump(mode="json") for r in found]


@router.get(
    BOOK + "/depreciation-preview",
    responses=described(DepreciationPreview),
    summary="What the run of a month would post (nothing is written)",
)
def preview(
    code: str,
    reader: ReaderDep,
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")],
    units: Annotated[
        list[str] | None,
        Query(
            max_length=500,
            description="the units of a 工作量法 card: NUMBER:UNITS (repeat for each card)",
        ),
    ] = None,
) -> dict[str, Any]:
    given: dict[str, str] = {}
    for pair in units or []:
        number, sep, value = pair.partition(":")
        if not sep or not number or not value:
            raise InvalidRequestError(
                f"units {pair[:40]!r} is not NUMBER:UNITS",
                field="units",
                zh="工作量请写成 资产编号:本月工作量，如 GZ-002:120",
            )
        given[number] = value
    found = preview_depreciation(reader.runtime.app.assets, entity=code, month=month, units=given)
    with reader.engine.connect() as conn:
        body = asset_runs.preview_body(conn, found)
    return DepreciationPreview.model_validate(body).model_dump(mode="json")


@router.post(
    "/v1/townships/{township}/depreciation-runs",
    status_code=200,
    response_model=TownshipRunPublic,
    responses=PROBLEMS,
    summary="计提折旧 of a month for every book of a township that keeps asset cards",
)
def run_township(township: str, body: TownshipRunCreate, cmd: WriterDep) -> JSONResponse:
    """One ``RunDepreciation`` per book, each in its own save; a book whose month is already
    run says so, a refused book says why (``problem``), the others still run. 工作量法 cards
    need their units: run their books one by one."""
    if not cmd.principal.may_write_in(township):
        cmd.require_township(township, f"township {township}")
    cmd.current()  # the read models it decides from (a write before may have left them)
    with cmd.runtime.engine.connect() as conn:
        books = asset_runs.books_with_cards(conn, township)
    parts = [(b["code"], RunDepreciation(entity=b["code"], month=body.month)) for b in books]

    def read(code: str, result: DepreciationResult) -> tuple[dict[str, Any], str | None]:
        return run_body(cmd, code, body.month, result), None

    done, headers = commit_each(cmd, parts, read)
    lines = [
        p.answer.body
        if p.answer is not None
        else DepreciationRunPublic.model_validate(
            asset_runs.refused_summary(p.name, body.month, p.problem or "")
        ).model_dump(mode="json")
        for p in done
    ]
    answer = TownshipRunPublic.model_validate(
        {"township": township, "month": body.month, "books": lines}
    )
    return JSONResponse(answer.model_dump(mode="json"), status_code=200, headers=headers)


@router.get(
    BOOK + "/depreciation",
    responses=described(DepreciationTable),
    summary="固定资产折旧表 of a period: by card, by owner",
)
def depreciation_table(
    code: str, reader: ReaderDep, period: Annotated[PeriodText, Query()]
) -> dict[str, Any]:
    require_books(reader, code)
    with reader.engine.connect() as conn:
        found = assets_queries.depreciation_table(conn, code, period)
    return DepreciationTable.model_validate(found).model_dump(mode="json")


# -- disposal and leases ------------------------------------------------------------------------


@router.post(
    CARD + "/disposal",
    status_code=201,
    response_model=AssetWritten,
    responses=PROBLEMS,
    summary="清理 through 154 (sale, scrap, loss): the result to 504 or 515",
)
def dispose(code: str, number: str, body: DisposalCreate, cmd: WriterDep) -> JSONResponse:
    command = DisposeAsset(
        entity=code,
        number=number,
        date=body.date,
        kind=body.kind,
        proceeds=body.proceeds,
        costs=body.costs,
        reason=body.reason,
    )

    def read(result: Any) -> tuple[dict[str, Any], str]:
        detail = asset_body(cmd, code, number)
        entries = (detail.get("disposal") or {}).get("entries", [])
        return written(cmd, code, number, entries, result=amount_str(result))

    return cmd.run(command, read)


@router.post(
    CARD + "/leases",
    status_code=201,
    response_model=AssetWritten,
    responses=PROBLEMS,
    summary="资产出租: lessee, rent every 1, 3, 6 or 12 months, term",
)
def lease(code: str, number: str, body: LeaseCreate, cmd: WriterDep) -> JSONResponse:
    command = LeaseAsset(
        entity=code,
        number=number,
        lease=body.lease,
        lessee=body.lessee,
        rent=body.rent,
        start=body.start,
        end=body.end,
        every_months=body.every_months,
        due_day=body.due_day,
        contract=body.contract,
    )
    return cmd.run(command, lambda code_: written(cmd, code, number, [], lease=code_))


@router.post(
    CARD + "/leases/{lease}/rent",
    status_code=201,
    response_model=AssetWritten,
    responses=PROBLEMS,
    summary="Rent of a period received (借 102 / 贷 501; the project's income when it is one's)",
)
def receive_rent(
    code: str, number: str, lease: str, body: RentCreate, cmd: WriterDep
) -> JSONResponse:
    command = ReceiveRent(
        entity=code,
        number=number,
        lease=lease,
        period=body.period,
        date=body.date,
        amount=body.amount,
    )

    def read(entry: JournalEntry) -> tuple[dict[str, Any], str]:
        return written(cmd, code, number, [entry.number], lease=lease)

    return cmd.run(command, read)


@router.post(
    CARD + "/leases/{lease}/end",
    status_code=201,
    response_model=AssetWritten,
    responses=PROBLEMS,
    summary="A lease ended early (its last day and why)",
)
def end_lease(code: str, number: str, lease: str, body: LeaseEnd, cmd: WriterDep) -> JSONResponse:
    command = EndLease(entity=code, number=number, lease=lease, date=body.date, reason=body.reason)
    return cmd.run(command, lambda code_: written(cmd, code, number, [], lease=code_))


# What this router's paths read (web.views) and the duties of its writes (web.duties: every
# one posts or changes the books' cards, books.write, the default)
READ_MODELS = ("ledger", "assets")
DUTIES: dict[tuple[str, str], str] = {}
