"""经济合同 (the 经济合同登记簿 of the books a person sees) in the workbench: the list with what is
due, received and overdue, a contract's page with its instalments and receipts, and the forms.

- ``GET /contracts?entity=&subject=``: the contracts of the person's books (one book's), totals
  by direction; with a book chosen, the form to register a contract in it (on resource
  ``subject`` when named: the resource page's link);
- ``POST /contracts/{entity}``: register a contract with its schedule
  (``contracts.RegisterContract``): the instalments one a line (``2026-04-01 12000``), or the
  same amount every month, quarter, half year or year of the term;
- ``GET /contracts/{entity}/{code}``: the contract, each instalment (due, received, lacking,
  overdue) and each receipt (payment), with the forms:
- ``POST /contracts/{entity}/{code}/payments``: a receipt (payment) against its instalments,
  naming the voucher (凭证号) that took the money into the books when it went through them;
- ``POST /contracts/{entity}/{code}/payments/{number}/reversal``: one recorded by mistake;
- ``POST /contracts/{entity}/{code}/end`` (到期终止) and ``/termination`` (解除, with the reason).

Every page is scoped by township (another township's book or contract is not found, 404); the
forms need ``books.write`` (记账/主管), as the API's routes do. A natural person's ID number is
shown masked.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from documents.registers_resources import contract_card, contract_register
from domain.bounds import MAX_MU
from domain.contracts import (
    DEFAULT_DIRECTION,
    DIRECTIONS,
    EVERY,
    KINDS,
    PARTIES,
    SUBJECTS,
    regular_schedule,
)
from domain.contracts.commands import (
    EndContract,
    RecordContractPayment,
    RegisterContract,
    ReverseContractPayment,
    TerminateContract,
)
from domain.errors import DomainError
from ledger.errors import LedgerError
from ledger.money import written_amount
from projections import resources_queries
from web.tokens import Principal
from workbench import register_forms as fields
from workbench import scope
from workbench.registers import engine_of, entities, form_of, missing, today
from workbench.render import FormRefused, page, refusal
from workbench.session import FormUser, PageUser

router = APIRouter()

_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[\s,，、：:]+(\S+)\s*$")


def index_page(
    request: Request,
    user: Principal,
    *,
    entity: str = "",
    subject: str = "",
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    books = entities(engine_of(request), user)
    chosen = next((e for e in books if e["code"] == entity), None)
    codes = [chosen["code"]] if chosen else [e["code"] for e in books]
    on = today(request)
    with engine_of(request).connect() as conn:
        register = contract_register(conn, codes, on) if codes else None
        resources = (
            resources_queries.resource_rows(conn, [chosen["code"]], retired=False) if chosen else []
        )
    return page(
        request,
        user,
        "contract_index.html",
        status=error.status if error else 200,
        books=books,
        chosen=chosen,
        names={e["code"]: e["name"] for e in books},
        register=register,
        directions=DIRECTIONS,
        subject=subject,
        resource_options=[(r["code"], f"{r['code']} {r['name']}") for r in resources],
        kinds=list(KINDS.items()),
        direction_options=[
            ("", "按类别（工程、采购、服务为应付，其余为应收）"),
            *DIRECTIONS.items(),
        ],
        parties=list(PARTIES.items()),
        subjects=list(SUBJECTS.items()),
        every=[("", "按下面逐期填写")] + [(str(m), w) for m, w in EVERY.items()],
        today=on,
        error=error,
        form=dict(form or {}),
    )


@router.get("/contracts")
def index(request: Request, user: PageUser, entity: str = "", subject: str = "") -> Response:
    return index_page(request, user, entity=entity, subject=subject)


def contract_page(
    request: Request,
    user: Principal,
    entity: str,
    code: str,
    *,
    form: Mapping[str, Any] | None = None,
    error: FormRefused | None = None,
) -> Response:
    """The contract's page (with a refusal beside its form), or 404 for one that does not
    exist or that ``user`` does not see."""
    with engine_of(request).connect() as conn:
        card = (
            contract_card(conn, entity, code, today(request))
            if scope.sees_entity(conn, user, entity)
            else None
        )
    if card is None:
        return missing(request, user, f"合同 {code}")
    names = {e["code"]: e["name"] for e in entities(engine_of(request), user)}
    return page(
        request,
        user,
        "contract_show.html",
        status=error.status if error else 200,
        c=card,
        book_name=names.get(entity, entity),
        today=today(request),
        error=error,
        form=dict(form or {}),
    )


@router.get("/contracts/{entity}/{code}")
def show(request: Request, user: PageUser, entity: str, code: str) -> Response:
    return contract_page(request, user, entity, code)


# -- the forms -------------------------------------------------------------------------------


def schedule(form: Mapping[str, Any], start: datetime.date, end: datetime.date) -> tuple[Any, ...]:
    """The instalments a form gives: the same amount every period of the term, or one a line
    (``2026-04-01 12000``)."""
    every = fields.text(form, "every")
    if every:
        amount = fields.amount(form, "every_amount", "每期金额")
        try:
            return tuple(regular_schedule(start, end, amount, int(every)))
        except (DomainError, LedgerError) as exc:
            raise refusal(exc) from exc
    rows = []
    text = form.get("instalments")
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise FormRefused(
                f"第{number}行请写成“日期 金额”，如 2026-04-01 12000", field="instalments"
            )
        try:
            due = datetime.date.fromisoformat(match.group(1))
        except ValueError:
            raise FormRefused(
                f"第{number}行的日期不对：{match.group(1)}", field="instalments"
            ) from None
        rows.append((due, written_amount(match.group(2))))
    return tuple(rows)


@router.post("/contracts/{entity}")
async def register(request: Request, user: FormUser, entity: str) -> Response:
    with engine_of(request).connect() as conn:
        seen = scope.sees_entity(conn, user, entity)
    if not seen:  # before anything is read from the form
        return missing(request, user, f"单位 {entity}")
    form = {**(await form_of(request)), "which": "register"}

    def build() -> RegisterContract:
        kind = fields.text(form, "kind")
        if kind not in KINDS:
            raise FormRefused("请选择合同类别", field="kind")
        direction = fields.text(form, "direction") or DEFAULT_DIRECTION[kind]
        if direction not in DIRECTIONS:
            raise FormRefused("请选择收付方向", field="direction")
        party = fields.text(form, "party_kind")
        if party not in PARTIES:
            raise FormRefused("请选择对方类别", field="party_kind")
        subject = fields.text(form, "subject_kind")
        if subject not in SUBJECTS:
            raise FormRefused("请选择合同标的", field="subject_kind")
        start = fields.day(form, "start", "合同起日")
        end = fields.day(form, "end", "合同止日")
        area = fields.text(form, "area")
        return RegisterContract(
            entity=entity,
            code=fields.code(form, "code", "合同编号", "HT-2025-01"),
            title=fields.line(form, "title", "合同名称"),
            kind=kind,
            direction=direction,
            party_kind=party,
            party_name=fields.line(form, "party_name", "对方名称"),
            party_id=fields.line(form, "party_id", "身份证号", required=False),
            party_code=fields.line(form, "party_code", "统一社会信用代码", required=False),
            subject_kind=subject,
            subject_code=(
                fields.line(form, "subject_code", "资源编号", required=False)
                if subject == "resource"
                else fields.line(form, "subject_other", "资产编号或标的说明", required=False)
            ),
            area=str(fields.decimal(form, "area", "发包面积", most=MAX_MU * 1000, positive=True))
            if area
            else None,
            start=start,
            end=end,
            signed_on=fields.day(form, "signed_on", "签订日期"),
            instalments=schedule(form, start, end),
        )

    return fields.write(
        request,
        user,
        form,
        build,
        lambda code: f"/contracts/{entity}/{code}?saved=1",
        lambda refused: index_page(
            request,
            user,
            entity=entity,
            subject=fields.text(form, "subject_code"),
            form=form,
            error=refused,
        ),
    )


def _on_contract(
    request: Request, user: Principal, entity: str, code: str, form: Mapping[str, Any], build: Any
) -> Response:
    with engine_of(request).connect() as conn:
        seen = scope.sees_entity(conn, user, entity)
    if not seen:  # before anything is read from the form
        return missing(request, user, f"合同 {code}")
    return fields.write(
        request,
        user,
        form,
        build,
        lambda _: f"/contracts/{entity}/{code}?saved=1",
        lambda refused: contract_page(request, user, entity, code, form=form, error=refused),
    )


@router.post("/contracts/{entity}/{code}/payments")
async def record_payment(request: Request, user: FormUser, entity: str, code: str) -> Response:
    form = {**(await form_of(request)), "which": "payment"}

    def build() -> RecordContractPayment:
        instalment = fields.text(form, "instalment")
        return RecordContractPayment(
            entity=entity,
            code=code,
            date=fields.day(form, "date", "收付款日期"),
            amount=fields.amount(form, "amount", "金额"),
            instalment=fields.day(form, "instalment", "哪一期") if instalment else None,
            entry=fields.line(form, "entry", "凭证号", required=False),
            memo=fields.line(form, "memo", "摘要", required=False),
        )

    return _on_contract(request, user, entity, code, form, build)


@router.post("/contracts/{entity}/{code}/payments/{number}/reversal")
async def reverse_payment(
    request: Request, user: FormUser, entity: str, code: str, number: str
) -> Response:
    form = {**(await form_of(request)), "which": f"reverse-{number}"}

    def build() -> ReverseContractPayment:
        if not number.isdigit() or not 1 <= int(number) <= 1_000_000:
            raise FormRefused(f"没有第 {number[:10]} 笔", field="number")
        return ReverseContractPayment(
            entity=entity,
            code=code,
            number=int(number),
            date=fields.day(form, "date", "冲销日期"),
            reason=fields.line(form, "reason", "冲销原因"),
        )

    return _on_contract(request, user, entity, code, form, build)


@router.post("/contracts/{entity}/{code}/end")
async def end(request: Request, user: FormUser, entity: str, code: str) -> Response:
    form = {**(await form_of(request)), "which": "end"}

    def build() -> EndContract:
        return EndContract(entity=entity, code=code, date=fields.day(form, "date", "终止日期"))

    return _on_contract(request, user, entity, code, form, build)


@router.post("/contracts/{entity}/{code}/termination")
async def terminate(request: Request, user: FormUser, entity: str, code: str) -> Response:
    form = {**(await form_of(request)), "which": "terminate"}

    def build() -> TerminateContract:
        return TerminateContract(
            entity=entity,
            code=code,
            date=fields.day(form, "date", "解除日期"),
            reason=fields.line(form, "reason", "解除原因"),
        )

    return _on_contract(request, user, entity, code, form, build)


# What this page family's paths read (web.views) and the duties of its forms (web.duties: as
# the API's contract routes, books.write)
READ_MODELS = ("ledger", "resources")
DUTIES = {
    ("POST", "/contracts/{entity}"): "books.write",
    ("POST", "/contracts/{entity}/{code}/payments"): "books.write",
    ("POST", "/contracts/{entity}/{code}/payments/{number}/reversal"): "books.write",
    ("POST", "/contracts/{entity}/{code}/end"): "books.write",
    ("POST", "/contracts/{entity}/{code}/termination"): "books.write",
}
