"""Corrections of operations that post into more than one book (issue 9: one fact, every book).

A fact the system posted into several books (capital paid in, land rent, a dividend and the
agreement's record of it) is corrected only by an operation that changes every one of them in
the same save; the generic red-ink reversal of one book refuses such entries
(``domain.sources``). Plans are corrected by a superseding plan (``execute_plan``); this module
adds the others. Each is a command method of the application (composed in
``LianzhangApplication``), loads what it needs, lets the aggregates check and record, and saves
them together.

How each correction is posted, as an accountant would:

- **capital refund** (退还资本): a counter-entry on its own date, since money really goes back:
  joint entity 借 301 资本-village / 贷 102; village 借 102 / 贷 141 长期投资-joint; the equity
  register reduced by programme. Also how a village that left the alliance takes its capital
  back (it need not be a member on the day).
- **land rent correction** (土地流转费更正): both entries reversed in red ink, and the right rent
  (mu × rate) posted again in both books when it is given; without it the rent is cancelled.
- **dividend correction** (分红更正): the declaration (112/502) or the receipt (102/112) reversed
  in red ink and the right amount posted again (0.00 cancels it); the agreement's declared or
  received amount for the year changes by the difference, in the same save.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from domain.distribution import plain_decimal
from domain.errors import ConflictError, InvalidRequestError, OverDistributionError
from domain.programmes import programme_name
from domain.sources import source_of_event
from ledger.entries import JournalEntry
from ledger.money import ZERO, format_yuan, money

if TYPE_CHECKING:
    from moneyed import Money

    from domain.application import LianzhangApplication
    from domain.books import Books, JointEntity, VillageCollective


# -- capital refund --------------------------------------------------------------------------------


def refund_capital(
    app: LianzhangApplication,
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
        pool = app.get_joint(joint)
        books = app.get_village(village)
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
        app._require_cash(pool, total, f"to return to {village}")
        paid = [
            pool.refund_capital(
                village=village, programme=code, amount=part, date=date, reason=reason, actor=actor
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
        app.save(pool, books)
        return received, paid

    return app._retrying(command)


# -- land rent correction --------------------------------------------------------------------------


def _posted_entries(
    app: LianzhangApplication, books: Books
) -> list[tuple[JournalEntry, str | None]]:
    found = []
    for stored in app.recorder.select_events(books.id):
        event = app.mapper.to_domain_event(stored)
        entry = getattr(event, "entry", None)
        if isinstance(entry, JournalEntry):
            found.append((entry, source_of_event(event)))
    return found


def _village_rent_entry(
    app: LianzhangApplication, books: VillageCollective, joint: str, original: JournalEntry
) -> tuple[JournalEntry, str]:
    """The village's side of the joint entity's rent entry ``original``.

    Payments recorded since this correction existed name the joint entity's voucher in their
    source (``land-rent:J01:2025-0007``); older ones are matched by date and amount among the
    village's rent entries from that joint entity not yet reversed.
    """
    exact = f"land-rent:{joint}:{original.number}"
    legacy = f"land-rent:{joint}"
    candidates = []
    for entry, source in _posted_entries(app, books):
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
        f"the books of {books.code} hold no land rent entry matching entry {original.number} of "
        f"{joint}; the two books already disagree (run verify)",
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


def correct_land_rent(
    app: LianzhangApplication,
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
            "give mu, rate_per_mu and year of the right rent, or none of them to cancel the rent",
            field="mu" if mu is None else "rate_per_mu" if rate_per_mu is None else "year",
        )
    rate = (
        None if rate_per_mu is None else money(rate_per_mu, allow_zero=False, field="rate_per_mu")
    )
    if mu is not None and (not mu.is_finite() or mu <= 0):
        raise InvalidRequestError("mu must be a positive number", field="mu")
    if not reason.strip():
        raise InvalidRequestError("a land rent correction needs a reason", field="reason")

    def command() -> dict[str, Any]:
        pool = app.get_joint(joint)
        original, source = app.find_posted(joint, entry)
        kind, _, village = (source or "").partition(":")
        if kind != "land-rent":
            raise InvalidRequestError(
                f"entry {entry} of {joint} is not a land rent payment (it was posted "
                f"{'for ' + source if source else 'by a clerk'}); name the joint entity's "
                "land rent entry",
                field="entry",
            )
        books = app.get_village(village)
        paired, paired_source = _village_rent_entry(app, books, joint, original)
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
            app._require_cash(pool, rent_amount(mu, rate), f"of corrected land rent to {village}")
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
        app.save(pool, books)
        return {"village": village, "reversals": reversals, "corrected": corrected}

    return app._retrying(command)


# -- dividend correction ---------------------------------------------------------------------------


def _entry_year(app: LianzhangApplication, agreement_aggregate_id: Any, entry: str) -> int | None:
    """The year the agreement recorded ``entry`` under, when it recorded its number."""
    for stored in app.recorder.select_events(agreement_aggregate_id):
        event = app.mapper.to_domain_event(stored)
        numbers = (getattr(event, "entry_number", None), getattr(event, "new_entry_number", None))
        if entry in numbers and hasattr(event, "year"):
            return int(event.year)
    return None


def correct_dividend(
    app: LianzhangApplication,
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
        terms = app.get_agreement(agreement)
        pool = app.get_joint(terms.joint_entity_code)
        original, source = app.find_posted(pool.code, entry)
        if source != f"agreement:{agreement}":
            raise InvalidRequestError(
                f"entry {entry} of {pool.code} is not a dividend of agreement {agreement}; name "
                "the entry of the declaration or receipt to correct",
                field="entry",
            )
        recorded = _entry_year(app, terms.id, entry)
        if recorded is not None and recorded != year:
            raise InvalidRequestError(
                f"entry {entry} is recorded under {recorded}, not {year}", field="year"
            )
        account = terms.receivable_account
        declared = any(p.account == account and p.side.value == "debit" for p in original.postings)
        kind = "declared" if declared else "received"
        old = original.debit_total
        why = f"分红更正：{reason.strip()}"
        reversal = pool.reverse_entry(
            original=original, date=date, reason=why, actor=actor, source=source, correction=True
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
        app.save(terms, pool)
        return {"kind": kind, "reversal": reversal, "entry": again}

    return app._retrying(command)
