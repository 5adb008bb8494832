"""The commands on enterprise agreements: sign one, the enterprise declares a dividend, its
保底 shortfall is booked, the dividend is received, and a dividend is corrected.
``AgreementService`` receives the application's port (``domain.port``) and the books' service.

**Dividend correction** (分红更正), as an accountant would post it: the declaration (112/502) or
the receipt (102/112) reversed in red ink and the right amount posted again (0.00 cancels it);
the agreement's declared or received amount for the year changes by the difference, in the same
save (one fact, every book: no book left disagreeing with another;
``domain/pooling/service.py`` corrects the others).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from moneyed import Money

from domain.agreement import EnterpriseAgreement, agreement_id
from domain.books import JointEntity
from domain.books.service import BooksService
from domain.bounds import MAX_PERCENT, check_decimal
from domain.codes import require_code
from domain.errors import AgreementNotFoundError, ConflictError, InvalidRequestError
from domain.port import Port
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, format_yuan, money


class AgreementService:
    """Enterprise agreements and their dividends; ``app.agreements``."""

    def __init__(self, port: Port, books: BooksService) -> None:
        self.port = port
        self.books = books

    def get_agreement(self, code: str) -> EnterpriseAgreement:
        return self.port.load(
            agreement_id(code),
            EnterpriseAgreement,
            AgreementNotFoundError(
                f"agreement {code} does not exist; sign it first", field="agreement"
            ),
        )

    def sign_agreement(
        self,
        *,
        code: str,
        alliance: str,
        enterprise: str,
        signed_on: datetime.date,
        start_year: int,
        years: int,
        invested_capital: object,
        guarantee_kind: str,
        guarantee_value: Decimal,
        profit_share_percent: Decimal,
        payment_due: str,
        actor: str,
    ) -> EnterpriseAgreement:
        require_code(code)
        if guarantee_kind == "amount":
            money(guarantee_value, field="guarantee.value", maximum=MAX_AMOUNT)
        check_decimal(profit_share_percent, field="profit_share_percent", maximum=MAX_PERCENT)
        target = self.port.get_alliance(alliance)
        if enterprise not in target.enterprises:
            raise InvalidRequestError(
                f"enterprise {enterprise} has not joined alliance {alliance}; partners: "
                f"{', '.join(target.enterprises) or 'none yet'}",
                field="enterprise",
            )
        if target.joint_entity_code is None:
            raise ConflictError(
                f"alliance {alliance} has no joint entity to receive the dividends; register "
                "it first",
                field="alliance",
            )
        agreement = EnterpriseAgreement.sign(
            code=code,
            alliance_code=alliance,
            joint_entity_code=target.joint_entity_code,
            enterprise_code=enterprise,
            signed_on=signed_on,
            start_year=start_year,
            years=years,
            invested_capital=money(invested_capital, field="invested_capital", maximum=MAX_AMOUNT),
            guarantee_kind=guarantee_kind,
            guarantee_value=guarantee_value,
            profit_share_percent=profit_share_percent,
            payment_due=payment_due,
            actor=actor,
        )
        self.port.save_new(agreement, what=f"agreement {code}")
        return agreement

    def declare_dividend(
        self, *, agreement: str, year: int, amount: object, date: datetime.date, actor: str
    ) -> JournalEntry:
        """The enterprise declares a dividend: 借 112 应收款-enterprise / 贷 502 投资收益."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> JournalEntry:
            terms = self.get_agreement(agreement)
            pool = self.port.get_joint(terms.joint_entity_code)
            # once a 保底 shortfall is booked, a later declaration adds only what goes above it
            booked = terms.receivable_after(year, value) - terms.receivable_for(year)
            if booked == ZERO:
                raise ConflictError(
                    f"agreement {agreement}: the guarantee shortfall booked for {year} already "
                    f"makes {format_yuan(terms.receivable_for(year))} receivable; a declaration "
                    f"of {format_yuan(value)} more adds nothing above it",
                    field="amount",
                )
            memo = f"{terms.enterprise_code}宣告{year}年度分红（协议{agreement}）"
            if booked != value:
                memo += f"，其中{format_yuan(value - booked)}已作保底差额入账"
            entry = self._book_receivable(terms, pool, booked, date=date, memo=memo, actor=actor)
            terms.declare_dividend(
                year=year, amount=value, date=date, entry_number=entry.number, actor=actor
            )
            self.port.save(terms, pool)
            return entry

        return self.port.retrying(command)

    def _book_receivable(
        self,
        terms: EnterpriseAgreement,
        pool: JointEntity,
        amount: Money,
        *,
        date: datetime.date,
        memo: str,
        actor: str,
    ) -> JournalEntry:
        """借 112{enterprise} 应收款 / 贷 502 投资收益 in the joint entity's books, opening the
        receivable (named after the enterprise) the first time: what a declared dividend and a
        booked 保底 shortfall both post."""
        source = f"agreement:{terms.code}"
        enterprise = self.port.get_alliance(terms.alliance_code).enterprises.get(
            terms.enterprise_code, terms.enterprise_code
        )
        pool.ensure_account(
            terms.receivable_account, f"应收款-{enterprise}", actor=actor, source=source
        )
        return pool.post_entry(
            date=date,
            memo=memo,
            postings=[
                {"account": terms.receivable_account, "side": "debit", "amount": amount},
                {"account": "502", "side": "credit", "amount": amount},
            ],
            actor=actor,
            source=source,
        )

    def book_guarantee_shortfall(
        self, *, agreement: str, year: int, date: datetime.date, actor: str
    ) -> JournalEntry:
        """Book what the enterprise owes under its guarantee (保底) beyond what it declared for
        ``year``: 借 112 应收款-enterprise / 贷 502 投资收益 in the joint entity's books, so the
        arrears are on the balance sheet (the guarantee is income the contract entitles the
        joint entity to, receivable like a declared dividend). On or after the year's payment
        day; once per shortfall."""

        def command() -> JournalEntry:
            terms = self.get_agreement(agreement)
            pool = self.port.get_joint(terms.joint_entity_code)
            shortfall = terms.guarantee_shortfall(year, date)
            memo = (
                f"{terms.enterprise_code}{year}年度保底差额（协议{agreement}）：保底"
                f"{format_yuan(terms.guaranteed_for(year))}，已宣告"
                f"{format_yuan(terms.declared_for(year))}"
            )
            entry = self._book_receivable(terms, pool, shortfall, date=date, memo=memo, actor=actor)
            terms.book_guarantee_shortfall(
                year=year, amount=shortfall, date=date, entry_number=entry.number, actor=actor
            )
            self.port.save(terms, pool)
            return entry

        return self.port.retrying(command)

    def receive_dividend(
        self, *, agreement: str, year: int, amount: object, date: datetime.date, actor: str
    ) -> JournalEntry:
        """The declared dividend arrives: 借 102 银行存款 / 贷 112 应收款-enterprise."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> JournalEntry:
            terms = self.get_agreement(agreement)
            pool = self.port.get_joint(terms.joint_entity_code)
            entry = pool.post_entry(
                date=date,
                memo=f"收到{terms.enterprise_code}{year}年度分红（协议{agreement}）",
                postings=[
                    {"account": "102", "side": "debit", "amount": value},
                    {"account": terms.receivable_account, "side": "credit", "amount": value},
                ],
                actor=actor,
                source=f"agreement:{agreement}",
            )
            terms.receive_dividend(  # checked before anything is saved; names its voucher
                year=year, amount=value, date=date, entry_number=entry.number, actor=actor
            )
            self.port.save(terms, pool)
            return entry

        return self.port.retrying(command)

    # -- dividend correction ------------------------------------------------------------

    def _entry_year(self, agreement_aggregate_id: UUID, entry: str) -> int | None:
        """The year the agreement recorded ``entry`` under, when it recorded its number."""
        for event in self.port.stream(agreement_aggregate_id):
            numbers = (
                getattr(event, "entry_number", None),
                getattr(event, "new_entry_number", None),
            )
            if entry in numbers and hasattr(event, "year"):
                return int(event.year)
        return None

    def correct_dividend(
        self,
        *,
        agreement: str,
        entry: str,
        year: int,
        amount: object,
        date: datetime.date,
        reason: str,
        actor: str,
    ) -> dict[str, Any]:
        """Correct a dividend declared or received under an agreement: the joint entity's entry
        ``entry`` reversed in red ink, ``amount`` posted again (0.00 cancels), and the agreement's
        record for ``year`` changed by the difference, in one save.

        Returns:
            ``{"kind": "declared"|"received", "reversal": entry, "entry": entry or None}``.
        """
        new = money(amount, field="amount")
        if not reason.strip():
            raise InvalidRequestError("a dividend correction needs a reason", field="reason")

        def command() -> dict[str, Any]:
            terms = self.get_agreement(agreement)
            pool = self.port.get_joint(terms.joint_entity_code)
            original, source = self.books.find_posted(pool.code, entry)
            if source != f"agreement:{agreement}":
                raise InvalidRequestError(
                    f"entry {entry} of {pool.code} is not a dividend of agreement {agreement}; "
                    "name the entry of the declaration or receipt to correct",
                    field="entry",
                )
            recorded = self._entry_year(terms.id, entry)
            if recorded is not None and recorded != year:
                raise InvalidRequestError(
                    f"entry {entry} is recorded under {recorded}, not {year}", field="year"
                )
            account = terms.receivable_account
            declared = any(
                p.account == account and p.side.value == "debit" for p in original.postings
            )
            kind = "declared" if declared else "received"
            old = original.debit_total
            why = f"分红更正：{reason.strip()}"
            reversal = pool.reverse_entry(
                original=original,
                date=date,
                reason=why,
                actor=actor,
                source=source,
                correction=True,
            )
            again: JournalEntry | None = None
            if new > ZERO:
                again = pool.post_entry(
                    date=date,
                    memo=f"{original.memo}（更正{entry}）",
                    postings=[
                        {"account": p.account, "side": p.side.value, "amount": new}
                        for p in original.postings
                    ],
                    actor=actor,
                    source=source,
                )
            terms.correct_dividend(
                year=year,
                kind=kind,
                entry_number=entry,
                reversal_number=reversal.number,
                new_entry_number=again.number if again is not None else None,
                old_amount=old,
                new_amount=new,
                date=date,
                reason=reason.strip(),
                actor=actor,
            )
            self.port.save(terms, pool)
            return {"kind": kind, "reversal": reversal, "entry": again}

        return self.port.retrying(command)
