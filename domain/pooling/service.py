"""Pooling into a joint entity (资金池): what member villages pay in (capital, land shares), land
rent paid out to them, grants received, ordinary receipts and payments, and the corrections of
the operations that post into more than one book. ``PoolingService`` receives the application's
port (``domain.port``) and the books' service (to read entries back from their streams).

Corrections of operations that post into more than one book: one fact, corrected in every book
it was posted into.

A fact the system posted into several books (capital paid in, land rent, a dividend and the
agreement's record of it) is corrected only by an operation that changes every one of them in
the same save; the generic red-ink reversal of one book refuses such entries
(``domain.sources``). Plans are corrected by a superseding plan (``execute_plan``); the
dividend by ``domain/agreement/service.py``; this module the others. Each is a command of
``PoolingService``, which loads what it needs, lets the aggregates check and record, and saves
them together.

How each correction is posted, as an accountant would:

- **capital refund** (退还资本): a counter-entry on its own date, since money really goes back:
  joint entity 借 301 资本-village / 贷 102; village 借 102 / 贷 141 长期投资-joint; the equity
  register reduced by programme. Also how a village that left the alliance takes its capital
  back (it need not be a member on the day).
- **land rent correction** (土地流转费更正): both entries reversed in red ink, and the right rent
  (mu × rate) posted again in both books when it is given; without it the rent is cancelled.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from moneyed import Money

from domain.books import JointEntity, VillageCollective
from domain.books.chart import AccountNotOpenError
from domain.books.rules import require_cash
from domain.books.service import BooksService
from domain.bounds import MAX_GRADE, MAX_MU, check_decimal
from domain.distribution import plain_decimal
from domain.errors import ConflictError, InvalidRequestError, OverDistributionError
from domain.port import Port
from domain.programmes import programme_name
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, format_yuan, money


class PoolingService:
    """Capital, land, land rent, grants, receipts and payments, and their corrections;
    ``app.pooling``."""

    def __init__(self, port: Port, books: BooksService) -> None:
        self.port = port
        self.books = books

    def member_village(
        self, joint: JointEntity, village: str, day: datetime.date
    ) -> VillageCollective:
        books = self.port.get_village(village)
        alliance = self.port.get_alliance(joint.alliance_code)
        if village not in alliance.members_on(day):
            raise InvalidRequestError(
                f"village {village} is not a member of alliance {alliance.code} on {day}; only "
                "member villages deal with its joint entity",
                field="village",
                zh=f"村 {village} 在 {day} 不是联村党组织 {alliance.code} 的成员村；只有成员村"
                "才能与联合社往来（入股、流转费、退还资本）",
            )
        return books

    def contribute_capital(
        self,
        *,
        joint: str,
        village: str,
        programme: str,
        amount: object,
        date: datetime.date,
        actor: str,
    ) -> tuple[JournalEntry, JournalEntry]:
        """A village pays capital into the joint entity: 借 141 长期投资-joint / 贷 102 in the
        village's books, 借 102 / 贷 301 资本-village in the joint entity's, in one save."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> tuple[JournalEntry, JournalEntry]:
            pool = self.port.get_joint(joint)
            books = self.member_village(pool, village, date)
            require_cash(books, value, f"to pay into {joint}")
            name = programme_name(programme)
            books.ensure_account(
                f"141{joint}", f"长期投资-{pool.name}", actor=actor, source=f"capital:{joint}"
            )
            paid = books.post_entry(
                date=date,
                memo=f"向{pool.name}投入资本（{name}）",
                postings=[
                    {"account": f"141{joint}", "side": "debit", "amount": value},
                    {"account": "102", "side": "credit", "amount": value},
                ],
                actor=actor,
                source=f"capital:{joint}",
            )
            received = pool.contribute_capital(
                village=village,
                programme=programme,
                amount=value,
                date=date,
                actor=actor,
                village_name=books.name,
            )
            self.port.save(books, pool)
            return paid, received

        return self.port.retrying(command)

    def contribute_land(
        self,
        *,
        joint: str,
        village: str,
        mu: Decimal,
        grade: Decimal,
        value_per_mu: object,
        term_years: int,
        date: datetime.date,
        actor: str,
    ) -> JointEntity:
        value = money(value_per_mu, field="value_per_mu", maximum=MAX_AMOUNT)
        check_decimal(mu, field="mu", maximum=MAX_MU, positive=True)
        check_decimal(grade, field="grade", maximum=MAX_GRADE)

        def command() -> JointEntity:
            pool = self.port.get_joint(joint)
            self.member_village(pool, village, date)
            pool.contribute_land(
                village=village,
                mu=mu,
                grade=grade,
                value_per_mu=value,
                term_years=term_years,
                date=date,
                actor=actor,
            )
            self.port.save(pool)
            return pool

        return self.port.retrying(command)

    def pay_land_rent(
        self,
        *,
        joint: str,
        village: str,
        mu: Decimal,
        rate_per_mu: object,
        year: int,
        date: datetime.date,
        actor: str,
    ) -> tuple[JournalEntry, JournalEntry]:
        """Land rent (土地流转费) paid in cash by the joint entity to a village: 借 511 经营支出 /
        贷 102 in the joint entity's books, 借 102 / 贷 501 经营收入 in the village's."""
        rate = money(rate_per_mu, allow_zero=False, field="rate_per_mu", maximum=MAX_AMOUNT)
        check_decimal(mu, field="mu", maximum=MAX_MU, positive=True)
        amount = money(
            (mu * rate.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            field="rate_per_mu",
            maximum=MAX_AMOUNT,
        )

        def command() -> tuple[JournalEntry, JournalEntry]:
            pool = self.port.get_joint(joint)
            books = self.member_village(pool, village, date)
            require_cash(pool, amount, f"of land rent to {village}")
            paid, received = post_rent(
                pool, books, mu=mu, rate=rate, year=year, date=date, actor=actor
            )
            self.port.save(pool, books)
            return paid, received

        return self.port.retrying(command)

    def receive_grant(
        self,
        *,
        joint: str,
        programme: str,
        amount: object,
        date: datetime.date,
        memo: str,
        actor: str,
    ) -> JournalEntry:
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)

        def command() -> JournalEntry:
            pool = self.port.get_joint(joint)
            entry = pool.receive_grant(
                programme=programme, amount=value, date=date, memo=memo, actor=actor
            )
            self.port.save(pool)
            return entry

        return self.port.retrying(command)

    def record_cash(
        self,
        *,
        entity: str,
        direction: str,
        account: str,
        amount: object,
        date: datetime.date,
        memo: str,
        actor: str,
    ) -> JournalEntry:
        """An ordinary receipt (借 102 / 贷 ``account``) or payment (借 ``account`` / 贷 102)."""
        value = money(amount, allow_zero=False, field="amount", maximum=MAX_AMOUNT)
        if direction not in ("receipt", "payment"):
            raise InvalidRequestError("direction is 'receipt' or 'payment'", field="direction")

        def command() -> JournalEntry:
            books = self.port.get_books(entity)
            if direction == "payment":
                require_cash(books, value, "to pay")
            bank = {"account": "102", "amount": value}
            other = {"account": account, "amount": value}
            postings = (
                [{**bank, "side": "debit"}, {**other, "side": "credit"}]
                if direction == "receipt"
                else [{**other, "side": "debit"}, {**bank, "side": "credit"}]
            )
            try:
                entry = books.post_entry(
                    date=date, memo=memo, postings=postings, actor=actor, source=direction
                )
            except AccountNotOpenError as refused:
                # the request names one account: the field at fault is that one
                refused.field = "account"
                raise
            self.port.save(books)
            return entry

        return self.port.retrying(command)

    # -- corrections of cross-book operations -------------------------------------------

    def refund_capital(
        self,
        *,
        joint: str,
        village: str,
        date: datetime.date,
        reason: str,
        actor: str,
        programme: str | None = None,
        amount: object | None = None,
    ) -> tuple[list[JournalEntry], list[JournalEntry]]:
        """Return a village's capital from the joint entity: both books and the register, one save.

        With ``programme`` and ``amount``: that much of that programme. With ``programme`` only: all
        the village holds of it. With neither: everything it holds, programme by programme (one
        entry per programme in each book), as when a village leaves the alliance.

        Returns:
            (the village's entries, the joint entity's entries), in programme order.
        """
        value = None if amount is None else money(amount, allow_zero=False, field="amount")
        if value is not None and programme is None:
            raise InvalidRequestError(
                "name the programme the amount is returned from (capital is registered by "
                "programme), or leave out the amount to return everything",
                field="programme",
            )
        if programme is not None:
            programme_name(programme)

        def command() -> tuple[list[JournalEntry], list[JournalEntry]]:
            pool = self.port.get_joint(joint)
            books = self.port.get_village(village)
            if programme is not None:
                plan = {programme: value or pool.refundable_capital(village, programme, date)}
            else:
                plan = {
                    p: pool.refundable_capital(village, p, date)
                    for p in sorted(pool.capital.get(village, {}))
                }
                plan = {p: m for p, m in plan.items() if m > ZERO}
            total = sum(plan.values(), ZERO)
            if total <= ZERO:
                raise ConflictError(
                    f"{village} holds no capital"
                    + (f" of programme {programme}" if programme else "")
                    + f" in {joint} on {date}; there is nothing to return",
                    field="programme" if programme else "village",
                )
            for code, part in plan.items():  # the register first: what it holds of each programme
                pool.check_refund(village=village, programme=code, amount=part, date=date)
            require_cash(pool, total, f"to return to {village}")
            paid = [
                pool.refund_capital(
                    village=village,
                    programme=code,
                    amount=part,
                    date=date,
                    reason=reason,
                    actor=actor,
                )
                for code, part in plan.items()
            ]
            invested = books.balance(f"141{joint}")
            if total > invested:
                raise ConflictError(
                    f"the books of {village} show {format_yuan(invested)} invested in {joint} "
                    f"(141{joint}), less than the {format_yuan(total)} to return; the two books "
                    "disagree (run verify)",
                    field="amount",
                )
            received = [
                books.post_entry(
                    date=date,
                    memo=f"收回投入{pool.name}的资本（{programme_name(code)}）：{reason.strip()}",
                    postings=[
                        {"account": "102", "side": "debit", "amount": part},
                        {"account": f"141{joint}", "side": "credit", "amount": part},
                    ],
                    actor=actor,
                    source=f"capital:{joint}",
                )
                for code, part in plan.items()
            ]
            self.port.save(pool, books)
            return received, paid

        return self.port.retrying(command)

    def correct_land_rent(
        self,
        *,
        joint: str,
        entry: str,
        date: datetime.date,
        reason: str,
        actor: str,
        mu: Decimal | None = None,
        rate_per_mu: object | None = None,
        year: int | None = None,
    ) -> dict[str, Any]:
        """Correct a land rent payment in both books, in one save: the joint entity's entry
        ``entry`` and the village's matching entry are reversed in red ink; with ``mu``,
        ``rate_per_mu`` and ``year`` the right rent is posted again in both books.

        Returns:
            ``{"village": code, "reversals": {entity: entry}, "corrected": {entity: entry}}``.
        """
        given = [x is not None for x in (mu, rate_per_mu, year)]
        if any(given) and not all(given):
            raise InvalidRequestError(
                "give mu, rate_per_mu and year of the right rent, or none of them to cancel "
                "the rent",
                field="mu" if mu is None else "rate_per_mu" if rate_per_mu is None else "year",
            )
        rate = (
            None
            if rate_per_mu is None
            else money(rate_per_mu, allow_zero=False, field="rate_per_mu")
        )
        if mu is not None and (not mu.is_finite() or mu <= 0):
            raise InvalidRequestError("mu must be a positive number", field="mu")
        if not reason.strip():
            raise InvalidRequestError("a land rent correction needs a reason", field="reason")

        def command() -> dict[str, Any]:
            pool = self.port.get_joint(joint)
            original, source = self.books.find_posted(joint, entry)
            kind, _, village = (source or "").partition(":")
            if kind != "land-rent":
                raise InvalidRequestError(
                    f"entry {entry} of {joint} is not a land rent payment (it was posted "
                    f"{'for ' + source if source else 'by a clerk'}); name the joint entity's "
                    "land rent entry",
                    field="entry",
                )
            books = self.port.get_village(village)
            paired, paired_source = self._village_rent_entry(books, joint, original)
            why = f"土地流转费更正：{reason.strip()}"
            reversals = {
                joint: pool.reverse_entry(
                    original=original,
                    date=date,
                    reason=why,
                    actor=actor,
                    source=source,
                    correction=True,
                ),
                village: books.reverse_entry(
                    original=paired,
                    date=date,
                    reason=why,
                    actor=actor,
                    source=paired_source,
                    correction=True,
                ),
            }
            corrected: dict[str, JournalEntry] = {}
            if mu is not None and rate is not None and year is not None:
                require_cash(pool, rent_amount(mu, rate), f"of corrected land rent to {village}")
                paid, received = post_rent(
                    pool,
                    books,
                    mu=mu,
                    rate=rate,
                    year=year,
                    date=date,
                    actor=actor,
                    memo_suffix=f"（更正{entry}）",
                )
                corrected = {joint: paid, village: received}
            if pool.balance("102") < ZERO:
                raise OverDistributionError(
                    f"{joint} would be left with {format_yuan(pool.balance('102'))} in the bank",
                    field="rate_per_mu",
                )
            self.port.save(pool, books)
            return {"village": village, "reversals": reversals, "corrected": corrected}

        return self.port.retrying(command)

    def _village_rent_entry(
        self, books: VillageCollective, joint: str, original: JournalEntry
    ) -> tuple[JournalEntry, str]:
        """The village's side of the joint entity's rent entry ``original``.

        Payments recorded since this correction existed name the joint entity's voucher in their
        source (``land-rent:J01:2025-0007``); older ones are matched by date and amount among the
        village's rent entries from that joint entity not yet reversed.
        """
        exact = f"land-rent:{joint}:{original.number}"
        legacy = f"land-rent:{joint}"
        candidates = []
        for entry, source in self.books.posted_entries(books):
            if source == exact:
                return entry, source
            if (
                source == legacy
                and entry.date == original.date
                and entry.debit_total == original.debit_total
                and entry.number not in books.reversed_by
            ):
                candidates.append((entry, source))
        if candidates:
            return candidates[0]
        raise ConflictError(
            f"the books of {books.code} hold no land rent entry matching entry "
            f"{original.number} of {joint}; the two books already disagree (run verify)",
            field="entry",
        )


def rent_amount(mu: Decimal, rate: Money) -> Money:
    return money((mu * rate.amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def post_rent(
    pool: JointEntity,
    books: VillageCollective,
    *,
    mu: Decimal,
    rate: Money,
    year: int,
    date: datetime.date,
    actor: str,
    memo_suffix: str = "",
) -> tuple[JournalEntry, JournalEntry]:
    """Land rent into both books: 借 511 / 贷 102 (joint entity), 借 102 / 贷 501 (village); the
    village's entry names the joint entity's voucher in its source."""
    amount = rent_amount(mu, rate)
    memo = f"{year}年土地流转费 {plain_decimal(mu)}亩×{format_yuan(rate)}{memo_suffix}"
    paid = pool.post_entry(
        date=date,
        memo=f"{memo}（{books.name}）",
        postings=[
            {"account": "511", "side": "debit", "amount": amount},
            {"account": "102", "side": "credit", "amount": amount},
        ],
        actor=actor,
        source=f"land-rent:{books.code}",
    )
    received = books.post_entry(
        date=date,
        memo=f"{memo}（{pool.name}）",
        postings=[
            {"account": "102", "side": "debit", "amount": amount},
            {"account": "501", "side": "credit", "amount": amount},
        ],
        actor=actor,
        source=f"land-rent:{pool.code}:{paid.number}",
    )
    return paid, received
