"""The 经济合同 register of a set of books (``domain.contracts``): contracts with their
counterparty, subject, term and schedule; receipts and payments against the instalments, their
reversal; a contract ended or terminated; and what the 工作台 warns of (instalments due within
30 days, rents overdue, idle resources)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from api.routes.entities import PROBLEMS, described
from api.routes.resources import require_entity
from api.schemas.resources import (
    ContractCreate,
    ContractEnd,
    ContractPaymentCreate,
    ContractPublic,
    ContractTermination,
    PaymentReversal,
    RemindersPublic,
)
from documents.dashboard import DUE_DAYS
from documents.registers_resources import contract_card, contract_register
from domain.contracts.commands import (
    EndContract,
    RecordContractPayment,
    RegisterContract,
    ReverseContractPayment,
    TerminateContract,
)
from ledger.money import amount_str, from_fen
from projections import dashboard_queries
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/entities", tags=["contracts (经济合同)"])

NumberPath = Annotated[int, Path(ge=1, le=1_000_000)]

_AMOUNTS = ("total", "due", "received", "outstanding", "overdue")


def contract_public(card: dict[str, Any]) -> dict[str, Any]:
    body = {
        **{k: card[k] for k in ContractPublic.model_fields if k in card and k not in _AMOUNTS},
        **{k: amount_str(card[k]) for k in _AMOUNTS},
    }
    if "instalments" in card:
        body["instalments"] = [
            {
                **i,
                **{k: amount_str(i[k]) for k in ("amount", "settled", "lacking")},
            }
            for i in card["instalments"]
        ]
        body["payments"] = [
            {
                k: (amount_str(p["amount"]) if k == "amount" else p[k])
                for k in (
                    "number",
                    "date",
                    "amount",
                    "entry",
                    "memo",
                    "actor",
                    "allocation",
                    "reversed",
                    "reversed_on",
                    "reversal_reason",
                )
            }
            for p in card["payments"]
        ]
    return ContractPublic.model_validate(body).model_dump(mode="json", exclude_unset=False)


def contract_body(holder: Any, entity: str, code: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        card = contract_card(conn, entity, code, holder.runtime.app.today())
    if card is None:
        raise Problem(
            404,
            "not-found",
            f"contract {code} is not in the register of {entity}",
            field="contract",
            zh=f"{entity} 的合同登记簿里没有合同 {code}",
        )
    return contract_public(card), f"/v1/entities/{entity}/contracts/{code}"


@router.post(
    "/{code}/contracts",
    status_code=201,
    response_model=ContractPublic,
    responses=PROBLEMS,
    summary="Register a signed contract with its schedule (合同登记)",
)
def register(code: str, body: ContractCreate, cmd: WriterDep) -> JSONResponse:
    command = RegisterContract(
        entity=code,
        code=body.code,
        title=body.title,
        kind=body.kind,
        direction=body.direction,
        party_kind=body.party.kind,
        party_name=body.party.name,
        party_id=body.party.id_number,
        party_code=body.party.credit_code,
        subject_kind=body.subject.kind,
        subject_code=body.subject.code,
        area=body.area,
        start=body.start,
        end=body.end,
        signed_on=body.signed_on,
        instalments=tuple((i.due_on, i.amount) for i in body.instalments),
    )
    return cmd.run(command, lambda found: contract_body(cmd, code, found))


@router.get(
    "/{code}/contracts",
    responses=described(list[ContractPublic]),
    summary="The 经济合同 register of the books",
)
def list_contracts(code: str, reader: ReaderDep) -> list[dict[str, Any]]:
    require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        found = contract_register(conn, [code], reader.runtime.app.today())
    return [contract_public(c) for c in found["contracts"]]


@router.get(
    "/{code}/contracts/{contract}",
    responses=described(ContractPublic),
    summary="One contract: its instalments and receipts (payments)",
)
def get_contract(code: str, contract: str, reader: ReaderDep) -> dict[str, Any]:
    return contract_body(reader, code, contract)[0]


@router.post(
    "/{code}/contracts/{contract}/payments",
    status_code=201,
    response_model=ContractPublic,
    responses=PROBLEMS,
    summary="A receipt (payment) against the contract's instalments",
)
def record_payment(
    code: str, contract: str, body: ContractPaymentCreate, cmd: WriterDep
) -> JSONResponse:
    command = RecordContractPayment(
        entity=code,
        code=contract,
        date=body.date,
        amount=body.amount,
        instalment=body.instalment,
        entry=body.entry,
        memo=body.memo,
    )
    return cmd.run(command, lambda _number: contract_body(cmd, code, contract))


@router.post(
    "/{code}/contracts/{contract}/payments/{number}/reversal",
    status_code=200,
    response_model=ContractPublic,
    responses=PROBLEMS,
    summary="Take back a receipt (payment) recorded by mistake",
)
def reverse_payment(
    code: str, contract: str, number: NumberPath, body: PaymentReversal, cmd: WriterDep
) -> JSONResponse:
    command = ReverseContractPayment(
        entity=code, code=contract, number=number, date=body.date, reason=body.reason
    )
    return cmd.run(command, lambda _number: contract_body(cmd, code, contract), status=200)


@router.post(
    "/{code}/contracts/{contract}/end",
    status_code=200,
    response_model=ContractPublic,
    responses=PROBLEMS,
    summary="到期终止: the term has run",
)
def end(code: str, contract: str, body: ContractEnd, cmd: WriterDep) -> JSONResponse:
    command = EndContract(entity=code, code=contract, date=body.date)
    return cmd.run(command, lambda found: contract_body(cmd, code, found), status=200)


@router.post(
    "/{code}/contracts/{contract}/termination",
    status_code=200,
    response_model=ContractPublic,
    responses=PROBLEMS,
    summary="解除: close the contract early, with the reason",
)
def terminate(code: str, contract: str, body: ContractTermination, cmd: WriterDep) -> JSONResponse:
    command = TerminateContract(entity=code, code=contract, date=body.date, reason=body.reason)
    return cmd.run(command, lambda found: contract_body(cmd, code, found), status=200)


@router.get(
    "/{code}/contract-reminders",
    responses=described(RemindersPublic),
    summary="What the 工作台 warns of: instalments due soon, rents overdue, idle resources",
)
def reminders(
    code: str,
    reader: ReaderDep,
    within: Annotated[int, Query(ge=0, le=366, description="days ahead")] = DUE_DAYS,
) -> dict[str, Any]:
    require_entity(reader, code)
    today = reader.runtime.app.today()
    with reader.runtime.engine.connect() as conn:
        due, overdue = dashboard_queries.contract_warnings(
            conn, [code], today, today + datetime.timedelta(days=within)
        )
        idle = dashboard_queries.idle_resources(conn, [code], today)
    return RemindersPublic.model_validate(
        {
            "entity": code,
            "today": today,
            "within_days": within,
            "due_soon": [{**r, "amount": amount_str(from_fen(r["lacking"]))} for r in due],
            "rents_overdue": [{**r, "amount": amount_str(from_fen(r["overdue"]))} for r in overdue],
            "idle": idle,
        }
    ).model_dump(mode="json")


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "resources")
DUTIES = {
    ("POST", "/v1/entities/{code}/contracts"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/payments"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/payments/{number}/reversal"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/end"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/termination"): "books.write",
}
