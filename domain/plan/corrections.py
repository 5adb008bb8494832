"""Correcting an executed distribution plan without touching cash that was already paid.

A correction is a new plan that names the one it supersedes. Households and villages have
already received the old plan's money, so the correction does not reverse the payments (that
would show cash coming back that never came back). It reverses the old *declaration* in red ink
(借 32201 各项分配 / 贷 211 应付款 …) and posts its own; each payee's 211 应付款 then holds the
difference:

- paid less than the corrected amount: a credit on 211{payee}, still owed (应付款), paid later
  by an ordinary payment from 211{payee};
- paid more: 211{payee} would carry a debit balance, which an 应付款 account must not; that
  debit is moved to a claim to recover (应收款): 借 112{household} 应收款 for a household (a
  member, outside the entity), 借 113{village} 内部往来 for a village of the alliance (113 is
  where the 2023 chart keeps what units inside one alliance owe each other), 贷 211{payee};
- owed more while an earlier correction left a claim on the same payee: the two are set off
  (借 211{payee} / 贷 the claim), so a payee never shows both a debt and a claim, and a
  correction of a correction nets back.

A receiving village's books follow the same difference against its 502 投资收益: 借 113{joint}
内部往来 / 贷 502 when it is owed more, 借 502 / 贷 113{joint} when it received too much, so
its 113{joint} mirrors the joint entity's 211{village} or 113{village}.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from moneyed import Money

from domain.books import Books
from domain.errors import OverDistributionError
from domain.plan import DistributionPlan
from ledger.entries import JournalEntry
from ledger.money import ZERO, amount_str, format_yuan, from_fen, money


def declares(entry: JournalEntry) -> bool:
    """Whether an entry is a plan's declaration (it debits 32201 各项分配)."""
    return any(p.account == "32201" and p.side == "debit" for p in entry.postings)


def reverse_declaration(
    payer: Books,
    old: DistributionPlan,
    entries: Iterable[JournalEntry],
    *,
    date: datetime.date,
    reason: str,
    actor: str,
) -> list[JournalEntry]:
    """Red-ink reverse the declaration among ``old``'s entries in the payer's books (not its
    payment, not its earlier differences)."""
    return [
        payer.reverse_entry(original=entry, date=date, reason=reason, actor=actor)
        for entry in entries
        if declares(entry) and entry.reverses is None
    ]


def totals(result: dict[str, Any]) -> dict[str, Money]:
    """Each party's total in an allocation document."""
    return {line["code"]: money(line["total"]) for line in result["lines"]}


def differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Money, Money]]:
    """(old, new) per party of either plan, in code order."""
    before, after = totals(old), totals(new)
    return {
        code: (before.get(code, ZERO), after.get(code, ZERO))
        for code in sorted(set(before) | set(after))
    }


def claim_account(scope: str, payee: str) -> str:
    """Where an overpaid payee's debt to the payer is kept: 113 between units of an alliance,
    112 应收款 for a household."""
    return f"{'113' if scope == 'alliance' else '112'}{payee}"


def correction_entries(
    *, payer: Books, old: DistributionPlan, new_result: dict[str, Any], title: str, code: str
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """The entries (entity, memo, postings) that settle the differences, to be posted after the
    old declaration was reversed and the new one posted in ``payer``."""
    out: list[tuple[str, str, list[dict[str, Any]]]] = []
    changes = differences(old.result, new_result)
    reclass: list[dict[str, Any]] = []
    for payee in changes:
        account, claim = f"211{payee}", claim_account(old.scope, payee)
        payable = from_fen(payer.balances.get(account, 0))  # debit-positive
        recover = from_fen(payer.balances.get(claim, 0))
        if payable > ZERO:  # overpaid: the debit becomes a claim to recover
            reclass.append({"account": claim, "side": "debit", "amount": payable, "memo": payee})
            reclass.append({"account": account, "side": "credit", "amount": payable, "memo": payee})
        elif payable < ZERO and recover > ZERO:  # owed more, with an earlier claim: set off
            offset = min(-payable, recover)
            reclass.append({"account": account, "side": "debit", "amount": offset, "memo": payee})
            reclass.append({"account": claim, "side": "credit", "amount": offset, "memo": payee})
    if reclass:
        out.append((payer.code, f"更正 {code} 差额转应收或抵销（{old.code}）", reclass))
    if old.scope == "alliance":
        for village, (before, after) in changes.items():
            if after == before:
                continue
            more = after > before
            amount = after - before if more else before - after
            postings = [
                {
                    "account": f"113{payer.code}" if more else "502",
                    "side": "debit",
                    "amount": amount,
                    "memo": "",
                },
                {
                    "account": "502" if more else f"113{payer.code}",
                    "side": "credit",
                    "amount": amount,
                    "memo": f"{old.code}→{code}",
                },
            ]
            what = "应收差额" if more else "多收应退"
            out.append((village, f"{payer.name}分配更正 {code} {title}：{what}", postings))
    return out


def require_free_cash(payer: Books, amount: Money, code: str) -> None:
    """A distribution pays out only cash that is not earmarked: the credit balance of 241
    专项应付款 is grant money held for its programme, so it cannot leave as a dividend even
    while it sits in 102 银行存款 (it leaves only by payments for its programme)."""
    earmarked = -payer.balance("241")
    if earmarked <= ZERO:
        return
    bank = payer.balance("102")
    free = bank - earmarked
    if amount > free:
        shown = free if free > ZERO else ZERO
        raise OverDistributionError(
            f"{payer.code} has {format_yuan(bank)} in the bank, of which {format_yuan(earmarked)} "
            f"is earmarked grant money (241 专项应付款) that only its programme may spend; plan "
            f"{code} pays out {format_yuan(amount)}, more than the {format_yuan(shown)} that is "
            "free to distribute",
            field="amount",
            details={"available": amount_str(shown), "requested": amount_str(amount)},
        )
