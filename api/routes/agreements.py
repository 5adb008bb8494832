"""Enterprise agreements (村企合作): terms, dividends declared and received, status by year."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.responses import AgreementPublic, DividendCorrectionPublic, DividendPublic
from api.routes.entities import PROBLEMS, described, entry_body
from api.schemas import (
    AgreementCreate,
    DividendCorrectionCreate,
    DividendCreate,
    GuaranteeShortfallCreate,
)
from domain.agreement.commands import (
    BookGuaranteeShortfall,
    CorrectDividend,
    DeclareDividend,
    ReceiveDividend,
    SignAgreement,
)
from ledger.entries import JournalEntry
from projections import economy_queries
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/agreements", tags=["enterprise agreements"])


def agreement_body(holder: Any, code: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        found = economy_queries.agreement_status(conn, code, holder.runtime.app.today())
    if found is None:
        raise Problem(404, "agreement-not-found", f"agreement {code} does not exist")
    return found, f"/v1/agreements/{code}"


@router.post(
    "",
    status_code=201,
    response_model=AgreementPublic,
    responses=PROBLEMS,
    summary="Sign an agreement",
)
def sign(body: AgreementCreate, cmd: WriterDep) -> JSONResponse:
    command = SignAgreement(
        code=body.code,
        alliance=body.alliance,
        enterprise=body.enterprise,
        signed_on=body.signed_on,
        start_year=body.start_year,
        years=body.years,
        invested_capital=body.invested_capital,
        guarantee_kind=body.guarantee.kind,
        guarantee_value=Decimal(body.guarantee.value),
        profit_share_percent=Decimal(body.profit_share_percent),
        payment_due=body.payment_due,
    )
    return cmd.run(command, lambda code: agreement_body(cmd, code))


@router.get("", responses=described(list[AgreementPublic]))
def list_agreements(reader: ReaderDep) -> list[dict[str, Any]]:
    with reader.runtime.engine.connect() as conn:
        codes = economy_queries.list_agreements(conn)
    return [agreement_body(reader, code)[0] for code in codes]


@router.get(
    "/{code}",
    responses=described(AgreementPublic),
    summary="Terms and what is due, received, in arrears",
)
def get_agreement(code: str, reader: ReaderDep) -> dict[str, Any]:
    return agreement_body(reader, code)[0]


def _posted(cmd: Any, code: str) -> Callable[[JournalEntry], tuple[dict[str, Any], str]]:
    """The answer to a command posting one entry in the joint entity's books: the entry and the
    agreement's status."""

    def read(entry: JournalEntry) -> tuple[dict[str, Any], str]:
        status, location = agreement_body(cmd, code)
        posted = entry_body(cmd, status["joint_entity_code"], entry.number)[0]
        return {"entry": posted, "agreement": status}, location

    return read


@router.post(
    "/{code}/dividends",
    status_code=201,
    response_model=DividendPublic,
    responses=PROBLEMS,
    summary="The enterprise declares a dividend (借 112 应收款, 贷 502 投资收益)",
)
def declare(code: str, body: DividendCreate, cmd: WriterDep) -> JSONResponse:
    command = DeclareDividend(agreement=code, year=body.year, amount=body.amount, date=body.date)
    return cmd.run(command, _posted(cmd, code))


@router.post(
    "/{code}/dividend-receipts",
    status_code=201,
    response_model=DividendPublic,
    responses=PROBLEMS,
    summary="A declared dividend is received (借 102 银行存款, 贷 112 应收款)",
)
def receive(code: str, body: DividendCreate, cmd: WriterDep) -> JSONResponse:
    command = ReceiveDividend(agreement=code, year=body.year, amount=body.amount, date=body.date)
    return cmd.run(command, _posted(cmd, code))


@router.post(
    "/{code}/guarantee-shortfalls",
    status_code=201,
    response_model=DividendPublic,
    responses=PROBLEMS,
    summary="Book a year's 保底 shortfall as a receivable (借 112 应收款, 贷 502 投资收益)",
)
def book_shortfall(code: str, body: GuaranteeShortfallCreate, cmd: WriterDep) -> JSONResponse:
    command = BookGuaranteeShortfall(agreement=code, year=body.year, date=body.date)
    return cmd.run(command, _posted(cmd, code))


@router.post(
    "/{code}/dividend-corrections",
    status_code=201,
    response_model=DividendCorrectionPublic,
    responses=PROBLEMS,
    summary="Correct a declared or received dividend: red ink, the right amount, the agreement's "
    "record, one save",
)
def correct(code: str, body: DividendCorrectionCreate, cmd: WriterDep) -> JSONResponse:
    command = CorrectDividend(
        agreement=code,
        entry=body.entry,
        year=body.year,
        amount=body.amount,
        date=body.date,
        reason=body.reason,
    )

    def read(result: dict[str, Any]) -> tuple[dict[str, Any], str]:
        status, location = agreement_body(cmd, code)
        joint = status["joint_entity_code"]
        again = result["entry"]
        return {
            "kind": result["kind"],
            "reversal": entry_body(cmd, joint, result["reversal"].number)[0],
            "entry": entry_body(cmd, joint, again.number)[0] if again is not None else None,
            "agreement": status,
        }, location

    return cmd.run(command, read)


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "economy")
