"""The joint entity's pool: capital, land shares, land rent and grants; receipts and payments
of any books; the equity register."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.responses import (
    CapitalContributionPublic,
    CapitalRefundPublic,
    EquityRegisterPublic,
    LandRentCorrectionPublic,
    LandRentPublic,
)
from api.routes.entities import PROBLEMS, described, entry_body
from api.schemas import (
    CapitalContributionCreate,
    CapitalRefundCreate,
    DayQuery,
    EntryPublic,
    GrantCreate,
    LandRentCorrectionCreate,
    LandRentCreate,
    LandShareCreate,
    ReceiptCreate,
)
from domain.pooling import commands as pooling
from ledger.entries import JournalEntry
from projections import economy_queries
from web.deps import ReaderDep, Writer, WriterDep

router = APIRouter(prefix="/v1", tags=["joint entity and cash"])


def _equity(holder: Any, joint: str, as_of: datetime.date) -> dict[str, Any]:
    with holder.runtime.engine.connect() as conn:
        return economy_queries.equity_register(conn, joint, as_of)


@router.post(
    "/joint-entities/{joint}/capital-contributions",
    status_code=201,
    response_model=CapitalContributionPublic,
    responses=PROBLEMS,
    summary="A member village pays capital into the joint entity (both books, one save)",
)
def contribute_capital(joint: str, body: CapitalContributionCreate, cmd: WriterDep) -> JSONResponse:
    command = pooling.ContributeCapital(
        joint=joint,
        village=body.village,
        programme=body.programme,
        amount=body.amount,
        date=body.date,
    )

    def read(entries: tuple[JournalEntry, JournalEntry]) -> tuple[dict[str, Any], str]:
        paid, received = entries
        return {
            "village_entry": entry_body(cmd, body.village, paid.number)[0],
            "joint_entry": entry_body(cmd, joint, received.number)[0],
            "equity": _equity(cmd, joint, body.date),
        }, f"/v1/joint-entities/{joint}/equity"

    return cmd.run(command, read)


@router.post(
    "/joint-entities/{joint}/capital-refunds",
    status_code=201,
    response_model=CapitalRefundPublic,
    responses=PROBLEMS,
    summary="Capital returned to a village (借 301 / 贷 102 and 借 102 / 贷 141: both books, "
    "the equity register by programme, one save)",
)
def refund_capital(joint: str, body: CapitalRefundCreate, cmd: WriterDep) -> JSONResponse:
    command = pooling.RefundCapital(
        joint=joint,
        village=body.village,
        programme=body.programme,
        amount=body.amount,
        date=body.date,
        reason=body.reason,
    )

    def read(entries: tuple[list[JournalEntry], list[JournalEntry]]) -> tuple[dict[str, Any], str]:
        received, paid = entries
        return {
            "village_entries": [entry_body(cmd, body.village, e.number)[0] for e in received],
            "joint_entries": [entry_body(cmd, joint, e.number)[0] for e in paid],
            "equity": _equity(cmd, joint, body.date),
        }, f"/v1/joint-entities/{joint}/equity"

    return cmd.run(command, read)


@router.post(
    "/joint-entities/{joint}/land-shares",
    status_code=201,
    response_model=EquityRegisterPublic,
    responses=PROBLEMS,
    summary="A member village contributes land as shares (土地入股), recorded in the register",
)
def contribute_land(joint: str, body: LandShareCreate, cmd: WriterDep) -> JSONResponse:
    command = pooling.ContributeLand(
        joint=joint,
        village=body.village,
        mu=Decimal(body.mu),
        grade=Decimal(body.grade),
        value_per_mu=body.value_per_mu,
        term_years=body.term_years,
        date=body.date,
    )
    return cmd.run(
        command, lambda _: (_equity(cmd, joint, body.date), f"/v1/joint-entities/{joint}/equity")
    )


@router.post(
    "/joint-entities/{joint}/land-rent",
    status_code=201,
    response_model=LandRentPublic,
    responses=PROBLEMS,
    summary="Land rent (土地流转费) paid in cash to a village: mu × rate, both books",
)
def pay_land_rent(joint: str, body: LandRentCreate, cmd: WriterDep) -> JSONResponse:
    command = pooling.PayLandRent(
        joint=joint,
        village=body.village,
        mu=Decimal(body.mu),
        rate_per_mu=body.rate_per_mu,
        year=body.year,
        date=body.date,
    )

    def read(entries: tuple[JournalEntry, JournalEntry]) -> tuple[dict[str, Any], str]:
        paid, received = entries
        return {
            "joint_entry": entry_body(cmd, joint, paid.number)[0],
            "village_entry": entry_body(cmd, body.village, received.number)[0],
        }, f"/v1/entities/{joint}/entries/{paid.number}"

    return cmd.run(command, read)


@router.post(
    "/joint-entities/{joint}/land-rent-corrections",
    status_code=201,
    response_model=LandRentCorrectionPublic,
    responses=PROBLEMS,
    summary="Correct a land rent payment in both books: red ink, and the right rent if given",
)
def correct_land_rent(joint: str, body: LandRentCorrectionCreate, cmd: WriterDep) -> JSONResponse:
    command = pooling.CorrectLandRent(
        joint=joint,
        entry=body.entry,
        date=body.date,
        reason=body.reason,
        mu=None if body.mu is None else Decimal(body.mu),
        rate_per_mu=body.rate_per_mu,
        year=body.year,
    )

    def read(result: dict[str, Any]) -> tuple[dict[str, Any], str]:
        def bodies(entries: dict[str, JournalEntry]) -> dict[str, Any]:
            return {code: entry_body(cmd, code, e.number)[0] for code, e in entries.items()}

        reversal = result["reversals"][joint]
        return {
            "village": result["village"],
            "reversals": bodies(result["reversals"]),
            "corrected": bodies(result["corrected"]) or None,
        }, f"/v1/entities/{joint}/entries/{reversal.number}"

    return cmd.run(command, read)


@router.post(
    "/joint-entities/{joint}/grants",
    status_code=201,
    response_model=EntryPublic,
    responses=PROBLEMS,
    summary="A grant earmarked for a programme (借 102, 贷 241 专项应付款)",
)
def receive_grant(joint: str, body: GrantCreate, cmd: WriterDep) -> JSONResponse:
    command = pooling.ReceiveGrant(
        joint=joint, programme=body.programme, amount=body.amount, date=body.date, memo=body.memo
    )
    return cmd.run(command, lambda entry: entry_body(cmd, joint, entry.number))


@router.get(
    "/joint-entities/{joint}/equity",
    responses=described(EquityRegisterPublic),
    summary="Equity register (股权登记): capital by village and programme, land shares, grants",
)
def get_equity(
    joint: str, reader: ReaderDep, as_of: Annotated[datetime.date | None, DayQuery] = None
) -> dict[str, Any]:
    reader.runtime.app.get_joint(joint)
    return _equity(reader, joint, as_of or reader.runtime.app.today())


def _cash(code: str, body: ReceiptCreate, cmd: Writer, direction: str) -> JSONResponse:
    command = pooling.RecordCash(
        entity=code,
        direction=direction,
        account=body.account,
        amount=body.amount,
        date=body.date,
        memo=body.memo,
    )
    return cmd.run(command, lambda entry: entry_body(cmd, code, entry.number))


@router.post(
    "/entities/{code}/receipts",
    status_code=201,
    response_model=EntryPublic,
    responses=PROBLEMS,
    summary="Money received into the bank (借 102, 贷 the income or other account)",
)
def record_receipt(code: str, body: ReceiptCreate, cmd: WriterDep) -> JSONResponse:
    return _cash(code, body, cmd, "receipt")


@router.post(
    "/entities/{code}/payments",
    status_code=201,
    response_model=EntryPublic,
    responses=PROBLEMS,
    summary="Money paid from the bank (借 the expense or other account, 贷 102)",
)
def record_payment(code: str, body: ReceiptCreate, cmd: WriterDep) -> JSONResponse:
    return _cash(code, body, cmd, "payment")


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
READ_MODELS_OF_PATHS = {
    "/v1/entities/{code}/receipts": ("ledger",),
    "/v1/entities/{code}/payments": ("ledger",),
}
