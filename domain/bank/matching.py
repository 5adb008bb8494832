"""Proposed matches (勾对建议) between a bank account's statement lines and its postings in the
books, pure: what the matching page offers the clerk to confirm. Nothing here is recorded; a
confirmed proposal becomes a ``Matched`` event (``domain.bank``).

A proposal pairs one statement line with one posting of the same signed amount (money in with a
借方, money out with a 贷方) dated within ``window`` days of each other. Where several would
do, the pair whose reference agrees comes first (the statement's 凭证号 / 流水号 / 支票号 found in
the voucher's 摘要, or a number of four or more digits of the 摘要 on the statement), then the
pair closest in date, then the earlier statement line; each line is proposed once. A posting
and its red-ink reversal (红字冲销) that cancel each other are proposed together, with no
statement line, before anything else: neither reached the bank.

Matches of one line against several (a bank's one transfer for three vouchers) are made by
hand on the matching page (``ManualMatch``), as are pairs this does not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.bank.reconciliation import BANK, BOOK, Line

WINDOW = 10
"""Days between a statement line and a posting a proposal allows by default."""
MAX_WINDOW = 62

_TOKENS = re.compile(r"[A-Za-z0-9]{4,}")


@dataclass(frozen=True)
class Proposal:
    """Lines proposed to be matched: statement line ids, posting ids, the amount (fen,
    signed), the days between them and why (Chinese)."""

    bank: tuple[str, ...]
    book: tuple[str, ...]
    amount: int
    days: int
    reason: str

    @property
    def keys(self) -> list[tuple[str, str]]:
        return [(BANK, i) for i in self.bank] + [(BOOK, i) for i in self.book]


def _tokens(*texts: str) -> set[str]:
    return {t.upper() for text in texts for t in _TOKENS.findall(text or "")}


def reference_agrees(bank: Line, book: Line) -> bool:
    """Whether the statement line's reference and the posting say the same number."""
    reference = (bank.reference or "").strip().upper()
    memo = f"{book.memo} {book.entry}".upper()
    if len(reference) >= 4 and reference in memo:
        return True
    return bool(_tokens(book.memo) & _tokens(bank.reference, bank.memo))


def reversal_pairs(book: Sequence[Line]) -> list[Proposal]:
    """Postings and their red-ink reversals that cancel each other (same account)."""
    by_entry: dict[str, list[Line]] = {}
    for line in book:
        by_entry.setdefault(line.entry, []).append(line)
    found: list[Proposal] = []
    used: set[str] = set()
    for line in book:
        if not line.reverses or line.id in used:
            continue
        for original in by_entry.get(line.reverses, []):
            if original.id not in used and original.amount + line.amount == 0:
                used.update((original.id, line.id))
                found.append(
                    Proposal(
                        bank=(),
                        book=(original.id, line.id),
                        amount=0,
                        days=abs((line.date - original.date).days),
                        reason=f"凭证 {line.entry} 红字冲销凭证 {original.entry}，"
                        "两笔相抵，银行无此交易",
                    )
                )
                break
    return found


def propose(bank: Iterable[Line], book: Iterable[Line], *, window: int = WINDOW) -> list[Proposal]:
    """The proposals for the unmatched ``bank`` and ``book`` lines (see the module)."""
    window = max(0, min(int(window), MAX_WINDOW))
    bank_lines = [line for line in bank if line.amount]
    book_lines = [line for line in book if line.amount]
    proposals = reversal_pairs(book_lines)
    taken = {i for p in proposals for i in p.book}
    by_amount: dict[int, list[Line]] = {}
    for line in book_lines:
        if line.id not in taken:
            by_amount.setdefault(line.amount, []).append(line)
    candidates: list[tuple[bool, int, Line, Line]] = []
    for statement_line in bank_lines:
        for posting in by_amount.get(statement_line.amount, ()):
            days = abs((statement_line.date - posting.date).days)
            if days <= window:
                agrees = reference_agrees(statement_line, posting)
                candidates.append((agrees, days, statement_line, posting))
    candidates.sort(key=lambda c: (not c[0], c[1], c[2].date, c[2].id, c[3].date, c[3].id))
    used_bank: set[str] = set()
    for agrees, days, statement_line, posting in candidates:
        if statement_line.id in used_bank or posting.id in taken:
            continue
        used_bank.add(statement_line.id)
        taken.add(posting.id)
        when = "同一天" if days == 0 else f"日期相差 {days} 天"
        why = f"金额相同，{when}" + (
            f"，参考号相符（{statement_line.reference or posting.memo}）" if agrees else ""
        )
        proposals.append(
            Proposal(
                bank=(statement_line.id,),
                book=(posting.id,),
                amount=statement_line.amount,
                days=days,
                reason=why,
            )
        )
    return proposals
