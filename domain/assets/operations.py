"""Disposal (清理) and leases (资产出租) of an asset card, as ``app.assets`` runs them: each loads
the card and its books, lets the card check, posts, and saves the books, the card (and the
project whose income a rent is) in one save. The accounting is ``domain/assets/service.py``'s
docstring."""

from __future__ import annotations

import datetime
from typing import Any

from moneyed import Money

from domain.assets import AssetCard
from domain.assets.vocabulary import DISPOSALS
from domain.bounds import check_text
from domain.codes import require_code
from domain.port import Port
from domain.projects import Project
from ledger.depreciation import owners_split
from ledger.entries import JournalEntry
from ledger.money import MAX_AMOUNT, ZERO, from_fen, money, to_fen


def _row(account: str, side: str, amount: Money) -> dict[str, Any]:
    """One posting row of an entry."""
    return {"account": account, "side": side, "amount": amount}


Rows = list[dict[str, Any]]


def disposal_entries(card: AssetCard, proceeds: Money, costs: Money) -> list[tuple[str, Rows]]:
    """The vouchers of a disposal, (memo, postings) each; none with a zero line."""
    name, net, accumulated = card.name, card.net, card.accumulated
    transfer = [_row("154", "debit", net)] if net > ZERO else []
    if accumulated > ZERO:
        assert card.contra is not None
        transfer.append(_row(card.contra, "debit", accumulated))
    transfer.append(_row(card.account, "credit", card.original))
    entries: list[tuple[str, Rows]] = [(f"{name}转入清理", transfer)]
    if proceeds > ZERO:
        entries.append(
            (f"{name}清理收入", [_row("102", "debit", proceeds), _row("154", "credit", proceeds)])
        )
    if costs > ZERO:
        entries.append(
            (f"{name}清理费用", [_row("154", "debit", costs), _row("102", "credit", costs)])
        )
    result = proceeds - costs - net
    if result > ZERO:
        entries.append(
            (f"{name}清理净收益", [_row("154", "debit", result), _row("504", "credit", result)])
        )
    elif result < ZERO:
        entries.append(
            (f"{name}清理净损失", [_row("515", "debit", -result), _row("154", "credit", -result)])
        )
    return entries


def dispose(
    port: Port,
    card_of: Any,
    *,
    entity: str,
    number: str,
    date: datetime.date,
    kind: str,
    proceeds: object,
    costs: object,
    reason: str,
    actor: str,
) -> tuple[Money, list[JournalEntry]]:
    """清理 of asset ``number`` through 154 in one save; answers its result (gain positive) and
    the vouchers."""
    got = money(proceeds, field="proceeds", maximum=MAX_AMOUNT)
    paid = money(costs, field="costs", maximum=MAX_AMOUNT)
    text = check_text(reason, field="reason")

    def command() -> tuple[Money, list[JournalEntry]]:
        card: AssetCard = card_of(entity, number)
        card.check_disposal(date=date, kind=kind)
        books = port.get_books(entity)
        posted = [
            books.post_entry(
                date=date,
                memo=f"{memo}（{DISPOSALS[kind]}）",
                postings=rows,
                actor=actor,
                source=f"asset:{number}",
            )
            for memo, rows in disposal_entries(card, got, paid)
        ]
        result = card.dispose(
            date=date,
            kind=kind,
            proceeds=got,
            costs=paid,
            entries=[e.number for e in posted],
            reason=text.strip(),
            actor=actor,
        )
        port.save(books, card)
        return result, posted

    result: tuple[Money, list[JournalEntry]] = port.retrying(command)
    return result


def lease(
    port: Port,
    card_of: Any,
    *,
    entity: str,
    number: str,
    lease: str,
    lessee: str,
    rent: object,
    start: datetime.date,
    end: datetime.date,
    every_months: int = 1,
    due_day: int | None = None,
    contract: str | None = None,
    actor: str,
) -> AssetCard:
    """资产出租 of asset ``number`` to ``lessee``."""
    require_code(lease)
    check_text(lessee, field="lessee", required=True)
    if contract is not None:
        require_code(contract)
    value = money(rent, allow_zero=False, field="rent", maximum=MAX_AMOUNT)

    def command() -> AssetCard:
        card: AssetCard = card_of(entity, number)
        card.lease(
            lease=lease,
            lessee=lessee.strip(),
            rent=value,
            every_months=every_months,
            start=start,
            end=end,
            due_day=due_day or start.day,
            contract=contract,
            actor=actor,
        )
        port.save(card)
        return card

    found: AssetCard = port.retrying(command)
    return found


def receive_rent(
    port: Port,
    card_of: Any,
    project_of: Any,
    *,
    entity: str,
    number: str,
    lease: str,
    period: str,
    date: datetime.date,
    amount: object | None = None,
    actor: str,
) -> JournalEntry:
    """Rent of ``period`` under ``lease`` received (借 102 / 贷 501), recorded on the card and,
    for a project's asset, as the project's income, in one save; ``amount`` defaults to what
    is still owed for the period."""

    def command() -> JournalEntry:
        card: AssetCard = card_of(entity, number)
        terms = card.leases.get(lease)
        owed = None
        if amount is None and terms is not None:
            owed = terms["rent"] - card.rents.get(lease, {}).get(period, 0)
        value = (
            from_fen(owed)
            if owed is not None and owed > 0
            else money(amount or "0", field="amount", maximum=MAX_AMOUNT)
        )
        card.check_rent(lease=lease, period=period, amount=value)
        project: Project | None = project_of(card)
        if project is not None:
            project.check_income(date)
        books = port.get_books(entity)
        parts = {o: to_fen(p) for o, p in owners_split(value, card.shares()).items()}
        lessee = card.leases[lease]["lessee"]
        entry = books.post_entry(
            date=date,
            memo=f"收到{lessee}{period}期租金（{card.name}）",
            postings=[_row("102", "debit", value), _row("501", "credit", value)],
            actor=actor,
            source=f"project:{card.project}" if card.project else f"asset:{number}",
        )
        card.receive_rent(
            lease=lease,
            period=period,
            date=date,
            amount=value,
            entry=entry.number,
            project=card.project,
            owners=parts,
            actor=actor,
        )
        changed: list[Any] = [books, card]
        if project is not None:
            project.record_income(
                date=date,
                kind="rent",
                amount=value,
                account="501",
                entry=entry.number,
                reference=f"{number}/{lease}",
                owners=parts,
                memo=entry.memo,
                actor=actor,
            )
            changed.append(project)
        port.save(*changed)
        return entry

    found: JournalEntry = port.retrying(command)
    return found


def end_lease(
    port: Port,
    card_of: Any,
    *,
    entity: str,
    number: str,
    lease: str,
    date: datetime.date,
    reason: str,
    actor: str,
) -> AssetCard:
    check_text(reason, field="reason")

    def command() -> AssetCard:
        card: AssetCard = card_of(entity, number)
        card.end_lease(lease=lease, date=date, reason=reason, actor=actor)
        port.save(card)
        return card

    found: AssetCard = port.retrying(command)
    return found
