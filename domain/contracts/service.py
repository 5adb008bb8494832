"""The commands of the 经济合同 register (``app.contracts``): register a contract, record a
receipt or payment against its instalments, reverse one recorded by mistake, end it when its term
has run, terminate it with the reason. A contract on a resource is attached to the resource
(``domain.resources``) in the same save, and released from it when it closes."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from domain.contracts import (
    CREDIT_CODE,
    DEFAULT_DIRECTION,
    DIRECTIONS,
    KINDS,
    PARTIES,
    SUBJECTS,
    Contract,
    checked_schedule,
    checked_term,
    contract_id,
    party_subject,
)
from domain.errors import ConflictError, InvalidRequestError, NotFoundError
from domain.port import Port
from domain.privacy import id_number_problem
from domain.resources import Resource, checked_area, checked_choice, checked_day, checked_line
from domain.resources.service import ResourceService, checked_code, dated
from ledger.money import MAX_AMOUNT, money


class ContractService:
    """The 经济合同 register; ``app.contracts``."""

    def __init__(self, port: Port, resources: ResourceService) -> None:
        self.port = port
        self.resources = resources

    def get_contract(self, entity: str, code: str) -> Contract:
        return self.port.load(
            contract_id(entity, code),
            Contract,
            NotFoundError(
                f"contract {code} is not in the register of {entity}",
                field="contract",
                zh=f"{entity} 的合同登记簿里没有合同 {code}",
            ),
        )

    def register(
        self,
        *,
        entity: str,
        code: object,
        title: object,
        kind: object,
        party_kind: object,
        party_name: object,
        subject_kind: object,
        start: object,
        end: object,
        signed_on: object,
        instalments: Sequence[tuple[datetime.date, object]],
        actor: str,
        direction: object = None,
        party_id: object = "",
        party_code: object = "",
        subject_code: object = "",
        area: object = None,
    ) -> Contract:
        """Register a signed contract in the books of ``entity`` with its schedule."""
        checked = checked_code(code, what="合同编号")
        name = checked_line(title, field="title", what="合同名称", required=True)
        sort = checked_choice(kind, KINDS, field="kind", what="合同类别")
        way = checked_choice(
            direction or DEFAULT_DIRECTION[sort], DIRECTIONS, field="direction", what="收付方向"
        )
        party = checked_choice(party_kind, PARTIES, field="party_kind", what="对方类别")
        party_text = checked_line(party_name, field="party_name", what="对方名称", required=True)
        id_number = _id_number(party, party_id)
        credit_code = _credit_code(party, party_code)
        subject = checked_choice(subject_kind, SUBJECTS, field="subject_kind", what="合同标的")
        subject_text = _subject_code(subject, subject_code)
        first = checked_day(start, field="start", what="合同起日")
        last = checked_day(end, field="end", what="合同止日")
        signed = dated(
            signed_on,
            self.port.today(),
            what="签订日期",
            words="a contract's signing",
            field="signed_on",
        )
        checked_term(first, last, signed)
        schedule = checked_schedule(instalments, first, last)
        if subject != "resource" and area not in (None, ""):
            raise InvalidRequestError(
                "an area is given only for a contract on a resource",
                field="area",
                zh="只有以资源为标的的合同才填发包面积",
            )

        def command() -> Contract:
            books = self.port.get_books(entity)  # 404 when there are none
            if self.port.exists(contract_id(entity, checked)):
                raise ConflictError(
                    f"contract {checked} is already in the register of {entity}",
                    field="code",
                    zh=f"{entity} 的合同登记簿里已有编号 {checked} 的合同，请换一个编号",
                )
            resource: Resource | None = None
            let = ""
            if subject == "resource":
                resource = self.resources.get_resource(entity, subject_text)
                size = (
                    resource.area
                    if area in (None, "")
                    else checked_area(area, resource.unit, field="area")
                )
                resource.attach_contract(
                    contract=checked, start=first, end=last, area=size, actor=actor
                )
                let = str(size)
            sealed = (
                self.port.vault.seal(party_subject(entity, checked), id_number) if id_number else ""
            )
            contract = Contract(
                entity=entity,
                township=books.township,
                code=checked,
                title=name,
                kind=sort,
                direction=way,
                party_kind=party,
                party_name=party_text,
                party_id=sealed,
                party_code=credit_code,
                subject_kind=subject,
                subject_code=subject_text,
                area=let,
                start=first,
                end=last,
                signed_on=signed,
                instalments=schedule,
                actor=actor,
            )
            self.port.save(*(a for a in (contract, resource) if a is not None))
            return contract

        return self.port.retrying(command)

    def record_payment(
        self,
        *,
        entity: str,
        code: str,
        date: object,
        amount: object,
        actor: str,
        instalment: datetime.date | None = None,
        entry: object = "",
        memo: object = "",
    ) -> int:
        """A receipt (or, on a payable contract, a payment) against the contract's instalments;
        ``entry`` names the voucher (凭证号) of the books that took it, when it went through
        them. Answers the payment's number in the contract."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)
        day = dated(
            date,
            self.port.today(),
            what="收付款日期",
            words="a receipt or payment under a contract",
        )
        if instalment is not None:
            checked_day(instalment, field="instalment", what="所收（付）的那一期")
        number = checked_line(entry, field="entry", what="凭证号")
        note = checked_line(memo, field="memo", what="摘要")

        def command() -> int:
            contract = self.get_contract(entity, code)
            if number and not self.port.get_books(entity).has_entry(number):
                raise NotFoundError(
                    f"entry {number} is not in the books of {entity}",
                    field="entry",
                    zh=f"{entity} 的账簿里没有凭证号 {number}，请核对（凭证记账后才有凭证号）",
                )
            recorded = contract.record_payment(
                date=day,
                amount=value,
                instalment=instalment,
                entry=number,
                memo=note,
                actor=actor,
            )
            self.port.save(contract)
            return recorded

        return self.port.retrying(command)

    def reverse_payment(
        self, *, entity: str, code: str, number: int, date: object, reason: object, actor: str
    ) -> int:
        """Take back a receipt (payment) recorded by mistake, with the reason."""
        why = checked_line(reason, field="reason", what="冲销原因", required=True)
        day = dated(
            date, self.port.today(), what="冲销日期", words="the reversal of a receipt or payment"
        )

        def command() -> int:
            contract = self.get_contract(entity, code)
            contract.reverse_payment(number=number, date=day, reason=why, actor=actor)
            self.port.save(contract)
            return number

        return self.port.retrying(command)

    def _closing(self, contract: Contract, day: datetime.date, actor: str) -> list[object]:
        """The contract and, when it lets a resource, the resource released from ``day``."""
        if contract.subject_kind != "resource":
            return [contract]
        resource = self.resources.get_resource(contract.entity, contract.subject_code)
        resource.release_contract(contract=contract.code, date=day, actor=actor)
        return [contract, resource]

    def end(self, *, entity: str, code: str, date: object, actor: str) -> Contract:
        """到期终止: on or after the last day of the term."""
        day = dated(date, self.port.today(), what="终止日期", words="the end of a contract")

        def command() -> Contract:
            contract = self.get_contract(entity, code)
            contract.end_term(date=day, actor=actor)
            self.port.save(*self._closing(contract, day, actor))
            return contract

        return self.port.retrying(command)

    def terminate(
        self, *, entity: str, code: str, date: object, reason: object, actor: str
    ) -> Contract:
        """解除: closed on ``date`` with the reason; instalments due after it are not due."""
        why = checked_line(reason, field="reason", what="解除原因", required=True)
        day = dated(date, self.port.today(), what="解除日期", words="the termination of a contract")

        def command() -> Contract:
            contract = self.get_contract(entity, code)
            contract.terminate(date=day, reason=why, actor=actor)
            self.port.save(*self._closing(contract, day, actor))
            return contract

        return self.port.retrying(command)


def _id_number(party: str, value: object) -> str:
    text = checked_line(value or "", field="party_id", what="身份证号").upper()
    if not text:
        return ""
    if party != "person":
        raise InvalidRequestError(
            "an ID number is given only for a natural person",
            field="party_id",
            zh="只有对方是自然人时才填身份证号；单位请填统一社会信用代码",
        )
    if id_number_problem(text) is not None:
        raise InvalidRequestError(
            f"party_id: {id_number_problem(text)}",
            field="party_id",
            zh="身份证号有误：应为 17 位数字加 1 位数字或 X，且校验位正确",
        )
    return text


def _credit_code(party: str, value: object) -> str:
    text = checked_line(value or "", field="party_code", what="统一社会信用代码").upper()
    if not text:
        return ""
    if party == "person":
        raise InvalidRequestError(
            "a credit code is given only for an organisation",
            field="party_code",
            zh="自然人没有统一社会信用代码，请填身份证号",
        )
    if not CREDIT_CODE.match(text):
        raise InvalidRequestError(
            "party_code is not a 统一社会信用代码 (18 characters)",
            field="party_code",
            zh="统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）",
        )
    return text


def _subject_code(subject: str, value: object) -> str:
    if subject == "other":
        return checked_line(value or "", field="subject_code", what="标的说明")
    return checked_code(value, field="subject_code", what="标的编号")
